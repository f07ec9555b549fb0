"""Reliability of questionnaire scales: Cronbach's alpha, omega total and item statistics.

Instrument-aware functions find, validate and coerce the item columns as ``score_frame`` does (an
invalid cell raises :class:`~alliance_metrics.ResponseValidationError`) and reverse the
reverse-keyed items **once** (``min + max − x``, declared bounds) before any statistic: alpha,
omega, item statistics, SEM and floor/ceiling always agree on the direction of every item.
Missing answers follow R ``psych``: ``"pairwise"`` (default) or ``"listwise"`` (``na.omit``).
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from pydantic import BaseModel, ConfigDict
from scipy import stats

from alliance_metrics._params import Aggregate, check_aggregate, check_choice, check_min_answered
from alliance_metrics.batch import failure_table
from alliance_metrics.columns import ColumnSpec, resolve_columns
from alliance_metrics.errors import InvalidParameterError, ResponseValidationError
from alliance_metrics.factor import omega_from_correlation, pairwise_moments
from alliance_metrics.instruments.registry import resolve_instrument
from alliance_metrics.results import ValidationReport
from alliance_metrics.schemas import Instrument
from alliance_metrics.scoring import (
    ScoringPlan,
    compile_instrument,
    required_answers,
    score_blocks,
    warn_if_provisional,
)
from alliance_metrics.validation import coerce_matrix

__all__ = [
    "REPORT_COLUMNS",
    "AlphaResult",
    "NanPolicy",
    "cronbach_alpha",
    "item_statistics",
    "omega_total",
    "reliability_report",
    "reliability_table_text",
]

FloatArray = npt.NDArray[np.float64]
NanPolicy = Literal["pairwise", "listwise"]
Moments = tuple[FloatArray, FloatArray]  # covariance and correlation matrices
_NAN_POLICIES: tuple[NanPolicy, ...] = ("pairwise", "listwise")
REPORT_COLUMNS = (
    "scale", "n_items", "n", "alpha", "std_alpha", "average_r", "alpha_ci_lower",
    "alpha_ci_upper", "omega_total", "sem", "pct_floor", "pct_ceiling", "n_scored", "sd",
)  # fmt: skip
"""Columns of :func:`reliability_report`, in order."""


class AlphaResult(BaseModel):
    """Cronbach's alpha of one set of items, as :func:`cronbach_alpha` returns it (frozen).

    Attributes
    ----------
    alpha
        Raw alpha, ``k / (k − 1) · (1 − tr(C) / ΣC)`` (``psych::alpha()$total$raw_alpha``).
    std_alpha
        Standardised alpha, ``k·r̄ / (1 + (k − 1)·r̄)`` (``std.alpha``).
    average_r
        Mean inter-item correlation r̄ of ``cov2cor(C)`` (``average_r``).
    n
        Rows used, the n of the Feldt interval: every row given for ``"pairwise"`` (psych's
        ``nrow(x)``), the complete rows for ``"listwise"``.
    n_complete, n_items
        Rows with every item answered; number of items ``k``.
    ci_level, ci_lower, ci_upper
        Feldt interval ``1 − (1 − alpha)·F`` with F quantiles on ``n − 1`` and
        ``(n − 1)(k − 1)`` degrees of freedom (``psych::alpha.ci``).
    method
        The ``nan_policy`` used: ``"pairwise"`` or ``"listwise"``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    alpha: float
    std_alpha: float
    average_r: float
    n: int
    n_complete: int
    n_items: int
    ci_level: float
    ci_lower: float
    ci_upper: float
    method: NanPolicy

    def to_dict(self) -> dict[str, Any]:
        """Return the result as a plain dict (same as ``model_dump()``)."""
        return self.model_dump()


def check_ci(value: object, func: str) -> float:
    """Check a confidence level: a number strictly between 0 and 1."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
        raise InvalidParameterError(
            f"The 'ci' parameter of {func} must be a confidence level strictly between 0 and 1, "
            f"such as 0.95. Got {value!r} instead."
        )
    return float(value)


def _item_matrix(items: object, func: str, min_items: int) -> FloatArray:
    """Convert ``items`` (rows × items, NaN = missing) to a float64 matrix."""
    try:
        if isinstance(items, pd.DataFrame):
            values = items.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            values = np.array(items, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidParameterError(
            f"The 'items' parameter of {func} must be a 2-D array or DataFrame of numbers "
            "(rows × items, NaN for missing). Got values that are not numbers instead."
        ) from None
    if values.ndim != 2 or values.shape[1] < min_items:
        raise InvalidParameterError(
            f"The 'items' parameter of {func} must be a 2-D array (rows × items) with at least "
            f"{min_items} items. Got shape {values.shape} instead."
        )
    if np.isinf(values).any():
        raise InvalidParameterError(
            f"The 'items' parameter of {func} must hold finite numbers or NaN. Got infinity."
        )
    return values


def _scalepairwise_moments(
    keyed: FloatArray, members: npt.NDArray[np.intp], policy: NanPolicy, full: Moments | None
) -> Moments:
    """Moments of one scale: a slice of the all-item pairwise ones, or its complete rows'."""
    if full is None:
        return pairwise_moments(_used_rows(keyed[:, members], policy))
    block = np.ix_(members, members)
    return full[0][block], full[1][block]


def _used_rows(values: FloatArray, policy: NanPolicy) -> FloatArray:
    return values[~np.isnan(values).any(axis=1)] if policy == "listwise" else values


def _alpha_from_cov(cov: FloatArray) -> tuple[float, float, float]:
    """Raw alpha, standardised alpha and mean inter-item r (``psych:::alpha.1``).

    Alpha is undefined (NaN) when the total score has no variance; "no variance" allows for
    the rounding of a covariance sum that cancels to zero.
    """
    k = cov.shape[0]
    if k < 2:
        return math.nan, math.nan, math.nan
    total_variance, item_variance = float(cov.sum()), float(np.trace(cov))
    with np.errstate(invalid="ignore", divide="ignore"):
        if abs(total_variance) <= 1e-12 * max(abs(item_variance), np.finfo(float).tiny):
            alpha = math.nan
        else:
            alpha = k / (k - 1) * (1.0 - item_variance / total_variance)
        sd = np.sqrt(np.diag(cov))
        cor = cov / np.outer(sd, sd)
        np.fill_diagonal(cor, 1.0)
        average_r = (cor.sum() - k) / (k * (k - 1))
        std_alpha = k * average_r / (1.0 + (k - 1) * average_r)
    return float(alpha), float(std_alpha), float(average_r)


def _feldt(alpha: float, n: int, k: int, level: float) -> tuple[float, float]:
    """Feldt (1965) interval for alpha, as ``psych::alpha.ci``."""
    if n < 2 or k < 2 or not math.isfinite(alpha):
        return math.nan, math.nan
    tail = (1.0 - level) / 2.0
    df1, df2 = n - 1, (n - 1) * (k - 1)
    lower = 1.0 - (1.0 - alpha) * float(stats.f.ppf(1.0 - tail, df1, df2))
    return lower, 1.0 - (1.0 - alpha) * float(stats.f.ppf(tail, df1, df2))


def _drop_statistics(cov: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Corrected item–total r and alpha if the item is deleted, for every item at once."""
    k = cov.shape[0]
    var = np.diag(cov)
    column_sums = cov.sum(axis=0)
    rest = cov.sum() - 2.0 * column_sums + var  # variance of the sum of the other items
    with np.errstate(invalid="ignore", divide="ignore"):
        r_drop = (column_sums - var) / np.sqrt(var * rest) if k > 1 else np.full(k, np.nan)
        if k < 3:
            return r_drop, np.full(k, np.nan)
        return r_drop, (k - 1) / (k - 2) * (1.0 - (np.trace(cov) - var) / rest)


def _alpha_result(
    values: FloatArray, policy: NanPolicy, level: float, cov: FloatArray | None = None
) -> AlphaResult:
    """Alpha of ``values``; ``cov`` is their covariance matrix under ``policy`` when known."""
    used = _used_rows(values, policy)
    alpha, std_alpha, average_r = _alpha_from_cov(pairwise_moments(used)[0] if cov is None else cov)
    lower, upper = _feldt(alpha, len(used), values.shape[1], level)
    n_complete = int((~np.isnan(values)).all(axis=1).sum())
    return AlphaResult(
        alpha=alpha,
        std_alpha=std_alpha,
        average_r=average_r,
        n=len(used),
        n_complete=n_complete,
        n_items=values.shape[1],
        ci_level=level,
        ci_lower=lower,
        ci_upper=upper,
        method=policy,
    )


def cronbach_alpha(
    items: pd.DataFrame | npt.ArrayLike, *, nan_policy: NanPolicy = "pairwise", ci: float = 0.95
) -> AlphaResult:
    """Cronbach's alpha with its Feldt confidence interval, as ``psych::alpha`` computes it.

    With ``C`` the item covariance matrix, ``k`` items and ``n`` rows::

        alpha     = k / (k − 1) · (1 − tr(C) / ΣC)
        std_alpha = k·r̄ / (1 + (k − 1)·r̄),  r̄ = mean off-diagonal entry of cov2cor(C)
        Feldt     = 1 − (1 − alpha) · F(q; n − 1, (n − 1)(k − 1)),  q = (1 ± ci) / 2

    Parameters
    ----------
    items
        Rows × items, already keyed (reverse-keyed items reversed); NaN means unanswered.
        :func:`reliability_report` keys an instrument's items for you.
    nan_policy
        ``"pairwise"`` (psych's default): ``C`` from pairwise-complete observations and ``n`` =
        every row given (psych's ``nrow(x)``). ``"listwise"``: rows with any missing item are
        dropped first and ``n`` = the complete rows (``alpha(na.omit(x))``).
    ci
        Confidence level of the Feldt interval.

    Returns
    -------
    AlphaResult
        Frozen; ``to_dict()`` or ``model_dump_json()`` for JSON.

    Examples
    --------
    >>> from alliance_metrics.psychometrics import cronbach_alpha
    >>> items = {"a": [1, 2, 3, 4, 5, 3, 4, 2], "b": [2, 3, 3, 5, 4, 3, 5, 1],
    ...          "c": [2, 3, 4, 4, 5, 2, 4, 3], "d": [1, 3, 3, 4, 4, 4, 5, 2]}
    >>> result = cronbach_alpha(list(zip(*items.values())))
    >>> round(result.alpha, 6), round(result.ci_lower, 6), round(result.ci_upper, 6), result.n
    (0.920334, 0.7635, 0.982106, 8)
    """
    policy = check_choice("nan_policy", "cronbach_alpha", nan_policy, _NAN_POLICIES)
    level = check_ci(ci, "cronbach_alpha")
    return _alpha_result(_item_matrix(items, "cronbach_alpha", 2), policy, level)


def omega_total(
    items: pd.DataFrame | npt.ArrayLike, *, nan_policy: NanPolicy = "pairwise"
) -> float:
    """McDonald's omega total from a one-factor minres model.

    Reproduces ``psych::omega(x, nfactors = 1, fm = "minres")$omega.tot``::

        omega_total = 1 − Σ u²_i / ΣR,   u²_i = 1 − λ²_i

    ``R`` is the item correlation matrix (pairwise ``cor``, or that of the complete rows) and
    ``λ`` minimises the squared off-diagonal residuals of ``R − λλᵀ``. Unlike psych, which flips
    items that load negatively, items are never re-keyed: a miskeyed item lowers omega as it
    lowers alpha (:func:`item_statistics` flags it).

    Parameters
    ----------
    items
        Rows × items (at least 3), already keyed; NaN means unanswered.
    nan_policy
        ``"pairwise"`` or ``"listwise"``, as for :func:`cronbach_alpha`.

    Returns
    -------
    float
        Omega total; NaN when a correlation cannot be computed (e.g. an item without variance).

    Examples
    --------
    >>> import pandas as pd
    >>> from alliance_metrics.psychometrics import omega_total
    >>> items = pd.DataFrame({"a": [1, 2, 3, 4, 5, 3, 4, 2], "b": [2, 3, 3, 5, 4, 3, 5, 1],
    ...                       "c": [2, 3, 4, 4, 5, 2, 4, 3], "d": [1, 3, 3, 4, 4, 4, 5, 2]})
    >>> round(omega_total(items), 6)
    0.924185
    """
    policy = check_choice("nan_policy", "omega_total", nan_policy, _NAN_POLICIES)
    values = _item_matrix(items, "omega_total", 3)
    return omega_from_correlation(pairwise_moments(_used_rows(values, policy))[1])


def _keyed_items(
    df: object, inst: Instrument, columns: ColumnSpec, func: str
) -> tuple[ScoringPlan, FloatArray, FloatArray]:
    """Resolve, coerce and validate the item columns, then reverse-key them (the one place).

    Returns the plan, the raw matrix (for the scoring kernel) and the keyed matrix.
    """
    if not isinstance(df, pd.DataFrame):
        raise InvalidParameterError(
            f"The 'df' parameter of {func} must be a pandas DataFrame. "
            f"Got {type(df).__name__} instead."
        )
    items = df.loc[:, resolve_columns(list(df.columns), inst, columns)]
    plan = compile_instrument(inst)
    raw, codes = coerce_matrix(items, inst.response_scale, plan.labels)
    if codes.any():
        report = ValidationReport(n_rows=len(df), failure_cases=failure_table(items, codes, inst))
        raise ResponseValidationError(report.summary(), report)
    keyed = np.array(raw, order="F")  # always a copy; column-major: a scale is a column subset
    keyed[:, plan.reverse] = (plan.low + plan.high) - raw[:, plan.reverse]
    return plan, raw, keyed


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
    policy = check_choice("nan_policy", "reliability_report", nan_policy, _NAN_POLICIES)
    level = check_ci(ci, "reliability_report")
    rule = check_min_answered(min_answered, "reliability_report")
    inst = resolve_instrument(instrument)
    agg = check_aggregate(aggregate, "reliability_report", inst.default_aggregate)
    plan, raw, keyed = _keyed_items(df, inst, columns, "reliability_report")
    warn_if_provisional(inst)
    required = required_answers(plan, inst.missing_policy.min_answered if rule is None else rule)
    scores = score_blocks(plan, raw, agg, required)[0]
    rows: list[dict[str, object]] = []
    full = pairwise_moments(keyed) if policy == "pairwise" else None  # pairwise moments: all items
    for s, scale_id in enumerate(plan.scale_ids):  # a loop over scales, never over rows
        members = _members(plan, s)
        x = keyed[:, members]
        cov, cor = _scalepairwise_moments(keyed, members, policy, full)
        result = _alpha_result(x, policy, level, cov)
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
    policy = check_choice("nan_policy", "item_statistics", nan_policy, _NAN_POLICIES)
    inst = resolve_instrument(instrument)
    plan, _, keyed = _keyed_items(df, inst, columns, "item_statistics")
    warn_if_provisional(inst)
    parts = []
    full = pairwise_moments(keyed) if policy == "pairwise" else None
    for s, scale_id in enumerate(plan.scale_ids):  # a loop over scales, never over rows
        members = _members(plan, s)
        x = _used_rows(keyed[:, members], policy)
        cov = _scalepairwise_moments(keyed, members, policy, full)[0]
        r_drop, alpha_if_deleted = _drop_statistics(cov)
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


def reliability_table_text(report: pd.DataFrame, *, digits: int = 3) -> str:
    """Format a :func:`reliability_report` as a fixed-width text table (for the CLI).

    Statistics are rounded to ``digits`` decimals, percentages to one; NaN shows as ``NA``.

    Examples
    --------
    >>> import pandas as pd
    >>> from alliance_metrics.psychometrics import reliability_report, reliability_table_text
    >>> df = pd.DataFrame({"item1": [4, 4, 5, 2, 5, 3, 5], "item2": [3, 4, 5, 2, 4, 3, 5],
    ...                    "item3": [4, 5, 4, 3, 5, 2, 5]})
    >>> report = reliability_report(df, "wai-b3")
    >>> print(reliability_table_text(report[["scale", "n", "alpha", "sem", "pct_ceiling"]]))
    scale  n alpha   sem pct_ceiling
     goal  7    NA    NA        42.9
     task  7    NA    NA        28.6
     bond  7    NA    NA        42.9
    total  7 0.909 0.317        14.3
    """
    shown = report.copy()
    for name in shown.columns:
        if pd.api.types.is_float_dtype(shown[name].dtype):
            places = 1 if str(name).startswith("pct_") else digits
            shown[name] = shown[name].map(lambda v, p=places: "NA" if v != v else f"{v:.{p}f}")
    return shown.to_string(index=False)
