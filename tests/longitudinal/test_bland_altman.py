"""Bland–Altman limits of agreement: parity with the published formulas computed in R."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import alliance_metrics as am

GOLDEN = Path(__file__).resolve().parents[2] / "tests" / "golden" / "pictures"


def test_matches_the_r_reference() -> None:
    dyads = pd.read_csv(GOLDEN / "dyads.csv")
    found = am.bland_altman(dyads, client_score="client", therapist_score="therapist")
    reference = pd.read_csv(GOLDEN / "bland_altman.csv").set_index("line")
    assert found.n == reference["n"].iloc[0] == 57  # rows 7, 19 and 33 miss a rating
    np.testing.assert_allclose(found.sd, reference["sd"].iloc[0], rtol=1e-12)
    np.testing.assert_allclose(
        found.limits[["estimate", "ci_lower", "ci_upper"]],
        reference.loc[["lower", "bias", "upper"], ["estimate", "ci_lower", "ci_upper"]],
        rtol=1e-12,
    )
    assert found.points.index.tolist() == [i for i in range(60) if i not in (6, 18, 32)]
    complete = dyads.dropna()
    np.testing.assert_allclose(
        found.points["difference"], complete["client"] - complete["therapist"]
    )
    np.testing.assert_allclose(
        found.points["mean"], (complete["client"] + complete["therapist"]) / 2
    )


def test_multiplier_and_level() -> None:
    df = pd.DataFrame({"c": [5.0, 4.5, 4.0, 4.8], "t": [4.0, 4.0, 3.0, 4.2]})
    found = am.bland_altman(df, client_score="c", therapist_score="t", multiplier=2.0, ci=0.9)
    # differences 1, .5, 1, .6: mean .775, SD sqrt(.2075 / 3); t(0.95, 3) = 2.353363434801823
    sd = np.sqrt(0.2075 / 3)
    np.testing.assert_allclose(found.limits["estimate"], [0.775 - 2 * sd, 0.775, 0.775 + 2 * sd])
    np.testing.assert_allclose(
        found.limits.loc["bias", "ci_upper"], 0.775 + 2.353363434801823 * sd / 2, rtol=1e-12
    )
    assert (found.multiplier, found.ci) == (2.0, 0.9)


def test_too_few_pairs_give_nan() -> None:
    one = pd.DataFrame({"c": [5.0, None], "t": [4.0, 3.0]})
    found = am.bland_altman(one, client_score="c", therapist_score="t")
    assert found.n == 1
    assert found.limits.loc["bias", "estimate"] == 1.0
    assert np.isnan(found.sd)
    assert found.limits.drop(index="bias").isna().all().all()
    none = am.bland_altman(one.iloc[1:], client_score="c", therapist_score="t")
    assert none.n == 0
    assert none.limits.isna().all().all()


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"therapist_score": "c"}, "therapist_score"),
        ({"therapist_score": "absent"}, "therapist_score"),
        ({"client_score": "absent"}, "client_score"),
        ({"multiplier": 0}, "multiplier"),
        ({"ci": 95}, "ci"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], parameter: str) -> None:
    df = pd.DataFrame({"c": [5.0, 4.0], "t": [4.0, 3.0]})
    arguments = {"client_score": "c", "therapist_score": "t", **kwargs}
    with pytest.raises(am.InvalidParameterError) as caught:
        am.bland_altman(df, **arguments)  # type: ignore[arg-type]
    assert (caught.value.parameter, caught.value.function) == (parameter, "bland_altman")


def test_text_ratings_are_an_input_error() -> None:
    df = pd.DataFrame({"c": ["5", "high"], "t": [4.0, 3.0]})
    with pytest.raises(am.InputFormatError, match="'c'"):
        am.bland_altman(df, client_score="c", therapist_score="t")
