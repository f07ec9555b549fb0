"""Exports read whole: REDCap, Qualtrics, SPSS, and paper forms keyed by tick position.

A reader (``io/``) turns the export into a canonical wide frame; the frame is scored with the
same request as ``score_frame``. The readers' own findings (codes outside a REDCap field's
choices) are merged into the report, and the rows holding them are marked ``invalid`` through
the scoring call itself — a row's status has one source. Item cells are written as given.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Hashable
from dataclasses import dataclass
from typing import cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliance_metrics.batch import frame_report, score_with_report
from alliance_metrics.coding import apply_position_coding
from alliance_metrics.columns import ColumnSpec, check_output_names, resolve_columns
from alliance_metrics.errors import IssueCode, ResponseValidationError
from alliance_metrics.io.exports import ExportData
from alliance_metrics.io.inputs import InputSource
from alliance_metrics.io.readers import read_export
from alliance_metrics.io.sink import TableSink, publish_all
from alliance_metrics.pipeline.options import FileRequest
from alliance_metrics.pipeline.report import ReportCollector, id_columns_of
from alliance_metrics.pipeline.tables import frame_to_table
from alliance_metrics.results import FAILURE_COLUMNS, ROW_STATUSES, CsvSummary, ValidationReport
from alliance_metrics.validation.frame import coerce_matrix

__all__ = ["score_whole", "validate_whole"]


@dataclass(frozen=True)
class _Prepared:
    """An export's frame ready for scoring, and what the reader rejected in it."""

    data: ExportData
    frame: pd.DataFrame  # reader-rejected cells blanked: they count as unanswered
    as_given: pd.DataFrame  # item cells as in the file (after position coding)
    mapping: dict[str | int, Hashable]
    rejected: pd.DataFrame
    reader_invalid: npt.NDArray[np.bool_]


def _prepare(request: FileRequest, opened: InputSource) -> _Prepared:
    """Read the export, resolve item columns, apply position coding, blank the reader's rejects."""
    inst, func = request.score.instrument, request.function
    data = read_export(
        opened,
        inst,
        request.reader,
        encoding=request.encoding,
        delimiter=request.delimiter,
        func=func,
    )
    spec: ColumnSpec = (
        request.columns if request.columns is not None else cast(ColumnSpec, data.item_columns)
    )
    item_columns = resolve_columns(list(data.frame.columns), inst, spec, func)
    mapping: dict[str | int, Hashable] = dict(
        zip([i.id for i in inst.items], item_columns, strict=True)
    )
    as_given = data.frame
    if request.reader.coding == "position":
        as_given = apply_position_coding(as_given, inst, mapping)
    issues = data.issues
    rejected = issues[issues["code"] == str(IssueCode.NOT_A_CHOICE)]
    reader_invalid = np.zeros(len(as_given), dtype=bool)
    frame = as_given
    if len(rejected):
        frame = as_given.copy()
        for column, rows in rejected.groupby("column")["row"]:
            positions = rows.to_numpy(dtype=np.int64)
            frame[column] = frame[column].astype(object)
            frame.loc[frame.index[positions], column] = None
        reader_invalid[rejected["row"].to_numpy(dtype=np.int64)] = True
    return _Prepared(data, frame, as_given, mapping, rejected, reader_invalid)


def _merge(prepared: _Prepared, validation: ValidationReport) -> pd.DataFrame:
    tables = [t for t in (prepared.rejected, validation.failure_cases) if len(t)]
    if not tables:
        return validation.failure_cases
    cases = pd.concat(tables, ignore_index=True).sort_values(["row"], kind="stable")
    return cases.reset_index(drop=True)[list(FAILURE_COLUMNS)]


def _collect(request: FileRequest, prepared: _Prepared, cases: pd.DataFrame) -> ReportCollector:
    frame = prepared.data.frame
    ids = id_columns_of(
        list(frame.columns), request.id_columns, prepared.data.id_columns, request.function
    )
    collector = ReportCollector(request.errors, ids)
    if len(cases):
        invalid_rows = np.unique(cases["row"].to_numpy(dtype=np.int64))
        collector.add(
            cases, frame, None, 0, lines=prepared.data.line_numbers(), extra_rows=len(invalid_rows)
        )
    return collector


def _summary(
    request: FileRequest,
    opened: InputSource,
    prepared: _Prepared,
    collector: ReportCollector,
    started: float,
    counts: dict[str, int],
    output: str | None,
    delimiter: str,
) -> CsvSummary:
    report = collector.report(len(prepared.frame))
    return CsvSummary(
        source=opened.name,
        rows=len(prepared.frame),
        n_invalid_cells=report.n_invalid_cells,
        n_rows_invalid=collector.n_rows_invalid,
        status_counts=counts,
        output=output,
        errors_output=collector.errors.written,
        delimiter=delimiter,
        seconds=time.perf_counter() - started,
        report=report,
        source_format=prepared.data.source,
        excluded=dict(prepared.data.excluded),
        notes=prepared.data.notes,
    )


def score_whole(request: FileRequest, opened: InputSource, started: float) -> CsvSummary:
    """Read an export whole, score it and write it (the non-streaming path of ``score_csv``)."""
    output = request.output
    if output is None:  # pragma: no cover - score_csv always resolves an output
        raise ValueError("score_whole needs an output")
    prepared = _prepare(request, opened)
    score = request.score
    names = check_output_names(
        list(prepared.frame.columns), score.instrument, score.prefix, score.function
    )
    scored, validation = score_with_report(
        prepared.frame,
        dataclasses.replace(score, on_invalid="missing"),
        prepared.mapping,
        extra_invalid=prepared.reader_invalid,
    )
    cases = _merge(prepared, validation)
    collector = _collect(request, prepared, cases)
    if score.on_invalid == "raise" and len(cases):
        collector.errors.abort()
        report = collector.report(len(prepared.frame))
        raise ResponseValidationError(report.summary(), report)
    for column in prepared.mapping.values():  # the output shows item cells as given
        scored[column] = prepared.as_given[column]
    delimiter = output.delimiter or ","
    sink = TableSink(
        output.target, output.output_format, delimiter=delimiter, sanitize=output.sanitize
    )
    try:
        sink.write(frame_to_table(scored, names, output.precision))
        publish_all([sink, *collector.errors.sinks()])
    except BaseException:
        sink.abort()
        collector.errors.abort()
        raise
    collector.errors.remove_stale()
    status = scored[names.status].astype(str)
    counts: dict[str, int] = {name: int((status == name).sum()) for name in ROW_STATUSES}
    return _summary(
        request, opened, prepared, collector, started, counts, output.target.shown, delimiter
    )


def validate_whole(request: FileRequest, opened: InputSource, started: float) -> CsvSummary:
    """Read an export whole and validate it (the non-streaming path of ``validate_csv``)."""
    prepared = _prepare(request, opened)
    inst = request.score.instrument
    items = prepared.frame.loc[:, list(prepared.mapping.values())]
    _, codes = coerce_matrix(items, request.score.rules())
    cases = _merge(prepared, frame_report(items, codes, inst))
    collector = _collect(request, prepared, cases)
    try:
        publish_all(collector.errors.sinks())
    except BaseException:
        collector.errors.abort()
        raise
    collector.errors.remove_stale()
    return _summary(request, opened, prepared, collector, started, {}, None, ",")
