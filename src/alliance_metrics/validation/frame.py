"""pandas backend: decide the item columns of a DataFrame with the shared rules, vectorised.

Numeric columns are checked as arrays; text columns go through the Arrow backend; object columns
holding a mix of types are split by type first. Booleans, complex numbers, dates and any other
objects are ``not_a_number``. Decisions equal :func:`~alliance_metrics.validation.rules.coerce_cell`
cell by cell (a property test holds them to it).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from alliance_metrics._arrays import CodeArray, FloatArray, row_blocks
from alliance_metrics._text import real_number
from alliance_metrics.validation.arrow import coerce_text
from alliance_metrics.validation.rules import (
    ISSUE_NONE,
    NOT_A_NUMBER,
    CellRules,
    check_bounds,
    is_empty,
)

__all__ = ["coerce_column", "coerce_matrix"]

_TEXT_KINDS = {"string", "empty"}


def _is_plain_numeric(dtype: Any) -> bool:
    """Real-number dtypes (NumPy or nullable); not bool, not complex."""
    return (
        pd.api.types.is_numeric_dtype(dtype)
        and not pd.api.types.is_bool_dtype(dtype)
        and not pd.api.types.is_complex_dtype(dtype)
    )


def _is_integer_dtype(dtype: Any) -> bool:
    """Integer dtypes: their values need no step check on integer scales."""
    return pd.api.types.is_integer_dtype(dtype)


def _numbers(
    values: FloatArray, rules: CellRules, *, skip_step: bool
) -> tuple[FloatArray, CodeArray]:
    if rules.missing_numbers:
        values[np.isin(values, rules.missing_numbers)] = np.nan
    codes = check_bounds(values, rules.scale, skip_step)
    if codes.any():
        values[codes != ISSUE_NONE] = np.nan
    return values, codes


def coerce_column(column: pd.Series, rules: CellRules) -> tuple[FloatArray, CodeArray]:
    """Convert one column of responses to float64 and an issue code per cell.

    Invalid cells become NaN in the values and get a non-zero code; unanswered cells are NaN
    with code 0.

    Examples
    --------
    >>> import pandas as pd, alliance_metrics as am
    >>> rules = CellRules.build(am.get_instrument("wai-b3").response_scale)
    >>> values, codes = coerce_column(pd.Series([4, " 5", "Often", True, None], dtype=object),
    ...                               rules)
    >>> values.tolist(), codes.tolist()
    ([4.0, 5.0, nan, nan, nan], [0, 0, 1, 1, 0])
    """
    dtype = column.dtype
    if _is_plain_numeric(dtype):
        values = column.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
        skip = rules.scale.is_integer and _is_integer_dtype(dtype)
        return _numbers(values, rules, skip_step=skip)
    if isinstance(dtype, pd.CategoricalDtype):
        column = column.astype(object)
    elif not (pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)):
        # bool, complex, dates, periods, intervals: never a response
        invalid = column.notna().to_numpy(dtype=bool)
        codes = np.where(invalid, NOT_A_NUMBER, ISSUE_NONE).astype(np.int8)
        return np.full(len(column), np.nan), codes
    cells = column.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(cells, skipna=True) in _TEXT_KINDS:
        return _text(cells, rules)
    return _mixed(cells, rules)


def _text(cells: np.ndarray, rules: CellRules) -> tuple[FloatArray, CodeArray]:
    """Cells that are all text or missing: through the Arrow backend."""
    array = pa.array(cells, type=pa.string(), from_pandas=True)
    values, codes, _ = coerce_text(array, rules)
    return values, codes


def _mixed(cells: np.ndarray, rules: CellRules) -> tuple[FloatArray, CodeArray]:
    """Object cells of several types: split by type, decide each group vectorised."""
    n = len(cells)
    values = np.full(n, np.nan)
    codes = np.zeros(n, dtype=np.int8)
    kinds = np.frompyfunc(_kind, 1, 1)(cells).astype(np.int8) if n else np.zeros(0, np.int8)
    text = np.flatnonzero(kinds == _KIND_TEXT)
    if len(text):
        values[text], codes[text] = _text(cells[text], rules)
    real = np.flatnonzero(kinds == _KIND_REAL)
    if len(real):
        numbers = np.frompyfunc(real_number, 1, 1)(cells[real]).astype(np.float64)
        given_nan = np.isnan(numbers)
        numbers, real_codes = _numbers(numbers, rules, skip_step=False)
        real_codes[given_nan] = ISSUE_NONE
        values[real], codes[real] = numbers, real_codes
    codes[kinds == _KIND_OTHER] = NOT_A_NUMBER
    return values, codes


_KIND_MISSING, _KIND_TEXT, _KIND_REAL, _KIND_OTHER = 0, 1, 2, 3


def _kind(cell: object) -> int:
    if isinstance(cell, str):
        return _KIND_TEXT
    if real_number(cell) is not None:
        return _KIND_REAL  # NaN included: unanswered
    return _KIND_MISSING if is_empty(cell) else _KIND_OTHER


def coerce_matrix(frame: pd.DataFrame, rules: CellRules) -> tuple[FloatArray, CodeArray]:
    """Convert every column of ``frame`` (the item columns, in item order) at once.

    Returns an (n rows × k items) float64 matrix with NaN for unanswered or invalid cells, and
    an int8 matrix of issue codes of the same shape.

    Examples
    --------
    >>> import pandas as pd, alliance_metrics as am
    >>> rules = CellRules.build(am.get_instrument("wai-b3").response_scale)
    >>> values, codes = coerce_matrix(pd.DataFrame({"a": [4, 9], "b": [3.5, None]}), rules)
    >>> values.tolist(), codes.tolist()
    ([[4.0, nan], [nan, nan]], [[0, 3], [2, 0]])
    """
    dtypes = list(frame.dtypes)
    if all(_is_plain_numeric(d) for d in dtypes):
        values = frame.to_numpy(dtype=np.float64, na_value=np.nan)
        if not values.flags.writeable:
            values = values.copy()
        skip = rules.scale.is_integer and all(_is_integer_dtype(d) for d in dtypes)
        codes = np.zeros(values.shape, dtype=np.int8)
        if rules.missing_numbers:
            values[np.isin(values, rules.missing_numbers)] = np.nan
        for block in row_blocks(len(values)):
            codes[block] = check_bounds(values[block], rules.scale, skip)
        if codes.any():
            values = np.where(codes != ISSUE_NONE, np.nan, values)
        return values, codes
    n_rows, n_cols = frame.shape
    values = np.empty((n_rows, n_cols), dtype=np.float64, order="F")
    codes = np.empty((n_rows, n_cols), dtype=np.int8, order="F")
    for j in range(n_cols):  # a loop over item columns, never over rows
        values[:, j], codes[:, j] = coerce_column(frame.iloc[:, j], rules)
    return values, codes
