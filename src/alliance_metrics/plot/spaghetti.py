"""Many clients at once: every series as a thin line (a seeded sample) and the mean trajectory.

Drawn from :func:`~alliance_metrics.session_means` (the thick line and its band); the plot
computes no statistic. A session without a valid score is a gap in a client's line.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from alliance_metrics._params import check_ci, check_frame, check_int
from alliance_metrics.longitudinal._series import prepare_series
from alliance_metrics.longitudinal.session_means import mean_trajectory
from alliance_metrics.plot._style import (
    LABEL_SIZE,
    OKABE_ITO,
    SMALL_SIZE,
    as_pandas,
    check_column,
    checked_table,
    drawing_axes,
    finish_axes,
    limit_score_axis,
    scale_axis,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_trajectories"]

_MEANS_DRAWN = ("session", "mean", "ci_lower", "ci_upper")
"""The columns of a ``session_means`` table that the plot draws."""


def _sample_keys(keys: pd.Index, max_clients: int, seed: int) -> pd.Index:
    if len(keys) <= max_clients:
        return keys
    chosen = np.random.default_rng(seed).choice(len(keys), size=max_clients, replace=False)
    return keys.take(np.sort(chosen))


def plot_trajectories(
    data: pd.DataFrame,
    *,
    score: Hashable,
    client: Hashable = "client_id",
    session: Hashable = "session",
    max_clients: int = 50,
    seed: int = 0,
    means: pd.DataFrame | None = None,
    ci: float = 0.95,
    instrument: Any = None,
    scale: str | None = None,
    aggregate: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw every client's series (a spaghetti plot) with the mean trajectory and its band.

    The mean and its confidence band come from :func:`~alliance_metrics.session_means` over
    all of ``data``; the thin lines are at most ``max_clients`` clients drawn at random (with
    ``seed``, so the picture is the same every time).

    Parameters
    ----------
    data
        Long table, one row per administration (pandas, polars or pyarrow).
    score, client, session
        Column names.
    max_clients
        Most clients drawn as lines, ≥ 0.
    seed
        Seed of the random choice of clients.
    means
        A :func:`~alliance_metrics.session_means` table to draw instead of computing it.
    ci
        Level of the band when ``means`` is computed here, and the level shown for a
        ``means`` table that does not record its own (a polars DataFrame cannot).
    instrument, scale, aggregate
        Label and bound the score axis, as for :func:`plot_trajectory`.
    ax
        Axes to draw on; ``None`` makes a new figure.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> import alliance_metrics as am
    >>> from alliance_metrics.plot import plot_trajectories
    >>> scored = am.score_frame(pd.read_csv("examples/data/wai_sr_example.csv"), "wai-sr")
    >>> ax = plot_trajectories(scored, score="wai_sr_total", instrument="wai-sr", max_clients=10)
    >>> ax.get_title(loc="left")
    '10 of 40 clients (random sample, seed 0), mean with 95 % CI'
    >>> import matplotlib.pyplot as plt
    >>> plt.close(ax.figure)
    """
    func = "plot_trajectories"
    frame = check_frame(as_pandas(data, func, "data"), func, "data", other_tables=True)
    for name, parameter in ((score, "score"), (client, "client"), (session, "session")):
        check_column(frame, name, parameter, func)
    cap = check_int(max_clients, "max_clients", func, minimum=0)
    start = check_int(seed, "seed", func, minimum=0)
    level = check_ci(ci, func)
    if means is None:
        mean_table = mean_trajectory(frame, score, client, session, level, func)
    else:
        mean_table = checked_table(means, "means", func, numbers=_MEANS_DRAWN)
        level = _recorded_level(mean_table, level)
    axis = scale_axis(frame, instrument, score, scale, aggregate, func)
    keys = pd.Index(pd.unique(frame[client]))
    shown = _sample_keys(keys, cap, start)
    picked = frame.loc[frame[client].isin(shown)]
    lines = None
    if len(picked):
        series = prepare_series(picked, score=score, client=client, session=session, func=func)
        first = int(series.sessions.min())
        width = int(series.sessions.max()) - first + 1
        lines = np.full((width, series.n_clients), np.nan)
        lines[series.sessions - first, series.codes] = series.scores
    with drawing_axes(ax, func, (7.0, 3.6)) as axes:
        if lines is not None:
            axes.plot(
                np.arange(first, first + width),
                lines,
                color=OKABE_ITO["grey"],
                linewidth=0.8,
                alpha=0.6,
            )
        _draw_means(axes, mean_table, level)
        limit_score_axis(axes, axis)
        sampled = f"{len(shown)} of {len(keys)} clients (random sample, seed {start})"
        whole = f"all {len(keys)} clients"
        title = f"{sampled if len(shown) < len(keys) else whole}, mean with {100 * level:g} % CI"
        finish_axes(axes, xlabel="session", ylabel=axis.label, title=title)
        axes.legend(fontsize=SMALL_SIZE, frameon=False, loc="lower left")
        axes.title.set_fontsize(LABEL_SIZE)
    return axes


def _recorded_level(means: pd.DataFrame, default: float) -> float:
    """Return the level ``session_means`` recorded in its table's attrs, else ``default``."""
    recorded: Any = means.attrs.get("alliance_metrics")
    level = recorded.get("ci") if isinstance(recorded, dict) else None
    if isinstance(level, float) and 0.0 < level < 1.0:
        return level
    return default


def _draw_means(axes: Axes, means: pd.DataFrame, level: float) -> None:
    x = means["session"].to_numpy(dtype=np.float64)
    axes.fill_between(
        x,
        means["ci_lower"].to_numpy(dtype=np.float64),
        means["ci_upper"].to_numpy(dtype=np.float64),
        color=OKABE_ITO["sky_blue"],
        alpha=0.45,
        linewidth=0,
        label=f"{100 * level:g} % CI of the mean",
    )
    axes.plot(
        x,
        means["mean"].to_numpy(dtype=np.float64),
        color=OKABE_ITO["black"],
        linewidth=2.5,
        marker="o",
        markersize=5,
        label="mean of the clients attending",
    )
