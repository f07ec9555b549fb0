"""Within/between decomposition of session scores and per-client trajectory features (§5).

The alliance measured session after session mixes a stable between-client part (the person
mean) and a within-client part (deviations from it); session-level analyses of the alliance's
effect on outcome need them apart (Wang & Maxwell 2015; Falkenström et al. 2017, who show the
estimates depend strongly on whether each client's linear trend is removed first). Everything
here is computed over all clients at once, with group sums, never a loop over clients.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliance_metrics.errors import InvalidParameterError
from alliance_metrics.frames.analyses import table_analysis
from alliance_metrics.longitudinal._arguments import check_integer
from alliance_metrics.longitudinal._frames import client_keys, with_columns
from alliance_metrics.longitudinal._groups import group_mean_sd, group_sum, offsets
from alliance_metrics.longitudinal._series import Series, prepare_series

__all__ = ["decompose", "linear_trends", "person_means", "previous_valid", "trajectory_features"]

_SERIES = ("score", "client", "session")

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

TREND_MIN_SESSIONS = 3
"""Valid sessions a client needs for its OLS line, slope SE and r² (SESSION-SERIES §5)."""
FEATURE_COLUMNS = (
    "n_sessions", "first_session", "last_session", "first_score", "last_score", "change",
    "early_score", "mean", "within_sd", "min", "max", "slope", "intercept", "slope_se",
    "r_squared",
)  # fmt: skip


def previous_valid(codes: IntArray, scores: FloatArray) -> IntArray:
    """Row of each row's previous valid score in the same client (−1 when there is none).

    Examples
    --------
    >>> previous_valid(np.array([0, 0, 0, 1]), np.array([4.0, np.nan, 5.0, 3.0])).tolist()
    [-1, 0, 0, -1]
    """
    n = len(scores)
    marks = np.where(~np.isnan(scores), np.arange(n), -1)
    latest = np.maximum.accumulate(marks) if n else marks  # last valid row up to each row
    previous = np.full(n, -1, dtype=np.int64)
    previous[1:] = latest[:-1]
    starts = offsets(codes, int(codes.max(initial=-1)) + 1)
    previous[previous < starts[codes]] = -1  # the previous valid row belongs to another client
    return previous


def linear_trends(
    codes: IntArray, sessions: IntArray, scores: FloatArray, n_clients: int
) -> dict[str, FloatArray]:
    """OLS line of score on session per client (valid scores; ≥ 3 of them, else NaN).

    Returns per-client arrays ``slope``, ``intercept`` (at session 0), ``slope_se``
    (``sqrt(SSE / (n − 2) / Sxx)``) and ``r_squared`` (``1 − SSE / Syy``; NaN when every score
    is the same), computed two-pass from deviations about the client's means.
    """
    valid = ~np.isnan(scores)
    c, x, y = codes[valid], sessions[valid].astype(np.float64), scores[valid]
    n, y_mean, _ = group_mean_sd(y, c, n_clients)
    _, x_mean, _ = group_mean_sd(x, c, n_clients)
    dx, dy = x - x_mean[c], y - y_mean[c]
    sxx, sxy, syy = (group_sum(v, c, n_clients) for v in (dx * dx, dx * dy, dy * dy))
    fit = (n >= TREND_MIN_SESSIONS) & (sxx > 0)
    slope = np.full(n_clients, np.nan)
    slope[fit] = sxy[fit] / sxx[fit]
    intercept = y_mean - slope * x_mean
    sse = group_sum((dy - slope[c] * dx) ** 2, c, n_clients)
    slope_se = np.full(n_clients, np.nan)
    slope_se[fit] = np.sqrt(sse[fit] / (n[fit] - 2) / sxx[fit])
    r_squared = np.full(n_clients, np.nan)
    spread = fit & (syy > 0)
    r_squared[spread] = 1.0 - sse[spread] / syy[spread]
    return {"slope": slope, "intercept": intercept, "slope_se": slope_se, "r_squared": r_squared}


def person_means(series: Series) -> tuple[IntArray, FloatArray, float]:
    """Count the valid scores of each client, their mean, and the mean of those means.

    The Dask engine takes the grand mean from here too, over the whole data.
    """
    valid = ~np.isnan(series.scores)
    counts, means, _ = group_mean_sd(series.scores[valid], series.codes[valid], series.n_clients)
    grand = float(np.mean(means[counts > 0])) if (counts > 0).any() else np.nan
    return counts, means, grand


def _decomposition(series: Series, detrend: bool) -> dict[str, Any]:
    """Compute the decompose columns, in the sorted row order of ``series``."""
    codes, scores, sessions = series.codes, series.scores, series.sessions
    counts, means, grand = person_means(series)
    person_mean = means[codes]
    previous = previous_valid(codes, scores)
    has = previous >= 0
    lag1 = np.where(has, scores[np.maximum(previous, 0)], np.nan)
    gap = pd.array(sessions - sessions[np.maximum(previous, 0)] - 1, dtype="Int64")
    gap[~has] = pd.NA
    columns: dict[str, Any] = {
        "person_mean": person_mean,
        "n_sessions": counts[codes],
        "within": scores - person_mean,
        "person_mean_centered": person_mean - grand,
        "lag1": lag1,
        "lag1_gap": gap,
        "diff1": scores - lag1,
    }
    if detrend:
        lines = linear_trends(codes, sessions, scores, series.n_clients)
        trend = lines["intercept"][codes] + lines["slope"][codes] * sessions
        columns["trend"] = trend
        columns["detrended"] = scores - trend
    return columns


@table_analysis(columns=_SERIES, appends=True, dask=True)
def decompose(
    data: pd.DataFrame,
    *,
    score: Hashable,
    client: Hashable = "client_id",
    session: Hashable = "session",
    detrend: bool = False,
) -> pd.DataFrame:
    """Split each session's score into a between-client and a within-client part.

    Parameters
    ----------
    data
        Long table, one row per administration, in any order.
    score, client, session
        Column names.
    detrend
        Also remove each client's OLS line of score on session (clients with ≥ 3 valid scores).

    Returns
    -------
    pandas.DataFrame
        Every input row, in input order, with its index and columns, plus: ``person_mean``
        (mean of the client's valid scores), ``n_sessions`` (their number), ``within``
        (score − person mean), ``person_mean_centered`` (person mean − the mean of the person
        means), ``lag1`` (the client's previous valid score, however far back), ``lag1_gap``
        (sessions missing in between; nullable integer) and ``diff1`` (score − lag1). With
        ``detrend=True``: ``trend`` (the client's OLS line at this session) and ``detrended``
        (score − trend). A row without a valid score gets NaN for its own deviations.

    Examples
    --------
    >>> import pandas as pd
    >>> import alliance_metrics as am
    >>> df = pd.DataFrame({"client_id": "A", "session": [1, 2, 3, 4],
    ...                    "wai": [4.0, 4.5, 3.5, 5.0]})
    >>> out = am.decompose(df, score="wai", detrend=True)
    >>> out[["within", "lag1", "diff1", "detrended"]].round(2)
       within  lag1  diff1  detrended
    0   -0.25   NaN    NaN       0.05
    1    0.25   4.0    0.5       0.35
    2   -0.75   4.5   -1.0      -0.85
    3    0.75   3.5    1.5       0.45
    """
    func = "decompose"
    if not isinstance(detrend, bool | np.bool_):
        raise InvalidParameterError(
            f"The 'detrend' parameter of {func} must be True or False. Got {detrend!r} instead."
        )
    series = prepare_series(data, score=score, client=client, session=session, func=func)
    columns = _decomposition(series, bool(detrend))
    if not np.array_equal(series.rows, np.arange(series.n_rows)):
        for name, values in columns.items():  # back to the caller's row order
            restored = values.copy()
            restored[series.rows] = values
            columns[name] = restored
    result = with_columns(data, columns, func)
    result.attrs["alliance_metrics"] = {"function": func, "detrend": bool(detrend)}
    return result


@table_analysis(columns=_SERIES, dask=True)
def trajectory_features(
    data: pd.DataFrame,
    *,
    score: Hashable,
    client: Hashable = "client_id",
    session: Hashable = "session",
    early_session: int = 3,
) -> pd.DataFrame:
    """Describe each client's series: level, change, early alliance, linear trend, spread.

    Parameters
    ----------
    data
        Long table, one row per administration, in any order.
    score, client, session
        Column names.
    early_session
        Session whose score is the "early alliance" (session 3 by default, the usual
        predictor of outcome); NaN when the client has no valid score there.

    Returns
    -------
    pandas.DataFrame
        One row per client (sorted by key): the client column, ``n_sessions`` (valid scores),
        ``first_session``, ``last_session`` (nullable integers), ``first_score``,
        ``last_score``, ``change`` (last − first), ``early_score``, ``mean``, ``within_sd``
        (SD of the client's scores, ddof 1), ``min``, ``max``, and the OLS line of score on
        session — ``slope``, ``intercept`` (at session 0), ``slope_se`` and ``r_squared`` —
        for clients with at least 3 valid scores (else NaN).

    Examples
    --------
    >>> import pandas as pd
    >>> import alliance_metrics as am
    >>> df = pd.DataFrame({"client_id": "A", "session": [1, 2, 3, 4],
    ...                    "wai": [4.0, 4.5, 3.5, 5.0]})
    >>> out = am.trajectory_features(df, score="wai")
    >>> out[["n_sessions", "change", "early_score", "slope", "intercept"]].round(4)
       n_sessions  change  early_score  slope  intercept
    0           4     1.0          3.5    0.2       3.75
    """
    func = "trajectory_features"
    early = check_integer("early_session", func, early_session, minimum=0)
    series = prepare_series(data, score=score, client=client, session=session, func=func)
    table = _features(series, early)
    keys = client_keys(series, np.arange(series.n_clients), FEATURE_COLUMNS, func)
    columns: dict[Hashable, Any] = {series.client_name: keys, **table}
    result = pd.DataFrame(columns)
    result.attrs["alliance_metrics"] = {
        "function": func,
        "early_session": early,
        "trend_min_sessions": TREND_MIN_SESSIONS,
    }
    return result


def _features(series: Series, early: int) -> dict[Hashable, Any]:
    """Per-client features from the valid rows (clients without any get NaN / NA)."""
    n_clients = series.n_clients
    valid = ~np.isnan(series.scores)
    codes, sessions, scores = series.codes[valid], series.sessions[valid], series.scores[valid]
    counts, mean, sd = group_mean_sd(scores, codes, n_clients)
    starts = offsets(codes, n_clients)
    filled = counts > 0
    first_row, last_row = starts[:-1][filled], starts[1:][filled] - 1
    first_score, last_score, low, high = (np.full(n_clients, np.nan) for _ in range(4))
    first_score[filled], last_score[filled] = scores[first_row], scores[last_row]
    if filled.any():
        low[filled] = np.minimum.reduceat(scores, first_row)
        high[filled] = np.maximum.reduceat(scores, first_row)
    first_session = pd.array(np.zeros(n_clients, dtype=np.int64), dtype="Int64")
    last_session = first_session.copy()
    first_session[filled], last_session[filled] = sessions[first_row], sessions[last_row]
    first_session[~filled] = pd.NA
    last_session[~filled] = pd.NA
    early_score = np.full(n_clients, np.nan)
    at_early = sessions == early
    early_score[codes[at_early]] = scores[at_early]
    table: dict[Hashable, Any] = {
        "n_sessions": counts,
        "first_session": first_session,
        "last_session": last_session,
        "first_score": first_score,
        "last_score": last_score,
        "change": last_score - first_score,
        "early_score": early_score,
        "mean": mean,
        "within_sd": sd,
        "min": low,
        "max": high,
    }
    table.update(linear_trends(codes, sessions, scores, n_clients))
    return table
