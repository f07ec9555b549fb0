"""Session-by-session analyses of alliance (and outcome) scores.

Every function takes a long table (one row per administration: a client key, an integer
session number, a score) and returns a tidy table. The per-client work is written once over
NumPy arrays laid out client by client (:class:`~alliance_metrics.longitudinal._series.Series`),
vectorised across all clients, so the pandas, polars and Dask front ends run the same code.
Definitions, defaults and sources: ``docs/session-series.md``.

Ruptures and repairs (this project's provisional rule): :func:`~alliance_metrics.detect_ruptures`,
:func:`~alliance_metrics.rupture_summary` (:mod:`.ruptures`, core in :mod:`._rupture_core`).
Feedback alerts (OpenFIT's SRS rules): :func:`~alliance_metrics.session_alerts` (:mod:`.alerts`).
Within/between decomposition and per-client trajectories: :func:`~alliance_metrics.decompose`,
:func:`~alliance_metrics.trajectory_features` (:mod:`.trajectories`). Growth models (statsmodels,
extra ``[models]``; parity with R ``lme4``): :func:`~alliance_metrics.growth_model`
(:mod:`.growth`). Client–therapist agreement: :func:`~alliance_metrics.dyad_agreement`,
:func:`~alliance_metrics.response_surface` (:mod:`.agreement`). Shared helpers: :mod:`._groups`
(group arithmetic), :mod:`._frames` (output tables), :mod:`._number_checks` (numeric options).
"""
