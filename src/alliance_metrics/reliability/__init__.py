"""Cronbach's alpha and McDonald's omega of an item matrix, as R ``psych`` computes them.

* :mod:`.items`: which items and rows a statistic uses (items without variance are left out, as
  ``psych::alpha`` does; too few rows give NaN), and the ``keys=`` / ``bounds=`` of plain
  matrices (reversed as ``min + max − x`` with the declared bounds).
* :mod:`.alpha`: :func:`cronbach_alpha`, :class:`AlphaResult` and the item-deletion statistics.
* :mod:`.omega`: :func:`omega_total` and :class:`OmegaTotal`.

The instrument-aware :mod:`alliance_metrics.psychometrics` keys an instrument's items and uses
these per scale.
"""

from __future__ import annotations

from alliance_metrics.reliability.alpha import (
    AlphaResult,
    alpha_from_cov,
    alpha_result,
    cronbach_alpha,
    drop_statistics,
)
from alliance_metrics.reliability.items import NAN_POLICIES, NanPolicy, used_rows
from alliance_metrics.reliability.omega import OmegaTotal, omega_total

__all__ = [
    "NAN_POLICIES",
    "AlphaResult",
    "NanPolicy",
    "OmegaTotal",
    "alpha_from_cov",
    "alpha_result",
    "cronbach_alpha",
    "drop_statistics",
    "omega_total",
    "used_rows",
]
