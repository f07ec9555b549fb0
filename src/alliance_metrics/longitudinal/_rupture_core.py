"""The rupture-and-repair rule over plain arrays (SESSION-SERIES §3; this project's design).

:func:`find_ruptures` takes the observed rows of every client (group offsets, sessions, scores)
and returns one entry per rupture, vectorised across clients. Only the rule "no new rupture
until the last one is repaired or its window has passed" is sequential; it loops over the rank
of a candidate within its client (at most the longest series), never over clients or rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from alliance_metrics.longitudinal._groups import group_mean_sd, offsets, positions

__all__ = ["PATTERNS", "TIE_TOLERANCE", "RuptureRule", "Ruptures", "find_ruptures", "unit_sd"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

TIE_TOLERANCE = 1e-9
"""Points by which a drop may fall short of its threshold (or a score of its baseline) and still
count as reaching it, so float noise in a mean never decides a tie; a threshold no larger than
this counts as zero (no rupture), so the rounding residue of a constant series' SD is not one."""

PATTERNS = ("V", "extended", "unrepaired", "censored")


@dataclass(frozen=True)
class RuptureRule:
    """The resolved options of one detection run (see ``detect_ruptures``)."""

    k: float | None
    sd_source: str
    threshold_points: float | None
    baseline: str
    baseline_k: int
    max_gap: int
    repair_window: int
    repair_tolerance: float
    min_sessions: int


@dataclass(frozen=True, eq=False)
class Ruptures:
    """One entry per rupture (positions refer to the observed rows given to the core).

    ``baseline_session`` is the nearest session the baseline uses (the previous valid one).
    ``repaired`` is 1 (repaired), 0 (unrepaired) or −1 (censored); ``repair_session`` is −1
    when there is no repair; ``pattern`` indexes :data:`PATTERNS`.
    """

    row: IntArray
    baseline_session: IntArray
    baseline_value: FloatArray
    drop: FloatArray
    threshold: FloatArray
    unit_sd: FloatArray
    repaired: IntArray
    repair_session: IntArray
    depth: FloatArray
    pattern: IntArray


def unit_sd(
    codes: IntArray, scores: FloatArray, n_clients: int, source: str, sample_sd: float
) -> FloatArray:
    """Return the SD unit of every observed row (``client``, ``client_loo``, ``sample``, ...).

    ``client_loo`` leaves the row's own score out (Welford's removal of one value); it is NaN
    when fewer than two other scores remain.
    """
    counts, mean, sd = group_mean_sd(scores, codes, n_clients)
    if source == "sample":
        return np.full(len(scores), sample_sd)
    if source == "stricter":
        return np.fmax(sd[codes], sample_sd)
    if source == "client":
        return sd[codes]
    n_rest = counts[codes] - 1
    mean_row = mean[codes]
    deviation = scores - mean_row
    squares = np.bincount(codes, weights=deviation**2, minlength=n_clients)[codes]
    result = np.full(len(scores), np.nan)
    ok = n_rest >= 2
    rest_mean = mean_row[ok] - deviation[ok] / n_rest[ok]
    rest_squares = squares[ok] - deviation[ok] * (scores[ok] - rest_mean)
    result[ok] = np.sqrt(np.maximum(rest_squares, 0.0) / (n_rest[ok] - 1))
    # The removal formula cancels: when the other scores are all equal their SD is exactly 0,
    # not a rounding residue (which would make a threshold of ~1e-8 points).
    result[_rest_is_constant(codes, scores, counts, n_clients) & ok] = 0.0
    return result


def _rest_is_constant(
    codes: IntArray, scores: FloatArray, counts: IntArray, n_clients: int
) -> BoolArray:
    """Whether the client's scores other than this row's are all equal (exact comparisons)."""
    low = np.full(n_clients, np.inf)
    high = np.full(n_clients, -np.inf)
    filled = counts > 0
    if filled.any():  # rows are grouped by client: reduce each non-empty group
        first = offsets(codes, n_clients)[:-1][filled]
        low[filled] = np.minimum.reduceat(scores, first)
        high[filled] = np.maximum.reduceat(scores, first)
    at_low = scores == low[codes]
    at_high = scores == high[codes]
    n_low = np.bincount(codes[at_low], minlength=n_clients)[codes]
    n_high = np.bincount(codes[at_high], minlength=n_clients)[codes]
    n = counts[codes]
    lone_low = at_low & (n_low == 1) & (n_high == n - 1)
    lone_high = at_high & (n_high == 1) & (n_low == n - 1)
    constant: BoolArray = (low[codes] == high[codes]) | lone_low | lone_high
    return constant


def _baselines(
    starts: IntArray, sessions: IntArray, scores: FloatArray, rule: RuptureRule
) -> FloatArray:
    """Baseline of every observed row (NaN for a first session or a gap over ``max_gap``)."""
    n = len(scores)
    pos = positions(starts)
    result = np.full(n, np.nan)
    later = np.flatnonzero(pos >= 1)
    usable = later[sessions[later] - sessions[later - 1] - 1 <= rule.max_gap]
    if rule.baseline == "previous":
        result[usable] = scores[usable - 1]
        return result
    depth = int(min(rule.baseline_k, pos.max(initial=0)))
    total = np.zeros(len(usable))
    count = np.zeros(len(usable))
    for back in range(1, depth + 1):  # a handful of offsets, each vectorised over all rows
        has = pos[usable] >= back
        total += np.where(has, scores[np.maximum(usable - back, 0)], 0.0)
        count += has
    result[usable] = total / count
    return result


def _repairs(
    candidates: IntArray,
    baseline: FloatArray,
    ends: IntArray,
    sessions: IntArray,
    scores: FloatArray,
    rule: RuptureRule,
) -> tuple[IntArray, IntArray, FloatArray, IntArray]:
    """Repair state, repair session, depth and offset of the repair of every candidate."""
    target = baseline[candidates] - rule.repair_tolerance - TIE_TOLERANCE
    found_at = np.zeros(len(candidates), dtype=np.int64)  # 0 = not (yet) repaired
    repair_session = np.full(len(candidates), -1, dtype=np.int64)
    depth = baseline[candidates] - scores[candidates]
    open_ = np.ones(len(candidates), dtype=bool)
    # Sessions are strictly increasing, so rows more than `repair_window` ahead are out of the
    # window: a loop over the few offsets, each vectorised over every candidate.
    for ahead in range(1, rule.repair_window + 1):
        later = candidates + ahead
        inside = open_ & (later < ends[candidates])
        inside[inside] = (
            sessions[later[inside]] - sessions[candidates[inside]] <= rule.repair_window
        )
        rows = later[inside]
        reached = scores[rows] >= target[inside]
        hit = np.flatnonzero(inside)[reached]
        found_at[hit] = ahead
        repair_session[hit] = sessions[rows[reached]]
        miss = np.flatnonzero(inside)[~reached]
        depth[miss] = np.maximum(depth[miss], baseline[candidates[miss]] - scores[rows[~reached]])
        open_[hit] = False
        open_[~inside] = False
    last_session = sessions[ends[candidates] - 1]
    window_seen = last_session - sessions[candidates] >= rule.repair_window
    repaired = np.where(found_at > 0, 1, np.where(window_seen, 0, -1)).astype(np.int64)
    return repaired, repair_session, depth, found_at


def _first_per_episode(
    codes: IntArray, sessions: IntArray, block_end: IntArray, n_clients: int
) -> BoolArray:
    """Which candidates open a rupture: none until the previous one's episode has ended.

    Sequential within a client, so this loops over a candidate's rank within its client (at most
    the longest series), each pass vectorised across clients.
    """
    n = len(codes)
    accepted = np.zeros(n, dtype=bool)
    if n == 0:
        return accepted
    first = np.r_[True, codes[1:] != codes[:-1]]
    rank = np.arange(n) - np.maximum.accumulate(np.where(first, np.arange(n), 0))
    order = np.argsort(rank, kind="stable")
    bounds = np.searchsorted(rank[order], np.arange(int(rank.max()) + 2))
    blocked_until = np.full(n_clients, np.iinfo(np.int64).min, dtype=np.int64)
    for r in range(len(bounds) - 1):
        take = order[bounds[r] : bounds[r + 1]]
        opens = take[sessions[take] > blocked_until[codes[take]]]
        accepted[opens] = True
        blocked_until[codes[opens]] = block_end[opens]
    return accepted


def find_ruptures(
    codes: IntArray,
    starts: IntArray,
    sessions: IntArray,
    scores: FloatArray,
    rule: RuptureRule,
    sample_sd: float,
) -> Ruptures:
    """Apply the rupture rule to every client's observed scores.

    Parameters
    ----------
    codes, starts, sessions, scores
        Observed rows only (finite scores), client by client, sessions ascending.
    rule
        The resolved options.
    sample_sd
        The SD of the ``sample`` and ``stricter`` units (ignored by the others).

    Examples
    --------
    >>> rule = RuptureRule(2.0, "client", None, "previous", 3, 1, 3, 0.0, 4)
    >>> y = np.array([45, 47, 48, 36, 37, 47, 48, 49], dtype=float)
    >>> found = find_ruptures(np.zeros(8, dtype=np.int64), np.array([0, 8]),
    ...                       np.arange(1, 9), y, rule, float("nan"))
    >>> found.row.tolist(), found.repair_session.tolist(), PATTERNS[found.pattern[0]]
    ([3], [7], 'extended')
    """
    n_clients = len(starts) - 1
    counts = np.diff(starts)
    if rule.threshold_points is not None:
        unit = np.full(len(scores), np.nan)
        threshold = np.full(len(scores), rule.threshold_points)
    else:
        unit = unit_sd(codes, scores, n_clients, rule.sd_source, sample_sd)
        threshold = float(rule.k or 0.0) * unit
    baseline = _baselines(starts, sessions, scores, rule)
    drop = baseline - scores
    with np.errstate(invalid="ignore"):  # NaN baselines and units are simply not ruptures
        candidate = (counts[codes] >= rule.min_sessions) & (threshold > TIE_TOLERANCE)
        candidate &= drop >= threshold - TIE_TOLERANCE
    candidates = np.flatnonzero(candidate).astype(np.int64)
    ends = starts[1:][codes]
    repaired, repair_session, depth, found_at = _repairs(
        candidates, baseline, ends, sessions, scores, rule
    )
    block_end = np.where(repaired == 1, repair_session, sessions[candidates] + rule.repair_window)
    keep = _first_per_episode(codes[candidates], sessions[candidates], block_end, n_clients)
    pattern = np.select([found_at == 1, found_at > 1, repaired == 0], [0, 1, 2], default=3).astype(
        np.int64
    )
    rows = candidates[keep]
    return Ruptures(
        row=rows,
        baseline_session=sessions[rows - 1],
        baseline_value=baseline[rows],
        drop=drop[rows],
        threshold=threshold[rows],
        unit_sd=unit[rows],
        repaired=repaired[keep],
        repair_session=repair_session[keep],
        depth=depth[keep],
        pattern=pattern[keep],
    )
