"""Cronbach's alpha and McDonald's omega of an item matrix, as R ``psych`` computes them.

These functions take items already keyed (reverse-keyed items reversed); the instrument-aware
:mod:`alliance_metrics.psychometrics` keys an instrument's items and calls them per scale.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from pydantic import BaseModel, ConfigDict
from scipy import stats

from alliance_metrics._params import check_choice, check_ci
from alliance_metrics.errors import InvalidParameterError
from alliance_metrics.factor import omega_from_correlation, pairwise_moments

__all__ = [
    "AlphaResult",
    "NanPolicy",
    "alpha_from_cov",
    "alpha_result",
    "cronbach_alpha",
    "drop_statistics",
    "omega_total",
    "used_rows",
]

FloatArray = npt.NDArray[np.float64]
NanPolicy = Literal["pairwise", "listwise"]
NAN_POLICIES: tuple[NanPolicy, ...] = ("pairwise", "listwise")


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
        ``nrow(x)``), the complete rows for ``"listwise"``.
    n_complete, n_items
        Rows with every item answered; number of items ``k``.
    ci_level, ci_lower, ci_upper
        Feldt interval ``1 − (1 − alpha)·F`` with F quantiles on ``n − 1`` and
        ``(n − 1)(k − 1)`` degrees of freedom (``psych::alpha.ci``).
    method
        The ``nan_policy`` used: ``"pairwise"`` or ``"listwise"``.
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

    def to_dict(self) -> dict[str, Any]:
        """Return the result as a plain dict (same as ``model_dump()``)."""
        return self.model_dump()


def _item_matrix(items: object, func: str, min_items: int) -> FloatArray:
    """Convert ``items`` (rows × items, NaN = missing) to a float64 matrix."""
    try:
        if isinstance(items, pd.DataFrame):
            values = items.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            values = np.array(items, dtype=np.float64)
    except (TypeError, ValueError):
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
    return values


def used_rows(values: FloatArray, policy: NanPolicy) -> FloatArray:
    """Return the rows a statistic uses: all (pairwise) or the complete ones (listwise)."""
    return values[~np.isnan(values).any(axis=1)] if policy == "listwise" else values


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
    values: FloatArray, policy: NanPolicy, level: float, cov: FloatArray | None = None
) -> AlphaResult:
    """Alpha of ``values``; ``cov`` is their covariance matrix under ``policy`` when known."""
    used = used_rows(values, policy)
    alpha, std_alpha, average_r = alpha_from_cov(pairwise_moments(used)[0] if cov is None else cov)
    lower, upper = _feldt(alpha, len(used), values.shape[1], level)
    n_complete = int((~np.isnan(values)).all(axis=1).sum())
    return AlphaResult(
        alpha=alpha,
        std_alpha=std_alpha,
        average_r=average_r,
        n=len(used),
        n_complete=n_complete,
        n_items=values.shape[1],
        ci_level=level,
        ci_lower=lower,
        ci_upper=upper,
        method=policy,
    )


def cronbach_alpha(
    items: pd.DataFrame | npt.ArrayLike, *, nan_policy: NanPolicy = "pairwise", ci: float = 0.95
) -> AlphaResult:
    """Cronbach's alpha with its Feldt confidence interval, as ``psych::alpha`` computes it.

    With ``C`` the item covariance matrix, ``k`` items and ``n`` rows::

        alpha     = k / (k − 1) · (1 − tr(C) / ΣC)
        std_alpha = k·r̄ / (1 + (k − 1)·r̄),  r̄ = mean off-diagonal entry of cov2cor(C)
        Feldt     = 1 − (1 − alpha) · F(q; n − 1, (n − 1)(k − 1)),  q = (1 ± ci) / 2

    Parameters
    ----------
    items
        Rows × items, already keyed (reverse-keyed items reversed); NaN means unanswered.
        :func:`reliability_report` keys an instrument's items for you.
    nan_policy
        ``"pairwise"`` (psych's default): ``C`` from pairwise-complete observations and ``n`` =
        every row given (psych's ``nrow(x)``). ``"listwise"``: rows with any missing item are
        dropped first and ``n`` = the complete rows (``alpha(na.omit(x))``).
    ci
        Confidence level of the Feldt interval.

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
    """
    policy = check_choice("nan_policy", "cronbach_alpha", nan_policy, NAN_POLICIES)
    level = check_ci(ci, "cronbach_alpha")
    return alpha_result(_item_matrix(items, "cronbach_alpha", 2), policy, level)


def omega_total(
    items: pd.DataFrame | npt.ArrayLike, *, nan_policy: NanPolicy = "pairwise"
) -> float:
    """McDonald's omega total from a one-factor minres model.

    Reproduces ``psych::omega(x, nfactors = 1, fm = "minres")$omega.tot``::

        omega_total = 1 − Σ u²_i / ΣR,   u²_i = 1 − λ²_i

    ``R`` is the item correlation matrix (pairwise ``cor``, or that of the complete rows) and
    ``λ`` minimises the squared off-diagonal residuals of ``R − λλᵀ``. Unlike psych, which flips
    items that load negatively, items are never re-keyed: a miskeyed item lowers omega as it
    lowers alpha (:func:`item_statistics` flags it).

    Parameters
    ----------
    items
        Rows × items (at least 3), already keyed; NaN means unanswered.
    nan_policy
        ``"pairwise"`` or ``"listwise"``, as for :func:`cronbach_alpha`.

    Returns
    -------
    float
        Omega total; NaN when a correlation cannot be computed (e.g. an item without variance).

    Examples
    --------
    >>> import pandas as pd
    >>> from alliance_metrics.psychometrics import omega_total
    >>> items = pd.DataFrame({"a": [1, 2, 3, 4, 5, 3, 4, 2], "b": [2, 3, 3, 5, 4, 3, 5, 1],
    ...                       "c": [2, 3, 4, 4, 5, 2, 4, 3], "d": [1, 3, 3, 4, 4, 4, 5, 2]})
    >>> round(omega_total(items), 6)
    0.924185
    """
    policy = check_choice("nan_policy", "omega_total", nan_policy, NAN_POLICIES)
    values = _item_matrix(items, "omega_total", 3)
    return omega_from_correlation(pairwise_moments(used_rows(values, policy))[1])
