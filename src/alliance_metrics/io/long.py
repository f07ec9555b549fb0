"""Reshape long-format responses (one row per answer) into the wide frame that scoring reads."""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

from alliance_metrics.errors import InputFormatError, InvalidParameterError

__all__ = ["long_to_wide"]

_NUMBERED = re.compile(r"^(?P<stem>.*?)(?P<number>\d+)$")
_MAX_SHOWN = 5


def _check_arguments(
    df: object, id_cols: object, item_col: object, value_col: object
) -> tuple[pd.DataFrame, list[Hashable]]:
    func = "long_to_wide"
    if not isinstance(df, pd.DataFrame):
        raise InvalidParameterError(
            f"The 'df' parameter of {func} must be a pandas DataFrame. "
            f"Got {type(df).__name__} instead."
        )
    ids: list[Hashable] = (
        [id_cols]
        if isinstance(id_cols, str) or not isinstance(id_cols, Sequence)
        else list(id_cols)
    )
    if not ids:
        raise InvalidParameterError(
            f"The 'id_cols' parameter of {func} must name at least one column. Got [] instead."
        )
    for name, value in [("id_cols", c) for c in ids] + [
        ("item_col", item_col),
        ("value_col", value_col),
    ]:
        if not isinstance(value, Hashable) or value not in df.columns:
            raise InvalidParameterError(
                f"The {name!r} parameter of {func} must name a column of df. Got {value!r} instead."
            )
    roles = [*ids, item_col, value_col]
    if len(set(roles)) != len(roles):
        raise InvalidParameterError(
            f"The 'id_cols', 'item_col' and 'value_col' parameters of {func} must name different "
            f"columns. Got {roles!r} instead."
        )
    return df, ids


def _item_key(value: object) -> Hashable:
    """Normalise an item label: strip strings, make whole floats ints (``3.0`` → ``3``)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return int(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def _natural(key: Hashable) -> tuple[str, float, str]:
    if isinstance(key, int):
        return ("", float(key), str(key))
    match = _NUMBERED.match(str(key))
    if match:
        return (match["stem"].casefold(), float(match["number"]), str(key))
    return (str(key).casefold(), math.inf, str(key))


def _rows(positions: Sequence[int]) -> str:
    shown = [str(p) for p in positions[:_MAX_SHOWN]]
    return ", ".join(shown[:-1]) + f" and {shown[-1]}" if len(shown) > 1 else shown[0]


def _reject_duplicates(keys: pd.DataFrame, id_names: Sequence[Hashable]) -> None:
    duplicated = keys.duplicated(keep=False).to_numpy()
    if not duplicated.any():
        return
    groups = keys[duplicated].groupby(list(keys.columns), sort=False, dropna=False).indices
    details = [
        f"rows {_rows(sorted(int(p) for p in np.flatnonzero(duplicated)[positions]))} "
        f"(item {key[-1] if isinstance(key, tuple) else key!r})"
        for key, positions in list(groups.items())[:_MAX_SHOWN]
    ]
    more = f"; and {len(groups) - _MAX_SHOWN} more" if len(groups) > _MAX_SHOWN else ""
    raise InputFormatError(
        f"Duplicate answers in long-format data: {'; '.join(details)}{more}. Each administration "
        f"(one combination of {', '.join(map(repr, id_names))}) may answer each item once."
    )


def long_to_wide(
    df: pd.DataFrame,
    *,
    id_cols: Hashable | Sequence[Hashable],
    item_col: Hashable,
    value_col: Hashable,
) -> pd.DataFrame:
    """Turn one row per answer into one row per administration, with a column per item.

    Parameters
    ----------
    df
        Long-format responses. It is never modified.
    id_cols
        Column (or columns) identifying an administration, e.g. ``["client", "session"]``.
    item_col
        Column naming the item of each answer (``1``, ``"wai_3"``, ``"item3"``, …).
    value_col
        Column holding the answer (a number or an anchor label).

    Returns
    -------
    pandas.DataFrame
        The id columns, then one column per item named by the item (items in natural order:
        ``wai_2`` before ``wai_10``), so that scoring auto-detects them. Administrations appear in
        the order of their first answer; items an administration did not answer are missing.

    Raises
    ------
    InputFormatError
        When an item cell is blank, or when an administration answers the same item twice (the
        message names the rows, never the identifiers).
    InvalidParameterError
        When a column argument does not name a column of ``df``.

    Examples
    --------
    >>> import pandas as pd, alliance_metrics as am
    >>> from alliance_metrics.io.long import long_to_wide
    >>> long = pd.DataFrame({"client": ["a", "a", "a", "b", "b", "b"],
    ...                      "item": [1, 2, 3, 3, 2, 1], "answer": [4, 5, 4, 2, 3, 2]})
    >>> wide = long_to_wide(long, id_cols="client", item_col="item", value_col="answer")
    >>> wide
      client    1    2    3
    0      a  4.0  5.0  4.0
    1      b  2.0  3.0  2.0
    >>> am.score_frame(wide, "wai-b3")["wai_b3_total"].round(3).tolist()
    [4.333, 2.333]
    """
    frame, ids = _check_arguments(df, id_cols, item_col, value_col)
    items = frame[item_col]
    blank = (items.isna() | (items.astype("string").str.strip() == "")).to_numpy(dtype=bool)
    if blank.any():
        raise InputFormatError(
            f"Column {item_col!r} is blank in row(s) {_rows(np.flatnonzero(blank).tolist())}: "
            "every answer needs its item."
        )
    labels = items.to_numpy(dtype=object)
    unique_keys = {value: _item_key(value) for value in pd.unique(labels)}
    keys = pd.Series([unique_keys[value] for value in labels], dtype=object)
    key_frame = frame[ids].reset_index(drop=True)
    key_frame.columns = pd.RangeIndex(len(ids))
    key_frame[len(ids)] = keys
    _reject_duplicates(key_frame, ids)
    administration = (
        key_frame[list(range(len(ids)))]
        .groupby(list(range(len(ids))), sort=False, dropna=False)
        .ngroup()
        .to_numpy()
    )
    order = sorted(dict.fromkeys(keys.tolist()), key=_natural)
    clashes = [k for k in order if k in set(ids)]
    if clashes:
        raise InputFormatError(
            f"Item(s) {', '.join(map(repr, clashes))} have the name of an id column; rename them."
        )
    item_index = keys.map({key: j for j, key in enumerate(order)}).to_numpy(dtype=np.int64)
    n_rows = int(administration.max()) + 1 if len(administration) else 0
    values = frame[value_col]
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        matrix = np.full((n_rows, len(order)), np.nan)
        matrix[administration, item_index] = values.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        matrix = np.full((n_rows, len(order)), np.nan, dtype=object)
        matrix[administration, item_index] = values.to_numpy(dtype=object)
    _, first = np.unique(administration, return_index=True)
    head = frame[ids].iloc[first].reset_index(drop=True)
    wide = pd.DataFrame(matrix, columns=pd.Index(order, dtype=object))
    return pd.concat([head, wide], axis=1)
