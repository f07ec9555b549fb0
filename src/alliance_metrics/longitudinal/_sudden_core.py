"""Sudden-change criteria over client-by-client arrays (the core every front end shares).

Nothing here knows about pandas: the functions take the arrays of a
:class:`~alliance_metrics.longitudinal._series.Series` (client codes, group offsets, sessions,
scores) and return arrays, vectorised across all clients. Each client's scores are laid on a
grid of consecutive session numbers, from its first to its last session with a valid score,
with NaN where a session has no row or no valid score (the two are the same thing: a missing
session); one empty cell separates clients, so a window that runs off a client's grid reads NaN
and never another client's score.

Criterion 3's window statistics come from :mod:`._sudden_windows`: fast float64 statistics,
and R's own arithmetic for the intervals decided within a hair of the threshold, so that a flag
decided by the last bit agrees with R ``suddengains`` 0.7.2 wherever the platform's long double
is the x87 80-bit type that R uses (Linux and Windows on x86-64).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from alliance_metrics.errors import InputFormatError
from alliance_metrics.longitudinal._sudden_windows import (
    pooled_sd,
    r_run_statistics,
    run_statistics,
)

__all__ = [
    "Events",
    "Grid",
    "Intervals",
    "SuddenRule",
    "Tristate",
    "find_events",
    "lay_grid",
    "pattern_intervals",
    "test_intervals",
    "window_values",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
Direction = Literal["decrease", "increase"]
Compat = Literal["mirrored", "suddengains"]

_PAD = 3
"""Empty grid cells before the first client and after the last (one between clients suffices)."""
_WINDOW = np.arange(-3, 3, dtype=np.int64)
"""Offsets of x_{n-2} … x_{n+3} from the grid position of x_{n+1}."""
_SPARSE_FACTOR = 16
_SPARSE_FLOOR = 1_000_000
"""A grid over sixteen times more session numbers than scores (and a million) is refused: session
numbers that are dates or ids, not visits (one output row per session number)."""
_CLOSE = 1e-9
"""Relative distance from criterion 3's threshold below which R's arithmetic decides."""


class Tristate(NamedTuple):
    """A nullable boolean: ``value`` where ``known``, missing elsewhere."""

    value: BoolArray
    known: BoolArray


@dataclass(frozen=True)
class SuddenRule:
    """The resolved options of one sudden-change analysis (checked by the front end)."""

    direction: Direction
    cutoff: float | None
    pct: float | None
    stability: bool
    alpha: float
    adjust: bool
    critical_value: float
    compat: Compat


@dataclass(frozen=True)
class Grid:
    """Scores on consecutive sessions, client after client, with NaN gaps between clients."""

    values: FloatArray
    starts: IntArray  # grid position of each client's first session
    lengths: IntArray  # sessions from the first to the last valid score, inclusive (0: none)
    first: IntArray  # session number of each client's first valid score (0 when none)


@dataclass(frozen=True)
class Intervals:
    """One entry per tested interval n → n+1, in client then session order."""

    client: IntArray  # client code
    position: IntArray  # grid position of x_{n+1}
    pre_session: IntArray
    pre_value: FloatArray  # x_n
    post_value: FloatArray  # x_{n+1}
    n_pre: IntArray
    n_post: IntArray
    mean_pre: FloatArray
    mean_post: FloatArray
    pooled_sd: FloatArray
    t_crit: FloatArray
    crit_cutoff: Tristate
    crit_pct: Tristate
    crit_stability: Tristate
    sudden: Tristate


@dataclass(frozen=True)
class Events:
    """One entry per flagged interval."""

    index: IntArray  # position in the Intervals arrays
    magnitude: FloatArray
    reversal_value: FloatArray
    reversal: Tristate
    reversal_session: IntArray  # -1 where there is no reversal
    client_events: IntArray


def lay_grid(codes: IntArray, starts: IntArray, sessions: IntArray, scores: FloatArray) -> Grid:
    """Lay sorted client-by-client rows on a grid of consecutive sessions.

    Rows without a valid score are dropped first, so a missing session is the same whether
    its row is absent or present with an empty score.

    Examples
    --------
    >>> import numpy as np
    >>> g = lay_grid(np.array([0, 0, 0, 1]), np.array([0, 3, 4]), np.array([1, 3, 4, 5]),
    ...              np.array([4.0, 5.0, np.nan, 3.0]))
    >>> g.values[g.starts[0]:g.starts[0] + g.lengths[0]].tolist(), g.lengths.tolist()
    ([4.0, nan, 5.0], [3, 1])
    """
    n_clients = len(starts) - 1
    valid = ~np.isnan(scores)
    codes, sessions, scores = codes[valid], sessions[valid], scores[valid]
    count = np.bincount(codes, minlength=n_clients).astype(np.int64)
    has = count > 0
    valid_starts = np.concatenate(([0], np.cumsum(count))).astype(np.int64)
    first = np.zeros(n_clients, dtype=np.int64)
    last = np.zeros(n_clients, dtype=np.int64)
    first[has] = sessions[valid_starts[:-1][has]]
    last[has] = sessions[valid_starts[1:][has] - 1]
    lengths = np.where(has, last - first + 1, 0).astype(np.int64)
    cells = int(lengths.sum())
    if cells > max(_SPARSE_FACTOR * len(scores), _SPARSE_FLOOR):
        raise InputFormatError(
            "Sudden changes are tested session by session, on every session number from a "
            f"client's first to its last: these sessions span {cells:,} session numbers for "
            f"{len(scores):,} scores (more than {_SPARSE_FACTOR} per score), which would take "
            "memory and time in proportion. Number each client's sessions 1, 2, 3, … (by "
            "visit) and try again."
        )
    blocks = lengths + 1  # each client's sessions and one empty cell
    grid_starts = _PAD + np.concatenate(([0], np.cumsum(blocks)))[:-1].astype(np.int64)
    values = np.full(2 * _PAD + int(blocks.sum()), np.nan)
    values[grid_starts[codes] + sessions - first[codes]] = scores
    return Grid(values, grid_starts, lengths, first)


def _tested_positions(grid: Grid) -> tuple[IntArray, IntArray]:
    """Client code and grid position of x_{n+1} for n+1 from first+2 to last−1."""
    counts = np.maximum(grid.lengths - 3, 0)
    client = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    within = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(
        np.cumsum(counts) - counts, counts
    )
    return client, grid.starts[client] + 2 + within


def _t_critical(df: IntArray, usable: BoolArray, rule: SuddenRule) -> FloatArray:
    """Critical value per interval: |t_{α/2, df}| when adjusting, else the fixed value."""
    out = np.full(len(df), np.nan)
    if not rule.adjust:
        out[usable] = rule.critical_value
        return out
    from scipy import stats

    table = np.full(5, np.nan)  # df is 2, 3 or 4 (windows of three sessions)
    table[2:] = np.abs(stats.t.ppf(rule.alpha / 2.0, np.arange(2, 5)))
    out[usable] = table[df[usable]]
    return out


def _conjunction(parts: list[Tristate], size: int) -> Tristate:
    """Combine criteria: true when all are, missing when any is (R's ``NA * 0`` is ``NA``)."""
    value = np.ones(size, dtype=bool)
    known = np.ones(size, dtype=bool)
    for part in parts:
        value &= part.value
        known &= part.known
    return Tristate(value & known, known)


def test_intervals(grid: Grid, rule: SuddenRule) -> Intervals:
    """Evaluate the three criteria on every testable interval of every client.

    Examples
    --------
    >>> import numpy as np
    >>> scores = np.array([28.0, 19, 23, 11, 12, np.nan])
    >>> g = lay_grid(np.zeros(6, np.int64), np.array([0, 6]), np.arange(1, 7), scores)
    >>> rule = SuddenRule("decrease", 7.0, 0.25, True, 0.05, True, 2.776, "mirrored")
    >>> test_intervals(g, rule).sudden.value.tolist()  # 2→3 and 3→4 (session 6 has no score)
    [False, True]
    """
    client, position = _tested_positions(grid)
    x_n, x_n1 = grid.values[position - 1], grid.values[position]
    # The pre window of the interval at grid position p is the run starting at p − 3, its
    # post window the run starting at p: every run's statistics are computed once.
    count, mean, sd = run_statistics(grid.values)
    n_pre, mean_pre, sd_pre = count[position - 3], mean[position - 3], sd[position - 3]
    n_post, mean_post, sd_post = count[position], mean[position], sd[position]
    usable = (n_pre >= 2) & (n_post >= 2)
    pooled = pooled_sd(n_pre, sd_pre, n_post, sd_post)
    df = np.where(usable, n_pre + n_post - 2, 2)
    t_crit = _t_critical(df, usable, rule) if rule.stability else np.full(len(df), np.nan)
    decrease = rule.direction == "decrease"
    if rule.stability:  # decisions within a hair of the threshold: redo with R's arithmetic
        shift = mean_pre - mean_post if decrease else mean_post - mean_pre
        scale = np.abs(mean_pre) + np.abs(mean_post) + t_crit * pooled
        close = np.flatnonzero(usable & (np.abs(shift - t_crit * pooled) <= _CLOSE * scale))
        if len(close):
            windows = window_values(grid, position[close])
            n1, m1, s1 = r_run_statistics(windows[:, :3])
            n2, m2, s2 = r_run_statistics(windows[:, 3:])
            mean_pre[close], mean_post[close] = m1, m2
            pooled[close] = pooled_sd(n1, s1, n2, s2)

    both = ~np.isnan(x_n) & ~np.isnan(x_n1)
    size = len(position)
    off = Tristate(np.zeros(size, dtype=bool), np.zeros(size, dtype=bool))
    with np.errstate(invalid="ignore"):  # NaN comparisons are masked by `known`
        crit_cutoff, crit_pct, crit_stability = off, off, off
        if rule.cutoff is not None:
            change = x_n - x_n1 if decrease else x_n1 - x_n
            crit_cutoff = Tristate((change >= rule.cutoff) & both, both)
        if rule.pct is not None:
            if decrease:
                met = x_n - x_n1 >= rule.pct * x_n
            elif rule.compat == "suddengains":  # identify_sl's coding, kept for parity
                met = x_n - x_n1 <= rule.pct * x_n
            else:
                met = x_n1 - x_n >= rule.pct * x_n
            crit_pct = Tristate(met & both, both)
        if rule.stability:
            shift = mean_pre - mean_post if decrease else mean_post - mean_pre
            met = shift > t_crit * pooled
            crit_stability = Tristate(met & usable, usable)
    enabled = [
        part
        for part, on in (
            (crit_cutoff, rule.cutoff is not None),
            (crit_pct, rule.pct is not None),
            (crit_stability, rule.stability),
        )
        if on
    ]
    first = grid.first[client]
    pre_session = first + (position - grid.starts[client]) - 1
    return Intervals(
        client=client,
        position=position,
        pre_session=pre_session,
        pre_value=x_n,
        post_value=x_n1,
        n_pre=n_pre,
        n_post=n_post,
        mean_pre=mean_pre,
        mean_post=mean_post,
        pooled_sd=pooled,
        t_crit=t_crit,
        crit_cutoff=crit_cutoff,
        crit_pct=crit_pct,
        crit_stability=crit_stability,
        sudden=_conjunction(enabled, size),
    )


def window_values(grid: Grid, position: IntArray) -> FloatArray:
    """Scores x_{n-2} … x_{n+3} (m × 6) of the intervals whose x_{n+1} sits at ``position``.

    Examples
    --------
    >>> import numpy as np
    >>> g = lay_grid(np.zeros(4, np.int64), np.array([0, 4]), np.arange(1, 5),
    ...              np.array([1.0, 2.0, 3.0, 4.0]))
    >>> window_values(g, g.starts + 2).tolist()
    [[nan, 1.0, 2.0, 3.0, 4.0, nan]]
    """
    values: FloatArray = grid.values[position[:, None] + _WINDOW]
    return values


def find_events(
    grid: Grid, intervals: Intervals, direction: Direction, reversal_from: int
) -> Events:
    """Describe every flagged interval: magnitude, reversal value and reversal.

    The reversal scan reads the client's grid from session n + ``reversal_from`` to its last
    session; a score strictly beyond the reversal value (above it after a decrease, below it
    after an increase) is a reversal. Missing scores never count.

    Examples
    --------
    >>> import numpy as np
    >>> scores = np.array([28.0, 19, 23, 11, 12, 21])
    >>> g = lay_grid(np.zeros(6, np.int64), np.array([0, 6]), np.arange(1, 7), scores)
    >>> rule = SuddenRule("decrease", 7.0, None, False, 0.05, True, 2.776, "mirrored")
    >>> e = find_events(g, test_intervals(g, rule), "decrease", 2)
    >>> e.magnitude.tolist(), e.reversal_value.tolist(), e.reversal_session.tolist()
    ([12.0], [17.0], [6])
    """
    index = np.flatnonzero(intervals.sudden.value).astype(np.int64)
    x_n = intervals.pre_value[index]
    x_n1 = intervals.post_value[index]
    if direction == "decrease":
        magnitude = x_n - x_n1
        reversal_value = x_n1 + magnitude / 2
    else:
        magnitude = x_n1 - x_n
        reversal_value = x_n1 - magnitude / 2
    client = intervals.client[index]
    # Scan segment of each event: grid positions from x_{n+reversal_from} to the client's end.
    begin = intervals.position[index] + (reversal_from - 1)
    end = grid.starts[client] + grid.lengths[client]
    lengths = np.maximum(end - begin, 0)
    segment = np.repeat(np.arange(len(index), dtype=np.int64), lengths)
    offset = np.arange(int(lengths.sum()), dtype=np.int64) - np.repeat(
        np.cumsum(lengths) - lengths, lengths
    )
    scanned = grid.values[begin[segment] + offset]
    with np.errstate(invalid="ignore"):
        if direction == "decrease":
            beyond = scanned > reversal_value[segment]
        else:
            beyond = scanned < reversal_value[segment]
    hits = np.flatnonzero(beyond)
    found, first_hit = np.unique(segment[hits], return_index=True)
    reversal_session = np.full(len(index), -1, dtype=np.int64)
    hit_positions = begin[found] + offset[hits[first_hit]]
    reversal_session[found] = grid.first[client[found]] + hit_positions - grid.starts[client[found]]
    known = ~np.isnan(reversal_value)
    reversal = Tristate((reversal_session >= 0) & known, known)
    per_client = np.bincount(client, minlength=len(grid.starts)).astype(np.int64)
    return Events(index, magnitude, reversal_value, reversal, reversal_session, per_client[client])


def pattern_intervals(grid: Grid) -> tuple[IntArray, BoolArray]:
    """Client code and availability pattern of every tested interval.

    An interval n → n+1 fits when x_n and x_{n+1} are observed, with at least one of x_{n-2},
    x_{n-1} and at least one of x_{n+2}, x_{n+3}: suddengains' ``select_cases`` patterns
    ``. x x x x .``, ``. x x x . x``, ``x . x x x .`` and ``x . x x . x``, which are exactly the
    intervals where criteria 1 and 3 can both be evaluated.

    Examples
    --------
    >>> import numpy as np
    >>> scores = np.array([5.0, np.nan, 4, 3, np.nan, 4])
    >>> g = lay_grid(np.zeros(6, np.int64), np.array([0, 6]), np.arange(1, 7), scores)
    >>> pattern_intervals(g)[1].tolist()
    [False, True, False]
    """
    client, position = _tested_positions(grid)
    present = ~np.isnan(window_values(grid, position))
    fits = (
        present[:, 2]
        & present[:, 3]
        & (present[:, 0] | present[:, 1])
        & (present[:, 4] | present[:, 5])
    )
    return client, fits
