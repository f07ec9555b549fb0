"""Session-by-session analyses of alliance (and outcome) scores.

Every function takes a long table (one row per administration: a client key, an integer
session number, a score) and returns a tidy table. The per-client work is written once over
NumPy arrays laid out client by client (:class:`~alliance_metrics.longitudinal._series.Series`),
vectorised across all clients, so the pandas, polars and Dask front ends run the same code.
Definitions, defaults and sources: ``docs/session-series.md``.
"""
