"""Small pandas helpers shared by the session-series front ends (output tables only)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliance_metrics.errors import InputFormatError, InvalidParameterError
from alliance_metrics.longitudinal._series import Series

__all__ = ["categorical", "client_keys", "with_columns"]


def categorical(codes: npt.ArrayLike, categories: Sequence[str]) -> pd.Categorical:
    """Build a categorical with fixed categories (empty and full tables share the dtype).

    Examples
    --------
    >>> categorical([1, 0], ("low", "high")).tolist()
    ['high', 'low']
    """
    dtype = pd.CategoricalDtype(list(categories))
    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int64), dtype=dtype)


def client_keys(
    series: Series, codes: npt.NDArray[np.int64], outputs: Iterable[str], func: str
) -> pd.Index:
    """Return the client keys of ``codes`` (the caller's values and dtype).

    Raises :class:`InvalidParameterError` when the client column's name is also the name of an
    output column.
    """
    name: Hashable = series.client_name
    if name in set(outputs):
        raise InvalidParameterError(
            f"The 'client' parameter of {func} names a column called {name!r}, which is also an "
            "output column; rename the client column."
        )
    return series.labels.take(codes)


def with_columns(data: pd.DataFrame, columns: Mapping[str, Any], func: str) -> pd.DataFrame:
    """Return a copy of ``data`` (rows, order and index kept) with ``columns`` appended.

    Raises :class:`InputFormatError` when ``data`` already has a column of one of those names.
    """
    clash = [name for name in columns if name in data.columns]
    if clash:
        raise InputFormatError(
            f"{func} adds the column(s) {', '.join(map(repr, clash))}, which data already has; "
            "rename or drop them first."
        )
    added = pd.DataFrame(dict(columns), index=data.index)
    return pd.concat([data, added], axis=1)
