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
