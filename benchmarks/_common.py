"""Shared helpers of the benchmark scripts: seeded data and a results table."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np
import pandas as pd


def wai_sr_frame(n_rows: int, *, seed: int = 20261125, missing_rate: float = 0.02) -> pd.DataFrame:
    """Seeded WAI-SR responses (1–5, correlated items) with an id column and missing cells."""
    rng = np.random.default_rng(seed)
    latent = rng.normal(0.0, 1.0, size=(n_rows, 1))
    values = np.clip(np.rint(3.6 + 0.8 * latent + rng.normal(0.0, 0.7, size=(n_rows, 12))), 1, 5)
    values[rng.random(values.shape) < missing_rate] = np.nan
    frame = pd.DataFrame(values, columns=[f"wai_{n}" for n in range(1, 13)])
    frame.insert(0, "client_id", [f"C{i:07d}" for i in range(n_rows)])
    return frame


def timed(function: Callable[[], object], repeat: int) -> list[float]:
    """Wall-clock seconds of ``repeat`` calls (after one warm-up call)."""
    function()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def print_table(rows: list[tuple[str, str, str]]) -> None:
    """Print (measure, value, target) rows as an aligned table."""
    header = ("measure", "value", "target")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def median_text(times: list[float], unit: str = "s") -> str:
    """Median (and min) formatted in seconds or microseconds."""
    scale = 1e6 if unit == "µs" else 1.0
    return f"{statistics.median(times) * scale:.3g} {unit} (min {min(times) * scale:.3g})"
