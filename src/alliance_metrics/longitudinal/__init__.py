"""Session-by-session analyses of alliance (and outcome) scores.

Every function takes a long table (one row per administration: a client key, an integer
session number, a score) and returns a tidy table. The per-client work is written once over
NumPy arrays laid out client by client (:class:`~alliance_metrics.longitudinal._series.Series`),
vectorised across all clients, so the pandas, polars and Dask front ends run the same code.
Definitions, defaults and sources: ``docs/session-series.md``.

Sudden changes (R ``suddengains`` 0.7.2): :func:`~alliance_metrics.sudden_changes`,
:func:`~alliance_metrics.sudden_change_events`, :func:`~alliance_metrics.sudden_change_cases`
(:mod:`.sudden`, core in :mod:`._sudden_core` and :mod:`._sudden_windows`). Reliable change and
clinical significance (Jacobson & Truax 1991): :func:`~alliance_metrics.first_last`
(:mod:`.first_last`), :func:`~alliance_metrics.reliable_change` (:mod:`.reliable_change`),
:func:`~alliance_metrics.clinical_significance` (:mod:`.clinical_significance`).
"""
