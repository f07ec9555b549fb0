"""What every plot promises: matplotlib only when called, the extra named when it is missing,
no global style change, no plt.show(), text of 9 points or more, the colour-blind-safe palette."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

import alliance_metrics as am
from alliance_metrics import plot
from alliance_metrics.plot._style import OKABE_ITO

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "data" / "wai_sr_example.csv"
DYADS = ROOT / "tests" / "golden" / "pictures" / "dyads.csv"


def _every_plot() -> list[tuple[str, Callable[[], object]]]:
    raw = pd.read_csv(EXAMPLE)
    scored = am.score_frame(raw, "wai-sr")
    dyads = pd.read_csv(DYADS)
    ruptures = am.detect_ruptures(scored, score="wai_sr_total")
    alerts = am.session_alerts(scored, score="wai_sr_total", cutoff=3.0, drop_points=0.5)
    key = ruptures["client_id"].iloc[0]
    return [
        (
            "trajectory",
            lambda: plot.plot_trajectory(
                scored,
                key,
                score="wai_sr_total",
                ruptures=ruptures,
                alerts=alerts,
                instrument="wai-sr",
            ),
        ),
        ("trajectories", lambda: plot.plot_trajectories(scored, score="wai_sr_total")),
        ("items", lambda: plot.plot_item_distributions(raw, "wai-sr")),
        ("scales", lambda: plot.plot_scale_distributions(scored, "wai-sr")),
        ("reliability", lambda: plot.plot_reliability(am.reliability_report(raw, "wai-sr"))),
        (
            "agreement",
            lambda: plot.plot_agreement(dyads, client_score="client", therapist_score="therapist"),
        ),
    ]


PLOTS = _every_plot()


def _figure(drawn: object) -> Figure:
    return drawn if isinstance(drawn, Figure) else drawn.figure  # type: ignore[attr-defined]


@pytest.mark.parametrize(("name", "draw"), PLOTS, ids=[n for n, _ in PLOTS])
def test_no_global_style_change_and_no_show(
    name: str, draw: Callable[[], object], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse() -> None:
        raise AssertionError("a plot called plt.show()")

    monkeypatch.setattr(plt, "show", refuse)
    before = dict(matplotlib.rcParams)
    figure = _figure(draw())
    figure.canvas.draw()  # text sizes and layout are settled when drawn
    assert dict(matplotlib.rcParams) == before


@pytest.mark.parametrize(("name", "draw"), PLOTS, ids=[n for n, _ in PLOTS])
def test_every_text_is_nine_points_or_more(name: str, draw: Callable[[], object]) -> None:
    figure = _figure(draw())
    figure.canvas.draw()
    texts = [t for t in figure.findobj(Text) if t.get_text() and t.get_visible()]
    assert texts
    small = [(t.get_text(), t.get_fontsize()) for t in texts if t.get_fontsize() < 9]
    assert not small


@pytest.mark.parametrize(("name", "draw"), PLOTS, ids=[n for n, _ in PLOTS])
def test_every_axis_is_labelled(name: str, draw: Callable[[], object]) -> None:
    figure = _figure(draw())
    for ax in figure.axes:
        if ax.get_visible():
            assert ax.get_xlabel()
            assert ax.get_ylabel()


def test_data_colours_come_from_the_palette() -> None:
    palette = {matplotlib.colors.to_hex(c) for c in OKABE_ITO.values()}
    for name, draw in PLOTS:
        if name in ("items", "scales"):
            continue  # ordered responses use cividis; histograms one palette colour
        axes = _figure(draw()).axes[0]
        colours = {matplotlib.colors.to_hex(line.get_color()) for line in axes.lines}
        assert colours <= palette, (name, colours - palette)


def test_missing_matplotlib_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, module, None)
    report = am.reliability_report(pd.read_csv(EXAMPLE), "wai-sr")
    with pytest.raises(am.MissingDependencyError, match=r'pip install "alliance-metrics\[plot\]"'):
        plot.plot_reliability(report)
    with pytest.raises(ImportError):  # it is an ImportError too
        plot.plot_reliability(report)


def test_importing_the_plots_or_the_report_does_not_import_matplotlib() -> None:
    code = (
        "import sys, alliance_metrics.plot, alliance_metrics.report, alliance_metrics as am; "
        "am.plot; sys.exit(3 if 'matplotlib' in sys.modules else 0)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert (proc.returncode, proc.stderr) == (0, "")


def test_am_plot_is_the_plot_module() -> None:
    assert am.plot is plot
    assert plot.__all__ == sorted(plot.__all__)
    assert all(callable(getattr(plot, name)) for name in plot.__all__)
