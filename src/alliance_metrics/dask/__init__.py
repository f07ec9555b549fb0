"""The Dask engine (extra ``[dask]``): the same kernel and analyses, partition by partition.

Nothing else in the library imports this module; ``am.score_frame``, ``am.validate_frame`` and the
per-client session-series functions reach it by name when given a Dask DataFrame, and the command
line when asked for ``--engine dask``. Dask itself is imported only here.

* :mod:`.frames` — ``score_frame`` (lazy) and ``validate_frame`` (one report) on Dask frames;
* :mod:`.series` — session-series analyses partitioned by client;
* :mod:`.files` — :func:`score_files`: export files scored on a cluster into a folder of parts;
* :mod:`.tasks` — one file's task on a worker (errors returned, the part's columns);
* :mod:`.cluster` — the caller's client, a running scheduler (address checked, 10 s to answer),
  or a local cluster; Dask's logging silenced while the library's own connection is on.

See ``docs/scaling.md`` for clusters, the command line and measured figures.

Examples
--------
``am.score_frame`` given a Dask DataFrame comes here and returns a lazy Dask DataFrame:

>>> import dask.dataframe as dd, pandas as pd, alliance_metrics as am
>>> df = pd.DataFrame({"wai_1": [5, 2], "wai_2": [5, 3], "wai_3": [5, 4]})
>>> scored = am.score_frame(dd.from_pandas(df, npartitions=2), "wai-b3")
>>> type(scored).__name__
'DataFrame'
>>> scored.compute(scheduler="sync")["wai_b3_total"].tolist()
[5.0, 3.0]
"""

from __future__ import annotations

from alliance_metrics.dask.files import score_files
from alliance_metrics.dask.frames import score_frame, validate_frame
from alliance_metrics.dask.series import run_analysis as run_analysis

# run_analysis is the engine behind the session-series functions, not a name to call.
__all__ = ["score_files", "score_frame", "validate_frame"]
