"""Plain CSV files of any size, scored or validated block by block with flat memory.

Flow per block: Arrow text columns (``io.csv``) → cell decisions (``validation.arrow``) → the
shared kernel (``scoring.kernel``) → score columns appended to the untouched input columns →
the sink (``io.sink``). Rejected cells stream to the errors file; the in-memory report keeps the
first :data:`REPORT_LIMIT` of them.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from alliance_metrics._arrays import CodeArray, FloatArray, IntArray
from alliance_metrics.columns import check_output_names, resolve_columns
from alliance_metrics.errors import InputFormatError, InvalidParameterError, ResponseValidationError
from alliance_metrics.io.csv import CsvSource, open_csv_source
from alliance_metrics.io.inputs import InputSource
from alliance_metrics.io.sink import TableSink, publish_all
from alliance_metrics.pipeline.options import FileRequest
from alliance_metrics.pipeline.report import ReportCollector, id_columns_of
from alliance_metrics.pipeline.tables import append_scores, empty_output_schema
from alliance_metrics.results import ROW_STATUSES, CsvSummary, ScoreColumns
from alliance_metrics.scoring.kernel import row_status_codes, score_blocks, warn_if_provisional
from alliance_metrics.scoring.request import ScoreRequest
from alliance_metrics.validation.arrow import coerce_text
from alliance_metrics.validation.report import ArrowFetcher, failure_arrow

if TYPE_CHECKING:
    from alliance_metrics.validation.rules import CellRules

__all__ = ["score_stream", "validate_stream"]


@dataclass
class _Scored:
    """One instrument of a run: its request, item columns, cell rules and added columns."""

    request: ScoreRequest
    item_columns: list[str]
    rules: CellRules
    names: ScoreColumns | None = None


@dataclass
class _Decided:
    """One block: its rows and lines, and per instrument the item values and issue codes."""

    table: pa.Table
    item_values: list[FloatArray]
    codes: list[CodeArray]


@dataclass
class _Blocks:
    """An opened CSV with each instrument's item columns, read block by block."""

    request: FileRequest
    source: CsvSource
    scored: list[_Scored]
    collector: ReportCollector
    rows: int = 0
    plain: set[str] = field(default_factory=set)

    def decided(self) -> Iterator[_Decided]:
        """Yield each block with its item values and issue codes; failures are collected."""
        for table, lines in self.source.batches():
            n = table.num_rows
            self.plain = set()
            block = _Decided(table, [], [])
            for part in self.scored:  # a loop over the run's instruments, never over rows
                names = part.item_columns
                values = np.empty((n, len(names)), dtype=np.float64, order="F")
                codes = np.empty((n, len(names)), dtype=np.int8, order="F")
                for j, name in enumerate(names):  # a loop over item columns, never over rows
                    values[:, j], codes[:, j], plain = coerce_text(table.column(name), part.rules)
                    if plain:
                        self.plain.add(name)
                block.item_values.append(values)
                block.codes.append(codes)
            if any(codes.any() for codes in block.codes):
                self._collect(block, lines)
            self.rows += n
            if self.request.progress is not None:
                self.request.progress(self.source.bytes_read, self.source.size)
            yield block

    def _collect(self, block: _Decided, lines: IntArray) -> None:
        """Report a block's rejected cells, a bounded number at a time (memory stays flat)."""
        per_row = sum((codes != 0).sum(axis=1) for codes in block.codes)
        invalid = per_row > 0
        cumulative = np.cumsum(per_row)
        cuts = np.searchsorted(cumulative, np.arange(_PIECE, int(cumulative[-1]), _PIECE), "right")
        bounds = [0, *np.unique(cuts).tolist(), len(per_row)]
        for start, stop in itertools.pairwise(bounds):
            pieces = [
                failure_arrow(
                    codes[start:stop],
                    part.item_columns,
                    part.request.instrument.response_scale,
                    _fetcher(block.table, part.item_columns, start),
                    row_offset=self.rows + start,
                )
                for part, codes in zip(self.scored, block.codes, strict=True)
                if codes[start:stop].any()
            ]
            if pieces:
                cases = pieces[0] if len(pieces) == 1 else _by_row(pieces)
                n_invalid = int(invalid[start:stop].sum())
                self.collector.add_arrow(cases, block.table, self.rows, lines, n_invalid)


_PIECE = 200_000
"""Rejected cells turned into report rows at a time (a block may hold millions)."""


def _by_row(tables: list[pa.Table]) -> pa.Table:
    """Failure tables of several instruments as one, by row (then instrument order)."""
    combined = pa.concat_tables(tables)
    order = np.argsort(combined.column("row").to_numpy(), kind="stable")
    return combined.take(pa.array(order))


def _fetcher(table: pa.Table, names: list[str], first: int = 0) -> ArrowFetcher:
    """Cells of a block's item column at some rows (counted from row ``first``), as read."""

    def fetch(j: int, rows: IntArray) -> pa.Array:
        return table.column(names[j]).take(pa.array(rows + first)).combine_chunks()

    return fetch


def _open(request: FileRequest, opened: InputSource) -> _Blocks:
    func = request.function
    source = open_csv_source(
        opened, encoding=request.encoding, delimiter=request.delimiter, func=func
    )
    scored = []
    try:
        for score in request.requests:
            inst = score.instrument
            found = resolve_columns(list(source.columns), inst, request.columns, func)
            decimal_comma = source.delimiter == ";" and inst.response_scale.step is None
            scored.append(
                _Scored(score, [str(c) for c in found], score.rules(decimal_comma=decimal_comma))
            )
    except (InputFormatError, InvalidParameterError) as error:
        source.close()
        raise type(error)(f"{source.name}: {error}") from None
    except BaseException:
        source.close()
        raise
    ids = id_columns_of(source.columns, request.id_columns, (), func)
    collector = ReportCollector(request.errors, ids)
    return _Blocks(request, source, scored, collector)


def score_stream(request: FileRequest, opened: InputSource, started: float) -> CsvSummary:
    """Score a plain CSV block by block and write it (the streaming path of ``score_csv``)."""
    output = request.output
    if output is None:  # pragma: no cover - score_csv always resolves an output
        raise ValueError("score_stream needs an output")
    blocks = _open(request, opened)
    try:
        columns = list(blocks.source.columns)
        taken: list[str] = list(columns)
        for part in blocks.scored:
            score = part.request
            part.names = check_output_names(taken, score.instrument, score.prefix, score.function)
            taken += part.names.ordered()
            warn_if_provisional(score.instrument)
        sink = TableSink(
            output.target,
            output.output_format,
            delimiter=output.delimiter or blocks.source.delimiter,
            sanitize=output.sanitize,
            empty_schema=empty_output_schema(columns, [p.names for p in blocks.scored if p.names]),
        )
        counts = {
            p.request.instrument.id: np.zeros(len(ROW_STATUSES), np.int64) for p in blocks.scored
        }
        worst = np.zeros(len(ROW_STATUSES), dtype=np.int64)
        writing = True
        try:
            for block in blocks.decided():
                if any(c.any() for c in block.codes) and request.on_invalid == "raise":
                    writing = False  # read on: the report names every rejected cell
                if not writing:
                    continue
                table = block.table
                row_worst = np.zeros(table.num_rows, dtype=np.int8)
                for part, values, codes in zip(
                    blocks.scored, block.item_values, block.codes, strict=True
                ):
                    score = part.request
                    scores, answered, status = score_blocks(
                        score.plan, values, score.aggregate, score.required
                    )
                    row_status = row_status_codes(status, np.asarray(codes.any(axis=1)))
                    counts[score.instrument.id] += np.bincount(
                        row_status, minlength=len(ROW_STATUSES)
                    )
                    np.maximum(row_worst, row_status, out=row_worst)
                    if part.names is not None:
                        table = append_scores(
                            table, part.names, scores, answered, row_status, output.precision
                        )
                worst += np.bincount(row_worst, minlength=len(ROW_STATUSES))
                sink.write(table, safe_columns=blocks.plain)
            report = blocks.collector.report(blocks.rows)
            if not writing:
                raise ResponseValidationError(report.summary(), report)
            publish_all([sink, *blocks.collector.errors.sinks()])
        except BaseException:
            sink.abort()
            blocks.collector.errors.abort()
            raise
        blocks.collector.errors.remove_stale()
    finally:
        blocks.source.close()
    by_instrument: dict[str, dict[str, int]] = {
        name: dict(zip(ROW_STATUSES, c.tolist(), strict=True)) for name, c in counts.items()
    }
    return CsvSummary(
        source=blocks.source.name,
        rows=blocks.rows,
        n_invalid_cells=report.n_invalid_cells,
        n_rows_invalid=blocks.collector.n_rows_invalid,
        status_counts=dict(zip(ROW_STATUSES, worst.tolist(), strict=True)),
        output=output.target.shown,
        errors_output=blocks.collector.errors.written,
        delimiter=blocks.source.delimiter,
        seconds=time.perf_counter() - started,
        report=report,
        status_counts_by_instrument=by_instrument if len(by_instrument) > 1 else {},
    )


def validate_stream(request: FileRequest, opened: InputSource, started: float) -> CsvSummary:
    """Check every item cell of a plain CSV block by block (the path of ``validate_csv``)."""
    blocks = _open(request, opened)
    try:
        try:
            for _ in blocks.decided():
                pass
            publish_all(blocks.collector.errors.sinks())
        except BaseException:
            blocks.collector.errors.abort()
            raise
        blocks.collector.errors.remove_stale()
    finally:
        blocks.source.close()
    report = blocks.collector.report(blocks.rows)
    return CsvSummary(
        source=blocks.source.name,
        rows=blocks.rows,
        n_invalid_cells=report.n_invalid_cells,
        n_rows_invalid=blocks.collector.n_rows_invalid,
        status_counts={},
        output=None,
        errors_output=blocks.collector.errors.written,
        delimiter=blocks.source.delimiter,
        seconds=time.perf_counter() - started,
        report=report,
    )
