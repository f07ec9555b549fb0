"""Distributions: the answers to every item (stacked shares) and the scores of every scale.

Drawn from :func:`~alliance_metrics.item_distributions` and
:func:`~alliance_metrics.scale_distributions`; nothing is counted here.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from alliance_metrics._params import (
    bad_parameter,
    check_aggregate,
    check_optional_text,
    resolve_instrument_arg,
)
from alliance_metrics.columns import ColumnSpec
from alliance_metrics.distributions import (
    FLAG_PERCENT,
    ItemDistributions,
    ScaleDistributions,
    count_items,
    item_options,
    summarise_scales,
)
from alliance_metrics.plot._style import (
    LABEL_SIZE,
    OKABE_ITO,
    SMALL_SIZE,
    as_pandas,
    drawing_axes,
    drawing_figure,
    finish_axes,
    literal,
    ordinal_colours,
)
from alliance_metrics.schemas import Instrument

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

__all__ = ["plot_item_distributions", "plot_scale_distributions"]


def _share_text(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.1f} %"


def plot_item_distributions(
    data: Any,
    instrument: Any,
    *,
    columns: ColumnSpec = None,
    bins: int = 10,
    flag_percent: float = FLAG_PERCENT,
    on_invalid: str = "raise",
    missing_values: Collection[str] = (),
    ax: Axes | None = None,
) -> Axes:
    """Draw the answers to every item as stacked shares, items in form order from the top.

    Each bar is one item's answers split by response (light to dark: lowest to highest), as
    percentages of its answers. The share at the floor (lowest response) is printed on the
    left, at the ceiling on the right; shares at or above ``flag_percent`` are bold.

    Parameters
    ----------
    data
        An :class:`~alliance_metrics.ItemDistributions` (drawn as it is), or a frame of
        answers, counted by :func:`~alliance_metrics.item_distributions` with ``columns``,
        ``bins``, ``flag_percent``, ``on_invalid`` and ``missing_values``.
    instrument
        Instrument id or :class:`~alliance_metrics.Instrument` (labels the responses).
    columns, bins, flag_percent, on_invalid, missing_values
        As for :func:`~alliance_metrics.item_distributions`, when ``data`` is a frame.
    ax
        Axes to draw on; ``None`` makes a new figure.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from alliance_metrics.plot import plot_item_distributions
    >>> df = pd.read_csv("examples/data/wai_sr_example.csv")
    >>> ax = plot_item_distributions(df, "wai-sr")
    >>> len(ax.patches), ax.get_xlabel()  # 12 items × 5 responses
    (60, '% of the answers to the item (0–100)')
    >>> import matplotlib.pyplot as plt
    >>> plt.close(ax.figure)
    """
    func = "plot_item_distributions"
    request, n_bins, flag = item_options(
        func, instrument, bins, flag_percent, on_invalid, missing_values
    )
    inst = request.instrument
    given = as_pandas(data, func, "data")
    if isinstance(given, ItemDistributions):
        found = _same_items(given, inst, func)
    elif isinstance(given, pd.DataFrame):
        found = count_items(given, columns, request, n_bins, flag, "data")
    else:
        raise bad_parameter(
            "data",
            func,
            "be what item_distributions returned, or a pandas or polars DataFrame or a pyarrow "
            "Table of answers",
            data,
        )
    with drawing_axes(ax, func, (7.5, 0.32 * len(found.items) + 2.2)) as axes:
        _draw_items(axes, found, inst)
    return axes


def _same_items(found: ItemDistributions, inst: Instrument, func: str) -> ItemDistributions:
    """Return ``found`` if it counts the items of ``inst``, else raise."""
    if found.items["item"].tolist() != [item.id for item in inst.items]:
        raise bad_parameter(
            "data", func, f"be what item_distributions returned for {inst.id!r}", found
        )
    return found


def _draw_items(axes: Axes, found: ItemDistributions, inst: Instrument) -> None:
    """Draw the stacked bars, the floor and ceiling shares, the labels and the legend."""
    counts, items = found.counts, found.items
    n_items = len(items)
    n_categories = len(counts) // max(n_items, 1)
    shares = np.nan_to_num(counts["percent"].to_numpy(dtype=np.float64)).reshape(n_items, -1)
    starts = np.hstack([np.zeros((n_items, 1)), np.cumsum(shares, axis=1)[:, :-1]])
    labels = counts["label"].iloc[:n_categories].tolist()
    values = counts["low"].iloc[:n_categories].tolist()
    y = np.arange(n_items)[::-1].astype(np.float64)
    for c, colour in enumerate(ordinal_colours(n_categories)):
        shown = labels[c] if labels[c] == f"{values[c]:g}" else f"{values[c]:g} {labels[c]}"
        label = literal(labels[c] if inst.response_scale.step is None else shown)
        axes.barh(
            y,
            shares[:, c],
            left=starts[:, c],
            height=0.75,
            color=colour,
            edgecolor="white",
            linewidth=0.5,
            label=label,
        )
    for row, (floor, ceiling, floor_flag, ceiling_flag) in enumerate(
        zip(
            items["pct_floor"],
            items["pct_ceiling"],
            items["floor_flag"],
            items["ceiling_flag"],
            strict=True,
        )
    ):  # a loop over items (a few dozen at most), never over respondents
        axes.text(
            -2,
            y[row],
            _share_text(floor),
            ha="right",
            va="center",
            fontsize=SMALL_SIZE,
            fontweight="bold" if floor_flag else "normal",
        )
        axes.text(
            102,
            y[row],
            _share_text(ceiling),
            ha="left",
            va="center",
            fontsize=SMALL_SIZE,
            fontweight="bold" if ceiling_flag else "normal",
        )
    top = n_items - 0.35
    axes.text(-2, top, "floor", ha="right", va="bottom", fontsize=SMALL_SIZE)
    axes.text(102, top, "ceiling", ha="left", va="bottom", fontsize=SMALL_SIZE)
    axes.set_yticks(y, [literal(n) for n in items["number"]])
    axes.set_xlim(-18, 118)
    axes.set_ylim(-0.6, n_items + 0.1)
    axes.set_xticks([0, 25, 50, 75, 100])
    axes.spines["bottom"].set_bounds(0, 100)
    flag = f"bold: floor or ceiling ≥ {found.flag_percent:g} %"
    finish_axes(
        axes,
        xlabel="% of the answers to the item (0–100)",
        ylabel="item (form order)",
        title=f"{inst.short_name}: answers per item ({flag})",
    )
    axes.spines["left"].set_visible(False)
    axes.tick_params(axis="y", length=0)
    axes.legend(
        fontsize=SMALL_SIZE,
        frameon=False,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.16),
        ncols=min(n_categories, 5),
    )


def plot_scale_distributions(
    data: Any,
    instrument: Any,
    *,
    prefix: str | None = None,
    aggregate: str | None = None,
    figure: Figure | SubFigure | None = None,
) -> Figure | SubFigure:
    """Draw a histogram of every scale's scores, one panel per scale, on its possible range.

    Parameters
    ----------
    data
        A :class:`~alliance_metrics.ScaleDistributions` (drawn as it is), or a scored frame,
        summarised by :func:`~alliance_metrics.scale_distributions` with ``prefix`` and
        ``aggregate``.
    instrument
        Instrument id or :class:`~alliance_metrics.Instrument`.
    prefix, aggregate
        As for :func:`~alliance_metrics.scale_distributions`, when ``data`` is a frame.
    figure
        An empty figure to draw on: a ``Figure``, or a ``SubFigure`` to set the panels
        beside other plots (``figure.subfigures()``). One that already holds axes is refused,
        never cleared. ``None`` makes a new one.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on (the ``SubFigure``, if one was given).

    Examples
    --------
    >>> import pandas as pd
    >>> import alliance_metrics as am
    >>> from alliance_metrics.plot import plot_scale_distributions
    >>> scored = am.score_frame(pd.read_csv("examples/data/wai_sr_example.csv"), "wai-sr")
    >>> figure = plot_scale_distributions(scored, "wai-sr")
    >>> [ax.get_xlabel() for ax in figure.axes][:2]
    ['WAI-SR Task (mean, 1–5)', 'WAI-SR Bond (mean, 1–5)']
    >>> import matplotlib.pyplot as plt
    >>> plt.close(figure)
    """
    func = "plot_scale_distributions"
    inst = resolve_instrument_arg(instrument, func)
    given = as_pandas(data, func, "data")
    if isinstance(given, ScaleDistributions):
        check_optional_text(prefix, "prefix", func)
        check_aggregate(aggregate, func, inst.default_aggregate)
        if given.summary["scale"].tolist() != [scale.id for scale in inst.scales]:
            raise bad_parameter(
                "data", func, f"be what scale_distributions returned for {inst.id!r}", data
            )
        found = given
    elif isinstance(given, pd.DataFrame):
        found = summarise_scales(given, inst, prefix, aggregate, FLAG_PERCENT, func, "data")
    else:
        raise bad_parameter(
            "data",
            func,
            "be what scale_distributions returned, or a scored pandas or polars DataFrame or "
            "pyarrow Table",
            data,
        )
    summary, histogram = found.summary, found.histogram
    n_scales = len(summary)
    n_cols = min(3, n_scales)
    n_rows = math.ceil(n_scales / n_cols)
    with drawing_figure(figure, func, (3.3 * n_cols, 2.6 * n_rows)) as canvas:
        panels = canvas.subplots(n_rows, n_cols, squeeze=False).ravel()
        for panel, (_, row) in zip(panels, summary.iterrows(), strict=False):  # one per scale
            _draw_histogram(panel, histogram.loc[histogram["scale"] == row["scale"]], row, inst)
        for panel in panels[n_scales:]:
            panel.set_visible(False)
    return canvas


def _draw_histogram(panel: Axes, bars: pd.DataFrame, row: pd.Series, inst: Instrument) -> None:
    """One scale's histogram on its possible range, labelled with the scale."""
    left = bars["left"].to_numpy(dtype=np.float64)
    right = bars["right"].to_numpy(dtype=np.float64)
    panel.bar(
        left,
        bars["percent"].fillna(0.0),
        width=right - left,
        align="edge",
        color=OKABE_ITO["blue"],
        edgecolor="white",
        linewidth=0.5,
    )
    margin = 0.03 * (row["high"] - row["low"])
    panel.set_xlim(min(row["low"], left.min()) - margin, max(row["high"], right.max()) + margin)
    label = f"{inst.short_name} {row['name']} ({row['aggregate']}, {row['low']:g}–{row['high']:g})"
    finish_axes(
        panel,
        xlabel=label,
        ylabel="% of scores",
        title=f"n = {row['n']}, mean {row['mean']:.2f}",
    )
    panel.title.set_fontsize(LABEL_SIZE)
