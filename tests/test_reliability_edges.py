"""Awkward data in the reliability functions (issue 9): items without variance, too few rows,
reverse keys with declared bounds, plain item frames, and never a raw NumPy/SciPy warning.

R psych parity of the same cases is in test_golden_edges.py; here the rules are checked against
hand-computed oracles (the textbook alpha of the items that should be used).
"""

from __future__ import annotations

import json
import math
import pickle
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from tests.strategies import frame_of, instruments, response_matrices

import alliance_metrics as am
from alliance_metrics.psychometrics import (
    OmegaTotal,
    cronbach_alpha,
    item_statistics,
    omega_total,
    reliability_report,
)

EXAMPLE = pd.DataFrame(
    {
        "a": [1, 2, 3, 4, 5, 3, 4, 2],
        "b": [2, 3, 3, 5, 4, 3, 5, 1],
        "c": [2, 3, 4, 4, 5, 2, 4, 3],
        "d": [1, 3, 3, 4, 4, 4, 5, 2],
    },
    dtype=float,
)


def textbook_alpha(x: np.ndarray) -> float:
    k = x.shape[1]
    return float(k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1)))


def likert(n: int = 120, k: int = 12, seed: int = 3, high: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    mid = (1 + high) / 2
    return np.clip(np.rint(mid + rng.normal(size=(n, 1)) + rng.normal(size=(n, k))), 1, high)


def caught(function: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, list[str]]:
    """Run ``function`` with every warning an error except ours, which are returned."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("error")
        warnings.simplefilter("always", am.AllianceMetricsWarning)
        result = function(*args, **kwargs)
    return result, [str(w.message) for w in seen]


# --------------------------------------------------------------------------- no variance


@pytest.mark.parametrize(
    "bad",
    [
        [3.0] * 8,  # the same answer everywhere
        [np.nan] * 8,  # no answer
        [4.0] + [np.nan] * 7,  # one answer
        [2.0] * 6 + [np.nan] * 2,  # the same answer where answered
    ],
    ids=["constant", "empty", "single", "constant-with-gaps"],
)
def test_an_item_without_variance_is_left_out_and_named(bad: list[float]) -> None:
    data = EXAMPLE.assign(e=bad)
    result, said = caught(cronbach_alpha, data)
    assert result.alpha == pytest.approx(textbook_alpha(EXAMPLE.to_numpy()), rel=1e-13)
    assert (result.n_items, result.items, result.dropped) == (4, ("a", "b", "c", "d"), ("e",))
    assert said == [
        "cronbach_alpha: item 'e' has no variance (no answers, one answer, or the same answer "
        "in every row used) and was left out, as psych::alpha does."
    ]
    omega, said = caught(omega_total, data)
    assert omega == omega_total(EXAMPLE)
    assert (omega.n_items, omega.dropped) == (4, ("e",))
    assert said[0].startswith("omega_total: item 'e' has no variance")


def test_items_of_an_array_are_named_by_position() -> None:
    data = EXAMPLE.assign(e=3.0).to_numpy()
    result, said = caught(cronbach_alpha, data)
    assert result.items == ("0", "1", "2", "3")
    assert result.dropped == ("4",)
    assert "item 4 has no variance" in said[0]


def test_listwise_judges_variance_on_the_complete_rows() -> None:
    data = EXAMPLE.assign(i=[1.0, 5, 4, 4, 4, 4, 4, 4], j=[np.nan, np.nan, 2, 4, 5, 3, 4, 1])
    result, said = caught(cronbach_alpha, data, nan_policy="listwise")
    complete = data.iloc[2:].drop(columns="i").to_numpy()
    assert result.dropped == ("i",)
    assert result.n == result.n_complete == 6
    assert result.alpha == pytest.approx(textbook_alpha(complete), rel=1e-13)
    pairwise, said_pairwise = caught(cronbach_alpha, data)
    assert pairwise.dropped == ()
    assert not said_pairwise  # i varies over all rows; alpha is defined from the covariances
    assert said


def test_dropping_every_item_but_one_leaves_alpha_nan() -> None:
    data = EXAMPLE[["a"]].assign(e=3.0, f=np.nan)
    result, said = caught(cronbach_alpha, data)
    assert math.isnan(result.alpha)
    assert result.items == ("a",)
    assert said[0].endswith(
        "; only 1 item with variance left (at least 2 are needed), so alpha is NaN."
    )
    omega, said = caught(omega_total, EXAMPLE[["a", "b"]].assign(e=3.0))
    assert math.isnan(omega)
    assert "only 2 items with variance left (at least 3 are needed), so omega is NaN" in said[0]


def test_report_leaves_the_item_out_of_every_scale_it_belongs_to() -> None:
    values = likert()
    values[:, 2] = 4.0  # WAI-SR item 3 (bond, total) answered 4 by everyone
    frame = pd.DataFrame(values, columns=[f"wai_{n}" for n in range(1, 13)])
    report, said = caught(reliability_report, frame, "wai-sr")
    report = report.set_index("scale")
    assert report["n_items"].to_dict() == {
        "task": 4, "bond": 3, "goal": 4, "total": 11, "goal_task": 8
    }  # fmt: skip
    assert report.attrs["dropped_items"]["bond"] == ("item3",)
    assert report.attrs["dropped_items"]["task"] == ()
    bond = values[:, [4, 6, 8]]  # items 5, 7, 9
    assert report.loc["bond", "alpha"] == pytest.approx(textbook_alpha(bond), rel=1e-12)
    assert report.loc["bond", "omega_total"] == omega_total(bond)
    assert said == [
        "reliability_report: scales 'bond', 'total': item 'wai_3' (item3) has no variance (no "
        "answers, one answer, or the same answer in every row used) and was left out, as "
        "psych::alpha does."
    ]
    table, said = caught(item_statistics, frame, "wai-sr")
    assert "item3" not in set(table["item"])
    assert table.attrs["dropped_items"]["total"] == ("item3",)
    assert len(said) == 1
    assert "'wai_3' (item3)" in said[0]


def test_report_alpha_survives_a_drop_that_leaves_omega_too_few_items() -> None:
    frame = EXAMPLE[["a", "b"]].set_axis(["item1", "item2"], axis=1).assign(item3=4.0)
    report, said = caught(reliability_report, frame, "wai-b3")
    total = report.set_index("scale").loc["total"]
    assert total["n_items"] == 2
    assert total["alpha"] == pytest.approx(textbook_alpha(EXAMPLE[["a", "b"]].to_numpy()))
    assert math.isnan(total["omega_total"])
    assert report.attrs["dropped_items"]["bond"] == ()  # one item: no statistic to protect
    assert said == [
        "reliability_report: scale 'total': item 'item3' (item3) has no variance (no "
        "answers, one answer, or the same answer in every row used) and was left out, as "
        "psych::alpha does; scale 'total': only 2 items with variance left (at least 3 are "
        "needed), so omega is NaN."
    ]


# --------------------------------------------------------------------------- too few rows


@pytest.mark.parametrize("rows", [0, 1, 2])
def test_below_three_rows_every_statistic_is_nan_with_a_warning(rows: int) -> None:
    data = EXAMPLE.iloc[:rows]
    result, said = caught(cronbach_alpha, data)
    assert math.isnan(result.alpha)
    assert math.isnan(result.ci_upper)
    assert result.n == rows
    assert said == [
        f"cronbach_alpha: only {rows} rows with answers (at least 3 are needed), so alpha is NaN."
    ]
    assert math.isnan(caught(omega_total, data)[0])
    table, said = caught(item_statistics, data)
    assert table["r_drop"].isna().all()
    assert table["alpha_if_deleted"].isna().all()
    assert said == [
        f"item_statistics: scale 'total': only {rows} rows with answers (at least 3 are "
        "needed), so r_drop and alpha_if_deleted are NaN."
    ]


def test_three_rows_are_enough() -> None:
    result, said = caught(cronbach_alpha, EXAMPLE.iloc[:3])
    assert not said
    assert result.alpha == pytest.approx(textbook_alpha(EXAMPLE.iloc[:3].to_numpy()), rel=1e-13)


def test_empty_rows_do_not_count_and_listwise_counts_complete_rows() -> None:
    data = pd.concat([EXAMPLE.iloc[:2], pd.DataFrame(np.nan, index=range(5), columns=list("abcd"))])
    result, said = caught(cronbach_alpha, data)
    assert math.isnan(result.alpha)
    assert result.n == 7  # psych's nrow(x): empty rows stay in n
    assert "only 2 rows with answers" in said[0]
    gappy = EXAMPLE.copy()
    gappy.iloc[np.arange(6), np.arange(6) % 4] = np.nan  # only rows 6 and 7 are complete
    result, said = caught(cronbach_alpha, gappy, nan_policy="listwise")
    assert math.isnan(result.alpha)
    assert "only 2 complete rows" in said[0]


def test_items_answered_together_in_fewer_than_three_rows_make_alpha_nan() -> None:
    data = EXAMPLE.copy()
    data.loc[2:, "a"] = np.nan  # a: two answers (1, 2), so it has variance
    result, said = caught(cronbach_alpha, data)
    assert math.isnan(result.alpha)
    assert result.dropped == ()
    assert "item 'a' is answered in only 2 rows (at least 3 are needed)" in said[0]
    data = EXAMPLE.copy()
    data.loc[:4, "a"] = np.nan
    data.loc[5:, "b"] = np.nan  # a and b share no row, though each has 3 or more answers
    result, said = caught(cronbach_alpha, data)
    assert "items 'a' and 'b' are answered together in only 0 rows" in said[0]
    data.loc[0, "a"] = 1.0
    result, said = caught(cronbach_alpha, data)
    assert "items 'a' and 'b' are answered together in only 1 row (at least" in said[0]


def test_a_total_without_variance_makes_alpha_nan_with_a_warning() -> None:
    data = EXAMPLE[["a"]].assign(an=6 - EXAMPLE["a"])
    result, said = caught(cronbach_alpha, data)
    assert math.isnan(result.alpha)
    assert said == [
        "cronbach_alpha: the item covariances sum to zero (the total score has no variance), so "
        "alpha is NaN."
    ]


def test_omega_is_nan_when_a_correlation_is_undefined_or_the_correlations_cancel() -> None:
    data = EXAMPLE.assign(i=[1.0, 5, 4, 4, 4, 4, 4, 4], j=[np.nan, np.nan, 2, 4, 5, 3, 4, 1])
    omega, said = caught(omega_total, data)
    assert math.isnan(omega)
    assert "the correlation of items 'i' and 'j' is undefined" in said[0]
    # x3 = -(x1 + x2) with corr(x1, x2) = -0.5 and equal variances: every r is -0.5, ΣR = 0
    rng = np.random.default_rng(4)
    z = rng.normal(size=(40, 2))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False)).T)
    x = z @ np.linalg.cholesky(np.array([[1.0, -0.5], [-0.5, 1.0]])).T
    x = np.column_stack([x, -x.sum(axis=1)])
    omega, said = caught(omega_total, x)
    assert math.isnan(omega)
    assert said == ["omega_total: the item correlations sum to zero, so omega is NaN."]


def test_sem_is_nan_when_pairwise_alpha_exceeds_one() -> None:
    # every pair answered together in 3+ rows, yet the pairwise covariance matrix is not PSD
    data = pd.DataFrame(
        {
            "item1": [4, 2, 3, 4, 1, np.nan, np.nan, np.nan],
            "item2": [5, np.nan, 3, 1, 4, 3, 2, np.nan],
            "item3": [1, np.nan, 3, np.nan, 3, 5, np.nan, np.nan],
        }
    )
    total = reliability_report(data, "wai-b3").set_index("scale").loc["total"]
    assert total["alpha"] == pytest.approx(100 / 3, rel=1e-12)  # psych: 33.33333 (golden)
    assert math.isnan(total["sem"])


# --------------------------------------------------------------------------- keys and bounds

STORED = EXAMPLE.assign(b=6 - EXAMPLE["b"])


@pytest.mark.parametrize(
    "keys", [[1, -1, 1, 1], (1.0, -1.0, 1.0, 1.0), np.array([1, -1, 1, 1]), {"b": -1}, {"b": -1.0}]
)
def test_keys_reverse_with_the_declared_bounds(keys: object) -> None:
    result = cronbach_alpha(STORED, keys=keys, bounds=(1, 5))  # type: ignore[arg-type]
    assert result.alpha == cronbach_alpha(EXAMPLE).alpha
    assert result.reversed == ("b",)
    assert omega_total(STORED, keys=keys, bounds=(1, 5)) == omega_total(EXAMPLE)  # type: ignore[arg-type]
    table = item_statistics(STORED, keys=keys, bounds=(1, 5))  # type: ignore[arg-type]
    assert table["mean"].tolist() == EXAMPLE.mean().tolist()
    assert table["reversed"].tolist() == [False, True, False, False]


def test_declared_bounds_not_the_data_range() -> None:
    # on a 1-7 form answered only 2-5, b reversed is 8 - b (psych would use 2 + 5 - b)
    data = EXAMPLE.clip(2, 5)
    table = item_statistics(data, keys={"b": -1}, bounds=(1, 7)).set_index("item")
    assert table.loc["b", "mean"] == pytest.approx(8 - data["b"].mean(), rel=1e-14)
    keyed = cronbach_alpha(data, keys={"b": -1}, bounds=(1, 7)).alpha
    observed = cronbach_alpha(data.assign(b=7 - data["b"])).alpha  # psych's reversal
    assert keyed == pytest.approx(observed, rel=1e-14)  # a constant shift changes no covariance


def test_keys_of_an_array_name_positions() -> None:
    result = cronbach_alpha(STORED.to_numpy(), keys={1: -1}, bounds=(1, 5))
    assert result.reversed == ("1",)
    assert result.alpha == cronbach_alpha(EXAMPLE).alpha


def test_reversing_needs_bounds() -> None:
    with pytest.raises(am.InvalidParameterError) as error:
        cronbach_alpha(STORED, keys={"b": -1})
    assert (error.value.function, error.value.parameter) == ("cronbach_alpha", "bounds")
    assert "never the data's range" in str(error.value)
    cronbach_alpha(STORED, keys=[1, 1, 1, 1])  # nothing reversed: no bounds needed
    assert cronbach_alpha(EXAMPLE, bounds=(1, 5)) == cronbach_alpha(EXAMPLE)  # a check only


def test_values_outside_the_bounds_are_refused_by_row_and_column() -> None:
    data = STORED.copy()
    data.loc[3, "c"] = 7.0
    data.loc[5, "a"] = 0.0
    for function in (cronbach_alpha, omega_total):
        with pytest.raises(am.ResponseValidationError) as error:
            function(data, keys={"b": -1}, bounds=(1, 5))
        cases = error.value.report.failure_cases
        assert list(zip(cases["row"], cases["column"], cases["code"], strict=True)) == [
            (3, "c", "out_of_range"),
            (5, "a", "out_of_range"),
        ]
        assert "7" not in str(error.value)  # the message names cells, never values
    with pytest.raises(am.ResponseValidationError):
        item_statistics(data, bounds=(1, 5))
    table = item_statistics(data, bounds=(1, 5), on_invalid="missing")
    assert table.set_index("item").loc["c", "n"] == 7


def test_keys_and_bounds_belong_to_plain_data() -> None:
    frame = pd.DataFrame(likert(n=30, k=3), columns=["item1", "item2", "item3"])
    for name, value in (("keys", {"item1": -1}), ("bounds", (1, 5))):
        with pytest.raises(am.InvalidParameterError) as error:
            item_statistics(frame, "wai-b3", **{name: value})
        assert error.value.parameter == name
        assert "instrument's key" in str(error.value)


# --------------------------------------------------------------------------- plain item frames


def test_a_plain_frame_gives_the_instruments_total_when_no_item_is_reversed() -> None:
    values = likert(k=12)
    values[np.random.default_rng(0).random(values.shape) < 0.1] = np.nan
    frame = pd.DataFrame(values, columns=[f"wai_{n}" for n in range(1, 13)])
    by_instrument = item_statistics(frame, "wai-sr")
    total = by_instrument[by_instrument["scale"] == "total"].reset_index(drop=True)
    for policy in ("pairwise", "listwise"):
        plain = item_statistics(frame, nan_policy=policy)
        expected = item_statistics(frame, "wai-sr", nan_policy=policy)
        expected = expected[expected["scale"] == "total"].reset_index(drop=True)
        assert plain["item"].tolist() == list(frame.columns)
        pd.testing.assert_frame_equal(plain.drop(columns="item"), expected.drop(columns="item"))
    assert len(total) == 12


def test_a_plain_frame_with_keys_equals_the_instrument_with_reversed_items() -> None:
    values = likert(k=12, high=7)
    frame = pd.DataFrame(values, columns=[f"wai_{n}" for n in range(1, 13)])
    expected = item_statistics(frame, "wai-s")  # reverses items 4 and 10 on 1-7
    expected = expected[expected["scale"] == "total"].reset_index(drop=True)
    keys = [-1 if n in (4, 10) else 1 for n in range(1, 13)]
    plain = item_statistics(frame, keys=keys, bounds=(1, 7))
    pd.testing.assert_frame_equal(plain.drop(columns="item"), expected.drop(columns="item"))


def test_plain_cells_follow_the_one_rule_set() -> None:
    frame = EXAMPLE.astype(object)
    frame.loc[0, "a"] = " 1 "  # numeric text
    frame.loc[1, "b"] = "NA"  # a missing marker
    frame.loc[2, "c"] = "-99"  # declared missing below
    expected = EXAMPLE.copy()
    expected.loc[1, "b"] = np.nan
    expected.loc[2, "c"] = np.nan
    pd.testing.assert_frame_equal(
        item_statistics(frame, missing_values=["-99"]), item_statistics(expected)
    )
    frame.loc[4, "d"] = "often"
    frame.loc[5, "d"] = True
    with pytest.raises(am.ResponseValidationError) as error:
        item_statistics(frame, missing_values=["-99"])
    cases = error.value.report.failure_cases
    assert cases[["row", "column", "code"]].to_numpy().tolist() == [
        [4, "d", "not_a_number"],
        [5, "d", "not_a_number"],
    ]
    expected.loc[[4, 5], "d"] = np.nan
    pd.testing.assert_frame_equal(
        item_statistics(frame, missing_values=["-99"], on_invalid="missing"),
        item_statistics(expected),
    )


def test_plain_frame_argument_errors() -> None:
    with pytest.raises(am.InvalidParameterError, match="'columns' parameter of item_statistics"):
        item_statistics(EXAMPLE, columns="wai_{n}")
    with pytest.raises(am.InvalidParameterError, match="at least 2 item columns"):
        item_statistics(EXAMPLE[["a"]])
    with pytest.raises(am.InvalidParameterError, match="'df' parameter of item_statistics"):
        item_statistics(EXAMPLE.to_numpy())  # type: ignore[arg-type]
    with pytest.raises(am.InvalidParameterError, match="'on_invalid' parameter"):
        item_statistics(EXAMPLE, on_invalid="drop")
    with pytest.raises(am.InvalidParameterError, match="'missing_values' parameter"):
        item_statistics(EXAMPLE, missing_values="-99")
    with pytest.raises(am.InvalidParameterError, match="'keys' parameter"):
        item_statistics(EXAMPLE, keys={"zz": -1}, bounds=(1, 5))
    with pytest.raises(am.InputFormatError, match="repeated: 'a'"):
        item_statistics(EXAMPLE.set_axis(["a", "a", "c", "d"], axis=1))


def test_plain_frame_is_never_modified() -> None:
    frame = STORED.copy()
    item_statistics(frame, keys={"b": -1}, bounds=(1, 5))
    cronbach_alpha(frame, keys={"b": -1}, bounds=(1, 5))
    pd.testing.assert_frame_equal(frame, STORED)


# --------------------------------------------------------------------------- OmegaTotal


def test_omega_total_is_a_float_that_names_its_items() -> None:
    omega = omega_total(STORED, keys={"b": -1}, bounds=(1, 5))
    assert isinstance(omega, float)
    assert omega == pytest.approx(0.924185, abs=1e-6)
    assert (omega.items, omega.n_items, omega.dropped, omega.reversed) == (
        ("a", "b", "c", "d"), 4, (), ("b",)
    )  # fmt: skip
    copy = pickle.loads(pickle.dumps(omega))
    assert copy == omega
    assert copy.reversed == ("b",)
    assert json.loads(json.dumps({"omega": omega}))["omega"] == float(omega)
    assert repr(omega) == repr(float(omega))
    assert type(omega + 0) is float
    assert isinstance(OmegaTotal(0.5, items=("x",)), float)


# --------------------------------------------------------------------------- no raw warnings


@st.composite
def awkward_matrices(draw: st.DrawFn, min_items: int = 2) -> np.ndarray:
    """Tiny and degenerate item matrices: 0-6 rows, constant, empty, single-answer and
    duplicated columns, duplicated rows, and huge or tiny magnitudes."""
    n = draw(st.integers(0, 6), label="rows")
    k = draw(st.integers(min_items, 5), label="items")
    x = draw(arrays(np.float64, (n, k), elements=st.integers(1, 5).map(float)), label="answers")
    x = x.copy()
    for j in range(k):
        kind = draw(
            st.sampled_from(["keep", "keep", "constant", "empty", "single", "duplicate", "gaps"]),
            label=f"column {j}",
        )
        if kind == "constant":
            x[:, j] = 3.0
        elif kind == "empty":
            x[:, j] = np.nan
        elif kind == "single" and n:
            x[1:, j] = np.nan
        elif kind == "duplicate" and j:
            x[:, j] = x[:, j - 1]
        elif kind == "gaps":
            x[draw(arrays(np.bool_, n), label="gaps"), j] = np.nan
    if n and draw(st.booleans(), label="duplicate rows"):
        x = np.concatenate([x, x[:1]])
    magnitude = draw(st.sampled_from([1.0, 1e-300, 1e150, 1e300, 2.0**-1060]), label="scale")
    shift = draw(st.sampled_from([0.0, 0.0, 1e15, -1e300]), label="shift")
    with np.errstate(all="ignore"):  # building the input, not the code under test
        x = x * magnitude + shift
    if draw(st.booleans(), label="float extremes") and len(x):
        x[0, 0] = np.finfo(float).max
        x[-1, -1] = -np.finfo(float).max
    return x


def _check_nan_is_explained(value: float, said: list[str], k: int, min_items: int) -> None:
    if math.isnan(value) and k >= min_items:
        assert said, "NaN without an AllianceMetricsWarning"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(awkward_matrices(), st.sampled_from(["pairwise", "listwise"]))
def test_alpha_and_item_statistics_never_let_a_raw_warning_out(x: np.ndarray, policy: str) -> None:
    result, said = caught(cronbach_alpha, x, nan_policy=policy)
    _check_nan_is_explained(result.alpha, said, x.shape[1], 2)
    assert result.n_items + len(result.dropped) == x.shape[1]
    table, _ = caught(item_statistics, pd.DataFrame(x), nan_policy=policy)
    assert set(table["item"]) == set(range(x.shape[1])) - {int(d) for d in result.dropped}
    finite = table["mean"].dropna()
    assert np.isfinite(finite).all()


def _overflowing() -> np.ndarray:
    """Correlations of these answers overflow to ±inf (found by a long hypothesis run)."""
    x = np.full((6, 5), 1e150)
    x[0, 0], x[5, 4] = np.finfo(float).max, -np.finfo(float).max
    x[0, 1] = x[0, 3] = x[3, 2] = 2e150
    return x


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(awkward_matrices(min_items=3), st.sampled_from(["pairwise", "listwise"]))
@example(_overflowing(), "pairwise")
def test_omega_never_lets_a_raw_warning_out(x: np.ndarray, policy: str) -> None:
    omega, said = caught(omega_total, x, nan_policy=policy)
    _check_nan_is_explained(omega, said, x.shape[1], 3)
    assert omega.n_items + len(omega.dropped) == x.shape[1]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_instrument_reports_never_let_a_raw_warning_out(data: st.DataObject) -> None:
    instrument = data.draw(instruments(), label="instrument")
    values = data.draw(response_matrices(instrument, max_rows=5), label="values")
    frame = frame_of(instrument, values)
    columns = {item.id: item.id for item in instrument.items}
    policy = data.draw(st.sampled_from(["pairwise", "listwise"]), label="policy")
    report, _ = caught(reliability_report, frame, instrument, columns=columns, nan_policy=policy)
    assert len(report) == len(instrument.scales)
    caught(item_statistics, frame, instrument, columns=columns, nan_policy=policy)


@settings(max_examples=100, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(3, 12), st.integers(3, 5)),
        elements=st.integers(1, 7).map(float),
    ),
    st.integers(-900, 900),
)
def test_a_power_of_two_scale_changes_nothing(x: np.ndarray, exponent: int) -> None:
    scaled = np.ldexp(x, exponent)
    base, _ = caught(cronbach_alpha, x)
    other, _ = caught(cronbach_alpha, scaled)
    for name in ("alpha", "std_alpha", "average_r", "ci_lower", "ci_upper"):
        a, b = getattr(base, name), getattr(other, name)
        assert a == b or (math.isnan(a) and math.isnan(b)), name
    omega_a, omega_b = caught(omega_total, x)[0], caught(omega_total, scaled)[0]
    assert omega_a == omega_b or (math.isnan(omega_a) and math.isnan(omega_b))
