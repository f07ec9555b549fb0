"""Which clients' data allow a sudden change to be found (suddengains ``select_cases``)."""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import pandas as pd

from alliance_metrics.frames.analyses import table_analysis
from alliance_metrics.longitudinal._sudden_core import pattern_intervals
from alliance_metrics.longitudinal.sudden import CASE_COLUMNS, GRID_NOTE, client_column, prepare

__all__ = ["sudden_change_cases"]

_SERIES = ("score", "client", "session")


@table_analysis(columns=_SERIES, dask=True)
def sudden_change_cases(
    data: pd.DataFrame,
    *,
    score: Hashable,
    client: Hashable = "client_id",
    session: Hashable = "session",
) -> pd.DataFrame:
    """Select clients whose data allow a sudden change to be found (suddengains ``select_cases``).

    A client is selected (method ``"pattern"``) when at least one interval n → n+1 has both
    scores observed, at least one of x_{n−2}, x_{n−1} and at least one of x_{n+2}, x_{n+3}
    observed: the availability patterns ``. x x x x .``, ``. x x x . x``, ``x . x x x .`` and
    ``x . x x . x`` (x observed, . either). Those are the intervals on which criteria 1 and 3
    of :func:`sudden_changes` can both be evaluated.

    Returns
    -------
    pandas.DataFrame
        One row per client, sorted: the client column, ``n_sessions`` (sessions with a valid
        score), ``n_pattern_intervals`` (intervals that fit a pattern) and ``selected``.

    Examples
    --------
    >>> import pandas as pd
    >>> import alliance_metrics as am
    >>> df = pd.DataFrame({"client_id": ["A"] * 6 + ["B"] * 4,
    ...                    "session": [1, 2, 3, 4, 5, 6, 1, 2, 3, 4],
    ...                    "wai": [5, None, 4, 3, None, 4, 5, 4, None, 4]})
    >>> am.sudden_change_cases(df, score="wai")
      client_id  n_sessions  n_pattern_intervals  selected
    0         A           4                    1      True
    1         B           3                    0     False
    """
    func = "sudden_change_cases"
    series, grid = prepare(data, score, client, session, func)
    codes, fits = pattern_intervals(grid)
    n_fit = np.bincount(codes[fits], minlength=series.n_clients).astype(np.int64)
    valid = ~np.isnan(series.scores)
    n_valid = np.bincount(series.codes[valid], minlength=series.n_clients).astype(np.int64)
    every = np.arange(series.n_clients, dtype=np.int64)
    frame = pd.DataFrame(
        {
            series.client_name: client_column(series, every, CASE_COLUMNS, func),
            "n_sessions": n_valid,
            "n_pattern_intervals": n_fit,
            "selected": n_fit > 0,
        }
    )
    frame.attrs["alliance_metrics"] = {"function": func, "method": "pattern", "grid": GRID_NOTE}
    return frame
