"""Sudden losses and gains in session-by-session scores (Tang & DeRubeis 1999; Lutz et al. 2013).

The criteria, their defaults and their edge rules are those of R ``suddengains`` 0.7.2
(``identify_sg``, ``identify_sl``, ``create_bysg``, ``select_cases``), with the direction
stated for alliance scores, where higher is better: a *sudden loss* is a decrease
(``direction="decrease"``, suddengains' "gain" on a lower-is-better measure) and a *sudden gain*
an increase. The arithmetic lives in :mod:`._sudden_core`; this module checks the options,
lays out the table and builds the tidy pandas output. Rules and sources:
``docs/session-series.md``.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np
import pandas as pd

from alliance_metrics._params import check_choice
from alliance_metrics.errors import InvalidParameterError
from alliance_metrics.frames.analyses import table_analysis
from alliance_metrics.longitudinal._arguments import check_flag, check_real
from alliance_metrics.longitudinal._series import Series, prepare_series
from alliance_metrics.longitudinal._sudden_core import (
    Grid,
    Intervals,
    SuddenRule,
    Tristate,
    find_events,
    lay_grid,
    test_intervals,
    window_values,
)

__all__ = ["sudden_change_events", "sudden_changes"]

_SERIES = ("score", "client", "session")

_CHANGE_COLUMNS = (
    "pre_session",
    "post_session",
    "pre_value",
    "post_value",
    "crit_cutoff",
    "crit_pct",
    "crit_stability",
    "n_pre",
    "n_post",
    "mean_pre",
    "mean_post",
    "pooled_sd",
    "t_crit",
    "sudden",
)
_VALUE_COLUMNS = ("x_n_pre2", "x_n_pre1", "x_n", "x_n_post1", "x_n_post2", "x_n_post3")
_EVENT_COLUMNS = (
    "pre_session",
    "post_session",
    "magnitude",
    *_VALUE_COLUMNS,
    "reversal_value",
    "reversal",
    "reversal_session",
    "client_events",
)
CASE_COLUMNS = ("n_sessions", "n_pattern_intervals", "selected")
GRID_NOTE = (
    "each client's scores on consecutive sessions from its first to its last valid score; "
    "sessions without a row or without a valid score are missing, never filled"
)


def _resolve_rule(
    func: str,
    *,
    direction: object,
    cutoff: object,
    pct: object,
    stability: object,
    alpha: object,
    adjust: object,
    critical_value: object,
    compat: object,
) -> SuddenRule:
    """Check every option once and return the resolved rule."""
    direction = check_choice("direction", func, direction, ("decrease", "increase"))
    compat = check_choice("compat", func, compat, ("mirrored", "suddengains"))
    cut = None if cutoff is None else check_real("cutoff", func, cutoff, minimum=0.0)
    if pct is None:
        share = None
    elif compat == "suddengains":  # identify_sl users pass negative proportions
        share = check_real("pct", func, pct, wanted="a finite number or None")
    else:
        share = check_real("pct", func, pct, minimum=0.0, wanted="a number ≥ 0 or None")
    stable = check_flag("stability", func, stability)
    level = check_real("alpha", func, alpha, minimum=0.0, maximum=1.0, inclusive=False)
    adjusted = check_flag("adjust", func, adjust)
    critical = check_real("critical_value", func, critical_value, minimum=0.0, inclusive=False)
    if cut is None and share is None and not stable:
        raise InvalidParameterError(
            f"{func} needs at least one criterion: give 'cutoff' or 'pct', or keep "
            "'stability' True."
        )
    return SuddenRule(direction, cut, share, stable, level, adjusted, critical, compat)  # type: ignore[arg-type]


def _rule_attrs(func: str, rule: SuddenRule) -> dict[str, Any]:
    """Every option and threshold used, for ``DataFrame.attrs["alliance_metrics"]``."""
    return {
        "function": func,
        "direction": rule.direction,
        "cutoff": rule.cutoff,
        "pct": rule.pct,
        "stability": rule.stability,
        "alpha": rule.alpha,
        "adjust": rule.adjust,
        "critical_value": rule.critical_value,
        "compat": rule.compat,
        "criteria": {
            "cutoff": "off" if rule.cutoff is None else "on",
            "pct": "off" if rule.pct is None else "on",
            "stability": "on" if rule.stability else "off",
        },
        "grid": GRID_NOTE,
    }


def _nullable(part: Tristate) -> pd.arrays.BooleanArray:
    return pd.arrays.BooleanArray(part.value.copy(), ~part.known)


def client_column(series: Series, codes: np.ndarray, reserved: tuple[str, ...], func: str) -> Any:
    if series.client_name in reserved:
        raise InvalidParameterError(
            f"The 'client' parameter of {func} names a column called {series.client_name!r}, "
            "which is also an output column; rename it first."
        )
    return series.labels.take(codes)


def prepare(
    data: object, score: object, client: object, session: object, func: str
) -> tuple[Series, Grid]:
    series = prepare_series(data, score=score, client=client, session=session, func=func)
    return series, lay_grid(series.codes, series.starts, series.sessions, series.scores)


def _changes_frame(series: Series, intervals: Intervals, func: str) -> pd.DataFrame:
    columns: dict[Hashable, Any] = {
        series.client_name: client_column(series, intervals.client, _CHANGE_COLUMNS, func),
        "pre_session": intervals.pre_session,
        "post_session": intervals.pre_session + 1,
        "pre_value": intervals.pre_value,
        "post_value": intervals.post_value,
        "crit_cutoff": _nullable(intervals.crit_cutoff),
        "crit_pct": _nullable(intervals.crit_pct),
        "crit_stability": _nullable(intervals.crit_stability),
        "n_pre": intervals.n_pre,
        "n_post": intervals.n_post,
        "mean_pre": intervals.mean_pre,
        "mean_post": intervals.mean_post,
        "pooled_sd": intervals.pooled_sd,
        "t_crit": intervals.t_crit,
        "sudden": _nullable(intervals.sudden),
    }
    return pd.DataFrame(columns)


@table_analysis(columns=_SERIES, dask=True)
def sudden_changes(
    data: pd.DataFrame,
    *,
    score: Hashable,
    client: Hashable = "client_id",
    session: Hashable = "session",
    direction: str = "decrease",
    cutoff: float | None,
    pct: float | None = None,
    stability: bool = True,
    alpha: float = 0.05,
    adjust: bool = True,
    critical_value: float = 2.776,
    compat: str = "mirrored",
) -> pd.DataFrame:
    """Test every session-to-session interval for a sudden loss (or gain), as R suddengains does.

    Each client's scores are laid on consecutive session numbers from its first to its last
    valid score (a session without a row and a row with an empty score are both a missing
    session; sessions are never filled). Every interval n → n+1 with n+1 from the first session
    + 2 to the last − 1 is tested on up to three criteria (R ``suddengains::identify_sg`` /
    ``identify_sl`` 0.7.2):

    1. ``cutoff`` (points): decrease ``x_n − x_{n+1} ≥ cutoff``; increase ``x_{n+1} − x_n ≥
       cutoff``. Missing when either score is missing.
    2. ``pct`` (proportion, off by default: it assumes a true zero, which alliance scales
       lack): decrease ``x_n − x_{n+1} ≥ pct·x_n``; increase ``x_{n+1} − x_n ≥ pct·x_n``, or
       with ``compat="suddengains"`` identify_sl's own coding ``x_n − x_{n+1} ≤ pct·x_n``.
    3. ``stability``: the mean of x_{n−2}, x_{n−1}, x_n minus the mean of x_{n+1}, x_{n+2},
       x_{n+3} (missing values dropped; missing with fewer than 2 on a side) is *strictly*
       larger than ``t_crit`` × the pooled SD; ``t_crit = |t(alpha/2, n_pre + n_post − 2)|``
       when ``adjust`` (Lutz et al. 2013), else ``critical_value``. Mirrored for increases.

    ``sudden`` is the conjunction of the enabled criteria, missing when any of them is.

    Parameters
    ----------
    data
        Long table, one row per administration, any order.
    score, client, session
        Column names; ``score`` may be a ``score_frame`` column such as ``"wai_sr_total"``.
    direction
        ``"decrease"`` (sudden losses of alliance) or ``"increase"`` (sudden gains).
    cutoff
        Criterion 1 in points (≥ 0), or ``None`` to leave it out.
    pct
        Criterion 2 as a proportion of x_n, or ``None`` (default) to leave it out.
    stability
        Apply criterion 3.
    alpha, adjust, critical_value
        Criterion 3's critical value: two-sided ``alpha`` with the degrees of freedom of the
        available scores when ``adjust``, else the fixed ``critical_value``.
    compat
        ``"mirrored"`` (default) or ``"suddengains"``: the coding of criterion 2 for increases.

    Returns
    -------
    pandas.DataFrame
        One row per tested interval, sorted by client and session: the client column (under
        its input name), ``pre_session``, ``post_session``, ``pre_value``, ``post_value``,
        ``crit_cutoff``, ``crit_pct``, ``crit_stability``, ``n_pre``, ``n_post``,
        ``mean_pre``, ``mean_post``, ``pooled_sd``, ``t_crit`` and ``sudden``. Criteria are
        nullable booleans; a criterion left out is an all-missing column (and ``t_crit`` is
        NaN without criterion 3). ``attrs["alliance_metrics"]`` records every option and
        which criteria are ``"on"`` or ``"off"``.

    Raises
    ------
    InvalidParameterError
        For a bad option, or when no criterion is enabled.
    InputFormatError
        For duplicated client–session pairs, non-numeric scores or non-integer sessions.

    Examples
    --------
    >>> import pandas as pd
    >>> import alliance_metrics as am
    >>> df = pd.DataFrame({"client_id": "A", "session": range(1, 8),
    ...                    "wai": [28, 19, 23, 11, 12, None, 13]})
    >>> out = am.sudden_changes(df, score="wai", cutoff=7, pct=0.25)
    >>> out[["pre_session", "post_session", "crit_cutoff", "crit_stability", "sudden"]]
       pre_session  post_session  crit_cutoff  crit_stability  sudden
    0            2             3        False           False   False
    1            3             4         True            True    True
    2            4             5        False           False   False
    3            5             6         <NA>            <NA>    <NA>
    """
    func = "sudden_changes"
    rule = _resolve_rule(
        func,
        direction=direction,
        cutoff=cutoff,
        pct=pct,
        stability=stability,
        alpha=alpha,
        adjust=adjust,
        critical_value=critical_value,
        compat=compat,
    )
    series, grid = prepare(data, score, client, session, func)
    frame = _changes_frame(series, test_intervals(grid, rule), func)
    frame.attrs["alliance_metrics"] = _rule_attrs(func, rule)
    return frame


@table_analysis(columns=_SERIES, dask=True)
def sudden_change_events(
    data: pd.DataFrame,
    *,
    score: Hashable,
    client: Hashable = "client_id",
    session: Hashable = "session",
    direction: str = "decrease",
    cutoff: float | None,
    pct: float | None = None,
    stability: bool = True,
    alpha: float = 0.05,
    adjust: bool = True,
    critical_value: float = 2.776,
    compat: str = "mirrored",
    reversal_from: int = 2,
) -> pd.DataFrame:
    """Describe each sudden loss (or gain) that :func:`sudden_changes` flags (R ``create_bysg``).

    Parameters
    ----------
    data, score, client, session, direction, cutoff, pct, stability, alpha, adjust, \
critical_value, compat
        As for :func:`sudden_changes`.
    reversal_from
        First session scanned for a reversal, as an offset from n: ``2`` (default) scans from
        n+2, the first session after the change (suddengains with ``identify_sg_1to2 =
        TRUE``); ``3`` scans from n+3, as suddengains' default mode does.

    Returns
    -------
    pandas.DataFrame
        One row per flagged interval, sorted by client and session: the client column,
        ``pre_session`` (n), ``post_session`` (n+1), ``magnitude`` (x_n − x_{n+1} for a
        decrease, x_{n+1} − x_n for an increase), the scores ``x_n_pre2`` … ``x_n_post3``
        (n−2 … n+3, NaN where missing or outside the client's sessions),
        ``reversal_value`` (x_{n+1} + magnitude/2 after a decrease, x_{n+1} − magnitude/2
        after an increase), ``reversal`` (a later score strictly beyond the reversal value;
        False when none is, missing only when the reversal value is), ``reversal_session``
        (first such session, ``<NA>`` if none) and ``client_events`` (flagged intervals of
        that client). ``attrs["alliance_metrics"]`` records every option.

    Examples
    --------
    >>> import pandas as pd
    >>> import alliance_metrics as am
    >>> df = pd.DataFrame({"client_id": "A", "session": range(1, 9),
    ...                    "wai": [50, 51, 50, 40, 41, 40, 46, 41]})
    >>> ev = am.sudden_change_events(df, score="wai", cutoff=7)
    >>> ev[["pre_session", "magnitude", "reversal_value", "reversal", "reversal_session"]]
       pre_session  magnitude  reversal_value  reversal  reversal_session
    0            3       10.0            45.0      True                 7
    """
    func = "sudden_change_events"
    rule = _resolve_rule(
        func,
        direction=direction,
        cutoff=cutoff,
        pct=pct,
        stability=stability,
        alpha=alpha,
        adjust=adjust,
        critical_value=critical_value,
        compat=compat,
    )
    if isinstance(reversal_from, bool) or reversal_from not in (2, 3):
        raise InvalidParameterError(
            f"The 'reversal_from' parameter of {func} must be one of {{2, 3}}. "
            f"Got {reversal_from!r} instead."
        )
    series, grid = prepare(data, score, client, session, func)
    intervals = test_intervals(grid, rule)
    events = find_events(grid, intervals, rule.direction, int(reversal_from))
    at = events.index
    columns: dict[Hashable, Any] = {
        series.client_name: client_column(series, intervals.client[at], _EVENT_COLUMNS, func),
        "pre_session": intervals.pre_session[at],
        "post_session": intervals.pre_session[at] + 1,
        "magnitude": events.magnitude,
    }
    values = window_values(grid, intervals.position[at])
    for j, name in enumerate(_VALUE_COLUMNS):
        columns[name] = values[:, j]
    columns["reversal_value"] = events.reversal_value
    columns["reversal"] = _nullable(events.reversal)
    columns["reversal_session"] = pd.array(
        np.where(events.reversal_session >= 0, events.reversal_session, 0),
        dtype="Int64",
    )
    columns["reversal_session"][events.reversal_session < 0] = pd.NA
    columns["client_events"] = events.client_events
    frame = pd.DataFrame(columns)
    frame.attrs["alliance_metrics"] = {
        **_rule_attrs(func, rule),
        "reversal_from": int(reversal_from),
    }
    return frame
