"""Unit and property tests of alliance_metrics.psychometrics (alpha, omega, item statistics)."""

from __future__ import annotations

import doctest
import json
import math
import warnings
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from pydantic import ValidationError
from scipy import stats

import alliance_metrics as am
from alliance_metrics import factor, psychometrics, reliability, scoring
from alliance_metrics.psychometrics import (
    REPORT_COLUMNS,
    AlphaResult,
    cronbach_alpha,
    item_statistics,
    omega_total,
    reliability_report,
)
from alliance_metrics.report import reliability_table_text
from alliance_metrics.scoring import kernel

ITEM_COLUMNS = [
    "scale", "item", "mean", "sd", "n", "r_drop", "alpha_if_deleted", "keying_flag", "reversed",
]  # fmt: skip


@pytest.fixture(autouse=True)
def _fresh_provisional_warnings() -> Iterator[None]:
    kernel._warned.clear()
    yield
    kernel._warned.clear()


def likert(
    n: int = 200, k: int = 12, *, seed: int = 1, high: int = 5, missing: float = 0.0
) -> np.ndarray:
    """Seeded one-factor Likert answers 1..high with MCAR missing cells."""
    rng = np.random.default_rng(seed)
    mid = (1 + high) / 2
    values = np.clip(np.rint(mid + rng.normal(size=(n, 1)) + rng.normal(size=(n, k))), 1, high)
    values[rng.random(values.shape) < missing] = np.nan
    return values


def wai_frame(values: np.ndarray, prefix: str = "wai_") -> pd.DataFrame:
    return pd.DataFrame(values, columns=[f"{prefix}{n}" for n in range(1, values.shape[1] + 1)])


def textbook_alpha(x: np.ndarray) -> float:
    k = x.shape[1]
    return k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))


# --------------------------------------------------------------------------- cronbach_alpha


def test_alpha_on_complete_data_is_the_textbook_formula() -> None:
    x = likert(k=6)
    result = cronbach_alpha(x)
    assert result.alpha == pytest.approx(textbook_alpha(x), rel=1e-13)
    r = np.corrcoef(x, rowvar=False)
    average_r = r[np.triu_indices(6, 1)].mean()
    assert result.average_r == pytest.approx(average_r, rel=1e-13)
    assert result.std_alpha == pytest.approx(6 * average_r / (1 + 5 * average_r), rel=1e-13)
    assert (result.n, result.n_complete, result.n_items) == (200, 200, 6)
    assert result.method == "pairwise"


@pytest.mark.parametrize("level", [0.8, 0.95, 0.99])
def test_feldt_interval(level: float) -> None:
    x = likert(n=60, k=5)
    result = cronbach_alpha(x, ci=level)
    q = (1 - level) / 2
    lower = 1 - (1 - result.alpha) * stats.f.ppf(1 - q, 59, 59 * 4)
    upper = 1 - (1 - result.alpha) * stats.f.ppf(q, 59, 59 * 4)
    assert (result.ci_lower, result.ci_upper) == pytest.approx((lower, upper), rel=1e-14)
    assert result.ci_lower < result.alpha < result.ci_upper
    assert result.ci_level == level


def test_wider_confidence_gives_a_wider_interval() -> None:
    x = likert(n=60, k=5)
    narrow, wide = cronbach_alpha(x, ci=0.8), cronbach_alpha(x, ci=0.99)
    assert wide.ci_lower < narrow.ci_lower < narrow.ci_upper < wide.ci_upper


def test_pairwise_uses_every_row_and_listwise_the_complete_ones() -> None:
    x = likert(k=5, missing=0.1)
    complete = x[~np.isnan(x).any(axis=1)]
    pairwise = cronbach_alpha(x)
    listwise = cronbach_alpha(x, nan_policy="listwise")
    assert pairwise.n == 200  # psych's nrow(x), the n of its Feldt interval
    assert listwise.n == listwise.n_complete == pairwise.n_complete == len(complete)
    assert listwise.alpha == pytest.approx(textbook_alpha(complete), rel=1e-13)
    assert listwise.method == "listwise"
    assert not math.isclose(pairwise.alpha, listwise.alpha)


def test_pairwise_covariance_is_rs_pairwise_cov() -> None:
    x = likert(n=40, k=3, missing=0.2)
    cov, cor = factor.pairwise_moments(x)
    for i in range(3):
        for j in range(3):
            both = ~np.isnan(x[:, i]) & ~np.isnan(x[:, j])
            expected = np.cov(x[both, i], x[both, j])
            assert cov[i, j] == pytest.approx(expected[0, 1], rel=1e-12)
            assert cor[i, j] == pytest.approx(
                expected[0, 1] / math.sqrt(expected[0, 0] * expected[1, 1]), rel=1e-12
            )


def test_accepts_dataframes_lists_and_nullable_integers() -> None:
    x = likert(n=30, k=4)
    expected = cronbach_alpha(x).alpha
    assert cronbach_alpha(x.tolist()).alpha == expected
    frame = pd.DataFrame(x).astype("Int64")
    frame.iloc[0, 0] = pd.NA
    assert math.isfinite(cronbach_alpha(frame).alpha)
    assert cronbach_alpha(pd.DataFrame(x)).alpha == expected


def test_result_is_frozen_and_serialisable() -> None:
    result = cronbach_alpha(likert(n=30, k=4))
    with pytest.raises(ValidationError):
        result.alpha = 0.5  # type: ignore[misc]
    as_dict = result.to_dict()
    assert as_dict == result.model_dump()
    assert set(as_dict) == {
        "alpha", "std_alpha", "average_r", "n", "n_complete", "n_items", "ci_level",
        "ci_lower", "ci_upper", "method", "items", "dropped", "reversed",
    }  # fmt: skip
    assert as_dict["items"] == ("0", "1", "2", "3")
    assert json.loads(result.model_dump_json())["n"] == 30
    assert AlphaResult.model_validate(as_dict) == result


def test_degenerate_data_give_nan_with_our_warning_only() -> None:
    constant = np.full((10, 3), 3.0)
    no_overlap = np.array([[1.0, np.nan], [2.0, np.nan], [np.nan, 3.0], [np.nan, 4.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", am.AllianceMetricsWarning)
        result = cronbach_alpha(constant)
        assert math.isnan(result.alpha)
        assert math.isnan(result.ci_lower)
        assert math.isnan(omega_total(constant))
        assert math.isnan(cronbach_alpha(no_overlap).alpha)
        assert math.isnan(
            cronbach_alpha(likert(n=5, k=3, missing=0.9), nan_policy="listwise").alpha
        )
    with pytest.warns(am.AllianceMetricsWarning, match="no variance"):
        cronbach_alpha(constant)
    with pytest.warns(am.AllianceMetricsWarning, match="answered together in only 0 rows"):
        cronbach_alpha(no_overlap)


def test_pairwise_alpha_can_exceed_one_exactly_as_psych() -> None:
    # A pairwise covariance matrix need not be positive semi-definite; psych 2.2.9 gives
    # alpha(x)$total$raw_alpha = 33.33333 here (tests/golden/edges, case above_one)
    x = np.array(
        [[4, 5, 1], [2, np.nan, np.nan], [3, 3, 3], [4, 1, np.nan], [1, 4, 3], [np.nan, 3, 5],
         [np.nan, 2, np.nan]]
    )  # fmt: skip
    assert cronbach_alpha(x).alpha == pytest.approx(100 / 3, rel=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"nan_policy": "x"},
            "The 'nan_policy' parameter of cronbach_alpha must be one of {'listwise', "
            "'pairwise'}. Got 'x' instead.",
        ),
        ({"ci": 1.0}, "The 'ci' parameter of cronbach_alpha must be a confidence level"),
        ({"ci": True}, "Got True instead."),
    ],
)
def test_argument_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(am.InvalidParameterError) as error:
        cronbach_alpha(likert(n=10, k=3), **kwargs)  # type: ignore[arg-type]
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([1, 2, 3], "with at least 2 items. Got shape (3,) instead."),
        ([[1], [2]], "with at least 2 items. Got shape (2, 1) instead."),
        ([["a", "b"], ["c", "d"]], "Got values that are not numbers instead."),
        ([[1, np.inf], [2, 3]], "must hold finite numbers or NaN"),
    ],
)
def test_item_matrix_errors(items: object, message: str) -> None:
    with pytest.raises(am.InvalidParameterError) as error:
        cronbach_alpha(items)  # type: ignore[arg-type]
    assert message in str(error.value)
    assert "The 'items' parameter of cronbach_alpha" in str(error.value)


# --------------------------------------------------------------------------- omega_total


def exact_factor_data(corr: np.ndarray, n: int = 50, seed: int = 3) -> np.ndarray:
    """Data whose sample correlation matrix is exactly ``corr``."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, len(corr)))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False)).T)  # whitened
    return z @ np.linalg.cholesky(corr).T * 1.7 + 4.0


def test_omega_of_an_exact_one_factor_structure() -> None:
    loadings = np.array([0.8, 0.7, 0.6, 0.75, 0.5])
    corr = np.outer(loadings, loadings)
    np.fill_diagonal(corr, 1.0)
    x = exact_factor_data(corr)
    expected = loadings.sum() ** 2 / (loadings.sum() ** 2 + (1 - loadings**2).sum())
    assert omega_total(x) == pytest.approx(expected, rel=1e-10)
    assert omega_total(pd.DataFrame(x), nan_policy="listwise") == pytest.approx(expected, rel=1e-10)


def test_omega_heywood_case_is_bounded_like_psych() -> None:
    # unbounded minres gives item 1 a loading of 1.017; psych bounds uniquenesses at .005 and
    # takes the loadings from the first eigenpair of R with diagonal 1 - psi (see the golden test)
    corr = np.array(
        [[1, 0.8, 0.8, 0.3], [0.8, 1, 0.5, 0.4], [0.8, 0.5, 1, 0.35], [0.3, 0.4, 0.35, 1]]
    )
    loadings = factor.one_factor_minres(corr)
    assert 1.0 < loadings[0] ** 2 < 1.017**2  # still ultra-Heywood, as psych reports
    assert omega_total(exact_factor_data(corr)) == pytest.approx(0.837757, abs=1e-6)


def test_omega_never_rekeys_a_negative_item() -> None:
    x = likert(k=5)
    flipped = x.copy()
    flipped[:, 0] = 6 - flipped[:, 0]
    assert omega_total(flipped) < omega_total(x) - 0.1  # psych::omega would silently flip it


def test_omega_needs_three_items() -> None:
    with pytest.raises(am.InvalidParameterError, match="at least 3 items"):
        omega_total(likert(k=2))
    with pytest.raises(am.InvalidParameterError, match="'nan_policy' parameter of omega_total"):
        omega_total(likert(k=3), nan_policy="all")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- reliability_report


def test_report_has_one_row_per_scale_including_the_total() -> None:
    report = reliability_report(wai_frame(likert()), "wai-sr")
    assert list(report.columns) == list(REPORT_COLUMNS)
    assert list(report["scale"]) == ["task", "bond", "goal", "total", "goal_task"]
    assert list(report["n_items"]) == [4, 4, 4, 12, 8]
    assert report["n"].dtype == np.int64
    assert report["n_scored"].dtype == np.int64
    for name in REPORT_COLUMNS[3:12]:
        assert report[name].dtype == np.float64, name


def test_report_reverses_once_before_every_statistic() -> None:
    inst = am.get_instrument("wai-s")
    raw = likert(k=12, high=7, missing=0.05)
    stored = raw.copy()
    stored[:, [3, 9]] = 8 - stored[:, [3, 9]]  # items 4 and 10 as printed on the form
    report = reliability_report(wai_frame(stored), inst).set_index("scale")
    plan = scoring.compile_instrument(inst)
    for s, scale in enumerate(plan.scale_ids):
        members = np.flatnonzero(plan.weights[:, s])
        keyed = raw[:, members]
        assert report.loc[scale, "alpha"] == pytest.approx(cronbach_alpha(keyed).alpha, rel=1e-12)
        assert report.loc[scale, "omega_total"] == pytest.approx(omega_total(keyed), rel=1e-9)
    # the bug this guards against: omega on the unreversed items
    assert report.loc["total", "omega_total"] != pytest.approx(omega_total(stored), rel=1e-3)


def test_reversing_in_the_data_or_in_the_key_is_the_same() -> None:
    inst = am.get_instrument("wai-s")
    data = wai_frame(likert(k=12, high=7, missing=0.05))
    unkeyed = inst.model_copy(
        update={"items": tuple(i.model_copy(update={"reverse": False}) for i in inst.items)}
    )
    assert not scoring.compile_instrument(unkeyed).reverse.any()
    by_hand = data.copy()
    by_hand[["wai_4", "wai_10"]] = 8 - by_hand[["wai_4", "wai_10"]]
    pd.testing.assert_frame_equal(
        reliability_report(data, inst), reliability_report(by_hand, unkeyed)
    )
    keyed_stats = item_statistics(data, inst).drop(columns="reversed")
    pd.testing.assert_frame_equal(
        keyed_stats, item_statistics(by_hand, unkeyed).drop(columns="reversed")
    )


def test_sem_sd_and_n_scored_describe_the_score_frame_scores() -> None:
    data = wai_frame(likert(missing=0.15))
    report = reliability_report(data, "wai-sr").set_index("scale")
    scores = am.score_frame(data, "wai-sr", prefix="")
    for scale in report.index:
        values = scores[scale].dropna()
        assert report.loc[scale, "n_scored"] == len(values)
        assert report.loc[scale, "sd"] == pytest.approx(values.std(ddof=1), rel=1e-12)
        expected = values.std(ddof=1) * math.sqrt(1 - report.loc[scale, "alpha"])
        assert report.loc[scale, "sem"] == pytest.approx(expected, rel=1e-12)


def test_aggregate_and_min_answered_are_those_of_score_frame() -> None:
    data = wai_frame(likert(missing=0.15))
    means = reliability_report(data, "wai-sr", aggregate="mean").set_index("scale")
    sums = reliability_report(data, "wai-sr", aggregate="sum", min_answered=1.0)
    sums = sums.set_index("scale")
    scores = am.score_frame(data, "wai-sr", prefix="", aggregate="sum", min_answered=1.0)
    assert sums.loc["task", "n_scored"] == scores["task"].notna().sum()
    assert sums.loc["task", "n_scored"] < means.loc["task", "n_scored"]
    assert sums.loc["task", "sd"] == pytest.approx(scores["task"].std(), rel=1e-12)
    pd.testing.assert_series_equal(means["alpha"], sums["alpha"])  # alpha does not depend on it


def test_floor_and_ceiling_percentages() -> None:
    values = likert(n=20)
    values[:5] = 5.0  # five rows at the ceiling of every scale
    values[5, :4] = 1.0  # row 5 at the floor of ... items 1-4
    values[5, [0, 1, 9, 11]] = 1.0  # ... and of task (items 1, 2, 10, 12)
    values[6] = np.nan
    values[6, 2] = 5.0  # one answered bond item at the maximum: not scored (needs 3 of 4)
    values[7, [0, 1, 9]] = 1.0  # task at the floor with one item unanswered: prorated floor
    values[7, 11] = np.nan
    report = reliability_report(wai_frame(values), "wai-sr").set_index("scale")
    scores = am.score_frame(wai_frame(values), "wai-sr", prefix="", aggregate="mean")
    for scale in report.index:
        scored = scores[scale].dropna()
        assert report.loc[scale, "pct_ceiling"] == pytest.approx(100 * (scored == 5).mean())
        assert report.loc[scale, "pct_floor"] == pytest.approx(100 * (scored == 1).mean())
    assert report.loc["task", "pct_floor"] == pytest.approx(100 * 2 / 19)
    assert report.loc["bond", "pct_ceiling"] == pytest.approx(100 * 5 / 19)


def test_single_item_scales_are_nan_without_warnings() -> None:
    data = pd.DataFrame(likert(n=30, k=3), columns=["item1", "item2", "item3"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = reliability_report(data, "wai-b3").set_index("scale")
        stats_ = item_statistics(data, "wai-b3")
    assert report.loc[["goal", "task", "bond"], "alpha"].isna().all()
    assert report.loc[["goal", "task", "bond"], "omega_total"].isna().all()
    assert report.loc["total", "alpha"] > 0
    assert report.loc["total", "omega_total"] > 0
    assert stats_.loc[stats_["scale"] != "total", "r_drop"].isna().all()
    assert not stats_["keying_flag"].any()


def test_invalid_cells_raise_the_validation_report() -> None:
    data = wai_frame(likert(n=10)).astype(object)
    data.loc[3, "wai_5"] = 9
    data.loc[7, "wai_2"] = "often-ish"
    for function in (reliability_report, item_statistics):
        with pytest.raises(am.ResponseValidationError) as error:
            function(data, "wai-sr")
        cases = error.value.report.failure_cases
        assert list(zip(cases["row"], cases["column"], strict=True)) == [
            (3, "wai_5"),
            (7, "wai_2"),
        ]


def test_labels_and_numeric_strings_are_accepted() -> None:
    values = likert(n=30)
    data = wai_frame(values).astype(object)
    data.loc[0, "wai_1"] = {1: "Seldom", 2: "Sometimes", 3: "Fairly Often", 4: "Very Often",
                            5: "Always"}[int(values[0, 0])]  # fmt: skip
    data.loc[1, "wai_2"] = f" {int(values[1, 1])} "
    pd.testing.assert_frame_equal(
        reliability_report(data, "wai-sr"), reliability_report(wai_frame(values), "wai-sr")
    )


def test_columns_are_resolved_like_score_frame() -> None:
    values = likert(n=30)
    data = wai_frame(values, prefix="Q")
    data.insert(0, "client", range(30))
    expected = reliability_report(wai_frame(values), "wai-sr")
    pd.testing.assert_frame_equal(reliability_report(data, "wai-sr", columns="Q{n}"), expected)
    with pytest.raises(am.InputFormatError, match="Missing item column"):
        reliability_report(data.drop(columns="Q7"), "wai-sr", columns="Q{n}")


def test_input_is_never_modified() -> None:
    data = wai_frame(likert(k=12, high=7, missing=0.1))
    before = data.copy()
    reliability_report(data, "wai-s")
    item_statistics(data, "wai-s")
    pd.testing.assert_frame_equal(data, before)


def test_provisional_instrument_warns_once() -> None:
    data = wai_frame(likert(n=40, k=19, high=6))
    with pytest.warns(am.AllianceMetricsWarning, match="provisional"):
        reliability_report(data, "haq-ii")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        item_statistics(data, "haq-ii")  # once per session


@pytest.mark.parametrize("function", [reliability_report, item_statistics])
def test_report_argument_errors(function: object) -> None:
    name = function.__name__  # type: ignore[attr-defined]
    data = wai_frame(likert(n=10))
    with pytest.raises(am.InvalidParameterError) as error:
        function(data, "wai-sr", nan_policy="complete")  # type: ignore[operator]
    assert str(error.value) == (
        f"The 'nan_policy' parameter of {name} must be one of {{'listwise', 'pairwise'}}. "
        "Got 'complete' instead."
    )
    with pytest.raises(am.InvalidParameterError, match=f"'df' parameter of {name}"):
        function(data.to_numpy(), "wai-sr")  # type: ignore[operator]
    with pytest.raises(am.UnknownInstrumentError):
        function(data, "wai-xx")  # type: ignore[operator]


def test_report_rejects_bad_aggregate_ci_and_min_answered() -> None:
    data = wai_frame(likert(n=10))
    with pytest.raises(am.InvalidParameterError, match="'aggregate' parameter of reliability_rep"):
        reliability_report(data, "wai-sr", aggregate="median")  # type: ignore[arg-type]
    with pytest.raises(am.InvalidParameterError, match="'ci' parameter of reliability_report"):
        reliability_report(data, "wai-sr", ci=95)
    with pytest.raises(am.InvalidParameterError, match="'min_answered' parameter"):
        reliability_report(data, "wai-sr", min_answered=0)


def test_listwise_report_uses_rows_complete_on_each_scale() -> None:
    values = likert(missing=0.1)
    report = reliability_report(wai_frame(values), "wai-sr", nan_policy="listwise")
    task = values[:, [0, 1, 9, 11]]
    complete = task[~np.isnan(task).any(axis=1)]
    row = report.set_index("scale").loc["task"]
    assert row["n"] == len(complete)
    assert row["alpha"] == pytest.approx(textbook_alpha(complete), rel=1e-12)


# --------------------------------------------------------------------------- item_statistics


def test_item_statistics_columns_and_formulas() -> None:
    values = likert(k=12, high=7)
    table = item_statistics(wai_frame(values), "wai-s")
    assert list(table.columns) == ITEM_COLUMNS
    assert len(table) == 4 + 4 + 4 + 12
    task = table[table["scale"] == "task"].reset_index(drop=True)
    assert list(task["item"]) == ["item1", "item2", "item8", "item12"]
    x = values[:, [0, 1, 7, 11]]
    for i in range(4):
        rest = np.delete(x, i, axis=1)
        assert task.loc[i, "r_drop"] == pytest.approx(
            np.corrcoef(x[:, i], rest.sum(axis=1))[0, 1], rel=1e-12
        )
        assert task.loc[i, "alpha_if_deleted"] == pytest.approx(textbook_alpha(rest), rel=1e-12)
        assert task.loc[i, "mean"] == pytest.approx(x[:, i].mean(), rel=1e-14)
        assert task.loc[i, "sd"] == pytest.approx(x[:, i].std(ddof=1), rel=1e-14)
    assert task["n"].tolist() == [200] * 4


def test_item_statistics_describe_keyed_items() -> None:
    values = likert(k=12, high=7, missing=0.1)
    table = item_statistics(wai_frame(values), "wai-s").set_index(["scale", "item"])
    assert table.loc[("goal", "item4"), "reversed"]
    assert not table.loc[("goal", "item6"), "reversed"]
    raw = values[:, 3]
    assert table.loc[("goal", "item4"), "mean"] == pytest.approx(8 - np.nanmean(raw))
    assert table.loc[("goal", "item4"), "n"] == np.count_nonzero(~np.isnan(raw))


def test_keying_flag_catches_a_position_coded_item() -> None:
    values = likert()
    values[:, 5] = 6 - values[:, 5]  # WAI-SR item 6 is printed Always → Seldom on paper
    table = item_statistics(wai_frame(values), "wai-sr")
    flagged = table[table["keying_flag"]]
    assert set(flagged["item"]) == {"item6"}
    assert set(flagged["scale"]) == {"goal", "total", "goal_task"}


def test_item_statistics_listwise() -> None:
    values = likert(missing=0.1)
    table = item_statistics(wai_frame(values), "wai-sr", nan_policy="listwise")
    task = values[:, [0, 1, 9, 11]]
    complete = task[~np.isnan(task).any(axis=1)]
    assert table.loc[table["scale"] == "task", "n"].tolist() == [len(complete)] * 4


def test_two_item_scale_has_no_alpha_if_deleted() -> None:
    cov = np.array([[1.0, 0.5], [0.5, 2.0]])
    r_drop, alpha_if_deleted = reliability.drop_statistics(cov)
    assert r_drop == pytest.approx([0.5 / math.sqrt(2)] * 2)
    assert np.isnan(alpha_if_deleted).all()


# --------------------------------------------------------------------------- text table


def test_reliability_table_text() -> None:
    data = pd.DataFrame(likert(n=30, k=3), columns=["item1", "item2", "item3"])
    report = reliability_report(data, "wai-b3")
    text = reliability_table_text(report)
    lines = text.splitlines()
    assert len(lines) == 5
    assert lines[0].split() == list(REPORT_COLUMNS)
    assert lines[1].split()[3] == "NA"
    total = lines[4].split()
    assert total[0] == "total"
    assert total[3] == f"{report.loc[3, 'alpha']:.3f}"
    assert total[10] == f"{report.loc[3, 'pct_floor']:.1f}"
    assert reliability_table_text(report, digits=5).splitlines()[4].split()[3] == (
        f"{report.loc[3, 'alpha']:.5f}"
    )


# --------------------------------------------------------------------------- properties

likert_matrices = arrays(
    np.float64,
    st.tuples(st.integers(3, 25), st.integers(2, 6)),
    elements=st.integers(1, 7).map(float),
)


def quiet_alpha(x: np.ndarray, **kwargs: object) -> AlphaResult:
    """cronbach_alpha, with our warnings about constant items or few rows silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", am.AllianceMetricsWarning)
        return cronbach_alpha(x, **kwargs)  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(likert_matrices, st.sampled_from(["pairwise", "listwise"]))
def test_alpha_is_at_most_one_on_complete_data(x: np.ndarray, policy: str) -> None:
    alpha = quiet_alpha(x, nan_policy=policy).alpha
    assert math.isnan(alpha) or alpha <= 1 + 1e-12


@settings(max_examples=60, deadline=None)
@given(likert_matrices, st.data())
def test_alpha_is_at_most_one_listwise_with_missing_cells(
    x: np.ndarray, data: st.DataObject
) -> None:
    mask = data.draw(arrays(np.bool_, x.shape))
    x = np.where(mask, np.nan, x)
    alpha = quiet_alpha(x, nan_policy="listwise").alpha
    assert math.isnan(alpha) or alpha <= 1 + 1e-12


@settings(max_examples=80, deadline=None)
@given(likert_matrices, st.floats(-1e4, 1e4, allow_nan=False), st.data())
def test_alpha_ignores_a_constant_shift_and_row_order(
    x: np.ndarray, shift: float, data: st.DataObject
) -> None:
    if data.draw(st.booleans(), label="with missing cells"):
        x = np.where(data.draw(arrays(np.bool_, x.shape), label="missing"), np.nan, x)
    order = list(data.draw(st.permutations(range(len(x))), label="row order"))
    base = quiet_alpha(x)
    for other in (quiet_alpha(x + shift), quiet_alpha(x[order])):
        for name in ("alpha", "std_alpha", "average_r", "ci_lower", "ci_upper"):
            a, b = getattr(base, name), getattr(other, name)
            same = math.isclose(a, b, rel_tol=1e-7, abs_tol=1e-9)
            assert (math.isnan(a) and math.isnan(b)) or same, name


def _flip_key(instrument: am.Instrument, item_id: str) -> am.Instrument:
    items = tuple(
        i.model_copy(update={"reverse": not i.reverse}) if i.id == item_id else i
        for i in instrument.items
    )
    return instrument.model_copy(update={"items": items})


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([0.0, 0.1]), st.sampled_from([3, 4, 6]))
def test_reversing_an_item_twice_changes_nothing(seed: int, missing: float, item: int) -> None:
    inst = am.get_instrument("wai-s")
    values = likert(n=40, k=12, high=7, seed=seed, missing=missing)
    expected = reliability_report(wai_frame(values), inst)
    expected_items = item_statistics(wai_frame(values), inst).drop(columns="reversed")
    once = values.copy()
    once[:, item - 1] = 8 - once[:, item - 1]
    twice = once.copy()
    twice[:, item - 1] = 8 - twice[:, item - 1]
    flipped = _flip_key(inst, f"item{item}")  # reversed in the data, the key reverses it back
    cases = ((twice, inst), (once, flipped), (values, _flip_key(flipped, f"item{item}")))
    for frame, key in cases:
        pd.testing.assert_frame_equal(reliability_report(wai_frame(frame), key), expected)
        pd.testing.assert_frame_equal(
            item_statistics(wai_frame(frame), key).drop(columns="reversed"), expected_items
        )


def test_docstring_examples_run() -> None:
    for module in (psychometrics,):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0
        assert result.attempted > 10


def test_alpha_is_undefined_when_the_total_score_has_no_variance() -> None:
    # Every row sums to 15: the total has no variance, though the covariances' sum rounds to
    # a tiny non-zero number (hypothesis found alpha = 5e16 here before the guard).
    x = np.array([[1.0, 1, 4, 3, 6], [1, 1, 1, 5, 7], [1, 1, 1, 5, 7]])
    with pytest.warns(am.AllianceMetricsWarning, match="the total score has no variance"):
        assert math.isnan(cronbach_alpha(x).alpha)
