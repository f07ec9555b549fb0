"""Benchmark of the Dask engine: 20M WAI-SR rows in 20 Parquet files, one process vs Dask.

Run: ``python benchmarks/bench_dask.py [--files 20] [--rows-per-file 1000000] [--workers 2]
[--workdir DIR] [--skip-csv]``.

Generates seeded WAI-SR data (1–5, correlated items, 2 % missing, 0.01 % out of range) as
Parquet files — and the same rows as CSV files for the file runs — in a temporary folder, then
times, end to end (read → score → write Parquet):

* one process: ``pd.read_parquet`` of all files + ``am.score_frame`` + ``to_parquet`` (the whole
  table in memory), the same file by file, and polars (``pl.read_parquet`` + ``am.score_frame``);
* Dask on a ``LocalCluster`` of ``--workers`` processes (one thread each):
  ``dd.read_parquet`` + ``am.score_frame`` + ``to_parquet``;
* file runs: ``am.score_csv`` file by file in one process vs ``score_files`` (what
  ``alliance-metrics score 'dir/*.csv' --engine dask`` runs) on the cluster;
* the per-row overhead of the Dask path on 1M rows in memory compared with pandas.

Every one-process measurement runs in a fresh child process and reports its peak RSS; every
Dask measurement starts a fresh cluster (start-up not timed) and reports each worker's peak RSS
(``resource.getrusage`` in the worker). BLAS runs one thread per process everywhere, as Dask sets
it for its workers (with a thread per core, OpenBLAS slows the kernel's small products 2–3× on
a 2-core machine). A probe first measures how much two processes can do at once here. Prints a
table; asserts nothing.
"""

from __future__ import annotations

import os

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")  # before NumPy is imported, here and in child processes

import argparse  # noqa: E402
import multiprocessing  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.csv as pacsv  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

ITEMS = [f"wai_{n}" for n in range(1, 13)]
MB = 1024  # ru_maxrss is in KiB on Linux


def write_files(folder: Path, n_files: int, rows: int, seed: int = 20261130) -> None:
    """Seeded WAI-SR rows, one Parquet and one CSV file per part."""
    (folder / "parquet").mkdir(parents=True)
    (folder / "csv").mkdir()
    for f in range(n_files):
        rng = np.random.default_rng(seed + f)
        latent = rng.normal(0.0, 1.0, size=(rows, 1))
        values = np.clip(np.rint(3.6 + 0.8 * latent + rng.normal(0.0, 0.7, (rows, 12))), 1, 5)
        values[rng.random(values.shape) < 0.0001] = 9  # out of range: rows marked invalid
        missing = rng.random(values.shape) < 0.02
        columns: dict[str, pa.Array] = {
            "client_id": pa.array(np.arange(f * rows, (f + 1) * rows, dtype=np.int64))
        }
        for j, name in enumerate(ITEMS):
            columns[name] = pa.array(values[:, j].astype(np.int8), mask=missing[:, j])
        table = pa.table(columns)
        pq.write_table(table, folder / "parquet" / f"part-{f:03d}.parquet")
        options = pacsv.WriteOptions(quoting_style="none")
        pacsv.write_csv(table, folder / "csv" / f"part-{f:03d}.csv", write_options=options)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / MB


# --- one process (each in a fresh child process) --------------------------------------------


def _pandas_whole(source: str, out: str) -> float:
    import pandas as pd

    import alliance_metrics as am

    started = time.perf_counter()
    frame = pd.read_parquet(source)
    am.score_frame(frame, "wai-sr", on_invalid="missing").to_parquet(out)
    return time.perf_counter() - started


def _pandas_by_file(source: str, out: str) -> float:
    import pandas as pd

    import alliance_metrics as am

    started = time.perf_counter()
    Path(out).mkdir()
    for path in sorted(Path(source).glob("*.parquet")):
        scored = am.score_frame(pd.read_parquet(path), "wai-sr", on_invalid="missing")
        scored.to_parquet(Path(out) / path.name)
    return time.perf_counter() - started


def _polars_whole(source: str, out: str) -> float:
    import polars as pl

    import alliance_metrics as am

    started = time.perf_counter()
    frame = pl.read_parquet(Path(source) / "*.parquet")
    am.score_frame(frame, "wai-sr", on_invalid="missing").write_parquet(out)
    return time.perf_counter() - started


def _score_csv_by_file(source: str, out: str) -> float:
    import alliance_metrics as am

    started = time.perf_counter()
    Path(out).mkdir()
    for path in sorted(Path(source).glob("*.csv")):
        am.score_csv(path, Path(out) / f"{path.stem}.parquet", "wai-sr", output_format="parquet")
    return time.perf_counter() - started


def _child(task: str, source: str, out: str) -> tuple[float, float]:
    seconds = globals()[task](source, out)
    return seconds, _peak_mb()


def one_process(task: str, source: Path, out: Path) -> tuple[float, list[float]]:
    """Run ``task`` in a fresh process: (seconds, [peak RSS MB])."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        seconds, peak = pool.apply(_child, (task, str(source), str(out)))
    shutil.rmtree(out, ignore_errors=True)
    if out.is_file():
        out.unlink()
    return seconds, [peak]


# --- Dask --------------------------------------------------------------------------------------


def _warm() -> None:
    """Imports a worker needs (the one-process runs import before their clock starts too)."""
    import pyarrow.parquet  # noqa: F401

    import alliance_metrics.dask  # noqa: F401


def on_cluster(
    workers: int, run: Callable[[Any], None], *, trim: bool = True
) -> tuple[float, list[float]]:
    """Run ``run(client)`` on a fresh local cluster: (seconds, peak RSS MB of each worker).

    ``trim=False`` starts the workers without Dask's ``MALLOC_TRIM_THRESHOLD_=65536`` (which
    sends every large NumPy temporary back to the kernel, and costs the kernel 2–3× here).
    """
    import dask
    from distributed import Client, LocalCluster

    environ = {} if trim else {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
    with dask.config.set(environ), LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster, Client(cluster) as client:  # fmt: skip
        client.run(_warm)
        started = time.perf_counter()
        run(client)
        seconds = time.perf_counter() - started
        peaks = client.run(_peak_mb)
    return seconds, sorted(peaks.values())


def dask_parquet(source: Path, out: Path) -> Callable[[Any], None]:
    def run(client: Any) -> None:
        import dask.dataframe as dd

        import alliance_metrics as am

        scored = am.score_frame(dd.read_parquet(source), "wai-sr", on_invalid="missing")
        scored.to_parquet(out)
        shutil.rmtree(out)

    return run


def dask_files(source: Path, out: Path) -> Callable[[Any], None]:
    def run(client: Any) -> None:
        from alliance_metrics.dask import score_files

        score_files(source / "*.csv", out, "wai-sr", client=client)
        shutil.rmtree(out)

    return run


# --- how much two processes can do here ------------------------------------------------------


def _probe(rows: int) -> float:
    """Seconds to score ``rows`` in memory (the CPU and memory work of one partition)."""
    sys.path.insert(0, os.path.dirname(__file__))
    from _common import wai_sr_frame

    import alliance_metrics as am

    frame = wai_sr_frame(rows)
    am.score_frame(frame, "wai-sr")
    started = time.perf_counter()
    for _ in range(3):
        am.score_frame(frame, "wai-sr")
    return (time.perf_counter() - started) / 3


def parallel_capacity(rows: int = 1_000_000) -> tuple[float, float]:
    """Seconds of the probe alone, and of two copies running at once (each)."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        alone = pool.apply(_probe, (rows,))
    with context.Pool(2) as pool:
        both = pool.map(_probe, [rows, rows])
    return alone, max(both)


# --- per-row overhead on 1M rows -----------------------------------------------------------


def overhead(rows: int, workers: int) -> list[tuple[str, float]]:
    """Median seconds of pandas and of the Dask paths on the same in-memory rows."""
    import dask
    import dask.dataframe as dd
    import pandas as pd
    from distributed import Client, LocalCluster, wait

    import alliance_metrics as am

    sys.path.insert(0, os.path.dirname(__file__))
    from _common import timed, wai_sr_frame

    frame = wai_sr_frame(rows)
    results = [
        ("pandas score_frame", statistics.median(timed(lambda: am.score_frame(frame, "wai-sr"), 3)))
    ]

    def sync() -> pd.DataFrame:
        ddf = dd.from_pandas(frame, npartitions=1)
        return am.score_frame(ddf, "wai-sr").compute(scheduler="sync")

    results.append(("Dask, 1 partition, synchronous scheduler", statistics.median(timed(sync, 3))))
    with LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster, Client(cluster):  # fmt: skip
        ddf = dd.from_pandas(frame, npartitions=workers).persist()
        wait(ddf)

        def on_workers() -> None:
            scored = am.score_frame(ddf, "wai-sr").persist()
            wait(scored)
            del scored

        def back_to_client() -> pd.DataFrame:
            return am.score_frame(ddf, "wai-sr").compute()

        label = f"Dask, {workers} workers, data on the workers, scores kept there"
        results.append((label, statistics.median(timed(on_workers, 3))))
        label = f"Dask, {workers} workers, scores returned to this process"
        results.append((label, statistics.median(timed(back_to_client, 3))))
    dask.config.refresh()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--rows-per-file", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--overhead-rows", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--skip-csv", action="store_true")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(dir=args.workdir, prefix="bench-dask-"))
    try:
        n_rows = args.files * args.rows_per_file
        started = time.perf_counter()
        write_files(workdir, args.files, args.rows_per_file)
        size = sum(p.stat().st_size for p in (workdir / "parquet").iterdir()) / 2**20
        csv_size = sum(p.stat().st_size for p in (workdir / "csv").iterdir()) / 2**20
        print(
            f"data: {n_rows:,} rows in {args.files} files — Parquet {size:,.0f} MiB, CSV "
            f"{csv_size:,.0f} MiB (written in {time.perf_counter() - started:.0f} s); "
            f"{os.cpu_count()} CPUs; Dask on {args.workers} worker processes × 1 thread",
            flush=True,
        )
        alone, both = parallel_capacity()
        print(
            f"load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())}; "
            f"probe (score 1M rows): {alone:.2f} s alone, {both:.2f} s each with two at once — "
            f"two processes do {2 * alone / both:.2f}× the work of one on this machine now",
            flush=True,
        )
        parquet, csv, out = workdir / "parquet", workdir / "csv", workdir / "out"
        runs: list[tuple[str, tuple[float, list[float]]]] = []
        measures: list[tuple[str, Callable[[], tuple[float, list[float]]]]] = [
            ("pandas, one process, whole table",
             lambda: one_process("_pandas_whole", parquet, out)),
            ("pandas, one process, file by file",
             lambda: one_process("_pandas_by_file", parquet, out)),
            ("polars, one process, whole table",
             lambda: one_process("_polars_whole", parquet, out)),
            ("Dask score_frame (read_parquet → to_parquet)",
             lambda: on_cluster(args.workers, dask_parquet(parquet, out))),
            ("  the same, workers without MALLOC_TRIM_THRESHOLD_",
             lambda: on_cluster(args.workers, dask_parquet(parquet, out), trim=False)),
        ]  # fmt: skip
        if not args.skip_csv:
            measures += [
                ("score_csv, one process, file by file",
                 lambda: one_process("_score_csv_by_file", csv, out)),
                ("score_files on Dask (--engine dask)",
                 lambda: on_cluster(args.workers, dask_files(csv, out))),
            ]  # fmt: skip
        for label, measure in measures:
            runs.append((label, measure()))
            seconds, peaks = runs[-1][1]
            shown = ", ".join(f"{p:,.0f}" for p in peaks)
            print(f"  {label}: {seconds:.1f} s, peak RSS {shown} MB", flush=True)
        print()
        header = ("end to end, read → score → write", "seconds", "rows/s", "peak RSS (MB)")
        rows = [
            (label, f"{s:.1f}", f"{n_rows / s / 1e6:.2f} M", " / ".join(f"{p:,.0f}" for p in peaks))
            for label, (s, peaks) in runs
        ]
        by_label = {label: s for label, (s, _) in runs}
        speedups = [
            ("pandas, one process, file by file", "Dask score_frame (read_parquet → to_parquet)"),
            ("pandas, one process, whole table", "Dask score_frame (read_parquet → to_parquet)"),
            ("score_csv, one process, file by file", "score_files on Dask (--engine dask)"),
        ]
        _print(header, rows)
        print()
        for base, fast in speedups:
            if base in by_label and fast in by_label:
                print(f"speed-up of {fast!r} over {base!r}: {by_label[base] / by_label[fast]:.2f}×")
        print()
        found = overhead(args.overhead_rows, args.workers)
        pandas_seconds = found[0][1]
        rows = [
            (label, f"{s:.3f}", f"{s / args.overhead_rows * 1e9:.0f}",
             f"{(s - pandas_seconds) / args.overhead_rows * 1e9:+.0f}")
            for label, s in found
        ]  # fmt: skip
        _print(
            (f"{args.overhead_rows:,} rows in memory", "seconds", "ns/row", "vs pandas ns/row"),
            rows,
        )
        print(f"\nload average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _print(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
