"""The mean trajectory: per session, the mean score across clients and its t interval.

What the spaghetti plot draws as its thick line and band (``plot_trajectories``). Every valid
score of a session counts once; clients who stopped earlier are simply absent from the later
sessions, so the mean of late sessions describes the clients still attending (no imputation).
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import pandas as pd
from scipy import stats

from alliance_metrics._params import check_ci
from alliance_metrics.frames.analyses import table_analysis
from alliance_metrics.longitudinal._groups import group_mean_sd
from alliance_metrics.longitudinal._series import prepare_series

__all__ = ["SESSION_MEAN_COLUMNS", "mean_trajectory", "session_means"]

SESSION_MEAN_COLUMNS = ("session", "n", "mean", "sd", "se", "ci_lower", "ci_upper")


@table_analysis(columns=("score", "client", "session"))
def session_means(
    data: pd.DataFrame,
    *,
    score: Hashable,
    client: Hashable = "client_id",
    session: Hashable = "session",
    ci: float = 0.95,
) -> pd.DataFrame:
    """Mean score of every session across clients, with its t confidence interval.

    For session ``s`` with ``n`` valid scores, mean ``m`` and SD ``sd`` (ddof 1), the interval
    is ``m ± t(1 − (1 − ci)/2; n − 1) · sd / √n`` — what R's ``t.test(x, conf.level = ci)``
    reports for the scores of that session.

    Parameters
    ----------
    data
        Long table, one row per administration, in any order: a pandas or polars DataFrame or
        a pyarrow Table (the result is the same kind).
    score, client, session
        Column names (``score`` may be a ``score_frame`` column such as ``"wai_sr_total"``).
        The client column is checked (one row per client and session) but not averaged over:
        each valid score counts once.
    ci
        Confidence level of the interval, strictly between 0 and 1.

    Returns
    -------
    pandas.DataFrame
        One row per session number present in ``data`` (ascending): ``session``, ``n`` (valid
        scores), ``mean``, ``sd``, ``se`` (``sd / √n``), ``ci_lower`` and ``ci_upper``. The mean
        is NaN without a valid score; ``sd``, ``se`` and the interval need two.
        ``attrs["alliance_metrics"]`` holds the level.

    Raises
    ------
    InvalidParameterError
        For a bad level or a column that is not in ``data``.
    InputFormatError
        For duplicated client–session pairs, non-numeric scores or non-integer sessions.

    Examples
    --------
    >>> import pandas as pd
    >>> import alliance_metrics as am
    >>> df = pd.DataFrame({"client_id": ["A", "A", "B", "B", "C"], "session": [1, 2, 1, 2, 1],
    ...                    "wai": [3.0, 4.0, 4.0, 5.0, 5.0]})
    >>> am.session_means(df, score="wai").round(4)
       session  n  mean      sd      se  ci_lower  ci_upper
    0        1  3   4.0  1.0000  0.5774    1.5159    6.4841
    1        2  2   4.5  0.7071  0.5000   -1.8531   10.8531
    """
    return mean_trajectory(data, score, client, session, ci, "session_means")


def mean_trajectory(
    data: object, score: Hashable, client: Hashable, session: Hashable, ci: object, func: str
) -> pd.DataFrame:
    """:func:`session_means` of a pandas frame, its messages naming ``func`` (the caller)."""
    level = check_ci(ci, func)
    series = prepare_series(data, score=score, client=client, session=session, func=func)
    numbers, where = np.unique(series.sessions, return_inverse=True)
    valid = ~np.isnan(series.scores)
    n, mean, sd = group_mean_sd(series.scores[valid], where[valid], len(numbers))
    sd = np.where(n > 1, sd, np.nan)
    se = np.full(len(numbers), np.nan)
    half = np.full(len(numbers), np.nan)
    spread = n > 1
    se[spread] = sd[spread] / np.sqrt(n[spread])
    quantile = stats.t.ppf(1.0 - (1.0 - level) / 2.0, n[spread] - 1)
    half[spread] = np.asarray(quantile, dtype=np.float64) * se[spread]
    result = pd.DataFrame(
        {
            "session": numbers.astype(np.int64),
            "n": n,
            "mean": mean,
            "sd": sd,
            "se": se,
            "ci_lower": mean - half,
            "ci_upper": mean + half,
        }
    )
    result.attrs["alliance_metrics"] = {"function": func, "ci": level}
    return result
