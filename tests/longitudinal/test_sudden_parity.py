"""Parity with R suddengains 0.7.2 on the golden files of tests/golden/series/.

The goldens (``reference_suddengains.R`` over ``series_long.csv``, described in that folder's
README.md) hold, for 22 configurations of ``identify_sg`` / ``identify_sl``, every criterion
and flag of every tested interval; the window statistics; ``create_bysg``'s events in both of
its reversal-scan modes; and ``select_cases(method = "pattern")``. Every flag, criterion and NA
must match exactly. Window means match to the bit where the platform's long double is R's
(x87 80-bit); pooled SDs within 1e-15 relative (R sums squares in long double, our fast path in
double; decisions within 1e-9 of the threshold are redone with R's arithmetic); critical values
agree with R's ``qt`` to an ulp (scipy and R differ by one ulp for some degrees of freedom).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import alliance_metrics as am

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "series"
R_LONG_DOUBLE = np.finfo(np.longdouble).nmant >= 63
EXACT = {"rtol": 0.0, "atol": 0.0} if R_LONG_DOUBLE else {"rtol": 1e-14, "atol": 0.0}


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(
        GOLDEN / name, na_values="NA", keep_default_na=False, dtype={"client_id": str}
    )


@pytest.fixture(scope="module")
def long() -> pd.DataFrame:
    return read("series_long.csv")


CONFIGS = read("sg_configs.csv") if (GOLDEN / "sg_configs.csv").exists() else pd.DataFrame()


def options(config: pd.Series) -> dict[str, object]:
    return {
        "direction": config["api_direction"],
        "cutoff": float(config["api_cutoff"]),
        "pct": None if pd.isna(config["api_pct"]) else float(config["api_pct"]),
        "stability": bool(config["api_stability"]),
        "alpha": float(config["api_alpha"]),
        "adjust": bool(config["api_adjust"]),
        "critical_value": float(config["api_critical_value"]),
        "compat": config["api_compat"],
    }


def as_r(values: pd.Series) -> np.ndarray:
    """Nullable booleans as R's 0/1/NA, in float (NaN = NA)."""
    return values.astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def assert_same_codes(ours: np.ndarray, theirs: np.ndarray, what: str) -> None:
    assert_array_equal(np.isnan(ours), np.isnan(theirs), err_msg=f"{what}: NA pattern")
    assert_array_equal(ours[~np.isnan(ours)], theirs[~np.isnan(theirs)], err_msg=what)


@pytest.mark.parametrize("config_id", CONFIGS.get("config_id", pd.Series(dtype=str)).tolist())
def test_every_interval_matches_identify(long: pd.DataFrame, config_id: str) -> None:
    config = CONFIGS.set_index("config_id").loc[config_id]
    golden = read("sg_intervals.csv").query("config_id == @config_id")
    ours = am.sudden_changes(long, score="score", **options(config))
    assert_array_equal(ours["client_id"], golden["client_id"])
    assert_array_equal(ours["pre_session"], golden["pre_session"])
    assert_array_equal(ours["post_session"], golden["post_session"])
    for mine, theirs in (
        ("crit_cutoff", "crit1"),
        ("crit_pct", "crit2"),
        ("crit_stability", "crit3"),
        ("sudden", "flag"),
    ):
        assert_same_codes(as_r(ours[mine]), golden[theirs].to_numpy(float), f"{config_id} {mine}")


def test_window_statistics_match(long: pd.DataFrame) -> None:
    golden = read("sg_interval_stats.csv")
    for alpha, column in ((0.05, "t_crit_05"), (0.01, "t_crit_01")):
        ours = am.sudden_changes(long, score="score", cutoff=7, alpha=alpha)
        assert_array_equal(ours["client_id"], golden["client_id"])
        assert_array_equal(ours["pre_session"], golden["pre_session"])
        assert_array_equal(ours["n_pre"], golden["n_pre"])
        assert_array_equal(ours["n_post"], golden["n_post"])
        for name in ("pre_value", "post_value", "mean_pre", "mean_post"):
            assert_allclose(ours[name], golden[name], equal_nan=True, err_msg=name, **EXACT)
        # float64 sums of squares (R sums them in long double): within an ulp or two
        assert_allclose(ours["pooled_sd"], golden["pooled_sd"], rtol=1e-15, equal_nan=True)
        assert_allclose(ours["t_crit"], golden[column], rtol=5e-16, equal_nan=True)


@pytest.mark.parametrize("scan", ["from_n2", "from_n3"])
def test_events_match_create_bysg(long: pd.DataFrame, scan: str) -> None:
    events = read("sg_events.csv").query("scan == @scan")
    checked = 0
    for config_id, golden in events.groupby("config_id", sort=False):
        config = CONFIGS.set_index("config_id").loc[config_id]
        reversal_from = 2 if scan == "from_n2" else 3
        ours = am.sudden_change_events(
            long, score="score", reversal_from=reversal_from, **options(config)
        )
        assert_array_equal(ours["client_id"], golden["client_id"], err_msg=str(config_id))
        assert_array_equal(ours["pre_session"], golden["pre_session"])
        assert_array_equal(ours["client_events"], golden["sg_freq_byperson"])
        for mine, theirs in zip(
            ("x_n_pre2", "x_n_pre1", "x_n", "x_n_post1", "x_n_post2", "x_n_post3"),
            ("sg_wai_2n", "sg_wai_1n", "sg_wai_n", "sg_wai_n1", "sg_wai_n2", "sg_wai_n3"),
            strict=True,
        ):
            assert_allclose(ours[mine], golden[theirs], equal_nan=True, **EXACT)
        # suddengains' magnitude is x_n − x_{n+1} for gains and losses alike
        sign = 1.0 if config["api_direction"] == "decrease" else -1.0
        assert_allclose(sign * ours["magnitude"], golden["sg_magnitude"], **EXACT)
        assert_allclose(ours["reversal_value"], golden["sg_reversal_value"], **EXACT)
        assert_array_equal(ours["reversal"].to_numpy(bool), golden["sg_reversal"] == 1)
        checked += len(golden)
    assert checked > 100


def test_configs_without_events_give_none(long: pd.DataFrame) -> None:
    with_events = set(read("sg_events.csv")["config_id"])
    for _, config in CONFIGS.iterrows():
        if config["api_stability"] and config["config_id"] not in with_events:
            assert len(am.sudden_change_events(long, score="score", **options(config))) == 0


def test_case_selection_matches_select_cases(long: pd.DataFrame) -> None:
    golden = read("sg_select_cases.csv")
    ours = am.sudden_change_cases(long, score="score")
    assert_array_equal(ours["client_id"], golden["client_id"])
    assert_array_equal(ours["selected"], golden["sg_select"] == 1)
