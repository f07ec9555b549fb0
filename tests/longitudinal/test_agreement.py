"""Client–therapist agreement (SESSION-SERIES §6): difference scores checked by hand and with
scipy, the response-surface check vector, and SEs checked against statsmodels OLS."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import stats

import alliance_metrics as am
from alliance_metrics.longitudinal.agreement import surface_parameters


def _dyads() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "client_id": ["B", "A", "A", "A", "A", "B", "C"],
            "session": [2, 3, 1, 2, 4, 1, 1],
            "wai_c": [4.0, 4.0, 5.0, 4.5, 4.8, np.nan, 3.0],
            "wai_t": [3.5, 3.0, 4.0, 4.0, 4.2, 3.0, 3.0],
        }
    )


def test_per_session_and_per_dyad_by_hand() -> None:
    out = am.dyad_agreement(_dyads(), client_score="wai_c", therapist_score="wai_t")
    s = out.per_session
    assert s["client_id"].tolist() == ["A"] * 4 + ["B", "B", "C"]
    assert s["session"].tolist() == [1, 2, 3, 4, 1, 2, 1]
    assert_allclose(s["difference"], [1.0, 0.5, 1.0, 0.6, np.nan, 0.5, 0.0], atol=1e-15)
    assert_allclose(s["sq_difference"], [1.0, 0.25, 1.0, 0.36, np.nan, 0.25, 0.0], atol=1e-15)
    d = out.per_dyad.set_index("client_id")
    assert d["n_sessions"].tolist() == [4, 1, 1]
    assert_allclose(d.loc["A", ["mean_client", "mean_therapist"]], [4.575, 3.8])
    assert_allclose(d.loc["A", "mean_difference"], 0.775, atol=1e-15)
    assert_allclose(d.loc["A", "sd_difference"], np.std([1.0, 0.5, 1.0, 0.6], ddof=1), rtol=1e-14)
    assert_allclose(d.loc["A", "mean_abs_difference"], 0.775, atol=1e-15)
    assert_allclose(d.loc["A", "mean_sq_difference"], (1 + 0.25 + 1 + 0.36) / 4, atol=1e-15)
    r = stats.pearsonr([5.0, 4.5, 4.0, 4.8], [4.0, 4.0, 3.0, 4.2]).statistic
    assert_allclose(d.loc["A", "correlation"], r, rtol=1e-13)
    assert math.isnan(d.loc["B", "correlation"])  # one complete session
    assert math.isnan(d.loc["B", "sd_difference"])


def test_dyad_errors() -> None:
    df = _dyads()
    with pytest.raises(am.InvalidParameterError, match="'therapist_score' parameter of dyad_ag"):
        am.dyad_agreement(df, client_score="wai_c", therapist_score="wai_c")
    with pytest.raises(am.InvalidParameterError, match="'therapist_score' parameter"):
        am.dyad_agreement(df, client_score="wai_c", therapist_score="nope")
    with pytest.raises(am.InputFormatError, match=r"row\(s\) 2 "):
        am.dyad_agreement(
            df.assign(wai_t=df["wai_t"].astype(object).where(df.index != 2, "high")),
            client_score="wai_c",
            therapist_score="wai_t",
        )
    empty = am.dyad_agreement(df.iloc[:0], client_score="wai_c", therapist_score="wai_t")
    assert (len(empty.per_session), len(empty.per_dyad)) == (0, 0)


@st.composite
def _ratings(draw: st.DrawFn) -> pd.DataFrame:
    rows = []
    for dyad in range(draw(st.integers(1, 4))):
        for s in draw(st.lists(st.integers(1, 10), min_size=1, max_size=6, unique=True)):
            pair = [draw(st.one_of(st.none(), st.floats(1, 7))) for _ in range(2)]
            rows.append((f"d{dyad}", s, *(np.nan if v is None else v for v in pair)))
    return pd.DataFrame(rows, columns=["client_id", "session", "wai_c", "wai_t"])


@settings(max_examples=100, deadline=None)
@given(table=_ratings(), seed=st.integers(0, 2**32 - 1))
def test_dyads_match_pandas_and_ignore_row_order(table: pd.DataFrame, seed: int) -> None:
    out = am.dyad_agreement(table, client_score="wai_c", therapist_score="wai_t")
    shuffled = table.sample(frac=1.0, random_state=np.random.default_rng(seed))
    again = am.dyad_agreement(shuffled, client_score="wai_c", therapist_score="wai_t")
    pd.testing.assert_frame_equal(again.per_session, out.per_session)
    pd.testing.assert_frame_equal(again.per_dyad, out.per_dyad)
    complete = table.dropna()
    grouped = complete.assign(d=complete["wai_c"] - complete["wai_t"]).groupby("client_id")
    dyads = out.per_dyad.set_index("client_id")
    assert (dyads["n_sessions"] == grouped.size().reindex(dyads.index, fill_value=0)).all()
    means = grouped["d"].mean().reindex(dyads.index)
    assert_allclose(dyads["mean_difference"], means, rtol=1e-9, atol=1e-12)


# --- response surfaces --------------------------------------------------------------------


def test_check_vector() -> None:
    b = [-0.23, 0.77, -0.07, 0.27, -0.10]  # SESSION-SERIES §6
    expected = [0.54, 0.10, -1.00, -0.44, 0.03]
    assert_allclose(surface_parameters(b)["estimate"], expected, atol=1e-12)
    assert_allclose(surface_parameters([9.0, *b])["estimate"], expected, atol=1e-12)
    assert surface_parameters(b)["se"].isna().all()


def _surface_data(n: int = 150, seed: int = 8) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x, y = rng.normal(4.2, 0.7, n), rng.normal(3.9, 0.6, n)
    z = 2 + 0.4 * x + 0.2 * y - 0.3 * (x - y) ** 2 + rng.normal(0, 0.5, n)
    df = pd.DataFrame({"outcome": z, "wai_c": x, "wai_t": y})
    df.loc[[3, 17], "wai_t"] = np.nan  # incomplete rows are left out
    return df


@pytest.mark.parametrize("center", ["none", "pooled", 4.0])
def test_estimates_and_ses_match_statsmodels_ols(center: Any) -> None:
    df = _surface_data()
    fit = am.response_surface(
        df, outcome="outcome", client_score="wai_c", therapist_score="wai_t", center=center
    )
    complete = df.dropna()
    shift = {"none": 0.0, "pooled": np.r_[complete["wai_c"], complete["wai_t"]].mean()}.get(
        center, center
    )
    x, y = complete["wai_c"] - shift, complete["wai_t"] - shift
    design = sm.add_constant(np.column_stack([x, y, x * x, x * y, y * y]))
    ols = sm.OLS(complete["outcome"].to_numpy(), design).fit()
    assert (fit.n, fit.residual_df, fit.center) == (148, 142, pytest.approx(shift))
    assert_allclose(fit.coefficients["estimate"], ols.params, rtol=1e-9, atol=1e-12)
    assert_allclose(fit.coefficients["se"], ols.bse, rtol=1e-9)
    assert_allclose(fit.coefficients["p"], ols.pvalues, rtol=1e-7, atol=1e-300)
    assert_allclose([fit.r_squared, fit.residual_variance], [ols.rsquared, ols.scale], rtol=1e-10)
    contrasts = np.array(
        [
            [0, 1, 1, 0, 0, 0],
            [0, 0, 0, 1, 1, 1],
            [0, 1, -1, 0, 0, 0],
            [0, 0, 0, 1, -1, 1],
            [0, 0, 0, 1, 0, -1],
        ]
    )
    test = ols.t_test(contrasts)
    assert_allclose(fit.surface["estimate"], test.effect, rtol=1e-9, atol=1e-12)
    assert_allclose(fit.surface["se"], np.ravel(test.sd), rtol=1e-9)
    assert_allclose(fit.surface["t"], np.ravel(test.tvalue), rtol=1e-8, atol=1e-10)
    assert_allclose(fit.surface["p"], np.ravel(test.pvalue), rtol=1e-7, atol=1e-300)


def test_centering_moves_slopes_not_curvatures() -> None:
    df = _surface_data()
    kwargs = {"outcome": "outcome", "client_score": "wai_c", "therapist_score": "wai_t"}
    raw = am.response_surface(df, **kwargs)
    centred = am.response_surface(df, **kwargs, center="pooled")
    curvature = ["a2", "a4", "a5"]
    assert_allclose(centred.surface.loc[curvature], raw.surface.loc[curvature], rtol=1e-8)
    assert_allclose(centred.r_squared, raw.r_squared, rtol=1e-12)
    assert not np.allclose(centred.surface.loc["a1", "estimate"], raw.surface.loc["a1", "estimate"])


def test_response_surface_errors() -> None:
    df = _surface_data()
    kwargs = {"outcome": "outcome", "client_score": "wai_c", "therapist_score": "wai_t"}
    with pytest.raises(am.InputFormatError, match="at least 7 rows"):
        am.response_surface(df.iloc[:7], **kwargs)  # row 3 is incomplete: 6 rows
    with pytest.raises(am.InputFormatError, match="collinear"):
        am.response_surface(df.assign(wai_t=df["wai_c"]), **kwargs)
    with pytest.raises(am.InvalidParameterError, match="'center' parameter of response_surface"):
        am.response_surface(df, **kwargs, center="variablewise")
    with pytest.raises(am.InvalidParameterError, match="'center' parameter"):
        am.response_surface(df, **kwargs, center=math.nan)
    with pytest.raises(am.InvalidParameterError, match="three different columns"):
        am.response_surface(df, outcome="wai_c", client_score="wai_c", therapist_score="wai_t")
