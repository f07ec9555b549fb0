"""Count, mean and SD of the three-session windows of sudden-change criterion 3.

Two ways to compute the same statistics of a run of three grid cells (NaN dropped):

- :func:`run_statistics`: float64 over every run of the grid at once (shifted slices, one pass
  per statistic); the mean gets R's correcting second pass. Within a few ulps of R.
- :func:`r_run_statistics`: R's ``mean(x, na.rm = TRUE)`` and ``sd(x, na.rm = TRUE)``
  operation for operation (long-double sums in index order; the mean's correcting pass; squared
  deviations from the double-rounded mean summed in long double, divided by n − 1 and rounded
  to double before the square root). Bit-identical to R where the platform's long double is
  R's x87 80-bit type (Linux and Windows on x86-64), and about ten times slower.

The criterion uses the fast statistics and recomputes with R's arithmetic only the intervals
whose decision lies within a relative 1e-9 of its threshold, so every flag is R's.
Loops below run over the three cells of a window, never over rows or clients.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["pooled_sd", "r_run_statistics", "run_statistics"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
Statistics = tuple[IntArray, FloatArray, FloatArray]


def _finish(count: IntArray, mean: FloatArray, variance: FloatArray) -> Statistics:
    mean[count == 0] = np.nan
    variance[count < 2] = np.nan
    return count, mean, np.sqrt(variance)


def run_statistics(values: FloatArray) -> Statistics:
    """Count, mean and SD (ddof 1) of every run ``values[q:q + 3]``, q = 0 … len − 3.

    Examples
    --------
    >>> import numpy as np
    >>> count, mean, sd = run_statistics(np.array([1.0, 2.0, 6.0, np.nan, 5.0]))
    >>> count.tolist(), mean.tolist(), sd.round(6).tolist()
    ([3, 2, 2], [3.0, 4.0, 5.5], [2.645751, 2.828427, 0.707107])
    """
    present = ~np.isnan(values)
    filled = np.where(present, values, 0.0)
    size = max(len(values) - 2, 0)
    runs = [slice(j, j + size) for j in range(3)]
    count = (present[runs[0]].astype(np.int64) + present[runs[1]]) + present[runs[2]]
    n = np.maximum(count, 1)
    mean = ((filled[runs[0]] + filled[runs[1]]) + filled[runs[2]]) / n
    correction = np.zeros(size)
    for run in runs:
        correction += np.where(present[run], filled[run] - mean, 0.0)
    mean += correction / n
    squares = np.zeros(size)
    for run in runs:
        deviation = filled[run] - mean
        squares += np.where(present[run], deviation * deviation, 0.0)
    return _finish(count, mean, squares / np.maximum(count - 1, 1))


def r_run_statistics(cells: FloatArray) -> Statistics:
    """Count, mean and SD of each row of ``cells`` (m × 3) computed as R computes them.

    Examples
    --------
    >>> import numpy as np
    >>> count, mean, sd = r_run_statistics(np.array([[0.1, 0.2, 0.3]]))
    >>> bool(mean[0] == 0.2), bool((0.1 + 0.2 + 0.3) / 3 == 0.2)  # R: mean(c(.1,.2,.3)) == .2
    (True, False)
    """
    present = ~np.isnan(cells)
    filled = np.where(present, cells, 0.0).astype(np.longdouble)
    count = present.sum(axis=1).astype(np.int64)
    n = np.maximum(count, 1).astype(np.longdouble)
    total = np.zeros(len(cells), dtype=np.longdouble)
    for j in range(cells.shape[1]):
        total += filled[:, j]
    mean_ld = total / n
    correction = np.zeros(len(cells), dtype=np.longdouble)
    for j in range(cells.shape[1]):
        correction += np.where(present[:, j], filled[:, j] - mean_ld, 0.0)
    mean = (mean_ld + correction / n).astype(np.float64)
    centre = mean.astype(np.longdouble)
    squares = np.zeros(len(cells), dtype=np.longdouble)
    for j in range(cells.shape[1]):
        deviation = filled[:, j] - centre
        squares += np.where(present[:, j], deviation * deviation, 0.0)
    variance = (squares / np.maximum(count - 1, 1).astype(np.longdouble)).astype(np.float64)
    return _finish(count, mean, variance)


def pooled_sd(
    n_pre: IntArray, sd_pre: FloatArray, n_post: IntArray, sd_post: FloatArray
) -> FloatArray:
    """``√(((n1−1)·s1² + (n2−1)·s2²)/(n1+n2−2))`` as suddengains writes it; NaN below 2 + 2.

    Examples
    --------
    >>> import numpy as np
    >>> pooled_sd(np.array([3, 1]), np.array([1.0, np.nan]), np.array([3, 3]), np.array([3.0, 1.0]))
    array([2.23606798,        nan])
    """
    usable = (n_pre >= 2) & (n_post >= 2)
    df = np.where(usable, n_pre + n_post - 2, 1)
    pooled = ((n_pre - 1) * sd_pre**2 + (n_post - 1) * sd_post**2) / df
    return np.where(usable, np.sqrt(np.where(usable, pooled, 0.0)), np.nan)
