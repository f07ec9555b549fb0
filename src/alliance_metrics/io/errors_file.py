"""The errors file: every rejected cell of a run, streamed to CSV as the run finds them.

Columns: ``row`` (0-based data row, as ``ValidationReport`` counts), ``line`` (1-based line of
the file as a spreadsheet shows it, header = line 1), the id columns the caller named (so a
cell can be traced to its respondent in the caller's own records), then ``column``, ``value``,
``code`` and ``message``. It is written only when a cell is rejected; a report of an earlier run
left at the same path is removed when the new run finds nothing (a stale file never describes
new output).
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pyarrow as pa

from alliance_metrics._text import show_value
from alliance_metrics.io.sink import OutputTarget, TableSink

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["ERRORS_COLUMNS", "ErrorsFile"]

ERRORS_COLUMNS = ("row", "line", "column", "value", "code", "message")
"""Fixed columns of the errors file; id columns come between ``line`` and ``column``."""
_HEADER_STARTS = ('"row","line",', '"row","column","value","code","message"')


class ErrorsFile:
    """Collects failure tables chunk by chunk and writes them to one CSV (never held whole).

    Parameters
    ----------
    target
        Where to write, or ``None`` to write nothing (the caller keeps the report).
    id_columns
        Names of the id columns whose values accompany each rejected cell.
    """

    def __init__(self, target: OutputTarget | None, id_columns: Sequence[str] = ()) -> None:
        self.target = target
        self.id_names = [f"id_{c}" if c in ERRORS_COLUMNS else c for c in id_columns]
        self._sink: TableSink | None = None

    @property
    def written(self) -> str | None:
        """How the errors file is named in summaries, once something was written."""
        return self.target.shown if self._sink is not None and self.target else None

    def add(
        self,
        cases: pd.DataFrame,
        lines: np.ndarray,
        ids: Mapping[str, Sequence[object]] | None = None,
    ) -> None:
        """Append the failures of one chunk (``lines`` and ``ids`` aligned with ``cases``)."""
        if self.target is None or not len(cases):
            return
        columns: dict[str, pa.Array] = {
            "row": pa.array(cases["row"].to_numpy(), type=pa.int64()),
            "line": pa.array(lines, type=pa.int64()),
        }
        for name, values in zip(self.id_names, (ids or {}).values(), strict=False):
            columns[name] = pa.array([_text(v) for v in values], type=pa.string())
        columns["column"] = pa.array([str(c) for c in cases["column"]], type=pa.string())
        columns["value"] = pa.array([_text(v) for v in cases["value"]], type=pa.string())
        columns["code"] = pa.array([str(c) for c in cases["code"]], type=pa.string())
        columns["message"] = pa.array([str(m) for m in cases["message"]], type=pa.string())
        if self._sink is None:
            self._sink = TableSink(self.target, "csv", sanitize=True)
        self._sink.write(pa.table(columns))

    def add_arrow(
        self, cases: pa.Table, lines: pa.Array, ids: Mapping[str, pa.Array] | None = None
    ) -> None:
        """Append one chunk's failures given as Arrow (row, column, value, code, message)."""
        if self.target is None or not cases.num_rows:
            return
        columns: dict[str, pa.Array] = {
            "row": cases.column("row"),
            "line": pa.array(lines, type=pa.int64()),
        }
        for name, values in zip(self.id_names, (ids or {}).values(), strict=False):
            columns[name] = values.cast(pa.string())
        for name in ("column", "value", "code", "message"):
            columns[name] = cases.column(name)
        if self._sink is None:
            self._sink = TableSink(self.target, "csv", sanitize=True)
        self._sink.write(pa.table(columns))

    def sinks(self) -> list[TableSink]:
        """Return the open sink, if anything was written (to publish with the other outputs)."""
        return [] if self._sink is None else [self._sink]

    def remove_stale(self, protected: Sequence[str] = ()) -> None:
        """When nothing was written, remove an earlier run's errors file at the same path."""
        target = self.target
        if self._sink is not None or target is None or target.kind != "file" or not target.path:
            return
        path = target.path
        if str(path) in protected:
            return
        try:
            if not stat.S_ISREG(os.stat(path).st_mode):
                return
            with open(path, encoding="utf-8") as handle:
                first = handle.readline().strip()
        except (OSError, UnicodeDecodeError):
            return
        if first.startswith(_HEADER_STARTS):
            with contextlib.suppress(OSError):
                path.unlink()

    def abort(self) -> None:
        """Discard what was written."""
        if self._sink is not None:
            self._sink.abort()


def _text(value: object) -> str | None:
    """Show a cell as text for the file: as given, whole floats without ``.0``; blank if missing."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str):
        return value
    return show_value(value)
