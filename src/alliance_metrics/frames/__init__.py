"""Tables other than pandas: polars DataFrames and pyarrow Tables in and out, Dask recognised.

* :mod:`.kinds` — which kind of table an argument is, decided without importing polars, pyarrow
  or Dask, and the Dask engine found by name (the leaf :mod:`alliance_metrics.dask`);
* :mod:`.native` — a polars DataFrame or pyarrow Table seen through Arrow: item columns out as
  Arrow arrays, added columns back in the caller's kind;
* :mod:`.score` — the polars/pyarrow path of ``score_frame`` and ``validate_frame`` (no pandas);
* :mod:`.analyses` — the bridge of the analyses: the columns they read as a narrow pandas frame,
  their tables back in the caller's kind.

polars and pyarrow are imported only when such a table is given (pyarrow is a core dependency;
polars an optional one: ``pip install "alliance-metrics[polars]"``).

Examples
--------
>>> import pyarrow as pa, alliance_metrics as am
>>> table = pa.table({"wai_1": [4, 5], "wai_2": [3, None], "wai_3": [5, 5]})
>>> am.score_frame(table, "wai-b3").column("wai_b3_status").to_pylist()
['ok', 'insufficient']
"""
