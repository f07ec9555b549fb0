"""Generate the seeded synthetic session series behind the R golden files in this folder.

Run from the repository root (numpy only; writes next to this file)::

    .venv/bin/python tests/golden/series/make_series.py

Files written (long format, one row per administration, sorted by client then session;
a missing score is written as ``NA``; an absent session has no row at all):

series_long.csv   ``client_id,session,score`` for the sudden-change goldens
                  (reference_suddengains.R). WAI-SR-like sum scores 12-60, integers or one
                  decimal. Client groups, by the prefix of ``client_id``:
                  ``ref_`` the reference vectors of SESSION-SERIES.md (sections 1 and 3);
                  ``r`` random clients (8-14 sessions, planted sudden losses and gains,
                  V-shaped dips and peaks, ~7 % missing sessions, half NA rows, half absent);
                  ``k`` knife-edge windows near the criterion-3 boundary (pass and fail);
                  ``t`` exact ties of criterion 1 and criterion 2 (integers and decimals);
                  ``v`` reversal-scan cases (bounce back at n+2 only, ties, bridging a gap);
                  ``e`` edge layouts (late start, leading/trailing NA rows, long gaps,
                  zero variance); ``f`` too few sessions for any tested interval.
growth_long.csv   ``client_id,session,score`` for the growth-model goldens (reference_lme4.R):
                  150 clients, 6-12 sessions, random intercepts and slopes, ~8 % missing
                  sessions (half NA rows, half absent), one decimal.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent
SEED = 20250310
LO, HI = 12.0, 60.0

Series = dict[int, float]  # session -> score (NaN = row present without a score)


def nan() -> float:
    return float("nan")


def from_values(values: list[float | None], start: int = 1) -> Series:
    """Consecutive sessions from ``start``; ``None`` becomes an NA row."""
    return {start + i: (nan() if v is None else float(v)) for i, v in enumerate(values)}


def reference_clients() -> dict[str, Series]:
    """The reference vectors of SESSION-SERIES.md, one client each, sessions 1..n."""
    na = None
    vectors: dict[str, list[float | None]] = {
        # section 1, decrease (identify_sg), c = 7, p = .25
        "ref_dec_knife_noflag": [28, 19, 23, 12, 13, na],
        "ref_dec_flag": [28, 19, 23, 11, 12, na],
        "ref_dec_na": [28, 19, na, 12, 13, na],
        "ref_dec_100": [35, 37, 23, 23, 24, 21],
        "ref_dec_010": [35, 37, 34, 24, 24, 21],
        "ref_dec_001": [35, 37, 34, 34, 24, 21],
        "ref_dec_000": [35, 37, 34, 37, 37, 37],
        # section 1, increase (identify_sl), c = 7, suddengains' default p = .25
        "ref_inc_010": [10, 11, 12, 30, 28, 33],
        "ref_inc_001": [10, 11, 12, 10, 28, 33],
        "ref_inc_100": [10, 11, 30, 30, 28, 33],
        "ref_inc_000": [35, 37, 34, 23, 24, 21],
        # section 1, V-shaped dip repaired within two sessions, c = 6
        "ref_v_dip": [45, 47, 48, 36, 37, 47, 48, 49],
        # section 3 (rupture examples; carried along; the first one is ref_v_dip)
        "ref_rupture_unrepaired": [50, 51, 50, 40, 41, 40, 42, 41],
        "ref_rupture_censored": [50, 50, 51, 52, 51, 42],
    }
    clients = {k: from_values(v) for k, v in vectors.items()}
    clients["ref_rupture_gap"] = {
        s: float(v) for s, v in zip([1, 2, 4, 5, 6, 7], [48, 49, 38, 47, 48, 48], strict=True)
    }
    return clients


def finish(y: np.ndarray, decimals: int) -> np.ndarray:
    """Clip to the WAI-SR sum range and round to integers or one decimal."""
    return np.round(np.clip(y, LO, HI), decimals)


def random_clients(rng: np.random.Generator, n: int) -> dict[str, Series]:
    """Trajectories with planted sudden losses/gains, V dips/peaks and missing sessions."""
    sizes = np.array([3, 4, 5, 6, 6.5, 7, 7.5, 8, 9, 10, 12, 15])
    kinds = ["loss_step", "gain_step", "v_dip", "v_peak", "v_dip2"]
    clients: dict[str, Series] = {}
    for i in range(n):
        k = int(rng.integers(8, 15))
        start = 1 if rng.random() < 0.85 else int(rng.integers(2, 4))
        sessions = np.arange(start, start + k)
        decimals = 0 if rng.random() < 0.5 else 1
        base = np.clip(rng.normal(42, 7), 22, 54)
        slope = rng.normal(0.4, 0.4)
        noise = rng.uniform(0.8, 3.0)
        y = base + slope * (sessions - start) + rng.normal(0, noise, k)
        for _ in range(int(rng.choice([0, 1, 1, 2, 3]))):
            kind = kinds[int(rng.integers(len(kinds)))]
            m = int(rng.integers(2, k - 1))  # position of the session after the jump
            d = float(rng.choice(sizes))
            if kind == "loss_step":
                y[m:] -= d
            elif kind == "gain_step":
                y[m:] += d
            elif kind == "v_dip":
                y[m] -= d
            elif kind == "v_peak":
                y[m] += d
            else:  # dip repaired over two sessions
                y[m] -= d
                if m + 1 < k:
                    y[m + 1] -= d / 2
        y = finish(y, decimals)
        series: Series = {}
        for s, v in zip(sessions, y, strict=True):
            u = rng.random()
            if u < 0.035:
                continue  # absent session: no row
            series[int(s)] = nan() if u < 0.07 else float(v)
        clients[f"r{i + 1:03d}"] = series
    return clients


def knife_edge_windows(rng: np.random.Generator) -> list[tuple[np.ndarray, str]]:
    """Six-value windows x_{n-2}..x_{n+3} whose criterion-3 margin is tiny.

    Criterion 1 (>= 7 points) holds at n -> n+1, so the flag is decided by criterion 3.
    Returns (window, direction) pairs; a window may contain one NaN (df 3).
    """
    out: list[tuple[np.ndarray, str]] = []
    targets = [
        # (decimals, missing position or None, ratio low, ratio high, how many)
        (0, None, 2.70, 2.776, 3),  # just fails at df 4
        (0, None, 2.7765, 2.86, 3),  # just passes at df 4
        (1, None, 2.7760, 2.7764451, 2),  # passes with fixed 2.776, fails adjusted
        (1, None, 2.7764452, 2.7775, 2),  # passes both, barely
        (1, None, 4.55, 4.604, 1),  # fails at alpha .01 (4.604), passes .05
        (1, None, 4.6042, 4.66, 1),  # passes at alpha .01, barely
        (1, 0, 3.15, 3.1824, 2),  # df 3 (x_{n-2} missing), just fails
        (1, 5, 3.18245, 3.22, 2),  # df 3 (x_{n+3} missing), just passes
        (1, 4, 2.776, 3.1824, 1),  # df 3 (x_{n+2} missing): passes fixed, fails adjusted
    ]
    for direction in ("decrease", "increase"):
        for decimals, miss, lo, hi, count in targets:
            found = 0
            while found < count:
                n = 200_000
                level = rng.uniform(30, 50, n)[:, None]
                jump = rng.uniform(7, 16, n)[:, None]
                w = level + rng.uniform(-4, 4, (n, 6))
                sign = -1.0 if direction == "decrease" else 1.0
                w[:, 3:] += sign * jump
                w = np.round(w, decimals)
                if miss is not None:
                    w[:, miss] = np.nan
                pre, post = w[:, :3], w[:, 3:]
                n1 = np.sum(~np.isnan(pre), axis=1)
                n2 = np.sum(~np.isnan(post), axis=1)
                v1 = np.nanvar(pre, axis=1, ddof=1)
                v2 = np.nanvar(post, axis=1, ddof=1)
                sp = np.sqrt(((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2))
                diff = sign * (np.nanmean(post, axis=1) - np.nanmean(pre, axis=1))
                step = sign * (w[:, 3] - w[:, 2])
                with np.errstate(divide="ignore", invalid="ignore"):
                    ratio = diff / sp
                ok = (step >= 7.5) & (ratio > lo) & (ratio < hi) & (sp > 0)
                ok &= np.all((w >= LO) | np.isnan(w), axis=1) & np.all(
                    (w <= HI) | np.isnan(w), axis=1
                )
                for row in np.flatnonzero(ok)[: count - found]:
                    out.append((w[row].copy(), direction))
                    found += 1
    return out


def knife_edge_clients(rng: np.random.Generator) -> dict[str, Series]:
    """Embed each knife-edge window between 0-2 random sessions on either side."""
    clients: dict[str, Series] = {}
    for i, (w, direction) in enumerate(knife_edge_windows(rng)):
        decimals = 0 if np.all(np.isnan(w) | (w == np.round(w))) else 1
        lead = int(rng.integers(0, 3))
        tail = int(rng.integers(0, 3))
        first = np.nanmean(w[:3]) + rng.normal(0, 1.5, lead)
        last = np.nanmean(w[3:]) + rng.normal(0, 1.5, tail)
        values = np.concatenate([finish(first, decimals), w, finish(last, decimals)])
        tag = "dec" if direction == "decrease" else "inc"
        clients[f"k{i + 1:02d}_{tag}"] = {
            s + 1: float(v) for s, v in enumerate(values)
        }  # NaN stays an NA row
    return clients


def tie_clients() -> dict[str, Series]:
    """Exact ties of criterion 1 (drop == c) and criterion 2 (drop == p * x_n).

    Decimal pairs are chosen so that the float difference lands below, on and above c
    (e.g. 33.3 - 26.3 is not exactly 7.0 in binary floating point).
    """
    pairs_dec: list[tuple[float, float]] = []
    for c in (7.0, 6.0):
        below = on = above = None
        for tenths in range(300, 520):
            a = tenths / 10
            b = (tenths - int(c * 10)) / 10
            d = a - b
            if d < c and below is None:
                below = (a, b)
            elif d == c and on is None and tenths % 10:
                on = (a, b)
            elif d > c and above is None:
                above = (a, b)
        pairs_dec += [p for p in (below, on, above) if p is not None]
    clients: dict[str, Series] = {}
    steps: list[tuple[float, float]] = [(44, 37), (44, 38), (40, 33), (41, 35), *pairs_dec]
    for j, (a, b) in enumerate(steps):
        # decrease step a -> b with a flat, low-variance plateau on both sides
        clients[f"t{j + 1:02d}_c1_dec"] = from_values([a + 1, a, a + 0.5, a, b, b - 0.5, b, b + 1])
        clients[f"t{j + 1:02d}_c1_inc"] = from_values([b - 1, b, b - 0.5, b, a, a + 0.5, a, a - 1])
    # criterion 2 ties: drop == .25 x_n (decrease), rise == .25 x_n (mirrored increase)
    for j, (a, b) in enumerate([(48, 36), (44, 33), (52, 39), (42.8, 32.1), (50.4, 37.8)]):
        clients[f"t{j + 1:02d}_c2_dec"] = from_values([a, a + 1, a, b, b + 1, b, b])
    for j, (a, b) in enumerate([(36, 45), (40, 50), (44, 55), (32.4, 40.5), (30.8, 38.5)]):
        clients[f"t{j + 1:02d}_c2_inc"] = from_values([a, a - 1, a, b, b - 1, b, b])
    return clients


def reversal_clients() -> dict[str, Series]:
    """Reversal scan: back beyond the reversal value at n+2 only, ties, after a gap."""
    na = None
    vectors: dict[str, list[float | None]] = {
        # loss 50 -> 38 (magnitude 12, reversal value 44): 45 at n+2 only
        "v01_dec_n2_only": [50, 51, 50, 38, 45, 38, 40, 41],
        # same, value at n+2 equals the reversal value (strict comparison)
        "v02_dec_n2_tie": [50, 51, 50, 38, 44, 38, 40, 41],
        # back above 44 at n+4 after a missing session
        "v03_dec_after_gap": [50, 51, 50, 38, 39, 37, na, 46],
        # never back
        "v04_dec_never": [50, 51, 50, 38, 39, 37, 40, 41],
        # mirrored increase: 30 -> 42 (reversal value 36), 35 at n+2 only
        "v05_inc_n2_only": [30, 29, 30, 42, 35, 42, 40, 41],
        "v06_inc_n2_tie": [30, 29, 30, 42, 36, 42, 40, 41],
        "v07_inc_after_gap": [30, 29, 30, 42, 41, 43, na, 34],
        # two losses in one client
        "v08_dec_two_events": [56, 57, 56, 47, 46, 47, 46, 37, 36, 37, 38],
    }
    clients = {k: from_values(v) for k, v in vectors.items()}
    # a gap of one absent session inside the post window
    clients["v09_dec_absent_in_window"] = {
        s: float(v)
        for s, v in zip([1, 2, 3, 4, 6, 7, 8], [50, 51, 50, 38, 39, 47, 48], strict=True)
    }
    return clients


def edge_clients() -> dict[str, Series]:
    """Layouts that decide which intervals are tested."""
    na = None
    clients = {
        "e01_leading_na_rows": from_values([na, na, 40, 41, 40, 30, 31, 30, 31, 32]),
        "e02_trailing_na_rows": from_values([40, 41, 40, 30, 31, 30, 31, na, na]),
        "e03_constant": from_values([50] * 10),
        "e04_step_zero_var_dec": from_values([50, 50, 50, 40, 40, 40]),
        "e05_step_zero_var_inc": from_values([40, 40, 40, 50, 50, 50]),
        "e06_late_start": from_values([44, 45, 44, 35, 36, 35, 36, 37], start=4),
        "e07_big_drop_inc_compat": from_values([30, 31, 30, 40, 41, 40, 20, 21, 20]),
        "e08_floor_ceiling": from_values([60, 60, 60, 12, 12, 12, 60, 60, 60]),
        "e09_alternating_na": from_values([40, na, 41, na, 30, na, 31, na, 30]),
    }
    clients["e10_long_gap"] = {
        s: float(v)
        for s, v in zip(
            [1, 2, 3, 4, 8, 9, 10, 11, 12], [45, 46, 45, 44, 33, 34, 33, 34, 35], strict=True
        )
    }
    # first observed at session 3 with sessions 1-2 absent, then a loss at 4 -> 5
    clients["e11_starts_at_3"] = {
        s: float(v) for s, v in zip(range(3, 11), [48, 47, 48, 38, 37, 38, 39, 38], strict=True)
    }
    return clients


def few_session_clients() -> dict[str, Series]:
    """Series with no (or only untestable) intervals."""
    na = None
    return {
        "f01_one_row": from_values([40]),
        "f02_two_sessions": from_values([40, 30]),
        "f03_three_sessions": from_values([40, 41, 30]),
        "f04_three_spread": {1: 40.0, 3: 30.0, 5: 31.0},
        "f05_all_na": from_values([na, na, na]),
        "f06_four_sessions": from_values([44, 45, 33, 34]),
        "f07_five_with_na": from_values([44, na, 45, 33, na]),
        "f08_two_valid_then_na": from_values([40, 30, na, na, na, na, na, na]),
        "f09_single_na_row": from_values([na]),
        "f10_four_valid_span_4": from_values([40, 41, 31, 30]),
    }


def growth_clients(rng: np.random.Generator, n: int) -> dict[str, Series]:
    """Random intercept + slope trajectories for the lme4 goldens."""
    sd0, sd1, rho = 4.5, 0.5, -0.3
    cov = np.array([[sd0**2, rho * sd0 * sd1], [rho * sd0 * sd1, sd1**2]])
    u = rng.multivariate_normal([0.0, 0.0], cov, n)
    clients: dict[str, Series] = {}
    for i in range(n):
        k = int(rng.integers(6, 13))
        sessions = np.arange(1, k + 1)
        y = 38 + u[i, 0] + (0.6 + u[i, 1]) * (sessions - 1) + rng.normal(0, 2.5, k)
        y = np.round(np.clip(y, LO, HI), 1)
        series: Series = {}
        for s, v in zip(sessions, y, strict=True):
            r = rng.random()
            if r < 0.04:
                continue
            series[int(s)] = nan() if r < 0.08 else float(v)
        clients[f"g{i + 1:03d}"] = series
    return clients


def write(path: Path, clients: dict[str, Series]) -> int:
    lines = ["client_id,session,score"]
    for cid in sorted(clients):
        for s in sorted(clients[cid]):
            v = clients[cid][s]
            lines.append(f"{cid},{s},{'NA' if np.isnan(v) else f'{v:.1f}'}")
    path.write_text("\n".join(lines) + "\n")
    return len(lines) - 1


def main() -> None:
    rng = np.random.default_rng(SEED)
    clients: dict[str, Series] = {}
    for part in (
        reference_clients(),
        random_clients(rng, 240),
        knife_edge_clients(rng),
        tie_clients(),
        reversal_clients(),
        edge_clients(),
        few_session_clients(),
    ):
        clients.update(part)
    n_rows = write(OUT / "series_long.csv", clients)
    n_growth = write(OUT / "growth_long.csv", growth_clients(rng, 150))
    print(
        f"series_long.csv: {len(clients)} clients, {n_rows} rows; growth_long.csv: {n_growth} rows"
    )


if __name__ == "__main__":
    main()
