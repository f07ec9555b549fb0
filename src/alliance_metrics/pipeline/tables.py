"""Arrow tables for writing: score columns appended to the input's text columns.

Built from NumPy buffers directly (``pa.array`` on NumPy input would import pandas, which the
streaming path never needs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from alliance_metrics._arrays import CodeArray, FloatArray, IntArray, round_half_even
from alliance_metrics.results import ROW_STATUSES, ScoreColumns

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["append_scores", "empty_output_schema", "frame_to_table", "round_scores"]


def round_scores(scores: FloatArray, precision: int | None) -> FloatArray:
    """Round to ``precision`` decimals (half to even on the binary value), or leave exact.

    Correctly rounded, as Python's ``round`` gives (``_arrays.round_half_even``).

    Examples
    --------
    >>> round_scores(np.array([3.6666666666666665, 2.5]), 2).tolist()
    [3.67, 2.5]
    >>> round_scores(np.array([3.6666666666666665]), 15).tolist()
    [3.666666666666667]
    """
    return scores if precision is None else round_half_even(scores, precision)


def _float_array(values: FloatArray) -> pa.Array:
    """Arrow float64 array over ``values`` with NaN as null."""
    values = np.ascontiguousarray(values, dtype=np.float64)
    missing = np.isnan(values)
    validity = pa.py_buffer(np.packbits(~missing, bitorder="little"))
    return pa.Array.from_buffers(
        pa.float64(),
        len(values),
        [validity, pa.py_buffer(values)],
        null_count=int(missing.sum()),
    )


def _plain_array(values: np.ndarray, arrow_type: pa.DataType) -> pa.Array:
    """Arrow array over integer ``values`` without nulls."""
    values = np.ascontiguousarray(values, dtype=arrow_type.to_pandas_dtype())
    return pa.Array.from_buffers(arrow_type, len(values), [None, pa.py_buffer(values)])


def _status_dictionary() -> pa.Array:
    encoded = [status.encode("ascii") for status in ROW_STATUSES]
    offsets = np.cumsum([0, *map(len, encoded)], dtype=np.int32)
    return pa.Array.from_buffers(
        pa.string(), len(encoded), [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))]
    )


def append_scores(
    table: pa.Table,
    names: ScoreColumns,
    scores: FloatArray,
    answered: IntArray,
    row_status: CodeArray,
    precision: int | None,
) -> pa.Table:
    """Append score, answered-count and status columns (scales × n inputs) to ``table``."""
    scores = round_scores(scores, precision)
    for s, (score_name, answered_name) in enumerate(zip(names.scores, names.answered, strict=True)):
        table = table.append_column(score_name, _float_array(scores[s]))
        table = table.append_column(answered_name, _plain_array(answered[s], pa.int64()))
    statuses = pa.DictionaryArray.from_arrays(
        _plain_array(row_status, pa.int8()), _status_dictionary()
    )
    return table.append_column(names.status, statuses.cast(pa.string()))


def empty_output_schema(columns: list[str], added: list[ScoreColumns]) -> pa.Schema:
    """Return the schema of an empty output: input columns as text, then the added ones."""
    fields = [pa.field(c, pa.string()) for c in columns]
    for names in added:
        for score_name, answered_name in zip(names.scores, names.answered, strict=True):
            fields += [pa.field(score_name, pa.float64()), pa.field(answered_name, pa.int64())]
        fields.append(pa.field(names.status, pa.string()))
    return pa.schema(fields)


def frame_to_table(frame: pd.DataFrame, names: ScoreColumns, precision: int | None) -> pa.Table:
    """Arrow table of a scored frame: input columns as text, added columns typed.

    Input columns are text as read; the score, count and status columns keep their types.
    """
    added = set(names.ordered())
    columns: dict[str, pa.Array] = {}
    for name in frame.columns:
        series = frame[name]
        if str(name) in added and str(name) in names.scores:
            values = round_scores(series.to_numpy(dtype=np.float64, na_value=np.nan), precision)
            columns[str(name)] = _float_array(values)
        elif str(name) in added and str(name) != names.status:
            columns[str(name)] = pa.array(series.to_numpy(dtype=np.int64), type=pa.int64())
        elif _is_text(series):
            columns[str(name)] = pa.array(series.astype(object), type=pa.string(), from_pandas=True)
        else:
            columns[str(name)] = pa.array(_as_text(series), type=pa.string(), from_pandas=True)
    return pa.table(columns)


def _is_text(series: pd.Series) -> bool:
    """Whether a column holds text only (strings, categories of strings, or missing)."""
    import pandas as pd

    dtype = series.dtype
    if isinstance(dtype, pd.StringDtype):
        return True
    if isinstance(dtype, pd.CategoricalDtype):
        return pd.api.types.infer_dtype(series.cat.categories, skipna=True) in ("string", "empty")
    if pd.api.types.is_object_dtype(dtype):
        return pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty")
    return False


def _as_text(series: pd.Series) -> np.ndarray:
    """Cells of a typed input column as text, as a person would write them.

    Numbers are written positionally with the fewest digits that read back as the same float
    (``02139`` stays as SPSS gave it, ``1.2345678901234568e+22`` becomes
    ``12345678901234567890123``, whole numbers never get ``.0``); dates, times and other objects
    as their text. Each distinct value is formatted once.
    """
    import pandas as pd

    if pd.api.types.is_float_dtype(series.dtype) or pd.api.types.is_integer_dtype(series.dtype):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        if pd.api.types.is_integer_dtype(series.dtype) and not series.isna().any():
            return np.asarray(series.astype("string").astype(object))
        distinct, inverse = np.unique(values, return_inverse=True)
        shown = np.array(
            [
                None if v != v else np.format_float_positional(v, unique=True, trim="-")
                for v in distinct.tolist()
            ],
            dtype=object,
        )
        return shown[inverse.reshape(-1)] if len(values) else np.empty(0, dtype=object)
    if pd.api.types.is_datetime64_any_dtype(series.dtype):  # dates without a midnight time
        return np.asarray(series.astype("string").astype(object))
    text = series.astype(object).where(series.notna(), None)
    return np.asarray([None if v is None else str(v) for v in text.tolist()], dtype=object)
