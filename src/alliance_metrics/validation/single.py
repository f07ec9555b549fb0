"""Per-value backend: one administration (a short row of cells), for ``am.score``."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from alliance_metrics._arrays import CodeArray, FloatArray
from alliance_metrics.validation.rules import CellRules, coerce_cell

__all__ = ["coerce_row"]


def coerce_row(row: Sequence[object], rules: CellRules) -> tuple[FloatArray, CodeArray]:
    """Coerce one administration with :func:`~.rules.coerce_cell`, cell by cell.

    Returns a (1 × k) float64 matrix and the matching issue codes. A per-value Python path:
    used for single administrations only, never on a batch path.

    Examples
    --------
    >>> import alliance_metrics as am
    >>> rules = CellRules.build(am.get_instrument("wai-b3").response_scale)
    >>> values, codes = coerce_row([4, "Always", "9"], rules)
    >>> values.tolist(), codes.tolist()
    ([[4.0, 5.0, nan]], [[0, 0, 2]])
    """
    decided = [coerce_cell(cell, rules) for cell in row]
    values = np.array([[value for value, _ in decided]], dtype=np.float64)
    codes = np.array([[code for _, code in decided]], dtype=np.int8)
    return values, codes
