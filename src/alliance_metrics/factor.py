"""Correlation building blocks of the reliability statistics, matching R ``psych``.

* :func:`pairwise_moments`: pairwise-complete covariance and correlation matrices (R ``cov`` /
  ``cor`` with ``use = "pairwise"``), computed in row blocks with numpy; :func:`pair_counts`:
  how many rows each pair of items shares.
* :func:`one_factor_minres` and :func:`omega_from_correlation`: the one-factor minimum-residual
  fit of ``psych::fa(fm = "minres")`` and ``psych::omega(nfactors = 1)$omega.tot``.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from scipy import optimize

from alliance_metrics._arrays import row_blocks

__all__ = [
    "correlation_sum_vanishes",
    "omega_from_correlation",
    "one_factor_minres",
    "pair_counts",
    "pairwise_moments",
]

FloatArray = npt.NDArray[np.float64]
_MAX_COMMUNALITY = 0.995  # psych::fa bounds every uniqueness below at .005


def pairwise_moments(values: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Pairwise-complete covariance and correlation matrices (R ``cov``/``cor``, pairwise).

    Entry (i, j) uses the rows where items i and j are both answered, for the correlation's
    variances too. Columns are centred first, so shifting an item cannot cost precision; rows
    are processed in cache-sized blocks.
    """
    k = values.shape[1]
    blocks = row_blocks(len(values))
    totals, counts = np.zeros(k), np.zeros(k)
    for block in blocks:
        observed = ~np.isnan(values[block])
        totals += np.where(observed, values[block], 0.0).sum(axis=0)
        counts += observed.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        centre = np.nan_to_num(totals / counts)
    pairs, sums, cross, squares = (np.zeros((k, k)) for _ in range(4))
    for block in blocks:
        mask = (~np.isnan(values[block])).astype(np.float64)
        z = np.where(mask > 0, values[block] - centre, 0.0)
        pairs += mask.T @ mask
        sums += z.T @ mask  # sums[i, j]: sum of item i over the rows where i and j are answered
        cross += z.T @ z
        squares += (z * z).T @ mask
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = (cross - sums * sums.T / pairs) / (pairs - 1)
        var = (squares - sums * sums / pairs) / (pairs - 1)
        cor = cov / np.sqrt(var * var.T)
    cov[pairs < 2] = np.nan
    cor[pairs < 2] = np.nan
    np.fill_diagonal(cor, np.where(np.isnan(np.diag(cor)), np.nan, 1.0))
    return cov, cor


def pair_counts(values: FloatArray) -> FloatArray:
    """Rows in which items i and j are both answered (the diagonal: each item's answers).

    Examples
    --------
    >>> import numpy as np
    >>> pair_counts(np.array([[1.0, np.nan], [2.0, 3.0], [np.nan, 4.0]])).tolist()
    [[2.0, 1.0], [1.0, 2.0]]
    """
    k = values.shape[1]
    pairs = np.zeros((k, k))
    for block in row_blocks(len(values)):
        mask = (~np.isnan(values[block])).astype(np.float64)
        pairs += mask.T @ mask
    return pairs


def one_factor_minres(cor: FloatArray) -> FloatArray:
    """Fit one factor by minimum residuals (``psych::fa(fm = "minres")``).

    Minimises ``Σ_{i<j} (r_ij − λ_i λ_j)²``; when a communality ``λ²`` would exceed .995 (a
    Heywood case), psych's bounded problem is solved instead (:func:`_heywood_minres`).
    """
    k = cor.shape[0]
    upper = np.triu_indices(k, 1)
    target, rows = cor[upper], np.arange(len(upper[0]))
    reduced = cor.copy()
    np.fill_diagonal(reduced, 0.0)
    np.fill_diagonal(reduced, np.abs(reduced).max(axis=0))
    eigenvalues, eigenvectors = np.linalg.eigh(reduced)
    start = eigenvectors[:, -1] * math.sqrt(max(float(eigenvalues[-1]), 1e-6))

    def residuals(loadings: FloatArray) -> FloatArray:
        return np.asarray(loadings[upper[0]] * loadings[upper[1]] - target, dtype=np.float64)

    def jacobian(loadings: FloatArray) -> FloatArray:
        jac = np.zeros((len(target), k))
        jac[rows, upper[0]] = loadings[upper[1]]
        jac[rows, upper[1]] = loadings[upper[0]]
        return jac

    fit = optimize.least_squares(
        residuals, start, jac=jacobian, method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15
    )
    loadings = np.asarray(fit.x, dtype=np.float64)
    if (loadings**2).max() > _MAX_COMMUNALITY:
        loadings = _heywood_minres(cor, loadings)
    return -loadings if loadings.sum() < 0 else loadings


def _heywood_minres(cor: FloatArray, loadings: FloatArray) -> FloatArray:
    """Refit a Heywood case as psych parametrises minres.

    Uniquenesses ``ψ`` are bounded to [.005, 1] and the loadings are the first eigenpair of
    ``R`` with diagonal ``1 − ψ`` (so a communality may still exceed 1, as in psych).
    """
    off_diagonal = ~np.eye(cor.shape[0], dtype=bool)
    low = 1.0 - _MAX_COMMUNALITY

    def eigen_loadings(psi: FloatArray) -> FloatArray:
        reduced = cor.copy()
        np.fill_diagonal(reduced, 1.0 - psi)
        values, vectors = np.linalg.eigh(reduced)
        return np.asarray(vectors[:, -1] * math.sqrt(max(float(values[-1]), 0.0)))

    def objective(psi: FloatArray) -> float:
        fitted = eigen_loadings(psi)
        return float((((cor - np.outer(fitted, fitted))[off_diagonal]) ** 2).sum())

    fit = optimize.minimize(
        objective,
        np.clip(1.0 - loadings**2, low, 1.0),
        method="L-BFGS-B",
        bounds=[(low, 1.0)] * cor.shape[0],
        options={"ftol": 1e-15, "gtol": 1e-12},
    )
    return eigen_loadings(np.asarray(fit.x, dtype=np.float64))


def correlation_sum_vanishes(cor: FloatArray) -> bool:
    """Whether ``ΣR`` is zero up to rounding (omega total's denominator; NaN counts as zero)."""
    total = float(cor.sum())
    return not abs(total) > 1e-12 * cor.shape[0]


def omega_from_correlation(cor: FloatArray) -> float:
    """``psych::omega(nfactors = 1)$omega.tot``: ``1 − Σ(1 − λ²) / ΣR``.

    NaN when there are fewer than 3 items, a correlation is undefined, or ``ΣR`` is zero (e.g.
    items whose sum is the same in every row).
    """
    if cor.shape[0] < 3 or not np.isfinite(cor).all() or correlation_sum_vanishes(cor):
        return math.nan
    loadings = one_factor_minres(cor)
    return float(1.0 - (1.0 - loadings**2).sum() / cor.sum())
