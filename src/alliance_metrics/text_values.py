"""Vectorised coercion of Arrow text columns (CSV input) with the library's validation rules.

Same rules as :func:`alliance_metrics.validation.coerce_column`, plus the missing-value markers
common in exports. Numeric text is converted by Arrow in C++; a column holding anchor labels or
junk falls back to the pandas path of ``coerce_column`` for that chunk only.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from alliance_metrics.schemas import ResponseScale
from alliance_metrics.validation import (
    ISSUE_NONE,
    MISSING_MARKERS,
    CodeArray,
    FloatArray,
    check_bounds,
    coerce_column,
)

__all__ = ["DEFAULT_MISSING_MARKERS", "CoercedText", "coerce_text_column"]

DEFAULT_MISSING_MARKERS: frozenset[str] = MISSING_MARKERS
"""Item cells read as unanswered (compared after trimming, case-insensitively)."""


_ZERO = ord("0")


class CoercedText(NamedTuple):
    """Values and issue codes of a text column, and whether it held only digits and blanks.

    A ``plain`` column cannot hold a spreadsheet formula, so writers need not check it.
    """

    values: FloatArray
    codes: CodeArray
    plain: bool


def _single_digits(column: pa.ChunkedArray) -> FloatArray | None:
    """Read a column whose every cell is empty or one ASCII digit straight from Arrow's buffers.

    This is the shape of almost every export of integer-coded questionnaires (1–7), and reading
    it this way is an order of magnitude faster than parsing text. Returns ``None`` whenever any
    cell is something else, so the general path decides.
    """
    if not pa.types.is_string(column.type):
        return None
    parts = []
    for chunk in column.chunks:
        if chunk.null_count:
            return None
        n = len(chunk)
        offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int32)[
            chunk.offset : chunk.offset + n + 1
        ]
        lengths = np.diff(offsets)
        if n and lengths.max() > 1:
            return None
        values = np.full(n, np.nan)
        filled = lengths == 1
        if filled.any():
            data = np.frombuffer(chunk.buffers()[2], dtype=np.uint8)
            digits = data[offsets[:-1][filled]].astype(np.int16) - _ZERO
            if digits.min() < 0 or digits.max() > 9:
                return None
            values[filled] = digits
        parts.append(values)
    return np.concatenate(parts) if parts else np.empty(0)


def coerce_text_column(
    column: pa.ChunkedArray,
    scale: ResponseScale,
    labels: Mapping[str, float],
    *,
    missing_markers: Collection[str] = DEFAULT_MISSING_MARKERS,
    decimal_comma: bool = False,
) -> CoercedText:
    """Convert a text column to float64 values and issue codes.

    Parameters
    ----------
    column
        Cell texts as read (no nulls; blank cells are empty strings).
    scale, labels
        The instrument's response scale and its normalised anchor lookup.
    missing_markers
        Lower-case texts meaning "unanswered" (after trimming white space).
    decimal_comma
        Read ``4,5`` as 4.5 (semicolon-delimited exports from European spreadsheets).

    Examples
    --------
    >>> import pyarrow as pa, alliance_metrics as am
    >>> scale = am.get_instrument("wai-sr").response_scale
    >>> values, codes, plain = coerce_text_column(pa.chunked_array([[" 4", "NA", "9"]]), scale, {})
    >>> values.tolist(), codes.tolist(), plain
    ([4.0, nan, nan], [0, 0, 2], False)
    """
    numeric_markers = _numeric_markers(missing_markers)
    fast = _single_digits(column)
    if fast is not None:
        return CoercedText(
            *_checked(fast, scale, numeric_markers, skip_step=scale.is_integer), plain=True
        )
    trimmed = pc.utf8_trim_whitespace(column)
    markers = pa.array(sorted({m.strip().casefold() for m in missing_markers}), pa.string())
    unanswered = pc.is_in(pc.utf8_lower(trimmed), value_set=markers)
    if decimal_comma:
        trimmed = pc.replace_substring(trimmed, ",", ".")
    answered_text = pc.if_else(unanswered, pa.scalar(None, pa.string()), trimmed)
    try:
        numbers = pc.cast(answered_text, pa.float64())
    except pa.ArrowInvalid:
        import pandas as pd

        series = pd.Series(answered_text.to_pandas(), dtype=object)
        if len(numeric_markers):
            as_numbers = pd.to_numeric(series, errors="coerce")
            series = series.mask(as_numbers.isin(numeric_markers))
        return CoercedText(*coerce_column(series, scale, labels), plain=False)
    values = np.asarray(
        numbers.to_numpy(zero_copy_only=False) if len(numbers) else np.empty(0),
        dtype=np.float64,
    ).copy()
    return CoercedText(*_checked(values, scale, numeric_markers, skip_step=False), plain=False)


def _numeric_markers(markers: Collection[str]) -> npt.NDArray[np.float64]:
    """Return the missing markers that are numbers (``-99``): they also match ``-99.0``."""
    numbers = []
    for marker in markers:
        try:
            numbers.append(float(marker))
        except ValueError:
            continue
    return np.array([n for n in numbers if n == n], dtype=np.float64)


def _checked(
    values: FloatArray,
    scale: ResponseScale,
    numeric_markers: npt.NDArray[np.float64],
    *,
    skip_step: bool,
) -> tuple[FloatArray, CodeArray]:
    """Blank numeric missing markers, then code out-of-range and off-step values."""
    if len(numeric_markers):
        values[np.isin(values, numeric_markers)] = np.nan
    codes = check_bounds(values, scale, skip_step=skip_step)
    if codes.any():
        values[codes != ISSUE_NONE] = np.nan
    return values, codes
