"""Golden parity of reliability statistics and ICCs with R psych 2.2.9.

Inputs and outputs are in tests/golden (see README.md there; reference.R wrote the pairwise
files, reference_psychometrics.R the listwise, ICC-variant and Heywood files). The item files
store reversed items reversed, as on the paper form, so these tests also prove that the library
reverses them once, from the instrument's key, before alpha, omega and the item statistics.

Tolerances are relative (``rtol``) unless stated, and are what the implementation achieves with a
margin: alpha-family and ICC statistics agree to about 1e-15; omega to psych's own optimiser
tolerance (about 1e-8, the Heywood case about 1e-3).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from alliance_metrics.interrater import icc
from alliance_metrics.psychometrics import item_statistics, omega_total, reliability_report
from alliance_metrics.scoring import kernel

GOLDEN = Path(__file__).parent / "golden"
ALPHA_RTOL = 1e-12  # alpha, std_alpha, average_r, Feldt bounds, r_drop, alpha_if_deleted, item sd
OMEGA_ATOL = 1e-6  # absolute; psych's L-BFGS-B stops within ~1e-8 of the minres optimum
ICC_RTOL = 1e-12  # ICC, F, confidence bounds
PVAL_RTOL = 1e-10  # p-values down to 1e-43 (scipy's and R's F tail algorithms differ slightly)
INSTRUMENTS = [("wai-s", "wai_s"), ("wai-c", "wai_c")]
POLICIES = [("pairwise", ""), ("listwise", "_listwise")]


@pytest.fixture(autouse=True)
def _fresh_provisional_warnings() -> Iterator[None]:
    kernel._warned.clear()
    yield
    kernel._warned.clear()


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(GOLDEN / name, na_values=["NA"])


def run(
    function: Callable[..., pd.DataFrame], inst: str, stem: str, **kwargs: object
) -> pd.DataFrame:
    items = read(f"{stem}_items.csv")
    return function(items, inst, **kwargs)


@pytest.mark.parametrize(("policy", "suffix"), POLICIES)
@pytest.mark.parametrize(("inst", "stem"), INSTRUMENTS)
def test_alpha_and_feldt_interval(inst: str, stem: str, policy: str, suffix: str) -> None:
    report = run(reliability_report, inst, stem, nan_policy=policy).set_index("scale")
    golden = read(f"{stem}_alpha{suffix}.csv").set_index("scale")
    assert list(report.index) == list(golden.index) == ["task", "bond", "goal", "total"]
    assert report["n"].tolist() == golden["n_obs"].tolist()  # nrow(x), or complete rows
    assert report["n_items"].tolist() == golden["n_items"].tolist()
    for ours, theirs in [
        ("alpha", "raw_alpha"),
        ("std_alpha", "std.alpha"),
        ("average_r", "average_r"),
        ("alpha_ci_lower", "feldt_lower"),
        ("alpha_ci_upper", "feldt_upper"),
    ]:
        assert_allclose(report[ours], golden[theirs], rtol=ALPHA_RTOL, atol=0, err_msg=ours)


@pytest.mark.parametrize(("policy", "suffix"), POLICIES)
@pytest.mark.parametrize(("inst", "stem"), INSTRUMENTS)
def test_omega_total(inst: str, stem: str, policy: str, suffix: str) -> None:
    report = run(reliability_report, inst, stem, nan_policy=policy).set_index("scale")
    golden = read(f"{stem}_omega{suffix}.csv").set_index("scale")
    assert_allclose(report["omega_total"], golden["omega_tot"], rtol=0, atol=OMEGA_ATOL)


@pytest.mark.parametrize(("policy", "suffix"), POLICIES)
def test_item_statistics_wai_s(policy: str, suffix: str) -> None:
    table = run(item_statistics, "wai-s", "wai_s", nan_policy=policy)
    golden = read(f"wai_s_alpha_drop{suffix}.csv")
    merged = golden.merge(table, on=["scale", "item"], how="left", validate="one_to_one")
    assert len(merged) == len(table) == 24
    assert_allclose(merged["r_drop"], merged["r.drop"], rtol=ALPHA_RTOL, atol=0)
    assert_allclose(merged["alpha_if_deleted"], merged["raw_alpha"], rtol=ALPHA_RTOL, atol=0)
    assert_allclose(merged["mean_x"], merged["mean_y"], rtol=1e-14, atol=0)
    assert_allclose(merged["sd_x"], merged["sd_y"], rtol=ALPHA_RTOL, atol=0)
    assert (merged["n_x"] == merged["n_y"]).all()
    assert not merged["keying_flag"].any()


@pytest.mark.parametrize(("policy", "suffix"), POLICIES)
def test_item_statistics_wai_c(policy: str, suffix: str) -> None:
    table = run(item_statistics, "wai-c", "wai_c", nan_policy=policy)
    golden = read(f"wai_c_alpha_drop{suffix}.csv")
    merged = golden.merge(table, on=["scale", "item"], how="left", validate="one_to_one")
    assert len(merged) == len(table) == 72
    assert_allclose(merged["r_drop"], merged["r.drop"], rtol=ALPHA_RTOL, atol=0)
    assert_allclose(merged["alpha_if_deleted"], merged["raw_alpha"], rtol=ALPHA_RTOL, atol=0)
    assert_allclose(merged["mean_x"], merged["mean_y"], rtol=1e-14, atol=0)
    assert_allclose(merged["sd_x"], merged["sd_y"], rtol=ALPHA_RTOL, atol=0)
    assert (merged["n_x"] == merged["n_y"]).all()
    # the reversed items are keyed: stored reversed, every one still loads positively
    assert merged.loc[merged["reversed"], "r_drop"].min() > 0.5


def test_omega_heywood_case() -> None:
    corr = read("omega_heywood_cor.csv").to_numpy()
    rng = np.random.default_rng(11)
    z = rng.normal(size=(60, 4))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False)).T)
    x = z @ np.linalg.cholesky(corr).T  # sample correlation matrix exactly `corr`
    expected = read("omega_heywood.csv").loc[0, "omega_tot"]
    assert omega_total(x) == pytest.approx(expected, abs=1e-3)  # achieved: 2.8e-4


@pytest.mark.parametrize(
    ("golden_file", "kwargs", "raters"),
    [
        ("icc_aov.csv", {}, 4),
        ("icc_aov_ci90.csv", {"ci": 0.90}, 4),
        ("icc_aov_3raters.csv", {}, 3),
    ],
)
def test_icc_matches_psych_anova(golden_file: str, kwargs: dict[str, float], raters: int) -> None:
    data = read("icc_ratings.csv").iloc[:, :raters]
    golden = read(golden_file)
    wide = icc(data, **kwargs)  # type: ignore[arg-type]
    long = data.rename_axis("target").reset_index().melt("target", var_name="rater")
    pd.testing.assert_frame_equal(
        icc(long, targets="target", raters="rater", ratings="value", **kwargs),  # type: ignore[arg-type]
        wide,
        rtol=1e-13,
    )
    assert wide["type"].tolist() == golden["type"].tolist()
    for ours, theirs in [
        ("icc", "ICC"),
        ("f", "F"),
        ("ci_lower", "lower_bound"),
        ("ci_upper", "upper_bound"),
    ]:
        assert_allclose(wide[ours], golden[theirs], rtol=ICC_RTOL, atol=0, err_msg=ours)
    assert_allclose(wide["pval"], golden["p"], rtol=PVAL_RTOL, atol=0)
    assert wide["df1"].tolist() == golden["df1"].tolist()
    assert wide["df2"].tolist() == golden["df2"].tolist()


def test_icc_close_to_psych_lmer_default() -> None:
    """psych's default (lmer = TRUE) rebuilds the mean squares from REML: agreement ~1e-6."""
    golden = read("icc.csv")
    ours = icc(read("icc_ratings.csv"))
    assert_allclose(ours["icc"], golden["ICC"], rtol=1e-5)
    assert_allclose(ours["ci_lower"], golden["lower_bound"], rtol=1e-5)
    assert_allclose(ours["ci_upper"], golden["upper_bound"], rtol=1e-5)
