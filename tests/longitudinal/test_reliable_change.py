"""reliable_change, first_last and clinical_significance against Jacobson & Truax (1991).

Reference numbers: SESSION-SERIES.md §2 (worked by hand from the formulas) and Jacobson &
Truax (1991), J Consult Clin Psychol 59(1):12–19, Table 2 (30 couples, Dyadic Adjustment Scale,
pre and post scores as printed in the paper; r = .84, cut-off a from the pre sample).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

import alliance_metrics as am
from alliance_metrics.longitudinal.clinical_significance import cutoff_flags

# Jacobson & Truax (1991), Table 2: DAS before and after marital therapy.
JT_PRE = [
    90.5, 74, 97, 73.5, 61, 66.5, 68.5, 86.5, 88.5, 68.5, 98, 80.5, 89.5, 91.5, 83.5,
    60.5, 83, 88, 98.5, 78.5, 99.5, 79.5, 84.5, 92.5, 93, 85, 64, 61, 80, 82.5,
]  # fmt: skip
JT_POST = [
    97, 124, 97.5, 88, 96.5, 62.5, 112.5, 103.5, 90, 82.5, 105, 99.5, 112.5, 101, 99.5,
    79.5, 88, 100.5, 119, 116, 116, 129, 113, 118, 92, 114, 68, 52, 60.5, 104.5,
]  # fmt: skip


def jt_table() -> pd.DataFrame:
    return pd.DataFrame({"couple": range(1, 31), "pre": JT_PRE, "post": JT_POST})


# ---- SESSION-SERIES.md §2 checks ----------------------------------------------------------


@pytest.mark.parametrize(("r", "expected"), [(0.961, 5.747681), (0.931, 7.645131)])
def test_reliable_change_in_points(r: float, expected: float) -> None:
    out = am.reliable_change(
        pd.DataFrame({"pre": [30.0], "post": [31.0]}),
        pre="pre",
        post="post",
        reliability=r,
        sd=10.5,
    )
    assert_allclose(out["rc_points"].iloc[0], expected, atol=5e-7)
    attrs = out.attrs["alliance_metrics"]
    assert_allclose(attrs["s_diff"] * 1.96, expected, atol=5e-7)
    assert_allclose(attrs["sem"], 10.5 * math.sqrt(1 - r), rtol=1e-14)


def test_rci_values() -> None:
    wide = pd.DataFrame({"pre": [20.0] * 5, "post": [12.0, 16, 20, 24, 28]})
    out = am.reliable_change(wide, pre="pre", post="post", reliability=0.8, sd=5.0)
    assert_allclose(out["rci"], [-2.529822, -1.264911, 0, 1.264911, 2.529822], atol=5e-7)
    assert out["reliable"].tolist() == [
        "deteriorated", "unchanged", "unchanged", "unchanged", "improved",
    ]  # fmt: skip
    lower = am.reliable_change(
        wide, pre="pre", post="post", reliability=0.8, sd=5.0, higher_is_better=False
    )
    assert lower["reliable"].tolist() == [
        "improved", "unchanged", "unchanged", "unchanged", "deteriorated",
    ]  # fmt: skip


def test_jacobson_truax_table_2() -> None:
    out = am.clinical_significance(jt_table(), pre="pre", post="post", reliability=0.84, cutoff="a")
    attrs = out.attrs["alliance_metrics"]
    assert_allclose(attrs["sd"], 11.82566, atol=5e-6)
    assert_allclose(attrs["s_diff"], 6.689604, atol=5e-7)
    assert_allclose(attrs["cutoff"], 105.2347, atol=5e-5)
    assert attrs["sd_source"] == "pre_complete"
    assert attrs["n_sd"] == 30
    counts = out["category"].value_counts()
    assert counts.to_dict() == {
        "recovered": 10, "improved": 8, "unchanged": 11, "deteriorated": 1, "harmed": 0,
    }  # fmt: skip
    assert out["clinical_pre"].all()  # every couple starts below the cut-off


# ---- options --------------------------------------------------------------------------------


def test_sd_sources() -> None:
    wide = pd.DataFrame({"pre": [10.0, 20, 30, 60], "post": [12.0, 18, 33, None]})
    complete = am.reliable_change(wide, pre="pre", post="post", reliability=0.9)
    every = am.reliable_change(wide, pre="pre", post="post", reliability=0.9, sd_source="pre_all")
    assert_allclose(complete.attrs["alliance_metrics"]["sd"], 10.0, rtol=1e-14)
    assert_allclose(every.attrs["alliance_metrics"]["sd"], np.std([10, 20, 30, 60], ddof=1))
    assert complete.attrs["alliance_metrics"]["n_sd"] == 3
    assert every.attrs["alliance_metrics"]["n_sd"] == 4
    given_sd = am.reliable_change(wide, pre="pre", post="post", reliability=0.9, sd=7.0)
    assert given_sd.attrs["alliance_metrics"]["sd_source"] == "given"
    assert given_sd.attrs["alliance_metrics"]["n_sd"] is None


def test_missing_scores_get_no_class() -> None:
    wide = pd.DataFrame({"pre": [10.0, np.nan, 10], "post": [10.0, 10, np.nan]})
    out = am.clinical_significance(
        wide, pre="pre", post="post", reliability=0.8, sd=5.0, cutoff=15.0
    )
    assert out["reliable"].isna().tolist() == [False, True, True]
    assert out["category"].isna().tolist() == [False, True, True]
    assert out["category"].iloc[0] == "unchanged"
    assert out["clinical_pre"].isna().tolist() == [False, True, False]
    assert out["functional_post"].isna().tolist() == [False, False, True]


def test_published_ors_reliable_change_and_boundary() -> None:
    wide = pd.DataFrame({"pre": [20.0, 20, 20, 20], "post": [25.0, 24.9, 15, 30]})
    out = am.reliable_change(wide, pre="pre", post="post", instrument="ors")
    assert out["rc_points"].eq(5.0).all()
    assert out["rci"].isna().all()
    assert out["reliable"].tolist() == ["unchanged", "unchanged", "unchanged", "improved"]
    inclusive = am.reliable_change(
        wide, pre="pre", post="post", instrument="ors", boundary="inclusive"
    )
    assert inclusive["reliable"].tolist() == ["improved", "unchanged", "deteriorated", "improved"]
    attrs = out.attrs["alliance_metrics"]
    assert attrs["rc_source"] == "secondary"  # the registry says where the 5 points come from
    assert attrs["instrument"] == "ors"
    assert "secondary" in attrs["rc_reference"]
    # an explicit reliability wins over the published value
    computed = am.reliable_change(
        wide, pre="pre", post="post", instrument="ors", reliability=0.8, sd=6.0
    )
    assert computed.attrs["alliance_metrics"]["rc_source"] == "computed"


def test_inclusive_boundary_on_the_rci() -> None:
    # S_diff = 5 exactly (SD 5, r .5 → SEm² = 12.5); z = 1 puts the boundary on a change of 5
    wide = pd.DataFrame({"pre": [10.0, 10.0], "post": [15.0, 5.0]})
    options = {"pre": "pre", "post": "post", "reliability": 0.5, "sd": 5.0, "z": 1.0}
    exclusive = am.reliable_change(wide, **options)
    attrs = exclusive.attrs["alliance_metrics"]
    if attrs["s_diff"] != 5.0:  # pragma: no cover - depends on libm rounding
        pytest.skip("S_diff is not exactly 5 on this platform")
    assert exclusive["reliable"].tolist() == ["unchanged", "unchanged"]
    inclusive = am.reliable_change(wide, boundary="inclusive", **options)
    assert inclusive["reliable"].tolist() == ["improved", "deteriorated"]


def test_sample_alpha_as_reliability() -> None:
    items = pd.DataFrame(
        {"i1": [1, 2, 3, 4, 5, 3], "i2": [2, 2, 3, 5, 4, 3], "i3": [1, 3, 3, 4, 5, 2]}
    )
    alpha = am.cronbach_alpha(items)
    wide = pd.DataFrame({"pre": [10.0, 12, 14], "post": [15.0, 12, 9]})
    out = am.reliable_change(wide, pre="pre", post="post", reliability=alpha)
    attrs = out.attrs["alliance_metrics"]
    assert attrs["reliability"] == alpha.alpha
    assert "alpha" in attrs["reliability_source"]


# ---- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({}, am.InvalidParameterError, "'reliability' parameter of reliable_change is needed"),
        ({"instrument": "wai-sr"}, am.InvalidParameterError, "wai-sr has no reported value"),
        ({"reliability": 1.0}, am.InvalidParameterError, "'reliability' parameter .* \\[0, 1\\)"),
        ({"reliability": -0.1}, am.InvalidParameterError, "'reliability' parameter"),
        ({"reliability": "high"}, am.InvalidParameterError, "'reliability' parameter"),
        ({"reliability": 0.8, "sd": 0}, am.InvalidParameterError, "'sd' parameter"),
        ({"reliability": 0.8, "sd_source": "post"}, am.InvalidParameterError, "'sd_source'"),
        ({"reliability": 0.8, "z": -1}, am.InvalidParameterError, "'z' parameter"),
        ({"reliability": 0.8, "boundary": "open"}, am.InvalidParameterError, "'boundary'"),
        ({"reliability": 0.8, "higher_is_better": "yes"}, am.InvalidParameterError, "'higher"),
        ({"reliability": 0.8, "instrument": "nope"}, am.UnknownInstrumentError, "nope"),
    ],
)
def test_bad_options(options: dict[str, object], error: type, match: str) -> None:
    wide = pd.DataFrame({"pre": [10.0, 12, 14], "post": [15.0, 12, 9]})
    with pytest.raises(error, match=match):
        am.reliable_change(wide, pre="pre", post="post", **options)


def test_bad_frames() -> None:
    wide = pd.DataFrame({"pre": [10.0, 12], "post": [15.0, 12], "change": [1, 2]})
    with pytest.raises(am.InputFormatError, match="already has column\\(s\\) 'change'"):
        am.reliable_change(wide, pre="pre", post="post", reliability=0.8, sd=3.0)
    with pytest.raises(am.InvalidParameterError, match="two different columns"):
        am.reliable_change(wide, pre="pre", post="pre", reliability=0.8)
    with pytest.raises(am.InvalidParameterError, match="'post' parameter of reliable_change"):
        am.reliable_change(wide, pre="pre", post="after", reliability=0.8)
    with pytest.raises(am.InputFormatError, match="cannot estimate the SD"):
        am.reliable_change(wide.iloc[:1], pre="pre", post="post", reliability=0.8)
    text = pd.DataFrame({"pre": ["10", "x"], "post": [1.0, 2.0]})
    with pytest.raises(am.InputFormatError, match="row\\(s\\) 1"):
        am.reliable_change(text, pre="pre", post="post", reliability=0.8, sd=3.0)


def test_empty_input() -> None:
    empty = pd.DataFrame({"pre": pd.Series([], dtype=float), "post": pd.Series([], dtype=float)})
    out = am.clinical_significance(empty, pre="pre", post="post", reliability=0.8)
    assert len(out) == 0
    assert list(out.columns)[2:] == [
        "change", "rci", "rc_points", "reliable", "clinical_pre", "functional_post", "category",
    ]  # fmt: skip
    assert out["category"].dtype == "category"
    assert out["clinical_pre"].dtype == "boolean"


def test_caller_frame_is_not_changed() -> None:
    wide = jt_table()
    before = wide.copy()
    am.clinical_significance(wide, pre="pre", post="post", reliability=0.84)
    pd.testing.assert_frame_equal(wide, before)


# ---- first_last ------------------------------------------------------------------------------


def test_first_last() -> None:
    long = pd.DataFrame(
        {
            "id": ["b", "a", "a", "a", "c", "b", "d"],
            "session": [4, 3, 1, 2, 1, 2, 5],
            "ors": [31.0, 30.5, np.nan, 22.0, np.nan, 19.0, 17.5],
        }
    )
    out = am.first_last(long, score="ors", client="id")
    assert out["id"].tolist() == ["a", "b", "c", "d"]
    assert out["first_session"].tolist() == [2, 2, pd.NA, 5]
    assert out["last_session"].tolist() == [3, 4, pd.NA, pd.NA]
    assert_array_equal(out["pre"], [22.0, 19.0, np.nan, 17.5])
    assert_array_equal(out["post"], [30.5, 31.0, np.nan, np.nan])
    assert out["n_sessions"].tolist() == [2, 2, 0, 1]
    rc = am.reliable_change(out, pre="pre", post="post", instrument="ors")
    assert rc["reliable"].tolist()[:2] == ["improved", "improved"]
    assert rc["reliable"].isna().tolist() == [False, False, True, True]


# ---- clinical significance ------------------------------------------------------------------


def test_cutoffs_b_and_c_by_hand() -> None:
    wide = pd.DataFrame({"pre": [10.0, 20.0, 30.0], "post": [40.0, 45.0, 20.0]})
    options = {"pre": "pre", "post": "post", "reliability": 0.8, "sd": 5.0}
    b = am.clinical_significance(
        wide, cutoff="b", functional_mean=50.0, functional_sd=4.0, **options
    )
    assert b.attrs["alliance_metrics"]["cutoff"] == 42.0  # 50 − 2·4
    assert b["functional_post"].tolist() == [False, True, False]
    c = am.clinical_significance(
        wide, cutoff="c", clinical_mean=20.0, clinical_sd=10.0, functional_mean=50.0,
        functional_sd=5.0, **options,
    )  # fmt: skip
    assert_allclose(c.attrs["alliance_metrics"]["cutoff"], (10 * 50 + 5 * 20) / 15, rtol=1e-15)
    assert c.attrs["alliance_metrics"]["clinical_source"] == "given"
    lower = am.clinical_significance(
        wide, cutoff="a", clinical_mean=20.0, clinical_sd=10.0, higher_is_better=False, **options
    )
    assert lower.attrs["alliance_metrics"]["cutoff"] == 0.0  # 20 − 2·10
    with pytest.raises(am.InvalidParameterError, match="'functional_mean' and 'functional_sd'"):
        am.clinical_significance(wide, cutoff="c", **options)
    with pytest.raises(am.InvalidParameterError, match=r"'cutoff' parameter .* one of"):
        am.clinical_significance(wide, cutoff="d", **options)
    with pytest.raises(am.InvalidParameterError, match="'clinical_sd' parameter"):
        am.clinical_significance(wide, cutoff="a", clinical_sd=-1.0, **options)


def test_categories_including_harmed() -> None:
    # cut-off 25 (higher is better); S_diff 5/1.96 · ... : use a published-like RC via sd/r
    wide = pd.DataFrame({"pre": [18.0, 18, 30, 30, 18, 30], "post": [32.0, 24, 18, 27, 10, 40]})
    out = am.clinical_significance(
        wide, pre="pre", post="post", reliability=0.8, sd=5.0, cutoff=25.0
    )  # reliable change 6.198 points
    assert out["category"].tolist() == [
        "recovered", "unchanged", "harmed", "unchanged", "deteriorated", "improved",
    ]  # fmt: skip


def test_registry_cutoff_boundary() -> None:
    wide = pd.DataFrame({"pre": [25.0, 24.9, 18.0], "post": [25.0, 31.0, 25.0]})
    out = am.clinical_significance(wide, pre="pre", post="post", instrument="ors")
    assert out["clinical_pre"].tolist() == [False, True, True]  # ORS: clinical below 25
    assert out["functional_post"].tolist() == [True, True, True]
    assert out["category"].tolist() == ["unchanged", "recovered", "recovered"]
    attrs = out.attrs["alliance_metrics"]
    assert (attrs["cutoff"], attrs["cutoff_id"], attrs["cutoff_type"]) == (
        25,
        "clinical_adult",
        "registry",
    )
    numeric = am.clinical_significance(wide, pre="pre", post="post", instrument="ors", cutoff=25.0)
    assert numeric["functional_post"].tolist() == [False, True, False]  # strict on both sides
    with pytest.raises(am.InvalidParameterError, match="contradicts ors"):
        am.clinical_significance(
            wide, pre="pre", post="post", instrument="ors", higher_is_better=False
        )
    with pytest.raises(am.InvalidParameterError, match="wai-sr has no published cut-off"):
        am.clinical_significance(wide, pre="pre", post="post", instrument="wai-sr", reliability=0.9)


@given(st.floats(-100, 100, allow_nan=False), st.sampled_from([0, 1, 2, 3]))
def test_vectorised_cutoff_matches_cutoff_flags(score: float, which: int) -> None:
    cutoffs = [
        *am.get_instrument("ors").cutoffs,
        *am.get_instrument("wai-sr").cutoffs,
    ]
    cutoff = cutoffs[which]
    for value in (score, cutoff.value, cutoff.value + 1e-12, cutoff.value - 1e-7):
        assert bool(cutoff_flags(np.array([value]), cutoff)[0]) is cutoff.flags(value)


def test_first_last_client_column_clash() -> None:
    long = pd.DataFrame({"pre": ["a", "a"], "session": [1, 2], "ors": [20.0, 30.0]})
    with pytest.raises(am.InvalidParameterError, match="also an output column"):
        am.first_last(long, score="ors", client="pre")
