"""Ruptures and repairs (SESSION-SERIES §3): worked examples, an independent per-client oracle,
hypothesis properties and argument checks."""

from __future__ import annotations

import math
import statistics
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import alliance_metrics as am

WORKED = {  # SESSION-SERIES §3 worked examples: sessions, scores, client SD
    "extended": ([1, 2, 3, 4, 5, 6, 7, 8], [45, 47, 48, 36, 37, 47, 48, 49], 5.153016),
    "unrepaired": ([1, 2, 3, 4, 5, 6, 7, 8], [50, 51, 50, 40, 41, 40, 42, 41], 4.983903),
    "censored": ([1, 2, 3, 4, 5, 6], [50, 50, 51, 52, 51, 42], 3.669696),
    "gap": ([1, 2, 4, 5, 6, 7], [48, 49, 38, 47, 48, 48], 4.131182),
}
EXPECTED = {  # session, baseline session, baseline, drop, repaired, repair session, pattern
    "extended": (4, 3, 48.0, 12.0, True, 7, "extended"),
    "unrepaired": (4, 3, 50.0, 10.0, False, pd.NA, "unrepaired"),
    "censored": (6, 5, 51.0, 9.0, pd.NA, pd.NA, "censored"),
    "gap": (4, 2, 49.0, 11.0, False, pd.NA, "unrepaired"),
}


def _same(got: object, expected: object) -> bool:
    """Both missing, or equal."""
    if pd.isna(expected):
        return bool(pd.isna(got))
    return not pd.isna(got) and bool(got == expected)


def _long(series: dict[str, tuple[list[int], list[float]]], client: str = "client_id") -> Any:
    rows = [(c, s, y) for c, (ss, ys) in series.items() for s, y in zip(ss, ys, strict=True)]
    return pd.DataFrame(rows, columns=[client, "session", "wai"])


def _worked_frame() -> pd.DataFrame:
    return _long({name: (ss, ys) for name, (ss, ys, _) in WORKED.items()})


@pytest.mark.parametrize("k", [1.0, 2.0])
@pytest.mark.parametrize("name", list(WORKED))
def test_worked_examples(name: str, k: float) -> None:
    sessions, scores, sd = WORKED[name]
    found = am.detect_ruptures(_long({name: (sessions, scores)}), score="wai", k=k)
    assert len(found) == 1
    row = found.iloc[0]
    session, base_session, base, drop, repaired, repair_session, pattern = EXPECTED[name]
    assert (row["session"], row["baseline_session"]) == (session, base_session)
    assert_allclose([row["baseline_value"], row["drop"]], [base, drop], rtol=0, atol=1e-12)
    assert_allclose(row["unit_sd"], sd, rtol=0, atol=5e-7)  # SD given to 6 decimals
    assert_allclose(row["threshold"], k * row["unit_sd"], rtol=1e-15)
    assert _same(row["repaired"], repaired)
    assert _same(row["repair_session"], repair_session)
    assert row["pattern"] == pattern
    assert (row["sd_source"], row["k"], row["baseline"]) == ("client", k, "previous")


def test_worked_example_depth_and_knife_edges() -> None:
    found = am.detect_ruptures(_worked_frame(), score="wai")
    assert found["client_id"].tolist() == ["censored", "extended", "gap", "unrepaired"]
    assert found["depth"].tolist() == [9.0, 12.0, 11.0, 10.0]  # the rupture is the deepest
    # 10 ≥ 9.967805 (k = 2) is a rupture; 10 < 2.1 × 4.983903 = 10.466 is not.
    found = am.detect_ruptures(_worked_frame(), score="wai", k=2.1)
    assert "unrepaired" not in found["client_id"].tolist()


def test_summary_of_worked_examples() -> None:
    summary = am.rupture_summary(_worked_frame(), score="wai", k=(1, 2))
    assert summary["client_id"].tolist() == sorted(WORKED) * 2
    by_client = dict(zip(summary["client_id"], summary["course"], strict=False))
    assert by_client == {
        "censored": "censored",
        "extended": "repaired",
        "gap": "unrepaired",
        "unrepaired": "unrepaired",
    }
    assert summary["n_sessions"].tolist()[:4] == [6, 8, 6, 8]
    assert summary["k"].tolist() == [1.0] * 4 + [2.0] * 4


def test_v_pattern_ties_and_tolerance() -> None:
    df = _long({"v": ([1, 2, 3, 4, 5, 6], [50, 50, 50, 40, 50, 50])})
    found = am.detect_ruptures(df, score="wai", threshold_points=10)  # drop 10 ties 10: counts
    assert found[["session", "repair_session", "pattern"]].values.tolist() == [[4, 5, "V"]]
    assert found["sd_source"].tolist() == ["points"]
    assert math.isnan(found["k"].iloc[0])
    assert len(am.detect_ruptures(df, score="wai", threshold_points=10.01)) == 0
    df = _long({"t": ([1, 2, 3, 4, 5, 6], [50, 50, 50, 40, 49, 50])})
    strict = am.detect_ruptures(df, score="wai", threshold_points=10)
    loose = am.detect_ruptures(df, score="wai", threshold_points=10, repair_tolerance=1)
    assert (strict["pattern"].iloc[0], loose["pattern"].iloc[0]) == ("extended", "V")


def test_mean_baseline_in_floating_point_ties() -> None:
    # mean(0.1, 0.2, 0.3) is 0.20000000000000004 in floating point; 0.2 − 0.1 ≥ 0.1 must hold
    df = _long({"f": ([1, 2, 3, 4, 5, 6], [0.1, 0.2, 0.3, 0.1, 0.3, 0.3])})
    found = am.detect_ruptures(df, score="wai", baseline="mean_prev_k", threshold_points=0.1)
    assert found["session"].tolist() == [4]
    assert_allclose(found["baseline_value"], [0.2], rtol=1e-15)


def test_no_new_rupture_until_repaired_or_window_passed() -> None:
    # 40 at session 4 ruptures; 30 at 5 would be a rupture on its own but the episode is open.
    df = _long({"a": (list(range(1, 10)), [50, 50, 50, 40, 30, 50, 50, 40, 50])})
    found = am.detect_ruptures(df, score="wai", threshold_points=10)
    assert found[["session", "depth", "repair_session"]].values.tolist() == [
        [4, 20.0, 6],
        [8, 10.0, 9],
    ]
    # unrepaired: blocked to the end of the window (4 + 3 = 7); session 8 opens a new one
    df = _long({"b": (list(range(1, 10)), [50, 50, 50, 40, 40, 40, 40, 30, 30])})
    found = am.detect_ruptures(df, score="wai", threshold_points=10)
    assert found[["session", "pattern"]].values.tolist() == [[4, "unrepaired"], [8, "censored"]]


def test_gaps_and_min_sessions() -> None:
    df = _long({"g": ([1, 2, 5, 6, 7, 8], [50, 50, 30, 30, 30, 30])})  # two missing sessions
    assert len(am.detect_ruptures(df, score="wai", threshold_points=5)) == 0
    assert len(am.detect_ruptures(df, score="wai", threshold_points=5, max_gap=2)) == 1
    df = _long({"n": ([1, 2, 3, 4], [50, 50, np.nan, 30])})  # NaN score = missing session
    assert len(am.detect_ruptures(df, score="wai", threshold_points=5)) == 0
    assert len(am.detect_ruptures(df, score="wai", threshold_points=5, min_sessions=3)) == 1
    summary = am.rupture_summary(df, score="wai", threshold_points=5)
    assert summary[["n_sessions", "course"]].values.tolist() == [[3, "too_few_sessions"]]


def test_window_counts_sessions_not_rows() -> None:
    # repair at session 8 is 4 sessions after 4: outside a window of 3 (sessions 5–7 missing)
    df = _long({"w": ([1, 2, 3, 4, 8], [50, 50, 50, 40, 50])})
    found = am.detect_ruptures(df, score="wai", threshold_points=10)
    assert found[["repaired", "pattern"]].values.tolist() == [[False, "unrepaired"]]
    found = am.detect_ruptures(df, score="wai", threshold_points=10, repair_window=4)
    assert found[["repair_session", "pattern"]].values.tolist() == [[8, "V"]]


def test_sd_sources() -> None:
    df = _worked_frame()
    every = df["wai"].std(ddof=1)
    sample = am.detect_ruptures(df, score="wai", sd_source="sample")
    assert_allclose(sample["unit_sd"], every, rtol=1e-14)
    assert sample.attrs["alliance_metrics"]["sample_sd"] == pytest.approx(every, rel=1e-14)
    given = am.detect_ruptures(df, score="wai", sd_source="sample", sample_sd=3.0, k=1)
    assert set(given["threshold"]) == {3.0}
    stricter = am.detect_ruptures(df, score="wai", sd_source="stricter", sample_sd=5.0, k=1)
    assert_allclose(stricter["unit_sd"], [5.0, 5.153016, 5.0, 5.0], atol=5e-7)  # C, A, D, B
    loo = am.detect_ruptures(df, score="wai", sd_source="client_loo").set_index("client_id")
    # without session 4 (36) the SD of "extended" is much smaller
    expected = statistics.stdev([45, 47, 48, 37, 47, 48, 49])
    assert_allclose(loo.loc["extended", "unit_sd"], expected, rtol=1e-13)


def test_no_variation_means_no_threshold() -> None:
    # The mean of five 0.1s is not exactly 0.1 in floating point; the SD must still act as 0.
    df = _long({"c": ([1, 2, 3, 4, 5], [0.1] * 5), "d": ([1, 2, 3], [11, 11, 7])})
    found = am.detect_ruptures(df, score="wai", k=0.5, min_sessions=2)
    assert found["client_id"].tolist() == ["d"]  # 11 − 7 ≥ 0.5 × 2.31
    loo = am.detect_ruptures(df, score="wai", k=0.5, min_sessions=2, sd_source="client_loo")
    assert len(loo) == 0  # without session 3 the scores 11, 11 have SD 0


def test_empty_and_column_names() -> None:
    df = _long({"x": ([1], [3.0])}, client="dyad").iloc[:0]
    found = am.detect_ruptures(df, score="wai", client="dyad")
    assert list(found.columns)[:3] == ["dyad", "session", "baseline_session"]
    assert str(found["repaired"].dtype) == "boolean"
    assert str(found["repair_session"].dtype) == "Int64"
    summary = am.rupture_summary(df, score="wai", client="dyad")
    assert len(summary) == 0
    assert "course" in summary.columns


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"sd_source": "both"}, r"'sd_source' parameter of detect_ruptures must be one of"),
        ({"baseline": "mean"}, r"'baseline' parameter of detect_ruptures must be one of"),
        ({"k": 0}, r"'k' parameter of detect_ruptures must be a finite number greater than 0"),
        ({"k": True}, r"'k' parameter"),
        ({"k": ()}, r"non-empty sequence"),
        ({"k": (1, 1)}, r"do not repeat"),
        ({"threshold_points": -1}, r"'threshold_points' parameter"),
        ({"sample_sd": 3.0}, r"'sample_sd' parameter of detect_ruptures is used only"),
        ({"sd_source": "sample", "sample_sd": 0}, r"'sample_sd' parameter"),
        ({"baseline_k": 0}, r"'baseline_k' parameter .* at least 1"),
        ({"max_gap": -1}, r"'max_gap' parameter .* at least 0"),
        ({"max_gap": 1.0}, r"'max_gap' parameter"),
        ({"repair_window": 0}, r"'repair_window' parameter"),
        ({"repair_tolerance": -0.5}, r"'repair_tolerance' parameter .* at least 0"),
        ({"min_sessions": 1}, r"'min_sessions' parameter .* at least 2"),
    ],
)
def test_bad_options(options: dict[str, Any], match: str) -> None:
    with pytest.raises(am.InvalidParameterError, match=match):
        am.detect_ruptures(_worked_frame(), score="wai", **options)


def test_bad_data_and_client_named_like_an_output_column() -> None:
    df = _worked_frame()
    with pytest.raises(am.InputFormatError, match=r"row\(s\) 0, 1 "):
        am.detect_ruptures(df.assign(session=df["session"].where(df.index != 1, 1)), score="wai")
    with pytest.raises(am.InvalidParameterError, match="rupture_summary"):
        am.rupture_summary(df.rename(columns={"client_id": "course"}), score="wai", client="course")


# --- an independent oracle: the rule of SESSION-SERIES §3 written client by client ---------


def _oracle(sessions: list[int], scores: list[float], o: dict[str, Any], every_sd: float) -> list:
    pairs = sorted((s, y) for s, y in zip(sessions, scores, strict=True) if not math.isnan(y))
    ss, ys = [p[0] for p in pairs], [p[1] for p in pairs]
    if len(ys) < o["min_sessions"]:
        return []
    own = statistics.stdev(ys) if len(ys) > 1 else math.nan
    found, blocked_until = [], -math.inf
    for i in range(1, len(ys)):
        if ss[i] <= blocked_until or ss[i] - ss[i - 1] - 1 > o["max_gap"]:
            continue
        if o["baseline"] == "previous":
            base = ys[i - 1]
        else:
            base = statistics.fmean(ys[max(0, i - o["baseline_k"]) : i])
        unit = {
            "client": own,
            "client_loo": statistics.stdev(ys[:i] + ys[i + 1 :]) if len(ys) > 2 else math.nan,
            "sample": every_sd,
            "stricter": max(own, every_sd),
        }[o["sd_source"]]
        threshold = o["k"] * unit
        # the documented tie tolerance: a threshold within 1e-9 of 0 is no threshold
        if not threshold > 1e-9 or base - ys[i] < threshold - 1e-9:
            continue
        repair, depth = None, base - ys[i]
        for j in range(i + 1, len(ys)):
            if ss[j] - ss[i] > o["repair_window"]:
                break
            if ys[j] >= base - o["repair_tolerance"] - 1e-9:
                repair = j
                break
            depth = max(depth, base - ys[j])
        if repair is not None:
            state, pattern, blocked_until = True, "V" if repair == i + 1 else "extended", ss[repair]
        elif ss[-1] - ss[i] >= o["repair_window"]:
            state, pattern, blocked_until = False, "unrepaired", ss[i] + o["repair_window"]
        else:
            state, pattern, blocked_until = None, "censored", ss[i] + o["repair_window"]
        found.append((ss[i], base, ys[i], threshold, state, depth, pattern))
    return found


@st.composite
def _tables(draw: st.DrawFn) -> pd.DataFrame:
    rows = []
    integer = draw(st.booleans())
    for client in range(draw(st.integers(1, 6))):
        n = draw(st.integers(1, 12))
        sessions = sorted(draw(st.lists(st.integers(0, 16), min_size=n, max_size=n, unique=True)))
        for s in sessions:
            value = draw(st.integers(1, 12) if integer else st.floats(0, 10, width=32))
            missing = draw(st.integers(0, 9)) == 0
            rows.append((f"c{client}", s, math.nan if missing else float(value)))
    return pd.DataFrame(rows, columns=["client_id", "session", "wai"])


OPTIONS = st.fixed_dictionaries(
    {
        "k": st.sampled_from([0.5, 1.0, 2.0]),
        "sd_source": st.sampled_from(["client", "client_loo", "sample", "stricter"]),
        "baseline": st.sampled_from(["previous", "mean_prev_k"]),
        "baseline_k": st.integers(1, 4),
        "max_gap": st.integers(0, 2),
        "repair_window": st.integers(1, 4),
        "repair_tolerance": st.sampled_from([0.0, 1.0]),
        "min_sessions": st.integers(2, 5),
    }
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=_tables(), options=OPTIONS)
def test_matches_the_oracle(table: pd.DataFrame, options: dict[str, Any]) -> None:
    found = am.detect_ruptures(table, score="wai", **options)
    valid = table["wai"].dropna()
    every_sd = float(valid.std(ddof=1)) if len(valid) > 1 else math.nan
    expected = []
    for client, rows in table.groupby("client_id", sort=True):
        for entry in _oracle(rows["session"].tolist(), rows["wai"].tolist(), options, every_sd):
            expected.append((client, *entry))
    got = list(
        zip(
            found["client_id"], found["session"], found["baseline_value"], found["score"],
            found["threshold"], [None if pd.isna(v) else bool(v) for v in found["repaired"]],
            found["depth"], found["pattern"],
            strict=True,
        )
    )  # fmt: skip
    assert [(g[0], g[1], g[5], g[7]) for g in got] == [(e[0], e[1], e[5], e[7]) for e in expected]
    if expected:
        numbers = np.array([(g[2], g[3], g[4], g[6]) for g in got], dtype=float)
        oracle = np.array([(e[2], e[3], e[4], e[6]) for e in expected], dtype=float)
        assert_allclose(numbers, oracle, rtol=1e-9, atol=1e-9)
    summary = am.rupture_summary(table, score="wai", **options)
    assert summary["n_ruptures"].sum() == len(found)


@settings(max_examples=100, deadline=None)
@given(table=_tables(), options=OPTIONS, seed=st.integers(0, 2**32 - 1))
def test_row_order_and_other_clients_do_not_matter(
    table: pd.DataFrame, options: dict[str, Any], seed: int
) -> None:
    found = am.detect_ruptures(table, score="wai", **options)
    shuffled = table.sample(frac=1.0, random_state=np.random.default_rng(seed))
    pd.testing.assert_frame_equal(am.detect_ruptures(shuffled, score="wai", **options), found)
    if options["sd_source"] in ("sample", "stricter"):
        return  # the sample SD depends on every client, by definition
    for client, rows in table.groupby("client_id"):
        alone = am.detect_ruptures(rows, score="wai", **options)
        mine = found[found["client_id"] == client].reset_index(drop=True)
        pd.testing.assert_frame_equal(alone, mine, check_categorical=False)


@settings(max_examples=100, deadline=None)
@given(table=_tables(), options=OPTIONS)
def test_gaps_are_never_bridged_beyond_max_gap(
    table: pd.DataFrame, options: dict[str, Any]
) -> None:
    found = am.detect_ruptures(table, score="wai", **options)
    gap = found["session"] - found["baseline_session"] - 1
    assert (gap <= options["max_gap"]).all()
    valid = table.dropna(subset=["wai"])
    for row in found.itertuples():  # the baseline session is the previous valid one
        earlier = valid[(valid["client_id"] == row.client_id) & (valid["session"] < row.session)]
        assert earlier["session"].max() == row.baseline_session
