"""Bad inputs to the plots: library errors naming the plot and the parameter, nothing left open.

Every check happens before anything is drawn, in the plot the user called (never a message of
the analysis behind it, never a raw matplotlib or pandas error such as ``KeyError: 'top'``), and
a figure the plot made is closed again when drawing fails. A figure given to draw on is never
cleared: one that already holds axes is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.figure import Figure

import alliance_metrics as am
from alliance_metrics import plot

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "data" / "wai_sr_example.csv"
RAW = pd.read_csv(EXAMPLE)
SCORED = am.score_frame(RAW, "wai-sr")
SERIES = {"score": "wai_sr_total"}
KEY = "C0012"
DYADS = SCORED.assign(other=SCORED["wai_sr_total"] - 0.2)
PAIR = {"client_score": "wai_sr_total", "therapist_score": "other"}


def _polar() -> Any:
    return Figure().add_subplot(projection="polar")


def _with_text(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    return frame.assign(**{column: "high"})


RUPTURES = am.detect_ruptures(SCORED, score="wai_sr_total")
ALERTS = am.session_alerts(SCORED, score="wai_sr_total", cutoff=3.0)
MEANS = am.session_means(SCORED, score="wai_sr_total")
REPORT = am.reliability_report(RAW, "wai-sr")
ITEMS_B3 = am.item_distributions(
    pd.DataFrame({"wai_1": [4, 5], "wai_2": [3, 4], "wai_3": [5, 5]}), "wai-b3"
)
SCALES_B3 = am.scale_distributions(
    am.score_frame(pd.DataFrame({"wai_1": [4, 5], "wai_2": [3, 4], "wai_3": [5, 5]}), "wai-b3"),
    "wai-b3",
)

# (plot, call, parameter): each call must raise InvalidParameterError naming plot and parameter
CASES: list[tuple[str, Callable[[], object], str]] = [
    ("plot_trajectory", lambda: plot.plot_trajectory(SCORED, KEY, **SERIES, ax=_polar()), "ax"),
    ("plot_trajectory", lambda: plot.plot_trajectory({"a": 1}, KEY, **SERIES), "data"),
    ("plot_trajectory", lambda: plot.plot_trajectory(SCORED, [KEY], **SERIES), "client_key"),
    ("plot_trajectory", lambda: plot.plot_trajectory(SCORED, ("a", 1), **SERIES), "client_key"),
    (
        "plot_trajectory",
        lambda: plot.plot_trajectory(
            SCORED, KEY, **SERIES, ruptures=_with_text(RUPTURES, "baseline_value")
        ),
        "ruptures",
    ),
    (
        "plot_trajectory",
        lambda: plot.plot_trajectory(SCORED, KEY, **SERIES, alerts=ALERTS.drop(columns="alert")),
        "alerts",
    ),
    (
        "plot_trajectory",
        lambda: plot.plot_trajectory(
            SCORED, KEY, **SERIES, alerts=ALERTS.drop(columns="client_id")
        ),
        "alerts",
    ),
    ("plot_trajectory", lambda: plot.plot_trajectory(SCORED, KEY, **SERIES, scale=5), "scale"),
    (
        "plot_trajectory",
        lambda: plot.plot_trajectory(SCORED, KEY, **SERIES, aggregate="avg"),
        "aggregate",
    ),
    ("plot_trajectory", lambda: plot.plot_trajectory(SCORED, KEY, **SERIES, cutoff=[3]), "cutoff"),
    ("plot_trajectory", lambda: plot.plot_trajectory(SCORED, KEY, score=["x"]), "score"),
    ("plot_trajectories", lambda: plot.plot_trajectories(SCORED, **SERIES, ax=_polar()), "ax"),
    ("plot_trajectories", lambda: plot.plot_trajectories([1], **SERIES), "data"),
    (
        "plot_trajectories",
        lambda: plot.plot_trajectories(SCORED, **SERIES, means=pd.DataFrame({"x": [1]})),
        "means",
    ),
    (
        "plot_trajectories",
        lambda: plot.plot_trajectories(SCORED, **SERIES, means=_with_text(MEANS, "mean")),
        "means",
    ),
    (
        "plot_trajectories",
        lambda: plot.plot_trajectories(SCORED, **SERIES, means=MEANS, client="absent"),
        "client",
    ),
    (
        "plot_trajectories",
        lambda: plot.plot_trajectories(SCORED, **SERIES, means=MEANS, session=["x"]),
        "session",
    ),
    ("plot_trajectories", lambda: plot.plot_trajectories(SCORED, **SERIES, ci=1.5), "ci"),
    ("plot_trajectories", lambda: plot.plot_trajectories(SCORED, score="absent"), "score"),
    (
        "plot_trajectories",
        lambda: plot.plot_trajectories(SCORED, **SERIES, aggregate=1),
        "aggregate",
    ),
    (
        "plot_item_distributions",
        lambda: plot.plot_item_distributions(RAW, "wai-sr", ax=_polar()),
        "ax",
    ),
    ("plot_item_distributions", lambda: plot.plot_item_distributions([1], "wai-sr"), "data"),
    (
        "plot_item_distributions",
        lambda: plot.plot_item_distributions(RAW, "wai-sr", bins=0),
        "bins",
    ),
    (
        "plot_item_distributions",
        lambda: plot.plot_item_distributions(RAW, "wai-sr", flag_percent="x"),
        "flag_percent",
    ),
    (
        "plot_item_distributions",
        lambda: plot.plot_item_distributions(RAW, "wai-sr", on_invalid="skip"),
        "on_invalid",
    ),
    ("plot_item_distributions", lambda: plot.plot_item_distributions(ITEMS_B3, "wai-sr"), "data"),
    (
        "plot_scale_distributions",
        lambda: plot.plot_scale_distributions(SCORED, "wai-sr", figure=Figure().subplots().figure),
        "figure",
    ),
    ("plot_scale_distributions", lambda: plot.plot_scale_distributions((1,), "wai-sr"), "data"),
    (
        "plot_scale_distributions",
        lambda: plot.plot_scale_distributions(SCORED, "wai-sr", prefix=3),
        "prefix",
    ),
    (
        "plot_scale_distributions",
        lambda: plot.plot_scale_distributions(SCORED, "wai-sr", aggregate="avg"),
        "aggregate",
    ),
    (
        "plot_scale_distributions",
        lambda: plot.plot_scale_distributions(SCALES_B3, "wai-sr", aggregate="avg"),
        "aggregate",
    ),
    (
        "plot_scale_distributions",
        lambda: plot.plot_scale_distributions(SCALES_B3, "wai-sr"),
        "data",
    ),
    ("plot_reliability", lambda: plot.plot_reliability(REPORT, ax=_polar()), "ax"),
    ("plot_reliability", lambda: plot.plot_reliability(_with_text(REPORT, "alpha")), "report"),
    ("plot_agreement", lambda: plot.plot_agreement(DYADS, **PAIR, ax=_polar()), "ax"),
    ("plot_agreement", lambda: plot.plot_agreement([1, 2], **PAIR), "data"),
    ("plot_agreement", lambda: plot.plot_agreement(DYADS, **PAIR, multiplier=-1), "multiplier"),
    (
        "plot_agreement",
        lambda: plot.plot_agreement(am.bland_altman(DYADS, **PAIR), ci=2),
        "ci",
    ),
    (
        "plot_agreement",
        lambda: plot.plot_agreement(DYADS, client_score="absent", therapist_score="other"),
        "client_score",
    ),
]


@pytest.mark.parametrize(
    ("function", "call", "parameter"), CASES, ids=[f"{f}-{p}" for f, _, p in CASES]
)
def test_a_bad_argument_names_the_plot_and_the_parameter_and_leaves_nothing_open(
    function: str, call: Callable[[], object], parameter: str
) -> None:
    before = plt.get_fignums()
    with pytest.raises(am.InvalidParameterError) as caught:
        call()
    assert (caught.value.function, caught.value.parameter) == (function, parameter)
    assert f"The {parameter!r} parameter of {function} must" in str(caught.value)
    assert plt.get_fignums() == before


def test_an_unknown_client_key_is_never_shown() -> None:
    with pytest.raises(am.InvalidParameterError) as caught:
        plot.plot_trajectory(SCORED, "C9999-secret", **SERIES)
    assert caught.value.parameter == "client_key"
    assert "C9999-secret" not in str(caught.value)


def test_scores_that_are_not_numbers_are_an_input_error_of_the_plot() -> None:
    with pytest.raises(am.InputFormatError):
        plot.plot_trajectories(_with_text(SCORED, "wai_sr_total"), **SERIES)
    with pytest.raises(am.InputFormatError, match="plot_scale_distributions needs the score"):
        plot.plot_scale_distributions(RAW, "wai-sr")
    assert plt.get_fignums() == []


DRAWN: list[tuple[str, Callable[[], object]]] = [
    ("trajectories", lambda: plot.plot_trajectory(SCORED, KEY, **SERIES)),
    ("spaghetti", lambda: plot.plot_trajectories(SCORED, **SERIES)),
    ("distributions", lambda: plot.plot_item_distributions(RAW, "wai-sr")),
    ("distributions", lambda: plot.plot_scale_distributions(SCORED, "wai-sr")),
    ("reliability", lambda: plot.plot_reliability(REPORT)),
    ("agreement", lambda: plot.plot_agreement(DYADS, **PAIR)),
]


@pytest.mark.parametrize(("module", "call"), DRAWN)
def test_a_figure_the_plot_made_is_closed_when_drawing_fails(
    module: str, call: Callable[[], object], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(f"alliance_metrics.plot.{module}.finish_axes", broken)
    with pytest.raises(RuntimeError, match="drawing failed"):
        call()
    assert plt.get_fignums() == []


def test_a_figure_with_axes_is_refused_and_left_as_it_was() -> None:
    figure = Figure()
    mine = figure.subplots()
    mine.plot([1, 2], [3, 4])
    figure.suptitle("my own")
    with pytest.raises(am.InvalidParameterError, match="hold no axes yet"):
        plot.plot_scale_distributions(SCORED, "wai-sr", figure=figure)
    assert figure.axes == [mine]
    assert len(mine.lines) == 1
    assert figure.get_suptitle() == "my own"


def test_an_empty_figure_keeps_its_title_and_a_subfigure_its_neighbours() -> None:
    figure = Figure(layout="constrained")
    figure.suptitle("my own")
    assert plot.plot_scale_distributions(SCORED, "wai-sr", figure=figure) is figure
    assert figure.get_suptitle() == "my own"
    assert len([ax for ax in figure.axes if ax.get_visible()]) == 5

    beside = Figure(layout="constrained")
    left, right = beside.subfigures(1, 2)
    mine = left.subplots()
    assert plot.plot_scale_distributions(SCORED, "wai-sr", figure=right) is right
    assert mine in beside.axes
    assert len(right.axes) == 6  # five scales on a 2 × 3 grid
    assert right.axes[3].get_xlabel() == "WAI-SR Total (mean, 1–5)"


def test_a_mathtext_client_key_draws_when_the_figure_is_drawn() -> None:
    key = "$\\q$"
    data = SCORED.assign(client_id=SCORED["client_id"].replace({KEY: key}))
    ax = plot.plot_trajectory(data, key, **SERIES, ax=Figure().subplots())
    ax.figure.canvas.draw()  # mathtext used to fail here, after the call had returned
    assert ax.get_title(loc="left") == "client \\$\\q\\$"  # matplotlib's escape of a dollar


def test_a_repeated_column_name_is_not_a_table_of_the_analysis() -> None:
    means = pd.concat([MEANS, MEANS[["mean"]]], axis=1)  # two 'mean' columns
    with pytest.raises(am.InvalidParameterError) as caught:
        plot.plot_trajectories(SCORED, **SERIES, means=means)
    assert caught.value.parameter == "means"


def test_the_callers_axes_stay_open_when_drawing_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("drawing failed")

    monkeypatch.setattr("alliance_metrics.plot.reliability.finish_axes", broken)
    monkeypatch.setattr("alliance_metrics.plot.distributions.finish_axes", broken)
    ax = plt.figure().subplots()
    with pytest.raises(RuntimeError, match="drawing failed"):
        plot.plot_reliability(REPORT, ax=ax)
    figure = plt.figure()
    with pytest.raises(RuntimeError, match="drawing failed"):
        plot.plot_scale_distributions(SCORED, "wai-sr", figure=figure)
    assert plt.get_fignums() == [ax.figure.number, figure.number]  # the caller's, left open
