"""What a file run reports: failures kept in memory (up to a limit), streamed to the errors file."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from alliance_metrics._arrays import CodeArray, IntArray
from alliance_metrics.errors import InvalidParameterError
from alliance_metrics.io.errors_file import ErrorsFile
from alliance_metrics.io.sink import OutputTarget
from alliance_metrics.pipeline.options import DEFAULT_ID_COLUMNS
from alliance_metrics.results import ValidationReport

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["REPORT_LIMIT", "ReportCollector", "id_columns_of"]

REPORT_LIMIT = 100_000
"""Rejected cells a file run keeps in memory for its report (the errors file has them all)."""


def id_columns_of(
    columns: Sequence[Hashable],
    wanted: tuple[str, ...] | None,
    export_ids: Sequence[Hashable],
    func: str,
) -> list[Hashable]:
    """Choose the id columns whose values go into the errors file.

    ``wanted`` (the caller's ``id_columns``) must all exist; ``None`` takes the export's own id
    columns, else every column named like an id (:data:`DEFAULT_ID_COLUMNS`).
    """
    present = {str(c): c for c in columns}
    if wanted is not None:
        absent = [w for w in wanted if w not in present]
        if absent:
            raise InvalidParameterError(
                f"The 'id_columns' parameter of {func} names column(s) "
                f"{', '.join(map(repr, absent))}, which the input does not have.",
                parameter="id_columns",
                function=func,
            )
        return [present[w] for w in wanted]
    if export_ids:
        return [c for c in export_ids if str(c) in present]
    return [present[name] for name in DEFAULT_ID_COLUMNS if name in present]


class ReportCollector:
    """Gathers a run's failures chunk by chunk.

    Parameters
    ----------
    errors
        Target of the errors file, or ``None`` (nothing written).
    id_columns
        Columns whose values accompany each rejected cell in the errors file.
    limit
        Failures kept in memory for the report.
    """

    def __init__(
        self, errors: OutputTarget | None, id_columns: Sequence[Hashable], limit: int = REPORT_LIMIT
    ) -> None:
        self.errors = ErrorsFile(errors, [str(c) for c in id_columns])
        self.id_columns = list(id_columns)
        self.limit = limit
        self.kept: list[pd.DataFrame] = []
        self.n_kept = 0
        self.n_cells = 0
        self.n_rows_invalid = 0

    def add(
        self,
        cases: pd.DataFrame,
        table: Any,
        codes: CodeArray | None,
        row_offset: int,
        *,
        lines: IntArray | None = None,
        extra_rows: int = 0,
    ) -> None:
        """Record one chunk's failure table.

        ``table`` (an Arrow table or a DataFrame) holds the id columns at the chunk's
        positions; ``lines`` maps chunk positions to file lines (default: position + 2, the
        header being line 1). ``extra_rows`` counts invalid rows that ``codes`` does not show.
        """
        self.n_cells += len(cases)
        if codes is not None:
            self.n_rows_invalid += int(codes.any(axis=1).sum())
        self.n_rows_invalid += extra_rows
        positions = cases["row"].to_numpy(dtype=np.int64) - row_offset
        file_lines = positions + row_offset + 2 if lines is None else lines[positions]
        ids = {str(c): _values_at(table, c, positions) for c in self.id_columns}
        self.errors.add(cases, file_lines, ids)
        room = self.limit - self.n_kept
        if room > 0:
            kept = cases.iloc[:room]
            self.kept.append(kept)
            self.n_kept += len(kept)

    def add_arrow(
        self, cases: pa.Table, table: pa.Table, row_offset: int, lines: IntArray, invalid_rows: int
    ) -> None:
        """Record one block's failures given as Arrow (the streaming path: never per cell)."""
        import pyarrow as pa

        self.n_cells += cases.num_rows
        self.n_rows_invalid += invalid_rows
        positions = pa.array(cases.column("row").to_numpy() - row_offset)
        ids = {str(c): table.column(str(c)).take(positions) for c in self.id_columns}
        self.errors.add_arrow(cases, pa.array(lines).take(positions), ids)
        room = self.limit - self.n_kept
        if room > 0:
            kept = cases.slice(0, room).to_pandas(types_mapper=None)
            for name in ("column", "value", "code", "message"):
                kept[name] = kept[name].astype(object)
            self.kept.append(kept)
            self.n_kept += len(kept)

    def report(self, n_rows: int) -> ValidationReport:
        """Return the run's report (the first :attr:`limit` failures, every count exact)."""
        if not self.n_cells:
            return ValidationReport(n_rows=n_rows)
        import pandas as pd

        cases = pd.concat(self.kept, ignore_index=True)
        return ValidationReport(
            n_rows=n_rows,
            failure_cases=cases,
            n_invalid_cells=self.n_cells,
            n_rows_affected=self.n_rows_invalid,
        )


def _values_at(table: Any, column: Hashable, positions: IntArray) -> list[object]:
    import pyarrow as pa

    cells: list[object]
    if isinstance(table, pa.Table):
        cells = table.column(str(column)).take(pa.array(positions)).to_pylist()
    else:
        cells = table[column].to_numpy(dtype=object)[positions].tolist()
    return cells
