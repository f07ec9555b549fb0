"""Golden parity of reliability statistics and ICCs with R psych 2.2.9.

Inputs and outputs are in tests/golden (see README.md there; reference.R wrote the pairwise
files, reference_psychometrics.R the listwise, ICC-variant and Heywood files). The item files
store reversed items reversed, as on the paper form, so these tests also prove that the library
reverses them once, from the instrument's key, before alpha, omega and the item statistics.

Tolerances are relative (``rtol``) unless stated, and are what the implementation achieves with a
margin: alpha-family and ICC statistics agree to about 1e-15; omega to psych's own optimiser
tolerance (up to 5e-8 on these scales, 1.2e-6 on the sweep of golden/edges; the Heywood case
3e-4). The tests at the end recompute every figure of the parity table in docs/psychometrics.md.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import alliance_metrics as am
from alliance_metrics.factor import omega_from_correlation
from alliance_metrics.interrater import icc
from alliance_metrics.psychometrics import item_statistics, omega_total, reliability_report
from alliance_metrics.scoring import kernel

GOLDEN = Path(__file__).parent / "golden"
ALPHA_RTOL = 1e-12  # alpha, std_alpha, average_r, Feldt bounds, r_drop, alpha_if_deleted, item sd
OMEGA_ATOL = 1e-6  # absolute; psych stops up to ~1e-6 short of the minres optimum
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


def test_icc_where_psych_lmer_truncates_a_negative_rater_variance() -> None:
    """With every rater's mean equal (MSJ = 0 < MSE) lme4 fixes the rater variance at zero and
    psych uses MSW for MSE and MSJ: its ICC3 is then our ICC1, its F our MSB/MSW (to lme4's
    tolerance). The exact ANOVA (lmer = FALSE) is what we match to 1e-12."""
    centred = pd.read_csv(GOLDEN / "edges" / "icc_centred_ratings.csv")
    ours = icc(centred).set_index("type")
    lmer = pd.read_csv(GOLDEN / "edges" / "icc_centred.csv").set_index("type")
    exact = pd.read_csv(GOLDEN / "edges" / "icc_centred_aov.csv").set_index("type")
    assert_allclose(ours["icc"], exact["ICC"], rtol=ICC_RTOL)
    assert_allclose(ours["f"], exact["F"], rtol=ICC_RTOL)
    assert_allclose(lmer.loc["ICC3", "ICC"], ours.loc["ICC1", "icc"], rtol=1e-5)  # lme4: ~1e-6
    assert_allclose(lmer.loc["ICC3", "F"], ours.loc["ICC1", "f"], rtol=1e-5)
    assert abs(lmer.loc["ICC3", "ICC"] - ours.loc["ICC3", "icc"]) > 1e-3  # a real difference


def test_icc_close_to_psych_lmer_default() -> None:
    """psych's default (lmer = TRUE) rebuilds the mean squares from REML: agreement ~1e-6
    when the rater variance is positive, as in these ratings."""
    golden = read("icc.csv")
    ours = icc(read("icc_ratings.csv"))
    assert_allclose(ours["icc"], golden["ICC"], rtol=1e-5)
    assert_allclose(ours["ci_lower"], golden["lower_bound"], rtol=1e-5)
    assert_allclose(ours["ci_upper"], golden["upper_bound"], rtol=1e-5)


# --------------------------------------------------------------------------- documented parity
# Every row of the parity table of docs/psychometrics.md is recomputed here from the golden
# files: the documented figure must bound what is measured, and be tight (within TIGHT), so the
# docs cannot drift from the code or from the goldens.

DOC = Path(__file__).resolve().parents[1] / "docs" / "psychometrics.md"
EDGES = GOLDEN / "edges"
TIGHT = 2.0
_CLAIM = re.compile(r"^\| (?P<label>[^|]+?) \| (?P<value>\d[\d.]*(?:e-?\d+)?) (absolute|relative)")


def documented_claims() -> dict[str, float]:
    """Label → figure of each row of the table under "## Parity with R `psych`"."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Parity with R `psych`", 1)[1].split("\n## ", 1)[0]
    return {
        m["label"]: float(m["value"])
        for line in section.splitlines()
        if (m := _CLAIM.match(line)) is not None
    }


def _relative(ours: object, theirs: object) -> float:
    a, b = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
    return float(np.nanmax(np.abs(a / b - 1.0)))


def _absolute(ours: object, theirs: object) -> float:
    a, b = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
    return float(np.nanmax(np.abs(a - b)))


def _quiet(function: Callable[..., pd.DataFrame], *args: object, **kwargs: object) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", am.AllianceMetricsWarning)  # provisional wai-c key
        return function(*args, **kwargs)


def _instrument_runs() -> Iterator[tuple[str, str, str, str]]:
    for inst, stem in INSTRUMENTS:
        for policy, suffix in POLICIES:
            yield inst, stem, policy, suffix


def measure_alpha_family() -> float:
    worst = 0.0
    for inst, stem, policy, suffix in _instrument_runs():
        report = _quiet(run, reliability_report, inst, stem, nan_policy=policy)
        golden = read(f"{stem}_alpha{suffix}.csv")
        for ours, theirs in [
            ("alpha", "raw_alpha"),
            ("std_alpha", "std.alpha"),
            ("average_r", "average_r"),
            ("alpha_ci_lower", "feldt_lower"),
            ("alpha_ci_upper", "feldt_upper"),
        ]:
            worst = max(worst, _relative(report[ours], golden[theirs]))
    return worst


def measure_item_statistics() -> float:
    worst = 0.0
    for inst, stem, policy, suffix in _instrument_runs():
        table = _quiet(run, item_statistics, inst, stem, nan_policy=policy)
        merged = read(f"{stem}_alpha_drop{suffix}.csv").merge(table, on=["scale", "item"])
        for ours, theirs in [
            ("r_drop", "r.drop"),
            ("alpha_if_deleted", "raw_alpha"),
            ("mean_y", "mean_x"),
            ("sd_y", "sd_x"),
        ]:
            worst = max(worst, _relative(merged[ours], merged[theirs]))
    return worst


def _sweep_matrices() -> Iterator[tuple[np.ndarray, float]]:
    """The omega sweep's correlation matrices, with psych's flipped items flipped, and omega."""
    sweep = pd.read_csv(EDGES / "omega_sweep.csv", keep_default_na=False)
    cells = pd.read_csv(EDGES / "omega_sweep_cor.csv")
    for row in sweep.itertuples():
        block = cells[cells["set"] == row.set]
        cor = np.zeros((row.k, row.k))
        cor[block["i"] - 1, block["j"] - 1] = block["r"]
        sign = np.ones(row.k)
        sign[[int(i) - 1 for i in str(row.flipped).split()]] = -1.0
        yield cor * np.outer(sign, sign), float(row.omega_tot)


def measure_omega() -> float:
    """Omega on every golden scale, the comparable edge cases and the 40-set sweep."""
    worst = 0.0
    stems = [*INSTRUMENTS, ("wai-sr", "wai_sr")]
    for inst, stem in stems:
        for policy, suffix in POLICIES:
            report = _quiet(run, reliability_report, inst, stem, nan_policy=policy)
            where = EDGES if stem == "wai_sr" else GOLDEN
            golden = pd.read_csv(where / f"{stem}_omega{suffix}.csv")
            worst = max(worst, _absolute(report["omega_total"], golden["omega_tot"]))
    edges = pd.read_csv(EDGES / "edges_items.csv")
    cases = pd.read_csv(EDGES / "edges_alpha.csv", keep_default_na=False).set_index("case")
    omegas = pd.read_csv(EDGES / "edges_omega.csv").set_index("case")
    for name in ["base", "constant", "all_bad", "listwise_ij", "keys", "keys_narrow", "rows_3"]:
        case = cases.loc[name]
        kwargs: dict[str, object] = {"nan_policy": case["policy"]}
        if case["reversed"]:
            kwargs |= {"keys": {case["reversed"]: -1}, "bounds": (1, int(case["bounds"][-1]))}
        frame = edges[case["items"].split()].iloc[: int(case["rows"])]
        ours = _quiet(omega_total, frame, **kwargs)
        worst = max(worst, abs(float(ours) - omegas.loc[name, "omega_tot"]))
    for cor, theirs in _sweep_matrices():
        worst = max(worst, abs(omega_from_correlation(cor) - theirs))
    return worst


def measure_omega_heywood() -> float:
    corr = read("omega_heywood_cor.csv").to_numpy()
    return abs(omega_from_correlation(corr) - read("omega_heywood.csv").loc[0, "omega_tot"])


def _icc_runs() -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    ratings = read("icc_ratings.csv")
    centred = pd.read_csv(EDGES / "icc_centred_ratings.csv")
    yield icc(ratings), read("icc_aov.csv")
    yield icc(ratings, ci=0.90), read("icc_aov_ci90.csv")
    yield icc(ratings.iloc[:, :3]), read("icc_aov_3raters.csv")
    yield icc(centred), pd.read_csv(EDGES / "icc_centred_aov.csv")


def measure_icc() -> float:
    return max(
        _relative(ours[a], golden[b])
        for ours, golden in _icc_runs()
        for a, b in [
            ("icc", "ICC"),
            ("f", "F"),
            ("ci_lower", "lower_bound"),
            ("ci_upper", "upper_bound"),
        ]
    )


def measure_icc_pvalues() -> float:
    return max(_relative(ours["pval"], golden["p"]) for ours, golden in _icc_runs())


def measure_lmer(negative: bool, column: str, *, relative: bool = False, row: int = -1) -> float:
    """Our exact ANOVA against psych's default ``lmer = TRUE`` (``row``: one ICC type only)."""
    if negative:
        ours = icc(pd.read_csv(EDGES / "icc_centred_ratings.csv"))
        theirs = pd.read_csv(EDGES / "icc_centred.csv")
    else:
        ours, theirs = icc(read("icc_ratings.csv")), read("icc.csv")
    a, b = ours[column], theirs[{"f": "F", "icc": "ICC"}[column]]
    if row >= 0:
        a, b = a.iloc[[row]], b.iloc[[row]]
    return (_relative if relative else _absolute)(a, b)


MEASURES: dict[str, Callable[[], float]] = {
    "alpha, std_alpha, average_r, Feldt bounds": measure_alpha_family,
    "r_drop, alpha_if_deleted, item mean and SD": measure_item_statistics,
    "omega total": measure_omega,
    "omega total, Heywood case": measure_omega_heywood,
    "ICC, F, CI bounds (`lmer = FALSE`)": measure_icc,
    "ICC p-values (down to 1e-43)": measure_icc_pvalues,
    "`lmer = TRUE`, rater variance positive: F": partial(measure_lmer, False, "f"),
    "`lmer = TRUE`, rater variance positive: ICCs": partial(measure_lmer, False, "icc"),
    "`lmer = TRUE`, rater variance negative: F": partial(measure_lmer, True, "f", relative=True),
    "`lmer = TRUE`, rater variance negative: ICC3": partial(measure_lmer, True, "icc", row=2),
}


def test_every_parity_row_of_the_docs_is_measured() -> None:
    assert set(documented_claims()) == set(MEASURES)


@pytest.mark.parametrize("label", sorted(MEASURES))
def test_documented_parity_holds_and_is_tight(label: str) -> None:
    claimed = documented_claims()[label]
    measured = MEASURES[label]()
    assert measured <= claimed, f"{label}: measured {measured:.3g} > documented {claimed:g}"
    assert claimed <= TIGHT * measured, f"{label}: documented {claimed:g}, measured {measured:.3g}"
