"""Reliability of questionnaire scales: Cronbach's alpha, omega total and item statistics.

Instrument-aware functions find, validate and coerce the item columns as ``score_frame`` does (an
invalid cell raises :class:`~alliance_metrics.ResponseValidationError`) and reverse the
reverse-keyed items **once** (``min + max − x``, declared bounds) before any statistic: alpha,
omega, item statistics, SEM and floor/ceiling always agree on the direction of every item.
Missing answers follow R ``psych``: ``"pairwise"`` (default) or ``"listwise"`` (``na.omit``).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliance_metrics._params import Aggregate, bad_parameter, check_choice, check_ci, check_frame
from alliance_metrics.batch import frame_report
from alliance_metrics.columns import ColumnSpec, resolve_columns
from alliance_metrics.errors import ResponseValidationError
from alliance_metrics.frames.analyses import table_analysis
from alliance_metrics.reliability import (
    NAN_POLICIES,
    AlphaResult,
    NanPolicy,
    OmegaTotal,
    cronbach_alpha,
    omega_total,
)
from alliance_metrics.reliability.frames import plain_item_statistics
from alliance_metrics.reliability.items import Bounds, Keys, warn_notes
from alliance_metrics.reliability.scales import (
    ITEM_COLUMNS,
    ScaleItems,
    item_table,
    scale_notes,
    scale_reliability,
)
from alliance_metrics.schemas import Instrument
from alliance_metrics.scoring.kernel import ScoringPlan, score_blocks, warn_if_provisional
from alliance_metrics.scoring.request import ScoreRequest
from alliance_metrics.validation.frame import coerce_matrix

__all__ = [
    "ITEM_COLUMNS",
    "REPORT_COLUMNS",
    "AlphaResult",
    "NanPolicy",
    "OmegaTotal",
    "cronbach_alpha",
    "item_statistics",
    "omega_total",
    "reliability_report",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
REPORT_COLUMNS = (
    "scale", "n_items", "n", "alpha", "std_alpha", "average_r", "alpha_ci_lower",
    "alpha_ci_upper", "omega_total", "sem", "pct_floor", "pct_ceiling", "n_scored", "sd",
)  # fmt: skip
"""Columns of :func:`reliability_report`, in order."""


def _keyed_items(
    df: object, request: ScoreRequest, columns: ColumnSpec
) -> tuple[FloatArray, FloatArray, list[Hashable]]:
    """Resolve, coerce and validate the item columns, then reverse-key them (the one place).

    Invalid cells raise (``on_invalid="raise"``) or count as unanswered (``"missing"``).
    Returns the raw matrix (for the scoring kernel), the keyed matrix and the item columns.
    """
    func, inst = request.function, request.instrument
    frame = check_frame(df, func, other_tables=True)
    item_columns = resolve_columns(list(frame.columns), inst, columns, func)
    items = frame.loc[:, item_columns]
    plan = request.plan
    raw, codes = coerce_matrix(items, request.rules())
    if codes.any() and request.on_invalid == "raise":
        report = frame_report(items, codes, inst)
        raise ResponseValidationError(report.summary(), report)
    keyed = np.array(raw, order="F")  # always a copy; column-major: a scale is a column subset
    keyed[:, plan.reverse] = (plan.low + plan.high) - raw[:, plan.reverse]
    return raw, keyed, item_columns


def _instrument_items(
    keyed: FloatArray, plan: ScoringPlan, item_columns: Sequence[Hashable], policy: NanPolicy
) -> ScaleItems:
    shown = [f"{c!r} ({i})" for c, i in zip(item_columns, plan.item_ids, strict=True)]
    return ScaleItems.build(keyed, shown, policy)


def _members(plan: ScoringPlan, s: int) -> IntArray:
    return np.flatnonzero(plan.weights[:, s] > 0)


@table_analysis(items=True)
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
        at the scale minimum (maximum), i.e. whose score is the lowest (highest) possible
        (NaN ``sem`` where pairwise alpha exceeds 1). Statistics a scale has too few items for
        (alpha: 2, omega: 3) are NaN.

        As in :func:`cronbach_alpha`, items without variance are left out of each scale (its
        ``n_items`` counts the items used; ``attrs["dropped_items"]`` maps each scale to the
        item ids left out), and too few rows give NaN; one
        :class:`~alliance_metrics.AllianceMetricsWarning` names the scales and item columns.

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
    raw, keyed, item_columns = _keyed_items(df, request, columns)
    plan = request.plan
    warn_if_provisional(request.instrument)
    scores = score_blocks(plan, raw, request.aggregate, request.required)[0]
    items = _instrument_items(keyed, plan, item_columns, policy)
    rows: list[dict[str, object]] = []
    notes: list[tuple[str, str]] = []
    dropped: dict[str, tuple[str, ...]] = {}
    for s, scale_id in enumerate(plan.scale_ids):  # a loop over scales, never over rows
        members = _members(plan, s)
        ids = [plan.item_ids[j] for j in members]
        result, omega, said = scale_reliability(items, members, ids, level)
        notes += [(scale_id, note) for note in said]
        dropped[scale_id] = result.dropped
        x = keyed[:, members]
        scored = ~np.isnan(scores[s])
        n_scored = int(scored.sum())
        sd = float(np.std(scores[s][scored], ddof=1)) if n_scored > 1 else math.nan
        percent = 100.0 / n_scored if n_scored else math.nan
        rows.append(
            {
                "scale": scale_id,
                "n_items": result.n_items,
                "n": result.n,
                "alpha": result.alpha,
                "std_alpha": result.std_alpha,
                "average_r": result.average_r,
                "alpha_ci_lower": result.ci_lower,
                "alpha_ci_upper": result.ci_upper,
                "omega_total": omega,
                "sem": sd * math.sqrt(1.0 - result.alpha) if result.alpha <= 1 else math.nan,
                "pct_floor": ((np.fmax.reduce(x, axis=1) == plan.low) & scored).sum() * percent,
                "pct_ceiling": ((np.fmin.reduce(x, axis=1) == plan.high) & scored).sum() * percent,
                "n_scored": n_scored,
                "sd": sd,
            }
        )
    warn_notes(func, scale_notes(notes))
    report = pd.DataFrame(rows, columns=list(REPORT_COLUMNS))
    report.attrs["dropped_items"] = dropped
    return report


@table_analysis(items=True)
def item_statistics(
    df: pd.DataFrame,
    instrument: str | Instrument | None = None,
    *,
    columns: ColumnSpec = None,
    nan_policy: NanPolicy = "pairwise",
    on_invalid: str = "raise",
    missing_values: Collection[str] = (),
    keys: Keys = None,
    bounds: Bounds = None,
) -> pd.DataFrame:
    """Item statistics of every scale, with a keying audit (``psych::alpha()$item.stats``).

    For item ``i`` of a scale with (keyed) item covariance matrix ``C``::

        r_drop           = (ΣC[:, i] − C_ii) / √(C_ii · ΣC[−i, −i])     (psych r.drop)
        alpha_if_deleted = alpha of C[−i, −i]                        (psych alpha.drop raw_alpha)

    Items without variance are left out of their scale, with an
    :class:`~alliance_metrics.AllianceMetricsWarning`, as ``psych::alpha`` deletes them; with
    too few rows (see :func:`cronbach_alpha`) ``r_drop`` and ``alpha_if_deleted`` are NaN.

    Parameters
    ----------
    df
        One row per administration; never modified.
    instrument
        Instrument id or :class:`~alliance_metrics.Instrument`: its items are found, validated
        and keyed as in :func:`reliability_report`. ``None`` (as ``psych::alpha(x)``): every
        column of ``df`` is an item of one scale, ``total``, already keyed unless ``keys`` says
        otherwise; cells are read by the same rules (numbers, numeric text, missing markers),
        without anchor labels.
    columns
        With an instrument, as for :func:`reliability_report`; must be None without one
        (select the item columns first, e.g. ``df[["a", "b", "c"]]``).
    nan_policy
        ``"pairwise"`` (psych's default) or ``"listwise"`` (rows complete on the scale).
    on_invalid, missing_values
        As for :func:`reliability_report`. Without an instrument, an invalid cell is text that
        is not a number, infinity, or a value outside ``bounds``.
    keys, bounds
        Without an instrument only: items to reverse and the declared ``(min, max)``, as for
        :func:`cronbach_alpha` (reversed as ``min + max − x``; psych reverses with the data's
        range, so its ``mean`` of a reversed item differs when the data do not reach both
        bounds). With an instrument, its key decides and both must be None.

    Returns
    -------
    pandas.DataFrame
        One row per item used in every scale (the total's items appear again under ``total``),
        columns :data:`ITEM_COLUMNS`: ``scale, item, mean, sd, n, r_drop, alpha_if_deleted,
        keying_flag, reversed``. ``item`` is the item id (the column label without an
        instrument). ``mean``, ``sd`` and ``n`` (answers; the rows used for ``"listwise"``)
        describe the keyed item. ``keying_flag`` is True where ``r_drop < 0``: the item behaves
        as if keyed the wrong way (a data-entry problem, or a paper form keyed by tick
        position). ``reversed`` says whether the item was reversed. ``alpha_if_deleted`` is NaN
        for two-item scales (psych reports another quantity there). ``attrs["dropped_items"]``
        maps each scale to the items left out.

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

    A plain item frame, as ``psych::alpha(x, keys = "wai_6")$item.stats``:

    >>> plain = item_statistics(df[["wai_4", "wai_6", "wai_8", "wai_11"]], keys={"wai_6": -1},
    ...                         bounds=(1, 5))
    >>> plain[["scale", "item", "r_drop", "reversed"]].round(3)
       scale    item  r_drop  reversed
    0  total   wai_4   0.470     False
    1  total   wai_6   0.456      True
    2  total   wai_8   0.563     False
    3  total  wai_11   0.539     False
    """
    func = "item_statistics"
    policy = check_choice("nan_policy", func, nan_policy, NAN_POLICIES)
    if instrument is None:
        return plain_item_statistics(
            df,
            policy,
            columns=columns,
            on_invalid=on_invalid,
            missing_values=missing_values,
            keys=keys,
            bounds=bounds,
        )
    request = ScoreRequest.resolve(
        func, instrument, on_invalid=on_invalid, missing_values=missing_values
    )
    for name, value in (("keys", keys), ("bounds", bounds)):
        if value is not None:
            must = "be None when an instrument is given (the instrument's key reverses items)"
            raise bad_parameter(name, func, must, value)
    _, keyed, item_columns = _keyed_items(df, request, columns)
    plan = request.plan
    warn_if_provisional(request.instrument)
    items = _instrument_items(keyed, plan, item_columns, policy)
    scales = [(scale_id, _members(plan, s)) for s, scale_id in enumerate(plan.scale_ids)]
    return item_table(func, items, scales, list(plan.item_ids), plan.reverse)
