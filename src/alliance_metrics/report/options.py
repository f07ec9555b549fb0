"""The checked options of one report, as :func:`~alliance_metrics.build_report` resolved them."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from alliance_metrics.schemas import Instrument

__all__ = ["ReportOptions"]


@dataclass(frozen=True)
class ReportOptions:
    """The checked options of one report (see :func:`~alliance_metrics.build_report`)."""

    instrument: Instrument
    scale: str
    client: Hashable | None
    session: Hashable | None
    ids: bool
    cutoff: float | None
    drop_points: float
    max_trajectories: int
    max_clients: int
    seed: int
