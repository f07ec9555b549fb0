"""Session-by-session analyses of alliance (and outcome) scores.

Every function takes a long table (one row per administration: a client key, an integer
session number, a score) and returns a tidy table. The per-client work is written once over
NumPy arrays laid out client by client (:class:`~alliance_metrics.longitudinal._series.Series`),
vectorised across all clients, so the pandas, polars and Dask front ends run the same code:
every function also takes a polars DataFrame or a pyarrow Table (only the columns it reads cross
into pandas; a table comes back in the caller's kind), and the per-client ones a Dask DataFrame
(partitioned by client; see ``docs/scaling.md``). Definitions, defaults and sources:
``docs/session-series.md``.

Sudden changes (R ``suddengains`` 0.7.2): :func:`~alliance_metrics.sudden_changes`,
:func:`~alliance_metrics.sudden_change_events`, :func:`~alliance_metrics.sudden_change_cases`
(:mod:`.sudden`, core in :mod:`._sudden_core` and :mod:`._sudden_windows`). Reliable change and
clinical significance (Jacobson & Truax 1991): :func:`~alliance_metrics.first_last`
(:mod:`.first_last`), :func:`~alliance_metrics.reliable_change` (:mod:`.reliable_change`),
:func:`~alliance_metrics.clinical_significance` (:mod:`.clinical_significance`).
Ruptures and repairs (this project's provisional rule): :func:`~alliance_metrics.detect_ruptures`,
:func:`~alliance_metrics.rupture_summary` (:mod:`.ruptures`, core in :mod:`._rupture_core`).
Feedback alerts (OpenFIT's SRS rules): :func:`~alliance_metrics.session_alerts` (:mod:`.alerts`).
Within/between decomposition and per-client trajectories: :func:`~alliance_metrics.decompose`,
:func:`~alliance_metrics.trajectory_features` (:mod:`.trajectories`). Growth models (statsmodels,
extra ``[models]``; parity with R ``lme4``): :func:`~alliance_metrics.growth_model`
(:mod:`.growth`). Client–therapist agreement: :func:`~alliance_metrics.dyad_agreement`,
:func:`~alliance_metrics.response_surface` (:mod:`.agreement`). Shared helpers: :mod:`._groups`
(group arithmetic), :mod:`._frames` (output tables), :mod:`._arguments` (numeric options).
"""
