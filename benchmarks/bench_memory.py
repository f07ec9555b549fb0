"""Peak memory of ``alliance-metrics score`` on large files of awkward shapes (flat means: the
same as a clean file, whatever the size).

Run: ``python benchmarks/bench_memory.py [--rows 3000000]``. Writes seeded CSV files to a
temporary folder, runs the command in a child process for each, and prints its peak RSS
(``ru_maxrss`` of the child) and time. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import print_table

HEADER = "client_id,note," + ",".join(f"wai_{n}" for n in range(1, 13)) + "\n"


def _write(path: Path, rows: int, *, first_note: str, cell: str) -> None:
    line = f"C0000001,x,{','.join([cell] * 12)}\n"
    block = line * 50_000
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(HEADER)
        handle.write(f"C0000000,{first_note},{','.join(['4'] * 12)}\n")
        for _ in range(rows // 50_000):
            handle.write(block)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=3_000_000)
    rows = parser.parse_args().rows
    cases = [
        ("clean", "x", "4"),
        ("stray quote in the first row", "6'2\" tall", "4"),
        ("every item cell invalid", "x", "9"),
    ]
    table = []
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for label, note, cell in cases:  # each in a fresh child: ru_maxrss is per process tree
            path = folder / "in.csv"
            _write(path, rows, first_note=note, cell=cell)
            size = os.path.getsize(path) / 2**20
            code = (
                "import resource, subprocess, sys, time; s=time.perf_counter(); "
                "subprocess.run(sys.argv[1:], capture_output=True); "
                "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, "
                "time.perf_counter() - s)"
            )
            done = subprocess.run(
                [sys.executable, "-c", code, sys.executable, "-m", "alliance_metrics", "score",
                 str(path), "-i", "wai-sr", "-o", str(folder / "out.csv"), "--no-progress"],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            peak, seconds = (float(v) for v in done.stdout.split())
            table.append(
                (
                    f"{label}: {rows:,} rows ({size:.0f} MiB)",
                    f"{peak:.0f} MiB, {seconds:.1f} s",
                    "flat",
                )
            )
            for extra in folder.iterdir():
                if extra.name != "in.csv":
                    extra.unlink()
    print_table(table)


if __name__ == "__main__":
    main()
