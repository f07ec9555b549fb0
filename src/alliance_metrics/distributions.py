"""How answers and scores are spread: response shares per item, histograms of scale scores.

What the item and scale distribution plots draw, and what the HTML report tabulates. Items are
counted as answered on the form (never reverse-keyed), in form order; a continuous
(visual-analogue) response scale is cut into equal bins. Floor and ceiling shares are the
percentages of answers (of scores) at the lowest and highest possible value, flagged at
``flag_percent`` (15 %, the criterion of McHorney & Tarlov 1995 and Terwee et al. 2007).

polars DataFrames and pyarrow Tables are taken as pandas frames are (the columns read cross
into pandas). The plots share the checked cores (:func:`item_options`, :func:`count_items`,
:func:`summarise_scales`), so that their messages name the plot the user called.

Size: over 400 lines only because every public object, the two frozen result classes
included, carries a runnable Examples section; the code itself is under 400 lines.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliance_metrics._params import (
    Aggregate,
    check_aggregate,
    check_frame,
    check_int,
    check_number,
    check_optional_text,
    resolve_instrument_arg,
)
from alliance_metrics.batch import frame_report
from alliance_metrics.columns import ColumnSpec, resolve_columns
from alliance_metrics.errors import InputFormatError, ResponseValidationError
from alliance_metrics.frames.analyses import table_analysis
from alliance_metrics.results import ScoreColumns
from alliance_metrics.schemas import Instrument, Scale
from alliance_metrics.scoring.request import ScoreRequest
from alliance_metrics.validation.frame import coerce_matrix

__all__ = [
    "FLAG_PERCENT",
    "ItemDistributions",
    "ScaleDistributions",
    "count_items",
    "item_distributions",
    "item_options",
    "scale_distributions",
    "summarise_scales",
]

FloatArray = npt.NDArray[np.float64]
FLAG_PERCENT = 15.0
"""Floor or ceiling share (percent) from which an item or scale is flagged."""
_MAX_BARS = 24
_TOLERANCE = 1e-9


@dataclass(frozen=True, eq=False)
class ItemDistributions:
    """Response shares of every item, as :func:`item_distributions` returns them (frozen).

    Attributes
    ----------
    counts
        One row per item and response category (items in form order, categories ascending):
        ``item``, ``number``, ``category`` (0, 1, …), ``low`` and ``high`` (the category's
        values: equal for a stepped scale, the bin's edges for a continuous one), ``label``
        (the anchor's label, else the value or range as text), ``count`` and ``percent`` (of
        the item's answers; NaN when it has none).
    items
        One row per item: ``item``, ``number``, ``n_answered``, ``n_missing`` (unanswered,
        invalid cells included), ``n_invalid``, ``pct_floor`` and ``pct_ceiling`` (answers
        at the scale's minimum and maximum, percent), ``floor_flag`` and ``ceiling_flag``.
    flag_percent
        The share from which a floor or ceiling is flagged.

    Examples
    --------
    >>> import pandas as pd, alliance_metrics as am
    >>> df = pd.DataFrame({"wai_1": [5, 5, 4], "wai_2": [3, 4, 2], "wai_3": [5, 4, 4]})
    >>> found = am.item_distributions(df, "wai-b3")
    >>> found.flag_percent, found.items["n_answered"].tolist(), len(found.counts)
    (15.0, [3, 3, 3], 15)
    """

    counts: pd.DataFrame
    items: pd.DataFrame
    flag_percent: float


@dataclass(frozen=True, eq=False)
class ScaleDistributions:
    """Summary and histogram of every scale's scores (frozen).

    Attributes
    ----------
    summary
        One row per scale: ``scale``, ``name``, ``aggregate``, ``low`` and ``high`` (the
        possible range), ``n`` (scored rows), ``n_missing``, ``mean``, ``sd`` (ddof 1),
        ``min``, ``q1``, ``median``, ``q3`` (quantiles as R's default type 7), ``max``,
        ``pct_floor`` and ``pct_ceiling`` (scores at ``low`` and ``high``, percent of ``n``),
        ``floor_flag`` and ``ceiling_flag``.
    histogram
        One row per scale and bin: ``scale``, ``bin``, ``left``, ``right`` (a score ``x``
        falls in the bin when ``left ≤ x < right``; the last bin includes ``right``),
        ``count`` and ``percent`` (of ``n``).
    flag_percent
        The share from which a floor or ceiling is flagged.

    Examples
    --------
    >>> import pandas as pd, alliance_metrics as am
    >>> df = pd.DataFrame({"wai_1": [5, 5, 4], "wai_2": [3, 4, 2], "wai_3": [5, 4, 4]})
    >>> found = am.scale_distributions(am.score_frame(df, "wai-b3"), "wai-b3")
    >>> found.summary["scale"].tolist(), found.histogram.columns[:4].tolist()
    (['goal', 'task', 'bond', 'total'], ['scale', 'bin', 'left', 'right'])
    """

    summary: pd.DataFrame
    histogram: pd.DataFrame
    flag_percent: float


def _number_text(value: float) -> str:
    return f"{value:g}"


def _categories(instrument: Instrument, bins: int) -> tuple[FloatArray, FloatArray, list[str]]:
    """Low and high value and label of every response category."""
    scale = instrument.response_scale
    if scale.step is None:
        edges = np.linspace(scale.min, scale.max, bins + 1)
        labels = [f"{_number_text(a)}–{_number_text(b)}" for a, b in itertools.pairwise(edges)]
        return edges[:-1].astype(np.float64), edges[1:].astype(np.float64), labels
    n = round((scale.max - scale.min) / scale.step) + 1
    values = (scale.min + scale.step * np.arange(n)).astype(np.float64)
    named = {round(a.value, 9): a.label for a in scale.anchors}
    labels = [named.get(round(float(v), 9), _number_text(float(v))) for v in values]
    return values, values.copy(), labels


def _category_codes(values: FloatArray, instrument: Instrument, bins: int) -> npt.NDArray[np.intp]:
    """Category of every valid answer (the matrix of valid answers only)."""
    scale = instrument.response_scale
    if scale.step is None:
        width = (scale.max - scale.min) / bins
        return np.minimum(((values - scale.min) / width).astype(np.intp), bins - 1)
    return np.rint((values - scale.min) / scale.step).astype(np.intp)


def _item_matrix(
    df: object, request: ScoreRequest, columns: ColumnSpec, name: str
) -> tuple[FloatArray, npt.NDArray[np.int8]]:
    """Coerce and validate the item columns (form order); invalid cells raise or are NaN."""
    func, inst = request.function, request.instrument
    frame = check_frame(df, func, name, other_tables=True)
    items = frame.loc[:, resolve_columns(list(frame.columns), inst, columns, func)]
    values, codes = coerce_matrix(items, request.rules())
    if codes.any() and request.on_invalid == "raise":
        report = frame_report(items, codes, inst)
        raise ResponseValidationError(report.summary(), report)
    return values, codes


def item_options(
    func: str,
    instrument: object,
    bins: object,
    flag_percent: object,
    on_invalid: object,
    missing_values: object,
) -> tuple[ScoreRequest, int, float]:
    """Check the options of :func:`item_distributions` once, naming ``func``."""
    request = ScoreRequest.resolve(
        func, instrument, on_invalid=on_invalid, missing_values=missing_values
    )
    n_bins = check_int(bins, "bins", func, minimum=1)
    flag = check_number(flag_percent, "flag_percent", func, minimum=0.0, maximum=100.0)
    return request, n_bins, flag


@table_analysis(items=True)
def item_distributions(
    df: pd.DataFrame,
    instrument: str | Instrument,
    *,
    columns: ColumnSpec = None,
    bins: int = 10,
    flag_percent: float = FLAG_PERCENT,
    on_invalid: str = "raise",
    missing_values: Collection[str] = (),
) -> ItemDistributions:
    """Count the answers of every item per response category, with floor and ceiling shares.

    Answers are counted as given on the form (reverse-keyed items are not reversed), like
    R ``psych::response.frequencies``; items come in form order.

    Parameters
    ----------
    df
        One row per administration; never modified.
    instrument
        Instrument id or :class:`~alliance_metrics.Instrument`.
    columns
        Item columns: mapping, template such as ``"wai_{n}"``, or ``None`` to auto-detect.
    bins
        Equal-width categories of a continuous (visual-analogue) response scale, ≥ 1; a stepped
        scale has one category per value.
    flag_percent
        Floor or ceiling share (0–100) from which an item is flagged.
    on_invalid
        ``"raise"`` (an invalid cell raises :class:`~alliance_metrics.ResponseValidationError`)
        or ``"missing"`` (it counts as unanswered, and in ``n_invalid``).
    missing_values
        Extra texts meaning unanswered (e.g. ``["-99"]``).

    Returns
    -------
    ItemDistributions
        The ``counts`` (item × category) and ``items`` tables.

    Examples
    --------
    >>> import pandas as pd
    >>> import alliance_metrics as am
    >>> df = pd.DataFrame({"wai_1": [5, 5, 4, 1], "wai_2": [3, 4, None, 5], "wai_3": [5, 4, 4, 4]})
    >>> found = am.item_distributions(df, "wai-b3")
    >>> found.items[["item", "n_answered", "pct_floor", "pct_ceiling", "ceiling_flag"]].round(2)
        item  n_answered  pct_floor  pct_ceiling  ceiling_flag
    0  item1           4       25.0        50.00          True
    1  item2           3        0.0        33.33          True
    2  item3           4        0.0        25.00          True
    >>> found.counts.loc[found.counts["item"] == "item1", ["label", "count", "percent"]]
              label  count  percent
    0        Seldom      1     25.0
    1     Sometimes      0      0.0
    2  Fairly Often      0      0.0
    3    Very Often      1     25.0
    4        Always      2     50.0
    """
    options = item_options(
        "item_distributions", instrument, bins, flag_percent, on_invalid, missing_values
    )
    return count_items(df, columns, *options)


def count_items(
    df: object,
    columns: ColumnSpec,
    request: ScoreRequest,
    n_bins: int,
    flag: float,
    name: str = "df",
) -> ItemDistributions:
    """:func:`item_distributions` with checked options (``request`` names the public function)."""
    inst = request.instrument
    values, codes = _item_matrix(df, request, columns, name)
    low, high, labels = _categories(inst, n_bins)
    n_items, n_categories = inst.n_items, len(labels)
    valid = ~np.isnan(values)
    item_of = np.broadcast_to(np.arange(n_items), values.shape)[valid]
    category = _category_codes(values[valid], inst, n_bins)
    counts = np.bincount(item_of * n_categories + category, minlength=n_items * n_categories)
    counts = counts.reshape(n_items, n_categories).astype(np.int64)
    answered = valid.sum(axis=0).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        percent = 100.0 * counts / answered[:, None]
        scale = inst.response_scale
        floor = 100.0 * (valid & (np.abs(values - scale.min) < _TOLERANCE)).sum(axis=0) / answered
        ceiling = 100.0 * (valid & (np.abs(values - scale.max) < _TOLERANCE)).sum(axis=0) / answered
    ids = [item.id for item in inst.items]
    numbers = [item.number for item in inst.items]
    table = pd.DataFrame(
        {
            "item": np.repeat(ids, n_categories),
            "number": np.repeat(numbers, n_categories),
            "category": np.tile(np.arange(n_categories), n_items),
            "low": np.tile(low, n_items),
            "high": np.tile(high, n_items),
            "label": np.tile(np.array(labels, dtype=object), n_items),
            "count": counts.ravel(),
            "percent": percent.ravel(),
        }
    )
    items = pd.DataFrame(
        {
            "item": ids,
            "number": numbers,
            "n_answered": answered,
            "n_missing": len(values) - answered,
            "n_invalid": (codes != 0).sum(axis=0).astype(np.int64),
            "pct_floor": floor,
            "pct_ceiling": ceiling,
            "floor_flag": floor >= flag,
            "ceiling_flag": ceiling >= flag,
        }
    )
    return ItemDistributions(table, items, flag)


def _scale_range(instrument: Instrument, scale: Scale, aggregate: Aggregate) -> tuple[float, float]:
    factor = len(scale.items) if aggregate == "sum" else 1
    return instrument.response_scale.min * factor, instrument.response_scale.max * factor


def _edges(instrument: Instrument, scale: Scale, aggregate: Aggregate) -> FloatArray:
    """Bin edges over the possible range: whole groups of possible scores when they are few."""
    low, high = _scale_range(instrument, scale, aggregate)
    step = instrument.response_scale.step
    if step is None:
        return np.linspace(low, high, 21)
    spacing = step * (1 if aggregate == "sum" else 1 / len(scale.items))
    n_values = round((high - low) / spacing) + 1  # the scores of complete answers
    per_bar = math.ceil(n_values / _MAX_BARS)
    n_bars = math.ceil(n_values / per_bar)
    edges = low - spacing / 2 + per_bar * spacing * np.arange(n_bars + 1)
    return edges.astype(np.float64)


def _aggregate_of(
    scored: pd.DataFrame, inst: Instrument, aggregate: object, func: str
) -> Aggregate:
    recorded: Any = scored.attrs.get("alliance_metrics", {})
    default = inst.default_aggregate
    if (
        aggregate is None
        and isinstance(recorded, dict)
        and recorded.get("instrument_id") == inst.id
    ):
        default = recorded.get("aggregate", default)
    return check_aggregate(aggregate, func, default)


@table_analysis(scores=True)
def scale_distributions(
    scored: pd.DataFrame,
    instrument: str | Instrument,
    *,
    prefix: str | None = None,
    aggregate: Aggregate | None = None,
    flag_percent: float = FLAG_PERCENT,
) -> ScaleDistributions:
    """Summarise the scores of every scale, and count them in bins across the possible range.

    Parameters
    ----------
    scored
        A frame :func:`~alliance_metrics.score_frame` returned (its score columns are used).
    instrument
        The instrument it was scored with.
    prefix
        The ``prefix`` given to ``score_frame`` (``None``: the instrument's slug and ``_``).
    aggregate
        ``"mean"`` or ``"sum"``: the metric of the scores, for their possible range. ``None``
        takes what ``score_frame`` recorded in ``scored.attrs``, else the instrument's default.
    flag_percent
        Floor or ceiling share (0–100) from which a scale is flagged.

    Returns
    -------
    ScaleDistributions
        The ``summary`` (one row per scale) and ``histogram`` tables. A stepped response scale
        has one bin per possible score of complete answers (or per run of such scores, at most
        24 bins), centred on them; a continuous one has 20 equal bins.

    Examples
    --------
    >>> import pandas as pd
    >>> import alliance_metrics as am
    >>> df = pd.DataFrame({"wai_1": [5, 5, 4, 1], "wai_2": [5, 4, 2, 5], "wai_3": [5, 4, 4, 4]})
    >>> found = am.scale_distributions(am.score_frame(df, "wai-b3"), "wai-b3")
    >>> found.summary[["scale", "low", "high", "n", "mean", "median", "pct_ceiling"]].round(4)
       scale  low  high  n  mean  median  pct_ceiling
    0   goal  1.0   5.0  4  3.75  4.5000         50.0
    1   task  1.0   5.0  4  4.00  4.5000         50.0
    2   bond  1.0   5.0  4  4.25  4.0000         25.0
    3  total  1.0   5.0  4  4.00  3.8333         25.0
    """
    func = "scale_distributions"
    frame = check_frame(scored, func, "scored", other_tables=True)
    inst = resolve_instrument_arg(instrument, func)
    return summarise_scales(frame, inst, prefix, aggregate, flag_percent, func)


def summarise_scales(
    frame: pd.DataFrame,
    inst: Instrument,
    prefix: object,
    aggregate: object,
    flag_percent: object,
    func: str,
    name: str = "scored",
) -> ScaleDistributions:
    """:func:`scale_distributions` of a checked frame; options checked here, naming ``func``."""
    stem = check_optional_text(prefix, "prefix", func)
    agg = _aggregate_of(frame, inst, aggregate, func)
    flag = check_number(flag_percent, "flag_percent", func, minimum=0.0, maximum=100.0)
    names = ScoreColumns.for_instrument(inst, stem).scores
    absent = [column for column in names if column not in frame.columns]
    if absent:
        raise InputFormatError(
            f"{func} needs the score columns of {inst.id!r} that score_frame adds; "
            f"{', '.join(map(repr, absent[:3]))} is not in {name} (pass the scored frame, and "
            "the prefix given to score_frame)."
        )
    scores = frame.loc[:, list(names)].to_numpy(dtype=np.float64, na_value=np.nan)
    summaries, parts = [], []
    for s, scale in enumerate(inst.scales):  # a loop over scales, never over rows
        column = scores[:, s]
        kept = column[~np.isnan(column)]
        summaries.append(_summary_row(inst, scale, agg, kept, len(column), flag))
        edges = _edges(inst, scale, agg)
        counts = np.histogram(np.clip(kept, edges[0], edges[-1]), bins=edges)[0]
        parts.append(
            pd.DataFrame(
                {
                    "scale": scale.id,
                    "bin": np.arange(len(counts)),
                    "left": edges[:-1],
                    "right": edges[1:],
                    "count": counts.astype(np.int64),
                    "percent": 100.0 * counts / len(kept) if len(kept) else np.nan,
                }
            )
        )
    return ScaleDistributions(pd.DataFrame(summaries), pd.concat(parts, ignore_index=True), flag)


def _summary_row(
    inst: Instrument, scale: Scale, agg: Aggregate, kept: FloatArray, n_rows: int, flag: float
) -> dict[str, object]:
    low, high = _scale_range(inst, scale, agg)
    n = len(kept)
    quantiles = np.percentile(kept, [0, 25, 50, 75, 100]) if n else np.full(5, np.nan)
    floor = 100.0 * float(np.sum(np.abs(kept - low) < _TOLERANCE)) / n if n else math.nan
    ceiling = 100.0 * float(np.sum(np.abs(kept - high) < _TOLERANCE)) / n if n else math.nan
    return {
        "scale": scale.id,
        "name": scale.name,
        "aggregate": agg,
        "low": float(low),
        "high": float(high),
        "n": n,
        "n_missing": n_rows - n,
        "mean": float(np.mean(kept)) if n else math.nan,
        "sd": float(np.std(kept, ddof=1)) if n > 1 else math.nan,
        "min": quantiles[0],
        "q1": quantiles[1],
        "median": quantiles[2],
        "q3": quantiles[3],
        "max": quantiles[4],
        "pct_floor": floor,
        "pct_ceiling": ceiling,
        "floor_flag": floor >= flag,
        "ceiling_flag": ceiling >= flag,
    }
