"""``score_frame`` and ``validate_frame`` on polars DataFrames and pyarrow Tables, without pandas.

Data flow: item columns as Arrow arrays (zero-copy from polars) → typed Arrow backend
(:mod:`alliance_metrics.validation.typed`) → the shared kernel → score, answered-count and
status columns appended in the caller's kind. The decisions, scores and statuses are those of the
pandas path (the same rules and kernel); only the containers differ.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

from alliance_metrics._arrays import CodeArray, FloatArray, IntArray
from alliance_metrics.columns import ColumnSpec, check_output_names, resolve_columns
from alliance_metrics.errors import ResponseValidationError
from alliance_metrics.frames.native import NativeTable, code_array, float_array, int_array
from alliance_metrics.results import ROW_STATUSES, ValidationReport
from alliance_metrics.schemas import Instrument
from alliance_metrics.scoring.kernel import row_status_codes, score_blocks, warn_if_provisional
from alliance_metrics.scoring.request import ScoreRequest
from alliance_metrics.validation.report import failure_table
from alliance_metrics.validation.rules import CellRules
from alliance_metrics.validation.typed import coerce_arrow

__all__ = ["score_table", "table_report", "validate_table"]


def _item_matrix(
    table: NativeTable, item_columns: Sequence[Hashable], rules: CellRules
) -> tuple[FloatArray, CodeArray]:
    n_rows, n_items = table.n_rows, len(item_columns)
    values = np.empty((n_rows, n_items), dtype=np.float64, order="F")
    codes = np.empty((n_rows, n_items), dtype=np.int8, order="F")
    for j, name in enumerate(item_columns):  # a loop over item columns, never over rows
        values[:, j], codes[:, j] = coerce_arrow(table.arrow_column(str(name)), rules)
    return values, codes


def table_report(
    table: NativeTable,
    item_columns: Sequence[Hashable],
    codes: CodeArray,
    instrument: Instrument,
    row_offset: int = 0,
) -> ValidationReport:
    """Report a table's item cells: every non-zero code, with the cell as given."""
    if not codes.any():
        return ValidationReport(n_rows=table.n_rows)
    names = [str(c) for c in item_columns]

    def fetch(j: int, rows: IntArray) -> list[object]:
        return table.cells(names[j], rows)

    cases = failure_table(codes, names, instrument.response_scale, fetch, row_offset=row_offset)
    return ValidationReport(n_rows=table.n_rows, failure_cases=cases)


def validate_table(
    table: NativeTable,
    instrument: Instrument,
    columns: ColumnSpec,
    rules: CellRules,
    row_offset: int = 0,
    func: str = "validate_frame",
) -> ValidationReport:
    """Check every item cell of a polars DataFrame or pyarrow Table (``validate_frame``)."""
    item_columns = resolve_columns(table.columns, instrument, columns, func)
    _, codes = _item_matrix(table, item_columns, rules)
    return table_report(table, item_columns, codes, instrument, row_offset)


def score_table(
    table: NativeTable,
    request: ScoreRequest,
    columns: ColumnSpec,
    row_offset: int = 0,
) -> tuple[object, ValidationReport]:
    """Score a polars DataFrame or pyarrow Table for a resolved request (``score_frame``).

    Returns the caller's table, same kind, with the added columns, and the report of the pass.

    Examples
    --------
    >>> import pyarrow as pa
    >>> request = ScoreRequest.resolve("score_frame", "wai-b3", on_invalid="missing")
    >>> table = NativeTable.of(pa.table({"wai_1": ["4", "x"], "wai_2": [4, 4], "wai_3": [5, 5]}))
    >>> scored, report = score_table(table, request, None)
    >>> scored.column("wai_b3_status").to_pylist(), report.n_invalid_cells
    (['ok', 'invalid'], 1)
    """
    inst, func = request.instrument, request.function
    names = check_output_names(table.columns, inst, request.prefix, func)
    item_columns = resolve_columns(table.columns, inst, columns, func)
    values, codes = _item_matrix(table, item_columns, request.rules())
    report = table_report(table, item_columns, codes, inst, row_offset)
    if request.on_invalid == "raise" and not report.ok:
        raise ResponseValidationError(report.summary(), report)
    warn_if_provisional(inst)
    scores, answered, status = score_blocks(
        request.plan, values, request.aggregate, request.required
    )
    row_status = row_status_codes(status, np.asarray(codes.any(axis=1), dtype=bool))
    added = {}
    for s, (score_name, answered_name) in enumerate(zip(names.scores, names.answered, strict=True)):
        added[score_name] = float_array(scores[s])
        added[answered_name] = int_array(answered[s])
    added[names.status] = code_array(row_status, ROW_STATUSES)
    return table.append(added, request.provenance()), report
