"""One client's trajectory with its events: ruptures, repairs, alerts and the cut-off band.

The plot draws what the session-series analyses return (``detect_ruptures``,
``session_alerts``); it computes no statistic. A session without a valid score is a gap in the
line, never interpolated. The spaghetti plot of many clients is in :mod:`.spaghetti`.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliance_metrics._params import bad_parameter, check_frame
from alliance_metrics.errors import InvalidParameterError
from alliance_metrics.longitudinal._series import prepare_series
from alliance_metrics.plot._style import (
    OKABE_ITO,
    SMALL_SIZE,
    ScaleAxis,
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

__all__ = ["plot_trajectory"]

FloatArray = npt.NDArray[np.float64]


def _grid(sessions: npt.NDArray[np.int64], scores: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Every session from the first to the last; NaN where there is no valid score."""
    first = int(sessions.min())
    x = np.arange(first, int(sessions.max()) + 1, dtype=np.float64)
    y = np.full(len(x), np.nan)
    y[sessions - first] = scores
    return x, y


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
        repaired = found["repair_session"].dropna().to_numpy(dtype=np.float64)
        where = repaired.astype(np.int64) - int(x[0])
        inside = (where >= 0) & (where < len(y))  # a table of other data: no mark outside
        ax.plot(
            repaired[inside],
            y[where[inside]],
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
        Long table, one row per administration (a scored frame, say; pandas, polars or
        pyarrow).
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
        Shade the band below this score; ``None`` takes the cut-off ``alerts`` used, if the
        table records it (a pandas DataFrame or pyarrow Table does, a polars DataFrame cannot).
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
    frame = check_frame(as_pandas(data, func, "data"), func, "data", other_tables=True)
    client_name = check_column(frame, client, "client", func)
    rows = _client_rows(frame, client_name, client_key, func)
    series = prepare_series(rows, score=score, client=client, session=session, func=func)
    if ruptures is not None:
        needed = ("session", "score", "baseline_value", "repair_session")
        ruptures = checked_table(ruptures, "ruptures", func, key=client_name, numbers=needed)
    if alerts is not None:
        numbers = (session, score, "alert")
        alerts = checked_table(alerts, "alerts", func, key=client_name, numbers=numbers)
    axis = scale_axis(frame, instrument, score, scale, aggregate, func)
    band = _cutoff_of(cutoff, alerts)
    x, y = _grid(series.sessions, series.scores)
    with drawing_axes(ax, func, (7.0, 4.0)) as axes:
        _draw_trajectory(axes, x, y, band, axis)
        _draw_events(axes, x, y, ruptures, alerts, (series.client_name, session, score), client_key)
        limit_score_axis(axes, axis)
        finish_axes(axes, xlabel="session", ylabel=axis.label, title=f"client {client_key}")
        axes.legend(
            fontsize=SMALL_SIZE,
            frameon=False,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.2),
            ncols=3,
        )
    return axes


def _client_rows(frame: pd.DataFrame, client: Hashable, key: object, func: str) -> pd.DataFrame:
    """Return the rows of one client; the message never shows the key (an identifier)."""
    try:
        rows = frame.loc[frame[client] == key] if isinstance(key, Hashable) else frame.iloc[:0]
    except (TypeError, ValueError, NotImplementedError):  # a key pandas cannot compare
        rows = frame.iloc[:0]
    if rows.empty:
        raise InvalidParameterError(
            f"The 'client_key' parameter of {func} must be a value of the column {client!r}; "
            "no row of data has that key.",
            parameter="client_key",
            function=func,
        )
    return rows


def _draw_trajectory(
    axes: Axes, x: FloatArray, y: FloatArray, band: float | None, axis: ScaleAxis
) -> None:
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
