"""Linear growth models of the alliance: random intercept (and slope) per client (§5).

``score ~ session + (session | client)`` as R ``lme4::lmer`` fits it, estimated with
statsmodels' ``MixedLM`` (the optional extra ``[models]``). Its default optimiser can stop short
of the REML optimum on the flat likelihoods of alliance data (and its gradient optimisers report
convergence well short of it near a boundary), so several optimisers are tried — Nelder–Mead
with a tight tolerance first — and the converged fit with the largest likelihood is kept.
Standard errors of the fixed effects and the per-client effects (BLUPs) are then computed as
lme4 reports them, conditional on the variance estimates, vectorised over clients.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Hashable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliance_metrics.errors import (
    InputFormatError,
    InvalidParameterError,
    MissingDependencyError,
    warn_user,
)
from alliance_metrics.frames.analyses import table_analysis
from alliance_metrics.longitudinal._frames import client_keys
from alliance_metrics.longitudinal._groups import group_sum, observed_rows
from alliance_metrics.longitudinal._series import prepare_series

__all__ = ["GrowthModelResult", "growth_model"]

_SERIES = ("score", "client", "session")

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_INSTALL_HINT = 'pip install "alliance-metrics[models]"'
_NELDER_MEAD = {"maxiter": 5_000, "maxfun": 5_000, "ftol": 1e-14}
"""Nelder–Mead options that reach lme4's optimum: scipy's default ftol (1e-4) stops short, and
its default of 200 evaluations per parameter stops before convergence near a boundary. Typical
fits need 50–600 evaluations."""
_OTHER_OPTIMISERS = ("powell", "lbfgs", "bfgs")
_SINGULAR = 1e-4
"""lme4's ``isSingular`` tolerance on the relative Cholesky factor of the random effects."""
TERMS = ("intercept", "session")
PREDICTION_COLUMNS = (
    "n_sessions", "intercept", "slope", "ranef_intercept", "ranef_session",
)  # fmt: skip


@dataclass(frozen=True, eq=False)
class GrowthModelResult:
    """A fitted linear growth model, as :func:`growth_model` returns it (frozen).

    Attributes
    ----------
    fixed_effects
        Rows ``intercept`` (at session 0) and ``session``; columns ``estimate``, ``se`` and
        ``t`` (lme4's ``summary(fit)$coefficients``).
    random_effects_cov
        Covariance of the client effects (``intercept``, and ``session`` with a random slope).
    residual_variance
        Within-client residual variance σ².
    log_likelihood
        The REML (or ML) log-likelihood at the estimates, as lme4's ``logLik``.
    reml, converged, optimizer
        Criterion, whether the kept fit converged, and the optimiser that produced it.
    singular
        Whether the random-effect covariance is on the boundary (lme4's ``isSingular``).
    n_observations, n_clients
        Valid scores and clients used.
    predictions
        One row per client: the client column, ``n_sessions``, its own ``intercept`` and
        ``slope`` (fixed + random effect, lme4's ``coef``) and the random effects
        ``ranef_intercept`` and ``ranef_session`` (lme4's ``ranef``; NaN without a random slope).
    attempts
        Every optimiser tried: ``optimizer``, ``converged``, ``log_likelihood``, ``error``.
    messages
        Warnings statsmodels raised during the kept fit (never re-raised as such).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import alliance_metrics as am
    >>> rng = np.random.default_rng(7)
    >>> clients, sessions = np.repeat(np.arange(30), 6), np.tile(np.arange(1, 7), 30)
    >>> df = pd.DataFrame({"client_id": clients, "session": sessions,
    ...                    "wai": 40 + 0.5 * sessions + rng.normal(0, 2, 180)})
    >>> fit = am.growth_model(df, score="wai", random_slope=False)
    >>> fit.n_observations, fit.n_clients, list(fit.fixed_effects.columns)
    (180, 30, ['estimate', 'se', 't'])
    """

    fixed_effects: pd.DataFrame
    random_effects_cov: pd.DataFrame
    residual_variance: float
    log_likelihood: float
    reml: bool
    converged: bool
    optimizer: str
    singular: bool
    n_observations: int
    n_clients: int
    predictions: pd.DataFrame
    attempts: pd.DataFrame
    messages: tuple[str, ...]


def _statsmodels(func: str) -> ModuleType:
    try:
        return importlib.import_module("statsmodels.regression.mixed_linear_model")
    except ImportError:
        raise MissingDependencyError(
            f"{func} needs the optional package statsmodels: {_INSTALL_HINT}."
        ) from None


@dataclass(frozen=True)
class _Attempt:
    label: str
    result: Any
    messages: tuple[str, ...]
    error: str


def _fit(model: Any, label: str, reml: bool, method: str, **options: Any) -> _Attempt:
    """One optimiser run with statsmodels' warnings captured, never raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = model.fit(reml=reml, method=method, **options)
        except (ValueError, ArithmeticError, np.linalg.LinAlgError) as error:
            return _Attempt(label, None, (), f"{type(error).__name__}: {error}")
    messages = tuple(dict.fromkeys(str(w.message) for w in caught))
    if not np.isfinite(result.llf):
        return _Attempt(label, None, messages, "non-finite log-likelihood")
    return _Attempt(label, result, messages, "")


def _best(attempts: list[_Attempt]) -> _Attempt | None:
    """Pick the converged fit with the largest log-likelihood (else the largest overall)."""
    fitted = [a for a in attempts if a.result is not None]
    converged = [a for a in fitted if a.result.converged]
    pool = converged or fitted
    return max(pool, key=lambda a: float(a.result.llf)) if pool else None


def _optimise(model: Any, reml: bool) -> tuple[_Attempt | None, list[_Attempt]]:
    """Try every optimiser from statsmodels' default start; keep the best converged fit."""
    attempts = [_fit(model, "nm", reml, "nm", **_NELDER_MEAD)]
    attempts += [_fit(model, method, reml, method) for method in _OTHER_OPTIMISERS]
    return _best(attempts), attempts


def _conditional_parts(
    codes: IntArray, x: FloatArray, y: FloatArray, beta: FloatArray, g: FloatArray, s2: float
) -> tuple[FloatArray, FloatArray]:
    """Fixed-effect covariance and per-client BLUPs given the variance estimates.

    With ``V_i = Z_i G Z_i' + σ² I`` and ``A_i = σ² I + G Z_i'Z_i``, the push-through identity
    gives ``X_i' V_i⁻¹ X_i = (X_i'X_i − X_i'Z_i A_i⁻¹ G Z_i'X_i) / σ²`` and
    ``b_i = A_i⁻¹ G Z_i' r_i`` (valid for a singular ``G``); all clients in one batched solve.
    """
    n_clients = int(codes.max()) + 1
    q = g.shape[0]
    ones = np.ones(len(x))
    r = y - beta[0] - beta[1] * x
    s0, s1, s2x = (group_sum(v, codes, n_clients) for v in (ones, x, x * x))
    xtx = np.stack([np.stack([s0, s1], -1), np.stack([s1, s2x], -1)], -2)  # (n, 2, 2)
    ztz, xtz = xtx[:, :q, :q], xtx[:, :, :q]
    ztr = np.stack([group_sum(r, codes, n_clients), group_sum(x * r, codes, n_clients)], -1)
    a = s2 * np.eye(q) + g @ ztz
    correction = xtz @ np.linalg.solve(a, g @ np.swapaxes(xtz, 1, 2))
    information = (xtx - correction).sum(axis=0) / s2
    blups: FloatArray = np.linalg.solve(a, (g @ ztr[:, :q, None]))[:, :, 0].astype(np.float64)
    covariance: FloatArray = np.linalg.inv(information).astype(np.float64)
    return covariance, blups


def _is_singular(g: FloatArray, s2: float) -> bool:
    """Whether a diagonal element of the Cholesky factor of ``G / σ²`` is below 1e-4."""
    try:
        factor = np.linalg.cholesky(g / s2)
    except np.linalg.LinAlgError:
        return True
    return bool(np.diag(factor).min() < _SINGULAR)


def _attempt_table(attempts: list[_Attempt]) -> pd.DataFrame:
    fitted = [a.result is not None for a in attempts]
    return pd.DataFrame(
        {
            "optimizer": [a.label for a in attempts],
            "converged": [
                ok and bool(a.result.converged) for ok, a in zip(fitted, attempts, strict=True)
            ],
            "log_likelihood": [
                float(a.result.llf) if ok else np.nan
                for ok, a in zip(fitted, attempts, strict=True)
            ],
            "error": [a.error for a in attempts],
        }
    )


@table_analysis(columns=_SERIES)
def growth_model(
    data: pd.DataFrame,
    *,
    score: Hashable,
    client: Hashable = "client_id",
    session: Hashable = "session",
    random_slope: bool = True,
    reml: bool = True,
) -> GrowthModelResult:
    """Fit a linear growth model: each client's own intercept and slope over sessions.

    ``score ~ session + (session | client)`` (``(1 | client)`` without a random slope), by
    REML, as R ``lme4::lmer(score ~ session + (session | client_id))``; session enters as
    given (the intercept is the predicted score at session 0). Needs statsmodels, the
    optional extra ``[models]``.

    Parameters
    ----------
    data
        Long table, one row per administration, in any order; rows without a valid score
        are left out.
    score, client, session
        Column names.
    random_slope
        Give each client its own slope (default) or only its own intercept.
    reml
        REML (default, lme4's default) or maximum likelihood (``REML = FALSE``).

    Returns
    -------
    GrowthModelResult
        Fixed effects with lme4's standard errors, random-effect covariance, residual
        variance, log-likelihood, ``converged``, the optimiser kept, every attempt, and the
        per-client intercepts and slopes.

    Raises
    ------
    MissingDependencyError
        Without statsmodels (``pip install "alliance-metrics[models]"``).
    InputFormatError
        With fewer than two clients or sessions that never vary, or when no optimiser could
        fit the model; or for the usual bad-data cases (duplicated client–session pairs, ...).

    Warns
    -----
    AllianceMetricsWarning
        When no optimiser converged (the best fit is returned with ``converged=False``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import alliance_metrics as am
    >>> rng = np.random.default_rng(7)
    >>> clients = np.repeat(np.arange(40), 8)
    >>> sessions = np.tile(np.arange(1, 9), 40)
    >>> level = rng.normal(40, 5, 40)[clients] + rng.normal(0.5, 0.3, 40)[clients] * sessions
    >>> df = pd.DataFrame({"client_id": clients, "session": sessions,
    ...                    "wai": level + rng.normal(0, 2, len(clients))})
    >>> fit = am.growth_model(df, score="wai")
    >>> fit.converged, list(fit.fixed_effects.index), len(fit.predictions)
    (True, ['intercept', 'session'], 40)
    """
    func = "growth_model"
    for name, value in (("random_slope", random_slope), ("reml", reml)):
        if not isinstance(value, bool | np.bool_):
            raise InvalidParameterError(
                f"The {name!r} parameter of {func} must be True or False. Got {value!r} instead."
            )
    module = _statsmodels(func)
    series = prepare_series(data, score=score, client=client, session=session, func=func)
    observed = observed_rows(series)
    present = np.flatnonzero(observed.counts() > 0)
    if len(present) < 2 or len(np.unique(observed.sessions)) < 2:
        raise InputFormatError(
            f"{func} needs valid scores from at least two clients and at least two different "
            "sessions."
        )
    codes = np.searchsorted(present, observed.codes).astype(np.int64)  # clients with scores
    x = observed.sessions.astype(np.float64)
    y = observed.scores
    design = np.column_stack([np.ones(len(x)), x])
    q = 2 if random_slope else 1
    model = module.MixedLM(y, design, groups=codes, exog_re=design[:, :q])
    best, attempts = _optimise(model, bool(reml))
    if best is None:
        reasons = "; ".join(f"{a.label}: {a.error}" for a in attempts)
        raise InputFormatError(f"{func} could not fit the model ({reasons}).")
    result = best.result
    g = np.asarray(result.cov_re, dtype=np.float64).reshape(q, q)
    s2 = float(result.scale)
    beta = np.asarray(result.fe_params, dtype=np.float64)
    cov_beta, blups = _conditional_parts(codes, x, y, beta, g, s2)
    if not result.converged:
        warn_user(
            f"{func}: no optimiser converged; the best fit ({best.label}) is returned with "
            "converged=False. Check the model and the data before using it."
        )
    se = np.sqrt(np.diag(cov_beta))
    fixed = pd.DataFrame(
        {"estimate": beta, "se": se, "t": beta / se}, index=pd.Index(TERMS, name="term")
    )
    ranef_session = blups[:, 1] if random_slope else np.full(len(present), np.nan)
    keys = client_keys(series, present, PREDICTION_COLUMNS, func)
    predictions = pd.DataFrame(
        {
            series.client_name: keys,
            "n_sessions": observed.counts()[present],
            "intercept": beta[0] + blups[:, 0],
            "slope": beta[1] + np.nan_to_num(ranef_session),
            "ranef_intercept": blups[:, 0],
            "ranef_session": ranef_session,
        }
    )
    return GrowthModelResult(
        fixed_effects=fixed,
        random_effects_cov=pd.DataFrame(g, index=list(TERMS[:q]), columns=list(TERMS[:q])),
        residual_variance=s2,
        log_likelihood=float(result.llf),
        reml=bool(reml),
        converged=bool(result.converged),
        optimizer=best.label,
        singular=_is_singular(g, s2),
        n_observations=len(y),
        n_clients=len(present),
        predictions=predictions,
        attempts=_attempt_table(attempts),
        messages=best.messages,
    )
