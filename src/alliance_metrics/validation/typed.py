"""Typed Arrow backend: decide the item columns of polars DataFrames and pyarrow Tables.

The same decisions as :func:`~alliance_metrics.validation.rules.coerce_cell`, vectorised per
Arrow type, without pandas:

* integers and floats are numbers (null and NaN are unanswered); integers on an integer scale
  need no step check;
* text (``string``, ``large_string``, ``string_view``) goes through the Arrow text backend
  (:func:`~alliance_metrics.validation.arrow.coerce_text`): numbers as text, labels, missing
  markers;
* dictionary (polars ``Categorical``/``Enum``, Arrow dictionaries) decides each distinct value
  once and broadcasts it;
* booleans, dates, times, durations, binary, lists and every other type are ``not_a_number``
  wherever a cell is present.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from alliance_metrics._arrays import CodeArray, FloatArray
from alliance_metrics.validation.arrow import coerce_text
from alliance_metrics.validation.rules import ISSUE_NONE, NOT_A_NUMBER, CellRules, check_bounds

__all__ = ["coerce_arrow"]

_TEXT_CHECKS = (pa.types.is_string, pa.types.is_large_string, pa.types.is_string_view)


def _present(column: pa.ChunkedArray) -> np.ndarray:
    valid = pc.is_valid(column)
    return np.asarray(valid.to_numpy(zero_copy_only=False), dtype=bool)


def _numbers(
    column: pa.ChunkedArray, rules: CellRules, *, skip_step: bool
) -> tuple[FloatArray, CodeArray]:
    """Numbers as float64 (null → NaN), declared missing codes blanked, bounds checked."""
    if column.type == pa.float64():
        floats = column
    else:  # integers beyond ±2**53 become the nearest float (and out of range), as in pandas
        floats = pc.cast(column, pa.float64(), safe=not pa.types.is_integer(column.type))
    values = np.array(floats.to_numpy(zero_copy_only=False), dtype=np.float64)  # a copy
    if rules.missing_numbers:
        values[np.isin(values, rules.missing_numbers)] = np.nan
    codes = check_bounds(values, rules.scale, skip_step)
    if codes.any():
        values[codes != ISSUE_NONE] = np.nan
    return values, codes


def _text(column: pa.ChunkedArray, rules: CellRules) -> tuple[FloatArray, CodeArray]:
    if not pa.types.is_string(column.type):
        try:  # 32-bit offsets: the backend reads one-digit columns straight from the buffers
            column = column.cast(pa.string())
        except pa.ArrowInvalid:  # pragma: no cover - over 2 GiB of text in one column
            column = column.cast(pa.large_string())
    values, codes, _ = coerce_text(column, rules)
    return values, codes


def _dictionary(column: pa.ChunkedArray, rules: CellRules) -> tuple[FloatArray, CodeArray]:
    """Decide each chunk's distinct values once, then take them for the rows."""
    parts_values, parts_codes = [], []
    for chunk in column.chunks:
        known_values, known_codes = coerce_arrow(chunk.dictionary, rules)
        lookup_values = np.append(known_values, np.nan)  # the last entry: null cells
        lookup_codes = np.append(known_codes, np.int8(ISSUE_NONE))
        indices = chunk.indices.fill_null(len(known_values))
        positions = np.asarray(indices.to_numpy(zero_copy_only=False), dtype=np.int64)
        parts_values.append(lookup_values[positions])
        parts_codes.append(lookup_codes[positions])
    if not parts_values:
        return np.empty(0), np.empty(0, dtype=np.int8)
    return np.concatenate(parts_values), np.concatenate(parts_codes).astype(np.int8)


def coerce_arrow(
    column: pa.ChunkedArray | pa.Array, rules: CellRules
) -> tuple[FloatArray, CodeArray]:
    """Convert one typed Arrow column of responses to float64 values and issue codes.

    Invalid cells become NaN with a non-zero code; unanswered cells are NaN with code 0.

    Examples
    --------
    >>> import pyarrow as pa, alliance_metrics as am
    >>> rules = CellRules.build(am.get_instrument("wai-b3").response_scale)
    >>> values, codes = coerce_arrow(pa.array([4, 9, None]), rules)
    >>> values.tolist(), codes.tolist()
    ([4.0, nan, nan], [0, 2, 0])
    >>> coerce_arrow(pa.array(["4", "Often", "Very Often"]), rules)[1].tolist()
    [0, 1, 0]
    >>> coerce_arrow(pa.array([True, None]), rules)[1].tolist()
    [1, 0]
    """
    if isinstance(column, pa.Array):
        column = pa.chunked_array([column], type=column.type)
    kind = column.type
    if pa.types.is_null(kind):
        return np.full(len(column), np.nan), np.zeros(len(column), dtype=np.int8)
    if pa.types.is_integer(kind):
        return _numbers(column, rules, skip_step=rules.scale.is_integer)
    if pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return _numbers(column, rules, skip_step=False)
    if any(check(kind) for check in _TEXT_CHECKS):
        return _text(column, rules)
    if pa.types.is_dictionary(kind):
        return _dictionary(column, rules)
    present = _present(column)  # booleans, dates, binary, nested, …: never a response
    codes = np.where(present, NOT_A_NUMBER, ISSUE_NONE).astype(np.int8)
    return np.full(len(column), np.nan), codes
