"""Plain item frames (no instrument): every column an item, cells decided by the one rule set.

``item_statistics(df)`` without an instrument reads its frame here, as ``psych::alpha(x)``
takes any item frame: a cell is a number, unanswered, or invalid by the same rules as when
scoring (:mod:`alliance_metrics.validation.rules`), with the declared ``bounds`` (if any) as
the response scale and no anchor labels.
"""

from __future__ import annotations

import sys
from collections.abc import Hashable

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliance_metrics._params import (
    OnInvalid,
    bad_parameter,
    check_choice,
    check_frame,
    check_texts,
)
from alliance_metrics.errors import InputFormatError, ResponseValidationError
from alliance_metrics.reliability.items import NanPolicy, check_bounds_arg, check_keys
from alliance_metrics.reliability.scales import ScaleItems, item_table
from alliance_metrics.results import ValidationReport
from alliance_metrics.schemas import ResponseScale
from alliance_metrics.validation.frame import coerce_matrix
from alliance_metrics.validation.report import failure_table
from alliance_metrics.validation.rules import CellRules

__all__ = ["plain_item_statistics", "plain_items"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
_LARGEST = sys.float_info.max


def plain_items(
    frame: pd.DataFrame,
    func: str,
    *,
    reverse: BoolArray,
    bounds: tuple[float, float] | None,
    on_invalid: OnInvalid,
    missing_values: tuple[str, ...],
) -> tuple[FloatArray, list[Hashable]]:
    """Coerce every column of ``frame``, then reverse ``reverse`` as min + max − x.

    Invalid cells (not a number; outside ``bounds`` when given; infinite) raise
    :class:`~alliance_metrics.ResponseValidationError` with the full report
    (``on_invalid="raise"``) or count as unanswered (``"missing"``).
    """
    labels: list[Hashable] = list(frame.columns)
    if len(labels) < 2:
        raise bad_parameter(
            "df", func, "have at least 2 item columns when instrument is None", frame
        )
    if frame.columns.has_duplicates:
        repeated = sorted({repr(c) for c in frame.columns[frame.columns.duplicated()]})
        raise InputFormatError(
            f"{func}: every item column needs its own name; repeated: {', '.join(repeated)}."
        )
    low, high = bounds if bounds is not None else (-_LARGEST, _LARGEST)
    # Without bounds every finite number is a value: an unchecked scale beyond the limits of
    # instrument definitions (built, not validated).
    scale = ResponseScale.model_construct(min=low, max=high, step=None, anchors=())
    rules = CellRules.build(scale, labels={}, missing_values=missing_values)
    values, codes = coerce_matrix(frame, rules)
    if codes.any() and on_invalid == "raise":
        cases = failure_table(codes, labels, scale, lambda j, rows: frame.iloc[rows, j].tolist())
        report = ValidationReport(n_rows=len(frame), failure_cases=cases)
        raise ResponseValidationError(report.summary(), report)
    values = np.array(values, dtype=np.float64)  # a copy the caller may own
    values[:, reverse] = (low + high) - values[:, reverse]
    return values, labels


def plain_item_statistics(
    df: object,
    policy: NanPolicy,
    *,
    columns: object,
    on_invalid: object,
    missing_values: object,
    keys: object,
    bounds: object,
) -> pd.DataFrame:
    """``item_statistics(df)`` without an instrument: every column an item of scale ``total``."""
    func = "item_statistics"
    frame = check_frame(df, func, other_tables=True)
    if columns is not None:
        must = "be None when instrument is None (every column of df is an item)"
        raise bad_parameter("columns", func, must, columns)
    mode: OnInvalid = check_choice("on_invalid", func, on_invalid, ("raise", "missing"))
    missing = check_texts(missing_values, "missing_values", func)
    reverse = check_keys(keys, list(frame.columns), func)
    declared = check_bounds_arg(bounds, func, needed=bool(reverse.any()))
    keyed, labels = plain_items(
        frame, func, reverse=reverse, bounds=declared, on_invalid=mode, missing_values=missing
    )
    items = ScaleItems.build(keyed, [repr(c) for c in labels], policy)
    scales = [("total", np.arange(len(labels)))]
    return item_table(func, items, scales, labels, reverse)
