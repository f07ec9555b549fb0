"""sudden_changes, sudden_change_events and sudden_change_cases: reference vectors, rules, edges.

Reference vectors are those of SESSION-SERIES.md §1 (taken from suddengains' own tests and
worked by hand); the oracle at the end is a plain per-client loop written from the published
rule with the ``statistics`` module, not from our code.
"""

from __future__ import annotations

import math
import statistics

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from scipy import stats

import alliance_metrics as am
from alliance_metrics.longitudinal import _sudden_windows

NA = None


def one_client(values: list[float | None], *, start: int = 1) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "client_id": "A",
            "session": range(start, start + len(values)),
            "score": [np.nan if v is None else float(v) for v in values],
        }
    )


def flags(values: list[float | None], **options: object) -> list[object]:
    options.setdefault("cutoff", 7)
    out = am.sudden_changes(one_client(values), score="score", **options)
    return [None if v is pd.NA else bool(v) for v in out["sudden"]]


# ---- SESSION-SERIES.md §1 reference vectors -------------------------------------------------


def test_knife_edge_is_not_flagged() -> None:
    out = am.sudden_changes(one_client([28, 19, 23, 12, 13, NA]), score="score", cutoff=7, pct=0.25)
    row = out.loc[out["pre_session"] == 3].iloc[0]
    assert bool(row["crit_cutoff"])
    assert bool(row["crit_pct"])
    assert not bool(row["crit_stability"])
    assert not bool(row["sudden"])
    # 3.182 · 3.704 = 11.79 > 10.83 (df 3: one post value missing)
    assert row["n_pre"] == 3
    assert row["n_post"] == 2
    assert_allclose(row["t_crit"], 3.182446305284263, rtol=1e-12)
    # pre 28, 19, 23: sum of squares 122/3; post 12, 13: 1/2; df 3
    assert_allclose(row["pooled_sd"], math.sqrt((122 / 3 + 0.5) / 3), rtol=1e-12)
    assert_allclose(row["mean_pre"] - row["mean_post"], 70 / 3 - 12.5, rtol=1e-12)


def test_reference_decrease_vectors() -> None:
    assert flags([28, 19, 23, 11, 12, NA], pct=0.25) == [False, True]
    assert flags([28, 19, NA, 12, 13, NA], pct=0.25) == [None, None]
    assert flags([35, 37, 23, 23, 24, 21], pct=0.25) == [True, False, False]
    assert flags([35, 37, 34, 24, 24, 21], pct=0.25) == [False, True, False]
    assert flags([35, 37, 34, 34, 24, 21], pct=0.25) == [False, False, True]
    assert flags([35, 37, 34, 37, 37, 37], pct=0.25) == [False, False, False]


@pytest.mark.parametrize("compat", ["suddengains", "mirrored"])
def test_reference_increase_vectors(compat: str) -> None:
    options = {"direction": "increase", "pct": 0.25, "compat": compat}
    assert flags([10, 11, 12, 30, 28, 33], **options) == [False, True, False]
    assert flags([10, 11, 12, 10, 28, 33], **options) == [False, False, True]
    assert flags([10, 11, 30, 30, 28, 33], **options) == [True, False, False]
    assert flags([35, 37, 34, 23, 24, 21], **options) == [False, False, False]


def test_v_shaped_dip_is_not_a_sudden_loss() -> None:
    out = am.sudden_changes(
        one_client([45, 47, 48, 36, 37, 47, 48, 49]), score="score", cutoff=6, pct=0.25
    )
    row = out.loc[out["pre_session"] == 3].iloc[0]
    assert bool(row["crit_cutoff"])
    assert bool(row["crit_pct"])
    assert not bool(row["crit_stability"])
    assert not bool(row["sudden"])
    assert_allclose(row["pooled_sd"], 4.434711565, rtol=1e-9)  # sqrt((7/3·2 + 103/3·2) / 4)
    assert_allclose(row["mean_pre"] - row["mean_post"], 20 / 3, rtol=1e-12)
    assert row["t_crit"] * row["pooled_sd"] > 12.31
    assert not out["sudden"].any()


@pytest.mark.parametrize(
    ("values", "df"),
    [([40, 41, 42, 30, 31, 32], 4), ([40, 41, 42, 30, 31, NA, 50], 3), ([40, NA, 42, 30, 31], 2)],
)
@pytest.mark.parametrize(
    ("alpha", "expected"), [(0.05, (4.303, 3.182, 2.776)), (0.01, (9.925, 5.841, 4.604))]
)
def test_critical_values_follow_available_scores(
    values: list[float | None], df: int, alpha: float, expected: tuple[float, ...]
) -> None:
    out = am.sudden_changes(one_client(values), score="score", cutoff=7, alpha=alpha)
    row = out.loc[out["pre_session"] == 3].iloc[0]
    assert row["n_pre"] + row["n_post"] - 2 == df
    assert_allclose(row["t_crit"], expected[df - 2], atol=5e-4)


def test_fixed_critical_value_without_adjustment() -> None:
    out = am.sudden_changes(
        one_client([40, NA, 42, 30, 31]), score="score", cutoff=7, adjust=False, critical_value=3.5
    )
    assert (out["t_crit"].dropna() == 3.5).all()
    assert out.attrs["alliance_metrics"]["adjust"] is False


# ---- criterion 2 and the suddengains coding ---------------------------------------------------


def test_compat_suddengains_reproduces_identify_sl_criterion_2() -> None:
    # 40 → 47: an increase of 7, less than .25 · 40 = 10
    values = [40, 40, 40, 47, 47, 47]
    mirrored = am.sudden_changes(
        one_client(values),
        score="score",
        direction="increase",
        cutoff=None,
        pct=0.25,
        stability=False,
    )
    coded = am.sudden_changes(
        one_client(values),
        score="score",
        direction="increase",
        cutoff=None,
        pct=0.25,
        stability=False,
        compat="suddengains",
    )
    at = mirrored["pre_session"] == 3
    assert not mirrored.loc[at, "crit_pct"].iloc[0]  # 47 − 40 = 7 < 10
    assert coded.loc[at, "crit_pct"].iloc[0]  # 40 − 47 = −7 ≤ 10 (identify_sl's coding)
    # identify_sl's coding holds for every non-decrease here: the flaw SESSION-SERIES describes
    assert coded["crit_pct"].all()
    # with a negative proportion the suddengains coding is the mirrored rule
    negative = am.sudden_changes(
        one_client(values),
        score="score",
        direction="increase",
        cutoff=None,
        pct=-0.25,
        stability=False,
        compat="suddengains",
    )
    assert_array_equal(negative["crit_pct"].to_numpy(bool), mirrored["crit_pct"].to_numpy(bool))


def test_criterion_2_ties_count() -> None:
    # 40 → 30: a drop of exactly .25 · 40
    out = am.sudden_changes(
        one_client([40, 40, 40, 30, 30, 30]), score="score", cutoff=10, pct=0.25
    )
    row = out.loc[out["pre_session"] == 3].iloc[0]
    assert bool(row["crit_cutoff"])
    assert bool(row["crit_pct"])
    assert bool(row["sudden"])


# ---- disabled criteria, options, errors -----------------------------------------------------


def test_disabled_criteria_are_visible() -> None:
    out = am.sudden_changes(
        one_client([35, 37, 23, 23, 24, 21]), score="score", cutoff=7, stability=False
    )
    assert out["crit_pct"].isna().all()
    assert out["crit_stability"].isna().all()
    assert out["t_crit"].isna().all()
    assert out["pooled_sd"].notna().all()  # descriptive statistics stay
    assert_array_equal(out["sudden"].to_numpy(bool), out["crit_cutoff"].to_numpy(bool))
    attrs = out.attrs["alliance_metrics"]
    assert attrs["criteria"] == {"cutoff": "on", "pct": "off", "stability": "off"}
    assert attrs["cutoff"] == 7.0
    assert attrs["pct"] is None
    assert attrs["function"] == "sudden_changes"


def test_flag_is_missing_when_an_enabled_criterion_is() -> None:
    # criterion 1 false, criterion 3 not evaluable: R's crit1 * crit3 is NA, and so is ours
    out = am.sudden_changes(one_client([30, NA, NA, 30, 31, 32, 33]), score="score", cutoff=7)
    row = out.loc[out["pre_session"] == 4].iloc[0]
    assert row["n_pre"] == 1
    assert not row["crit_cutoff"]
    assert row["crit_stability"] is pd.NA
    assert row["sudden"] is pd.NA


def test_dtypes_and_columns() -> None:
    out = am.sudden_changes(one_client([35, 37, 23, 23, 24, 21]), score="score", cutoff=7)
    assert list(out.columns) == [
        "client_id", "pre_session", "post_session", "pre_value", "post_value", "crit_cutoff",
        "crit_pct", "crit_stability", "n_pre", "n_post", "mean_pre", "mean_post", "pooled_sd",
        "t_crit", "sudden",
    ]  # fmt: skip
    for name in ("crit_cutoff", "crit_pct", "crit_stability", "sudden"):
        assert out[name].dtype == "boolean"
    for name in ("pre_session", "post_session", "n_pre", "n_post"):
        assert out[name].dtype == np.int64


def test_empty_input_gives_empty_table() -> None:
    empty = pd.DataFrame(
        {
            "cid": pd.Series([], dtype=object),
            "session": pd.Series([], dtype=int),
            "score": pd.Series([], dtype=float),
        }
    )
    full = am.sudden_changes(
        one_client([35, 37, 23, 23, 24, 21]).rename(columns={"client_id": "cid"}),
        score="score",
        client="cid",
        cutoff=7,
    )
    out = am.sudden_changes(empty, score="score", client="cid", cutoff=7)
    assert len(out) == 0
    assert list(out.columns) == list(full.columns)
    assert (out.dtypes.drop("cid") == full.dtypes.drop("cid")).all()
    events = am.sudden_change_events(empty, score="score", client="cid", cutoff=7)
    assert len(events) == 0
    assert "reversal" in events.columns
    assert len(am.sudden_change_cases(empty, score="score", client="cid")) == 0


@pytest.mark.parametrize(
    ("option", "value", "match"),
    [
        ("direction", "down", "'direction' parameter of sudden_changes must be one of"),
        ("compat", "R", "'compat' parameter of sudden_changes"),
        ("cutoff", -1, "'cutoff' parameter of sudden_changes must be a number ≥ 0"),
        ("cutoff", True, "'cutoff' parameter"),
        ("cutoff", "7", "'cutoff' parameter"),
        ("pct", -0.25, "'pct' parameter of sudden_changes"),
        ("pct", float("nan"), "'pct' parameter"),
        ("alpha", 0.0, "'alpha' parameter of sudden_changes must be a number in \\(0.0, 1.0\\)"),
        ("alpha", 1, "'alpha' parameter"),
        ("adjust", 1, "'adjust' parameter of sudden_changes must be True or False"),
        ("stability", "yes", "'stability' parameter"),
        ("critical_value", 0, "'critical_value' parameter"),
    ],
)
def test_bad_options(option: str, value: object, match: str) -> None:
    options: dict[str, object] = {"cutoff": 7, option: value}
    with pytest.raises(am.InvalidParameterError, match=match):
        am.sudden_changes(one_client([1, 2, 3, 4]), score="score", **options)


def test_at_least_one_criterion() -> None:
    with pytest.raises(am.InvalidParameterError, match="at least one criterion"):
        am.sudden_changes(one_client([1, 2, 3, 4]), score="score", cutoff=None, stability=False)


def test_bad_reversal_start() -> None:
    for value in (1, 4, True, "3"):
        with pytest.raises(
            am.InvalidParameterError, match="'reversal_from' parameter of sudden_change_events"
        ):
            am.sudden_change_events(
                one_client([1, 2, 3, 4]), score="score", cutoff=7, reversal_from=value
            )  # type: ignore[arg-type]


def test_data_errors_name_rows() -> None:
    df = pd.concat([one_client([1, 2, 3, 4]), one_client([5])])
    with pytest.raises(am.InputFormatError, match="row\\(s\\) 0, 4"):
        am.sudden_changes(df, score="score", cutoff=7)
    with pytest.raises(am.InvalidParameterError, match="'score' parameter of sudden_change_events"):
        am.sudden_change_events(df, score="wai", cutoff=7)


def test_client_column_clash_is_reported() -> None:
    df = one_client([1, 2, 3, 4]).rename(columns={"client_id": "sudden"})
    with pytest.raises(am.InvalidParameterError, match="also an output column"):
        am.sudden_changes(df, score="score", client="sudden", cutoff=7)


# ---- the grid: missing sessions ------------------------------------------------------------


def test_absent_rows_and_empty_scores_are_the_same() -> None:
    with_rows = one_client([NA, 40, 41, 30, NA, 31, 32, NA])
    without = with_rows.dropna(subset=["score"])
    a = am.sudden_changes(with_rows, score="score", cutoff=7)
    b = am.sudden_changes(without, score="score", cutoff=7)
    pd.testing.assert_frame_equal(a, b)
    # tested: n+1 from first valid + 2 (4) to last valid − 1 (6)
    assert a["post_session"].tolist() == [4, 5, 6]


def test_no_comparison_bridges_a_missing_session() -> None:
    df = one_client([40, 41, 42, 30, 31, 32, 33]).query("session != 4")
    out = am.sudden_changes(df, score="score", cutoff=7, stability=False)
    by_post = out.set_index("post_session")
    assert by_post.loc[4, "crit_cutoff"] is pd.NA
    assert by_post.loc[5, "crit_cutoff"] is pd.NA
    assert np.isnan(by_post.loc[4, "post_value"])
    assert np.isnan(by_post.loc[5, "pre_value"])


def test_too_few_sessions_give_no_rows() -> None:
    df = pd.concat([one_client([1, 2, 3]), one_client([NA, NA]).assign(client_id="B")])
    assert len(am.sudden_changes(df, score="score", cutoff=1)) == 0


def test_window_statistics_as_r_computes_them() -> None:
    """R: mean(c(.1, .2, .3)) == .2 is TRUE (long-double sum, correcting pass); naive is not."""
    if np.finfo(np.longdouble).nmant < 63:
        pytest.skip("long double is not the x87 extended type here")
    assert (0.1 + 0.2 + 0.3) / 3 != 0.2
    cells = np.array([[0.1, 0.2, 0.3], [np.nan, 7.0, np.nan], [1.0, np.nan, 4.0]])
    count, mean, sd = _sudden_windows.r_run_statistics(cells)
    assert count.tolist() == [3, 1, 2]
    assert mean.tolist() == [0.2, 7.0, 2.5]
    assert np.isnan(sd[1])
    assert sd[2] == math.sqrt(4.5)
    fast = _sudden_windows.run_statistics(
        np.array([0.1, 0.2, 0.3, np.nan, 7.0, np.nan, 1, np.nan, 4])
    )
    assert_allclose(fast[1][[0, 3, 6]], mean, rtol=1e-15)
    assert_array_equal(fast[0][[0, 3, 6]], count)


# ---- events -----------------------------------------------------------------------------------


def test_events_of_a_decrease() -> None:
    values = [50, 51, 50, 40, 41, 40, 46, 41]
    ev = am.sudden_change_events(one_client(values), score="score", cutoff=7)
    assert len(ev) == 1
    row = ev.iloc[0]
    assert (row["pre_session"], row["post_session"]) == (3, 4)
    assert row["magnitude"] == 10.0
    assert row["reversal_value"] == 45.0
    assert [
        row[c] for c in ("x_n_pre2", "x_n_pre1", "x_n", "x_n_post1", "x_n_post2", "x_n_post3")
    ] == [50, 51, 50, 40, 41, 40]
    assert bool(row["reversal"])
    assert row["reversal_session"] == 7
    assert row["client_events"] == 1


def test_reversal_scan_start() -> None:
    # back beyond the reversal value at n+2 only
    values = [50, 51, 50, 40, 46, 40, 40, 40]
    two = am.sudden_change_events(one_client(values), score="score", cutoff=7, stability=False)
    three = am.sudden_change_events(
        one_client(values), score="score", cutoff=7, stability=False, reversal_from=3
    )
    assert bool(two["reversal"].iloc[0])
    assert two["reversal_session"].iloc[0] == 5
    assert not three["reversal"].iloc[0]
    assert three["reversal_session"].iloc[0] is pd.NA
    assert three.attrs["alliance_metrics"]["reversal_from"] == 3


def test_reversal_is_strict_and_skips_missing() -> None:
    values = [50, 51, 50, 40, 41, NA, 45, 44]
    ev = am.sudden_change_events(one_client(values), score="score", cutoff=7)
    assert ev["reversal_value"].iloc[0] == 45.0
    assert not ev["reversal"].iloc[0]


def test_events_of_an_increase_and_counts() -> None:
    df = pd.concat(
        [
            one_client([20, 21, 20, 30, 31, 30, 24, 30]),
            one_client([20, 21, 20, 30, 31, 30, 31, 30, 40, 41, 40]).assign(client_id="B"),
        ]
    )
    ev = am.sudden_change_events(df, score="score", direction="increase", cutoff=7)
    assert ev["client_id"].tolist() == ["A", "B", "B"]
    assert ev["client_events"].tolist() == [1, 2, 2]
    a = ev.iloc[0]
    assert a["magnitude"] == 10.0
    assert a["reversal_value"] == 25.0
    assert bool(a["reversal"])
    assert a["reversal_session"] == 7


def test_reversal_missing_when_its_value_is() -> None:
    # criterion 3 alone can flag an interval whose x_n is missing: no magnitude, no reversal
    values = [50, 50, NA, 30, 30, 30]
    ev = am.sudden_change_events(one_client(values), score="score", cutoff=None)
    assert ev["pre_session"].tolist() == [2, 3]  # x_{n+1}, then x_n, is the missing session
    assert ev["magnitude"].isna().all()
    assert ev["reversal_value"].isna().all()
    assert ev["reversal"].isna().all()
    assert ev["reversal_session"].isna().all()


# ---- case selection ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "selected"),
    [
        ([NA, 5, 5, 5, 5, NA], True),  # . x x x x .
        ([NA, 5, 5, 5, NA, 5], True),  # . x x x . x
        ([5, NA, 5, 5, 5, NA], True),  # x . x x x .
        ([5, NA, 5, 5, NA, 5], True),  # x . x x . x
        ([5, NA, 5, NA, 5, NA, 5], False),
        ([5, 5, NA, NA, 5, 5], False),
        ([5, 5, 5], False),
    ],
)
def test_case_patterns(values: list[float | None], selected: bool) -> None:
    out = am.sudden_change_cases(one_client(values), score="score")
    assert bool(out["selected"].iloc[0]) is selected
    assert out["n_sessions"].iloc[0] == sum(v is not None for v in values)


# ---- an independent oracle and properties ----------------------------------------------------


def oracle(scores: dict[int, float], cutoff: float, decrease: bool) -> list[tuple[int, object]]:
    """Per-client loop over the published rule (criteria 1 and 3, adjusted critical value)."""
    valid = sorted(s for s, v in scores.items() if not math.isnan(v))
    if not valid:
        return []
    x = {s: v for s, v in scores.items() if not math.isnan(v)}
    out = []
    for post in range(valid[0] + 2, valid[-1]):
        n = post - 1
        c1 = None
        if n in x and post in x:
            c1 = (x[n] - x[post] if decrease else x[post] - x[n]) >= cutoff
        pre_w = [x[s] for s in (n - 2, n - 1, n) if s in x]
        post_w = [x[s] for s in (post, post + 1, post + 2) if s in x]
        c3 = None
        if len(pre_w) >= 2 and len(post_w) >= 2:
            n1, n2 = len(pre_w), len(post_w)
            sp = math.sqrt(
                ((n1 - 1) * statistics.variance(pre_w) + (n2 - 1) * statistics.variance(post_w))
                / (n1 + n2 - 2)
            )
            shift = statistics.fmean(pre_w) - statistics.fmean(post_w)
            c3 = (shift if decrease else -shift) > abs(stats.t.ppf(0.025, n1 + n2 - 2)) * sp
        flag = None if c1 is None or c3 is None else (c1 and c3)
        out.append((n, flag))
    return out


@st.composite
def series_tables(draw: st.DrawFn) -> pd.DataFrame:
    """Several clients, integer alliance-like scores, missing sessions as NaN rows or absent."""
    frames = []
    for k in range(draw(st.integers(1, 5))):
        length = draw(st.integers(0, 12))
        start = draw(st.integers(1, 3))
        values = draw(
            st.lists(st.one_of(st.none(), st.integers(12, 60)), min_size=length, max_size=length)
        )
        df = one_client(values, start=start).assign(client_id=f"c{k}")
        keep = draw(st.lists(st.booleans(), min_size=length, max_size=length))
        mask = [bool(a) or not math.isnan(v) for a, v in zip(keep, df["score"], strict=True)]
        frames.append(df.loc[np.array(mask, dtype=bool)])
    return pd.concat(frames, ignore_index=True)


@settings(max_examples=150, deadline=None)
@given(series_tables(), st.sampled_from(["decrease", "increase"]), st.integers(0, 12))
def test_matches_oracle(table: pd.DataFrame, direction: str, cutoff: int) -> None:
    out = am.sudden_changes(table, score="score", cutoff=cutoff, direction=direction)
    expected = []
    for name, group in table.groupby("client_id", sort=True):
        for n, flag in oracle(
            dict(zip(group["session"], group["score"], strict=True)),
            cutoff,
            direction == "decrease",
        ):
            expected.append((name, n, flag))
    got = [
        (c, int(n), None if f is pd.NA else bool(f))
        for c, n, f in zip(out["client_id"], out["pre_session"], out["sudden"], strict=True)
    ]
    assert got == expected


@settings(max_examples=60, deadline=None)
@given(series_tables(), st.randoms(use_true_random=False))
def test_row_order_and_other_clients_do_not_matter(table: pd.DataFrame, rnd: object) -> None:
    options = {"score": "score", "cutoff": 5, "pct": 0.1}
    whole = am.sudden_changes(table, **options)
    shuffled = table.sample(frac=1.0, random_state=7)
    pd.testing.assert_frame_equal(am.sudden_changes(shuffled, **options), whole)
    for name, group in table.groupby("client_id"):
        alone = am.sudden_changes(group, **options)
        part = whole[whole["client_id"] == name].reset_index(drop=True)
        pd.testing.assert_frame_equal(alone, part)
    ev = am.sudden_change_events(table, **options)
    pd.testing.assert_frame_equal(am.sudden_change_events(shuffled, **options), ev)


@settings(max_examples=80, deadline=None)
@given(series_tables())
def test_selected_cases_are_those_with_criteria_1_and_3_evaluable(table: pd.DataFrame) -> None:
    cases = am.sudden_change_cases(table, score="score").set_index("client_id")
    tested = am.sudden_changes(table, score="score", cutoff=0)
    evaluable = tested["crit_cutoff"].notna() & tested["crit_stability"].notna()
    per_client = evaluable.groupby(tested["client_id"]).sum()
    n_fit = per_client.reindex(cases.index, fill_value=0)
    assert_array_equal(cases["n_pattern_intervals"].to_numpy(), n_fit.to_numpy())
    assert_array_equal(cases["selected"].to_numpy(), n_fit.to_numpy() > 0)
