"""Scoring: the kernel, the one boundary that resolves a call's options, and ``score``.

* :mod:`.kernel` — compile an instrument into arrays and score matrices (every path uses it);
* :mod:`.request` — :class:`ScoreRequest`, built once at the top of each public call;
* :mod:`.single` — :func:`score`, one administration.

Examples
--------
>>> from alliance_metrics.scoring import compile_instrument, score
>>> score([4, 4, 5], "wai-b3").scales["total"].value
4.333333333333333
"""

from alliance_metrics._version import library_version
from alliance_metrics.results import ROW_STATUSES, SCALE_STATUSES
from alliance_metrics.scoring.kernel import (
    ScoringPlan,
    compile_instrument,
    required_answers,
    row_status_codes,
    score_blocks,
    score_matrix,
    warn_if_provisional,
)
from alliance_metrics.scoring.request import ScoreRequest
from alliance_metrics.scoring.single import score

__all__ = [
    "ROW_STATUSES",
    "SCALE_STATUSES",
    "ScoreRequest",
    "ScoringPlan",
    "compile_instrument",
    "library_version",
    "required_answers",
    "row_status_codes",
    "score",
    "score_blocks",
    "score_matrix",
    "warn_if_provisional",
]
