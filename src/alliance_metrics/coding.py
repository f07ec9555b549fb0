"""Convert paper forms keyed by tick position into values, using each item's printed order.

Some forms print an item's anchors from the highest to the lowest (the WAI-SR client form prints
items 2, 5, 6, 8, 10 and 11 from *Always* to *Seldom*). Data keyed by the position of the tick
(leftmost box = the scale's minimum) then look reverse-keyed on exactly those items. The default
``label`` coding never guesses; :func:`apply_position_coding` converts explicitly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from alliance_metrics._params import check_frame, resolve_instrument_arg
from alliance_metrics.columns import ColumnSpec, resolve_columns
from alliance_metrics.schemas import Instrument, ResponseScale
from alliance_metrics.validation.frame import coerce_column
from alliance_metrics.validation.rules import CellRules

__all__ = ["CODINGS", "apply_position_coding"]

CODINGS = ("label", "position")
"""How response values were keyed: by the anchor's value (``label``) or by tick position."""


def _from_positions(column: pd.Series, scale: ResponseScale) -> pd.Series:
    """Map valid positions p to ``min + max − p``; leave every other cell as given."""
    dtype = column.dtype
    numeric = (
        pd.api.types.is_numeric_dtype(dtype)
        and not pd.api.types.is_bool_dtype(dtype)
        and not pd.api.types.is_complex_dtype(dtype)
    )
    # A position is a number on the scale; labels, blanks and junk are not positions.
    positions, _ = coerce_column(column, CellRules.build(scale, labels={}))
    valid = ~np.isnan(positions)
    converted = scale.min + scale.max - positions
    if numeric:
        positions = column.to_numpy(dtype=np.float64, na_value=np.nan)
    if numeric:
        result = pd.Series(np.where(valid, converted, positions), index=column.index)
        if pd.api.types.is_integer_dtype(column.dtype) and not result.isna().any():
            return result.astype(column.dtype)
        return result
    # Text stays text: write each converted value as the number it is ("4", not "4.0").
    values = pd.Series(converted[valid])
    whole = bool((values % 1 == 0).all())
    shown = values.astype("Int64" if whole else "Float64").astype("string").to_numpy(dtype=object)
    cells = column.astype(object).copy()
    cells[valid] = shown
    return cells


def apply_position_coding(
    frame: pd.DataFrame, instrument: str | Instrument, item_columns: ColumnSpec = None
) -> pd.DataFrame:
    """Convert tick positions into values for the items printed in descending order.

    For an item printed from the highest anchor to the lowest, a tick in position ``p`` (counted
    on the scale's own numbers, leftmost box = minimum) means the value ``min + max − p``;
    ascending items are unchanged. Cells that are not valid positions (blanks, labels, numbers
    outside the scale) are left as given, so validation reports them as they were keyed.

    Parameters
    ----------
    frame
        Wide responses keyed by position. It is never modified.
    instrument
        Instrument id or :class:`~alliance_metrics.Instrument` (its items' ``printed_order``).
    item_columns
        Mapping of item to column, a template such as ``"wai_{n}"``, or ``None`` to auto-detect,
        as for ``score_frame(columns=...)``.

    Returns
    -------
    pandas.DataFrame
        A new frame with the descending items' positions converted to values.

    Raises
    ------
    InputFormatError
        When the item columns cannot be found.
    InvalidParameterError
        When ``frame`` is not a DataFrame.

    Examples
    --------
    >>> import pandas as pd, alliance_metrics as am
    >>> from alliance_metrics.coding import apply_position_coding
    >>> ticks = pd.DataFrame({f"wai_{n}": [1] for n in range(1, 13)})
    >>> values = apply_position_coding(ticks, "wai-sr")
    >>> values.iloc[0].tolist()
    [1, 5, 1, 1, 5, 5, 1, 5, 1, 5, 5, 1]
    """
    func = "apply_position_coding"
    frame = check_frame(frame, func, "frame")
    inst = resolve_instrument_arg(instrument, func)
    columns = resolve_columns(list(frame.columns), inst, item_columns, func)
    result = frame.copy()
    for item, column in zip(inst.items, columns, strict=True):
        if item.printed_order == "descending":
            result[column] = _from_positions(frame[column], inst.response_scale)
    return result
