"""Vectorised coercion and validation of response cells.

One rule set for every path (single administration and tables): numbers and numeric strings
are accepted, anchor labels case- and white-space-insensitively, blanks are unanswered, and
every other cell gets an :class:`~alliance_metrics.IssueCode`. No Python loop runs over rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from alliance_metrics.errors import IssueCode
from alliance_metrics.schemas import ResponseScale, normalize_label

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "BLOCK_ROWS",
    "CODE_NAMES",
    "ISSUE_NONE",
    "MISSING_MARKERS",
    "check_bounds",
    "coerce_column",
    "coerce_matrix",
    "coerce_values",
    "issue_messages",
    "row_blocks",
]

FloatArray = npt.NDArray[np.float64]
CodeArray = npt.NDArray[np.int8]

ISSUE_NONE = 0
_NOT_A_NUMBER, _OUT_OF_RANGE, _NOT_ON_STEP = 1, 2, 3
CODE_NAMES: dict[int, IssueCode] = {
    _NOT_A_NUMBER: IssueCode.NOT_A_NUMBER,
    _OUT_OF_RANGE: IssueCode.OUT_OF_RANGE,
    _NOT_ON_STEP: IssueCode.NOT_ON_STEP,
}
_STEP_TOLERANCE = 1e-9
MISSING_MARKERS: frozenset[str] = frozenset({"", "na", "n/a", "nan", "null"})
"""Texts read as unanswered on every path (compared trimmed and case-insensitively)."""


BLOCK_ROWS = 1 << 15
"""Rows per block on batch paths: keeps temporaries in cache instead of allocating n × k."""


def row_blocks(n_rows: int, size: int = BLOCK_ROWS) -> list[slice]:
    """Split ``range(n_rows)`` into consecutive slices of at most ``size`` rows."""
    return [slice(start, min(start + size, n_rows)) for start in range(0, n_rows, size)]


def anchor_lookup(scale: ResponseScale) -> dict[str, float]:
    """Map normalised anchor labels to their values."""
    return {normalize_label(a.label): a.value for a in scale.anchors}


def _is_plain_numeric(dtype: Any) -> bool:
    import pandas as pd

    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def _is_integer_dtype(dtype: Any) -> bool:
    """NumPy or pandas nullable integer dtype: its values need no step check on integer scales."""
    return dtype.kind in "iu" or str(dtype).startswith(("Int", "UInt"))


def _parse_text(column: pd.Series, labels: Mapping[str, float]) -> tuple[FloatArray, CodeArray]:
    """Parse an object/string column: numbers, numeric strings, labels, blanks."""
    import pandas as pd

    text = column.astype("string").str.strip()
    blank = text.isna() | text.str.casefold().isin(MISSING_MARKERS)
    numbers = pd.to_numeric(text.where(~blank), errors="coerce").astype("Float64")
    values = numbers.to_numpy(dtype=np.float64, na_value=np.nan)
    unparsed = np.isnan(values) & ~blank.to_numpy(dtype=bool)
    codes = np.zeros(len(column), dtype=np.int8)
    if unparsed.any():
        candidates = text[unparsed].map(normalize_label, na_action="ignore")
        mapped = candidates.map(labels).to_numpy(dtype=np.float64, na_value=np.nan)
        values[unparsed] = mapped
        codes[np.flatnonzero(unparsed)[np.isnan(mapped)]] = _NOT_A_NUMBER
    return np.asarray(values, dtype=np.float64), codes


def check_bounds(values: FloatArray, scale: ResponseScale, skip_step: bool) -> CodeArray:
    """Issue codes for out-of-range and off-step numbers (NaN is unanswered: code 0)."""
    codes = np.zeros(values.shape, dtype=np.int8)
    with np.errstate(invalid="ignore"):
        out_of_range = ~((values >= scale.min) & (values <= scale.max)) & ~np.isnan(values)
    codes[out_of_range] = _OUT_OF_RANGE
    if scale.step is not None and not skip_step:
        if scale.is_integer:
            off_step = values != np.floor(values)
        else:
            position = (values - scale.min) / scale.step
            off_step = np.abs(position - np.rint(position)) > _STEP_TOLERANCE
        codes[off_step & ~out_of_range & ~np.isnan(values)] = _NOT_ON_STEP
    return codes


def coerce_column(
    column: pd.Series, scale: ResponseScale, labels: Mapping[str, float]
) -> tuple[FloatArray, CodeArray]:
    """Convert one column of responses to float64 and an issue code per cell.

    Invalid cells become NaN in the values and get a non-zero code; unanswered cells are NaN
    with code 0.
    """
    if _is_plain_numeric(column.dtype):
        values = column.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
        skip_step = scale.is_integer and _is_integer_dtype(column.dtype)
        codes = check_bounds(values, scale, skip_step)
    else:
        values, codes = _parse_text(column, labels)
        codes = np.maximum(codes, check_bounds(values, scale, skip_step=False))
    values[codes != ISSUE_NONE] = np.nan
    return values, codes


def _text_to_number(text: str) -> float | None:
    """Parse a trimmed numeric text as pandas.to_numeric would (ASCII only, no NaN, no ``_``)."""
    if "_" in text or not text.isascii():
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return None if number != number else number  # "nan" is not a response


def coerce_values(
    row: Sequence[object], scale: ResponseScale, labels: Mapping[str, float]
) -> tuple[FloatArray, CodeArray]:
    """Coerce one administration (a short sequence of cells) with the same rules as the tables.

    Returns a (1 × k) float64 matrix and matching issue codes. A per-value Python path: used
    for single administrations only, never on a batch path.
    """
    low, high, step = scale.min, scale.max, scale.step
    on_integers = scale.is_integer
    parsed: list[float] = []
    issues: list[int] = []
    for cell in row:
        if isinstance(cell, int | float) and type(cell) is not bool:
            number: float | None = float(cell)
            code = ISSUE_NONE
        else:
            text = "" if cell is None or type(cell).__name__ == "NAType" else str(cell).strip()
            if text.casefold() in MISSING_MARKERS:
                parsed.append(np.nan)
                issues.append(ISSUE_NONE)
                continue
            number = _text_to_number(text)
            if number is None:
                number = labels.get(normalize_label(text))
            code = ISSUE_NONE if number is not None else _NOT_A_NUMBER
        if number is None or number != number:  # unparsable, or NaN: unanswered
            parsed.append(np.nan)
            issues.append(code)
            continue
        if not low <= number <= high:
            code = _OUT_OF_RANGE
        elif on_integers and not number.is_integer():
            code = _NOT_ON_STEP
        elif step is not None and not on_integers:
            position = (number - low) / step
            if abs(position - round(position)) > _STEP_TOLERANCE:
                code = _NOT_ON_STEP
        parsed.append(np.nan if code else number)
        issues.append(code)
    values = np.array([parsed], dtype=np.float64)
    return values, np.array([issues], dtype=np.int8)


def coerce_matrix(
    frame: pd.DataFrame, scale: ResponseScale, labels: Mapping[str, float]
) -> tuple[FloatArray, CodeArray]:
    """Convert every column of ``frame`` (the item columns, in item order) at once.

    Returns an (n rows × k items) float64 matrix with NaN for unanswered or invalid cells, and
    an int8 matrix of issue codes of the same shape.
    """
    dtypes = list(frame.dtypes)
    if all(_is_plain_numeric(d) for d in dtypes):
        values = frame.to_numpy(dtype=np.float64, na_value=np.nan)
        skip_step = scale.is_integer and all(_is_integer_dtype(d) for d in dtypes)
        codes = np.zeros(values.shape, dtype=np.int8)
        for block in row_blocks(len(values)):
            codes[block] = check_bounds(values[block], scale, skip_step)
        if codes.any():
            values = np.where(codes != ISSUE_NONE, np.nan, values)
        return values, codes
    n_rows, n_cols = frame.shape
    values = np.empty((n_rows, n_cols), dtype=np.float64)
    codes = np.empty((n_rows, n_cols), dtype=np.int8)
    for j in range(n_cols):  # a loop over item columns, never over rows
        values[:, j], codes[:, j] = coerce_column(frame.iloc[:, j], scale, labels)
    return values, codes


def issue_messages(
    rows: npt.NDArray[np.int64],
    columns: pd.Series,
    raw_values: pd.Series,
    codes: npt.NDArray[np.int8],
    scale: ResponseScale,
    label_names: str,
) -> pd.Series:
    """Build the message of each invalid cell (vectorised string assembly)."""
    import pandas as pd

    rule = f"response must be {scale.describe()}"
    if label_names:
        rule_text = {
            _NOT_A_NUMBER: f"response must be a number or one of the labels {label_names}.",
            _OUT_OF_RANGE: f"{rule}.",
            _NOT_ON_STEP: f"{rule}.",
        }
    else:
        rule_text = dict.fromkeys(CODE_NAMES, f"{rule}.")
    shown = raw_values.map(_show_value)
    where = "row " + pd.Series(rows).astype(str) + ", column '" + columns.astype(str) + "': "
    rules = pd.Series(codes).map(rule_text)
    return (where + rules + " Got " + shown.to_numpy() + ".").reset_index(drop=True)


def _show_value(value: object) -> str:
    if isinstance(value, str):
        text = value.strip()
        try:
            float(text)
        except ValueError:
            return repr(value)
        return text
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)
