"""Score exports that are read whole: REDCap, Qualtrics, SPSS, and paper forms keyed by position.

Readers (``io/``) turn an export into a canonical wide frame; this module scores that frame with
:func:`~alliance_metrics.score_frame` and merges the readers' own findings (codes outside a
REDCap field's choices) into the validation report. Plain CSV files keyed by label take the
streaming path of :mod:`alliance_metrics.files` instead.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal, cast

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from alliance_metrics._params import Aggregate, check_choice
from alliance_metrics.batch import score_frame_with_report, validate_frame
from alliance_metrics.columns import ColumnSpec, resolve_columns
from alliance_metrics.errors import InvalidParameterError, IssueCode, ResponseValidationError
from alliance_metrics.export_options import SOURCES, ReaderOptions, WholeFileOutput, round_scores
from alliance_metrics.io.coding import apply_position_coding
from alliance_metrics.io.csv import TableSink, open_csv_source
from alliance_metrics.io.exports import ExportData, Source, detect_source
from alliance_metrics.io.outputs import write_errors_file
from alliance_metrics.results import FAILURE_COLUMNS, CsvSummary, ValidationReport
from alliance_metrics.schemas import Instrument
from alliance_metrics.scoring import ROW_STATUSES

__all__ = [
    "SOURCES",
    "Coding",
    "ScoredExport",
    "read_export",
    "score_export",
    "score_whole",
    "validate_export",
    "validate_whole",
]

Coding = Literal["label", "position"]


@dataclass(frozen=True)
class ScoredExport:
    """An export scored in memory: the output frame, the full report and the reader's notes."""

    frame: pd.DataFrame
    report: ValidationReport
    n_rows_invalid: int
    excluded: dict[str, int]
    notes: tuple[str, ...]


def read_export(
    source: str | Path | IO[bytes],
    instrument: Instrument,
    *,
    source_format: str = "auto",
    dictionary: str | Path | None = None,
    form: str | None = None,
    include_previews: bool = False,
    use_import_ids: bool = False,
    encoding: str = "utf-8",
    delimiter: str | None = None,
) -> ExportData:
    """Read any supported export into an :class:`~alliance_metrics.io.exports.ExportData`."""
    check_choice("source", "score_csv", source_format, SOURCES)
    kind: Source
    if source_format == "auto":
        kind = detect_source(source) if isinstance(source, str | Path) else "csv"
    else:
        kind = source_format  # type: ignore[assignment]
    if kind != "csv" and not isinstance(source, str | Path):
        raise InvalidParameterError(f"A {kind} export must be read from a file, not a stream.")
    if kind != "redcap" and (dictionary is not None or form is not None):
        raise InvalidParameterError(
            f"--dictionary and --form apply to REDCap exports; this input was read as {kind}."
        )
    if kind in ("redcap", "qualtrics") and encoding.replace("_", "-").lower() not in (
        "utf-8",
        "utf8",
        "utf-8-sig",
    ):
        raise InvalidParameterError(
            f"{kind} exports are read as UTF-8 (as {kind} writes them); --encoding applies to "
            "plain CSV files."
        )
    if kind == "redcap":
        from alliance_metrics.io.redcap import read_redcap

        return read_redcap(source, instrument, dictionary=dictionary, form=form)  # type: ignore[arg-type]
    if kind == "qualtrics":
        from alliance_metrics.io.qualtrics import read_qualtrics

        return read_qualtrics(
            source,  # type: ignore[arg-type]
            instrument,
            include_previews=include_previews,
            use_import_ids=use_import_ids,
        )
    if kind == "spss":
        from alliance_metrics.io.spss import read_spss

        return read_spss(source, instrument)  # type: ignore[arg-type]
    return _read_plain_csv(source, encoding, delimiter)


def _read_plain_csv(
    source: str | Path | IO[bytes], encoding: str, delimiter: str | None
) -> ExportData:
    csv_source = open_csv_source(source, encoding=encoding, delimiter=delimiter)
    try:
        tables = list(csv_source.batches())
    finally:
        csv_source.close()
    schema = pa.schema([pa.field(c, pa.string()) for c in csv_source.columns])
    table = pa.concat_tables(tables) if tables else schema.empty_table()
    frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype()}.get)
    return ExportData(frame=frame, item_columns=None, id_columns=(), excluded={})


def _blank_markers(
    frame: pd.DataFrame, item_columns: list[Hashable], markers: Collection[str]
) -> pd.DataFrame:
    """Blank item cells equal to a declared missing marker (``-99``), as text or as number."""
    texts = {str(m).strip().casefold() for m in markers if str(m).strip()}
    if not texts:
        return frame
    numbers = {float(t) for t in texts if _is_number(t)}
    frame = frame.copy()
    for column in item_columns:
        cells = frame[column]
        if pd.api.types.is_numeric_dtype(cells.dtype):
            hit = cells.isin(numbers)
        else:
            text = cells.astype("string").str.strip().str.casefold()
            hit = text.isin(texts) | pd.to_numeric(text, errors="coerce").isin(numbers)
        if hit.any():
            frame[column] = cells.mask(hit.fillna(False).astype(bool))
    return frame


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class _Prepared:
    """An export's frame ready for scoring, and what was blanked in it."""

    frame: pd.DataFrame  # reader-rejected cells blanked: they count as unanswered
    as_given: pd.DataFrame  # the same before blanking: what the output shows
    mapping: dict[str | int, Hashable]
    rejected: pd.DataFrame
    reader_invalid: npt.NDArray[np.bool_]


def _prepare(
    data: ExportData,
    instrument: Instrument,
    columns: ColumnSpec,
    coding: Coding,
    missing_values: Collection[str] = (),
) -> _Prepared:
    """Resolve item columns, apply markers and position coding, blank the reader's rejects."""
    check_choice("coding", "score_csv", coding, ("label", "position"))
    spec: ColumnSpec = columns if columns is not None else cast(ColumnSpec, data.item_columns)
    item_columns = resolve_columns(list(data.frame.columns), instrument, spec)
    mapping: dict[str | int, Hashable] = dict(
        zip([i.id for i in instrument.items], item_columns, strict=True)
    )
    as_given = data.frame
    if coding == "position":  # a declared missing code is never a valid tick: it stays as is
        as_given = apply_position_coding(as_given, instrument, mapping)
    frame = _blank_markers(as_given, item_columns, missing_values)
    issues = data.issues
    rejected = issues[issues["code"] == str(IssueCode.NOT_A_CHOICE)]
    reader_invalid = np.zeros(len(frame), dtype=bool)
    if len(rejected):
        frame = frame.copy()
        for column, rows in rejected.groupby("column")["row"]:
            positions = rows.to_numpy(dtype=np.int64)
            if pd.api.types.is_float_dtype(frame[column].dtype):
                frame.loc[frame.index[positions], column] = np.nan
            else:
                frame[column] = frame[column].astype(object)
                frame.loc[frame.index[positions], column] = None
        reader_invalid[rejected["row"].to_numpy(dtype=np.int64)] = True
    return _Prepared(frame, as_given, mapping, rejected, reader_invalid)


def _merge_reports(n_rows: int, *tables: pd.DataFrame) -> ValidationReport:
    cases = (
        pd.concat([t for t in tables if len(t)], ignore_index=True)
        if any(len(t) for t in tables)
        else None
    )
    if cases is None:
        return ValidationReport(n_rows=n_rows)
    cases = cases.sort_values(["row"], kind="stable").reset_index(drop=True)
    return ValidationReport(n_rows=n_rows, failure_cases=cases[list(FAILURE_COLUMNS)])


def score_export(
    data: ExportData,
    instrument: Instrument,
    *,
    columns: ColumnSpec = None,
    coding: Coding = "label",
    aggregate: Aggregate | None = None,
    min_answered: int | float | None = None,
    prefix: str | None = None,
    missing_values: Collection[str] = (),
) -> ScoredExport:
    """Score an export read in memory; invalid cells count as unanswered and are reported."""
    prepared = _prepare(data, instrument, columns, coding, missing_values)
    frame, mapping = prepared.frame, prepared.mapping
    scored, validation = score_frame_with_report(
        frame,
        instrument,
        columns=mapping,
        aggregate=aggregate,
        min_answered=min_answered,
        on_invalid="missing",
        prefix=prefix,
    )
    status = scored.columns[-1]
    if prepared.reader_invalid.any():
        scored.loc[prepared.reader_invalid, status] = "invalid"
    for column in prepared.mapping.values():  # the output shows item cells as given
        scored[column] = prepared.as_given[column]
    report = _merge_reports(len(frame), prepared.rejected, validation.failure_cases)
    n_invalid = int((scored[status] == "invalid").sum())
    return ScoredExport(scored, report, n_invalid, dict(data.excluded), data.notes)


def validate_export(
    data: ExportData,
    instrument: Instrument,
    *,
    columns: ColumnSpec = None,
    coding: Coding = "label",
    missing_values: Collection[str] = (),
) -> ScoredExport:
    """Validate an export read in memory (no scores); the report merges the reader's findings."""
    prepared = _prepare(data, instrument, columns, coding, missing_values)
    frame = prepared.frame
    validation = validate_frame(frame, instrument, columns=prepared.mapping)
    report = _merge_reports(len(frame), prepared.rejected, validation.failure_cases)
    invalid_rows = prepared.reader_invalid.copy()
    invalid_rows[validation.failure_cases["row"].to_numpy(dtype=np.int64)] = True
    return ScoredExport(frame, report, int(invalid_rows.sum()), dict(data.excluded), data.notes)


def frame_to_table(frame: pd.DataFrame, n_input_columns: int) -> pa.Table:
    """Arrow table of a scored frame for writing: input columns as text, added columns typed.

    Input columns read as whole numbers with blanks (float in pandas) are written without a
    ``.0``; the added score, count and status columns keep their types.
    """
    columns: dict[str, pa.Array] = {}
    for position, name in enumerate(frame.columns):
        series = frame[name]
        is_input = position < n_input_columns
        if isinstance(series.dtype, pd.CategoricalDtype):
            columns[str(name)] = pa.array(series.astype("string"), type=pa.string())
        elif is_input and pd.api.types.is_float_dtype(series.dtype):
            filled = series.dropna()
            whole = bool(filled.mod(1).eq(0).all() and filled.abs().lt(2.0**53).all())
            text = series.astype("Int64" if whole else "Float64").astype("string")
            columns[str(name)] = pa.array(text, type=pa.string())
        elif is_input or not pd.api.types.is_numeric_dtype(series.dtype):
            columns[str(name)] = pa.array(series.astype("string"), type=pa.string())
        else:
            columns[str(name)] = pa.array(series, from_pandas=True)
    return pa.table(columns)


def _source_name(source: str | Path | IO[bytes]) -> str:
    return str(source) if isinstance(source, str | Path) else "<stdin>"


def score_whole(
    source: str | Path | IO[bytes],
    instrument: Instrument,
    options: ReaderOptions,
    output: WholeFileOutput,
    *,
    columns: ColumnSpec,
    aggregate: Aggregate | None,
    min_answered: int | float | None,
    prefix: str | None,
    on_invalid: str,
    encoding: str,
    missing_values: Collection[str],
    started: float,
) -> CsvSummary:
    """Read an export whole, score it and write it (the non-streaming path of ``score_csv``)."""
    data = options.read(source, instrument, encoding, output.delimiter)
    scored = score_export(
        data,
        instrument,
        columns=columns,
        coding=options.coding,  # type: ignore[arg-type]
        aggregate=aggregate,
        min_answered=min_answered,
        prefix=prefix,
        missing_values=missing_values,
    )
    if on_invalid == "raise" and not scored.report.ok:
        raise ResponseValidationError(scored.report.summary(), scored.report)
    n_input = len(data.frame.columns)
    frame = scored.frame
    if output.precision is not None:
        frame = frame.copy()
        score_columns = [c for c in frame.columns[n_input:-1] if frame[c].dtype.kind == "f"]
        for column in score_columns:
            frame[column] = round_scores(frame[column].to_numpy(), output.precision)
    delimiter = output.delimiter or ","
    sink = TableSink(
        output.path,
        output.output_format,
        delimiter=delimiter,
        sanitize=output.sanitize,
        stream=output.stream,
    )
    try:
        sink.write(frame_to_table(frame, n_input))
        sink.commit()
    except BaseException:
        sink.abort()
        raise
    status = frame.iloc[:, -1].astype(str)
    counts: dict[str, int] = {name: int((status == name).sum()) for name in ROW_STATUSES}
    return CsvSummary(
        source=_source_name(source),
        rows=len(frame),
        n_invalid_cells=scored.report.n_invalid_cells,
        n_rows_invalid=scored.n_rows_invalid,
        status_counts=counts,
        output=str(output.path) if output.path is not None else "<stream>",
        errors_output=write_errors_file(scored.report, output.errors_path),
        delimiter=delimiter,
        seconds=time.perf_counter() - started,
        report=scored.report,
        source_format=data.source,
        excluded=scored.excluded,
        notes=scored.notes,
    )


def validate_whole(
    source: str | Path | IO[bytes],
    instrument: Instrument,
    options: ReaderOptions,
    errors_path: Path | None,
    *,
    columns: ColumnSpec,
    encoding: str,
    delimiter: str | None,
    missing_values: Collection[str],
    started: float,
) -> CsvSummary:
    """Read an export whole and validate it (the non-streaming path of ``validate_csv``)."""
    data = options.read(source, instrument, encoding, delimiter)
    checked = validate_export(
        data,
        instrument,
        columns=columns,
        coding=options.coding,  # type: ignore[arg-type]
        missing_values=missing_values,
    )
    return CsvSummary(
        source=_source_name(source),
        rows=len(checked.frame),
        n_invalid_cells=checked.report.n_invalid_cells,
        n_rows_invalid=checked.n_rows_invalid,
        status_counts={},
        output=None,
        errors_output=write_errors_file(checked.report, errors_path),
        delimiter=",",
        seconds=time.perf_counter() - started,
        report=checked.report,
        source_format=data.source,
        excluded=checked.excluded,
        notes=checked.notes,
    )
