"""One file's task on a worker: score it into its part, and say what came of it.

Everything here pickles (the job carries the resolved instrument, never a registry id). A task
returns the library's errors — and the file system's — instead of raising them: a task that
fails makes Dask log the failure and a traceback on the worker, which the run must not show.
The columns of each part come back too, so that parts that disagree are never published.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from typing import Any

from alliance_metrics.errors import AllianceMetricsError, InputFormatError, ResponseValidationError
from alliance_metrics.pipeline.run import score_csv
from alliance_metrics.results import CsvSummary, ValidationReport
from alliance_metrics.schemas import Instrument

__all__ = ["FileJob", "PartResult", "check_columns", "named", "part_columns", "score_part"]


@dataclass(frozen=True)
class FileJob:
    """One input file's task: everything a worker needs (it pickles; no registry lookup)."""

    index: int
    source: str
    part: str
    errors: str
    instrument: Instrument | list[Instrument]
    on_invalid: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PartResult:
    """What a task returns: the file's summary and the columns of its part.

    Or its report when ``on_invalid="raise"`` refused it, or the library error that stopped it.
    """

    index: int
    source: str
    summary: CsvSummary | None
    refused: ValidationReport | None = None
    columns: tuple[tuple[str, str], ...] = ()
    error: AllianceMetricsError | OSError | None = None

    @property
    def report(self) -> ValidationReport:
        """The file's validation report (rows from 0)."""
        if self.summary is not None:
            return self.summary.report
        return self.refused or ValidationReport(n_rows=0)


def part_columns(path: str, output_format: str, delimiter: str) -> tuple[tuple[str, str], ...]:
    """Read the columns of a part: (name, Arrow type) for Parquet, (name, delimiter) for CSV."""
    if output_format == "parquet":
        import pyarrow.parquet as pq

        return tuple((field.name, str(field.type)) for field in pq.read_schema(path))
    with open(path, encoding="utf-8", newline="") as part:
        header = next(csv.reader(part, delimiter=delimiter), [])
    return tuple((name, f"delimiter {delimiter!r}") for name in header)


def score_part(job: FileJob) -> PartResult:
    """Score one file into its part (runs on a worker).

    The library's errors (and the file system's) are returned, not raised: a task that fails
    makes Dask log the failure and its traceback on the worker.
    """
    try:
        summary = score_csv(
            job.source,
            job.part,
            job.instrument,
            errors=job.errors,
            on_invalid=job.on_invalid,
            **job.options,
        )
        fmt = job.options.get("output_format", "parquet")
        delimiter = job.options.get("delimiter") or summary.delimiter
        columns = part_columns(job.part, fmt, delimiter)
    except ResponseValidationError as error:
        return PartResult(job.index, job.source, None, error.report)
    except (AllianceMetricsError, OSError) as error:
        return PartResult(job.index, job.source, None, error=error)
    return PartResult(job.index, job.source, summary, columns=columns)


def named(error: AllianceMetricsError | OSError, source: str) -> AllianceMetricsError | OSError:
    """Return the error of a file, naming the file when its message does not."""
    if not isinstance(error, OSError) and source not in str(error):
        error.args = (f"{source}: {error}",)
    return error


def check_columns(results: list[PartResult]) -> None:
    """Refuse parts whose columns differ from the first part's (names, order, types)."""
    first = results[0]
    for other in results[1:]:
        if other.columns == first.columns:
            continue
        if [name for name, _ in first.columns] != [name for name, _ in other.columns]:
            differ = "different columns"
        elif first.columns and first.columns[0][1].startswith("delimiter"):
            differ = "different delimiters"
        else:
            differ = "columns of different types"
        raise InputFormatError(
            f"'{first.source}' and '{other.source}' give parts with {differ}: every file of one "
            "run must have the same header (the same columns in the same order); score them "
            "in separate runs. Nothing written."
        )
