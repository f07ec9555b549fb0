"""Each client's first and last valid scores: a long session table made wide for reliable change.

The wide table is what :func:`~alliance_metrics.reliable_change` and
:func:`~alliance_metrics.clinical_significance` take (one row per client).
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import pandas as pd

from alliance_metrics.errors import InvalidParameterError
from alliance_metrics.frames.analyses import table_analysis
from alliance_metrics.longitudinal._series import prepare_series

__all__ = ["first_last"]

_SERIES = ("score", "client", "session")


@table_analysis(columns=_SERIES, dask=True)
def first_last(
    data: pd.DataFrame,
    *,
    score: Hashable,
    client: Hashable = "client_id",
    session: Hashable = "session",
) -> pd.DataFrame:
    """Each client's first and last valid scores, from a long table to a wide one.

    Sessions without a valid score are skipped. A client with one valid score has it as
    ``pre`` and a missing ``post`` (so no change is computed for it); a client without any has
    both missing.

    Returns
    -------
    pandas.DataFrame
        One row per client, sorted: the client column, ``first_session``, ``pre``,
        ``last_session``, ``post`` and ``n_sessions`` (sessions with a valid score).

    Examples
    --------
    >>> import pandas as pd
    >>> import alliance_metrics as am
    >>> long = pd.DataFrame({"client_id": ["a", "a", "a", "b"], "session": [3, 1, 2, 1],
    ...                      "ors": [30.5, None, 22.0, 18.0]})
    >>> am.first_last(long, score="ors")
      client_id  first_session   pre  last_session  post  n_sessions
    0         a              2  22.0             3  30.5           2
    1         b              1  18.0          <NA>   NaN           1
    """
    func = "first_last"
    series = prepare_series(data, score=score, client=client, session=session, func=func)
    valid = np.flatnonzero(~np.isnan(series.scores))
    codes = series.codes[valid]
    n_valid = np.bincount(codes, minlength=series.n_clients).astype(np.int64)
    has = n_valid > 0
    first_row = np.zeros(series.n_clients, dtype=np.int64)
    last_row = np.zeros(series.n_clients, dtype=np.int64)
    first_row[has] = valid[np.searchsorted(codes, np.flatnonzero(has), side="left")]
    last_row[has] = valid[np.searchsorted(codes, np.flatnonzero(has), side="right") - 1]
    two = n_valid > 1
    reserved = ("first_session", "pre", "last_session", "post", "n_sessions")
    if series.client_name in reserved:
        raise InvalidParameterError(
            f"The 'client' parameter of {func} names a column called {series.client_name!r}, "
            "which is also an output column; rename it first."
        )
    return pd.DataFrame(
        {
            series.client_name: series.labels,
            "first_session": pd.array(np.where(has, series.sessions[first_row], 0), "Int64"),
            "pre": np.where(has, series.scores[first_row], np.nan),
            "last_session": pd.array(np.where(two, series.sessions[last_row], 0), "Int64"),
            "post": np.where(two, series.scores[last_row], np.nan),
            "n_sessions": n_valid,
        }
    ).pipe(_mask_sessions, has, two)


def _mask_sessions(frame: pd.DataFrame, has: np.ndarray, two: np.ndarray) -> pd.DataFrame:
    frame.loc[~has, "first_session"] = pd.NA
    frame.loc[~two, "last_session"] = pd.NA
    return frame
