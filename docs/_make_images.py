"""Make the pictures of docs/plots.md and docs/report.md from the bundled example.

Run from the repository root: ``python docs/_make_images.py``. The plots need the ``[plot]``
extra; the screenshot of the report needs headless Chromium (Debian package ``chromium``).
Every picture is made from synthetic data (``examples/data``, ``tests/golden/pictures``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import matplotlib
import matplotlib.style
import pandas as pd
from matplotlib.figure import Figure

import alliance_metrics as am
from alliance_metrics import plot

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
EXAMPLE = ROOT / "examples" / "data" / "wai_sr_example.csv"
DYADS = ROOT / "tests" / "golden" / "pictures" / "dyads.csv"
DPI = 100


def _save(figure: Figure, name: str) -> None:
    figure.savefig(IMAGES / f"{name}.png", dpi=DPI, metadata={"Software": None})


def plots() -> None:
    """Draw one picture per plot function, as docs/plots.md draws them."""
    raw = pd.read_csv(EXAMPLE)
    scored = am.score_frame(raw, "wai-sr")
    ruptures = am.detect_ruptures(scored, score="wai_sr_total")
    alerts = am.session_alerts(scored, score="wai_sr_total", cutoff=3.0, drop_points=0.5)
    figure = Figure(figsize=(7.0, 4.0), layout="constrained")
    plot.plot_trajectory(
        scored,
        "C0012",
        score="wai_sr_total",
        ruptures=ruptures,
        alerts=alerts,
        instrument="wai-sr",
        ax=figure.subplots(),
    )
    _save(figure, "plot-trajectory")
    figure = Figure(figsize=(7.0, 3.6), layout="constrained")
    plot.plot_trajectories(
        scored, score="wai_sr_total", instrument="wai-sr", max_clients=20, ax=figure.subplots()
    )
    _save(figure, "plot-trajectories")
    figure = Figure(figsize=(7.5, 6.0), layout="constrained")
    plot.plot_item_distributions(raw, "wai-sr", ax=figure.subplots())
    _save(figure, "plot-item-distributions")
    figure = Figure(figsize=(9.9, 5.2), layout="constrained")
    plot.plot_scale_distributions(scored, "wai-sr", figure=figure)
    _save(figure, "plot-scale-distributions")
    figure = Figure(figsize=(7.0, 3.8), layout="constrained")
    plot.plot_reliability(am.reliability_report(raw, "wai-sr"), ax=figure.subplots())
    _save(figure, "plot-reliability")
    dyads = pd.read_csv(DYADS).rename(columns={"client": "wai_sr_total", "therapist": "wai_t"})
    figure = Figure(figsize=(7.0, 4.2), layout="constrained")
    plot.plot_agreement(
        dyads,
        client_score="wai_sr_total",
        therapist_score="wai_t",
        instrument="wai-sr",
        ax=figure.subplots(),
    )
    _save(figure, "plot-agreement")


def report_screenshot() -> None:
    """Take the top of the example's report as headless Chromium shows it (offline)."""
    browser = shutil.which("chromium")
    if browser is None:
        sys.exit("the screenshot needs headless Chromium (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "report.html"
        am.build_report(
            EXAMPLE,
            "wai-sr",
            client="client_id",
            session="session",
            cutoff=3.0,
            drop_points=0.5,
            output=page,
        )
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={folder}/profile",
            "--window-size=1100,1500",
            f"--screenshot={IMAGES / 'report-example.png'}",
            page.as_uri(),
        ]
        subprocess.run(command, check=True, capture_output=True, timeout=120)


if __name__ == "__main__":
    with matplotlib.style.context("default"):
        plots()
    report_screenshot()
