"""Benchmark of batch CSV scoring: end-to-end CLI vs R psych, memory, validate throughput.

Run: ``python benchmarks/bench_csv.py [--rows 1000000] [--big-rows 4000000] [--workdir DIR]``.
Generates seeded WAI-SR CSV files, runs ``alliance-metrics score`` / ``validate`` as separate
processes (as an analyst would) and, when ``Rscript`` with psych is installed, the equivalent R
pipeline (``read.csv`` + ``scoreItems`` + ``write.csv``) on the same file. Prints a table; asserts
nothing. Targets (issue 3): ≥ 5× faster than R on 1M rows; peak RSS ≤ 500 MB on 4M rows and
roughly equal to the 1M-row figure.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

sys.path.insert(0, os.path.dirname(__file__))
from _common import print_table, wai_sr_frame

HERE = Path(__file__).resolve().parent
_RSS_PROBE = (
    "import resource, subprocess, sys;"
    "subprocess.run(sys.argv[1:], check=False, stdout=subprocess.DEVNULL);"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def write_csv(path: Path, n_rows: int) -> None:
    """Write a seeded WAI-SR CSV of ``n_rows`` in blocks (integers, blanks for missing)."""
    block = 500_000
    writer = None
    for start in range(0, n_rows, block):
        frame = wai_sr_frame(min(block, n_rows - start), seed=start + 1)
        frame["client_id"] = [f"C{i:07d}" for i in range(start, start + len(frame))]
        table = pa.Table.from_pandas(frame.astype(dict.fromkeys(frame.columns[1:], "Int64")))
        if writer is None:
            writer = pacsv.CSVWriter(str(path), table.schema)
        writer.write_table(table)
    assert writer is not None
    writer.close()


def run(command: list[str]) -> tuple[float, int]:
    """Wall-clock seconds and peak RSS (MiB) of ``command`` run in a fresh process."""
    start = time.perf_counter()
    probe = subprocess.run(
        [sys.executable, "-c", _RSS_PROBE, *command], capture_output=True, text=True, check=True
    )
    elapsed = time.perf_counter() - start
    return elapsed, int(probe.stdout.strip()) // 1024


def cli(*args: str) -> list[str]:
    """The console script of the current environment."""
    script = shutil.which("alliance-metrics") or str(
        Path(sys.executable).with_name("alliance-metrics")
    )
    return [script, *args]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--big-rows", type=int, default=4_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="am-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    small, big = workdir / f"wai_sr_{args.rows}.csv", workdir / f"wai_sr_{args.big_rows}.csv"
    for path, n in [(small, args.rows), (big, args.big_rows)]:
        if not path.exists():
            write_csv(path, n)
    rows: list[tuple[str, str, str]] = []
    size_mb = small.stat().st_size / 2**20

    ours = [
        run(
            cli(
                "score", str(small), "-i", "wai-sr", "-o", str(workdir / "out.csv"), "--no-progress"
            )
        )
        for _ in range(args.repeat)
    ]
    best = min(t for t, _ in ours)
    rows.append(
        (f"alliance-metrics score, {args.rows:,} rows ({size_mb:.0f} MB)", f"{best:.2f} s", "")
    )
    rows.append(("  peak RSS", f"{max(m for _, m in ours)} MiB", ""))

    r_time = None
    if shutil.which("Rscript"):
        r_runs = [
            run(
                [
                    "Rscript",
                    str(HERE / "psych_wai_sr.R"),
                    "pipeline",
                    str(small),
                    str(workdir / "out_r.csv"),
                ]
            )
            for _ in range(max(1, args.repeat - 1))
        ]
        r_time = min(t for t, _ in r_runs)
        rows.append(("R read.csv + psych::scoreItems + write.csv", f"{r_time:.2f} s", ""))
        rows.append(("  speed-up over R", f"{r_time / best:.1f}×", "≥ 5×"))
    else:
        rows.append(("R psych pipeline", "skipped (no Rscript)", ""))

    big_time, big_rss = run(
        cli("score", str(big), "-i", "wai-sr", "-o", str(workdir / "out_big.csv"), "--no-progress")
    )
    rows.append((f"alliance-metrics score, {args.big_rows:,} rows", f"{big_time:.2f} s", ""))
    rows.append(("  peak RSS", f"{big_rss} MiB", "≤ 500 MiB, ≈ 1M-row figure"))

    parquet = [
        run(
            cli(
                "score",
                str(small),
                "-i",
                "wai-sr",
                "-o",
                str(workdir / "out.parquet"),
                "--format",
                "parquet",
                "--no-progress",
            )
        )
        for _ in range(args.repeat)
    ]
    rows.append(
        (
            f"alliance-metrics score --format parquet, {args.rows:,} rows",
            f"{min(t for t, _ in parquet):.2f} s",
            "",
        )
    )

    validate = [
        run(cli("validate", str(small), "-i", "wai-sr", "--no-progress"))
        for _ in range(args.repeat)
    ]
    v_best = min(t for t, _ in validate)
    rows.append((f"alliance-metrics validate, {args.rows:,} rows", f"{v_best:.2f} s", ""))
    rows.append(("  validate rows per second", f"{args.rows / v_best:,.0f}", ""))

    startup = [run(cli("--version")) for _ in range(5)]
    rows.append(("CLI start-up (--version)", f"{min(t for t, _ in startup) * 1000:.0f} ms", ""))
    print_table(rows)
    print(f"\nfiles in {workdir}")


if __name__ == "__main__":
    main()
