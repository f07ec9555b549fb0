"""Benchmark of sudden_changes and friends: 100,000 clients × 12 sessions, 5 % missing sessions.

Run: ``python benchmarks/bench_sudden.py [--clients 100000] [--repeat 5] [--no-r]``. Prints a
table; asserts nothing. Targets (issue 10): ``sudden_changes`` ≤ 1 s on 1.2M rows on a 2-core
machine, and at least 50 times faster than R ``suddengains::identify_sg`` on the same data.

When ``Rscript`` and ``benchmarks/r_suddengains_timing.R`` are available, the same series are
written as a wide CSV and ``identify_sg`` (cut-off 7, proportion .25, criterion 3 adjusted,
α = .05; ``sudden_changes`` runs with the same rule) is timed in the same run. Its cost grows
faster than linearly with the rows of one call, so R times ``--r-rows`` clients in calls of
``--r-chunk`` rows and scales linearly to all clients: the ratio printed is conservative (one
call on every client would take R far longer). ``--sg-lib`` sets ``SG_LIB``, the R library
holding suddengains 0.7.2 (see tests/golden/series/README.md).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(__file__))

from _common import median_text, print_table, timed

import alliance_metrics as am

R_SCRIPT = Path(__file__).resolve().parent / "r_suddengains_timing.R"


def session_series(
    n_clients: int, n_sessions: int, *, missing: float = 0.05, seed: int = 20261130
) -> pd.DataFrame:
    """Seeded WAI-SR-like totals (12–60): client level, slow growth, noise, planted drops.

    One row per administration; a missing session (probability ``missing``) has no row.
    """
    rng = np.random.default_rng(seed)
    level = rng.normal(44.0, 6.0, size=(n_clients, 1))
    growth = rng.normal(0.3, 0.3, size=(n_clients, 1)) * np.arange(n_sessions)
    scores = level + growth + rng.normal(0.0, 2.5, size=(n_clients, n_sessions))
    drop_at = rng.integers(3, n_sessions - 2, size=n_clients)  # a sudden loss in ~15 % of clients
    has_drop = rng.random(n_clients) < 0.15
    after = np.arange(n_sessions)[None, :] >= drop_at[:, None]
    scores -= np.where(has_drop[:, None] & after, rng.uniform(8.0, 15.0, (n_clients, 1)), 0.0)
    scores = np.clip(np.rint(scores), 12.0, 60.0)
    frame = pd.DataFrame(
        {
            "client_id": np.repeat([f"C{i:06d}" for i in range(n_clients)], n_sessions),
            "session": np.tile(np.arange(1, n_sessions + 1), n_clients),
            "wai_sr_total": scores.ravel(),
        }
    )
    return frame[rng.random(len(frame)) >= missing].reset_index(drop=True)


def wide_csv(long: pd.DataFrame, n_sessions: int, path: Path) -> None:
    """Write the series as suddengains reads them: client_id, s1 … sK (NA = missing)."""
    codes, ids = pd.factorize(long["client_id"], sort=True)
    matrix = np.full((len(ids), n_sessions), np.nan)
    matrix[codes, long["session"].to_numpy() - 1] = long["wai_sr_total"].to_numpy()
    wide = pd.DataFrame(matrix, columns=[f"s{k}" for k in range(1, n_sessions + 1)])
    wide.insert(0, "client_id", ids)
    wide.to_csv(path, index=False, na_rep="NA")


def time_r(long: pd.DataFrame, n_sessions: int, rows: int, chunk: int) -> dict[str, float] | None:
    """Run the R timing script; None when Rscript or the script is missing or R fails."""
    rscript = shutil.which("Rscript")
    if rscript is None or not R_SCRIPT.exists():
        return None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "wide.csv"
        wide_csv(long, n_sessions, path)
        command = [rscript, str(R_SCRIPT), str(path), str(rows), str(chunk)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(f"R timing failed ({done.returncode}): {done.stderr.strip()[-400:]}", file=sys.stderr)
        return None
    return {key: float(value) for key, value in re.findall(r"(\w+)=([\d.]+)", done.stdout)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--sessions", type=int, default=12)
    parser.add_argument("--missing", type=float, default=0.05)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-r", action="store_true", help="skip the R comparison")
    parser.add_argument("--r-rows", type=int, default=2000, help="clients timed in R")
    parser.add_argument("--r-chunk", type=int, default=500, help="clients per identify_sg call")
    parser.add_argument("--sg-lib", help="R library with suddengains (sets SG_LIB)")
    args = parser.parse_args()
    if args.sg_lib:
        os.environ["SG_LIB"] = args.sg_lib

    long = session_series(args.clients, args.sessions, missing=args.missing)
    label = (
        f"{len(long):,} rows ({args.clients:,} clients × {args.sessions}, "
        f"{args.missing:.0%} missing)"
    )
    rule = {"score": "wai_sr_total", "cutoff": 7, "pct": 0.25}  # identify_sg's example settings
    changes = timed(lambda: am.sudden_changes(long, **rule), args.repeat)
    rows = [(f"sudden_changes, {label}", median_text(changes), "≤ 1 s")]
    events = timed(lambda: am.sudden_change_events(long, **rule), args.repeat)
    rows.append(("sudden_change_events, same data", median_text(events), ""))
    cases = timed(lambda: am.sudden_change_cases(long, score="wai_sr_total"), args.repeat)
    rows.append(("sudden_change_cases, same data", median_text(cases), ""))

    def rc() -> object:
        wide = am.first_last(long, score="wai_sr_total")
        return am.reliable_change(wide, pre="pre", post="post", reliability=0.9)

    rows.append(
        ("first_last + reliable_change, same data", median_text(timed(rc, args.repeat)), "")
    )
    flagged = am.sudden_changes(long, **rule)["sudden"].sum()
    rows.append(("sudden losses flagged", f"{flagged:,}", ""))

    if not args.no_r:
        r = time_r(long, args.sessions, args.r_rows, args.r_chunk)
        if r is None:
            rows.append(("R identify_sg", "not run (Rscript, script or suddengains missing)", ""))
        else:
            estimate = r["estimated_seconds_all_rows"]
            rows.append(
                (
                    f"R identify_sg, {int(r['rows']):,} clients in calls of {int(r['chunk'])}",
                    f"{r['seconds']:.3g} s",
                    "",
                )
            )
            rows.append(("R identify_sg, all clients (linear estimate)", f"{estimate:.4g} s", ""))
            ratio = estimate / statistics.median(changes)
            rows.append(("speed-up of sudden_changes over identify_sg", f"{ratio:,.0f}×", "≥ 50×"))
    print_table(rows)


if __name__ == "__main__":
    main()
