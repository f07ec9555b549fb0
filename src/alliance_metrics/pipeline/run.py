"""The public file functions: resolve a run's options once, then stream or read whole.

Plain CSV files keyed by label take the streaming path (:mod:`.stream`); REDCap, Qualtrics and
SPSS exports, and paper forms keyed by tick position, are read whole (:mod:`.whole`).
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import IO

from alliance_metrics._params import Aggregate
from alliance_metrics.columns import ColumnSpec
from alliance_metrics.errors import InvalidParameterError
from alliance_metrics.io.inputs import open_input
from alliance_metrics.io.sink import OutputFormat
from alliance_metrics.pipeline.options import (
    FileRequest,
    ProgressCallback,
    resolve_file_request,
)
from alliance_metrics.pipeline.stream import score_stream, validate_stream
from alliance_metrics.results import CsvSummary
from alliance_metrics.schemas import Instrument

__all__ = ["CsvSummary", "ProgressCallback", "score_csv", "validate_csv"]


def score_csv(
    source: str | Path | IO[bytes],
    destination: str | Path | IO[bytes] | None,
    instrument: str | Instrument | Sequence[str | Instrument],
    *,
    columns: ColumnSpec = None,
    aggregate: Aggregate | None = None,
    min_answered: int | float | None = None,
    prefix: str | None = None,
    on_invalid: str = "missing",
    errors: str | Path | None = None,
    encoding: str = "utf-8",
    delimiter: str | None = None,
    output_format: OutputFormat = "csv",
    sanitize: bool = True,
    missing_values: Collection[str] = (),
    precision: int | None = None,
    progress: ProgressCallback | None = None,
    source_format: str = "auto",
    dictionary: str | Path | None = None,
    form: str | None = None,
    coding: str = "label",
    include_previews: bool = False,
    use_import_ids: bool = False,
    id_columns: str | Sequence[str] | None = None,
) -> CsvSummary:
    r"""Score an export and write every row, in order, with its scores.

    Plain CSV files (``.csv``, ``.csv.gz`` or a stream) keyed by label are streamed chunk by
    chunk with flat memory. REDCap, Qualtrics and SPSS exports, and paper forms keyed by tick
    position, are read whole by their reader (``alliance_metrics.io``), which keeps only the
    administrations of the instrument and says how many rows it left out and why.

    Parameters
    ----------
    source
        Path to a ``.csv`` or ``.csv.gz`` file, or a binary stream.
    destination
        Output path, a binary stream (written only when the run succeeds), or ``None`` for the
        input's stem plus ``.scored.csv`` beside it. The input is never overwritten; a file is
        replaced atomically, a device or FIFO (``/dev/null``) is written through, never
        replaced.
    instrument
        Instrument id or :class:`Instrument`, or a list of them for a file holding several
        instruments side by side (``["srs", "ors"]``): each finds its own columns by its
        prefix, and adds its own score and status columns.
    columns, aggregate, min_answered, prefix
        As for :func:`~alliance_metrics.score_frame`.
    on_invalid
        ``"missing"`` (default here): invalid cells count as unanswered, rows are marked
        ``invalid`` and every problem goes to the errors file. ``"raise"``: nothing is written and
        :class:`ResponseValidationError` carries the full report.
    errors
        Path of the errors CSV (``row, line, <id columns>, column, value, code, message``; ``row``
        counts data rows from 0, ``line`` is the line a spreadsheet shows, header = 1); default:
        the output stem plus ``.errors.csv``. Written only when there are problems.
    encoding, delimiter
        Text encoding (default UTF-8, BOM allowed) and delimiter (default: sniffed).
    output_format
        ``"csv"`` or ``"parquet"``.
    sanitize
        Prefix ``'`` to text cells starting with ``= + - @``, tab or CR (CSV output only).
    missing_values
        Extra texts meaning "unanswered" in item columns (e.g. ``["-99"]``); blanks, ``NA``,
        ``N/A``, ``NaN`` and ``null`` always are.
    precision
        Decimal places of the written scores (0 to 17); ``None`` (default) writes the shortest
        text that reads back as exactly the same float64.
    progress
        Callback ``(bytes_read, total_bytes)`` after each chunk.
    source_format
        ``"auto"`` (detect from extension and header), ``"csv"``, ``"redcap"``, ``"qualtrics"``
        or ``"spss"``.
    dictionary, form
        REDCap only: the project's data-dictionary CSV (codes are checked against each field's
        choices) and the form's name when the instrument's fields are ambiguous.
    coding
        ``"label"`` (default): values are the anchors' values. ``"position"``: values are tick
        positions on the paper form; items printed in descending order are converted.
    include_previews, use_import_ids
        Qualtrics only: keep survey previews and tests; take item numbers from ImportIds.
    id_columns
        Columns whose values the errors file repeats beside each rejected cell; ``None`` takes
        the export's own ids (REDCap record, event and instance; Qualtrics ``ResponseId``) or
        any of ``record_id``, ``ResponseId``, ``client_id``, ``participant_id``, … present.

    Returns
    -------
    CsvSummary

    Examples
    --------
    >>> import alliance_metrics as am, pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "in.csv").write_text("id,wai_1,wai_2,wai_3\n007,4,5,Always\n")
    >>> summary = am.score_csv(folder / "in.csv", None, "wai-b3")
    >>> (folder / "in.scored.csv").read_text().splitlines()[1]
    '"007","4","5","Always",4,1,5,1,5,1,4.666666666666667,3,"ok"'
    """
    started = time.perf_counter()
    request = resolve_file_request(
        "score_csv",
        source,
        destination,
        instrument,
        columns=columns,
        aggregate=aggregate,
        min_answered=min_answered,
        prefix=prefix,
        on_invalid=on_invalid,
        errors=errors,
        encoding=encoding,
        delimiter=delimiter,
        output_format=output_format,
        sanitize=sanitize,
        missing_values=missing_values,
        precision=precision,
        progress=progress,
        id_columns=id_columns,
        source_format=source_format,
        dictionary=dictionary,
        form=form,
        coding=coding,
        include_previews=include_previews,
        use_import_ids=use_import_ids,
    )
    return _run(request, started, writes_scores=True)


def validate_csv(
    source: str | Path | IO[bytes],
    instrument: str | Instrument | Sequence[str | Instrument],
    *,
    columns: ColumnSpec = None,
    errors: str | Path | None = None,
    encoding: str = "utf-8",
    delimiter: str | None = None,
    missing_values: Collection[str] = (),
    progress: ProgressCallback | None = None,
    source_format: str = "auto",
    dictionary: str | Path | None = None,
    form: str | None = None,
    coding: str = "label",
    include_previews: bool = False,
    use_import_ids: bool = False,
    id_columns: str | Sequence[str] | None = None,
) -> CsvSummary:
    r"""Check every item cell of an export without writing scores.

    Parameters are as for :func:`score_csv`. The errors CSV is written only if ``errors`` is
    given and problems are found; the full report is always in ``summary.report``.

    Examples
    --------
    >>> import alliance_metrics as am, io
    >>> data = io.BytesIO(b"wai_1;wai_2;wai_3\n4;7;Often\n")
    >>> summary = am.validate_csv(data, "wai-b3")
    >>> summary.report.failure_cases["code"].tolist()
    ['out_of_range', 'not_a_number']
    """
    started = time.perf_counter()
    request = resolve_file_request(
        "validate_csv",
        source,
        None,
        instrument,
        columns=columns,
        errors=errors,
        encoding=encoding,
        delimiter=delimiter,
        missing_values=missing_values,
        progress=progress,
        id_columns=id_columns,
        writes_scores=False,
        source_format=source_format,
        dictionary=dictionary,
        form=form,
        coding=coding,
        include_previews=include_previews,
        use_import_ids=use_import_ids,
    )
    return _run(request, started, writes_scores=False)


def _run(request: FileRequest, started: float, *, writes_scores: bool) -> CsvSummary:
    """Open the input and send it down the streaming path, or read it whole for an export."""
    opened = open_input(request.source)
    try:
        if request.reader.needs_reader(opened):
            _one_instrument(request)
            from alliance_metrics.pipeline import whole

            run_whole = whole.score_whole if writes_scores else whole.validate_whole
            return run_whole(request, opened, started)
        run_stream = score_stream if writes_scores else validate_stream
        return run_stream(request, opened, started)
    finally:
        opened.close()


def _one_instrument(request: FileRequest) -> None:
    """Refuse several instruments for exports read whole (REDCap, Qualtrics, SPSS, coding)."""
    if len(request.requests) > 1:
        raise InvalidParameterError(
            f"The 'instrument' parameter of {request.function} names several instruments; "
            "they can be scored in one run from a plain CSV file. Score an export read by its "
            "reader (REDCap, Qualtrics, SPSS, position coding) once per instrument.",
            parameter="instrument",
            function=request.function,
        )
