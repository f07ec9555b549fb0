"""What every plot shares: matplotlib on demand, the palette, text sizes, axes and scale labels.

Nothing here changes matplotlib's global state: sizes and colours are set on each artist, and
``plt.subplots`` is called only when the caller gave no ``ax`` (so that a notebook shows it).
A figure made here is closed again when drawing fails (:func:`drawing_axes`,
:func:`drawing_figure`), so a failed call leaves no pyplot figure open. Text from the data or
a definition is drawn literally (:func:`literal`): matplotlib never reads it as mathtext.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from alliance_metrics._optional import import_optional
from alliance_metrics._params import bad_parameter, check_choice, resolve_instrument_arg
from alliance_metrics.frames.kinds import table_kind
from alliance_metrics.frames.native import NativeTable
from alliance_metrics.schemas import Instrument, Scale

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

__all__ = [
    "LABEL_SIZE",
    "OKABE_ITO",
    "SMALL_SIZE",
    "ScaleAxis",
    "as_pandas",
    "check_column",
    "checked_table",
    "drawing_axes",
    "drawing_figure",
    "finish_axes",
    "limit_score_axis",
    "literal",
    "ordinal_colours",
    "pyplot",
    "scale_axis",
]

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "grey": "#7F7F7F",
}
"""Okabe & Ito's (2008) palette, distinguishable with every common colour-vision deficiency."""
LABEL_SIZE = 10.0
"""Points: axis labels, tick labels and titles (titles are one point larger)."""
SMALL_SIZE = 9.0
"""Points: legends and annotations, the smallest text drawn."""
_PURPOSE = "drawing plots"


def matplotlib() -> ModuleType:
    """Import matplotlib, or say to install the ``[plot]`` extra."""
    return import_optional("matplotlib", "plot", _PURPOSE)


def pyplot() -> ModuleType:
    """Import ``matplotlib.pyplot`` (only when the caller gave no axes or figure)."""
    matplotlib()
    return import_optional("matplotlib.pyplot", "plot", _PURPOSE)


def literal(text: object) -> str:
    r"""``text`` as matplotlib draws it literally: every ``$`` escaped, so never mathtext.

    matplotlib reads text between two ``$`` as mathematics (``$\q$`` fails to draw, ``Cost $5
    or $6`` loses its dollars); ``\$`` is its escape for a plain dollar sign, and a text with
    no unescaped ``$`` is drawn as written. Every text from the data or a definition (client
    keys, column names, instrument, scale and anchor names) passes through here.

    Examples
    --------
    >>> literal("Cost $5 or $6")
    'Cost \\$5 or \\$6'
    """
    return str(text).replace("$", "\\$")


def as_pandas(value: object, func: str, name: str) -> object:
    """Return a polars DataFrame or pyarrow Table as a pandas frame, anything else as it is.

    A Dask DataFrame is refused: a picture needs every row in this process.
    """
    if table_kind(value) == "dask":
        raise bad_parameter(
            name,
            func,
            "hold all rows in one process; call .compute() on the Dask DataFrame (or on a "
            "sample of it) first",
            value,
        )
    native = NativeTable.of(value)
    return value if native is None else native.to_pandas(native.columns)


def _new_axes(ax: object, func: str, size: tuple[float, float]) -> Axes:
    """Return the caller's axes, or new ones on a new pyplot figure of ``size`` inches."""
    if ax is None:
        figure = pyplot().figure(figsize=size, layout="constrained")
        created: Axes = figure.add_subplot()
        return created
    axes_module = import_optional("matplotlib.axes", "plot", _PURPOSE)
    if not isinstance(ax, axes_module.Axes):
        raise bad_parameter("ax", func, "be a matplotlib Axes or None", ax)
    if ax.name != "rectilinear":
        raise bad_parameter(
            "ax",
            func,
            f"be a matplotlib Axes with x and y axes (not a {ax.name!r} projection) or None",
            ax,
        )
    given: Axes = ax
    return given


@contextmanager
def drawing_axes(ax: object, func: str, size: tuple[float, float]) -> Iterator[Axes]:
    """Give the caller's axes (checked) or new ones; close a new figure if drawing fails."""
    axes = _new_axes(ax, func, size)
    try:
        yield axes
    except BaseException:
        if ax is None:
            pyplot().close(axes.figure)
        raise


def _new_figure(figure: object, func: str, size: tuple[float, float]) -> Figure | SubFigure:
    """Return the caller's empty figure or subfigure, or a new pyplot figure of ``size``."""
    if figure is None:
        created: Figure = pyplot().figure(figsize=size, layout="constrained")
        return created
    figure_module = import_optional("matplotlib.figure", "plot", _PURPOSE)
    if not isinstance(figure, figure_module.Figure | figure_module.SubFigure):
        raise bad_parameter(
            "figure", func, "be a matplotlib Figure or SubFigure without axes, or None", figure
        )
    if figure.axes:
        raise bad_parameter(
            "figure",
            func,
            f"hold no axes yet ({func} draws a panel per scale and never clears the "
            "caller's figure; pass a new Figure, or a SubFigure of it: figure.subfigures())",
            figure,
        )
    given: Figure | SubFigure = figure
    return given


@contextmanager
def drawing_figure(
    figure: object, func: str, size: tuple[float, float]
) -> Iterator[Figure | SubFigure]:
    """Give the caller's empty figure (checked) or a new one; close a new one if drawing fails."""
    canvas = _new_figure(figure, func, size)
    try:
        yield canvas
    except BaseException:
        if figure is None:
            pyplot().close(canvas)
        raise


def finish_axes(ax: Axes, *, xlabel: str, ylabel: str, title: str) -> None:
    """Label and title the axes (drawn literally), size every text, drop the top and right lines."""
    ax.set_xlabel(literal(xlabel), fontsize=LABEL_SIZE)
    ax.set_ylabel(literal(ylabel), fontsize=LABEL_SIZE)
    ax.set_title(literal(title), fontsize=LABEL_SIZE + 1, loc="left")
    ax.tick_params(labelsize=LABEL_SIZE)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def checked_table(
    table: object,
    parameter: str,
    func: str,
    *,
    numbers: tuple[Hashable, ...],
    key: Hashable | None = None,
) -> pd.DataFrame:
    """Return a table an analysis returned (as pandas) if it has the columns drawn, else raise.

    ``numbers`` must be columns of numbers (booleans, or texts of numbers, as the analyses
    take them); ``key``, if given, a column of any type (the client key).
    """
    frame = as_pandas(table, func, parameter)
    wanted = ([] if key is None else [key]) + list(numbers)
    shown = ", ".join(map(repr, wanted))
    must = f"be a table with the columns {shown}" + (
        f" ({', '.join(map(repr, numbers))} holding numbers)" if numbers else ""
    )
    if not isinstance(frame, pd.DataFrame) or any(c not in frame.columns for c in wanted):
        raise bad_parameter(parameter, func, must, table)
    for name in numbers:
        column = frame[name]
        try:  # a repeated column name gives a frame, not a column
            if not isinstance(column, pd.Series):
                raise TypeError(name)
            column.to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError):
            raise bad_parameter(parameter, func, must, table) from None
    return frame


def limit_score_axis(ax: Axes, axis: ScaleAxis) -> None:
    """Bound the y axis by the score's range (if known); whole session numbers on the x axis."""
    limits = axis.limits()
    if limits is not None:
        ax.set_ylim(*limits)
    ticker = import_optional("matplotlib.ticker", "plot", _PURPOSE)
    ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))


def ordinal_colours(n: int) -> list[Any]:
    """``n`` colours of the cividis map, light to dark steps of an ordered response scale.

    Cividis (Nuñez, Anderton & Renslow 2018) keeps its order and contrast for readers with
    red–green colour-vision deficiency.
    """
    colormaps = import_optional("matplotlib", "plot", _PURPOSE).colormaps
    cmap = colormaps["cividis"]
    if n == 1:
        return [cmap(0.5)]
    return [cmap(0.1 + 0.8 * i / (n - 1)) for i in range(n)]


def check_column(data: pd.DataFrame, name: object, parameter: str, func: str) -> Hashable:
    """Return ``name`` if it is a column of ``data``, else raise naming the parameter."""
    if not isinstance(name, Hashable) or name not in data.columns:
        raise bad_parameter(parameter, func, "name a column of data", name)
    return name


@dataclass(frozen=True)
class ScaleAxis:
    """How an axis of scores is labelled and bounded.

    ``low`` and ``high`` are the possible range of the score (``None`` when no instrument was
    given: the axis then follows the data and is labelled with the column name).
    """

    label: str
    low: float | None = None
    high: float | None = None

    @property
    def span(self) -> float | None:
        """Width of the possible range."""
        return None if self.low is None or self.high is None else self.high - self.low

    def limits(self) -> tuple[float, float] | None:
        """Return the range with a 3 % margin, so that markers at the bounds stay whole."""
        if self.low is None or self.high is None:
            return None
        margin = 0.03 * (self.high - self.low)
        return float(self.low - margin), float(self.high + margin)


def _scale_of(instrument: Instrument, score: object, scale: object, func: str) -> Scale:
    if scale is not None:
        for candidate in instrument.scales:
            if candidate.id == scale:
                return candidate
        shown = "{" + ", ".join(repr(s.id) for s in instrument.scales) + "}"
        raise bad_parameter("scale", func, f"be one of {shown}", scale)
    name = str(score)
    matches = [s for s in instrument.scales if name == s.id or name.endswith(f"_{s.id}")]
    if not matches:
        raise bad_parameter(
            "scale",
            func,
            f"name the scale of {instrument.id!r} that the score column holds (its name does "
            "not end with a scale id)",
            scale,
        )
    return max(matches, key=lambda s: len(s.id))  # "goal_task" rather than "task"


def scale_axis(
    data: pd.DataFrame | None,
    instrument: object,
    score: object,
    scale: object,
    aggregate: object,
    func: str,
) -> ScaleAxis:
    """Label and range of a score axis: ``"WAI-SR Total (mean, 1–5)"``.

    The scale is ``scale``, or the one whose id ends the score column's name
    (``wai_sr_total`` → ``total``); the metric is ``aggregate``, or what ``score_frame``
    recorded in ``data.attrs``, or the instrument's default.
    """
    if scale is not None and not isinstance(scale, str):
        raise bad_parameter("scale", func, "be a scale id or None", scale)
    if aggregate is not None:
        check_choice("aggregate", func, aggregate, ("mean", "sum"))
    if instrument is None:
        return ScaleAxis(str(score))
    inst = resolve_instrument_arg(instrument, func)
    chosen = _scale_of(inst, score, scale, func)
    recorded: Any = data.attrs.get("alliance_metrics", {}) if data is not None else {}
    metric: str = inst.default_aggregate
    if isinstance(recorded, dict) and recorded.get("instrument_id") == inst.id:
        metric = recorded.get("aggregate", metric)
    if aggregate is not None:
        metric = str(aggregate)
    factor = len(chosen.items) if metric == "sum" else 1
    low = inst.response_scale.min * factor
    high = inst.response_scale.max * factor
    label = f"{inst.short_name} {chosen.name} ({metric}, {low:g}–{high:g})"
    return ScaleAxis(label, float(low), float(high))
