"""Where outputs go: default names, safety checks, and the errors report file.

Every file is written through :class:`~alliance_metrics.io.csv.TableSink` (temporary file, then
rename), never over the input, and never into a path that is a folder.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from alliance_metrics.errors import InvalidParameterError
from alliance_metrics.io.csv import TableSink
from alliance_metrics.results import FAILURE_COLUMNS, ValidationReport

__all__ = [
    "ERRORS_HEADER",
    "check_output_path",
    "default_errors_path",
    "default_output_path",
    "write_errors_file",
]

_COMPRESSION_SUFFIXES = (".gz", ".bz2", ".xz", ".zst")
ERRORS_HEADER = ",".join(f'"{c}"' for c in FAILURE_COLUMNS)
"""First line of every errors file written by the library."""


def _stem(path: Path) -> str:
    """``data.csv.gz`` → ``data``; ``wai.sav`` → ``wai``; ``export`` → ``export``."""
    name = path.name
    for suffix in _COMPRESSION_SUFFIXES:
        name = name.removesuffix(suffix)
    return Path(name).stem if Path(name).suffix else name


def default_output_path(source: Path, output_format: str = "csv") -> Path:
    """Scored output beside the input: ``data.csv`` / ``data.csv.gz`` / ``data.sav`` →
    ``data.scored.csv`` (or ``.parquet``).

    Examples
    --------
    >>> default_output_path(Path("exports/wai.csv.gz")).as_posix()
    'exports/wai.scored.csv'
    """  # noqa: D205
    return source.with_name(f"{_stem(source)}.scored.{output_format}")


def default_errors_path(output: Path | None, source: Path | None) -> Path | None:
    """Errors report beside the output (else the input): ``data.scored.csv`` →
    ``data.errors.csv``; ``None`` when both are streams.

    Examples
    --------
    >>> default_errors_path(Path("out/data.scored.csv"), None).as_posix()
    'out/data.errors.csv'
    """  # noqa: D205
    base = output if output is not None else source
    if base is None:
        return None
    return base.with_name(f"{_stem(base).removesuffix('.scored')}.errors.csv")


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return a.samefile(b)
    except OSError:  # pragma: no cover - defensive: unreadable metadata
        return False
    return a.resolve() == b.resolve()


def check_output_path(path: Path, source: Path | None, what: str = "output") -> Path:
    """Refuse writing ``path`` over the input, into a missing folder, or onto a folder.

    Raises
    ------
    InvalidParameterError
        With a message naming the path the caller gave.
    """
    if source is not None and _same_file(path, source):
        raise InvalidParameterError(
            f"Refusing to overwrite the input file '{source}' with the {what}; choose another path."
        )
    if path.is_dir():
        raise InvalidParameterError(f"The {what} path '{path}' is a folder; give a file name.")
    if not path.parent.is_dir():
        raise InvalidParameterError(f"The folder of the {what} path '{path}' does not exist.")
    return path


def _shown(value: object) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def write_errors_file(report: ValidationReport, path: Path | None) -> str | None:
    """Write the report's invalid cells as CSV (sanitised); return the path, or ``None``.

    Nothing is written when the report is clean. A report of an earlier run at the same path
    (recognised by its header) is removed then, so a stale file never describes new output.
    """
    if path is None:
        return None
    if report.ok:
        _remove_stale_report(path)
        return None
    cases = report.failure_cases
    values = [_shown(v) for v in cases["value"]]
    table = pa.table(
        {
            "row": pa.array(cases["row"].to_numpy(), type=pa.int64()),
            "column": pa.array(cases["column"].astype(str).tolist(), type=pa.string()),
            "value": pa.array(values, type=pa.string()),
            "code": pa.array(cases["code"].astype(str).tolist(), type=pa.string()),
            "message": pa.array(cases["message"].astype(str).tolist(), type=pa.string()),
        }
    )
    sink = TableSink(path, "csv", sanitize=True)
    try:
        sink.write(table)
        sink.commit()
    except BaseException:
        sink.abort()
        raise
    return str(path)


def _remove_stale_report(path: Path) -> None:
    try:
        with open(path, encoding="utf-8") as handle:
            first = handle.readline().strip()
    except (OSError, UnicodeDecodeError):
        return
    if first == ERRORS_HEADER:
        path.unlink(missing_ok=True)
