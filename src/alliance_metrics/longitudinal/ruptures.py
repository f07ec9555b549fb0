"""Alliance ruptures and their repair, session by session (SESSION-SERIES §3).

A rupture is a drop of the alliance score from a baseline by at least a threshold; it is
repaired when the score returns to the baseline within a window of sessions. The published
criteria (Stiles et al. 2004; Strauss et al. 2006; Gumz et al. 2012) could not be read in full,
so the rule, its options and its defaults are **this project's design** (provisional): they are
named by mechanism, every threshold is returned, and no option claims to reproduce a paper.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np
import pandas as pd

from alliance_metrics._params import check_choice
from alliance_metrics.errors import InvalidParameterError
from alliance_metrics.frames.analyses import table_analysis
from alliance_metrics.longitudinal._arguments import (
    check_integer,
    check_number,
    check_numbers,
)
from alliance_metrics.longitudinal._frames import categorical, client_keys
from alliance_metrics.longitudinal._groups import Observed, observed_rows
from alliance_metrics.longitudinal._rupture_core import (
    PATTERNS,
    TIE_TOLERANCE,
    RuptureRule,
    find_ruptures,
)
from alliance_metrics.longitudinal._series import Series, prepare_series

__all__ = ["detect_ruptures", "rupture_summary"]

_SERIES = ("score", "client", "session")

SD_SOURCES = ("client", "client_loo", "sample", "stricter")
BASELINES = ("previous", "mean_prev_k")
COURSES = ("no_rupture", "repaired", "unrepaired", "censored", "too_few_sessions")
RUPTURE_COLUMNS = (
    "session", "baseline_session", "baseline_value", "score", "drop", "threshold", "repaired",
    "repair_session", "depth", "pattern", "unit_sd", "sd_source", "k", "baseline",
)  # fmt: skip
SUMMARY_COLUMNS = (
    "n_sessions", "n_ruptures", "n_repaired", "n_unrepaired", "n_censored", "course",
    "sd_source", "k", "baseline",
)  # fmt: skip


def _resolve(func: str, options: dict[str, Any]) -> tuple[list[RuptureRule], float | None]:
    """Check every option once; one rule per value of ``k``."""
    sd_source = check_choice("sd_source", func, options["sd_source"], SD_SOURCES)
    baseline = check_choice("baseline", func, options["baseline"], BASELINES)
    points = options["threshold_points"]
    if points is not None:
        points = check_number("threshold_points", func, points)
    ks: list[float | None] = (
        [None] if points is not None else list(check_numbers("k", func, options["k"]))
    )
    sample_sd = options["sample_sd"]
    if sample_sd is not None:
        if sd_source not in ("sample", "stricter") or points is not None:
            raise InvalidParameterError(
                f"The 'sample_sd' parameter of {func} is used only with sd_source 'sample' or "
                f"'stricter' and no threshold_points. Got sample_sd={sample_sd!r} with "
                f"sd_source={sd_source!r} instead."
            )
        sample_sd = check_number("sample_sd", func, sample_sd)
    common = {
        "sd_source": sd_source,
        "threshold_points": points,
        "baseline": baseline,
        "baseline_k": check_integer("baseline_k", func, options["baseline_k"], minimum=1),
        "max_gap": check_integer("max_gap", func, options["max_gap"], minimum=0),
        "repair_window": check_integer("repair_window", func, options["repair_window"], minimum=1),
        "repair_tolerance": check_number(
            "repair_tolerance", func, options["repair_tolerance"], strict=False
        ),
        "min_sessions": check_integer("min_sessions", func, options["min_sessions"], minimum=2),
    }
    return [RuptureRule(k=k, **common) for k in ks], sample_sd


def _sample_sd(observed: Observed, given: float | None) -> float:
    """SD (ddof 1) of every valid score in the data, unless the caller gave one."""
    if given is not None:
        return given
    if len(observed.scores) < 2:
        return float("nan")
    return float(np.std(observed.scores, ddof=1))


def _attrs(func: str, rules: list[RuptureRule], sample_sd: float) -> dict[str, Any]:
    rule = rules[0]
    return {
        "function": func,
        "sd_source": "points" if rule.threshold_points is not None else rule.sd_source,
        "k": [r.k for r in rules],
        "sample_sd": sample_sd if rule.sd_source in ("sample", "stricter") else None,
        "threshold_points": rule.threshold_points,
        "baseline": rule.baseline,
        "baseline_k": rule.baseline_k,
        "max_gap": rule.max_gap,
        "repair_window": rule.repair_window,
        "repair_tolerance": rule.repair_tolerance,
        "min_sessions": rule.min_sessions,
        "tie_tolerance": TIE_TOLERANCE,
    }


def _rule_columns(rule: RuptureRule, n: int) -> dict[Hashable, Any]:
    """Return the rule columns ``sd_source``, ``k`` and ``baseline`` of ``n`` rows."""
    source = "points" if rule.threshold_points is not None else rule.sd_source
    sources = (*SD_SOURCES, "points")
    return {
        "sd_source": categorical(np.full(n, sources.index(source)), sources),
        "k": np.full(n, np.nan if rule.k is None else rule.k),
        "baseline": categorical(np.full(n, BASELINES.index(rule.baseline)), BASELINES),
    }


def _prepare(
    func: str, data: object, score: object, client: object, session: object, options: dict[str, Any]
) -> tuple[Series, Observed, list[RuptureRule], float]:
    rules, given_sd = _resolve(func, options)
    series = prepare_series(data, score=score, client=client, session=session, func=func)
    observed = observed_rows(series)
    return series, observed, rules, _sample_sd(observed, given_sd)


def _rupture_table(
    func: str, series: Series, observed: Observed, rule: RuptureRule, sd: float
) -> pd.DataFrame:
    found = find_ruptures(
        observed.codes, observed.starts, observed.sessions, observed.scores, rule, sd
    )
    rows = found.row
    n = len(rows)
    repaired = pd.array(np.where(found.repaired == 1, True, False), dtype="boolean")
    repaired[found.repaired == -1] = pd.NA
    repair_session = pd.array(found.repair_session, dtype="Int64")
    repair_session[found.repair_session < 0] = pd.NA
    table: dict[Hashable, Any] = {
        series.client_name: client_keys(series, observed.codes[rows], RUPTURE_COLUMNS, func),
        "session": observed.sessions[rows],
        "baseline_session": found.baseline_session,
        "baseline_value": found.baseline_value,
        "score": observed.scores[rows],
        "drop": found.drop,
        "threshold": found.threshold,
        "repaired": repaired,
        "repair_session": repair_session,
        "depth": found.depth,
        "pattern": categorical(found.pattern, PATTERNS),
        "unit_sd": found.unit_sd,
        **_rule_columns(rule, n),
    }
    return pd.DataFrame(table)


def _summary_table(
    func: str, series: Series, observed: Observed, rule: RuptureRule, sd: float
) -> pd.DataFrame:
    found = find_ruptures(
        observed.codes, observed.starts, observed.sessions, observed.scores, rule, sd
    )
    n_clients = series.n_clients
    codes = observed.codes[found.row]
    n_ruptures, repaired, unrepaired, censored = (
        np.bincount(codes[mask], minlength=n_clients).astype(np.int64)
        for mask in (found.repaired > -2, found.repaired == 1, found.repaired == 0,
                     found.repaired == -1)
    )  # fmt: skip
    counts = observed.counts()
    course = np.select(
        [counts < rule.min_sessions, n_ruptures == 0, unrepaired > 0, censored > 0],
        [4, 0, 2, 3],
        default=1,
    )
    table: dict[Hashable, Any] = {
        series.client_name: client_keys(series, np.arange(n_clients), SUMMARY_COLUMNS, func),
        "n_sessions": counts,
        "n_ruptures": n_ruptures,
        "n_repaired": repaired,
        "n_unrepaired": unrepaired,
        "n_censored": censored,
        "course": categorical(course, COURSES),
        **_rule_columns(rule, n_clients),
    }
    return pd.DataFrame(table)


@table_analysis(columns=_SERIES, dask=True)
def detect_ruptures(
    data: pd.DataFrame,
    *,
    score: Hashable,
    client: Hashable = "client_id",
    session: Hashable = "session",
    k: float | tuple[float, ...] | list[float] = 2.0,
    sd_source: str = "client",
    sample_sd: float | None = None,
    threshold_points: float | None = None,
    baseline: str = "previous",
    baseline_k: int = 3,
    max_gap: int = 1,
    repair_window: int = 3,
    repair_tolerance: float = 0.0,
    min_sessions: int = 4,
) -> pd.DataFrame:
    """Find alliance ruptures and whether each was repaired (this project's rule; provisional).

    For each client with at least ``min_sessions`` valid scores, a session is a **rupture**
    when ``baseline − score ≥ threshold`` (ties count) with ``threshold = k × SD unit``, or
    ``threshold_points``. It is **repaired** at the first later session within
    ``repair_window`` sessions whose score is back at ``baseline − repair_tolerance``; no new
    rupture opens until then (or until the window has passed). A rupture whose window runs past
    the client's last session without a repair is *censored* (``repaired`` is NA).

    Parameters
    ----------
    data
        Long table, one row per administration, in any order.
    score, client, session
        Column names (``score`` may be a ``score_frame`` column such as ``"wai_sr_total"``).
    k
        Threshold in SD units, > 0; a sequence (``k=(1, 2)``) stacks one detection per value,
        as Gumz et al. (2012) recommend reporting the 1-SD and 2-SD criteria side by side.
    sd_source
        The SD unit: ``"client"`` (SD of the client's valid scores, ddof 1), ``"client_loo"``
        (the same without the candidate session), ``"sample"`` (``sample_sd``, else the SD of
        every valid score in ``data``) or ``"stricter"`` (the larger of client and sample).
    sample_sd
        The sample SD for ``"sample"`` and ``"stricter"`` (e.g. from a norm sample).
    threshold_points
        A fixed threshold in points, > 0; replaces ``k`` and the SD unit.
    baseline
        ``"previous"`` (the previous valid score) or ``"mean_prev_k"`` (mean of up to
        ``baseline_k`` previous valid scores).
    baseline_k
        Scores averaged by ``"mean_prev_k"``, ≥ 1.
    max_gap
        Missing sessions allowed between a session and its nearest baseline score, ≥ 0.
    repair_window
        Sessions after the rupture within which a repair counts, ≥ 1.
    repair_tolerance
        Points below the baseline that still count as repaired, ≥ 0.
    min_sessions
        Clients with fewer valid scores are not examined, ≥ 2.

    Returns
    -------
    pandas.DataFrame
        One row per rupture, sorted by ``k``, client and session: the client column (its input
        name), ``session``, ``baseline_session`` (the nearest session the baseline uses),
        ``baseline_value``, ``score``, ``drop``, ``threshold``, ``repaired``
        (nullable boolean: NA when censored), ``repair_session`` (nullable integer),
        ``depth`` (largest ``baseline − score`` before the repair, or in the window),
        ``pattern`` (``V``: repaired at the next valid session, ``extended``, ``unrepaired``,
        ``censored``), ``unit_sd`` and the rule: ``sd_source`` (``"points"`` with
        ``threshold_points``), ``k`` and ``baseline``. ``attrs["alliance_metrics"]`` holds every
        option and the sample SD used.

    Raises
    ------
    InvalidParameterError
        For an unknown option or a number out of range.
    InputFormatError
        For duplicated client–session pairs, non-numeric scores or non-integer sessions.

    See Also
    --------
    rupture_summary : one row per client with the course of its ruptures.

    Examples
    --------
    >>> import pandas as pd
    >>> import alliance_metrics as am
    >>> df = pd.DataFrame({"client_id": "A", "session": range(1, 9),
    ...                    "wai": [45, 47, 48, 36, 37, 47, 48, 49]})
    >>> found = am.detect_ruptures(df, score="wai")
    >>> found[["session", "baseline_value", "drop", "repaired", "repair_session", "pattern"]]
       session  baseline_value  drop  repaired  repair_session   pattern
    0        4            48.0  12.0      True               7  extended
    >>> found["threshold"].round(4).tolist()
    [10.306]
    """
    func = "detect_ruptures"
    options = dict(locals())
    series, observed, rules, sd = _prepare(func, data, score, client, session, options)
    tables = [_rupture_table(func, series, observed, rule, sd) for rule in rules]
    result = pd.concat(tables, ignore_index=True) if len(tables) > 1 else tables[0]
    result.attrs["alliance_metrics"] = _attrs(func, rules, sd)
    return result


@table_analysis(columns=_SERIES, dask=True)
def rupture_summary(
    data: pd.DataFrame,
    *,
    score: Hashable,
    client: Hashable = "client_id",
    session: Hashable = "session",
    k: float | tuple[float, ...] | list[float] = 2.0,
    sd_source: str = "client",
    sample_sd: float | None = None,
    threshold_points: float | None = None,
    baseline: str = "previous",
    baseline_k: int = 3,
    max_gap: int = 1,
    repair_window: int = 3,
    repair_tolerance: float = 0.0,
    min_sessions: int = 4,
) -> pd.DataFrame:
    """Course of each client's ruptures: one row per client (and per ``k``).

    Takes the arguments of :func:`detect_ruptures`. ``course`` is ``too_few_sessions`` (fewer
    than ``min_sessions`` valid scores), ``no_rupture``, ``unrepaired`` (any rupture
    unrepaired, even if another is censored), ``censored`` (none unrepaired, at least one
    censored) or ``repaired`` (every rupture repaired).

    Parameters
    ----------
    data, score, client, session, k, sd_source, sample_sd, threshold_points, baseline, \
baseline_k, max_gap, repair_window, repair_tolerance, min_sessions
        As for :func:`detect_ruptures`.

    Returns
    -------
    pandas.DataFrame
        Every client (sorted by key; for several ``k``, sorted by ``k`` then client): the client
        column, ``n_sessions`` (sessions with a valid score), ``n_ruptures``, ``n_repaired``,
        ``n_unrepaired``, ``n_censored``, ``course`` and the rule (``sd_source``, ``k``,
        ``baseline``).

    Examples
    --------
    >>> import pandas as pd
    >>> import alliance_metrics as am
    >>> df = pd.DataFrame({"client_id": ["A"] * 8 + ["B"] * 3, "session": [*range(1, 9), 1, 2, 3],
    ...                    "wai": [50, 51, 50, 40, 41, 40, 42, 41, 50, 40, 50]})
    >>> am.rupture_summary(df, score="wai")[["client_id", "n_sessions", "n_ruptures", "course"]]
      client_id  n_sessions  n_ruptures            course
    0         A           8           1        unrepaired
    1         B           3           0  too_few_sessions
    """
    func = "rupture_summary"
    options = dict(locals())
    series, observed, rules, sd = _prepare(func, data, score, client, session, options)
    tables = [_summary_table(func, series, observed, rule, sd) for rule in rules]
    result = pd.concat(tables, ignore_index=True) if len(tables) > 1 else tables[0]
    result.attrs["alliance_metrics"] = _attrs(func, rules, sd)
    return result
