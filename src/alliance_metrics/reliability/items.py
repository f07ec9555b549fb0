"""Which items and rows a reliability statistic can use, and how plain item matrices are keyed.

* :func:`item_matrix`: the rows × items float64 matrix of a plain input, and its item labels.
* :func:`check_keys`, :func:`check_bounds_arg`, :func:`key_items`: the ``keys=`` and ``bounds=``
  arguments; an item is reversed as ``min + max − x`` with the **declared** bounds, never the
  data's range, and a value outside declared bounds is refused.
* :func:`screen_items`: the rules of R ``psych::alpha`` for items without variance (left out),
  and ours for too few rows (the statistic is NaN): at least :data:`MIN_ROWS` rows with answers,
  and every pair of items answered together in at least :data:`MIN_ROWS` rows.
* :func:`unit_scale`: an exact power-of-two rescaling, so that the moments of huge or tiny
  numbers neither overflow nor underflow (every statistic is unchanged by it).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliance_metrics._params import bad_parameter
from alliance_metrics.errors import (
    InvalidParameterError,
    ResponseValidationError,
    warn_user,
)
from alliance_metrics.factor import correlation_sum_vanishes, pair_counts
from alliance_metrics.results import ValidationReport
from alliance_metrics.schemas import ResponseScale
from alliance_metrics.schemas.responses import MAX_BOUND
from alliance_metrics.validation.report import failure_table
from alliance_metrics.validation.rules import check_bounds

__all__ = [
    "MIN_ROWS",
    "NAN_POLICIES",
    "Bounds",
    "Keys",
    "NanPolicy",
    "Screen",
    "check_bounds_arg",
    "check_keys",
    "correlation_problem",
    "item_matrix",
    "key_items",
    "nan_note",
    "no_variance",
    "screen_items",
    "screen_notes",
    "too_few_items",
    "unit_scale",
    "used_rows",
    "warn_notes",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]
NanPolicy = Literal["pairwise", "listwise"]
NAN_POLICIES: tuple[NanPolicy, ...] = ("pairwise", "listwise")
Keys = Sequence[int] | Mapping[Hashable, int] | None
"""One sign (1 or −1) per item in column order, or a mapping ``{item column: −1}``."""
Bounds = tuple[float, float] | None
"""The declared ``(min, max)`` of the response scale."""
MIN_ROWS: Final = 3
"""Fewest rows (and rows shared by each pair of items) a statistic is computed from."""
_NEEDED = f"(at least {MIN_ROWS} are needed)"
_KEYS_MUST = (
    "be one sign (1 or -1) per item in column order, such as [1, -1, 1], or a mapping "
    "{item column: -1} of the items to reverse"
)


def item_matrix(items: object, func: str, min_items: int) -> tuple[FloatArray, list[Hashable]]:
    """Convert ``items`` (rows × items, NaN = missing) to float64; labels are the columns.

    A non-DataFrame's items are labelled by position (0, 1, …), as ``pd.DataFrame(items)``.
    """
    try:
        if isinstance(items, pd.DataFrame):
            values = items.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            values = np.array(items, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise InvalidParameterError(
            f"The 'items' parameter of {func} must be a 2-D array or DataFrame of numbers "
            "(rows × items, NaN for missing). Got values that are not numbers instead."
        ) from None
    if values.ndim != 2 or values.shape[1] < min_items:
        raise InvalidParameterError(
            f"The 'items' parameter of {func} must be a 2-D array (rows × items) with at least "
            f"{min_items} items. Got shape {values.shape} instead."
        )
    if np.isinf(values).any():
        raise InvalidParameterError(
            f"The 'items' parameter of {func} must hold finite numbers or NaN. Got infinity."
        )
    labels: list[Hashable] = (
        list(items.columns) if isinstance(items, pd.DataFrame) else list(range(values.shape[1]))
    )
    return values, labels


def used_rows(values: FloatArray, policy: NanPolicy) -> FloatArray:
    """Return the rows a statistic uses: all (pairwise) or the complete ones (listwise)."""
    return values[~np.isnan(values).any(axis=1)] if policy == "listwise" else values


def _sign(value: object) -> int | None:
    """1 or −1 for a real number equal to one of them (never a bool); else None."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        return None
    return 1 if value == 1 else -1 if value == -1 else None


def check_keys(keys: object, labels: Sequence[Hashable], func: str) -> BoolArray:
    """Resolve ``keys`` to a mask of the items to reverse (``None``: none)."""
    reverse = np.zeros(len(labels), dtype=bool)
    if keys is None:
        return reverse
    if isinstance(keys, Mapping):
        position = {label: j for j, label in enumerate(labels)}
        for item, sign in keys.items():
            value = _sign(sign)
            if value is None or item not in position:
                raise bad_parameter("keys", func, _KEYS_MUST + " (names as the columns)", keys)
            reverse[position[item]] = value < 0
        return reverse
    if isinstance(keys, str | bytes | pd.DataFrame) or not isinstance(keys, Iterable):
        raise bad_parameter("keys", func, _KEYS_MUST, keys)
    signs = [_sign(value) for value in keys]
    if len(signs) != len(labels) or None in signs:
        raise bad_parameter("keys", func, f"{_KEYS_MUST}; {len(labels)} signs here", keys)
    return np.array([s == -1 for s in signs], dtype=bool)


def check_bounds_arg(bounds: object, func: str, *, needed: bool) -> tuple[float, float] | None:
    """Check ``bounds``: ``(min, max)``, two finite numbers, min < max (needed to reverse)."""
    if bounds is None:
        if needed:
            raise bad_parameter(
                "bounds",
                func,
                "be the (min, max) of the response scale when keys reverse an item (reversed "
                "as min + max - x with the declared bounds, never the data's range)",
                bounds,
            )
        return None
    must = "be (min, max), two numbers within ±1e6 with min < max, such as (1, 7)"
    if isinstance(bounds, str | bytes | Mapping) or not isinstance(bounds, Collection):
        raise bad_parameter("bounds", func, must, bounds)
    pair = list(bounds)
    if len(pair) != 2 or not all(
        isinstance(v, numbers.Real)
        and not isinstance(v, bool | np.bool_)
        and math.isfinite(v)
        and abs(float(v)) <= MAX_BOUND
        for v in pair
    ):
        raise bad_parameter("bounds", func, must, bounds)
    low, high = float(pair[0]), float(pair[1])
    if not low < high:
        raise bad_parameter("bounds", func, must, bounds)
    return low, high


def key_items(
    values: FloatArray,
    labels: Sequence[Hashable],
    reverse: BoolArray,
    bounds: tuple[float, float] | None,
    func: str,
) -> FloatArray:
    """Refuse values outside declared bounds, then reverse ``reverse`` as min + max − x.

    Raises
    ------
    ResponseValidationError
        Naming every cell outside the bounds by row and column (values stay in the report).
    """
    if bounds is None:
        return values
    scale = ResponseScale(min=bounds[0], max=bounds[1], step=None)
    codes = check_bounds(values, scale, skip_step=True)
    if codes.any():
        cases = failure_table(codes, list(labels), scale, lambda j, rows: values[rows, j].tolist())
        report = ValidationReport(n_rows=len(values), failure_cases=cases)
        raise ResponseValidationError(f"{func}: {report.summary()}", report)
    if not reverse.any():
        return values
    keyed = values.copy()
    keyed[:, reverse] = (bounds[0] + bounds[1]) - values[:, reverse]
    return keyed


def unit_scale(values: FloatArray) -> tuple[FloatArray, int]:
    """Return ``values · 2^−e`` with the largest magnitude in [0.5, 1), and ``e``.

    Scaling by a power of two is exact, so alpha, omega and correlations are unchanged, while
    sums of squares of numbers near 1e300 (or 1e−300) no longer overflow (underflow).
    """
    peak = float(np.fmax.reduce(np.abs(values).ravel(), initial=0.0))
    if peak == 0.0:
        return values, 0
    exponent = math.frexp(peak)[1]
    return np.ldexp(values, -exponent), exponent


def no_variance(values: FloatArray) -> BoolArray:
    """Items with fewer than two answers or the same answer in every row (``sd`` 0 or NA)."""
    answered = (~np.isnan(values)).sum(axis=0)
    high = np.fmax.reduce(values, axis=0, initial=-np.inf)
    low = np.fmin.reduce(values, axis=0, initial=np.inf)
    result: BoolArray = (answered < 2) | (high == low)
    return result


@dataclass(frozen=True)
class Screen:
    """The outcome of :func:`screen_items`.

    Attributes
    ----------
    kept, dropped
        Positions (in the given columns) of the items used and of those left out.
    problem
        Why the statistic is NaN, or None when it can be computed.
    """

    kept: IntArray
    dropped: IntArray
    problem: str | None = None


def screen_items(
    values: FloatArray,
    shown: Sequence[str],
    policy: NanPolicy,
    min_items: int,
    pairs: FloatArray | None = None,
) -> Screen:
    """Apply psych's item rule and our row rule to ``values`` (the rows used, all items).

    Items without variance are left out (``psych::alpha`` deletes them with a warning). The
    statistic is NaN, with a reason, when fewer than :data:`MIN_ROWS` rows have an answer
    (complete rows for listwise), when fewer than ``min_items`` items are left, or when two
    items are answered together in fewer than :data:`MIN_ROWS` rows (``pairs``: the
    :func:`~alliance_metrics.factor.pair_counts` of ``values``, when known). A scale given
    fewer than ``min_items`` items is no problem: its statistic is simply undefined.
    """
    k = values.shape[1]
    everything, nothing = np.arange(k), np.zeros(0, dtype=np.intp)
    if k < min_items:
        return Screen(everything, nothing)
    answered_rows = int((~np.isnan(values)).any(axis=1).sum())
    if answered_rows < MIN_ROWS:
        rows = "complete rows" if policy == "listwise" else "rows with answers"
        rows = rows[:-1] if answered_rows == 1 and policy == "listwise" else rows
        return Screen(everything, nothing, f"only {answered_rows} {rows} {_NEEDED}")
    flat = no_variance(values)
    kept, dropped = np.flatnonzero(~flat), np.flatnonzero(flat)
    if len(kept) < min_items:
        left = f"{len(kept)} item{'' if len(kept) == 1 else 's'}"
        return Screen(
            kept, dropped, f"only {left} with variance left (at least {min_items} are needed)"
        )
    if policy == "listwise":  # every pair shares the complete rows
        return Screen(kept, dropped)
    shared = pair_counts(values[:, kept]) if pairs is None else pairs[np.ix_(kept, kept)]
    i, j = np.unravel_index(int(np.argmin(shared)), shared.shape)
    if shared[i, j] < MIN_ROWS:
        which = (
            f"item {shown[kept[i]]} is answered"
            if i == j
            else f"items {shown[kept[i]]} and {shown[kept[j]]} are answered together"
        )
        count = int(shared[i, j])
        rows = f"{count} row{'' if count == 1 else 's'}"
        return Screen(kept, dropped, f"{which} in only {rows} {_NEEDED}")
    return Screen(kept, dropped)


def too_few_items(screen: Screen, k: int, min_items: int) -> str | None:
    """Say why a statistic needing ``min_items`` lacks items after ``screen`` (or None)."""
    if screen.problem is not None or k < min_items or len(screen.kept) >= min_items:
        return None
    left = f"{len(screen.kept)} item{'' if len(screen.kept) == 1 else 's'}"
    return f"only {left} with variance left (at least {min_items} are needed)"


def correlation_problem(cor: FloatArray, shown: Sequence[str]) -> str | None:
    """Say why omega cannot use the correlation matrix ``cor`` of the kept items (or None)."""
    undefined = np.argwhere(np.isnan(cor))
    if len(undefined):
        i, j = undefined[0]
        return (
            f"the correlation of items {shown[i]} and {shown[j]} is undefined (one of them has "
            "the same answer in every row where both are answered)"
        )
    if not np.isfinite(cor).all():  # answers near ±1.8e308 overflow their products
        return "the item correlations overflow (answers too large for float64 products)"
    if cor.shape[0] >= 3 and correlation_sum_vanishes(cor):
        return "the item correlations sum to zero"
    return None


def screen_notes(
    screen: Screen, shown: Sequence[str], statistic: str, problem: str | None = None
) -> list[str]:
    """List what a warning says about ``screen`` (empty when there is nothing to say).

    ``problem`` is a reason found later (e.g. by :func:`correlation_problem`), when the screen
    itself found none.
    """
    notes = []
    if len(screen.dropped):
        names = ", ".join(shown[j] for j in screen.dropped)
        one = len(screen.dropped) == 1
        notes.append(
            f"item{'' if one else 's'} {names} {'has' if one else 'have'} no variance (no "
            "answers, one answer, or the same answer in every row used) and "
            f"{'was' if one else 'were'} left out, as psych::alpha does"
        )
    reason = screen.problem if screen.problem is not None else problem
    if reason is not None:
        notes.append(nan_note(reason, statistic))
    return notes


def nan_note(reason: str, statistic: str) -> str:
    """``"<reason>, so <statistic> is NaN"`` (``are`` for several statistics)."""
    return f"{reason}, so {statistic} {'are' if ' and ' in statistic else 'is'} NaN"


def warn_notes(func: str, notes: Sequence[str]) -> None:
    """Issue one :class:`~alliance_metrics.AllianceMetricsWarning` holding every note."""
    if notes:
        warn_user(f"{func}: {'; '.join(notes)}.")
