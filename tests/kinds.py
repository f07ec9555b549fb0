"""Compare tables of different kinds (pandas, polars, pyarrow, Dask results) value by value."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd


def _clean(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()  # NumPy scalars
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value)  # an integer column with nulls reads back as float in pandas
    return value


def cells(frame: Any) -> dict[str, list[Any]]:
    """Every column as a list of Python values; every kind of missing value is ``None``.

    Categories are their labels, integers compare equal to the same floats.
    """
    kind = type(frame).__module__.split(".")[0]
    if kind == "polars":
        data = frame.to_dict(as_series=False)
    elif kind == "pyarrow":
        data = frame.to_pydict()
    else:
        data = {c: frame[c].astype(object).tolist() for c in frame.columns}
    return {str(name): [_clean(v) for v in values] for name, values in data.items()}


def assert_same_cells(left: Any, right: Any) -> None:
    """Same columns, in the same order, with the same values (exactly)."""
    a, b = cells(left), cells(right)
    assert list(a) == list(b)
    for name in a:
        assert a[name] == b[name], name
