"""The boundary of the file functions: every option of a run, resolved and checked once.

:func:`resolve_file_request` is called at the top of ``score_csv`` / ``validate_csv``; the
stream and whole-file paths receive the :class:`FileRequest` and never check again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from alliance_metrics._params import (
    bad_parameter,
    check_bool,
    check_choice,
    check_delimiter,
    check_encoding,
    check_int,
)
from alliance_metrics.columns import ColumnSpec, check_one_spec
from alliance_metrics.errors import InvalidParameterError
from alliance_metrics.io.paths import default_errors_path, default_output_path
from alliance_metrics.io.readers import ReaderOptions
from alliance_metrics.io.sink import OutputFormat, OutputTarget, resolve_output
from alliance_metrics.io.targets import protected_inputs
from alliance_metrics.scoring.request import ScoreRequest

__all__ = [
    "DEFAULT_ID_COLUMNS",
    "MAX_PRECISION",
    "FileRequest",
    "OutputOptions",
    "ProgressCallback",
    "Source",
    "resolve_file_request",
]

ProgressCallback = Callable[[int, int | None], None]
"""Called after each chunk with (bytes read so far, total bytes or None)."""
Source = str | Path | IO[bytes]
MAX_PRECISION = 17
"""Most decimals ``precision`` may ask for (float64 holds 15–17 significant digits)."""
DEFAULT_ID_COLUMNS = (
    "record_id",
    "ResponseId",
    "ResponseID",
    "client_id",
    "participant_id",
    "patient_id",
    "subject_id",
    "respondent_id",
    "id",
)
"""Columns whose values the errors file repeats, when present (``id_columns=None``)."""


@dataclass(frozen=True)
class OutputOptions:
    """Where and how scores are written."""

    target: OutputTarget
    output_format: OutputFormat
    sanitize: bool
    precision: int | None
    delimiter: str | None


@dataclass(frozen=True)
class FileRequest:
    """A file run's resolved options."""

    requests: tuple[ScoreRequest, ...]
    source: Source
    source_paths: tuple[Path, ...]
    columns: ColumnSpec
    encoding: str
    delimiter: str | None
    reader: ReaderOptions
    errors: OutputTarget | None
    id_columns: tuple[str, ...] | None
    progress: ProgressCallback | None
    output: OutputOptions | None = None

    @property
    def score(self) -> ScoreRequest:
        """The request of the (first) instrument."""
        return self.requests[0]

    @property
    def function(self) -> str:
        """The public function the user called."""
        return self.score.function

    @property
    def on_invalid(self) -> str:
        """``"raise"`` or ``"missing"`` (the same for every instrument of the run)."""
        return self.score.on_invalid


def _check_source(source: object, func: str) -> tuple[Path, ...]:
    if isinstance(source, str | Path):
        return (Path(source),)
    if hasattr(source, "read"):
        return ()
    raise bad_parameter("source", func, "be a path or a binary stream", source)


def _check_columns(columns: object, func: str) -> ColumnSpec:
    from collections.abc import Mapping

    if columns is None or isinstance(columns, str | Mapping):
        return columns
    raise bad_parameter(
        "columns",
        func,
        "be a mapping of item to column, a template such as 'wai_{n}', or None",
        columns,
    )


def _check_id_columns(value: object, func: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise bad_parameter("id_columns", func, "be a column name, a list of names, or None", value)


def _check_progress(value: object, func: str) -> ProgressCallback | None:
    if value is not None and not callable(value):
        raise bad_parameter("progress", func, "be a callable (bytes_read, total) or None", value)
    return value


def resolve_file_request(
    func: str,
    source: object,
    destination: object,
    instrument: object,
    *,
    columns: object = None,
    aggregate: object = None,
    min_answered: object = None,
    prefix: object = None,
    on_invalid: object = "missing",
    errors: object = None,
    encoding: object = "utf-8",
    delimiter: object = None,
    output_format: object = "csv",
    sanitize: object = True,
    missing_values: object = (),
    precision: object = None,
    progress: object = None,
    id_columns: object = None,
    writes_scores: bool = True,
    **reader: object,
) -> FileRequest:
    """Check every argument of a file run, in the order of the signature, and resolve outputs.

    ``writes_scores=False`` (``validate_csv``) resolves no scored output, and the errors file
    only when ``errors`` is given.
    """
    source_paths = _check_source(source, func)
    requests = ScoreRequest.resolve_many(
        func,
        instrument,
        aggregate=aggregate,
        min_answered=min_answered,
        on_invalid=on_invalid,
        prefix=prefix,
        missing_values=missing_values,
    )
    spec = _check_columns(columns, func)
    check_one_spec(spec, len(requests), func)
    text_encoding = check_encoding(encoding, func)
    field_delimiter = check_delimiter(delimiter, func)
    reader_options = ReaderOptions.resolve(func, **reader)
    output: OutputOptions | None = None
    source_path = source_paths[0] if source_paths else None
    # every file the run reads: no output may replace the data or the dictionary beside it
    protected = protected_inputs(source, reader.get("dictionary"))
    if writes_scores:
        fmt: OutputFormat = check_choice("output_format", func, output_format, ("csv", "parquet"))
        safe = check_bool(sanitize, "sanitize", func)
        decimals = (
            None
            if precision is None
            else check_int(precision, "precision", func, minimum=0, maximum=MAX_PRECISION)
        )
        if destination is None:
            if source_path is None:
                raise bad_parameter(
                    "destination", func, "be given when the input is a stream", destination
                )
            destination = default_output_path(source_path, fmt)
        if not isinstance(destination, str | Path) and not hasattr(destination, "write"):
            raise bad_parameter(
                "destination", func, "be a path, a binary stream or None", destination
            )
        target = resolve_output(
            destination,  # type: ignore[arg-type]
            inputs=protected,
            func=func,
            output_format=fmt,
        )
        output = OutputOptions(target, fmt, safe, decimals, field_delimiter)
    errors_target = _errors_target(errors, output, source_path, protected, func, writes_scores)
    return FileRequest(
        requests=requests,
        source=source,  # type: ignore[arg-type]
        source_paths=source_paths,
        columns=spec,
        encoding=text_encoding,
        delimiter=field_delimiter,
        reader=reader_options,
        errors=errors_target,
        id_columns=_check_id_columns(id_columns, func),
        progress=_check_progress(progress, func),
        output=output,
    )


def _errors_target(
    errors: object,
    output: OutputOptions | None,
    source_path: Path | None,
    protected: tuple[Path, ...],
    func: str,
    writes_scores: bool,
) -> OutputTarget | None:
    if errors is None:
        if not writes_scores:
            return None
        base: Path | None
        if output and output.target.kind == "file":
            base = Path(output.target.shown)  # as given: messages show the caller's spelling
        else:  # beside the input, if the input is a regular file (not a pipe, device, stream)
            base = source_path if source_path is not None and source_path.is_file() else None
        default = default_errors_path(base, None)
        if default is None:
            return None
        if any(default.resolve() == p.resolve() for p in protected):
            raise InvalidParameterError(
                f"The 'errors' parameter of {func} must be given: the default errors file "
                f"'{default}' would be the input itself.",
                parameter="errors",
                function=func,
            )
        errors = default
    if not isinstance(errors, str | Path):
        raise bad_parameter("errors", func, "be a path or None", errors)
    target = resolve_output(
        errors, inputs=protected, what="errors file", parameter="errors", func=func
    )
    if (
        output is not None
        and target.path is not None
        and output.target.path is not None
        and target.kind == output.target.kind == "file"
        and target.path == output.target.path
    ):
        raise bad_parameter("errors", func, "be another path than the output's", str(errors))
    return target
