"""Failure tables: one row per rejected cell, with row, column, value, code and message."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from alliance_metrics._arrays import CodeArray, IntArray
from alliance_metrics._text import show_value
from alliance_metrics.results import FAILURE_COLUMNS
from alliance_metrics.schemas import ResponseScale
from alliance_metrics.validation.rules import CODE_NAMES, NOT_A_NUMBER

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = [
    "ArrowFetcher",
    "CellFetcher",
    "failure_arrow",
    "failure_table",
    "rule_texts",
    "shift_rows",
]


def rule_texts(scale: ResponseScale) -> dict[int, str]:
    """Say what each issue code means for ``scale``, as the message says it.

    Examples
    --------
    >>> import alliance_metrics as am
    >>> rule_texts(am.get_instrument("srs").response_scale)[2]
    'response must be a number from 0 to 10.'
    """
    rule = f"response must be {scale.describe()}."
    texts = dict.fromkeys(CODE_NAMES, rule)
    labels = ", ".join(repr(a.label) for a in scale.anchors)
    if labels:
        texts[NOT_A_NUMBER] = f"response must be a number or one of the labels {labels}."
    return texts


CellFetcher = Callable[[int, IntArray], Sequence[object]]
"""``fetch(j, rows)``: the raw cells of item column ``j`` at positions ``rows``, as given."""


def failure_table(
    codes: CodeArray,
    columns: Sequence[object],
    scale: ResponseScale,
    fetch: CellFetcher,
    *,
    row_offset: int = 0,
) -> pd.DataFrame:
    """Build ``ValidationReport.failure_cases`` from a matrix of issue codes.

    Parameters
    ----------
    codes
        Issue codes (rows × items; 0 = no problem).
    columns
        The item columns' names, in the order of ``codes``' columns.
    scale
        The response scale the cells were checked against (for the messages).
    fetch
        Gives the raw cells of a column at some rows (only failing cells are fetched).
    row_offset
        Position of the first row in the whole input (for chunked and distributed callers).

    Examples
    --------
    >>> import numpy as np, alliance_metrics as am
    >>> scale = am.get_instrument("wai-b3").response_scale
    >>> raw = np.array([[4, 9], ["x", 3]], dtype=object)
    >>> codes = np.array([[0, 2], [1, 0]], np.int8)
    >>> table = failure_table(codes, ["a", "b"], scale, lambda j, rows: raw[rows, j],
    ...                       row_offset=10)
    >>> table[["row", "column", "value", "code"]].to_dict("records")
    [{'row': 10, 'column': 'b', 'value': 9, 'code': 'out_of_range'}, \
{'row': 11, 'column': 'a', 'value': 'x', 'code': 'not_a_number'}]
    """
    import pandas as pd

    positions, cols = np.nonzero(codes)
    values = np.empty(len(positions), dtype=object)
    for j in np.unique(cols).tolist():  # a loop over item columns, never over rows
        at = np.flatnonzero(cols == j)
        fetched = fetch(j, positions[at].astype(np.int64))
        values[at] = list(fetched)
    column_names = np.empty(len(cols), dtype=object)
    column_names[:] = [columns[j] for j in cols.tolist()]
    cell_codes = codes[positions, cols]
    rows = (positions + row_offset).astype(np.int64)
    names = np.array([""] + [str(CODE_NAMES[c]) for c in sorted(CODE_NAMES)], dtype=object)
    texts = rule_texts(scale)
    rules = np.array([""] + [texts[c] for c in sorted(CODE_NAMES)], dtype=object)
    messages = [
        f"row {row}, column {column!r}: {rule} Got {show_value(value)}."
        for row, column, rule, value in zip(
            rows.tolist(), column_names, rules[cell_codes], values, strict=True
        )
    ]
    return pd.DataFrame(
        {
            "row": rows,
            "column": column_names,
            "value": values,
            "code": names[cell_codes],
            "message": np.array(messages, dtype=object),
        },
        columns=list(FAILURE_COLUMNS),
    )


def shift_rows(cases: pd.DataFrame, offset: int) -> pd.DataFrame:
    """Move a part's failure cases ``offset`` rows down: ``row`` and the row its message names.

    Parts checked apart (Dask partitions, files of one run) report rows from 0; joined, their
    rows become positions in the whole input.

    Examples
    --------
    >>> import numpy as np, alliance_metrics as am
    >>> scale = am.get_instrument("wai-b3").response_scale
    >>> table = failure_table(np.array([[2]], np.int8), ["a"], scale, lambda j, rows: [9])
    >>> shift_rows(table, 40)[["row", "message"]].to_dict("records")
    [{'row': 40, 'message': "row 40, column 'a': response must be an integer from 1 to 5. Got 9."}]
    """
    if not offset or not len(cases):
        return cases
    rows = cases["row"].to_numpy(dtype=np.int64)
    messages = [
        f"row {row + offset}{message[len(f'row {row}') :]}"
        for row, message in zip(rows.tolist(), cases["message"], strict=True)
    ]
    shifted = cases.copy()
    shifted["row"] = rows + offset
    shifted["message"] = np.array(messages, dtype=object)
    return shifted


ArrowFetcher = Callable[[int, IntArray], "pa.Array"]
"""``fetch(j, rows)``: the text cells of item column ``j`` at positions ``rows``, as Arrow."""


def failure_arrow(
    codes: CodeArray,
    columns: Sequence[str],
    scale: ResponseScale,
    fetch: ArrowFetcher,
    *,
    row_offset: int = 0,
) -> pa.Table:
    """Build the failure table of text cells as Arrow, without a loop over the failures.

    Same columns, order and messages as :func:`failure_table`; each distinct value is shown
    once. For the streaming path, where a block may hold millions of rejected cells.

    Examples
    --------
    >>> import numpy as np, pyarrow as pa, alliance_metrics as am
    >>> scale = am.get_instrument("wai-b3").response_scale
    >>> cells = [pa.array(["4", "x"]), pa.array(["9", "3"])]
    >>> table = failure_arrow(np.array([[0, 2], [1, 0]], np.int8), ["a", "b"], scale,
    ...                       lambda j, rows: cells[j].take(pa.array(rows)), row_offset=10)
    >>> table.column("message").to_pylist()[0]
    "row 10, column 'b': response must be an integer from 1 to 5. Got 9."
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    positions, cols = np.nonzero(codes)
    order = np.argsort(cols, kind="stable")  # grouped by column, rows ascending in each
    parts = [
        fetch(int(j), positions[cols == j].astype(np.int64)).cast(pa.string())
        for j in np.unique(cols).tolist()
    ]
    grouped = pa.concat_arrays(parts) if parts else pa.array([], type=pa.string())
    inverse = np.empty(len(order), dtype=np.int64)
    inverse[order] = np.arange(len(order), dtype=np.int64)
    values = grouped.take(pa.array(inverse))
    encoded = pc.dictionary_encode(values)
    shown = pa.array([show_value(v) for v in encoded.dictionary.to_pylist()], type=pa.string())
    shown_values = shown.take(encoded.indices)
    cell_codes = codes[positions, cols].astype(np.int64) - 1
    ordered = sorted(CODE_NAMES)
    texts = rule_texts(scale)
    rows = (positions + row_offset).astype(np.int64)
    column_index = pa.array(cols.astype(np.int64))
    messages = pc.binary_join_element_wise(
        "row ",
        pc.cast(pa.array(rows), pa.string()),
        ", column ",
        pa.array([repr(c) for c in columns], type=pa.string()).take(column_index),
        ": ",
        pa.array([texts[c] for c in ordered], type=pa.string()).take(pa.array(cell_codes)),
        " Got ",
        shown_values,
        ".",
        "",
    )
    return pa.table(
        {
            "row": pa.array(rows, type=pa.int64()),
            "column": pa.array([str(c) for c in columns], type=pa.string()).take(column_index),
            "value": values,
            "code": pa.array([str(CODE_NAMES[c]) for c in ordered]).take(pa.array(cell_codes)),
            "message": messages,
        }
    )
