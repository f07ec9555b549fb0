"""plot_reliability: alpha with its Feldt interval and omega per scale."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from image_check import ImageCheck
from matplotlib.figure import Figure

import alliance_metrics as am
from alliance_metrics.plot import plot_reliability

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "data" / "wai_sr_example.csv"


@pytest.fixture(scope="module")
def report() -> pd.DataFrame:
    return am.reliability_report(pd.read_csv(EXAMPLE), "wai-sr")


def test_points_and_intervals_are_the_report(report: pd.DataFrame) -> None:
    ax = plot_reliability(report)
    alpha = ax.lines[0]
    omega = ax.lines[1]
    y = np.arange(5)[::-1]
    np.testing.assert_allclose(alpha.get_xdata(), report["alpha"])
    np.testing.assert_allclose(alpha.get_ydata(), y + 0.12)
    np.testing.assert_allclose(omega.get_xdata(), report["omega_total"])
    np.testing.assert_allclose(omega.get_ydata(), y - 0.12)
    segments = ax.collections[0].get_segments()
    np.testing.assert_allclose([s[0][0] for s in segments], report["alpha_ci_lower"])
    np.testing.assert_allclose([s[1][0] for s in segments], report["alpha_ci_upper"])
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "task (4 items)",
        "bond (4 items)",
        "goal (4 items)",
        "total (12 items)",
        "goal_task (8 items)",
    ]
    assert ax.get_xlabel() == "reliability coefficient (0–1)"
    assert tuple(ax.get_xlim()) == (0.0, 1.0)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Cronbach's alpha with its Feldt interval",
        "McDonald's omega total",
    ]


def test_scales_with_too_few_items_say_so() -> None:
    df = pd.DataFrame({"wai_1": [4, 5, 3, 4], "wai_2": [4, 4, 3, 2], "wai_3": [5, 5, 3, 1]})
    ax = plot_reliability(am.reliability_report(df, "wai-b3"))
    notes = [t.get_text() for t in ax.texts]
    assert notes == ["too few items for alpha and omega"] * 3  # goal, task, bond: 1 item
    assert ax.get_yticklabels()[0].get_text() == "goal (1 item)"


def test_a_negative_alpha_widens_the_axis() -> None:
    report = pd.DataFrame(
        {
            "scale": ["x"],
            "n_items": [3],
            "alpha": [-0.2],
            "alpha_ci_lower": [-0.9],
            "alpha_ci_upper": [0.3],
            "omega_total": [0.1],
        }
    )
    ax = plot_reliability(report)
    assert ax.get_xlim()[0] == pytest.approx(-0.9)


def test_image_of_reliability(report: pd.DataFrame, check_image: ImageCheck) -> None:
    figure = Figure(figsize=(7.0, 3.8), layout="constrained")
    plot_reliability(report, ax=figure.subplots())
    check_image(figure, "reliability")


def test_needs_a_reliability_report() -> None:
    with pytest.raises(am.InvalidParameterError, match="'report' parameter of plot_reliability"):
        plot_reliability(pd.DataFrame({"scale": ["x"]}))
    with pytest.raises(am.InvalidParameterError, match="'report' parameter"):
        plot_reliability([1, 2])  # type: ignore[arg-type]
