"""plot_agreement: the Bland–Altman picture of client and therapist ratings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from image_check import ImageCheck
from matplotlib.figure import Figure

import alliance_metrics as am
from alliance_metrics.plot import plot_agreement

DYADS = Path(__file__).resolve().parents[2] / "tests" / "golden" / "pictures" / "dyads.csv"


@pytest.fixture(scope="module")
def dyads() -> pd.DataFrame:
    return pd.read_csv(DYADS).rename(columns={"client": "wai_total", "therapist": "wai_t_total"})


def _draw(dyads: pd.DataFrame, **kwargs: object) -> object:
    return plot_agreement(dyads, client_score="wai_total", therapist_score="wai_t_total", **kwargs)  # type: ignore[arg-type]


def test_points_are_mean_and_difference_of_each_complete_pair(dyads: pd.DataFrame) -> None:
    ax = _draw(dyads)
    complete = dyads.dropna()
    offsets = ax.collections[0].get_offsets()
    np.testing.assert_allclose(offsets[:, 0], (complete["wai_total"] + complete["wai_t_total"]) / 2)
    np.testing.assert_allclose(offsets[:, 1], complete["wai_total"] - complete["wai_t_total"])


def test_lines_are_the_bias_and_the_limits(dyads: pd.DataFrame) -> None:
    found = am.bland_altman(dyads, client_score="wai_total", therapist_score="wai_t_total")
    ax = _draw(dyads)
    levels = [line.get_ydata()[0] for line in ax.lines]
    np.testing.assert_allclose(levels, [0.0, *found.limits["estimate"]])
    texts = [t.get_text() for t in ax.texts]
    estimates = found.limits["estimate"]
    assert estimates["lower"] < 0  # shown with a true minus sign
    assert texts == [
        f"−1.96 SD −{-estimates['lower']:.2f}",
        f"bias {estimates['bias']:.2f}",
        f"+1.96 SD {estimates['upper']:.2f}",
    ]
    assert ax.get_title(loc="left") == "Agreement: 57 pairs; bands: 95 % CIs"
    assert len(ax.patches) == 3  # the three confidence bands


def test_the_scale_labels_both_axes(dyads: pd.DataFrame) -> None:
    ax = _draw(dyads, instrument="wai-sr")  # "wai_total" ends with the scale id "total"
    assert ax.get_xlabel() == "mean of the two: WAI-SR Total (mean, 1–5)"
    assert ax.get_ylabel() == "difference, client − therapist (−4 to 4)"
    np.testing.assert_allclose(ax.get_xlim(), (0.88, 5.12))


def test_only_a_seeded_sample_is_drawn(dyads: pd.DataFrame) -> None:
    ax = _draw(dyads, max_points=20, seed=4)
    offsets = ax.collections[0].get_offsets()
    assert len(offsets) == 20
    again = _draw(dyads, max_points=20, seed=4).collections[0].get_offsets()
    np.testing.assert_array_equal(offsets, again)
    assert ax.get_title(loc="left").startswith("Agreement: 20 of 57 pairs drawn")


def test_too_few_pairs_draw_no_limits() -> None:
    ax = plot_agreement(
        pd.DataFrame({"c": [4.0], "t": [3.0]}), client_score="c", therapist_score="t"
    )
    assert [t.get_text() for t in ax.texts] == ["bias 1.00"]
    assert not ax.patches


def test_image_of_agreement(dyads: pd.DataFrame, check_image: ImageCheck) -> None:
    figure = Figure(figsize=(7.0, 4.2), layout="constrained")
    found = am.bland_altman(dyads, client_score="wai_total", therapist_score="wai_t_total")
    plot_agreement(found, instrument="wai-sr", scale="total", ax=figure.subplots())
    check_image(figure, "agreement")


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"max_points": 0}, "max_points"),
        ({"seed": -1}, "seed"),
        ({"ci": 1.5}, "ci"),
        ({"therapist_score": "absent"}, "therapist_score"),
    ],
)
def test_bad_arguments(dyads: pd.DataFrame, kwargs: dict[str, object], parameter: str) -> None:
    arguments = {"client_score": "wai_total", "therapist_score": "wai_t_total", **kwargs}
    with pytest.raises(am.InvalidParameterError) as caught:
        plot_agreement(dyads, **arguments)  # type: ignore[arg-type]
    assert caught.value.parameter == parameter
