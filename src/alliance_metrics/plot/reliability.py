"""Reliability per scale: alpha with its Feldt interval and omega total, one row per scale.

Drawn from :func:`~alliance_metrics.reliability_report`; nothing is estimated here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from alliance_metrics.plot._style import (
    OKABE_ITO,
    SMALL_SIZE,
    checked_table,
    drawing_axes,
    finish_axes,
    literal,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_reliability"]

_NEEDED = ("n_items", "alpha", "alpha_ci_lower", "alpha_ci_upper", "omega_total")
"""The columns of numbers drawn from a ``reliability_report`` (beside its ``scale``)."""


def plot_reliability(report: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Draw alpha with its Feldt interval and omega total for every scale of a report.

    Parameters
    ----------
    report
        The table :func:`~alliance_metrics.reliability_report` returned (scales top to
        bottom in its order; pandas, polars or pyarrow). A coefficient a scale has too few
        items for is left out and its row says so.
    ax
        Axes to draw on; ``None`` makes a new figure.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> import alliance_metrics as am
    >>> from alliance_metrics.plot import plot_reliability
    >>> report = am.reliability_report(pd.read_csv("examples/data/wai_sr_example.csv"), "wai-sr")
    >>> ax = plot_reliability(report)
    >>> [t.get_text() for t in ax.get_yticklabels()][:2], [float(x) for x in ax.get_xlim()]
    (['task (4 items)', 'bond (4 items)'], [0.0, 1.0])
    >>> import matplotlib.pyplot as plt
    >>> plt.close(ax.figure)
    """
    func = "plot_reliability"
    table = checked_table(report, "report", func, key="scale", numbers=_NEEDED)
    n = len(table)
    with drawing_axes(ax, func, (7.0, 0.45 * n + 1.6)) as axes:
        _draw(axes, table)
    return axes


def _draw(axes: Axes, table: pd.DataFrame) -> None:
    n = len(table)
    y = np.arange(n)[::-1].astype(np.float64)
    alpha = table["alpha"].to_numpy(dtype=np.float64)
    lower = table["alpha_ci_lower"].to_numpy(dtype=np.float64)
    upper = table["alpha_ci_upper"].to_numpy(dtype=np.float64)
    omega = table["omega_total"].to_numpy(dtype=np.float64)
    axes.hlines(y + 0.12, lower, upper, colors=OKABE_ITO["blue"], linewidth=2)
    axes.plot(
        alpha,
        y + 0.12,
        linestyle="none",
        marker="o",
        markersize=7,
        color=OKABE_ITO["blue"],
        label="Cronbach's alpha with its Feldt interval",
    )
    axes.plot(
        omega,
        y - 0.12,
        linestyle="none",
        marker="D",
        markersize=6,
        color=OKABE_ITO["vermillion"],
        label="McDonald's omega total",
    )
    for row in np.flatnonzero(np.isnan(alpha) | np.isnan(omega)):
        missing = "alpha and omega" if np.isnan(alpha[row]) else "omega"
        axes.text(
            0.02,
            y[row],
            f"too few items for {missing}",
            va="center",
            fontsize=SMALL_SIZE,
            color=OKABE_ITO["black"],
        )
    bottom = float(np.nanmin(np.concatenate([lower, alpha, omega, [0.0]])))
    axes.set_xlim(float(min(0.0, bottom)), 1.0)
    axes.set_ylim(-0.6, n - 0.4)
    names = [
        literal(f"{s} ({k} item{'s' if k != 1 else ''})")
        for s, k in zip(table["scale"], table["n_items"], strict=True)
    ]
    axes.set_yticks(y, names)
    finish_axes(
        axes,
        xlabel="reliability coefficient (0–1)",
        ylabel="scale",
        title="Reliability in this sample",
    )
    axes.grid(axis="x", color="#DDDDDD", linewidth=0.8)
    axes.set_axisbelow(True)
    axes.legend(
        fontsize=SMALL_SIZE, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncols=2
    )
