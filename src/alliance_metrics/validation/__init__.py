"""Validation: one rule set (:mod:`.rules`), three backends, and the failure tables.

* :mod:`.rules` — what makes a cell unanswered, a number, a label or invalid (the reference);
* :mod:`.single` — one administration, cell by cell (``am.score``);
* :mod:`.frame` — pandas DataFrames, vectorised (``score_frame``, ``validate_frame``);
* :mod:`.arrow` — Arrow text columns (CSV files, and text columns of DataFrames);
* :mod:`.report` — the failure table of a :class:`~alliance_metrics.ValidationReport`.
"""
