"""Client–therapist agreement as a Bland–Altman plot: difference against mean, with its limits.

Drawn from :func:`~alliance_metrics.bland_altman`; only the points drawn may be a seeded random
sample (``max_points``), the limits always describe every pair.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from alliance_metrics._params import bad_parameter, check_ci, check_int, check_number
from alliance_metrics.longitudinal.bland_altman import BlandAltman, agreement_limits
from alliance_metrics.plot._style import (
    OKABE_ITO,
    SMALL_SIZE,
    as_pandas,
    drawing_axes,
    finish_axes,
    scale_axis,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_agreement"]


def plot_agreement(
    data: Any,
    *,
    client_score: Any = None,
    therapist_score: Any = None,
    multiplier: float = 1.96,
    ci: float = 0.95,
    max_points: int = 5000,
    seed: int = 0,
    instrument: Any = None,
    scale: str | None = None,
    aggregate: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw a Bland–Altman plot: each pair's difference (client − therapist) against its mean.

    The bias (mean difference) is a solid line, the limits of agreement are dashed, and each
    has its confidence interval as a light band.

    Parameters
    ----------
    data
        A :class:`~alliance_metrics.BlandAltman` (drawn as it is), or a frame with both
        ratings, passed to :func:`~alliance_metrics.bland_altman` with ``client_score``,
        ``therapist_score``, ``multiplier`` and ``ci``.
    client_score, therapist_score, multiplier, ci
        As for :func:`~alliance_metrics.bland_altman`, when ``data`` is a frame.
    max_points
        Most pairs drawn as points (a random sample with ``seed``), ≥ 1.
    seed
        Seed of that sample.
    instrument, scale, aggregate
        Label and bound the mean axis by the instrument's scale (``scale=None``: the scale
        whose id ends the client score column's name).
    ax
        Axes to draw on; ``None`` makes a new figure.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from alliance_metrics.plot import plot_agreement
    >>> df = pd.DataFrame({"wai_c": [5.0, 4.5, 4.0, 4.8], "wai_t": [4.0, 4.0, 3.0, 4.2]})
    >>> ax = plot_agreement(df, client_score="wai_c", therapist_score="wai_t")
    >>> ax.get_ylabel()
    'difference, client − therapist'
    >>> import matplotlib.pyplot as plt
    >>> plt.close(ax.figure)
    """
    func = "plot_agreement"
    cap = check_int(max_points, "max_points", func, minimum=1)
    start = check_int(seed, "seed", func, minimum=0)
    frame = as_pandas(data, func, "data")
    if isinstance(frame, BlandAltman):
        check_number(multiplier, "multiplier", func, minimum=0.0, strict_minimum=True)
        check_ci(ci, func)
        found, frame = frame, None
    elif isinstance(frame, pd.DataFrame):
        found = agreement_limits(frame, client_score, therapist_score, multiplier, ci, func)
    else:
        raise bad_parameter(
            "data",
            func,
            "be what bland_altman returned, or a pandas or polars DataFrame or a pyarrow Table "
            "of both ratings",
            data,
        )
    axis = scale_axis(frame, instrument, client_score, scale, aggregate, func)
    points = found.points
    if len(points) > cap:
        chosen = np.random.default_rng(start).choice(len(points), size=cap, replace=False)
        points = points.iloc[np.sort(chosen)]
    with drawing_axes(ax, func, (7.0, 4.2)) as axes:
        _draw(axes, found, points)
        limits_x = axis.limits()
        if limits_x is not None:
            axes.set_xlim(*limits_x)
        xlabel = "mean of the two ratings" if axis.low is None else f"mean of the two: {axis.label}"
        ylabel = "difference, client − therapist"
        if axis.span is not None:
            ylabel += f" (−{axis.span:g} to {axis.span:g})"
        drawn = (
            f"{len(points)} of {found.n} pairs drawn"
            if len(points) < found.n
            else f"{found.n} pairs"
        )
        title = f"Agreement: {drawn}; bands: {100 * found.ci:g} % CIs"
        finish_axes(axes, xlabel=xlabel, ylabel=ylabel, title=title)
    return axes


def _draw(axes: Axes, found: BlandAltman, points: pd.DataFrame) -> None:
    """Draw the zero line, the bias and the limits with their bands, and the points."""
    axes.axhline(0.0, color=OKABE_ITO["grey"], linewidth=0.8)
    limits = found.limits
    for line, style, colour in (
        ("lower", "--", "vermillion"),
        ("bias", "-", "black"),
        ("upper", "--", "vermillion"),
    ):
        row = limits.loc[line].to_numpy(dtype=np.float64)
        estimate, low, high = float(row[0]), float(row[1]), float(row[2])
        if np.isnan(estimate):
            continue
        if not np.isnan(low):
            axes.axhspan(low, high, color=OKABE_ITO[colour], alpha=0.12, linewidth=0)
        axes.axhline(estimate, color=OKABE_ITO[colour], linestyle=style, linewidth=1.8)
        name = "bias" if line == "bias" else f"{'−' if line == 'lower' else '+'}"
        name += "" if line == "bias" else f"{found.multiplier:g} SD"
        axes.annotate(
            f"{name} {estimate:.2f}".replace("-", "−"),
            xy=(1.0, estimate),
            xycoords=("axes fraction", "data"),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=SMALL_SIZE,
            annotation_clip=False,
        )
    axes.scatter(
        points["mean"], points["difference"], s=18, color=OKABE_ITO["blue"], alpha=0.6, linewidths=0
    )
