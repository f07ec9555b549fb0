"""Group arithmetic over a client-by-client layout: observed rows, counts, means, SDs, positions.

Every function works on plain NumPy arrays with group offsets (``starts``, length
``n_groups + 1``) or group codes, vectorised across all groups, so the pandas, polars and Dask
front ends share it. Means and SDs are two-pass (deviations from the group mean), as R's
``mean``/``sd`` are, rather than from running sums.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from alliance_metrics.longitudinal._series import Series

__all__ = [
    "Observed",
    "group_mean_sd",
    "group_sum",
    "observed_rows",
    "offsets",
    "positions",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class Observed:
    """The rows of a :class:`Series` that hold a valid score, still client by client.

    Attributes
    ----------
    codes, starts
        Client code of every observed row and the group offsets (length ``n_clients + 1``;
        a client without a valid score owns an empty group).
    sessions, scores
        Session numbers and (finite) scores of the observed rows.
    index
        Position of every observed row in the :class:`Series` arrays.
    """

    codes: IntArray
    starts: IntArray
    sessions: IntArray
    scores: FloatArray
    index: IntArray

    @property
    def n_clients(self) -> int:
        """Number of clients (groups), including those without a valid score."""
        return len(self.starts) - 1

    def counts(self) -> IntArray:
        """Observed sessions per client."""
        return np.diff(self.starts)


def offsets(codes: IntArray, n_groups: int) -> IntArray:
    """Group offsets of sorted ``codes`` (length ``n_groups + 1``).

    Examples
    --------
    >>> offsets(np.array([0, 0, 2]), 3).tolist()
    [0, 2, 2, 3]
    """
    return np.searchsorted(codes, np.arange(n_groups + 1)).astype(np.int64)


def observed_rows(series: Series) -> Observed:
    """Keep the administrations of ``series`` that have a valid score.

    Examples
    --------
    >>> import pandas as pd
    >>> from alliance_metrics.longitudinal._series import prepare_series
    >>> df = pd.DataFrame({"c": [1, 1, 2], "s": [1, 2, 1], "y": [4.0, None, 3.0]})
    >>> obs = observed_rows(prepare_series(df, score="y", client="c", session="s", func="f"))
    >>> obs.starts.tolist(), obs.scores.tolist()
    ([0, 1, 2], [4.0, 3.0])
    """
    index = np.flatnonzero(~np.isnan(series.scores)).astype(np.int64)
    codes = series.codes[index]
    return Observed(
        codes=codes,
        starts=offsets(codes, series.n_clients),
        sessions=series.sessions[index],
        scores=series.scores[index],
        index=index,
    )


def positions(starts: IntArray) -> IntArray:
    """Position of every row within its group (0 for a group's first row).

    Examples
    --------
    >>> positions(np.array([0, 2, 2, 5])).tolist()
    [0, 1, 0, 1, 2]
    """
    sizes = np.diff(starts)
    return np.arange(starts[-1], dtype=np.int64) - np.repeat(starts[:-1], sizes)


def group_sum(values: FloatArray, codes: IntArray, n_groups: int) -> FloatArray:
    """Sum of ``values`` per group (0 for an empty group)."""
    return np.bincount(codes, weights=values, minlength=n_groups).astype(np.float64)


def group_mean_sd(
    values: FloatArray, codes: IntArray, n_groups: int
) -> tuple[IntArray, FloatArray, FloatArray]:
    """Count, mean and SD (ddof 1) of finite ``values`` per group; NaN where undefined.

    The mean is NaN for an empty group, the SD for a group of fewer than two values.

    Examples
    --------
    >>> n, mean, sd = group_mean_sd(np.array([1.0, 3.0, 5.0]), np.array([0, 0, 1]), 3)
    >>> n.tolist(), mean.tolist(), sd.round(6).tolist()
    ([2, 1, 0], [2.0, 5.0, nan], [1.414214, nan, nan])
    """
    counts = np.bincount(codes, minlength=n_groups).astype(np.int64)
    totals = group_sum(values, codes, n_groups)
    mean = np.full(n_groups, np.nan)
    filled = counts > 0
    mean[filled] = totals[filled] / counts[filled]
    squares = group_sum((values - mean[codes]) ** 2, codes, n_groups)
    sd = np.full(n_groups, np.nan)
    spread = counts > 1
    sd[spread] = np.sqrt(squares[spread] / (counts[spread] - 1))
    return counts, mean, sd
