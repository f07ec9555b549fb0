"""Session series: one client's trajectory with its events, and the spaghetti plot of many.

The plots draw what the session-series analyses return (``detect_ruptures``,
``session_alerts``, ``session_means``); they compute no statistic. A session without a valid
score is a gap in the line, never interpolated.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliance_metrics._optional import import_optional
from alliance_metrics._params import bad_parameter, check_frame, check_int
from alliance_metrics.longitudinal._series import prepare_series
from alliance_metrics.longitudinal.session_means import session_means
from alliance_metrics.plot._style import (
    LABEL_SIZE,
    OKABE_ITO,
    SMALL_SIZE,
    ScaleAxis,
    check_column,
    finish_axes,
    new_axes,
    scale_axis,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_trajectories", "plot_trajectory"]

FloatArray = npt.NDArray[np.float64]


def _grid(sessions: npt.NDArray[np.int64], scores: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Every session from the first to the last; NaN where there is no valid score."""
    first = int(sessions.min())
    x = np.arange(first, int(sessions.max()) + 1, dtype=np.float64)
    y = np.full(len(x), np.nan)
    y[sessions - first] = scores
    return x, y


def _limit_axis(ax: Axes, axis: ScaleAxis) -> None:
    limits = axis.limits()
    if limits is not None:
        ax.set_ylim(*limits)
    ticker = import_optional("matplotlib.ticker", "plot", "drawing plots")
    ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))


def _checked_table(table: object, parameter: str, needed: tuple[Hashable, ...]) -> pd.DataFrame:
    """Return an event table if it has the columns drawn from it, else raise."""
    if not isinstance(table, pd.DataFrame) or any(name not in table.columns for name in needed):
        shown = ", ".join(map(repr, needed))
        raise bad_parameter(
            parameter, "plot_trajectory", f"be a table with the columns {shown}", table
        )
    return table


def _cutoff_of(cutoff: object, alerts: pd.DataFrame | None) -> float | None:
    if cutoff is None and alerts is not None:
        settings: Any = alerts.attrs.get("alliance_metrics", {})
        cutoff = settings.get("cutoff") if isinstance(settings, dict) else None
    if cutoff is None:
        return None
    if isinstance(cutoff, bool) or not isinstance(cutoff, int | float) or not np.isfinite(cutoff):
        raise bad_parameter("cutoff", "plot_trajectory", "be a finite number or None", cutoff)
    return float(cutoff)


def _draw_events(
    ax: Axes,
    x: FloatArray,
    y: FloatArray,
    ruptures: pd.DataFrame | None,
    alerts: pd.DataFrame | None,
    names: tuple[Hashable, Hashable, Hashable],
    key: object,
) -> None:
    client, session, score = names
    if ruptures is not None:
        found = ruptures.loc[ruptures[client] == key]
        at = found["session"].to_numpy(dtype=np.float64)
        ax.vlines(
            at,
            found["score"],
            found["baseline_value"],
            colors=OKABE_ITO["vermillion"],
            linestyles=":",
            linewidth=1.5,
        )
        ax.plot(
            at,
            found["score"],
            linestyle="none",
            marker="v",
            markersize=11,
            color=OKABE_ITO["vermillion"],
            label="rupture (dotted: drop from baseline)",
        )
        repaired = found["repair_session"].dropna().to_numpy(dtype=np.int64)
        where = repaired - int(x[0])
        ax.plot(
            repaired,
            y[where],
            linestyle="none",
            marker="^",
            markersize=11,
            color=OKABE_ITO["bluish_green"],
            label="repair",
        )
    if alerts is not None:
        flagged = alerts.loc[alerts[client] == key]
        flagged = flagged.loc[flagged["alert"].fillna(False).astype(bool)]
        ax.plot(
            flagged[session].to_numpy(dtype=np.float64),
            flagged[score],
            linestyle="none",
            marker="o",
            markersize=15,
            markerfacecolor="none",
            markeredgewidth=2,
            color=OKABE_ITO["orange"],
            label="alert",
        )


def plot_trajectory(
    data: pd.DataFrame,
    client_key: object,
    *,
    score: Hashable,
    client: Hashable = "client_id",
    session: Hashable = "session",
    ruptures: pd.DataFrame | None = None,
    alerts: pd.DataFrame | None = None,
    cutoff: float | None = None,
    instrument: Any = None,
    scale: str | None = None,
    aggregate: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw one client's scores session by session, with ruptures, repairs and alerts.

    Sessions without a valid score are gaps in the line (never interpolated) and are marked
    ``×`` along the bottom; the band below the cut-off is shaded.

    Parameters
    ----------
    data
        Long table, one row per administration (a scored frame, say).
    client_key
        The client to draw: a value of the ``client`` column.
    score, client, session
        Column names.
    ruptures
        The table :func:`~alliance_metrics.detect_ruptures` returned for ``data``: ruptures
        (▼, dotted down from their baseline) and repairs (▲) are marked.
    alerts
        The table :func:`~alliance_metrics.session_alerts` returned: alerts are circled.
    cutoff
        Shade the band below this score; ``None`` takes the cut-off ``alerts`` used, if any.
    instrument, scale, aggregate
        Label and bound the score axis by the instrument's scale (``scale=None``: the scale
        whose id ends the score column's name; ``aggregate=None``: as scored). Without an
        instrument the axis follows the data and is labelled with the column name.
    ax
        Axes to draw on; ``None`` makes a new figure.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> import alliance_metrics as am
    >>> from alliance_metrics.plot import plot_trajectory
    >>> df = pd.DataFrame({"client_id": "A", "session": [1, 2, 3, 4, 6, 7, 8],
    ...                    "wai": [4.2, 4.4, 4.5, 3.2, 4.5, 4.6, 4.4]})
    >>> found = am.detect_ruptures(df, score="wai", k=1.5)
    >>> ax = plot_trajectory(df, "A", score="wai", ruptures=found, cutoff=3.5,
    ...                      instrument="wai-sr", scale="total")
    >>> ax.get_ylabel(), [float(y) for y in ax.get_ylim()]
    ('WAI-SR Total (mean, 1–5)', [0.88, 5.12])
    >>> ax.lines[0].get_ydata().tolist()  # session 5 is a gap
    [4.2, 4.4, 4.5, 3.2, nan, 4.5, 4.6, 4.4]
    >>> import matplotlib.pyplot as plt
    >>> plt.close(ax.figure)
    """
    func = "plot_trajectory"
    frame = check_frame(data, func, "data")
    client_name = check_column(frame, client, "client", func)
    rows = frame.loc[frame[client_name] == client_key]
    if rows.empty:
        raise bad_parameter("client_key", func, f"be a value of the column {client!r}", client_key)
    series = prepare_series(rows, score=score, client=client, session=session, func=func)
    if ruptures is not None:
        needed = (client_name, "session", "score", "baseline_value", "repair_session")
        ruptures = _checked_table(ruptures, "ruptures", needed)
    if alerts is not None:
        alerts = _checked_table(alerts, "alerts", (client_name, session, score, "alert"))
    axis = scale_axis(frame, instrument, score, scale, aggregate, func)
    band = _cutoff_of(cutoff, alerts)
    axes = new_axes(ax, func, (7.0, 4.0))
    x, y = _grid(series.sessions, series.scores)
    if band is not None:
        bottom = axis.low if axis.low is not None else min(band, float(np.nanmin(y, initial=band)))
        axes.axhspan(
            bottom,
            band,
            color=OKABE_ITO["sky_blue"],
            alpha=0.25,
            linewidth=0,
            label=f"below the cut-off ({band:g})",
        )
    axes.plot(x, y, color=OKABE_ITO["blue"], linewidth=2, marker="o", markersize=6, label="score")
    missing = x[np.isnan(y)]
    axes.plot(
        missing,
        np.zeros(len(missing)),
        linestyle="none",
        marker="x",
        markersize=7,
        color=OKABE_ITO["grey"],
        transform=axes.get_xaxis_transform(),
        label="no score",
        clip_on=False,
    )
    _draw_events(axes, x, y, ruptures, alerts, (series.client_name, session, score), client_key)
    _limit_axis(axes, axis)
    finish_axes(axes, xlabel="session", ylabel=axis.label, title=f"client {client_key}")
    axes.legend(
        fontsize=SMALL_SIZE, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=3
    )
    return axes


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
        Long table, one row per administration.
    score, client, session
        Column names.
    max_clients
        Most clients drawn as lines, ≥ 0.
    seed
        Seed of the random choice of clients.
    means
        A :func:`~alliance_metrics.session_means` table to draw instead of computing it.
    ci
        Level of the band when ``means`` is computed here.
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
    frame = check_frame(data, func, "data")
    cap = check_int(max_clients, "max_clients", func, minimum=0)
    start = check_int(seed, "seed", func, minimum=0)
    if means is None:
        means = session_means(frame, score=score, client=client, session=session, ci=ci)
    mean_table = check_frame(means, func, "means")
    axis = scale_axis(frame, instrument, score, scale, aggregate, func)
    keys = pd.Index(pd.unique(frame[client]))
    shown = _sample_keys(keys, cap, start)
    picked = frame.loc[frame[client].isin(shown)]
    axes = new_axes(ax, func, (7.0, 3.6))
    if len(picked):
        series = prepare_series(picked, score=score, client=client, session=session, func=func)
        first = int(series.sessions.min())
        width = int(series.sessions.max()) - first + 1
        lines = np.full((width, series.n_clients), np.nan)
        lines[series.sessions - first, series.codes] = series.scores
        axes.plot(
            np.arange(first, first + width),
            lines,
            color=OKABE_ITO["grey"],
            linewidth=0.8,
            alpha=0.6,
        )
    level = mean_table.attrs.get("alliance_metrics", {}).get("ci", ci)
    x = mean_table["session"].to_numpy(dtype=np.float64)
    axes.fill_between(
        x,
        mean_table["ci_lower"],
        mean_table["ci_upper"],
        color=OKABE_ITO["sky_blue"],
        alpha=0.45,
        linewidth=0,
        label=f"{100 * level:g} % CI of the mean",
    )
    axes.plot(
        x,
        mean_table["mean"],
        color=OKABE_ITO["black"],
        linewidth=2.5,
        marker="o",
        markersize=5,
        label="mean of the clients attending",
    )
    _limit_axis(axes, axis)
    sampled = f"{len(shown)} of {len(keys)} clients (random sample, seed {start})"
    whole = f"all {len(keys)} clients"
    title = f"{sampled if len(shown) < len(keys) else whole}, mean with {100 * level:g} % CI"
    finish_axes(axes, xlabel="session", ylabel=axis.label, title=title)
    axes.legend(fontsize=SMALL_SIZE, frameon=False, loc="lower left")
    axes.title.set_fontsize(LABEL_SIZE)
    return axes
