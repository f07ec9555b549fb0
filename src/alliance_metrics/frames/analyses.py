"""The bridge of the analyses: polars and pyarrow tables in, the same kind out; Dask dispatched.

The analyses (psychometrics, session series) compute on NumPy arrays behind a pandas front end.
:func:`table_analysis` lets such a front end take a polars DataFrame or a pyarrow Table: only the
columns the analysis reads cross into pandas (never the whole table), and a table it returns comes
back in the caller's kind — a row-aligned result as the caller's own table with the new columns
appended. Errors are the analysis' own: when a named column is absent or an added column would
clash, the analysis is run on an empty frame of all the caller's columns, which raises exactly
what the pandas call raises. A Dask DataFrame goes to the Dask engine when the analysis is
declared per-client (``dask=True``); otherwise it is refused with a clear message.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec, TypeVar

from alliance_metrics._params import (
    bad_parameter,
    collect_hint,
    is_lazy_frame,
    resolve_instrument_arg,
)
from alliance_metrics.columns import resolve_columns
from alliance_metrics.errors import InputFormatError
from alliance_metrics.frames.kinds import dask_engine, table_kind
from alliance_metrics.frames.native import NativeTable
from alliance_metrics.results import ScoreColumns

__all__ = ["table_analysis"]

P = ParamSpec("P")
R = TypeVar("R")


def _named_columns(bound: inspect.BoundArguments, parameters: Sequence[str]) -> list[str]:
    names: list[str] = []
    for parameter in parameters:
        value = bound.arguments.get(parameter)
        if isinstance(value, str) and value not in names:
            names.append(value)
    return names


def _item_columns(bound: inspect.BoundArguments, table: NativeTable, func: str) -> list[str]:
    if bound.arguments.get("instrument") is None:  # every column is an item
        return table.columns
    instrument = resolve_instrument_arg(bound.arguments["instrument"], func)
    found = resolve_columns(table.columns, instrument, bound.arguments.get("columns"), func)
    return [str(c) for c in found]


def _score_columns(bound: inspect.BoundArguments, func: str) -> list[str]:
    instrument = resolve_instrument_arg(bound.arguments.get("instrument"), func)
    prefix = bound.arguments.get("prefix")
    stem = prefix if isinstance(prefix, str) else None  # a bad prefix: the analysis says so
    return [str(c) for c in ScoreColumns.for_instrument(instrument, stem).scores]


def _empty_call(
    function: Callable[..., Any], bound: inspect.BoundArguments, data: str, table: NativeTable
) -> None:
    """Run the analysis on no rows of every column: it raises what the pandas call raises."""
    empty = NativeTable(
        table.table.head(0) if table.kind == "polars" else table.table.slice(0, 0), table.kind
    )
    arguments = dict(bound.arguments)
    arguments[data] = empty.to_pandas(empty.columns)
    function(**arguments)


def table_analysis(
    *,
    columns: Sequence[str] = (),
    items: bool = False,
    scores: bool = False,
    appends: bool = False,
    dask: bool = False,
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Let a pandas analysis take polars DataFrames and pyarrow Tables (and Dask, if per-client).

    Parameters
    ----------
    columns
        The parameters that name the columns the analysis reads (``"score"``, ``"client"``…);
        when none is given, every column is read (a wide item table).
    items
        The analysis reads an instrument's item columns (resolved from its ``instrument`` and
        ``columns`` arguments).
    scores
        The analysis reads the score columns ``score_frame`` added (named from its
        ``instrument`` and ``prefix`` arguments).
    appends
        The analysis returns the caller's rows with columns appended (``decompose``).
    dask
        The analysis is per client (or per row) and runs on Dask partitions.

    Examples
    --------
    >>> import pandas as pd, pyarrow as pa
    >>> @table_analysis(columns=("score",))
    ... def doubled(data: pd.DataFrame, *, score: str) -> pd.DataFrame:
    ...     return pd.DataFrame({"twice": data[score] * 2})
    >>> doubled(pa.table({"y": [1.0, 2.5], "other": ["a", "b"]}), score="y").to_pydict()
    {'twice': [2.0, 5.0]}
    """

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        signature = inspect.signature(function)
        data = next(iter(signature.parameters))
        func = function.__name__

        @functools.wraps(function)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            bound = signature.bind(*args, **kwargs)
            given = bound.arguments.get(data)
            kind = table_kind(given)
            if kind == "dask":
                if not dask:
                    raise bad_parameter(
                        data,
                        func,
                        "hold all rows in one process; call .compute() on the Dask "
                        "DataFrame (or on a sample of it) first",
                        given,
                    )
                bound.apply_defaults()
                result: R = dask_engine().run_analysis(public, bound)
                return result
            table = NativeTable.of(given)
            if table is None:
                if is_lazy_frame(given):
                    raise bad_parameter(
                        data,
                        func,
                        "be a pandas or polars DataFrame, or a pyarrow Table" + collect_hint(given),
                        given,
                    )
                return function(*args, **kwargs)
            bound.apply_defaults()
            if items:
                names = _item_columns(bound, table, func)
            elif scores:
                names = _score_columns(bound, func)
            else:
                names = _named_columns(bound, columns) if columns else []
                if not names and not any(bound.arguments.get(c) is not None for c in columns):
                    names = table.columns
            if any(name not in table.columns for name in names):
                _empty_call(function, bound, data, table)
                names = [name for name in names if name in table.columns]
            narrow = table.to_pandas(names)
            arguments = dict(bound.arguments)
            arguments[data] = narrow
            result = function(**arguments)  # type: ignore[call-arg]
            back: R = _back(
                result,
                table,
                narrow,
                appends,
                lambda: _empty_call(function, bound, data, table),
                func,
            )
            return back

        public = run
        return run

    return decorate


def _back(
    result: Any,
    table: NativeTable,
    narrow: Any,
    appends: bool,
    empty_call: Callable[[], None],
    func: str,
) -> Any:
    """Hand a pandas result table back in the caller's kind (other results unchanged)."""
    import pandas as pd

    if not isinstance(result, pd.DataFrame):
        return result
    if not appends:
        return table.same_kind(result)
    read = set(narrow.columns)
    added = result[[c for c in result.columns if c not in read]]
    clash = [c for c in added.columns if c in table.columns]
    if clash:
        empty_call()  # the analysis' own message
        raise InputFormatError(  # pragma: no cover - every appending analysis checks clashes
            f"{func} adds the column(s) {', '.join(map(repr, clash))}, which data already has."
        )
    added.attrs = result.attrs
    return table.with_pandas_columns(added)
