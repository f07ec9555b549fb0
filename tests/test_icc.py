"""Unit and property tests of alliance_metrics.interrater.icc (intraclass correlations)."""

from __future__ import annotations

import doctest
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import alliance_metrics as am
from alliance_metrics import interrater
from alliance_metrics.interrater import ICC_COLUMNS, icc

# Shrout & Fleiss (1979), Table 1: 6 targets rated by 4 judges, and their Table 2 estimates.
SHROUT_FLEISS = np.array(
    [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]],
    dtype=float,
)
SHROUT_FLEISS_ICC = [0.17, 0.29, 0.71, 0.44, 0.62, 0.91]


def ratings(n: int = 30, k: int = 4, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.normal(5, 1.5, (n, 1)) + rng.normal(0, 0.5, (1, k)) + rng.normal(0, 0.8, (n, k))


def to_long(matrix: np.ndarray) -> pd.DataFrame:
    n, k = matrix.shape
    return pd.DataFrame(
        {
            "dyad": np.repeat([f"d{i:03d}" for i in range(n)], k),
            "rater": np.tile([f"r{j}" for j in range(k)], n),
            "score": matrix.ravel(),
        }
    )


def test_shrout_fleiss_table_2() -> None:
    table = icc(SHROUT_FLEISS)
    assert list(table.columns) == list(ICC_COLUMNS)
    assert list(table["type"]) == ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"]
    assert table["icc"].round(2).tolist() == SHROUT_FLEISS_ICC
    assert table["df1"].tolist() == [5] * 6
    assert table["df2"].tolist() == [18, 15, 15, 18, 15, 15]
    assert table.attrs == {"n_targets": 6, "n_raters": 4, "ci_level": 0.95}


def test_anova_decomposition_by_hand() -> None:
    x = ratings(n=12, k=3)
    n, k = x.shape
    grand = x.mean()
    ssb = k * ((x.mean(axis=1) - grand) ** 2).sum()
    ssj = n * ((x.mean(axis=0) - grand) ** 2).sum()
    sse = ((x - grand) ** 2).sum() - ssb - ssj
    msb, msw, msj, mse = interrater._mean_squares(x)
    assert msb == pytest.approx(ssb / (n - 1), rel=1e-12)
    assert msj == pytest.approx(ssj / (k - 1), rel=1e-12)
    assert mse == pytest.approx(sse / ((n - 1) * (k - 1)), rel=1e-12)
    assert msw == pytest.approx((ssj + sse) / (n * (k - 1)), rel=1e-12)
    table = icc(x).set_index("type")
    assert table.loc["ICC3", "f"] == pytest.approx(msb / mse, rel=1e-12)
    assert table.loc["ICC1", "pval"] == pytest.approx(
        stats.f.sf(msb / msw, n - 1, n * (k - 1)), rel=1e-12
    )


def test_descriptions_name_both_conventions() -> None:
    descriptions = icc(SHROUT_FLEISS).set_index("type")["description"]
    assert "one-way random" in descriptions["ICC1"]
    assert "ICC(A,1)" in descriptions["ICC2"]
    assert "absolute agreement" in descriptions["ICC2k"]
    assert "two-way mixed, consistency" in descriptions["ICC3"]
    assert "Shrout–Fleiss ICC(3,k)" in descriptions["ICC3k"]


def test_long_and_wide_agree() -> None:
    x = ratings()
    long = to_long(x).sample(frac=1.0, random_state=3)  # any row order
    pd.testing.assert_frame_equal(
        icc(long, targets="dyad", raters="rater", ratings="score"), icc(x)
    )
    pd.testing.assert_frame_equal(icc(pd.DataFrame(x, columns=list("abcd"))), icc(x))


def test_numeric_strings_are_accepted() -> None:
    x = SHROUT_FLEISS
    long = to_long(x)
    long["score"] = long["score"].map(lambda v: f" {v:g} ")
    pd.testing.assert_frame_equal(
        icc(long, targets="dyad", raters="rater", ratings="score"), icc(x)
    )


def test_intervals_contain_the_estimate_and_widen_with_confidence() -> None:
    x = ratings()
    narrow, wide = icc(x, ci=0.8), icc(x, ci=0.99)
    assert (narrow["ci_lower"] < narrow["icc"]).all()
    assert (narrow["icc"] < narrow["ci_upper"]).all()
    assert (wide["ci_lower"] < narrow["ci_lower"]).all()
    assert (narrow["ci_upper"] < wide["ci_upper"]).all()


def test_perfect_agreement_gives_one_without_warnings() -> None:
    x = np.repeat(np.arange(1.0, 9.0)[:, None], 3, axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = icc(x)
    assert (table["icc"] == 1.0).all()
    assert np.isinf(table["f"]).all()


def test_incomplete_design_names_the_targets() -> None:
    long = to_long(ratings(n=8, k=3)).iloc[1:]  # d000 has no rating by r0
    long = long[~((long["dyad"] == "d005") & long["rater"].isin(["r1", "r2"]))]
    with pytest.raises(am.InputFormatError) as error:
        icc(long, targets="dyad", raters="rater", ratings="score")
    message = str(error.value)
    assert "2 of 8 targets lack ratings" in message
    assert "the target of row 0 (no rating by 'r0')" in message  # d000 now starts at row 0
    assert "the target of row 14 (no rating by 'r1', 'r2')" in message  # d005
    assert "d00" not in message  # rows and columns, never identifiers


def test_missing_wide_cells_are_incomplete_too() -> None:
    frame = pd.DataFrame(ratings(n=10, k=3), index=[f"s{i}" for i in range(10)])
    for i in range(7):
        frame.iloc[i, 1] = np.nan
    with pytest.raises(am.InputFormatError) as error:
        icc(frame)
    message = str(error.value)
    assert "7 of 10 targets lack ratings: row 0 (no rating by 1); row 1 (no rating" in message
    assert "; and 2 more (rows by position)." in message
    long = to_long(ratings(n=5, k=2))
    long.loc[3, "score"] = np.nan
    with pytest.raises(am.InputFormatError, match="the target of row 2 "):
        icc(long, targets="dyad", raters="rater", ratings="score")


def test_repeated_ratings_are_rejected() -> None:
    long = to_long(ratings(n=5, k=2))
    long = pd.concat([long, long.iloc[[2]]], ignore_index=True)
    with pytest.raises(am.InputFormatError, match=r"row\(s\) 10 \(by position\) repeat"):
        icc(long, targets="dyad", raters="rater", ratings="score")


def test_rows_without_target_or_rater_are_rejected() -> None:
    long = to_long(ratings(n=5, k=2)).astype({"rater": object})
    long.loc[4, "rater"] = None
    with pytest.raises(am.InputFormatError, match=r"row\(s\) 4 \(by position\)"):
        icc(long, targets="dyad", raters="rater", ratings="score")


def test_text_ratings_are_rejected() -> None:
    long = to_long(ratings(n=5, k=2)).astype({"score": object})
    long.loc[6, "score"] = "n/a"
    with pytest.raises(am.InputFormatError, match=r"column 'score' holds text.*'n/a'"):
        icc(long, targets="dyad", raters="rater", ratings="score")
    with pytest.raises(am.InputFormatError, match="infinity"):
        icc([[1.0, 2.0], [3.0, np.inf]])


def test_too_small_designs_are_rejected() -> None:
    with pytest.raises(am.InputFormatError, match="Got 1 target"):
        icc([[1.0, 2.0, 3.0]])
    with pytest.raises(am.InputFormatError, match="and 1 rater"):
        icc([[1.0], [2.0]])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"targets": "dyad"}, "missing: 'raters', 'ratings'"),
        ({"targets": "dyad", "raters": "rater", "ratings": "nope"}, "column 'nope'"),
        ({"ci": 0}, "The 'ci' parameter of icc must be a confidence level"),
    ],
)
def test_argument_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(am.InvalidParameterError, match=message):
        icc(to_long(ratings(n=5)), **kwargs)  # type: ignore[arg-type]


def test_data_type_errors() -> None:
    with pytest.raises(am.InvalidParameterError, match="must be 2-D"):
        icc([1.0, 2.0, 3.0])
    with pytest.raises(am.InvalidParameterError, match="not numbers"):
        icc([["a", "b"], ["c", "d"]])
    with pytest.raises(am.InvalidParameterError, match="must be a DataFrame when targets"):
        icc(ratings(), targets="a", raters="b", ratings="c")


def test_input_is_never_modified() -> None:
    long = to_long(ratings())
    before = long.copy()
    icc(long, targets="dyad", raters="rater", ratings="score")
    pd.testing.assert_frame_equal(long, before)


def _shrout_fleiss(matrix: np.ndarray) -> dict[str, float]:
    """ICC(1,1), ICC(2,1), ICC(3,1) from sums of squares written out as in Shrout & Fleiss
    (1979, Table 1), with plain loops over raters: an oracle apart from the vectorised code."""
    n, k = matrix.shape
    grand = matrix.mean()
    bms = k * sum((matrix[i].mean() - grand) ** 2 for i in range(n)) / (n - 1)
    jss = n * sum((matrix[:, j].mean() - grand) ** 2 for j in range(k))
    wss = sum(((matrix[i] - matrix[i].mean()) ** 2).sum() for i in range(n))
    wms = wss / (n * (k - 1))
    ems = (wss - jss) / ((n - 1) * (k - 1))
    jms = jss / (k - 1)
    return {
        "ICC1": (bms - wms) / (bms + (k - 1) * wms),
        "ICC2": (bms - ems) / (bms + (k - 1) * ems + k * (jms - ems) / n),
        "ICC3": (bms - ems) / (bms + (k - 1) * ems),
        "ICC3k": (bms - ems) / bms,
    }


def test_sixty_thousand_ratings_equal_the_textbook_formulas() -> None:
    """60,000 long-format ratings (timing lives in benchmarks/bench_icc.py)."""
    matrix = ratings(n=15_000, k=4)
    table = icc(to_long(matrix), targets="dyad", raters="rater", ratings="score")
    assert table.attrs["n_targets"] == 15_000
    got = dict(zip(table["type"], table["icc"], strict=True))
    for name, want in _shrout_fleiss(matrix).items():
        np.testing.assert_allclose(got[name], want, rtol=1e-10, err_msg=name)


@settings(max_examples=50, deadline=None)
@given(
    st.integers(3, 15),
    st.integers(2, 5),
    st.integers(0, 2**32 - 1),
    st.floats(-100, 100, allow_nan=False),
    st.floats(0.1, 10, allow_nan=False),
)
def test_icc_is_invariant_to_order_and_linear_rescaling(
    n: int, k: int, seed: int, shift: float, scale: float
) -> None:
    x = ratings(n=n, k=k, seed=seed)
    rng = np.random.default_rng(seed)
    base = icc(x)
    shuffled = x[rng.permutation(n)][:, rng.permutation(k)]
    for other in (icc(shuffled), icc(x * scale + shift)):
        for name in ("icc", "f", "pval", "ci_lower", "ci_upper"):
            np.testing.assert_allclose(other[name], base[name], rtol=1e-7, atol=1e-12)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(2, 6),
    st.integers(2, 4),
    st.integers(0, 2**32 - 1),
    st.sampled_from(["random", "constant", "same-raters", "same-targets", "duplicate-rater"]),
    st.sampled_from([0, 1000, -1000, -1060, None]),
)
def test_degenerate_and_huge_ratings_never_let_a_raw_warning_out(
    n: int, k: int, seed: int, kind: str, exponent: int | None
) -> None:
    """Ratings times 2^exponent (or 1e300) give no raw warning and, for a power of two, the
    very same table: every statistic is a ratio of mean squares."""
    x = np.random.default_rng(seed).integers(1, 4, size=(n, k)).astype(float)
    if kind == "constant":
        x[:] = 3.0
    elif kind == "same-raters":  # every rater gives the same rating to a target
        x[:] = x[:, :1]
    elif kind == "same-targets":  # every target gets the same ratings
        x[:] = x[:1]
    elif kind == "duplicate-rater":
        x[:, 1] = x[:, 0]
    scaled = x * 1e300 if exponent is None else np.ldexp(x, exponent)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = icc(scaled)
        base = icc(x)
    if exponent is not None:
        pd.testing.assert_frame_equal(table, base, check_exact=True)


def test_docstring_examples_run() -> None:
    result = doctest.testmod(interrater, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    assert result.attempted > 0


def test_wide_id_column_gets_a_hint() -> None:
    frame = pd.DataFrame({"session": ["a", "b", "c"], "r1": [1.0, 2.0, 3.0], "r2": [2.0, 3.0, 3.0]})
    with pytest.raises(am.InputFormatError, match=r"rater column 'session'.*set_index\(\)"):
        icc(frame)
    assert icc(frame.set_index("session"))["icc"].notna().all()
