"""Arrow backend: decide a column of text cells (CSV input, or text columns of a DataFrame).

Same decisions as :func:`~alliance_metrics.validation.rules.coerce_cell`, vectorised:

* a column of single ASCII digits and blanks (the usual export of 1–7 scales) is read straight
  from Arrow's buffers;
* otherwise every *distinct* text is decided once by the reference rule and the decisions are
  broadcast to the rows (item columns hold few distinct texts);
* a column with very many distinct texts (decimals of a visual-analogue scale) is parsed by
  Arrow in C++ when it is plain ASCII, and only the texts that are not numbers are decided one by
  one.

No pandas is imported here: scoring a plain CSV file never needs it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from alliance_metrics._arrays import CodeArray, FloatArray
from alliance_metrics._text import NUMBER_PATTERN
from alliance_metrics.validation.rules import ISSUE_NONE, CellRules, check_bounds, coerce_cell

__all__ = ["CoercedText", "coerce_text"]

_ZERO = ord("0")
_ASCII_SPACE = " \t\n\v\f\r\x1c\x1d\x1e\x1f"  # what str.strip() removes from ASCII text
_FEW_DISTINCT = 4096


class CoercedText(NamedTuple):
    """Values and issue codes of a text column, and whether it held only digits and blanks.

    A ``plain`` column cannot hold a spreadsheet formula, so writers need not check it.
    """

    values: FloatArray
    codes: CodeArray
    plain: bool


def coerce_text(column: pa.ChunkedArray | pa.Array, rules: CellRules) -> CoercedText:
    """Decide every cell of a string column (nulls are unanswered).

    Examples
    --------
    >>> import pyarrow as pa, alliance_metrics as am
    >>> rules = CellRules.build(am.get_instrument("wai-sr").response_scale)
    >>> values, codes, plain = coerce_text(pa.chunked_array([[" 4", "NA", "9", "Often"]]), rules)
    >>> values.tolist(), codes.tolist(), plain
    ([4.0, nan, nan, nan], [0, 0, 2, 1], False)
    """
    if isinstance(column, pa.Array):
        column = pa.chunked_array([column], type=column.type)
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        column = column.cast(pa.string())
    digits = _single_digits(column)
    if digits is not None:
        values, codes = _finish(digits, rules, skip_step=rules.scale.is_integer)
        return CoercedText(values, codes, plain=True)
    combined = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    encoded = pc.dictionary_encode(combined)
    if len(encoded.dictionary) <= max(_FEW_DISTINCT, len(combined) // 8):
        return CoercedText(*_by_distinct(encoded, rules), plain=False)
    if pc.all(pc.string_is_ascii(combined)).as_py() is not False:
        return CoercedText(*_ascii_numbers(combined, rules), plain=False)
    return CoercedText(*_by_distinct(encoded, rules), plain=False)  # pragma: no cover - rare


def _single_digits(column: pa.ChunkedArray) -> FloatArray | None:
    """Read a column whose every cell is empty or one ASCII digit straight from Arrow's buffers.

    Returns ``None`` whenever any cell is something else (or null), so the general path decides.
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


def _finish(
    values: FloatArray, rules: CellRules, *, skip_step: bool
) -> tuple[FloatArray, CodeArray]:
    """Blank declared numeric missing codes, then code out-of-range and off-step numbers."""
    if rules.missing_numbers:
        values[np.isin(values, rules.missing_numbers)] = np.nan
    codes = check_bounds(values, rules.scale, skip_step=skip_step)
    if codes.any():
        values[codes != ISSUE_NONE] = np.nan
    return values, codes


def _by_distinct(encoded: pa.DictionaryArray, rules: CellRules) -> tuple[FloatArray, CodeArray]:
    """Decide each distinct text with the reference rule, then broadcast to the rows."""
    decided = [coerce_cell(text, rules) for text in encoded.dictionary.to_pylist()]
    lookup_values = np.array([v for v, _ in decided] + [np.nan], dtype=np.float64)
    lookup_codes = np.array([c for _, c in decided] + [ISSUE_NONE], dtype=np.int8)
    indices = encoded.indices.fill_null(len(decided))  # null cells: unanswered
    positions = np.asarray(indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    return lookup_values[positions], lookup_codes[positions]


def _ascii_numbers(column: pa.Array, rules: CellRules) -> tuple[FloatArray, CodeArray]:
    """Many distinct ASCII texts: parse numbers in C++, decide the rest one by one."""
    trimmed = pc.utf8_trim(column, characters=_ASCII_SPACE)
    blank = pc.fill_null(
        pc.is_in(pc.utf8_lower(trimmed), value_set=pa.array(sorted(rules.missing_texts))), True
    )
    candidates = pc.replace_substring(trimmed, ",", ".") if rules.decimal_comma else trimmed
    is_number = pc.fill_null(pc.match_substring_regex(candidates, NUMBER_PATTERN), False)
    is_number = pc.and_(is_number, pc.invert(blank))
    numbers = pc.cast(pc.if_else(is_number, candidates, pa.scalar(None, pa.string())), pa.float64())
    values = np.asarray(numbers.to_numpy(zero_copy_only=False), dtype=np.float64).copy()
    values, codes = _finish(values, rules, skip_step=False)
    rest = np.flatnonzero(~np.asarray(pc.or_(blank, is_number).to_numpy(zero_copy_only=False)))
    if len(rest):
        subset = pc.dictionary_encode(pc.take(column, pa.array(rest)))
        values[rest], codes[rest] = _by_distinct(subset, rules)
    return values, codes
