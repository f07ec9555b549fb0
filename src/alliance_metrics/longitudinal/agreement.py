"""Client–therapist agreement on the alliance: difference scores and response surfaces (§6).

Per session and per dyad, :func:`dyad_agreement` compares the client's and the therapist's
ratings of the same session. Difference scores confound the two ratings (Edwards 2001), so
:func:`response_surface` offers the modern alternative, polynomial regression with response
surface analysis (as R's ``RSA`` package by Schönbrodt reports it): the outcome regressed on
both ratings, their squares and their product, summarised by the surface parameters a1–a5.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from alliance_metrics._params import check_choice
from alliance_metrics.errors import InputFormatError, InvalidParameterError
from alliance_metrics.frames.analyses import table_analysis
from alliance_metrics.longitudinal._arguments import check_number
from alliance_metrics.longitudinal._frames import client_keys
from alliance_metrics.longitudinal._groups import group_mean_sd, group_sum
from alliance_metrics.longitudinal._series import check_column, numeric_scores, prepare_series

__all__ = [
    "DyadAgreement",
    "ResponseSurface",
    "dyad_agreement",
    "response_surface",
    "surface_parameters",
]

FloatArray = npt.NDArray[np.float64]

SURFACE = np.array(
    [
        [0, 1, 1, 0, 0, 0],  # a1 = b1 + b2: slope along the line of congruence (X = Y)
        [0, 0, 0, 1, 1, 1],  # a2 = b3 + b4 + b5: curvature along it
        [0, 1, -1, 0, 0, 0],  # a3 = b1 − b2: slope along the line of incongruence (X = −Y)
        [0, 0, 0, 1, -1, 1],  # a4 = b3 − b4 + b5: curvature along it
        [0, 0, 0, 1, 0, -1],  # a5 = b3 − b5: asymmetry of the ridge
    ],
    dtype=np.float64,
)
"""Rows map (b0, …, b5) to the surface parameters a1–a5."""
PER_SESSION = ("session", "client_score", "therapist_score", "difference", "abs_difference",
               "sq_difference")  # fmt: skip
PER_DYAD = ("n_sessions", "mean_client", "mean_therapist", "mean_difference", "sd_difference",
            "mean_abs_difference", "mean_sq_difference", "correlation")  # fmt: skip


@dataclass(frozen=True, eq=False)
class DyadAgreement:
    """Client–therapist agreement, as :func:`dyad_agreement` returns it (frozen).

    Attributes
    ----------
    per_session
        One row per administration (sorted by dyad and session): the client column,
        ``session``, ``client_score``, ``therapist_score``, ``difference`` (client −
        therapist), ``abs_difference`` and ``sq_difference`` (NaN unless both rated).
    per_dyad
        One row per dyad: ``n_sessions`` (sessions both rated), ``mean_client``,
        ``mean_therapist``, ``mean_difference``, ``sd_difference`` (ddof 1),
        ``mean_abs_difference``, ``mean_sq_difference`` and ``correlation`` (Pearson, across
        the dyad's sessions; NaN with fewer than 3 or without variation).

    Examples
    --------
    >>> import pandas as pd
    >>> import alliance_metrics as am
    >>> df = pd.DataFrame({"client_id": "A", "session": [1, 2, 3, 4],
    ...                    "wai_c": [5.0, 4.5, 4.0, 4.8], "wai_t": [4.0, 4.0, 3.0, 4.2]})
    >>> out = am.dyad_agreement(df, client_score="wai_c", therapist_score="wai_t")
    >>> out.per_session["difference"].round(2).tolist(), len(out.per_dyad)
    ([1.0, 0.5, 1.0, 0.6], 1)
    """

    per_session: pd.DataFrame
    per_dyad: pd.DataFrame


@dataclass(frozen=True, eq=False)
class ResponseSurface:
    """A polynomial regression and its response-surface parameters (frozen).

    Attributes
    ----------
    coefficients
        Rows ``b0`` … ``b5`` of ``Z = b0 + b1·X + b2·Y + b3·X² + b4·X·Y + b5·Y²`` (X the
        client's rating, Y the therapist's, both after centring); columns ``estimate``,
        ``se``, ``t``, ``p`` (two-sided, t on ``residual_df``).
    surface
        Rows ``a1`` … ``a5``, linear combinations of the b's; SEs from the coefficient
        covariance, ``sqrt(L·V·L')``.
    n, residual_df, r_squared, residual_variance
        Rows used (complete cases), ``n − 6``, R² and σ².
    center
        The value subtracted from both ratings before squaring (0 for ``"none"``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import alliance_metrics as am
    >>> rng = np.random.default_rng(3)
    >>> x, y = rng.normal(4, 0.6, 200), rng.normal(3.8, 0.6, 200)
    >>> df = pd.DataFrame({"outcome": 1 + x - (x - y) ** 2 + rng.normal(0, 0.2, 200),
    ...                    "wai_c": x, "wai_t": y})
    >>> fit = am.response_surface(df, outcome="outcome", client_score="wai_c",
    ...                           therapist_score="wai_t")
    >>> fit.n, fit.residual_df, list(fit.coefficients.index)
    (200, 194, ['b0', 'b1', 'b2', 'b3', 'b4', 'b5'])
    """

    coefficients: pd.DataFrame
    surface: pd.DataFrame
    n: int
    residual_df: int
    r_squared: float
    residual_variance: float
    center: float


def surface_parameters(b: npt.ArrayLike, cov: npt.ArrayLike | None = None) -> pd.DataFrame:
    """Response-surface parameters a1–a5 (and their SEs) from b0–b5 (or b1–b5).

    Parameters
    ----------
    b
        The six coefficients b0 … b5, or the five b1 … b5.
    cov
        Their covariance matrix (same size); without it the SEs are NaN.

    Examples
    --------
    >>> surface_parameters([-0.23, 0.77, -0.07, 0.27, -0.10])["estimate"].round(2).tolist()
    [0.54, 0.1, -1.0, -0.44, 0.03]
    """
    coefficients = np.asarray(b, dtype=np.float64)
    weights = SURFACE if len(coefficients) == 6 else SURFACE[:, 1:]
    estimate = weights @ coefficients
    se = np.full(5, np.nan)
    if cov is not None:
        se = np.sqrt(np.diag(weights @ np.asarray(cov, dtype=np.float64) @ weights.T))
    index = pd.Index([f"a{i}" for i in range(1, 6)], name="term")
    return pd.DataFrame({"estimate": estimate, "se": se}, index=index)


def _second_score(data: pd.DataFrame, name: object, taken: list[Hashable], func: str) -> Hashable:
    column = check_column(data, name, "therapist_score", func)
    if column in taken:
        raise InvalidParameterError(
            f"The 'therapist_score' parameter of {func} must name a column other than the "
            f"client score, client and session columns. Got {name!r} instead."
        )
    return column


@table_analysis(columns=("client_score", "therapist_score", "client", "session"))
def dyad_agreement(
    data: pd.DataFrame,
    *,
    client_score: Hashable,
    therapist_score: Hashable,
    client: Hashable = "client_id",
    session: Hashable = "session",
) -> DyadAgreement:
    """Compare the client's and the therapist's alliance ratings, by session and by dyad.

    Parameters
    ----------
    data
        Long table, one row per session of a dyad, holding both ratings.
    client_score, therapist_score
        Columns of the two ratings (on the same metric, e.g. WAI-SR and WAI-SRT totals).
    client, session
        Columns of the dyad key and the session number.

    Returns
    -------
    DyadAgreement
        ``per_session`` and ``per_dyad`` tables (see :class:`DyadAgreement`). For ICCs of
        the two raters use :func:`alliance_metrics.icc` on the complete rows.

    Examples
    --------
    >>> import pandas as pd
    >>> import alliance_metrics as am
    >>> df = pd.DataFrame({"client_id": "A", "session": [1, 2, 3, 4],
    ...                    "wai_c": [5.0, 4.5, 4.0, 4.8], "wai_t": [4.0, 4.0, 3.0, 4.2]})
    >>> out = am.dyad_agreement(df, client_score="wai_c", therapist_score="wai_t")
    >>> out.per_dyad[["n_sessions", "mean_difference", "correlation"]].round(3)
       n_sessions  mean_difference  correlation
    0           4            0.775        0.877
    """
    func = "dyad_agreement"
    series = prepare_series(data, score=client_score, client=client, session=session, func=func)
    taken = [series.client_name, check_column(data, session, "session", func)]
    taken.append(check_column(data, client_score, "client_score", func))
    second = _second_score(data, therapist_score, taken, func)
    x = series.scores
    y = numeric_scores(data[second], second)[series.rows]
    both = ~np.isnan(x) & ~np.isnan(y)
    difference = np.where(both, x - y, np.nan)
    keys = client_keys(series, series.codes, PER_SESSION, func)
    per_session = pd.DataFrame(
        {
            series.client_name: keys,
            "session": series.sessions,
            "client_score": x,
            "therapist_score": y,
            "difference": difference,
            "abs_difference": np.abs(difference),
            "sq_difference": difference**2,
        }
    )
    columns: dict[Hashable, Any] = {
        series.client_name: client_keys(series, np.arange(series.n_clients), PER_DYAD, func)
    }
    columns.update(_dyad_summary(series.codes[both], x[both], y[both], series.n_clients))
    return DyadAgreement(per_session=per_session, per_dyad=pd.DataFrame(columns))


def _dyad_summary(codes: Any, x: FloatArray, y: FloatArray, n_dyads: int) -> dict[str, Any]:
    """Per-dyad means, difference statistics and the Pearson correlation (complete pairs)."""
    n, mean_x, _ = group_mean_sd(x, codes, n_dyads)
    _, mean_y, _ = group_mean_sd(y, codes, n_dyads)
    _, mean_d, sd_d = group_mean_sd(x - y, codes, n_dyads)
    dx, dy = x - mean_x[codes], y - mean_y[codes]
    sxx, syy, sxy = (group_sum(v, codes, n_dyads) for v in (dx * dx, dy * dy, dx * dy))
    correlation = np.full(n_dyads, np.nan)
    ok = (n >= 3) & (sxx > 0) & (syy > 0)
    correlation[ok] = sxy[ok] / np.sqrt(sxx[ok] * syy[ok])
    with np.errstate(invalid="ignore", divide="ignore"):  # empty dyads: NaN, said below
        mean_abs = np.where(n > 0, group_sum(np.abs(x - y), codes, n_dyads) / n, np.nan)
        mean_sq = np.where(n > 0, group_sum((x - y) ** 2, codes, n_dyads) / n, np.nan)
    return {
        "n_sessions": n,
        "mean_client": mean_x,
        "mean_therapist": mean_y,
        "mean_difference": mean_d,
        "sd_difference": sd_d,
        "mean_abs_difference": mean_abs,
        "mean_sq_difference": mean_sq,
        "correlation": correlation,
    }


def _center(value: object, x: FloatArray, y: FloatArray, func: str) -> float:
    if isinstance(value, str):
        choice = check_choice("center", func, value, ("none", "pooled"))
        return 0.0 if choice == "none" else float(np.mean(np.concatenate([x, y])))
    return check_number("center", func, value, minimum=-np.inf)


@table_analysis(columns=("outcome", "client_score", "therapist_score"))
def response_surface(
    data: pd.DataFrame,
    *,
    outcome: Hashable,
    client_score: Hashable,
    therapist_score: Hashable,
    center: str | float = "none",
) -> ResponseSurface:
    """Polynomial regression of an outcome on both ratings, with response-surface parameters.

    Fits ``Z = b0 + b1·X + b2·Y + b3·X² + b4·X·Y + b5·Y²`` by OLS (X the client's rating, Y
    the therapist's) and reports a1 = b1 + b2, a2 = b3 + b4 + b5, a3 = b1 − b2,
    a4 = b3 − b4 + b5 and a5 = b3 − b5 with SEs from the coefficient covariance (the
    parameters R's ``RSA`` reports). Rows are treated as independent: with several sessions
    per dyad, fit dyad means or use a multilevel model.

    Parameters
    ----------
    data
        One row per observation, with the outcome and both ratings.
    outcome, client_score, therapist_score
        Column names.
    center
        Subtracted from both ratings before the polynomial terms: ``"none"`` (default, as
        ``RSA``), ``"pooled"`` (the mean of both ratings together, keeping them on a common
        scale) or a number (e.g. the scale midpoint).

    Returns
    -------
    ResponseSurface
        Coefficients, surface parameters, n, residual df, R² and σ².

    Raises
    ------
    InputFormatError
        With fewer than 7 complete rows, or when the polynomial terms are collinear (e.g. the
        two ratings always equal).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import alliance_metrics as am
    >>> rng = np.random.default_rng(3)
    >>> x, y = rng.normal(4, 0.6, 200), rng.normal(3.8, 0.6, 200)
    >>> z = 1 + 0.5 * x + 0.3 * y - 0.4 * (x - y) ** 2 + rng.normal(0, 0.2, 200)
    >>> df = pd.DataFrame({"outcome": z, "wai_c": x, "wai_t": y})
    >>> fit = am.response_surface(df, outcome="outcome", client_score="wai_c",
    ...                           therapist_score="wai_t")
    >>> fit.surface.loc[["a2", "a4"], "estimate"].round(1).tolist()  # true: 0, −1.6
    [0.1, -1.7]
    """
    func = "response_surface"
    names = [
        check_column(data, outcome, "outcome", func),
        check_column(data, client_score, "client_score", func),
        check_column(data, therapist_score, "therapist_score", func),
    ]
    if len(set(names)) != 3:
        raise InvalidParameterError(
            f"The 'outcome', 'client_score' and 'therapist_score' parameters of {func} must "
            f"name three different columns. Got {outcome!r}, {client_score!r} and "
            f"{therapist_score!r} instead."
        )
    z, x, y = (numeric_scores(data[name], name) for name in names)
    complete = ~(np.isnan(z) | np.isnan(x) | np.isnan(y))
    z, x, y = z[complete], x[complete], y[complete]
    shift = _center(center, x, y, func)
    x, y = x - shift, y - shift
    design = np.column_stack([np.ones(len(z)), x, y, x * x, x * y, y * y])
    if len(z) < 7:
        raise InputFormatError(
            f"{func} needs at least 7 rows with the outcome and both ratings; {len(z)} found."
        )
    beta, _, rank, _ = np.linalg.lstsq(design, z, rcond=None)
    if rank < 6:
        raise InputFormatError(
            f"{func}: the polynomial terms are collinear (the ratings vary too little or "
            "move together exactly); the surface cannot be estimated."
        )
    residual = z - design @ beta
    df_resid = len(z) - 6
    sigma2 = float(residual @ residual / df_resid)
    cov = sigma2 * np.linalg.inv(design.T @ design)
    total = float(((z - z.mean()) ** 2).sum())
    r_squared = 1.0 - float(residual @ residual) / total if total > 0 else float("nan")
    b_se = np.sqrt(np.diag(cov)).astype(np.float64)
    coefficients = _table(beta.astype(np.float64), b_se, df_resid, [f"b{i}" for i in range(6)])
    surface = surface_parameters(beta, cov)
    estimate = np.asarray(surface["estimate"], dtype=np.float64)
    se = np.asarray(surface["se"], dtype=np.float64)
    surface = _table(estimate, se, df_resid, list(surface.index))
    return ResponseSurface(coefficients, surface, len(z), df_resid, r_squared, sigma2, shift)


def _table(estimate: FloatArray, se: FloatArray, df: int, terms: list[str]) -> pd.DataFrame:
    with np.errstate(divide="ignore", invalid="ignore"):  # a zero SE: t is ±inf, p is 0
        t = estimate / se
    p = 2.0 * stats.t.sf(np.abs(t), df)
    frame = {"estimate": estimate, "se": se, "t": t, "p": p}
    return pd.DataFrame(frame, index=pd.Index(terms, name="term"))
