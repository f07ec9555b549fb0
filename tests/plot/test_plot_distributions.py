"""plot_item_distributions and plot_scale_distributions: bars, annotations, labels, images."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from image_check import ImageCheck
from matplotlib.figure import Figure

import alliance_metrics as am
from alliance_metrics.plot import plot_item_distributions, plot_scale_distributions

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "data" / "wai_sr_example.csv"


@pytest.fixture(scope="module")
def example() -> pd.DataFrame:
    return pd.read_csv(EXAMPLE)


def test_bars_are_the_shares_of_each_answer_stacked_in_form_order(example: pd.DataFrame) -> None:
    ax = plot_item_distributions(example, "wai-sr")
    assert len(ax.patches) == 60
    bars = np.array([[p.get_x(), p.get_y(), p.get_width()] for p in ax.patches])
    bars = bars.reshape(5, 12, 3)  # one container per response, items top to bottom
    for number in (1, 8, 12):
        answers = example[f"wai_{number}"].dropna()
        shares = 100 * answers.value_counts().reindex([1, 2, 3, 4, 5], fill_value=0) / len(answers)
        widths = bars[:, number - 1, 2]
        np.testing.assert_allclose(widths, shares, atol=1e-9)
        np.testing.assert_allclose(bars[:, number - 1, 0], np.cumsum([0, *shares[:-1]]), atol=1e-9)
        # item 1 at the top (y = 11), item 12 at the bottom (y = 0); bars are centred on y
        np.testing.assert_allclose(bars[:, number - 1, 1] + 0.375, 12 - number)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [str(n) for n in range(1, 13)]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["1 Seldom", "2 Sometimes", "3 Fairly Often", "4 Very Often", "5 Always"]


def test_floor_and_ceiling_are_printed_and_flags_are_bold(example: pd.DataFrame) -> None:
    ax = plot_item_distributions(example, "wai-sr")
    texts = {(round(t.get_position()[0]), round(t.get_position()[1], 2)): t for t in ax.texts}
    answers = example["wai_12"].dropna()  # item 12, drawn at y = 0
    ceiling = 100 * (answers == 5).mean()
    floor = 100 * (answers == 1).mean()
    assert texts[(102, 0)].get_text() == f"{ceiling:.1f} %"
    assert texts[(-2, 0)].get_text() == f"{floor:.1f} %"
    assert (texts[(102, 0)].get_fontweight() == "bold") == (ceiling >= 15)
    answers = example["wai_8"].dropna()  # item 8 at y = 4: ceiling under 15 %
    assert 100 * (answers == 5).mean() < 15
    assert texts[(102, 4)].get_fontweight() == "normal"
    assert ax.get_xlabel() == "% of the answers to the item (0–100)"


def test_the_analysis_result_is_drawn_as_given(example: pd.DataFrame) -> None:
    found = am.item_distributions(example, "wai-sr", flag_percent=50)
    ax = plot_item_distributions(found, "wai-sr")
    assert not any(t.get_fontweight() == "bold" for t in ax.texts)
    assert "≥ 50 %" in ax.get_title(loc="left")


def test_visual_analogue_items_show_bins() -> None:
    df = pd.DataFrame({f"srs_{n}": [0.0, 5.5, 9.9, 10.0] for n in range(1, 5)})
    ax = plot_item_distributions(df, "srs", columns="srs_{n}", bins=5)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["0–2", "2–4", "4–6", "6–8", "8–10"]
    assert len(ax.patches) == 20


def test_image_of_item_distributions(example: pd.DataFrame, check_image: ImageCheck) -> None:
    figure = Figure(figsize=(7.5, 6.0), layout="constrained")
    plot_item_distributions(example, "wai-sr", ax=figure.subplots())
    check_image(figure, "item_distributions")


def test_scale_panels_draw_the_histograms(example: pd.DataFrame) -> None:
    scored = am.score_frame(example, "wai-sr")
    found = am.scale_distributions(scored, "wai-sr")
    figure = plot_scale_distributions(scored, "wai-sr")
    visible = [ax for ax in figure.axes if ax.get_visible()]
    assert len(figure.axes) == 6
    assert len(visible) == 5
    total = visible[3]
    bins = found.histogram[found.histogram["scale"] == "total"]
    np.testing.assert_allclose([p.get_height() for p in total.patches], bins["percent"])
    np.testing.assert_allclose([p.get_x() for p in total.patches], bins["left"])
    assert total.get_xlabel() == "WAI-SR Total (mean, 1–5)"
    assert total.get_ylabel() == "% of scores"
    low, high = total.get_xlim()
    assert low <= 1 - 1 / 24  # the whole possible range is shown
    assert high >= 5


def test_image_of_scale_distributions(example: pd.DataFrame, check_image: ImageCheck) -> None:
    canvas = Figure(figsize=(9.9, 5.2), layout="constrained")
    found = am.scale_distributions(am.score_frame(example, "wai-sr"), "wai-sr")
    assert plot_scale_distributions(found, "wai-sr", figure=canvas) is canvas
    check_image(canvas, "scale_distributions")


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda df: plot_item_distributions(df, "wai-sr", ax=1), "ax"),
        (lambda df: plot_item_distributions(df, 42), "instrument"),
        (lambda df: plot_scale_distributions(df, "wai-sr", figure="f"), "figure"),
        (lambda df: plot_scale_distributions(df, None), "instrument"),
    ],
)
def test_bad_arguments(example: pd.DataFrame, call: object, parameter: str) -> None:
    with pytest.raises(am.InvalidParameterError) as caught:
        call(am.score_frame(example, "wai-sr"))  # type: ignore[operator]
    assert caught.value.parameter == parameter


def test_one_bin_is_one_colour() -> None:
    df = pd.DataFrame({f"srs_{n}": [0.0, 5.5] for n in range(1, 5)})
    ax = plot_item_distributions(df, "srs", columns="srs_{n}", bins=1)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["0–10"]
    assert len({p.get_facecolor() for p in ax.patches}) == 1
