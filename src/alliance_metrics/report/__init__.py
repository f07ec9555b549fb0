"""Results for people: text tables for the command line and the self-contained HTML report.

:func:`~alliance_metrics.build_report` (:mod:`.build`) reads, scores and analyses a batch and
returns one HTML page (:mod:`.html`: page and tables; :mod:`.figures`: inline SVG;
:mod:`.sections` and :mod:`.series`: the sections). :func:`reliability_table_text` and
:func:`write_table` (:mod:`.tables`) serve the ``reliability`` command.
"""

from __future__ import annotations

from alliance_metrics.report.build import build_report
from alliance_metrics.report.tables import reliability_table_text, write_table

__all__ = ["build_report", "reliability_table_text", "write_table"]
