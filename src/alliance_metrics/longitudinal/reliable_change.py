"""Reliable change between a first and a last score (Jacobson & Truax 1991).

``SEm = SD·√(1 − r)``, ``S_diff = √(2·SEm²)``, ``RCI = (post − pre) / S_diff``; a change is
reliable when ``RCI·d`` is beyond ``z`` (d = +1 when higher scores are better). Every choice on
which implementations differ is an explicit parameter and is returned in
``DataFrame.attrs["alliance_metrics"]``: the SD (given, or the SD of the pre scores over complete
pairs as R ``clinicalsignificance`` and ``JTRCI`` take it, or over every pre score as
``suddengains::define_crit1_cutoff`` does), the reliability (given, or a sample's
:class:`~alliance_metrics.AlphaResult`), and strict (``>``, clinicalsignificance) or inclusive
(``≥``, JTRCI's classes) comparison. Clinical significance builds on this module in
:mod:`.clinical_significance`.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliance_metrics._params import check_choice, resolve_instrument_arg
from alliance_metrics.errors import InputFormatError, InvalidParameterError
from alliance_metrics.frames.analyses import table_analysis
from alliance_metrics.longitudinal._arguments import check_flag, check_real
from alliance_metrics.longitudinal._series import check_column, check_frame, numeric_scores
from alliance_metrics.schemas import Instrument

__all__ = [
    "ChangeRule",
    "classify_change",
    "reliable_change",
    "resolve_change_rule",
]

FloatArray = npt.NDArray[np.float64]
Boundary = Literal["exclusive", "inclusive"]
RELIABLE_LEVELS = ("improved", "unchanged", "deteriorated")
RC_COLUMNS = ("change", "rci", "rc_points", "reliable")
_RELIABLE_DTYPE = pd.CategoricalDtype(list(RELIABLE_LEVELS))


@dataclass(frozen=True)
class ChangeRule:
    """The resolved reliable-change rule of one call."""

    s_diff: float  # NaN when a published value in points is used
    rc_points: float
    direction: int  # +1 when higher is better
    z: float
    boundary: Boundary
    attrs: dict[str, Any]


def _sample_sd(values: FloatArray) -> float:
    """SD with ddof 1 of the non-missing values (NaN below two values)."""
    kept = values[~np.isnan(values)]
    if len(kept) < 2:
        return float("nan")
    return float(np.std(kept, ddof=1))


def _reliability(value: object, func: str) -> tuple[float, str]:
    import alliance_metrics as am

    if isinstance(value, am.AlphaResult):
        wanted = "an AlphaResult with an alpha in [0, 1)"
        r = check_real("reliability", func, value.alpha, minimum=0.0, wanted=wanted)
        if r >= 1.0:
            raise InvalidParameterError(
                f"The 'reliability' parameter of {func} must be {wanted}. Got {r!r} instead."
            )
        return r, f"sample Cronbach's alpha ({value.method}, n = {value.n})"
    wanted = "a number in [0, 1) or an AlphaResult"
    r = check_real("reliability", func, value, minimum=0.0, wanted=wanted)
    if r >= 1.0:
        raise InvalidParameterError(
            f"The 'reliability' parameter of {func} must be {wanted}. Got {value!r} instead."
        )
    return r, "given"


def resolve_change_rule(
    func: str,
    pre: FloatArray,
    post: FloatArray,
    *,
    reliability: object,
    sd: object,
    sd_source: object,
    higher_is_better: object,
    z: object,
    boundary: object,
    instrument: Instrument | None,
) -> ChangeRule:
    """Check the reliable-change options and compute S_diff and the reliable change in points."""
    source = check_choice("sd_source", func, sd_source, ("pre_all", "pre_complete"))
    better = check_flag("higher_is_better", func, higher_is_better)
    z_value = check_real("z", func, z, minimum=0.0, inclusive=False)
    bound: Boundary = check_choice("boundary", func, boundary, ("exclusive", "inclusive"))
    attrs: dict[str, Any] = {
        "higher_is_better": better,
        "z": z_value,
        "boundary": bound,
        "instrument": None if instrument is None else instrument.id,
    }
    published = None if instrument is None else instrument.reliable_change
    if reliability is None and sd is None and published is not None:
        attrs.update(
            rc_source=published.kind,
            rc_reference=published.note,
            reliability=None,
            reliability_source=None,
            sd=None,
            sd_source=None,
            n_sd=None,
            sem=None,
            s_diff=None,
        )
        sign = 1 if better else -1
        return ChangeRule(float("nan"), published.points, sign, z_value, bound, attrs)
    if reliability is None:
        known = "" if instrument is None else f" ({instrument.id} has no reported value)"
        raise InvalidParameterError(
            f"The 'reliability' parameter of {func} is needed to compute the reliable change"
            f"{known}: give a test–retest reliability or a sample's AlphaResult."
        )
    r, r_source = _reliability(reliability, func)
    if sd is not None:
        sd_value = check_real("sd", func, sd, minimum=0.0, inclusive=False)
        used, n_sd = "given", None
    else:
        values = pre if source == "pre_all" else pre[~np.isnan(post)]
        sd_value, used, n_sd = _sample_sd(values), source, int(np.count_nonzero(~np.isnan(values)))
        if len(pre) and not sd_value > 0.0:
            raise InputFormatError(
                f"{func} cannot estimate the SD from the pre scores ({used}: {n_sd} value(s), "
                "SD not positive); give the 'sd' parameter (a published norm SD, for example)."
            )
    sem = sd_value * np.sqrt(1.0 - r)
    s_diff = float(np.sqrt(2.0 * sem**2))
    attrs.update(
        rc_source="computed",
        rc_reference="Jacobson & Truax (1991)",
        reliability=r,
        reliability_source=r_source,
        sd=sd_value,
        sd_source=used,
        n_sd=n_sd,
        sem=float(sem),
        s_diff=s_diff,
    )
    return ChangeRule(s_diff, z_value * s_diff, 1 if better else -1, z_value, bound, attrs)


def classify_change(
    pre: FloatArray, post: FloatArray, rule: ChangeRule
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.int8]]:
    """Change, RCI and class code per client: 0 improved, 1 unchanged, 2 deteriorated, -1 missing.

    With a computed S_diff the class compares ``RCI·d`` with ``z``; with a published value in
    points it compares ``change·d`` with the points (the RCI is then NaN).

    Examples
    --------
    >>> import numpy as np
    >>> rule = ChangeRule(5.0, 9.8, 1, 1.96, "exclusive", {})
    >>> classify_change(np.array([10.0, 10, 10]), np.array([20.0, 10, np.nan]), rule)[2].tolist()
    [0, 1, -1]
    """
    change = post - pre
    if np.isnan(rule.s_diff):
        rci = np.full(len(change), np.nan)
        signed, limit = change * rule.direction, rule.rc_points
    else:
        rci = change / rule.s_diff
        signed, limit = rci * rule.direction, rule.z
    with np.errstate(invalid="ignore"):
        if rule.boundary == "exclusive":
            up, down = signed > limit, signed < -limit
        else:
            up, down = signed >= limit, signed <= -limit
    code = np.where(up, 0, np.where(down, 2, 1)).astype(np.int8)
    code[np.isnan(change)] = -1
    return change, rci, code


def checked_pair(
    data: object, pre: object, post: object, func: str
) -> tuple[pd.DataFrame, FloatArray, FloatArray]:
    """Check the frame and return it with its pre and post columns as float arrays."""
    frame = check_frame(data, func)
    pre_name = check_column(frame, pre, "pre", func)
    post_name = check_column(frame, post, "post", func)
    if pre_name == post_name:
        raise InvalidParameterError(
            f"The 'pre' and 'post' parameters of {func} must name two different columns. "
            f"Got {pre!r} twice instead."
        )
    pre_values = numeric_scores(frame[pre_name], pre_name)
    return frame, pre_values, numeric_scores(frame[post_name], post_name)


def add_columns(frame: pd.DataFrame, added: dict[str, Any], func: str) -> pd.DataFrame:
    """Return a copy of the caller's frame with ``added`` columns appended (never overwriting)."""
    clash = [name for name in added if name in frame.columns]
    if clash:
        raise InputFormatError(
            f"The data given to {func} already has column(s) {', '.join(map(repr, clash))}, "
            "which the function adds; rename them first."
        )
    out = frame.copy()
    for name, values in added.items():
        out[name] = values
    return out


def reliable_categories(code: npt.NDArray[np.int8]) -> pd.Categorical:
    """Build the ``reliable`` column: improved / unchanged / deteriorated, missing for code -1."""
    return pd.Categorical.from_codes(code, dtype=_RELIABLE_DTYPE)


@table_analysis(columns=("pre", "post"), appends=True, dask=True)
def reliable_change(
    data: pd.DataFrame,
    *,
    pre: Hashable,
    post: Hashable,
    reliability: float | object | None = None,
    sd: float | None = None,
    sd_source: str = "pre_complete",
    higher_is_better: bool = True,
    z: float = 1.96,
    boundary: str = "exclusive",
    instrument: str | Instrument | None = None,
) -> pd.DataFrame:
    """Jacobson–Truax reliable change index of each client (one row per client).

    Parameters
    ----------
    data
        Wide table, one row per client (:func:`~alliance_metrics.first_last` builds it from a
        long one).
    pre, post
        Columns of the first and last scores.
    reliability
        Reliability ``r`` in [0, 1): a test–retest value, or the
        :class:`~alliance_metrics.AlphaResult` of a sample (``am.cronbach_alpha``). Not needed
        when ``instrument`` has a published reliable change (ORS: 5 points).
    sd
        SD of the pre scores to use (e.g. a published norm); ``None`` estimates it.
    sd_source
        Without ``sd``: ``"pre_complete"`` (default; pre scores of clients with both scores, as
        R clinicalsignificance and JTRCI) or ``"pre_all"`` (every pre score, as suddengains).
    higher_is_better
        Direction d of improvement: +1 when True.
    z
        Critical value (1.96: two-sided 5 %).
    boundary
        ``"exclusive"`` (default): reliable when ``RCI·d > z`` (clinicalsignificance);
        ``"inclusive"``: ``RCI·d ≥ z`` (JTRCI's classes).
    instrument
        An instrument id or definition; with a published reliable change (only ``"ors"``
        today) and neither ``reliability`` nor ``sd`` given, change is judged against it.

    Returns
    -------
    pandas.DataFrame
        A copy of ``data`` with ``change`` (post − pre), ``rci`` (NaN with a published value),
        ``rc_points`` (the reliable change in points, ``z·S_diff``) and ``reliable``
        (categorical: improved, unchanged, deteriorated; missing without both scores).
        ``attrs["alliance_metrics"]`` holds the reliability and its source, the SD and its
        source, SEm, S_diff, z, the boundary and the direction.

    Examples
    --------
    >>> import pandas as pd
    >>> import alliance_metrics as am
    >>> wide = pd.DataFrame({"pre": [20.0, 20, 20, 20, 20], "post": [12.0, 16, 20, 24, 28]})
    >>> out = am.reliable_change(wide, pre="pre", post="post", reliability=0.8, sd=5.0)
    >>> out[["change", "rci", "reliable"]].round(6)
       change       rci      reliable
    0    -8.0 -2.529822  deteriorated
    1    -4.0 -1.264911     unchanged
    2     0.0  0.000000     unchanged
    3     4.0  1.264911     unchanged
    4     8.0  2.529822      improved
    >>> round(float(out["rc_points"].iloc[0]), 6), out.attrs["alliance_metrics"]["sd_source"]
    (6.198064, 'given')
    """
    func = "reliable_change"
    frame, pre_values, post_values = checked_pair(data, pre, post, func)
    inst = None if instrument is None else resolve_instrument_arg(instrument, func)
    rule = resolve_change_rule(
        func,
        pre_values,
        post_values,
        reliability=reliability,
        sd=sd,
        sd_source=sd_source,
        higher_is_better=higher_is_better,
        z=z,
        boundary=boundary,
        instrument=inst,
    )
    change, rci, code = classify_change(pre_values, post_values, rule)
    out = add_columns(
        frame,
        {
            "change": change,
            "rci": rci,
            "rc_points": np.full(len(change), rule.rc_points),
            "reliable": reliable_categories(code),
        },
        func,
    )
    out.attrs["alliance_metrics"] = {"function": func, **rule.attrs}
    return out
