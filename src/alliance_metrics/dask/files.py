"""Score many export files on a Dask cluster into one folder of parts (``--engine dask``).

Each file is one task: ``score_csv`` on a worker — the same reading, checks and scores as in one
process — writing its part (``part-00000.parquet``, …, in the order of the sorted input paths)
and its rejected cells into a temporary folder beside the destination. When every task succeeded
the run's one errors file is assembled (rows as positions in the whole input, the file and its
line for each failure), and the folder is renamed into place: a failed or interrupted run leaves
nothing at the destination. A worker that dies is replaced and its task run again by Dask (up to
``distributed.scheduler.allowed-failures`` times); past that, the run fails with one message.
Workers must see the input and output paths (one machine, or a shared file system).

A file the library cannot read or score comes back from its task as the library's own error
(nothing of Dask's logging or a worker's traceback is shown), and the run stops naming it. Every
part must have the columns of the first (one header for the whole run): parts that disagree are
refused before anything is published.
"""

from __future__ import annotations

import glob
import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from alliance_metrics._params import bad_parameter, check_choice, check_int
from alliance_metrics._version import library_version
from alliance_metrics.dask.cluster import check_client, check_scheduler, connect
from alliance_metrics.dask.frames import join_reports
from alliance_metrics.dask.tasks import FileJob, PartResult, check_columns, named, score_part
from alliance_metrics.errors import AllianceMetricsError, ResponseValidationError
from alliance_metrics.io.errors_file import ErrorsFile
from alliance_metrics.io.folders import (
    MARKER,
    discard_folder,
    new_partial_folder,
    publish_folder,
    resolve_folder,
)
from alliance_metrics.io.sink import OutputTarget, resolve_output, write_bytes
from alliance_metrics.pipeline.options import resolve_file_request
from alliance_metrics.results import ROW_STATUSES, CsvSummary
from alliance_metrics.schemas import Instrument
from alliance_metrics.validation.report import shift_rows

__all__ = ["FileJob", "PartResult", "score_files", "score_part"]

_FUNC = "score_files"


def _expand(sources: object) -> list[Path]:
    patterns = [sources] if isinstance(sources, str | Path) else sources
    if not isinstance(patterns, Sequence) or not all(isinstance(p, str | Path) for p in patterns):
        raise bad_parameter(
            "sources", _FUNC, "be a path, a glob pattern or a list of them", sources
        )
    found: list[Path] = []
    for pattern in patterns:
        matches = (
            sorted(glob.glob(str(pattern))) if glob.has_magic(str(pattern)) else [str(pattern)]
        )
        found += [Path(m) for m in matches if Path(m).is_file()]
    if not found:
        raise bad_parameter("sources", _FUNC, "name or match at least one file", str(sources))
    return list(dict.fromkeys(found))


def _errors_target(
    errors: object, destination: str | Path, final: Path, files: list[Path]
) -> OutputTarget:
    shown = str(destination).rstrip("/\\") or str(final)
    path = f"{shown}.errors.csv" if errors is None else errors
    if not isinstance(path, str | Path):
        raise bad_parameter("errors", _FUNC, "be a path or None", errors)
    target = resolve_output(path, inputs=files, what="errors file", parameter="errors", func=_FUNC)
    if target.path is not None and final in target.path.parents:
        raise bad_parameter("errors", _FUNC, "be outside the output folder", str(path))
    return target


def _run(jobs: list[FileJob], client: Any, scheduler: object, workers: object) -> list[PartResult]:
    from alliance_metrics.dask._modules import distributed

    with connect(client, scheduler, workers, _FUNC) as opened:
        futures = opened.map(score_part, jobs, pure=False)
        try:
            results: list[PartResult] = opened.gather(futures)
        except distributed().KilledWorker as error:
            sources = {future.key: job.source for future, job in zip(futures, jobs, strict=True)}
            source = sources.get(getattr(error, "task", None))
            which = "a file" if source is None else repr(source)
            raise AllianceMetricsError(
                f"a Dask worker died while scoring {which}; nothing written. Workers die when "
                "they run out of memory: give them more, or split the input into smaller files."
            ) from None
        finally:
            opened.cancel(futures)
    for result in results:
        if result.error is not None:
            raise named(result.error, result.source)
    return results


_FIXED = ("row", "line", "column", "value", "code", "message")


def _write_errors(
    results: list[PartResult], jobs: list[FileJob], target: OutputTarget
) -> ErrorsFile:
    """Join the parts' errors files: rows moved to positions in the whole input, file added."""
    import pandas as pd

    written = [
        (job, offset)
        for job, result, offset in zip(jobs, results, _offsets(results), strict=True)
        if result.summary is not None and result.summary.errors_output is not None
    ]
    ids: dict[str, None] = {}
    for job, _ in written:
        header = pd.read_csv(job.errors, nrows=0).columns
        ids.update(dict.fromkeys(c for c in header if c not in _FIXED))
    sink = ErrorsFile(target, ["file", *ids])
    try:
        for job, offset in written:
            part = pd.read_csv(job.errors, dtype=str, keep_default_na=False, na_values=[""])
            part["row"] = part["row"].astype(np.int64)
            cases = shift_rows(part, offset)
            none = [None] * len(cases)
            values: dict[str, list[Any]] = {"file": [job.source] * len(cases)}
            values.update({c: cases[c].tolist() if c in cases.columns else none for c in ids})
            sink.add(cases, cases["line"].astype(np.int64).to_numpy(), values)
    except BaseException:
        sink.abort()
        raise
    return sink


def _offsets(results: list[PartResult]) -> list[int]:
    """Row of the whole input where each file starts (files in order)."""
    sizes = [r.report.n_rows for r in results]
    return [int(x) for x in np.concatenate([[0], np.cumsum(sizes)[:-1]])] if sizes else []


def _summary(
    results: list[PartResult], shown: str, errors: ErrorsFile, started: float, pattern: str
) -> CsvSummary:
    summaries = [r.summary for r in results if r.summary is not None]
    counts = np.zeros(len(ROW_STATUSES), dtype=np.int64)
    excluded: dict[str, int] = {}
    for summary in summaries:
        counts += np.array([summary.status_counts.get(s, 0) for s in ROW_STATUSES])
        for reason, n in summary.excluded.items():
            excluded[reason] = excluded.get(reason, 0) + n
    report = join_reports([r.report for r in results])
    notes = tuple(dict.fromkeys(n for s in summaries for n in s.notes))
    return CsvSummary(
        source=pattern,
        rows=report.n_rows,
        n_invalid_cells=report.n_invalid_cells,
        n_rows_invalid=sum(s.n_rows_invalid for s in summaries),
        status_counts=dict(zip(ROW_STATUSES, counts.tolist(), strict=True)),
        output=f"{shown} ({len(results)} parts)",
        errors_output=errors.written,
        delimiter=summaries[0].delimiter if summaries else ",",
        seconds=time.perf_counter() - started,
        report=report,
        source_format=summaries[0].source_format if summaries else "csv",
        excluded=excluded,
        notes=notes,
    )


def _check_where(client: object, scheduler: object, workers: object) -> None:
    """Check where the run computes, before anything is read or written (no connection yet)."""
    check_client(client, _FUNC)
    if scheduler is not None:
        check_scheduler(scheduler, _FUNC)
        if client is not None:
            raise bad_parameter("scheduler", _FUNC, "be left out when a client is given", scheduler)
    if workers is not None:
        check_int(workers, "workers", _FUNC, minimum=1)
        if client is not None or scheduler is not None:
            given = "client" if client is not None else "scheduler"
            raise bad_parameter("workers", _FUNC, f"be left out when a {given} is given", workers)


def score_files(
    sources: str | Path | Sequence[str | Path],
    destination: str | Path,
    instrument: str | Instrument | Sequence[str | Instrument],
    *,
    client: Any = None,
    scheduler: str | None = None,
    workers: int | None = None,
    output_format: str = "parquet",
    on_invalid: str = "missing",
    errors: str | Path | None = None,
    **options: Any,
) -> CsvSummary:
    """Score export files on a Dask cluster into a folder of parts, one per file.

    Parameters
    ----------
    sources
        Paths or glob patterns (``"exports/*.csv"``); files are taken in sorted order.
    destination
        The output folder (created; an earlier output of this library is replaced, but a folder
        holding any file the library did not write is refused, and so is standard output).
    instrument
        Instrument id or :class:`~alliance_metrics.Instrument` (shipped to the workers whole).
    client, scheduler, workers
        A ``distributed.Client`` (its logging left as it is); else the address of a running
        scheduler (``tcp://host:8786``; it must answer within 10 s); else a local cluster of
        ``workers`` processes (default: one per CPU). Give at most one of them.
    output_format
        ``"parquet"`` (default) or ``"csv"`` parts.
    on_invalid, errors
        As for :func:`~alliance_metrics.score_csv`; the errors file (default: beside the folder,
        ``<folder>.errors.csv``) adds a ``file`` column, and ``row`` counts rows of the whole
        input (files in order).
    **options
        Any other option of :func:`~alliance_metrics.score_csv` (``columns``, ``aggregate``,
        ``min_answered``, ``prefix``, ``encoding``, ``delimiter``, ``missing_values``, …).

    Returns
    -------
    CsvSummary
        The whole run: rows, statuses, invalid cells (its report joins the files' reports).

    Raises
    ------
    InvalidParameterError
        For a bad argument (checked before anything is read or connected to), an unreachable
        scheduler, or a destination that cannot receive the folder.
    InputFormatError
        For a file that cannot be read or scored (named), or files whose parts would not have
        the same columns (the first two named); nothing is written.
    ResponseValidationError
        With ``on_invalid="raise"``, the invalid cells of every file; nothing is written.

    Examples
    --------
    Two export files scored by a one-worker cluster in this process:

    >>> import logging, tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> from distributed import Client, LocalCluster
    >>> from alliance_metrics.dask import score_files
    >>> folder = Path(tempfile.mkdtemp())
    >>> pd.DataFrame({"wai_1": [4, 9], "wai_2": [4, 4], "wai_3": [5, 5]}).to_csv(
    ...     folder / "a.csv", index=False)
    >>> pd.DataFrame({"wai_1": [3], "wai_2": [2], "wai_3": [1]}).to_csv(
    ...     folder / "b.csv", index=False)
    >>> with LocalCluster(n_workers=1, processes=False, dashboard_address=None,
    ...                   silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
    ...     summary = score_files(str(folder / "*.csv"), folder / "scored", "wai-b3",
    ...                           client=client)
    >>> summary.rows, summary.n_invalid_cells
    (3, 1)
    >>> pd.read_parquet(folder / "scored")["wai_b3_status"].tolist()
    ['ok', 'invalid', 'ok']
    """
    started = time.perf_counter()
    files = _expand(sources)
    fmt = check_choice("output_format", _FUNC, output_format, ("csv", "parquet"))
    if not isinstance(destination, str | os.PathLike) or isinstance(destination, bytes):
        raise bad_parameter("destination", _FUNC, "be the path of the output folder", destination)
    _check_where(client, scheduler, workers)
    final = resolve_folder(destination, inputs=files, func=_FUNC)
    errors_target = _errors_target(errors, destination, final, files)
    temp = new_partial_folder(final)
    sink = ErrorsFile(None)
    try:
        checked = resolve_file_request(  # every option checked once, here, before any work
            _FUNC, files[0], temp / f"part.{fmt}", instrument, on_invalid=on_invalid,
            output_format=fmt, errors=temp / ".errors.csv", **options,
        )  # fmt: skip
        found = [request.instrument for request in checked.requests]
        instruments = found[0] if len(found) == 1 else found
        jobs = [
            FileJob(
                i,
                str(path),
                str(temp / f"part-{i:05d}.{fmt}"),
                str(temp / f".errors-{i:05d}.csv"),
                instruments,
                checked.score.on_invalid,
                {**options, "output_format": fmt, "progress": None},
            )
            for i, path in enumerate(files)
        ]
        results = _run(jobs, client, scheduler, workers)
        if any(r.refused is not None for r in results):
            report = join_reports([r.report for r in results])
            raise ResponseValidationError(report.summary(), report)
        check_columns(results)
        sink = _write_errors(results, jobs, errors_target)
        summary = _summary(results, str(destination), sink, started, str(sources))
        for leftover in [*temp.glob(".*.partial"), *temp.glob(".errors-*.csv")]:
            leftover.unlink()
        manifest = {
            "instruments": [{"id": i.id, "version": i.version} for i in found],
            "library_version": library_version(),
            "parts": [{"part": Path(j.part).name, "source": j.source} for j in jobs],
            "rows": summary.rows,
        }
        write_bytes(resolve_output(temp / MARKER), json.dumps(manifest, indent=2).encode())
        for errors_sink in sink.sinks():
            errors_sink.finish()
        publish_folder(temp, final)
    except BaseException:
        sink.abort()
        discard_folder(temp)
        raise
    for errors_sink in sink.sinks():
        errors_sink.publish()
    sink.remove_stale()
    return summary
