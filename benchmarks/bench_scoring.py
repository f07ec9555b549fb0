"""Benchmark of the scoring kernel: in-memory score_frame and single score() latency.

Run: ``python benchmarks/bench_scoring.py [--rows 1000000]``. Prints a table; asserts nothing.
Targets (issue 2): score_frame on 1,000,000 WAI-SR rows ≤ 0.15 s on the 2-core machine, i.e.
> 15× faster than ``psych::scoreItems`` on the same data (timed in memory by
``psych_wai_sr.R in-memory`` when ``Rscript`` with psych is installed); single score() median
≤ 50 µs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import timeit
from pathlib import Path

import pandas as pd

sys.path.insert(0, os.path.dirname(__file__))

from _common import median_text, print_table, timed, wai_sr_frame

import alliance_metrics as am


def psych_seconds(frame: pd.DataFrame) -> float | None:
    """Median seconds of psych::scoreItems on ``frame`` (in memory), or None without R."""
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.csv"
        frame.to_csv(path, index=False)
        script = Path(__file__).with_name("psych_wai_sr.R")
        result = subprocess.run(
            ["Rscript", str(script), "in-memory", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        return None
    return float(result.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    frame = wai_sr_frame(args.rows)
    complete = wai_sr_frame(args.rows, missing_rate=0.0)
    complete_int = complete.astype({f"wai_{n}": "int64" for n in range(1, 13)})
    rows: list[tuple[str, str, str]] = []
    for label, data in [
        ("float64, 2 % missing", frame),
        ("int64, complete", complete_int),
    ]:
        times = timed(lambda data=data: am.score_frame(data, "wai-sr"), args.repeat)
        rows.append((f"score_frame {args.rows:,} rows ({label})", median_text(times), "≤ 0.15 s"))
        rate = args.rows / statistics.median(times)
        rows.append((f"  rows per second ({label})", f"{rate:,.0f}", ""))
        if label.startswith("float64"):
            ours = statistics.median(times)
            theirs = psych_seconds(data)
            if theirs is None:
                rows.append(("  psych::scoreItems, same data", "skipped (no Rscript)", ""))
            else:
                rows.append(("  psych::scoreItems, same data", f"{theirs:.3g} s", ""))
                rows.append(("  speed-up over psych", f"{theirs / ours:.0f}×", "> 15×"))

    answers = [4, 5, 4, 3, 5, 4, 4, 5, 3, 4, 5, 4]
    mapping = {f"item{n}": v for n, v in enumerate(answers, start=1)}
    labels = ["Very Often"] * 12
    for label, responses in [("sequence", answers), ("mapping", mapping), ("labels", labels)]:
        am.score(responses, "wai-sr")
        single = timeit.repeat(lambda r=responses: am.score(r, "wai-sr"), number=1, repeat=20_000)
        rows.append((f"score() one administration ({label})", median_text(single, "µs"), "≤ 50 µs"))
    print_table(rows)


if __name__ == "__main__":
    main()
