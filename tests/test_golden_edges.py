"""Golden parity of the psychometric edge cases with R psych 2.2.9 (issue 9).

Inputs and outputs are in tests/golden/edges (reference_edges.R wrote them; its header says what
each case is). Each case of edges_alpha.csv is rerun here with the same items, policy, rows, keys
and bounds. Tolerances are relative unless stated: the alpha family agrees to about 1e-15
(ALPHA_RTOL leaves a margin); omega to psych's optimiser tolerance (OMEGA_ATOL, absolute).

Where psych and alliance_metrics differ on purpose, the test says so and checks our side:
* two rows: psych computes alpha 0.96 and omega 0.9997 from correlations that are ±1 by
  construction; we give NaN with a warning (below 3 rows);
* an item without variance and keys together: psych stops ("non-conformable arguments"); we
  leave the item out and compute what psych gives once the item is removed by hand;
* items whose pairwise correlation is undefined (i constant where j is answered): psych's alpha
  stops in its principal() check; alpha itself is defined and we give it (checked by formula);
* a total without variance (a + (6 − a)): psych gives −Inf; we give NaN with a warning;
* reversing with bounds the data do not reach: psych reverses with the observed range, so its
  mean of the reversed item is lower by (declared min + max) − (observed min + max); alpha is
  the same.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import alliance_metrics as am
from alliance_metrics.psychometrics import cronbach_alpha, item_statistics, omega_total

EDGES = Path(__file__).parent / "golden" / "edges"
ALPHA_RTOL = 1e-12
OMEGA_ATOL = 1e-6
ITEMS = pd.read_csv(EDGES / "edges_items.csv")
ALPHA = pd.read_csv(EDGES / "edges_alpha.csv", keep_default_na=False, na_values=["NA"])
DROP = pd.read_csv(EDGES / "edges_alpha_drop.csv")
OMEGA = pd.read_csv(EDGES / "edges_omega.csv", keep_default_na=False, na_values=["NA"])
BY_CASE = ALPHA.set_index("case", drop=False)
OURS_ONLY = {"rows_2": "below 3 rows", "total_constant": "psych -Inf", "pairwise_ij": "psych stops"}


def case_call(case: pd.Series) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The items and keyword arguments of one golden case."""
    frame = ITEMS[case["items"].split()].iloc[: int(case["rows"])]
    kwargs: dict[str, Any] = {"nan_policy": case["policy"]}
    if case["reversed"]:
        kwargs["keys"] = {case["reversed"]: -1}
        kwargs["bounds"] = tuple(float(v) for v in case["bounds"].split())
    return frame, kwargs


def quietly(function: Any, *args: Any, **kwargs: Any) -> tuple[Any, list[str]]:
    """Call ``function`` and return its result and the AllianceMetricsWarnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = function(*args, **kwargs)
    assert all(issubclass(w.category, am.AllianceMetricsWarning) for w in caught), caught
    return result, [str(w.message) for w in caught]


@pytest.mark.parametrize("name", [c for c in ALPHA["case"] if c not in OURS_ONLY])
def test_alpha_matches_psych(name: str) -> None:
    case = BY_CASE.loc[name]
    frame, kwargs = case_call(case)
    result, said = quietly(cronbach_alpha, frame, **kwargs)
    dropped = tuple(case["dropped"].split())
    assert result.dropped == dropped
    assert result.n_items == case["n_items"] == len(result.items)
    assert result.n == case["n_obs"]
    for ours, theirs in [
        (result.alpha, "raw_alpha"),
        (result.std_alpha, "std.alpha"),
        (result.average_r, "average_r"),
        (result.ci_lower, "feldt_lower"),
        (result.ci_upper, "feldt_upper"),
    ]:
        assert_allclose(ours, case[theirs], rtol=ALPHA_RTOL, atol=0, err_msg=theirs)
    if dropped:  # one warning naming every dropped item by its column
        assert len(said) == 1
        assert all(repr(name) in said[0] for name in dropped)
        assert "no variance" in said[0]
    else:
        assert not said


def test_psych_stops_on_keys_with_a_dropped_item_and_we_do_not() -> None:
    case = BY_CASE.loc["keys_dropped"]
    assert "non-conformable" in case["psych_error"]
    keyed = BY_CASE.loc["keys"]  # the same items without e
    frame, kwargs = case_call(case)
    result, said = quietly(cronbach_alpha, frame, **kwargs)
    assert result.dropped == ("e",)
    assert result.reversed == ("br",)
    assert_allclose(result.alpha, keyed["raw_alpha"], rtol=ALPHA_RTOL)
    assert len(said) == 1


def test_two_rows_give_nan_with_a_warning_where_psych_gives_a_number() -> None:
    case = BY_CASE.loc["rows_2"]
    assert case["raw_alpha"] == pytest.approx(0.96)  # psych: every r is ±1 from two rows
    frame, kwargs = case_call(case)
    result, said = quietly(cronbach_alpha, frame, **kwargs)
    assert math.isnan(result.alpha)
    assert math.isnan(result.ci_lower)
    assert said == [
        "cronbach_alpha: only 2 rows with answers (at least 3 are needed), so alpha is NaN."
    ]
    omega, said = quietly(omega_total, frame, **kwargs)
    assert math.isnan(omega)
    assert len(said) == 1
    psych_omega = OMEGA.set_index("case").loc["rows_2", "omega_tot"]
    assert psych_omega == pytest.approx(0.9996875)


def test_a_total_without_variance_is_nan_where_psych_gives_minus_infinity() -> None:
    case = BY_CASE.loc["total_constant"]
    assert case["raw_alpha"] == -math.inf
    result, said = quietly(cronbach_alpha, case_call(case)[0])
    assert math.isnan(result.alpha)
    assert "the total score has no variance" in said[0]


def test_alpha_where_psych_stops_on_an_undefined_correlation() -> None:
    case = BY_CASE.loc["pairwise_ij"]
    assert "missing values (NAs) in the correlation matrix" in case["psych_error"]
    frame = case_call(case)[0]
    result, said = quietly(cronbach_alpha, frame)
    assert not said
    cov = frame.cov().to_numpy()  # pandas: pairwise-complete, as R's cov(use = "pairwise")
    k = len(cov)
    expected = k / (k - 1) * (1 - np.trace(cov) / cov.sum())
    assert_allclose(result.alpha, expected, rtol=ALPHA_RTOL)
    omega, said = quietly(omega_total, frame)
    assert math.isnan(omega)
    assert "correlation of items 'i' and 'j' is undefined" in said[0]


@pytest.mark.parametrize(
    "name",
    ["base", "constant", "all_bad", "listwise_ij", "keys", "keys_narrow", "keys_dropped", "rows_3"],
)
def test_item_statistics_of_a_plain_frame_match_psych(name: str) -> None:
    case = BY_CASE.loc[name]
    frame, kwargs = case_call(case)
    table, said = quietly(item_statistics, frame, **kwargs)
    golden = DROP[DROP["case"] == name]
    assert table["item"].tolist() == golden["item"].tolist()  # the dropped items are left out
    assert set(table["scale"]) == {"total"}
    assert table.attrs["dropped_items"] == {"total": tuple(case["dropped"].split())}
    assert_allclose(table["r_drop"], golden["r.drop"], rtol=ALPHA_RTOL)
    assert_allclose(table["alpha_if_deleted"], golden["raw_alpha"], rtol=ALPHA_RTOL)
    assert_allclose(table["sd"], golden["sd"], rtol=ALPHA_RTOL)
    assert table["n"].tolist() == golden["n"].tolist()
    shift = 0.0
    if name == "keys_narrow":  # psych reverses cr7 with the observed 1 + 6, we with 1 + 7
        observed = frame.to_numpy()
        shift = sum(kwargs["bounds"]) - (np.nanmin(observed) + np.nanmax(observed))
        assert shift == 1.0
    expected_mean = golden["mean"] + np.where(table["reversed"], shift, 0.0)
    assert_allclose(table["mean"], expected_mean, rtol=1e-14)
    assert bool(said) == bool(case["dropped"])


@pytest.mark.parametrize(
    "name", ["base", "constant", "all_bad", "listwise_ij", "keys", "keys_narrow", "rows_3"]
)
def test_omega_matches_psych_on_the_items_kept(name: str) -> None:
    """psych's omega stops on an item without variance; its value on the kept items is ours."""
    case = BY_CASE.loc[name]
    golden = OMEGA.set_index("case").loc[name]
    if case["dropped"]:
        assert "missing values (NAs)" in golden["psych_error"]
    frame, kwargs = case_call(case)
    omega, said = quietly(omega_total, frame, **kwargs)
    assert bool(said) == bool(case["dropped"])
    assert omega.dropped == tuple(case["dropped"].split())
    assert omega.n_items == len(case["items"].split()) - len(omega.dropped)
    assert_allclose(float(omega), golden["omega_tot"], rtol=0, atol=OMEGA_ATOL)


def test_keys_give_psych_alpha_of_the_stored_items() -> None:
    """alpha(x, keys = "br") on the stored items equals alpha of the items reversed first."""
    stored = ITEMS[["a", "br", "c", "d"]]
    golden = BY_CASE.loc["keys"]
    for keys in ({"br": -1}, [1, -1, 1, 1], np.array([1, -1, 1, 1])):
        result = cronbach_alpha(stored, keys=keys, bounds=(1, 5))  # type: ignore[arg-type]
        assert_allclose(result.alpha, golden["raw_alpha"], rtol=ALPHA_RTOL)
        assert result.reversed == ("br",)
    # the same items, reversed by hand, need no keys
    by_hand = stored.assign(br=6 - stored["br"])
    assert (
        cronbach_alpha(by_hand).alpha
        == cronbach_alpha(stored, keys={"br": -1}, bounds=(1, 5)).alpha
    )
