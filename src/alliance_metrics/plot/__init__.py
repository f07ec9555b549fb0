"""Pictures for notebooks: plots of what the analyses return (optional extra ``[plot]``).

Every function takes the table an analysis returned (or the frame it would be computed from),
draws it on ``ax`` (or a new figure) and returns the ``Axes`` — or the ``Figure`` for small
multiples. Drawing computes no statistic, never calls ``plt.show()`` and never changes
matplotlib's global style; matplotlib is imported when a function is called, and without it a
:class:`~alliance_metrics.MissingDependencyError` says ``pip install "alliance-metrics[plot]"``.

A table may be a pandas or polars DataFrame or a pyarrow Table (converted to pandas on entry).
Every argument is checked before anything is drawn, and a figure made here is closed again if
drawing fails. Text from the data or a definition is drawn as written, never as mathtext.

Colours come from the Okabe–Ito palette (ordered responses from cividis), every score axis is
labelled with the scale's name and range, and no text is smaller than 9 points. See
``docs/plots.md``.

Examples
--------
>>> import pandas as pd
>>> from matplotlib.figure import Figure
>>> import alliance_metrics as am
>>> from alliance_metrics.plot import plot_reliability
>>> report = am.reliability_report(pd.read_csv("examples/data/wai_sr_example.csv"), "wai-sr")
>>> ax = plot_reliability(report, ax=Figure().subplots())
>>> ax.get_xlabel()
'reliability coefficient (0–1)'
"""

from __future__ import annotations

from alliance_metrics.plot.agreement import plot_agreement
from alliance_metrics.plot.distributions import plot_item_distributions, plot_scale_distributions
from alliance_metrics.plot.reliability import plot_reliability
from alliance_metrics.plot.spaghetti import plot_trajectories
from alliance_metrics.plot.trajectories import plot_trajectory

__all__ = [
    "plot_agreement",
    "plot_item_distributions",
    "plot_reliability",
    "plot_scale_distributions",
    "plot_trajectories",
    "plot_trajectory",
]
