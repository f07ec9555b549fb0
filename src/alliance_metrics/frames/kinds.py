"""Which kind of table an argument is — pandas, polars, pyarrow or Dask — without importing any.

A table of a library can only exist once that library is imported, so the check looks the
library up in ``sys.modules`` and never imports it. The Dask engine (the leaf module
:mod:`alliance_metrics.dask`) is found by name, so lower layers reach it only when they were
given a Dask frame.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Literal, TypeVar, Union

if TYPE_CHECKING:
    import dask.dataframe as dd
    import pandas as pd
    import polars as pl
    import pyarrow as pa

__all__ = ["AnyTable", "Table", "TableKind", "dask_engine", "table_kind"]

TableKind = Literal["pandas", "polars", "arrow", "dask"]
Table = TypeVar("Table", "pd.DataFrame", "pl.DataFrame", "pa.Table", "dd.DataFrame")
"""A table of any supported kind; functions typed ``Table -> Table`` return the kind given."""
AnyTable = Union["pd.DataFrame", "pl.DataFrame", "pa.Table", "dd.DataFrame"]

_CLASSES: tuple[tuple[TableKind, str, str], ...] = (
    ("pandas", "pandas", "DataFrame"),
    ("polars", "polars", "DataFrame"),
    ("arrow", "pyarrow", "Table"),
    ("dask", "dask.dataframe", "DataFrame"),
)


def table_kind(value: object) -> TableKind | None:
    """Say which kind of table ``value`` is (``None`` for anything else).

    Examples
    --------
    >>> import pandas as pd, pyarrow as pa
    >>> table_kind(pd.DataFrame()), table_kind(pa.table({"a": [1]})), table_kind([1, 2])
    ('pandas', 'arrow', None)
    """
    for kind, module_name, class_name in _CLASSES:
        module = sys.modules.get(module_name)
        if module is not None and isinstance(value, getattr(module, class_name, ())):
            return kind
    return None


def dask_engine() -> ModuleType:
    """Return :mod:`alliance_metrics.dask` (imported on first use; it imports Dask).

    Called only with a Dask frame in hand, so Dask is installed.
    """
    return importlib.import_module("alliance_metrics.dask")
