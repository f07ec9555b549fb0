"""Decomposition and trajectory features (SESSION-SERIES §5): the worked example, scipy and
hand-written oracles, hypothesis properties and argument checks."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import stats

import alliance_metrics as am


def _example() -> pd.DataFrame:
    return pd.DataFrame({"client_id": "A", "session": [1, 2, 3, 4], "wai": [4.0, 4.5, 3.5, 5.0]})


def test_worked_example_decomposition() -> None:
    out = am.decompose(_example(), score="wai", detrend=True)
    assert_allclose(out["person_mean"], 4.25, rtol=0, atol=1e-15)
    assert_allclose(out["within"], [-0.25, 0.25, -0.75, 0.75], rtol=0, atol=1e-15)
    assert_allclose(out["detrended"], [0.05, 0.35, -0.85, 0.45], rtol=0, atol=1e-12)
    assert_allclose(out["trend"], [3.95, 4.15, 4.35, 4.55], rtol=0, atol=1e-12)
    assert_allclose(out["person_mean_centered"], 0.0, atol=1e-15)  # one client
    assert_allclose(out["lag1"], [np.nan, 4.0, 4.5, 3.5])
    assert_allclose(out["diff1"], [np.nan, 0.5, -1.0, 1.5], atol=1e-15)
    assert out["lag1_gap"].tolist() == [pd.NA, 0, 0, 0]
    assert out["n_sessions"].tolist() == [4] * 4


def test_worked_example_features() -> None:
    row = am.trajectory_features(_example(), score="wai").iloc[0]
    assert_allclose([row["slope"], row["intercept"]], [0.2, 3.75], rtol=1e-13)
    fit = stats.linregress([1, 2, 3, 4], [4.0, 4.5, 3.5, 5.0])
    assert_allclose([row["slope_se"], row["r_squared"]], [fit.stderr, fit.rvalue**2], rtol=1e-12)
    assert (row["first_session"], row["last_session"], row["n_sessions"]) == (1, 4, 4)
    assert_allclose(
        [row["change"], row["early_score"], row["mean"], row["min"], row["max"]],
        [1.0, 3.5, 4.25, 3.5, 5.0],
    )
    assert_allclose(row["within_sd"], statistics.stdev([4.0, 4.5, 3.5, 5.0]), rtol=1e-15)


def test_missing_sessions_gaps_and_clients_without_scores() -> None:
    df = pd.DataFrame(
        {
            "client_id": ["B", "B", "B", "C", "A", "A"],
            "session": [4, 1, 3, 1, 2, 1],
            "wai": [4.0, 3.0, np.nan, np.nan, 2.0, 1.0],
        }
    )
    out = am.decompose(df, score="wai")
    assert out["lag1_gap"].tolist() == [2, pd.NA, 1, pd.NA, 0, pd.NA]
    assert_allclose(out["lag1"], [3.0, np.nan, 3.0, np.nan, 1.0, np.nan])
    assert_allclose(out["within"], [0.5, -0.5, np.nan, np.nan, 0.5, -0.5])
    assert_allclose(out["person_mean_centered"], [1, 1, 1, np.nan, -1, -1])  # means 3.5, 1.5
    features = am.trajectory_features(df, score="wai", early_session=1)
    assert features["client_id"].tolist() == ["A", "B", "C"]
    assert features["n_sessions"].tolist() == [2, 2, 0]
    assert features["first_session"].tolist() == [1, 1, pd.NA]
    assert_allclose(features["early_score"], [1.0, 3.0, np.nan])
    assert features["slope"].isna().all()  # fewer than 3 valid scores


def test_constant_series_has_no_r_squared() -> None:
    df = pd.DataFrame({"client_id": "A", "session": [1, 2, 3], "wai": [4.0, 4.0, 4.0]})
    row = am.trajectory_features(df, score="wai").iloc[0]
    assert (row["slope"], row["slope_se"]) == (0.0, 0.0)
    assert math.isnan(row["r_squared"])


def test_input_is_kept_and_output_columns_do_not_clash() -> None:
    df = _example().assign(note=list("wxyz")).set_axis([7, 3, 5, 1])
    out = am.decompose(df.iloc[::-1], score="wai")
    assert out.index.tolist() == [1, 5, 3, 7]
    assert out["note"].tolist() == list("zyxw")
    assert_allclose(out["within"], [0.75, -0.75, 0.25, -0.25])
    with pytest.raises(am.InputFormatError, match="'within'"):
        am.decompose(df.assign(within=1), score="wai")
    with pytest.raises(am.InvalidParameterError, match="trajectory_features names a column"):
        am.trajectory_features(
            df.rename(columns={"client_id": "slope"}), score="wai", client="slope"
        )


def test_empty_input() -> None:
    empty = _example().iloc[:0]
    assert len(am.decompose(empty, score="wai", detrend=True)) == 0
    features = am.trajectory_features(empty, score="wai")
    assert len(features) == 0
    assert str(features["first_session"].dtype) == "Int64"


@pytest.mark.parametrize(
    ("func", "options", "match"),
    [
        (am.decompose, {"detrend": "yes"}, r"'detrend' parameter of decompose must be True or"),
        (am.trajectory_features, {"early_session": 2.5}, r"'early_session' parameter of traj"),
        (am.trajectory_features, {"early_session": -1}, r"'early_session' parameter"),
    ],
)
def test_bad_options(func: object, options: dict[str, object], match: str) -> None:
    with pytest.raises(am.InvalidParameterError, match=match):
        func(_example(), score="wai", **options)  # type: ignore[operator]


@st.composite
def _tables(draw: st.DrawFn) -> pd.DataFrame:
    rows = []
    for client in range(draw(st.integers(1, 5))):
        sessions = draw(st.lists(st.integers(0, 15), min_size=1, max_size=10, unique=True))
        for s in sessions:
            missing = draw(st.integers(0, 5)) == 0
            value = draw(st.floats(1, 7, allow_nan=False))
            rows.append((f"c{client}", s, math.nan if missing else value))
    return pd.DataFrame(rows, columns=["client_id", "session", "wai"])


@settings(max_examples=150, deadline=None)
@given(table=_tables())
def test_against_per_client_oracles(table: pd.DataFrame) -> None:
    out = am.decompose(table, score="wai", detrend=True)
    features = am.trajectory_features(table, score="wai").set_index("client_id")
    means = {}
    for client, rows in table.groupby("client_id"):
        valid = rows.dropna(subset=["wai"]).sort_values("session")
        means[client] = valid["wai"].mean() if len(valid) else np.nan
        feature = features.loc[client]
        assert feature["n_sessions"] == len(valid)
        if len(valid) >= 3:
            fit = stats.linregress(valid["session"], valid["wai"])
            assert_allclose(feature["slope"], fit.slope, rtol=1e-9, atol=1e-12)
            assert_allclose(feature["intercept"], fit.intercept, rtol=1e-9, atol=1e-9)
            if valid["wai"].nunique() > 1:  # scipy gives NaN for a perfect constant fit
                assert_allclose(feature["slope_se"], fit.stderr, rtol=1e-7, atol=1e-12)
                assert_allclose(feature["r_squared"], fit.rvalue**2, rtol=1e-7, atol=1e-12)
            fitted = fit.intercept + fit.slope * rows["session"]
            assert_allclose(out.loc[rows.index, "trend"], fitted, rtol=1e-9, atol=1e-9)
        for index, row in rows.iterrows():
            earlier = valid[valid["session"] < row["session"]]
            lag = earlier["wai"].iloc[-1] if len(earlier) else np.nan
            assert_allclose(out.loc[index, "lag1"], lag)
            if len(earlier):
                expected_gap = row["session"] - earlier["session"].iloc[-1] - 1
                assert out.loc[index, "lag1_gap"] == expected_gap
    grand = np.nanmean(list(means.values())) if any(np.isfinite(list(means.values()))) else 0
    expected = table["client_id"].map(means)
    assert_allclose(out["person_mean"], expected, rtol=1e-12)
    assert_allclose(out["within"], table["wai"] - expected, rtol=1e-12, atol=1e-12)
    assert_allclose(out["person_mean_centered"], expected - grand, rtol=1e-9, atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(table=_tables(), seed=st.integers(0, 2**32 - 1))
def test_row_order_and_other_clients_do_not_matter(table: pd.DataFrame, seed: int) -> None:
    out = am.decompose(table, score="wai", detrend=True)
    shuffled = table.sample(frac=1.0, random_state=np.random.default_rng(seed))
    again = am.decompose(shuffled, score="wai", detrend=True)
    pd.testing.assert_frame_equal(again.loc[out.index], out)
    features = am.trajectory_features(table, score="wai")
    for client, rows in table.groupby("client_id"):
        alone = am.decompose(rows, score="wai", detrend=True)
        own = out.loc[rows.index].drop(columns="person_mean_centered")
        pd.testing.assert_frame_equal(alone.drop(columns="person_mean_centered"), own)
        mine = features[features["client_id"] == client].reset_index(drop=True)
        pd.testing.assert_frame_equal(am.trajectory_features(rows, score="wai"), mine)
