"""Session-series analyses on Dask DataFrames: partitioned by client, the same code per partition.

A per-client analysis runs on a Dask DataFrame as: one pass that brings the columns it reads
(client, session and score; ``pre`` and ``post`` for ``reliable_change``) into this process,
where the pandas checks run on them — a duplicated client–session pair, a session that is not a
whole number, a row without a client or a score that is not a number is named by its row in the
whole data, with whole-data counts, exactly as pandas names it — and where what depends on the
whole data is computed by the pandas code itself: the sample SD of
``detect_ruptures``/``rupture_summary`` with ``sd_source="sample"`` or ``"stricter"``, the mean
of the person means of ``decompose``, the S_diff rule of ``reliable_change``. So these numbers
and the result's ``attrs`` are those of pandas, to the bit. Then the rows are shuffled on the
client key (so a client never spans two partitions) and the pandas analysis runs on every
partition — the same vectorised per-client code as in one process (``reliable_change``, a wide
table of one row per client, runs row by row without a shuffle). Results come partition by
partition (rows of one client together; the order of clients follows the partitions): sort them
if you need the pandas order.

The pass costs one read of the data and, in this process, those two or three columns (about
1 s and 32 MB per million rows with text client keys; see docs/scaling.md).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
import pandas as pd

from alliance_metrics._params import bad_parameter, resolve_instrument_arg
from alliance_metrics.longitudinal._groups import observed_rows
from alliance_metrics.longitudinal._series import prepare_series
from alliance_metrics.longitudinal.reliable_change import checked_pair, resolve_change_rule
from alliance_metrics.longitudinal.ruptures import _sample_sd
from alliance_metrics.longitudinal.trajectories import person_means

__all__ = ["PER_CLIENT", "ROW_WISE", "by_client", "collect", "run_analysis"]

PER_CLIENT = frozenset(
    {
        "decompose",
        "detect_ruptures",
        "first_last",
        "rupture_summary",
        "session_alerts",
        "sudden_change_cases",
        "sudden_change_events",
        "sudden_changes",
        "trajectory_features",
    }
)
"""Analyses of a long table that run per client on Dask."""
ROW_WISE = frozenset({"reliable_change"})
"""Analyses of a wide table (one row per client) that run row by row on Dask."""


def by_client(ddf: Any, client: Hashable) -> Any:
    """Shuffle ``ddf`` so that all rows of a client are in one partition (hash of the key)."""
    return ddf.shuffle(on=client)


def collect(ddf: Any, columns: list[Hashable]) -> pd.DataFrame:
    """Bring the named columns of the whole data to this process, rows in the order of the data.

    Row ``i`` of the result is row ``i`` of ``ddf.compute()`` (partitions in order), so the
    pandas checks name the rows of the whole data.
    """
    narrow: pd.DataFrame = ddf[list(dict.fromkeys(columns))].compute()
    return narrow.reset_index(drop=True)


def _apply(
    part: pd.DataFrame,
    public: Callable[..., pd.DataFrame],
    options: dict[str, Any],
    attrs: dict[str, Any] | None = None,
) -> pd.DataFrame:
    out = public(part, **options)
    if attrs is not None:
        out.attrs["alliance_metrics"] = dict(attrs)
    return out


def _apply_centered(
    part: pd.DataFrame, public: Callable[..., pd.DataFrame], options: dict[str, Any], grand: float
) -> pd.DataFrame:
    out = public(part, **options)
    out["person_mean_centered"] = out["person_mean"] - grand
    return out


def _reliable_change(ddf: Any, options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Check ``pre``/``post`` over the whole data; the options and attrs of every partition."""
    func = "reliable_change"
    narrow = collect(ddf, [options["pre"], options["post"]])
    _, pre, post = checked_pair(narrow, options["pre"], options["post"], func)
    instrument = options["instrument"]
    rule = resolve_change_rule(
        func,
        pre,
        post,
        reliability=options["reliability"],
        sd=options["sd"],
        sd_source=options["sd_source"],
        higher_is_better=options["higher_is_better"],
        z=options["z"],
        boundary=options["boundary"],
        instrument=None if instrument is None else resolve_instrument_arg(instrument, func),
    )
    estimated = options["sd"] is None and rule.attrs["sd"] is not None
    if estimated and np.isfinite(rule.attrs["sd"]):  # the whole data's SD, for every partition
        options = {**options, "sd": rule.attrs["sd"]}
    return options, {"function": func, **rule.attrs}


def _per_client_options(
    name: str, ddf: Any, options: dict[str, Any]
) -> tuple[dict[str, Any], float]:
    """Check the whole data as pandas does; what the analysis takes from it (and the grand mean)."""
    narrow = collect(ddf, [options["client"], options["session"], options["score"]])
    series = prepare_series(
        narrow,
        score=options["score"],
        client=options["client"],
        session=options["session"],
        func=name,
    )
    grand = person_means(series)[2] if name == "decompose" else float("nan")
    if name in ("detect_ruptures", "rupture_summary"):
        sample = options["sd_source"] in ("sample", "stricter")
        if sample and options["threshold_points"] is None and options["sample_sd"] is None:
            sd = _sample_sd(observed_rows(series), None)
            if np.isfinite(sd):
                options = {**options, "sample_sd": sd}
    return options, grand


def run_analysis(public: Callable[..., Any], bound: inspect.BoundArguments) -> Any:
    """Run a session-series analysis on the Dask DataFrame in ``bound`` (lazy result).

    ``public`` is the analysis as the user called it (it pickles by reference); ``bound`` holds
    its arguments, defaults applied. The whole-data pass (checks and statistics) runs now.
    """
    name = public.__name__
    arguments = dict(bound.arguments)
    data_name = next(iter(arguments))
    ddf = arguments.pop(data_name)
    options = arguments
    meta = public(ddf._meta, **options)  # checks every option now; the result's columns
    if isinstance(meta, pd.DataFrame):
        meta.attrs = {}
    if name in ROW_WISE:
        options, attrs = _reliable_change(ddf, options)
        return ddf.map_partitions(_apply, public, options, attrs, meta=meta)
    if name not in PER_CLIENT:  # pragma: no cover - the decorator sends only these
        raise bad_parameter(data_name, name, "be a pandas or polars DataFrame", ddf)
    options, grand = _per_client_options(name, ddf, options)
    shuffled = by_client(ddf, options["client"])
    if name == "decompose":
        return shuffled.map_partitions(_apply_centered, public, options, grand, meta=meta)
    return shuffled.map_partitions(_apply, public, options, meta=meta)
