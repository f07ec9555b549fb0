"""Cronbach's alpha of an item matrix, as R ``psych::alpha`` computes it.

:func:`cronbach_alpha` takes a plain matrix (keyed by ``keys=`` and ``bounds=``, or already
keyed); the instrument-aware :mod:`alliance_metrics.psychometrics` keys an instrument's items and
calls :func:`alpha_result` per scale. Items without variance are left out with a warning, as
psych does, and too few rows give NaN with a warning (:mod:`.items`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from pydantic import BaseModel, ConfigDict
from scipy import stats

from alliance_metrics._params import check_choice, check_ci
from alliance_metrics.factor import pairwise_moments
from alliance_metrics.frames.analyses import table_analysis
from alliance_metrics.reliability.items import (
    NAN_POLICIES,
    Bounds,
    Keys,
    NanPolicy,
    Screen,
    check_bounds_arg,
    check_keys,
    item_matrix,
    key_items,
    screen_items,
    screen_notes,
    unit_scale,
    used_rows,
    warn_notes,
)

__all__ = [
    "AlphaResult",
    "alpha_from_cov",
    "alpha_result",
    "cronbach_alpha",
    "drop_statistics",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
TOTAL_WITHOUT_VARIANCE = "the item covariances sum to zero (the total score has no variance)"


class AlphaResult(BaseModel):
    """Cronbach's alpha of one set of items, as :func:`cronbach_alpha` returns it (frozen).

    Attributes
    ----------
    alpha
        Raw alpha, ``k / (k − 1) · (1 − tr(C) / ΣC)`` (``psych::alpha()$total$raw_alpha``).
    std_alpha
        Standardised alpha, ``k·r̄ / (1 + (k − 1)·r̄)`` (``std.alpha``).
    average_r
        Mean inter-item correlation r̄ of ``cov2cor(C)`` (``average_r``).
    n
        Rows used, the n of the Feldt interval: every row given for ``"pairwise"`` (psych's
        ``nrow(x)``), the rows complete on every given item for ``"listwise"``.
    n_complete
        Rows with every given item answered.
    n_items, items
        Number ``k`` and names of the items used (column labels as text; positions for an
        array).
    dropped
        Items left out because they have no variance (no answers, one answer, or the same
        answer in every row used), as ``psych::alpha`` deletes them.
    reversed
        Items reversed by ``keys`` (``min + max − x`` with the declared ``bounds``).
    ci_level, ci_lower, ci_upper
        Feldt interval ``1 − (1 − alpha)·F`` with F quantiles on ``n − 1`` and
        ``(n − 1)(k − 1)`` degrees of freedom (``psych::alpha.ci``).
    method
        The ``nan_policy`` used: ``"pairwise"`` or ``"listwise"``.

    Examples
    --------
    >>> import alliance_metrics as am
    >>> result = am.cronbach_alpha([[1, 2, 2], [3, 3, 4], [4, 5, 4], [2, 2, 3]])
    >>> round(result.alpha, 3), result.n, result.n_items, result.method
    (0.939, 4, 3, 'pairwise')
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    alpha: float
    std_alpha: float
    average_r: float
    n: int
    n_complete: int
    n_items: int
    ci_level: float
    ci_lower: float
    ci_upper: float
    method: NanPolicy
    items: tuple[str, ...]
    dropped: tuple[str, ...] = ()
    reversed: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the result as a plain dict (same as ``model_dump()``)."""
        return self.model_dump()


def alpha_from_cov(cov: FloatArray) -> tuple[float, float, float]:
    """Raw alpha, standardised alpha and mean inter-item r (``psych:::alpha.1``).

    Alpha is undefined (NaN) when the total score has no variance; "no variance" allows for
    the rounding of a covariance sum that cancels to zero.
    """
    k = cov.shape[0]
    if k < 2:
        return math.nan, math.nan, math.nan
    total_variance, item_variance = float(cov.sum()), float(np.trace(cov))
    with np.errstate(invalid="ignore", divide="ignore"):
        if abs(total_variance) <= 1e-12 * max(abs(item_variance), np.finfo(float).tiny):
            alpha = math.nan
        else:
            alpha = k / (k - 1) * (1.0 - item_variance / total_variance)
        sd = np.sqrt(np.diag(cov))
        cor = cov / np.outer(sd, sd)
        np.fill_diagonal(cor, 1.0)
        average_r = (cor.sum() - k) / (k * (k - 1))
        std_alpha = k * average_r / (1.0 + (k - 1) * average_r)
    return float(alpha), float(std_alpha), float(average_r)


def _feldt(alpha: float, n: int, k: int, level: float) -> tuple[float, float]:
    """Feldt (1965) interval for alpha, as ``psych::alpha.ci``."""
    if n < 2 or k < 2 or not math.isfinite(alpha):
        return math.nan, math.nan
    tail = (1.0 - level) / 2.0
    df1, df2 = n - 1, (n - 1) * (k - 1)
    lower = 1.0 - (1.0 - alpha) * float(stats.f.ppf(1.0 - tail, df1, df2))
    return lower, 1.0 - (1.0 - alpha) * float(stats.f.ppf(tail, df1, df2))


def drop_statistics(cov: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Corrected item–total r and alpha if the item is deleted, for every item at once."""
    k = cov.shape[0]
    var = np.diag(cov)
    column_sums = cov.sum(axis=0)
    rest = cov.sum() - 2.0 * column_sums + var  # variance of the sum of the other items
    with np.errstate(invalid="ignore", divide="ignore"):
        r_drop = (column_sums - var) / np.sqrt(var * rest) if k > 1 else np.full(k, np.nan)
        if k < 3:
            return r_drop, np.full(k, np.nan)
        return r_drop, (k - 1) / (k - 2) * (1.0 - (np.trace(cov) - var) / rest)


def alpha_result(
    values: FloatArray,
    policy: NanPolicy,
    level: float,
    screen: Screen,
    names: Sequence[str],
    reverse: BoolArray | None = None,
    cov: FloatArray | None = None,
) -> tuple[AlphaResult, str | None]:
    """Alpha of the kept items of ``values`` (keyed; any power-of-two scale).

    ``cov`` is the kept items' covariance matrix under ``policy`` when already known. Returns
    the result and, when alpha is NaN for a reason the screen did not find, that reason.
    """
    used = used_rows(values, policy)
    kept = screen.kept
    alpha = std_alpha = average_r = math.nan
    problem = None
    if screen.problem is None:
        matrix = pairwise_moments(used[:, kept])[0] if cov is None else cov
        alpha, std_alpha, average_r = alpha_from_cov(matrix)
        if len(kept) >= 2 and math.isnan(alpha):
            problem = TOTAL_WITHOUT_VARIANCE
    lower, upper = _feldt(alpha, len(used), len(kept), level)
    result = AlphaResult(
        alpha=alpha,
        std_alpha=std_alpha,
        average_r=average_r,
        n=len(used),
        n_complete=int((~np.isnan(values)).all(axis=1).sum()),
        n_items=len(kept),
        ci_level=level,
        ci_lower=lower,
        ci_upper=upper,
        method=policy,
        items=tuple(names[j] for j in kept.tolist()),
        dropped=tuple(names[j] for j in screen.dropped.tolist()),
        reversed=()
        if reverse is None
        else tuple(names[j] for j in np.flatnonzero(reverse).tolist()),
    )
    return result, problem


@table_analysis()
def cronbach_alpha(
    items: pd.DataFrame | npt.ArrayLike,
    *,
    nan_policy: NanPolicy = "pairwise",
    ci: float = 0.95,
    keys: Keys = None,
    bounds: Bounds = None,
) -> AlphaResult:
    """Cronbach's alpha with its Feldt confidence interval, as ``psych::alpha`` computes it.

    With ``C`` the item covariance matrix, ``k`` items and ``n`` rows::

        alpha     = k / (k − 1) · (1 − tr(C) / ΣC)
        std_alpha = k·r̄ / (1 + (k − 1)·r̄),  r̄ = mean off-diagonal entry of cov2cor(C)
        Feldt     = 1 − (1 − alpha) · F(q; n − 1, (n − 1)(k − 1)),  q = (1 ± ci) / 2

    Matches R ``psych::alpha(x, keys)`` (psych 2.2.9), with these rules for awkward data:

    * **Items without variance** (no answers, one answer, or the same answer in every row used)
      are left out, with an :class:`~alliance_metrics.AllianceMetricsWarning` naming them, as
      psych deletes them; ``n_items``, ``items`` and ``dropped`` say what was used.
    * **Too few rows**: alpha is NaN, with a warning, when fewer than 3 rows have answers
      (complete rows for ``"listwise"``) or two items are answered together in fewer than 3
      rows. psych computes a number there (its correlations from two rows are ±1).

    Parameters
    ----------
    items
        Rows × items; NaN means unanswered. Already keyed, unless ``keys`` says which items to
        reverse. :func:`reliability_report` keys an instrument's items for you.
    nan_policy
        ``"pairwise"`` (psych's default): ``C`` from pairwise-complete observations and ``n`` =
        every row given (psych's ``nrow(x)``). ``"listwise"``: rows with any missing item are
        dropped first and ``n`` = the complete rows (``alpha(na.omit(x))``).
    ci
        Confidence level of the Feldt interval.
    keys
        Items to reverse: one sign per item in column order (``[1, -1, 1]``, as psych's
        numeric ``keys``), or a mapping ``{column: -1}`` (as psych's ``keys = "b"``). ``None``:
        the items are already keyed.
    bounds
        ``(min, max)`` of the response scale, e.g. ``(1, 7)``; required when ``keys`` reverses
        an item. A reversed item becomes ``min + max − x`` with these **declared** bounds,
        never the data's range (psych reverses with the smallest and largest value observed
        in the data; alpha is the same either way, since adding a constant to an item changes
        no covariance). Values outside the bounds raise
        :class:`~alliance_metrics.ResponseValidationError`.

    Returns
    -------
    AlphaResult
        Frozen; ``to_dict()`` or ``model_dump_json()`` for JSON.

    Examples
    --------
    >>> from alliance_metrics.psychometrics import cronbach_alpha
    >>> items = {"a": [1, 2, 3, 4, 5, 3, 4, 2], "b": [2, 3, 3, 5, 4, 3, 5, 1],
    ...          "c": [2, 3, 4, 4, 5, 2, 4, 3], "d": [1, 3, 3, 4, 4, 4, 5, 2]}
    >>> result = cronbach_alpha(list(zip(*items.values())))
    >>> round(result.alpha, 6), round(result.ci_lower, 6), round(result.ci_upper, 6), result.n
    (0.920334, 0.7635, 0.982106, 8)

    Item ``b`` stored reversed on a 1–5 form gives the same alpha once ``keys`` reverses it:

    >>> import pandas as pd
    >>> stored = pd.DataFrame(items).assign(b=lambda x: 6 - x["b"])
    >>> keyed = cronbach_alpha(stored, keys={"b": -1}, bounds=(1, 5))
    >>> round(keyed.alpha, 6), keyed.reversed
    (0.920334, ('b',))
    """
    func = "cronbach_alpha"
    policy = check_choice("nan_policy", func, nan_policy, NAN_POLICIES)
    level = check_ci(ci, func)
    values, labels = item_matrix(items, func, 2)
    reverse = check_keys(keys, labels, func)
    declared = check_bounds_arg(bounds, func, needed=bool(reverse.any()))
    keyed = unit_scale(key_items(values, labels, reverse, declared, func))[0]
    names = [str(label) for label in labels]
    shown = [repr(label) for label in labels]
    screen = screen_items(used_rows(keyed, policy), shown, policy, 2)
    result, problem = alpha_result(keyed, policy, level, screen, names, reverse)
    warn_notes(func, screen_notes(screen, shown, "alpha", problem))
    return result
