"""The mean trajectory (session_means): parity with R t.test, hand-worked cases, checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import alliance_metrics as am

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "pictures"


@pytest.fixture(scope="module")
def scored() -> pd.DataFrame:
    example = pd.read_csv(ROOT / "examples" / "data" / "wai_sr_example.csv")
    return am.score_frame(example, "wai-sr")


def test_matches_r_t_test(scored: pd.DataFrame) -> None:
    found = am.session_means(scored, score="wai_sr_total")
    reference = pd.read_csv(GOLDEN / "session_means.csv")
    assert found["session"].tolist() == reference["session"].tolist()
    assert found["n"].tolist() == reference["n"].tolist()
    for name in ("mean", "sd", "se", "ci_lower", "ci_upper"):
        np.testing.assert_allclose(found[name], reference[name], rtol=1e-12, err_msg=name)


def test_level_is_used(scored: pd.DataFrame) -> None:
    found = am.session_means(scored, score="wai_sr_total", ci=0.90)
    reference = pd.read_csv(GOLDEN / "session_means_90.csv")
    np.testing.assert_allclose(
        found[["ci_lower", "ci_upper"]], reference[["ci_lower", "ci_upper"]], rtol=1e-12
    )
    assert found.attrs["alliance_metrics"] == {"function": "session_means", "ci": 0.90}


def test_hand_worked_sessions_with_gaps_and_missing_scores() -> None:
    df = pd.DataFrame(
        {
            "who": ["a", "a", "a", "b", "b", "c"],
            "visit": [3, 1, 4, 1, 4, 1],
            "y": [2.0, 3.0, None, 5.0, 6.0, 4.0],
        }
    )
    found = am.session_means(df, score="y", client="who", session="visit")
    # session 1: 3, 5, 4 -> mean 4, sd 1, se 1/sqrt(3), t(0.975, 2) = 4.302652729749464
    # session 3: one score; session 4: one valid score (the other is missing)
    assert found["session"].tolist() == [1, 3, 4]
    assert found["n"].tolist() == [3, 1, 1]
    np.testing.assert_allclose(found["mean"], [4.0, 2.0, 6.0])
    half = 4.302652729749464 / np.sqrt(3)
    np.testing.assert_allclose(
        found.loc[0, ["ci_lower", "ci_upper"]], [4 - half, 4 + half], rtol=1e-14
    )
    assert found.loc[1:, ["sd", "se", "ci_lower", "ci_upper"]].isna().all().all()


def test_a_session_without_any_score_is_listed_with_nan() -> None:
    df = pd.DataFrame({"client_id": ["a", "b", "a"], "session": [1, 1, 2], "y": [3.0, 4.0, None]})
    found = am.session_means(df, score="y")
    assert found["n"].tolist() == [2, 0]
    assert np.isnan(found.loc[1, "mean"])


def test_checks() -> None:
    df = pd.DataFrame({"client_id": ["a", "a"], "session": [1, 1], "y": [3.0, 4.0]})
    with pytest.raises(am.InputFormatError, match="one row per session"):
        am.session_means(df, score="y")
    with pytest.raises(am.InvalidParameterError, match="'ci' parameter of session_means"):
        am.session_means(df, score="y", ci=1.0)
    with pytest.raises(am.InvalidParameterError, match="'score' parameter of session_means"):
        am.session_means(df, score="absent")
