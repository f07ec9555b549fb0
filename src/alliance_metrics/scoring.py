"""The one scoring kernel: compile an instrument into arrays, then score matrices.

Both :func:`score` (one administration) and :func:`~alliance_metrics.score_frame` (a table) run
the same compiled :class:`ScoringPlan` through :func:`score_matrix`.

Rules
-----
* Reverse keying uses the declared bounds only: ``min + max − x``.
* A scale's mean is the mean of its answered items; its sum is the plain sum when every item is
  answered and the prorated sum (mean × number of items) otherwise.
* A scale with fewer answered items than ``min_answered`` is missing (NaN, ``insufficient``).
"""

from __future__ import annotations

import functools
import math
import sys
import threading
import warnings
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Final

import numpy as np
import numpy.typing as npt

from alliance_metrics._params import Aggregate, check_aggregate, check_choice, check_min_answered
from alliance_metrics.errors import (
    AllianceMetricsWarning,
    InvalidParameterError,
    ResponseValidationError,
)
from alliance_metrics.instruments.registry import resolve_instrument
from alliance_metrics.results import (
    RowStatus,
    ScaleStatus,
    ScoreResult,
    ValidationReport,
)
from alliance_metrics.schemas import Administration, Instrument
from alliance_metrics.validation import (
    ISSUE_NONE,
    anchor_lookup,
    coerce_values,
    row_blocks,
)

__all__ = [
    "ROW_STATUSES",
    "SCALE_STATUSES",
    "ScoringPlan",
    "compile_instrument",
    "library_version",
    "required_answers",
    "row_status_codes",
    "score",
    "score_blocks",
    "score_matrix",
    "warn_if_provisional",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

SCALE_STATUSES: Final[tuple[ScaleStatus, ...]] = ("ok", "prorated", "insufficient")
ROW_STATUSES: Final[tuple[RowStatus, ...]] = ("ok", "prorated", "insufficient", "invalid")
_OK, _PRORATED, _INSUFFICIENT, _INVALID = 0, 1, 2, 3


@functools.cache
def library_version() -> str:
    """Return the installed version of alliance_metrics."""
    try:
        return version("alliance-metrics")
    except PackageNotFoundError:  # pragma: no cover - only when run from an uninstalled tree
        return "0+unknown"


@dataclass(frozen=True, eq=False)
class ScoringPlan:
    """An instrument compiled into arrays for vectorised scoring.

    Attributes
    ----------
    instrument
        The source definition.
    item_ids, scale_ids
        Item ids in form order and scale ids in definition order.
    weights
        (items × scales) float64 matrix of 0/1 membership.
    reverse
        Boolean mask over items: reverse-keyed items.
    low, high
        Declared bounds of the response scale (used for reverse keying).
    scale_sizes
        Number of items of each scale.
    labels
        Normalised anchor label → value.
    positions
        Item id, number, or number as text → column index.
    """

    instrument: Instrument
    item_ids: tuple[str, ...]
    scale_ids: tuple[str, ...]
    weights: FloatArray
    reverse: npt.NDArray[np.bool_]
    low: float
    high: float
    scale_sizes: IntArray
    labels: Mapping[str, float]
    positions: Mapping[str | int, int]
    required_cache: dict[tuple[str, int | float], IntArray] = field(
        default_factory=dict, repr=False, compare=False
    )


_CACHE_SIZE = 128
_plan_cache: OrderedDict[int, tuple[Instrument, ScoringPlan]] = OrderedDict()
_cache_lock = threading.Lock()


def compile_instrument(instrument: Instrument) -> ScoringPlan:
    """Compile ``instrument`` into a :class:`ScoringPlan` (cached per instrument object).

    Examples
    --------
    >>> import alliance_metrics as am
    >>> from alliance_metrics.scoring import compile_instrument
    >>> plan = compile_instrument(am.get_instrument("wai-s"))
    >>> plan.weights.shape, [i for i, r in zip(plan.item_ids, plan.reverse) if r]
    ((12, 4), ['item4', 'item10'])
    """
    key = id(instrument)
    with _cache_lock:
        hit = _plan_cache.get(key)
        if hit is not None and hit[0] is instrument:
            _plan_cache.move_to_end(key)
            return hit[1]
    item_index = {item.id: j for j, item in enumerate(instrument.items)}
    weights = np.zeros((instrument.n_items, len(instrument.scales)), dtype=np.float64)
    for s, scale in enumerate(instrument.scales):
        weights[[item_index[i] for i in scale.items], s] = 1.0
    for array in (weights,):
        array.setflags(write=False)
    reverse = np.array([item.reverse for item in instrument.items], dtype=bool)
    reverse.setflags(write=False)
    sizes = weights.sum(axis=0).astype(np.int64)
    sizes.setflags(write=False)
    plan = ScoringPlan(
        instrument=instrument,
        item_ids=tuple(item.id for item in instrument.items),
        scale_ids=tuple(scale.id for scale in instrument.scales),
        weights=weights,
        reverse=reverse,
        low=instrument.response_scale.min,
        high=instrument.response_scale.max,
        scale_sizes=sizes,
        labels=anchor_lookup(instrument.response_scale),
        positions={
            **{item.id: j for j, item in enumerate(instrument.items)},
            **{item.number: j for j, item in enumerate(instrument.items)},
            **{str(item.number): j for j, item in enumerate(instrument.items)},
        },
    )
    with _cache_lock:
        _plan_cache[key] = (instrument, plan)
        if len(_plan_cache) > _CACHE_SIZE:
            _plan_cache.popitem(last=False)
    return plan


def required_answers(plan: ScoringPlan, min_answered: int | float) -> IntArray:
    """Return, per scale, how many answered items are needed to score it.

    A count applies to every scale as given (and must not exceed the smallest scale); a
    proportion ``p`` needs ``ceil(p × n_items)`` answers (at least one).
    """
    key = (type(min_answered).__name__, min_answered)
    cached = plan.required_cache.get(key)
    if cached is not None:
        return cached
    if isinstance(min_answered, int):
        too_large = [
            s
            for s, size in zip(plan.scale_ids, plan.scale_sizes, strict=True)
            if size < min_answered
        ]
        if too_large:
            raise InvalidParameterError(
                f"The 'min_answered' rule asks for {min_answered} answered items, more than "
                f"scale(s) {', '.join(repr(s) for s in too_large)} of "
                f"{plan.instrument.id!r} have; use a proportion such as 0.75 instead."
            )
        needed = np.full(len(plan.scale_ids), min_answered, dtype=np.int64)
    else:
        needed = np.asarray(
            [max(1, math.ceil(min_answered * size - 1e-9)) for size in plan.scale_sizes],
            dtype=np.int64,
        )
    needed.setflags(write=False)
    plan.required_cache[key] = needed
    return needed


def score_matrix(
    plan: ScoringPlan, values: FloatArray, aggregate: Aggregate, required: IntArray
) -> tuple[FloatArray, IntArray, npt.NDArray[np.int8]]:
    """Score an (n × items) float matrix of raw responses; NaN means unanswered.

    Outputs are *scale-major* (one contiguous row per scale), which is the layout of the
    columns they become.

    Returns
    -------
    scores
        (scales × n) float64; NaN where the scale is insufficient.
    answered
        (scales × n) int64 count of answered items.
    status
        (scales × n) int8: 0 ok, 1 prorated, 2 insufficient.
    """
    keyed = values
    if plan.reverse.any():
        keyed = values.copy(order="K")
        keyed[:, plan.reverse] = (plan.low + plan.high) - values[:, plan.reverse]
    missing = np.isnan(keyed)
    n_scales, n_rows = len(plan.scale_ids), len(values)
    sizes = plan.scale_sizes[:, np.newaxis]
    if missing.any():
        sums = plan.weights.T @ np.where(missing, 0.0, keyed).T
        missing_by_item = missing.T
        answered = np.empty((n_scales, n_rows), dtype=np.int64)
        for s in range(n_scales):  # a loop over scales, never over rows
            members = plan.weights[:, s] > 0
            n_missing = missing_by_item[members].sum(axis=0, dtype=np.int64)
            answered[s] = plan.scale_sizes[s] - n_missing
    else:
        sums = plan.weights.T @ keyed.T
        answered = np.broadcast_to(sizes, (n_scales, n_rows)).copy()
    complete = answered == sizes
    enough = answered >= required[:, np.newaxis]
    if aggregate == "sum" and complete.all():
        scores = sums
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            means = sums / answered
        scores = means if aggregate == "mean" else np.where(complete, sums, means * sizes)
        scores[~enough] = np.nan
    status = np.full((n_scales, n_rows), _OK, dtype=np.int8)
    status[~complete] = _PRORATED
    status[~enough] = _INSUFFICIENT
    return scores, answered, status


def score_blocks(
    plan: ScoringPlan, values: FloatArray, aggregate: Aggregate, required: IntArray
) -> tuple[FloatArray, IntArray, npt.NDArray[np.int8]]:
    """Run :func:`score_matrix` over blocks of rows (same results, cache-sized temporaries)."""
    n_scales, n_rows = len(plan.scale_ids), len(values)
    scores = np.empty((n_scales, n_rows), dtype=np.float64)
    answered = np.empty((n_scales, n_rows), dtype=np.int64)
    status = np.empty((n_scales, n_rows), dtype=np.int8)
    for block in row_blocks(n_rows):
        scores[:, block], answered[:, block], status[:, block] = score_matrix(
            plan, values[block], aggregate, required
        )
    return scores, answered, status


def row_status_codes(
    scale_status: npt.NDArray[np.int8], invalid_rows: npt.NDArray[np.bool_]
) -> npt.NDArray[np.int8]:
    """Worst scale status per row (input is scales × n), ``invalid`` (3) taking precedence."""
    worst: npt.NDArray[np.int8] = np.maximum.reduce(scale_status, axis=0)
    worst[invalid_rows] = _INVALID
    return worst


_warned: set[tuple[str, str]] = set()


def warn_if_provisional(instrument: Instrument, stacklevel: int = 3) -> None:
    """Warn once per session when scoring an instrument whose key is provisional."""
    if instrument.status.level != "provisional":
        return
    key = (instrument.id, instrument.version)
    if key in _warned:
        return
    _warned.add(key)
    warnings.warn(
        f"The scoring key of {instrument.id!r} is provisional: {instrument.status.reason}",
        AllianceMetricsWarning,
        stacklevel=stacklevel,
    )


def _item_position(key: object, plan: ScoringPlan) -> int | None:
    """Column index of the item named by ``key`` (id, number, or number as text)."""
    if type(key) is str:
        return plan.positions.get(key.strip())
    if type(key) is int:
        return plan.positions.get(key)
    try:
        return plan.instrument.item(key).number - 1  # type: ignore[arg-type]
    except (KeyError, TypeError):
        return None


def _responses_to_row(responses: object, plan: ScoringPlan) -> list[object]:
    """Arrange a mapping, sequence or Administration into a list in item order."""
    instrument = plan.instrument
    if isinstance(responses, Administration):
        if responses.instrument != instrument.id:
            raise InvalidParameterError(
                f"The administration is of instrument {responses.instrument!r} but "
                f"{instrument.id!r} was requested."
            )
        responses = responses.responses
    if isinstance(responses, Mapping):
        row: list[object] = [None] * instrument.n_items
        unknown = []
        seen: set[int] = set()
        for key, value in responses.items():
            position = _item_position(key, plan)
            if position is None:
                unknown.append(key)
                continue
            if position in seen:
                raise InvalidParameterError(
                    f"Responses name item {plan.item_ids[position]!r} twice (e.g. by id and by "
                    "number)."
                )
            seen.add(position)
            row[position] = value
        if unknown:
            raise InvalidParameterError(
                f"Responses name items that {instrument.id!r} does not have: "
                f"{', '.join(repr(k) for k in unknown)}. Items are "
                f"{', '.join(i.id for i in instrument.items)} (or numbers 1 to "
                f"{instrument.n_items})."
            )
        return row
    pandas = sys.modules.get("pandas")  # a Series exists only if pandas is imported
    if pandas is not None and isinstance(responses, pandas.Series):
        return _responses_to_row(responses.to_dict(), plan)
    if isinstance(responses, np.ndarray):
        if responses.ndim != 1:
            raise InvalidParameterError(
                "An array of responses must be one-dimensional (one administration); use "
                f"score_frame for tables. Got shape {responses.shape} instead."
            )
        responses = responses.tolist()
    if isinstance(responses, Sequence) and not isinstance(responses, str | bytes):
        if len(responses) != instrument.n_items:
            raise InvalidParameterError(
                f"A sequence of responses must hold one value per item of {instrument.id!r} "
                f"({instrument.n_items}). Got {len(responses)} instead."
            )
        return list(responses)
    raise InvalidParameterError(
        "The 'responses' parameter of score must be a mapping of item to value, a sequence in "
        f"item order or an Administration. Got {type(responses).__name__} instead."
    )


def score(
    responses: Mapping[str | int, object] | Sequence[object] | Administration,
    instrument: str | Instrument | None = None,
    *,
    aggregate: Aggregate | None = None,
    min_answered: int | float | None = None,
    on_invalid: str = "raise",
) -> ScoreResult:
    """Score one administration of an instrument.

    Parameters
    ----------
    responses
        A mapping of item id or number to value (``None`` = unanswered; a pandas Series indexed
        by item works too), a sequence or 1-D NumPy array of values in item order, or an
        :class:`Administration`. Values may be numbers, numeric strings or
        anchor labels (``"Very Often"``).
    instrument
        Instrument id or :class:`Instrument`; may be omitted for an ``Administration``.
    aggregate
        ``"mean"`` or ``"sum"``; ``None`` takes the instrument's default.
    min_answered
        Items needed per scale: an int (count) or a float in (0, 1] (proportion); ``None`` takes
        the instrument's missing policy (0.75 by default).
    on_invalid
        ``"raise"`` raises :class:`ResponseValidationError`; ``"missing"`` treats invalid
        responses as unanswered and marks the result ``invalid``.

    Returns
    -------
    ScoreResult
        Per-scale value, answered count, prorating flag and status, plus the rule and versions.

    Examples
    --------
    >>> import alliance_metrics as am
    >>> r = am.score({1: 4, 2: 5, 3: 4, 4: 4, 5: 5, 6: 3, 7: 4, 8: 4, 9: 5, 10: 4, 11: None,
    ...               12: 4}, "wai-sr", aggregate="sum")
    >>> r.scales["goal"].value, r.scales["goal"].prorated, r.scales["goal"].answered
    (14.666666666666666, True, 3)
    """
    if instrument is None:
        if not isinstance(responses, Administration):
            raise InvalidParameterError(
                "The 'instrument' parameter of score is required unless responses is an "
                "Administration."
            )
        instrument = responses.instrument
    inst = resolve_instrument(instrument)
    agg = check_aggregate(aggregate, "score", inst.default_aggregate)
    rule = check_min_answered(min_answered, "score")
    check_choice("on_invalid", "score", on_invalid, ("raise", "missing"))
    plan = compile_instrument(inst)
    rule = inst.missing_policy.min_answered if rule is None else rule
    required = required_answers(plan, rule)
    row = _responses_to_row(responses, plan)
    values, codes = coerce_values(row, inst.response_scale, plan.labels)
    invalid_items: tuple[str, ...] = ()
    if codes.any():
        import pandas as pd

        from alliance_metrics.batch import failure_table

        frame = pd.DataFrame([row], columns=list(plan.item_ids), dtype=object)
        report = ValidationReport(n_rows=1, failure_cases=failure_table(frame, codes, inst))
        if on_invalid == "raise":
            raise ResponseValidationError(report.summary(), report)
        invalid_items = tuple(plan.item_ids[j] for j in np.flatnonzero(codes[0] != ISSUE_NONE))
    warn_if_provisional(inst)
    scores, answered, status = score_matrix(plan, values, agg, required)
    row_status = row_status_codes(status, np.array([bool(invalid_items)]))[0]
    scales = {
        scale_id: {
            "value": None if value != value else value,  # NaN → None
            "answered": count,
            "n_items": size,
            "prorated": code == _PRORATED,
            "status": SCALE_STATUSES[code],
        }
        for scale_id, value, count, size, code in zip(
            plan.scale_ids,
            scores[:, 0].tolist(),
            answered[:, 0].tolist(),
            plan.scale_sizes.tolist(),
            status[:, 0].tolist(),
            strict=True,
        )
    }
    return ScoreResult.model_validate(
        {
            "instrument_id": inst.id,
            "instrument_version": inst.version,
            "aggregate": agg,
            "min_answered": rule,
            "library_version": library_version(),
            "status": ROW_STATUSES[row_status],
            "scales": scales,
            "invalid_items": invalid_items,
        }
    )
