"""Benchmark of icc(): 60,000 ratings in long and wide layout.

Run: ``python benchmarks/bench_icc.py [--ratings 60000] [--repeat 7]``. Prints a table; asserts
nothing. Target (issue 5): 60,000 ratings "in well under a second" (a popular Python package takes
about 40 s on the same data).
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(__file__))

from _common import median_text, print_table, timed

from alliance_metrics.interrater import icc


def ratings(n_targets: int, n_raters: int, *, seed: int = 20261125) -> np.ndarray:
    """Seeded targets × raters matrix: target effect + rater bias + noise, one decimal."""
    rng = np.random.default_rng(seed)
    target = rng.normal(5.0, 1.5, size=(n_targets, 1))
    bias = rng.normal(0.0, 0.4, size=(1, n_raters))
    return np.round(target + bias + rng.normal(0.0, 0.7, size=(n_targets, n_raters)), 1)


def long_layout(matrix: np.ndarray) -> pd.DataFrame:
    n, k = matrix.shape
    frame = pd.DataFrame(
        {
            "session": np.repeat([f"S{i:06d}" for i in range(n)], k),
            "rater": np.tile([f"rater{j}" for j in range(k)], n),
            "rating": matrix.ravel(),
        }
    )
    return frame.sample(frac=1.0, random_state=1, ignore_index=True)  # export order


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ratings", type=int, default=60_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    rows: list[tuple[str, str, str]] = []
    for n_raters in (4, 10):
        matrix = ratings(args.ratings // n_raters, n_raters)
        label = f"{matrix.size:,} ratings ({len(matrix):,} targets × {n_raters} raters)"
        long = long_layout(matrix)
        wide = pd.DataFrame(matrix, columns=[f"rater{j}" for j in range(n_raters)])
        times = timed(
            lambda long=long: icc(long, targets="session", raters="rater", ratings="rating"),
            args.repeat,
        )
        rows.append((f"icc long, {label}", median_text(times), "< 1 s"))
        times = timed(lambda wide=wide: icc(wide), args.repeat)
        rows.append((f"icc wide, {label}", median_text(times), "< 1 s"))
    print_table(rows)


if __name__ == "__main__":
    main()
