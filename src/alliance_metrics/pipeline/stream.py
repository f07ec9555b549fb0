"""Plain CSV files of any size, scored or validated block by block with flat memory.

Flow per block: Arrow text columns (``io.csv``) → cell decisions (``validation.arrow``) → the
shared kernel (``scoring.kernel``) → score columns appended to the untouched input columns →
the sink (``io.sink``). Rejected cells stream to the errors file; the in-memory report keeps the
first :data:`REPORT_LIMIT` of them.
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Iterator
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
from alliance_metrics.results import ROW_STATUSES, CsvSummary
from alliance_metrics.scoring.kernel import row_status_codes, score_blocks, warn_if_provisional
from alliance_metrics.validation.arrow import coerce_text
from alliance_metrics.validation.report import CellFetcher, failure_table

if TYPE_CHECKING:
    from alliance_metrics.validation.rules import CellRules

__all__ = ["score_stream", "validate_stream"]


@dataclass
class _Blocks:
    """An opened CSV with its item columns, read block by block."""

    request: FileRequest
    source: CsvSource
    item_columns: list[Hashable]
    rules: CellRules
    collector: ReportCollector
    rows: int = 0
    plain: set[str] = field(default_factory=set)

    def decided(self) -> Iterator[tuple[pa.Table, FloatArray, CodeArray]]:
        """Yield each block with its item values and issue codes; failures are collected."""
        scale = self.request.score.instrument.response_scale
        names = [str(c) for c in self.item_columns]
        for table, lines in self.source.batches():
            n = table.num_rows
            values = np.empty((n, len(names)), dtype=np.float64, order="F")
            codes = np.empty((n, len(names)), dtype=np.int8, order="F")
            self.plain = set()
            for j, name in enumerate(names):  # a loop over item columns, never over rows
                values[:, j], codes[:, j], plain = coerce_text(table.column(name), self.rules)
                if plain:
                    self.plain.add(name)
            if codes.any():
                cases = failure_table(
                    codes, names, scale, _fetcher(table, names), row_offset=self.rows
                )
                self.collector.add(cases, table, codes, self.rows, lines=lines)
            self.rows += n
            if self.request.progress is not None:
                self.request.progress(self.source.bytes_read, self.source.size)
            yield table, values, codes


def _fetcher(table: pa.Table, names: list[str]) -> CellFetcher:
    """Cells of a block's item column at some rows, as read."""

    def fetch(j: int, rows: IntArray) -> list[object]:
        cells: list[object] = table.column(names[j]).take(pa.array(rows)).to_pylist()
        return cells

    return fetch


def _open(request: FileRequest, opened: InputSource) -> _Blocks:
    func = request.function
    source = open_csv_source(
        opened, encoding=request.encoding, delimiter=request.delimiter, func=func
    )
    try:
        inst = request.score.instrument
        item_columns = resolve_columns(list(source.columns), inst, request.columns, func)
    except (InputFormatError, InvalidParameterError) as error:
        source.close()
        raise type(error)(f"{source.name}: {error}") from None
    except BaseException:
        source.close()
        raise
    decimal_comma = source.delimiter == ";" and inst.response_scale.step is None
    ids = id_columns_of(source.columns, request.id_columns, (), func)
    collector = ReportCollector(request.errors, ids)
    return _Blocks(
        request, source, item_columns, request.score.rules(decimal_comma=decimal_comma), collector
    )


def score_stream(request: FileRequest, opened: InputSource, started: float) -> CsvSummary:
    """Score a plain CSV block by block and write it (the streaming path of ``score_csv``)."""
    output = request.output
    if output is None:  # pragma: no cover - score_csv always resolves an output
        raise ValueError("score_stream needs an output")
    blocks = _open(request, opened)
    score = request.score
    try:
        columns = blocks.source.columns
        names = check_output_names(columns, score.instrument, score.prefix, score.function)
        warn_if_provisional(score.instrument, stacklevel=5)
        sink = TableSink(
            output.target,
            output.output_format,
            delimiter=output.delimiter or blocks.source.delimiter,
            sanitize=output.sanitize,
            empty_schema=empty_output_schema(columns, names),
        )
        counts = np.zeros(len(ROW_STATUSES), dtype=np.int64)
        writing = True
        try:
            for table, values, codes in blocks.decided():
                invalid_rows = np.asarray(codes.any(axis=1))
                if invalid_rows.any() and score.on_invalid == "raise":
                    writing = False  # read on: the report names every rejected cell
                if not writing:
                    continue
                scores, answered, status = score_blocks(
                    score.plan, values, score.aggregate, score.required
                )
                row_status = row_status_codes(status, invalid_rows)
                counts += np.bincount(row_status, minlength=len(ROW_STATUSES))
                table = append_scores(table, names, scores, answered, row_status, output.precision)
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
    return CsvSummary(
        source=blocks.source.name,
        rows=blocks.rows,
        n_invalid_cells=report.n_invalid_cells,
        n_rows_invalid=blocks.collector.n_rows_invalid,
        status_counts=dict(zip(ROW_STATUSES, counts.tolist(), strict=True)),
        output=output.target.shown,
        errors_output=blocks.collector.errors.written,
        delimiter=blocks.source.delimiter,
        seconds=time.perf_counter() - started,
        report=report,
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
