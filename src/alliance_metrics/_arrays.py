"""NumPy array aliases and the row blocks that keep batch temporaries cache-sized."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = [
    "BLOCK_ROWS",
    "BoolArray",
    "CodeArray",
    "FloatArray",
    "IntArray",
    "round_half_even",
    "row_blocks",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
CodeArray = npt.NDArray[np.int8]
BoolArray = npt.NDArray[np.bool_]

BLOCK_ROWS = 1 << 15
"""Rows per block on batch paths: keeps temporaries in cache instead of allocating n × k."""


def row_blocks(n_rows: int, size: int = BLOCK_ROWS) -> list[slice]:
    """Split ``range(n_rows)`` into consecutive slices of at most ``size`` rows.

    Examples
    --------
    >>> row_blocks(5, 2)
    [slice(0, 2, None), slice(2, 4, None), slice(4, 5, None)]
    """
    return [slice(start, min(start + size, n_rows)) for start in range(0, n_rows, size)]


_SPLITTER = 134217729.0  # 2**27 + 1: Veltkamp's split of a double into two 26-bit halves
_EXACT_INTEGERS = 2.0**53  # from here on a double's step is 2 or more


def _product_error(a: FloatArray, b: float) -> FloatArray:
    """Return ``a*b - fl(a*b)`` exactly (Dekker's two-product, without a fused multiply-add)."""
    product = a * b
    big = a * _SPLITTER
    a_high = big - (big - a)
    a_low = a - a_high
    small = b * _SPLITTER
    b_high = small - (small - b)
    b_low = b - b_high
    error: FloatArray = (
        ((a_high * b_high - product) + a_high * b_low) + a_low * b_high
    ) + a_low * b_low
    return error


def round_half_even(values: FloatArray, decimals: int) -> FloatArray:
    """Round to ``decimals`` places, half to even, on each double's exact binary value.

    The result is the double nearest to the correctly rounded decimal, as Python's
    ``round(x, decimals)`` gives. ``np.round`` scales, rounds and divides, and the scaling
    itself rounds: ``np.round(3.6666666666666665, 15)`` is ``3.666666666666666`` where
    the digits say ``…667``. Here the scaling's rounding error is recovered exactly
    (Dekker's two-product) to settle the cases it moved onto or off a half.

    Examples
    --------
    >>> x = np.array([3.6666666666666665, 2.675, 0.125, -0.125, np.nan, 1e300])
    >>> round_half_even(x, 15).tolist()[:1], round_half_even(x, 2).tolist()
    ([3.666666666666667], [3.67, 2.67, 0.12, -0.12, nan, 1e+300])
    """
    if not 0 <= decimals <= 22:  # 10**22 is the largest exact power of ten
        raise ValueError("decimals must be from 0 to 22")
    values = np.asarray(values, dtype=np.float64)
    scale = 10.0**decimals
    with np.errstate(over="ignore", invalid="ignore"):
        scaled = values * scale
        error = _product_error(values, scale)
        nearest = np.rint(scaled)  # half to even on the rounded product
        half = np.abs(scaled - np.trunc(scaled)) == 0.5
        # on a half of the rounded product, the exact product lies above or below it
        up = half & (error > 0)
        down = half & (error < 0)
        nearest = np.where(up & (scaled > 0), np.ceil(scaled), nearest)
        nearest = np.where(up & (scaled < 0), np.trunc(scaled), nearest)
        nearest = np.where(down & (scaled > 0), np.trunc(scaled), nearest)
        nearest = np.where(down & (scaled < 0), np.floor(scaled), nearest)
        # from 2**52 the rounded product is an integer, but the exact one may sit on a half
        tie = (scaled == np.trunc(scaled)) & (np.abs(error) == 0.5)
        odd = np.fmod(scaled, 2.0) != 0
        nearest = np.where(tie & odd, scaled + np.sign(error), nearest)
        rounded: FloatArray = nearest / scale
    # from 2**53 a step of the double is wider than 10**-decimals: the double is the answer
    keep = ~np.isfinite(scaled) | (np.abs(scaled) >= _EXACT_INTEGERS) | ~np.isfinite(error)
    return np.where(keep, values, rounded)
