"""Statistics per scale of one keyed item matrix: the item table, and one warning for all scales.

:class:`ScaleItems` holds a call's keyed items (scaled exactly by a power of two) and, for
``"pairwise"``, the moments and pair counts of every item, computed once and sliced per scale.
:func:`item_table` builds :func:`~alliance_metrics.psychometrics.item_statistics`' table for
scales given as item positions; :func:`scale_notes` groups what the warning says by scale.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliance_metrics.factor import omega_from_correlation, pair_counts, pairwise_moments
from alliance_metrics.reliability.alpha import AlphaResult, alpha_result, drop_statistics
from alliance_metrics.reliability.items import (
    NanPolicy,
    Screen,
    correlation_problem,
    nan_note,
    screen_items,
    screen_notes,
    too_few_items,
    unit_scale,
    used_rows,
    warn_notes,
)

__all__ = [
    "ITEM_COLUMNS",
    "ScaleItems",
    "item_table",
    "scale_notes",
    "scale_reliability",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
Moments = tuple[FloatArray, FloatArray]  # covariance and correlation matrices
ITEM_COLUMNS = (
    "scale", "item", "mean", "sd", "n", "r_drop", "alpha_if_deleted", "keying_flag", "reversed",
)  # fmt: skip
"""Columns of :func:`~alliance_metrics.psychometrics.item_statistics`, in order."""


@dataclass(frozen=True)
class ScaleItems:
    """Keyed items of one call, scaled by ``2^−exponent`` (exact), and their moments.

    Attributes
    ----------
    scaled, exponent
        The keyed items times ``2^−exponent``; multiply means and SDs back by ``2^exponent``.
    shown
        How warnings name each item (e.g. ``"'wai_3' (item3)"``).
    policy
        ``"pairwise"`` or ``"listwise"``.
    full, pairs
        Pairwise moments and pair counts of every item (None for listwise: each scale has its
        own complete rows).
    """

    scaled: FloatArray
    exponent: int
    shown: list[str]
    policy: NanPolicy
    full: Moments | None
    pairs: FloatArray | None

    @classmethod
    def build(cls, keyed: FloatArray, shown: list[str], policy: NanPolicy) -> ScaleItems:
        """Scale ``keyed`` and, for ``"pairwise"``, compute every item's moments once."""
        scaled, exponent = unit_scale(keyed)
        pairwise = policy == "pairwise"
        return cls(
            scaled,
            exponent,
            shown,
            policy,
            pairwise_moments(scaled) if pairwise else None,
            pair_counts(scaled) if pairwise else None,
        )

    def screen(self, members: IntArray) -> tuple[FloatArray, Screen]:
        """Return the rows a scale uses and its screen (no-variance items, too few rows)."""
        used = used_rows(self.scaled[:, members], self.policy)
        pairs = None if self.pairs is None else self.pairs[np.ix_(members, members)]
        return used, screen_items(used, [self.shown[j] for j in members], self.policy, 2, pairs)

    def moments(self, used: FloatArray, members: IntArray, screen: Screen) -> Moments:
        """Covariance and correlation of a scale's kept items under the policy."""
        if self.full is None:
            return pairwise_moments(used[:, screen.kept])
        kept = members[screen.kept]
        block = np.ix_(kept, kept)
        return self.full[0][block], self.full[1][block]


def scale_reliability(
    items: ScaleItems, members: IntArray, names: Sequence[str], level: float
) -> tuple[AlphaResult, float, list[str]]:
    """Alpha and omega total of one scale, and what a warning should say about them."""
    used, screen = items.screen(members)
    shown = [items.shown[j] for j in members]
    notes = screen_notes(screen, shown, "alpha and omega")
    if screen.problem is not None:
        result = alpha_result(items.scaled[:, members], items.policy, level, screen, names)[0]
        return result, math.nan, notes
    cov, cor = items.moments(used, members, screen)
    result, alpha_problem = alpha_result(
        items.scaled[:, members], items.policy, level, screen, names, cov=cov
    )
    omega_problem = too_few_items(screen, len(members), 3)
    if omega_problem is None and len(members) >= 3:
        omega_problem = correlation_problem(cor, [shown[j] for j in screen.kept])
    omega = math.nan if omega_problem is not None else omega_from_correlation(cor)
    notes += [nan_note(alpha_problem, "alpha")] if alpha_problem else []
    notes += [nan_note(omega_problem, "omega")] if omega_problem else []
    return result, omega, notes


def scale_notes(notes: Sequence[tuple[str, str]]) -> list[str]:
    """Group ``(scale, note)`` pairs by note: ``"scales 'task', 'total': <note>"``."""
    scales: dict[str, list[str]] = {}
    for scale_id, note in notes:
        scales.setdefault(note, []).append(repr(scale_id))
    return [
        f"scale{'' if len(ids) == 1 else 's'} {', '.join(ids)}: {note}"
        for note, ids in scales.items()
    ]


def item_table(
    func: str,
    items: ScaleItems,
    scales: Sequence[tuple[str, IntArray]],
    names: Sequence[Hashable],
    reverse: npt.NDArray[np.bool_],
) -> pd.DataFrame:
    """Item statistics of each scale's kept items in one table; warns once for all scales."""
    parts, notes = [], []
    dropped: dict[str, tuple[Hashable, ...]] = {}
    for scale_id, members in scales:  # a loop over scales, never over rows
        used, screen = items.screen(members)
        cov = items.moments(used, members, screen)[0]
        r_drop, alpha_if_deleted = drop_statistics(cov)
        if screen.problem is not None:
            r_drop = alpha_if_deleted = np.full(len(screen.kept), np.nan)
        x = used[:, screen.kept]
        answered = (~np.isnan(x)).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            mean = np.ldexp(np.where(np.isnan(x), 0.0, x).sum(axis=0) / answered, items.exponent)
            sd = np.ldexp(np.sqrt(np.diag(cov)), items.exponent)
        kept = members[screen.kept]
        shown = [items.shown[j] for j in members]
        said = screen_notes(screen, shown, "r_drop and alpha_if_deleted")
        notes += [(scale_id, note) for note in said]
        dropped[scale_id] = tuple(names[j] for j in members[screen.dropped])
        parts.append(
            pd.DataFrame(
                {
                    "scale": scale_id,
                    "item": [names[j] for j in kept],
                    "mean": mean,
                    "sd": sd,
                    "n": answered.astype(np.int64),
                    "r_drop": r_drop,
                    "alpha_if_deleted": alpha_if_deleted,
                    "keying_flag": r_drop < 0,
                    "reversed": reverse[kept],
                },
                columns=list(ITEM_COLUMNS),
            )
        )
    warn_notes(func, scale_notes(notes))
    table = pd.concat(parts, ignore_index=True)
    table.attrs["dropped_items"] = dropped
    return table
