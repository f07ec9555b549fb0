"""Reliability of questionnaire scales: Cronbach's alpha, omega total and item statistics.

Instrument-aware functions find, validate and coerce the item columns as ``score_frame`` does (an
invalid cell raises :class:`~alliance_metrics.ResponseValidationError`) and reverse the
reverse-keyed items **once** (``min + max − x``, declared bounds) before any statistic: alpha,
omega, item statistics, SEM and floor/ceiling always agree on the direction of every item.
Missing answers follow R ``psych``: ``"pairwise"`` (default) or ``"listwise"`` (``na.omit``).
"""

from __future__ import annotations

import math
from collections.abc import Collection

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliance_metrics._params import Aggregate, check_choice, check_ci, check_frame
from alliance_metrics.batch import frame_report
from alliance_metrics.columns import ColumnSpec, resolve_columns
from alliance_metrics.errors import ResponseValidationError
from alliance_metrics.factor import omega_from_correlation, pairwise_moments
from alliance_metrics.reliability import (
    NAN_POLICIES,
    AlphaResult,
    NanPolicy,
    alpha_result,
    cronbach_alpha,
    drop_statistics,
    omega_total,
    used_rows,
)
from alliance_metrics.schemas import Instrument
from alliance_metrics.scoring.kernel import ScoringPlan, score_blocks, warn_if_provisional
from alliance_metrics.scoring.request import ScoreRequest
from alliance_metrics.validation.frame import coerce_matrix

__all__ = [
    "REPORT_COLUMNS",
    "AlphaResult",
    "NanPolicy",
    "cronbach_alpha",
    "item_statistics",
    "omega_total",
    "reliability_report",
]

FloatArray = npt.NDArray[np.float64]
Moments = tuple[FloatArray, FloatArray]  # covariance and correlation matrices
REPORT_COLUMNS = (
    "scale", "n_items", "n", "alpha", "std_alpha", "average_r", "alpha_ci_lower",
    "alpha_ci_upper", "omega_total", "sem", "pct_floor", "pct_ceiling", "n_scored", "sd",
)  # fmt: skip
"""Columns of :func:`reliability_report`, in order."""


def _scalepairwise_moments(
    keyed: FloatArray, members: npt.NDArray[np.intp], policy: NanPolicy, full: Moments | None
) -> Moments:
    """Moments of one scale: a slice of the all-item pairwise ones, or its complete rows'."""
    if full is None:
        return pairwise_moments(used_rows(keyed[:, members], policy))
    block = np.ix_(members, members)
    return full[0][block], full[1][block]


def _keyed_items(
    df: object, request: ScoreRequest, columns: ColumnSpec
) -> tuple[FloatArray, FloatArray]:
    """Resolve, coerce and validate the item columns, then reverse-key them (the one place).

    Invalid cells raise (``on_invalid="raise"``) or count as unanswered (``"missing"``).
    Returns the raw matrix (for the scoring kernel) and the keyed matrix.
    """
    func, inst = request.function, request.instrument
    frame = check_frame(df, func)
    items = frame.loc[:, resolve_columns(list(frame.columns), inst, columns, func)]
    plan = request.plan
    raw, codes = coerce_matrix(items, request.rules())
    if codes.any() and request.on_invalid == "raise":
        report = frame_report(items, codes, inst)
        raise ResponseValidationError(report.summary(), report)
    keyed = np.array(raw, order="F")  # always a copy; column-major: a scale is a column subset
    keyed[:, plan.reverse] = (plan.low + plan.high) - raw[:, plan.reverse]
    return raw, keyed


def _members(plan: ScoringPlan, s: int) -> npt.NDArray[np.intp]:
    return np.flatnonzero(plan.weights[:, s] > 0)


def reliability_report(
    df: pd.DataFrame,
    instrument: str | Instrument,
    *,
    columns: ColumnSpec = None,
    nan_policy: NanPolicy = "pairwise",
    ci: float = 0.95,
    aggregate: Aggregate | None = None,
    min_answered: int | float | None = None,
    on_invalid: str = "raise",
    missing_values: Collection[str] = (),
) -> pd.DataFrame:
    """Reliability of every scale of an instrument (the total included) in your sample.

    Parameters
    ----------
    df
        One row per administration; never modified. Invalid cells raise
        :class:`~alliance_metrics.ResponseValidationError`, as in ``score_frame``.
    instrument
        Instrument id or :class:`~alliance_metrics.Instrument`.
    columns
        Item columns: mapping, template such as ``"wai_{n}"``, or ``None`` to auto-detect.
    nan_policy
        ``"pairwise"`` (psych's default) or ``"listwise"`` (per scale); see
        :func:`cronbach_alpha`.
    ci
        Confidence level of the Feldt interval.
    aggregate, min_answered
        The scale scores behind ``sd``, ``sem`` and floor/ceiling, exactly as in
        :func:`~alliance_metrics.score_frame` (``None`` takes the instrument's defaults).
    on_invalid
        ``"raise"`` (default): an invalid cell raises
        :class:`~alliance_metrics.ResponseValidationError` with the full report;
        ``"missing"``: invalid cells count as unanswered, as in ``score_frame``.
    missing_values
        Extra texts meaning unanswered (e.g. ``["-99"]``), as in ``score_csv``.

    Returns
    -------
    pandas.DataFrame
        One row per scale, columns :data:`REPORT_COLUMNS`: ``scale, n_items, n, alpha,
        std_alpha, average_r, alpha_ci_lower, alpha_ci_upper, omega_total, sem, pct_floor,
        pct_ceiling, n_scored, sd``. Alpha and its interval come from :func:`cronbach_alpha`
        (``n`` as there), omega from :func:`omega_total`. ``sd`` is the SD of the scores of the
        ``n_scored`` scored rows and ``sem = sd · √(1 − alpha)``. ``pct_floor`` and
        ``pct_ceiling`` are the percentages (0–100) of scored rows whose answered items all sit
        at the scale minimum (maximum), i.e. whose score is the lowest (highest) possible.
        Statistics a scale has too few items for (alpha: 2, omega: 3) are NaN.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from alliance_metrics.psychometrics import reliability_report
    >>> rng = np.random.default_rng(1)
    >>> answers = np.rint(3 + rng.normal(size=(200, 1)) + rng.normal(size=(200, 12)))
    >>> df = pd.DataFrame(answers.clip(1, 5), columns=[f"wai_{n}" for n in range(1, 13)])
    >>> report = reliability_report(df, "wai-sr")
    >>> report[["scale", "n", "alpha", "omega_total", "pct_ceiling"]].round(3)
           scale    n  alpha  omega_total  pct_ceiling
    0       task  200  0.777        0.778          1.0
    1       bond  200  0.743        0.745          0.5
    2       goal  200  0.719        0.721          1.5
    3      total  200  0.897        0.898          0.0
    4  goal_task  200  0.852        0.853          0.0
    """
    func = "reliability_report"
    request = ScoreRequest.resolve(
        func,
        instrument,
        aggregate=aggregate,
        min_answered=min_answered,
        on_invalid=on_invalid,
        missing_values=missing_values,
    )
    policy = check_choice("nan_policy", func, nan_policy, NAN_POLICIES)
    level = check_ci(ci, func)
    raw, keyed = _keyed_items(df, request, columns)
    plan = request.plan
    warn_if_provisional(request.instrument)
    scores = score_blocks(plan, raw, request.aggregate, request.required)[0]
    rows: list[dict[str, object]] = []
    full = pairwise_moments(keyed) if policy == "pairwise" else None  # pairwise moments: all items
    for s, scale_id in enumerate(plan.scale_ids):  # a loop over scales, never over rows
        members = _members(plan, s)
        x = keyed[:, members]
        cov, cor = _scalepairwise_moments(keyed, members, policy, full)
        result = alpha_result(x, policy, level, cov)
        scored = ~np.isnan(scores[s])
        n_scored = int(scored.sum())
        sd = float(np.std(scores[s][scored], ddof=1)) if n_scored > 1 else math.nan
        percent = 100.0 / n_scored if n_scored else math.nan
        rows.append(
            {
                "scale": scale_id,
                "n_items": x.shape[1],
                "n": result.n,
                "alpha": result.alpha,
                "std_alpha": result.std_alpha,
                "average_r": result.average_r,
                "alpha_ci_lower": result.ci_lower,
                "alpha_ci_upper": result.ci_upper,
                "omega_total": omega_from_correlation(cor),
                "sem": sd * math.sqrt(1.0 - result.alpha),
                "pct_floor": ((np.fmax.reduce(x, axis=1) == plan.low) & scored).sum() * percent,
                "pct_ceiling": ((np.fmin.reduce(x, axis=1) == plan.high) & scored).sum() * percent,
                "n_scored": n_scored,
                "sd": sd,
            }
        )
    return pd.DataFrame(rows, columns=list(REPORT_COLUMNS))


def item_statistics(
    df: pd.DataFrame,
    instrument: str | Instrument,
    *,
    columns: ColumnSpec = None,
    nan_policy: NanPolicy = "pairwise",
    on_invalid: str = "raise",
    missing_values: Collection[str] = (),
) -> pd.DataFrame:
    """Item statistics of every scale, with a keying audit (``psych::alpha()$item.stats``).

    For item ``i`` of a scale with (keyed) item covariance matrix ``C``::

        r_drop           = (ΣC[:, i] − C_ii) / √(C_ii · ΣC[−i, −i])     (psych r.drop)
        alpha_if_deleted = alpha of C[−i, −i]                        (psych alpha.drop raw_alpha)

    Parameters
    ----------
    df, instrument, columns
        As for :func:`reliability_report`.
    nan_policy
        ``"pairwise"`` (psych's default) or ``"listwise"`` (rows complete on the scale).
    on_invalid, missing_values
        As for :func:`reliability_report`.

    Returns
    -------
    pandas.DataFrame
        One row per item of every scale (the total's items appear again under ``total``):
        ``scale, item, mean, sd, n, r_drop, alpha_if_deleted, keying_flag, reversed``. ``mean``,
        ``sd`` and ``n`` (answers) describe the keyed item. ``keying_flag`` is True where
        ``r_drop < 0``: the item behaves as if keyed the wrong way (a data-entry problem, or a
        paper form keyed by tick position). ``reversed`` says whether the instrument reverses
        the item. ``alpha_if_deleted`` is NaN for two-item scales (psych reports another
        quantity there).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from alliance_metrics.psychometrics import item_statistics
    >>> rng = np.random.default_rng(1)
    >>> answers = np.rint(3 + rng.normal(size=(200, 1)) + rng.normal(size=(200, 12)))
    >>> df = pd.DataFrame(answers.clip(1, 5), columns=[f"wai_{n}" for n in range(1, 13)])
    >>> df["wai_6"] = 6 - df["wai_6"]  # printed Always → Seldom, keyed by tick position
    >>> stats = item_statistics(df, "wai-sr")
    >>> stats.loc[stats["keying_flag"], ["scale", "item", "r_drop"]].round(3)
            scale   item  r_drop
    9        goal  item6  -0.456
    17      total  item6  -0.576
    27  goal_task  item6  -0.534
    """
    func = "item_statistics"
    request = ScoreRequest.resolve(
        func, instrument, on_invalid=on_invalid, missing_values=missing_values
    )
    policy = check_choice("nan_policy", func, nan_policy, NAN_POLICIES)
    _, keyed = _keyed_items(df, request, columns)
    plan = request.plan
    warn_if_provisional(request.instrument)
    parts = []
    full = pairwise_moments(keyed) if policy == "pairwise" else None
    for s, scale_id in enumerate(plan.scale_ids):  # a loop over scales, never over rows
        members = _members(plan, s)
        x = used_rows(keyed[:, members], policy)
        cov = _scalepairwise_moments(keyed, members, policy, full)[0]
        r_drop, alpha_if_deleted = drop_statistics(cov)
        answered = (~np.isnan(x)).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(np.isnan(x), 0.0, x).sum(axis=0) / answered
        parts.append(
            pd.DataFrame(
                {
                    "scale": scale_id,
                    "item": [plan.item_ids[j] for j in members],
                    "mean": mean,
                    "sd": np.sqrt(np.diag(cov)),
                    "n": answered.astype(np.int64),
                    "r_drop": r_drop,
                    "alpha_if_deleted": alpha_if_deleted,
                    "keying_flag": r_drop < 0,
                    "reversed": plan.reverse[members],
                }
            )
        )
    return pd.concat(parts, ignore_index=True)
