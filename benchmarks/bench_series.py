"""Benchmark of the session-series analyses: 100,000 clients × 12 sessions, 5 % missing.

Run: ``python benchmarks/bench_series.py [--clients 100000] [--repeat 5] [--growth-clients 300]``.
Prints a table; asserts nothing. Targets (issue 10) on 1.2M rows on a 2-core machine:
``detect_ruptures`` ≤ 1 s, ``trajectory_features`` and ``decompose`` ≤ 0.3 s each. Every time
includes the checks and the client-by-client layout of the long table (``prepare_series``), in
the export order (sorted by client and session); one line times shuffled input for comparison.
``growth_model`` (statsmodels, several optimisers) is timed on a smaller sample.
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(__file__))

from _common import median_text, print_table, timed

import alliance_metrics as am


def alliance_sessions(
    n_clients: int, n_sessions: int = 12, *, missing: float = 0.05, seed: int = 20261201
) -> pd.DataFrame:
    """Seeded session series: WAI-SR-like totals (12–60), SRS totals (0–40, one decimal) and a
    therapist rating, with V-shaped dips (ruptures), some repaired, and missing sessions.

    Of the missing sessions (``missing`` of all), half have no row and half a row without
    scores.
    """
    rng = np.random.default_rng(seed)
    shape = (n_clients, n_sessions)
    level = rng.normal(44.0, 6.0, size=(n_clients, 1))
    growth = rng.normal(0.3, 0.3, size=(n_clients, 1)) * np.arange(n_sessions)
    wai = level + growth + rng.normal(0.0, 2.5, size=shape)
    dip_at = rng.integers(2, n_sessions - 1, size=n_clients)
    depth = np.where(rng.random(n_clients) < 0.25, rng.uniform(6.0, 14.0, n_clients), 0.0)
    lasting = rng.integers(1, 5, size=n_clients)  # sessions until the alliance recovers
    since = np.arange(n_sessions)[None, :] - dip_at[:, None]
    wai -= np.where((since >= 0) & (since < lasting[:, None]), depth[:, None], 0.0)
    wai = np.clip(np.rint(wai), 12.0, 60.0)
    srs = np.clip(np.round(wai * 40.0 / 60.0 + rng.normal(0.0, 1.0, size=shape), 1), 0.0, 40.0)
    therapist = np.clip(np.rint(wai - 2.0 + rng.normal(0.0, 3.0, size=shape)), 12.0, 60.0)
    frame = pd.DataFrame(
        {
            "client_id": np.repeat([f"C{i:06d}" for i in range(n_clients)], n_sessions),
            "session": np.tile(np.arange(1, n_sessions + 1), n_clients),
            "wai_sr_total": wai.ravel(),
            "srs_total": srs.ravel(),
            "wai_therapist": therapist.ravel(),
        }
    )
    draw = rng.random(len(frame))
    scores = ["wai_sr_total", "srs_total", "wai_therapist"]
    frame.loc[draw < missing / 2, scores] = np.nan  # a row without scores
    absent = (draw >= missing / 2) & (draw < missing)  # no row at all
    return frame[~absent].reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--growth-clients", type=int, default=300)
    args = parser.parse_args()

    data = alliance_sessions(args.clients)
    shuffled = data.sample(frac=1.0, random_state=1)
    n = f"{len(data):,} rows"
    score = {"score": "wai_sr_total"}
    cases = [
        ("detect_ruptures", lambda: am.detect_ruptures(data, **score), "≤ 1 s"),
        ("detect_ruptures k=(1, 2)", lambda: am.detect_ruptures(data, **score, k=(1, 2)), ""),
        (
            "detect_ruptures client_loo, mean_prev_k",
            lambda: am.detect_ruptures(
                data, **score, sd_source="client_loo", baseline="mean_prev_k"
            ),
            "",
        ),
        ("detect_ruptures, shuffled rows", lambda: am.detect_ruptures(shuffled, **score), ""),
        ("rupture_summary", lambda: am.rupture_summary(data, **score), ""),
        ("session_alerts (srs)", lambda: am.session_alerts(data, "srs", score="srs_total"), ""),
        ("decompose", lambda: am.decompose(data, **score), "≤ 0.3 s"),
        ("decompose detrend=True", lambda: am.decompose(data, **score, detrend=True), ""),
        ("decompose, shuffled rows", lambda: am.decompose(shuffled, **score), ""),
        ("trajectory_features", lambda: am.trajectory_features(data, **score), "≤ 0.3 s"),
        (
            "dyad_agreement",
            lambda: am.dyad_agreement(
                data, client_score="wai_sr_total", therapist_score="wai_therapist"
            ),
            "",
        ),
    ]
    rows: list[tuple[str, str, str]] = []
    for label, call, target in cases:
        rows.append((f"{label}, {n}", median_text(timed(call, args.repeat)), target))

    small = alliance_sessions(args.growth_clients, seed=7)
    fit = am.growth_model(small, **score)
    times = timed(lambda: am.growth_model(small, **score), 1)
    label = f"growth_model ({fit.optimizer}, converged={fit.converged}), {len(small):,} rows"
    rows.append((label, median_text(times), ""))
    print(f"{args.clients:,} clients × 12 sessions, {len(data):,} rows; median of {args.repeat}")
    print_table(rows)


if __name__ == "__main__":
    main()
