"""Session-series analyses on Dask DataFrames: partitioned by client, the same code per partition.

A per-client analysis runs on a Dask DataFrame as: shuffle on the client key (so a client never
spans two partitions), then the pandas analysis on every partition — the same vectorised
per-client code as in one process. What depends on the whole data is computed first and passed
in: the sample SD of ``detect_ruptures``/``rupture_summary`` with ``sd_source="sample"`` or
``"stricter"`` (as ``sample_sd``), the mean of the person means of ``decompose``, the SD of the
pre scores of ``reliable_change`` (as ``sd``; a wide table, one row per client, so it runs row
by row without a shuffle). Results come partition by partition (rows of one client together;
the order of clients follows the partitions): sort them if you need the pandas order.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
import pandas as pd

from alliance_metrics._params import bad_parameter
from alliance_metrics.errors import InputFormatError
from alliance_metrics.longitudinal._series import numeric_scores

__all__ = ["PER_CLIENT", "ROW_WISE", "by_client", "run_analysis", "sample_moments"]

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


def _moments(part: pd.DataFrame, column: Hashable, complete: Hashable | None) -> np.ndarray:
    """Count, mean and sum of squared deviations of one partition's valid numbers."""
    values = numeric_scores(part[column], column)
    if complete is not None:
        values = values[~np.isnan(numeric_scores(part[complete], complete))]
    kept = values[~np.isnan(values)]
    if not len(kept):
        return np.zeros((1, 3))
    mean = float(np.mean(kept))
    return np.array([[len(kept), mean, float(np.sum((kept - mean) ** 2))]])


def _combine(parts: list[np.ndarray]) -> tuple[int, float, float]:
    """Chan et al.'s pairwise combination of (count, mean, squared deviations)."""
    n, mean, m2 = 0.0, 0.0, 0.0
    for block in parts:
        for count, part_mean, part_m2 in block:
            if not count:
                continue
            total = n + count
            delta = part_mean - mean
            mean += delta * count / total
            m2 += part_m2 + delta * delta * n * count / total
            n = total
    return int(n), mean, m2


def sample_moments(
    ddf: Any, column: Hashable, complete: Hashable | None = None
) -> tuple[int, float, float]:
    """Count, mean and SD (ddof 1) of the valid numbers of ``column`` in the whole data.

    ``complete``: only rows where that column holds a number too. Computes at once.
    """
    parts = ddf.to_delayed()
    from alliance_metrics.dask._modules import dask_delayed

    dask = dask_delayed()
    blocks = dask.compute(*[dask.delayed(_moments)(p, column, complete) for p in parts])
    n, mean, m2 = _combine(list(blocks))
    sd = float(np.sqrt(m2 / (n - 1))) if n > 1 else float("nan")
    return n, (mean if n else float("nan")), sd


def _client_sums(part: pd.DataFrame, score: Hashable, client: Hashable) -> pd.DataFrame:
    values = numeric_scores(part[score], score)
    valid = ~np.isnan(values)
    frame = pd.DataFrame({"key": part[client].to_numpy()[valid], "sum": values[valid]})
    return frame.groupby("key", sort=False).agg(total=("sum", "sum"), count=("sum", "size"))


def _grand_mean(ddf: Any, score: Hashable, client: Hashable) -> float:
    """Mean of the client means (clients with a valid score), as ``decompose`` takes it."""
    from alliance_metrics.dask._modules import dask_delayed

    dask = dask_delayed()
    parts = dask.compute(*[dask.delayed(_client_sums)(p, score, client) for p in ddf.to_delayed()])
    sums = pd.concat(parts).groupby(level=0, sort=False).sum()
    means = sums["total"].to_numpy() / sums["count"].to_numpy()
    return float(np.mean(means)) if len(means) else float("nan")


def _apply(
    part: pd.DataFrame, public: Callable[..., pd.DataFrame], options: dict[str, Any]
) -> pd.DataFrame:
    return public(part, **options)


def _apply_centered(
    part: pd.DataFrame, public: Callable[..., pd.DataFrame], options: dict[str, Any], grand: float
) -> pd.DataFrame:
    out = public(part, **options)
    out["person_mean_centered"] = out["person_mean"] - grand
    return out


def _whole_data_options(name: str, ddf: Any, options: dict[str, Any]) -> dict[str, Any]:
    """Compute what the analysis takes from the whole data, and pass it as an option."""
    if name in ("detect_ruptures", "rupture_summary"):
        sample = options["sd_source"] in ("sample", "stricter")
        if sample and options["threshold_points"] is None and options["sample_sd"] is None:
            return {**options, "sample_sd": sample_moments(ddf, options["score"])[2]}
    given = options.get("sd") is not None or options.get("reliability") is None
    if name == "reliable_change" and not given:  # no reliability: published, or the meta's error
        complete = None if options["sd_source"] == "pre_all" else options["post"]
        n, _, sd = sample_moments(ddf, options["pre"], complete)
        if not sd > 0.0:
            raise InputFormatError(
                f"{name} cannot estimate the SD from the pre scores ({options['sd_source']}: "
                f"{n} value(s), SD not positive); give sd= (e.g. a published norm SD)."
            )
        return {**options, "sd": sd}
    return options


def run_analysis(public: Callable[..., Any], bound: inspect.BoundArguments) -> Any:
    """Run a session-series analysis on the Dask DataFrame in ``bound`` (lazy result).

    ``public`` is the analysis as the user called it (it pickles by reference); ``bound`` holds
    its arguments, defaults applied.
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
        options = _whole_data_options(name, ddf, options)
        return ddf.map_partitions(_apply, public, options, meta=meta)
    if name not in PER_CLIENT:  # pragma: no cover - the decorator sends only these
        raise bad_parameter(data_name, name, "be a pandas or polars DataFrame", ddf)
    client = options["client"]
    shuffled = by_client(ddf, client)
    if name == "decompose":
        grand = _grand_mean(ddf, options["score"], client)
        return shuffled.map_partitions(_apply_centered, public, options, grand, meta=meta)
    options = _whole_data_options(name, ddf, options)
    return shuffled.map_partitions(_apply, public, options, meta=meta)
