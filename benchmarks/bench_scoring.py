"""Benchmark of the scoring kernel: in-memory score_frame and single score() latency.

Run: ``python benchmarks/bench_scoring.py [--rows 1000000]``. Prints a table; asserts nothing.
Targets (issue 2): score_frame on 1,000,000 WAI-SR rows ≤ 0.15 s on the 2-core machine;
single score() median ≤ 50 µs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import timeit

sys.path.insert(0, os.path.dirname(__file__))

from _common import median_text, print_table, timed, wai_sr_frame

import alliance_metrics as am


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
