"""Score or validate CSV files of any size, chunk by chunk, with flat memory.

Flow per chunk: read text (``io.csv``) → coerce item columns (``text_values``) → score with the
shared kernel (``scoring``) → append score columns to the untouched input columns → write
(``io.csv.TableSink``). Invalid cells are collected for the errors report.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from alliance_metrics._params import Aggregate, check_aggregate, check_choice, check_min_answered
from alliance_metrics.columns import ColumnSpec, output_names, resolve_columns
from alliance_metrics.errors import (
    InputFormatError,
    InvalidParameterError,
    ResponseValidationError,
)
from alliance_metrics.export_options import ReaderOptions, WholeFileOutput, round_scores
from alliance_metrics.instruments.registry import resolve_instrument
from alliance_metrics.io.csv import CsvSource, OutputFormat, TableSink, open_csv_source
from alliance_metrics.io.outputs import (
    check_output_path,
    default_errors_path,
    default_output_path,
    write_errors_file,
)
from alliance_metrics.results import CsvSummary, ValidationReport
from alliance_metrics.schemas import Instrument
from alliance_metrics.scoring import (
    ROW_STATUSES,
    ScoringPlan,
    compile_instrument,
    required_answers,
    row_status_codes,
    score_blocks,
    warn_if_provisional,
)
from alliance_metrics.text_values import DEFAULT_MISSING_MARKERS, coerce_text_column

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CsvSummary", "ProgressCallback", "score_csv", "validate_csv"]

ProgressCallback = Callable[[int, int | None], None]
"""Called after each chunk with (bytes read so far, total bytes or None)."""


@dataclass
class _Job:
    instrument: Instrument
    plan: ScoringPlan
    source: CsvSource
    item_columns: list[Hashable]
    missing_markers: Collection[str]
    decimal_comma: bool
    failures: list[pd.DataFrame] = field(default_factory=list)
    rows: int = 0
    n_invalid_rows: int = 0

    def coerce(
        self, table: pa.Table
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int8], set[str]]:
        """Values and issue codes of one chunk's item columns, and the columns holding only
        digits and blanks (they cannot hold a spreadsheet formula); records the failures.
        """  # noqa: D205
        n = table.num_rows
        # Column-major like a pandas block: each item column is contiguous for the kernel.
        values = np.empty((n, len(self.item_columns)), dtype=np.float64, order="F")
        codes = np.empty((n, len(self.item_columns)), dtype=np.int8, order="F")
        plain_columns: set[str] = set()
        for j, name in enumerate(self.item_columns):
            values[:, j], codes[:, j], plain = coerce_text_column(
                table.column(str(name)),
                self.instrument.response_scale,
                self.plan.labels,
                missing_markers=self.missing_markers,
                decimal_comma=self.decimal_comma,
            )
            if plain:
                plain_columns.add(str(name))
        if codes.any():
            raw = table.select([str(c) for c in self.item_columns]).to_pandas()
            from alliance_metrics.batch import failure_table

            self.failures.append(failure_table(raw, codes, self.instrument, row_offset=self.rows))
            self.n_invalid_rows += int(codes.any(axis=1).sum())
        self.rows += n
        return values, codes, plain_columns

    def report(self) -> ValidationReport:
        if not self.failures:
            return ValidationReport(n_rows=self.rows)
        import pandas as pd

        cases = pd.concat(self.failures, ignore_index=True)
        return ValidationReport(n_rows=self.rows, failure_cases=cases)


def _open_job(
    source: str | Path | IO[bytes],
    instrument: str | Instrument,
    columns: ColumnSpec,
    encoding: str,
    delimiter: str | None,
    missing_values: Collection[str],
) -> _Job:
    inst = resolve_instrument(instrument)
    csv_source = open_csv_source(source, encoding=encoding, delimiter=delimiter)
    try:
        item_columns = resolve_columns(list(csv_source.columns), inst, columns)
    except (InputFormatError, InvalidParameterError) as error:
        csv_source.close()
        raise type(error)(f"{csv_source.name}: {error}") from None
    markers = {*DEFAULT_MISSING_MARKERS, *(str(v).strip().casefold() for v in missing_values)}
    decimal_comma = csv_source.delimiter == ";" and inst.response_scale.step is None
    return _Job(inst, compile_instrument(inst), csv_source, item_columns, markers, decimal_comma)


def score_csv(
    source: str | Path | IO[bytes],
    destination: str | Path | IO[bytes] | None,
    instrument: str | Instrument,
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
        input's stem plus ``.scored.csv`` beside it. The input is never overwritten.
    instrument
        Instrument id or :class:`Instrument`.
    columns, aggregate, min_answered, prefix
        As for :func:`~alliance_metrics.score_frame`.
    on_invalid
        ``"missing"`` (default here): invalid cells count as unanswered, rows are marked
        ``invalid`` and every problem goes to the errors file. ``"raise"``: nothing is written and
        :class:`ResponseValidationError` carries the full report.
    errors
        Path of the errors CSV (``row, column, value, code, message``; ``row`` counts data rows
        from 0); default: the output stem plus ``.errors.csv``. Written only when there are
        problems.
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
        Decimal places of the written scores; ``None`` (default) writes the shortest text that
        reads back as exactly the same float64.
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
    check_choice("on_invalid", "score_csv", on_invalid, ("raise", "missing"))
    check_choice("output_format", "score_csv", output_format, ("csv", "parquet"))
    _check_precision(precision)
    source_path = Path(source) if isinstance(source, str | Path) else None
    out_path, out_stream = _resolve_destination(destination, source_path, output_format)
    errors_path = _resolve_errors_path(errors, out_path, source_path)
    reader_options = ReaderOptions(
        source_format, dictionary, form, coding, include_previews, use_import_ids
    )
    if reader_options.needs_reader(source):
        from alliance_metrics.export_scoring import score_whole

        output = WholeFileOutput(
            out_path, out_stream, errors_path, output_format, sanitize, precision, delimiter
        )
        return score_whole(
            source,
            resolve_instrument(instrument),
            reader_options,
            output,
            columns=columns,
            aggregate=aggregate,
            min_answered=min_answered,
            prefix=prefix,
            on_invalid=on_invalid,
            encoding=encoding,
            missing_values=missing_values,
            started=started,
        )
    job = _open_job(source, instrument, columns, encoding, delimiter, missing_values)
    try:
        inst = job.instrument
        agg = check_aggregate(aggregate, "score_csv", inst.default_aggregate)
        rule = check_min_answered(min_answered, "score_csv")
        required = required_answers(
            job.plan, inst.missing_policy.min_answered if rule is None else rule
        )
        names = _score_names(job.source.columns, inst, prefix)
        warn_if_provisional(inst)
        sink = TableSink(
            out_path,
            output_format,
            delimiter=job.source.delimiter,
            sanitize=sanitize,
            stream=out_stream,
        )
        counts = np.zeros(len(ROW_STATUSES), dtype=np.int64)
        writing = True
        try:
            for table in job.source.batches():
                values, codes, plain_columns = job.coerce(table)
                invalid_rows: npt.NDArray[np.bool_] = np.asarray(codes.any(axis=1))
                if invalid_rows.any() and on_invalid == "raise":
                    writing = False
                if not writing:
                    continue
                scores, answered, status = score_blocks(job.plan, values, agg, required)
                row_status = row_status_codes(status, invalid_rows)
                counts += np.bincount(row_status, minlength=len(ROW_STATUSES))
                output = _append_scores(table, names, scores, answered, row_status, precision)
                sink.write(output, safe_columns=plain_columns)
                if progress is not None:
                    progress(job.source.bytes_read, job.source.size)
            report = job.report()
            if not writing:
                raise ResponseValidationError(report.summary(), report)
            sink.commit(_empty_output_schema(job.source.columns, names))
        except BaseException:
            sink.abort()
            raise
    finally:
        job.source.close()
    return CsvSummary(
        source=job.source.name,
        rows=job.rows,
        n_invalid_cells=report.n_invalid_cells,
        n_rows_invalid=job.n_invalid_rows,
        status_counts=dict(zip(ROW_STATUSES, counts.tolist(), strict=True)),
        output=str(out_path) if out_path is not None else "<stream>",
        errors_output=write_errors_file(report, errors_path),
        delimiter=job.source.delimiter,
        seconds=time.perf_counter() - started,
        report=report,
    )


def validate_csv(
    source: str | Path | IO[bytes],
    instrument: str | Instrument,
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
    options = ReaderOptions(
        source_format, dictionary, form, coding, include_previews, use_import_ids
    )
    errors_path = None
    if errors is not None:
        source_path = Path(source) if isinstance(source, str | Path) else None
        errors_path = check_output_path(Path(errors), source_path, "errors file")
    if options.needs_reader(source):
        from alliance_metrics.export_scoring import validate_whole

        return validate_whole(
            source,
            resolve_instrument(instrument),
            options,
            errors_path,
            columns=columns,
            encoding=encoding,
            delimiter=delimiter,
            missing_values=missing_values,
            started=started,
        )
    job = _open_job(source, instrument, columns, encoding, delimiter, missing_values)
    try:
        for table in job.source.batches():
            job.coerce(table)
            if progress is not None:
                progress(job.source.bytes_read, job.source.size)
    finally:
        job.source.close()
    report = job.report()
    return CsvSummary(
        source=job.source.name,
        rows=job.rows,
        n_invalid_cells=report.n_invalid_cells,
        n_rows_invalid=job.n_invalid_rows,
        status_counts={},
        output=None,
        errors_output=write_errors_file(report, errors_path),
        delimiter=job.source.delimiter,
        seconds=time.perf_counter() - started,
        report=report,
    )


def _check_precision(precision: object) -> None:
    if precision is None:
        return
    if isinstance(precision, bool) or not isinstance(precision, int) or precision < 0:
        raise InvalidParameterError(
            "The 'precision' parameter of score_csv must be a whole number of decimals (0 or "
            f"more) or None. Got {precision!r} instead."
        )


def _resolve_destination(
    destination: str | Path | IO[bytes] | None, source: Path | None, output_format: OutputFormat
) -> tuple[Path | None, IO[bytes] | None]:
    if destination is None:
        if source is None:
            raise InvalidParameterError(
                "An output destination is required when the input is a stream (stdin)."
            )
        destination = default_output_path(source, output_format)
    if not isinstance(destination, str | Path):
        return None, destination
    return check_output_path(Path(destination), source), None


def _resolve_errors_path(
    errors: str | Path | None, output: Path | None, source: Path | None
) -> Path | None:
    if errors is None:
        return default_errors_path(output, source)
    path = check_output_path(Path(errors), source, "errors file")
    if output is not None and path.resolve() == output.resolve():
        raise InvalidParameterError(
            f"The errors file and the output are the same path '{path}'; choose another."
        )
    return path


def _score_names(
    existing: list[str], instrument: Instrument, prefix: str | None
) -> list[tuple[str, str]]:
    score_names, answered_names, status_name = output_names(list(existing), instrument, prefix)
    names: list[tuple[str, str]] = []
    for score_name, answered_name in zip(score_names, answered_names, strict=True):
        names += [(score_name, "score"), (answered_name, "answered")]
    return [*names, (status_name, "status")]


def _float_array(values: npt.NDArray[np.float64]) -> pa.Array:
    """Arrow float64 array over ``values`` with NaN as null, built from buffers.

    (``pa.array`` on NumPy input imports pandas, which the streaming path otherwise never needs.)
    """
    values = np.ascontiguousarray(values, dtype=np.float64)
    missing = np.isnan(values)
    validity = pa.py_buffer(np.packbits(~missing, bitorder="little"))
    n_null = int(missing.sum())
    return pa.Array.from_buffers(
        pa.float64(), len(values), [validity, pa.py_buffer(values)], null_count=n_null
    )


def _plain_array(values: npt.NDArray[np.generic], arrow_type: pa.DataType) -> pa.Array:
    """Arrow array over integer ``values`` without nulls, built from buffers."""
    values = np.ascontiguousarray(values, dtype=arrow_type.to_pandas_dtype())
    return pa.Array.from_buffers(arrow_type, len(values), [None, pa.py_buffer(values)])


def _status_dictionary() -> pa.Array:
    """Build the row statuses as an Arrow string array from buffers (see :func:`_float_array`)."""
    encoded = [status.encode("ascii") for status in ROW_STATUSES]
    offsets = np.cumsum([0, *map(len, encoded)], dtype=np.int32)
    data = b"".join(encoded)
    return pa.Array.from_buffers(
        pa.string(), len(encoded), [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )


def _append_scores(
    table: pa.Table,
    names: list[tuple[str, str]],
    scores: npt.NDArray[np.float64],
    answered: npt.NDArray[np.int64],
    row_status: npt.NDArray[np.int8],
    precision: int | None,
) -> pa.Table:
    scores = round_scores(scores, precision)
    columns = []
    for s in range(len(scores)):
        columns.append(_float_array(scores[s]))
        columns.append(_plain_array(answered[s], pa.int64()))
    statuses = pa.DictionaryArray.from_arrays(
        _plain_array(row_status, pa.int8()), _status_dictionary()
    )
    columns.append(statuses.cast(pa.string()))
    for (name, _), column in zip(names, columns, strict=True):
        table = table.append_column(name, column)
    return table


def _empty_output_schema(columns: list[str], names: list[tuple[str, str]]) -> pa.Schema:
    types = {"score": pa.float64(), "answered": pa.int64(), "status": pa.string()}
    fields = [pa.field(c, pa.string()) for c in columns]
    fields += [pa.field(name, types[kind]) for name, kind in names]
    return pa.schema(fields)
