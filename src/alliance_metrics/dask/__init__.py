"""The Dask engine (extra ``[dask]``): the same kernel and analyses, partition by partition.

Nothing else in the library imports this module; ``am.score_frame``, ``am.validate_frame`` and the
per-client session-series functions reach it by name when given a Dask DataFrame, and the command
line when asked for ``--engine dask``. Dask itself is imported only here.

* :mod:`.frames` — ``score_frame`` (lazy) and ``validate_frame`` (one report) on Dask frames;
* :mod:`.series` — session-series analyses partitioned by client;
* :mod:`.files` — :func:`score_files`: export files scored on a cluster into a folder of parts;
* :mod:`.cluster` — the caller's client, a running scheduler, or a local cluster.

See ``docs/scaling.md``.
"""

from __future__ import annotations

from alliance_metrics.dask.files import score_files
from alliance_metrics.dask.frames import score_frame, validate_frame
from alliance_metrics.dask.series import run_analysis

__all__ = ["run_analysis", "score_files", "score_frame", "validate_frame"]
