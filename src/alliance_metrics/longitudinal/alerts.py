"""Session alerts of feedback systems: a low score, a drop from last session, no score.

The rules are OpenFIT's published ones for the SRS (SESSION-SERIES §4): an alert when the
latest score is below the cut-off, or one point or more below the previous session's score; no
alert but "no score" when none was entered; no change is computed when the previous session
has no score. Comparisons are made on the instrument's resolution, so float noise in a sum of
visual-analogue marks (8.7 + 9.6 + 9.9 + 7.8) never decides a borderline case.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliance_metrics._params import resolve_instrument_arg
from alliance_metrics.errors import InvalidParameterError
from alliance_metrics.frames.analyses import table_analysis
from alliance_metrics.longitudinal._arguments import check_number
from alliance_metrics.longitudinal._frames import with_columns
from alliance_metrics.longitudinal._series import prepare_series
from alliance_metrics.schemas import Cutoff, Instrument

__all__ = ["VAS_RESOLUTION", "alert_flags", "session_alerts"]

_SERIES = ("score", "client", "session")

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

VAS_RESOLUTION = 0.1
"""Resolution of visual-analogue totals (each line measured to the millimetre, in cm)."""
_TOLERANCE = 1e-9
"""Comparisons without a resolution treat values this close as equal (as ``Cutoff.flags``)."""
_BOUNDARY = {True: "inclusive", False: "exclusive"}


@dataclass(frozen=True)
class AlertRule:
    """The resolved options: cut-off (or none), its boundary, drop and resolution."""

    cutoff: float | None
    inclusive: bool
    cutoff_id: str | None
    drop_points: float
    resolution: float | None


def _named_cutoff(instrument: Instrument, wanted: str | None, func: str) -> Cutoff:
    below = [c for c in instrument.cutoffs if c.direction == "below"]
    if wanted is None:
        published = [c for c in below if c.kind == "published"]
        if published:
            return published[0]
        known = ", ".join(repr(c.id) for c in below) or "none"
        raise InvalidParameterError(
            f"The 'cutoff' parameter of {func} is needed: instrument {instrument.id!r} has no "
            f"published cut-off below which to alert. Pass a number or one of its 'below' "
            f"cut-off ids ({known})."
        )
    for candidate in below:
        if candidate.id == wanted:
            return candidate
    shown = "{" + ", ".join(repr(c.id) for c in below) + "}"
    raise InvalidParameterError(
        f"The 'cutoff' parameter of {func} must be a number or one of {shown} (the 'below' "
        f"cut-offs of {instrument.id!r}). Got {wanted!r} instead."
    )


def _resolve(instrument: object, cutoff: object, drop_points: object, func: str) -> AlertRule:
    drop = check_number("drop_points", func, drop_points)
    if instrument is None:
        if cutoff is not None and not isinstance(cutoff, str):
            value = check_number("cutoff", func, cutoff, minimum=-np.inf)
            return AlertRule(value, False, None, drop, None)
        if cutoff is not None:
            raise InvalidParameterError(
                f"The 'cutoff' parameter of {func} names a cut-off ({cutoff!r}), which needs an "
                "instrument; pass instrument= or a number."
            )
        return AlertRule(None, False, None, drop, None)
    if not isinstance(instrument, str | Instrument):
        raise InvalidParameterError(
            f"The 'instrument' parameter of {func} must be an instrument id, an Instrument or "
            f"None. Got {type(instrument).__name__} instead."
        )
    resolved = resolve_instrument_arg(instrument, func)
    resolution = VAS_RESOLUTION if resolved.response_scale.step is None else None
    if cutoff is None or isinstance(cutoff, str):
        chosen = _named_cutoff(resolved, cutoff, func)
        inclusive = chosen.boundary == "inclusive"
        return AlertRule(chosen.value, inclusive, chosen.id, drop, resolution)
    value = check_number("cutoff", func, cutoff, minimum=-np.inf)
    return AlertRule(value, False, None, drop, resolution)


def alert_flags(
    codes: IntArray, sessions: IntArray, scores: FloatArray, rule: AlertRule
) -> tuple[FloatArray, BoolArray, BoolArray, BoolArray]:
    """Change from the previous session and the three flags, for rows sorted client by client.

    Returns ``change`` (NaN when not computed), ``below`` (False where there is no score or no
    cut-off; see ``has_below``), ``drop`` and ``has_drop`` (whether a change was computed).
    """
    same = np.zeros(len(scores), dtype=bool)
    same[1:] = (codes[1:] == codes[:-1]) & (sessions[1:] == sessions[:-1] + 1)
    previous = np.full(len(scores), np.nan)
    previous[1:] = scores[:-1]
    previous[~same] = np.nan
    has_drop = ~np.isnan(previous) & ~np.isnan(scores)
    change = np.full(len(scores), np.nan)
    below = np.zeros(len(scores), dtype=bool)
    drop = np.zeros(len(scores), dtype=bool)
    valid = ~np.isnan(scores)
    if rule.resolution is not None:  # compare whole numbers of resolution steps
        step = rule.resolution
        units = np.rint(scores[valid] / step)
        if rule.cutoff is not None:
            limit = np.rint(rule.cutoff / step)
            below[valid] = units <= limit if rule.inclusive else units < limit
        steps = np.rint(scores[has_drop] / step) - np.rint(previous[has_drop] / step)
        change[has_drop] = np.round(steps * step, 10)
        drop[has_drop] = -steps >= rule.drop_points / step - _TOLERANCE
    else:
        if rule.cutoff is not None:
            gap = scores[valid] - rule.cutoff
            below[valid] = gap <= _TOLERANCE if rule.inclusive else gap < -_TOLERANCE
        change[has_drop] = scores[has_drop] - previous[has_drop]
        drop[has_drop] = -change[has_drop] >= rule.drop_points - _TOLERANCE
    return change, below, drop, has_drop


@table_analysis(columns=_SERIES, appends=True, dask=True)
def session_alerts(
    data: pd.DataFrame,
    instrument: str | Instrument | None = None,
    *,
    score: Hashable,
    client: Hashable = "client_id",
    session: Hashable = "session",
    cutoff: float | str | None = None,
    drop_points: float = 1.0,
) -> pd.DataFrame:
    """Flag each administration as a feedback system does: low score, drop, or no score.

    OpenFIT's rules for the SRS: an alert when the score is below the cut-off, or when it is
    ``drop_points`` (default 1) or more below the score of the previous session; "no score"
    when the session has none. No change is computed when the previous session (number
    ``session − 1``) has no score or no row.

    Parameters
    ----------
    data
        Long table, one row per administration, in any order.
    instrument
        An instrument id or :class:`~alliance_metrics.Instrument`. Its first published
        ``below`` cut-off is used (SRS 36, ORS 25), with its boundary (SRS and ORS: strictly
        below), and its resolution: visual-analogue totals (SRS, ORS) are compared in steps
        of 0.1 point. ``None``: no instrument (values within 1e-9 count as equal).
    score, client, session
        Column names; ``score`` must be on the cut-off's metric (the SRS or ORS sum, 0–40).
    cutoff
        A number (strictly-below rule), the id of one of the instrument's ``below`` cut-offs
        (``"clinical_adolescent"`` of the ORS), or ``None`` for the instrument's. Without an
        instrument and a cut-off, ``below_cutoff`` is NA (only drops alert).
    drop_points
        The drop (points, > 0) from the previous session that alerts.

    Returns
    -------
    pandas.DataFrame
        Every input row, in input order, with its index and columns, plus ``change`` (score
        minus the previous session's; NaN when not computed), the nullable booleans
        ``below_cutoff`` and ``drop_from_last`` (NA when they cannot be judged), ``no_score``
        (bool) and ``alert`` (nullable: True for a low score or a drop, False otherwise, NA
        when there is no score). ``attrs["alliance_metrics"]``
        holds the cut-off, its boundary and id, ``drop_points`` and the resolution.

    Raises
    ------
    InvalidParameterError
        For a bad option, or an instrument without a published cut-off and no ``cutoff``.
    InputFormatError
        For duplicated client–session pairs, non-numeric scores or non-integer sessions, or
        when ``data`` already has one of the output columns.

    Examples
    --------
    >>> import pandas as pd
    >>> import alliance_metrics as am
    >>> df = pd.DataFrame({"client_id": "A", "session": range(1, 7),
    ...                    "srs": [38.0, 39.2, 38.1, 35.0, None, 37.5]})
    >>> am.session_alerts(df, "srs", score="srs").drop(columns="client_id")
       session   srs  change  below_cutoff  drop_from_last  no_score  alert
    0        1  38.0     NaN         False            <NA>     False  False
    1        2  39.2     1.2         False           False     False  False
    2        3  38.1    -1.1         False            True     False   True
    3        4  35.0    -3.1          True            True     False   True
    4        5   NaN     NaN          <NA>            <NA>      True   <NA>
    5        6  37.5     NaN         False            <NA>     False  False
    """
    func = "session_alerts"
    rule = _resolve(instrument, cutoff, drop_points, func)
    series = prepare_series(data, score=score, client=client, session=session, func=func)
    change, below, drop, has_drop = alert_flags(series.codes, series.sessions, series.scores, rule)
    missing = np.isnan(series.scores)
    raw: dict[str, Any] = {}
    below_na = missing | (rule.cutoff is None)
    alert = below | drop
    for name, values, na in (
        ("below_cutoff", below, below_na),
        ("drop_from_last", drop, ~has_drop),
        ("alert", alert, missing),
    ):
        column = pd.array(values, dtype="boolean")
        column[na] = pd.NA
        raw[name] = column
    raw["no_score"] = missing
    columns: dict[str, Any] = {"change": change, **raw}
    columns["alert"] = columns.pop("alert")  # keep the documented column order
    restored = {  # back to the caller's row order
        name: _in_input_order(values, series.rows) for name, values in columns.items()
    }
    result = with_columns(data, restored, func)
    result.attrs["alliance_metrics"] = {
        "function": func,
        "cutoff": rule.cutoff,
        "cutoff_id": rule.cutoff_id,
        "boundary": None if rule.cutoff is None else _BOUNDARY[rule.inclusive],
        "drop_points": rule.drop_points,
        "resolution": rule.resolution,
    }
    return result


def _in_input_order(values: Any, rows: IntArray) -> Any:
    """Scatter values computed in sorted order back to the caller's positions."""
    out = values.copy()
    out[rows] = values
    return out
