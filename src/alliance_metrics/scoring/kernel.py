"""The one scoring kernel: compile an instrument into arrays, then score matrices.

Rules
-----
* Reverse keying uses the declared bounds only: ``min + max − x``.
* A scale's mean is the mean of its answered items; its sum is the plain sum when every item is
  answered and the prorated sum (mean × number of items) otherwise.
* A scale with fewer answered items than ``min_answered`` is missing (NaN, ``insufficient``).

Compiled plans are cached by the instrument's content (:attr:`Instrument.fingerprint`), so an
instrument unpickled in a worker process, or read again from the same file, reuses its plan; a
small map by object identity spares hashing the definition on every call.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from alliance_metrics._arrays import BoolArray, CodeArray, FloatArray, IntArray, row_blocks
from alliance_metrics.errors import InvalidParameterError, warn_user
from alliance_metrics.schemas import Instrument
from alliance_metrics.validation.rules import CellRules, anchor_lookup

__all__ = [
    "INSUFFICIENT",
    "INVALID",
    "OK",
    "PRORATED",
    "ScoringPlan",
    "compile_instrument",
    "required_answers",
    "row_status_codes",
    "score_blocks",
    "score_matrix",
    "score_row",
    "warn_if_provisional",
]

OK, PRORATED, INSUFFICIENT, INVALID = 0, 1, 2, 3
_FEW_ROWS = 64
"""Up to this many rows a scale is summed in one ``accumulate`` call, above it item by item
(fewer calls against less memory traffic); both add left to right, so the bits agree."""
"""Status codes: positions in :data:`~alliance_metrics.results.ROW_STATUSES`."""


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
    members
        Column indices of each scale's items, in the scale's own order (the order its sum is
        taken in).
    """

    instrument: Instrument
    item_ids: tuple[str, ...]
    scale_ids: tuple[str, ...]
    weights: FloatArray
    reverse: BoolArray
    low: float
    high: float
    scale_sizes: IntArray
    labels: Mapping[str, float]
    positions: Mapping[str | int, int]
    members: tuple[IntArray, ...]
    required_cache: dict[tuple[str, int | float], IntArray] = field(
        default_factory=dict, repr=False, compare=False
    )
    rules_cache: dict[tuple[tuple[str, ...], bool], CellRules] = field(
        default_factory=dict, repr=False, compare=False
    )

    @cached_property
    def reverse_list(self) -> list[bool]:
        """``reverse`` as Python booleans (for :func:`score_row`)."""
        return [bool(r) for r in self.reverse.tolist()]

    @cached_property
    def member_lists(self) -> list[list[int]]:
        """``members`` as Python lists (for :func:`score_row`)."""
        return [m.tolist() for m in self.members]

    def rules(self, missing_values: tuple[str, ...] = (), decimal_comma: bool = False) -> CellRules:
        """Return the cell rules of this instrument with extra missing codes (cached per plan)."""
        key = (missing_values, decimal_comma)
        found = self.rules_cache.get(key)
        if found is None:
            found = CellRules.build(
                self.instrument.response_scale,
                self.labels,
                missing_values=missing_values,
                decimal_comma=decimal_comma,
            )
            self.rules_cache[key] = found
        return found


_CACHE_SIZE = 128
_plan_cache: OrderedDict[str, ScoringPlan] = OrderedDict()
_by_identity: OrderedDict[int, tuple[Instrument, ScoringPlan]] = OrderedDict()
_cache_lock = threading.Lock()


def _frozen(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


def compile_instrument(instrument: Instrument) -> ScoringPlan:
    """Compile ``instrument`` into a :class:`ScoringPlan` (cached by the definition's content).

    Examples
    --------
    >>> import alliance_metrics as am
    >>> from alliance_metrics.scoring import compile_instrument
    >>> plan = compile_instrument(am.get_instrument("wai-s"))
    >>> plan.weights.shape, [i for i, r in zip(plan.item_ids, plan.reverse) if r]
    ((12, 4), ['item4', 'item10'])
    """
    with _cache_lock:
        known = _by_identity.get(id(instrument))
        if known is not None and known[0] is instrument:
            return known[1]
    key = instrument.fingerprint
    with _cache_lock:
        hit = _plan_cache.get(key)
        if hit is not None:
            _plan_cache.move_to_end(key)
            _remember(instrument, hit)
            return hit
    item_index = {item.id: j for j, item in enumerate(instrument.items)}
    weights = np.zeros((instrument.n_items, len(instrument.scales)), dtype=np.float64)
    for s, scale in enumerate(instrument.scales):
        weights[[item_index[i] for i in scale.items], s] = 1.0
    plan = ScoringPlan(
        instrument=instrument,
        item_ids=tuple(item.id for item in instrument.items),
        scale_ids=tuple(scale.id for scale in instrument.scales),
        weights=_frozen(weights),
        reverse=_frozen(np.array([item.reverse for item in instrument.items], dtype=bool)),
        low=instrument.response_scale.min,
        high=instrument.response_scale.max,
        scale_sizes=_frozen(weights.sum(axis=0).astype(np.int64)),
        labels=anchor_lookup(instrument.response_scale),
        positions={
            **{item.id: j for j, item in enumerate(instrument.items)},
            **{item.number: j for j, item in enumerate(instrument.items)},
            **{str(item.number): j for j, item in enumerate(instrument.items)},
        },
        members=tuple(
            _frozen(np.array([item_index[i] for i in scale.items], dtype=np.int64))
            for scale in instrument.scales
        ),
    )
    with _cache_lock:
        _plan_cache[key] = plan
        if len(_plan_cache) > _CACHE_SIZE:
            _plan_cache.popitem(last=False)
        _remember(instrument, plan)
    return plan


def _remember(instrument: Instrument, plan: ScoringPlan) -> None:
    """Map the object to its plan (the caller holds the lock); the object is kept alive."""
    _by_identity[id(instrument)] = (instrument, plan)
    if len(_by_identity) > _CACHE_SIZE:
        _by_identity.popitem(last=False)


def required_answers(plan: ScoringPlan, min_answered: int | float, func: str = "score") -> IntArray:
    """Return, per scale, how many answered items are needed to score it.

    A count applies to every scale as given (and must not exceed the smallest scale); a
    proportion ``p`` needs ``ceil(p × n_items)`` answers (at least one). ``func`` names the
    public function in the error message.

    Examples
    --------
    >>> import alliance_metrics as am
    >>> plan = compile_instrument(am.get_instrument("wai-sr"))
    >>> required_answers(plan, 0.75).tolist()
    [3, 3, 3, 9, 6]
    """
    key = (type(min_answered).__name__, min_answered)
    cached = plan.required_cache.get(key)
    if cached is not None:
        return cached
    if isinstance(min_answered, int):
        too_large = [
            s
            for s, size in zip(plan.scale_ids, plan.scale_sizes.tolist(), strict=True)
            if size < min_answered
        ]
        if too_large:
            raise InvalidParameterError(
                f"The 'min_answered' parameter of {func} asks for {min_answered} answered items, "
                f"more than scale(s) {', '.join(repr(s) for s in too_large)} of "
                f"{plan.instrument.id!r} have; use a proportion such as 0.75 instead.",
                parameter="min_answered",
                function=func,
            )
        needed = np.full(len(plan.scale_ids), min_answered, dtype=np.int64)
    else:
        needed = np.asarray(
            [max(1, math.ceil(min_answered * size - 1e-9)) for size in plan.scale_sizes],
            dtype=np.int64,
        )
    plan.required_cache[key] = _frozen(needed)
    return needed


def score_matrix(
    plan: ScoringPlan, values: FloatArray, aggregate: str, required: IntArray
) -> tuple[FloatArray, IntArray, CodeArray]:
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

    Examples
    --------
    >>> import numpy as np, alliance_metrics as am
    >>> plan = compile_instrument(am.get_instrument("wai-b3"))
    >>> scores, answered, status = score_matrix(plan, np.array([[4.0, np.nan, 5.0]]), "mean",
    ...                                         np.array([1, 1, 1, 2]))
    >>> scores[:, 0].tolist(), status[:, 0].tolist()
    ([4.0, nan, 5.0, 4.5], [0, 2, 0, 1])
    """
    keyed = values
    if plan.reverse.any():
        keyed = values.copy(order="K")
        keyed[:, plan.reverse] = (plan.low + plan.high) - values[:, plan.reverse]
    missing = np.isnan(keyed)
    n_scales, n_rows = len(plan.scale_ids), len(values)
    sizes = plan.scale_sizes[:, np.newaxis]
    any_missing = bool(missing.any())
    # item-major copy: one contiguous row per item, unanswered as 0
    by_item = np.ascontiguousarray((np.where(missing, 0.0, keyed) if any_missing else keyed).T)
    sums = np.empty((n_scales, n_rows), dtype=np.float64)
    answered = np.empty((n_scales, n_rows), dtype=np.int64)
    missing_by_item = missing.T
    for s in range(n_scales):  # loops over scales and items, never over rows
        members = plan.members[s]
        # left to right in the scale's item order, as a person would add them: a row's score
        # never depends on the other rows of the batch (a matrix product's summation order,
        # and so its last bit, changes with the batch's shape)
        if n_rows <= _FEW_ROWS:  # one call; accumulate is strictly sequential too
            sums[s] = np.add.accumulate(by_item[members], axis=0)[-1]
        else:
            sums[s] = by_item[members[0]]
            for j in members[1:]:
                sums[s] += by_item[j]
        if any_missing:
            n_missing = missing_by_item[members].sum(axis=0, dtype=np.int64)
            answered[s] = plan.scale_sizes[s] - n_missing
        else:
            answered[s] = plan.scale_sizes[s]
    complete = answered == sizes
    enough = answered >= required[:, np.newaxis]
    if aggregate == "sum" and complete.all():
        scores = sums
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            means = sums / answered
        scores = means if aggregate == "mean" else np.where(complete, sums, means * sizes)
        scores[~enough] = np.nan
    status = np.full((n_scales, n_rows), OK, dtype=np.int8)
    status[~complete] = PRORATED
    status[~enough] = INSUFFICIENT
    return scores, answered, status


def score_row(
    plan: ScoringPlan, values: list[float], aggregate: str, required: IntArray
) -> list[tuple[float, int, int]]:
    """Score one administration in plain Python: (score, answered, status) per scale.

    The same arithmetic as :func:`score_matrix` on a one-row matrix, operation for operation
    (reverse keying, sums left to right in each scale's order, means, prorated sums), so its
    results are identical to the bit; without NumPy's per-call overhead, which dominates for
    a single row. NaN means unanswered, as a score and as a response.

    Examples
    --------
    >>> import numpy as np, alliance_metrics as am
    >>> plan = compile_instrument(am.get_instrument("wai-b3"))
    >>> score_row(plan, [4.0, float("nan"), 5.0], "mean", np.array([1, 1, 1, 2]))
    [(4.0, 1, 0), (nan, 0, 2), (5.0, 1, 0), (4.5, 2, 1)]
    """
    pivot = plan.low + plan.high
    keyed = [
        0.0 if v != v else (pivot - v if reverse else v)
        for v, reverse in zip(values, plan.reverse_list, strict=True)
    ]
    answered_items = [v == v for v in values]
    results: list[tuple[float, int, int]] = []
    for members, size, need in zip(
        plan.member_lists, plan.scale_sizes.tolist(), required.tolist(), strict=True
    ):
        total = keyed[members[0]]
        for j in members[1:]:
            total += keyed[j]
        answered = sum(answered_items[j] for j in members)
        if answered < need:
            results.append((math.nan, answered, INSUFFICIENT))
        elif answered == size:
            results.append((total if aggregate == "sum" else total / answered, answered, OK))
        else:
            mean = total / answered
            results.append((mean if aggregate == "mean" else mean * size, answered, PRORATED))
    return results


def score_blocks(
    plan: ScoringPlan, values: FloatArray, aggregate: str, required: IntArray
) -> tuple[FloatArray, IntArray, CodeArray]:
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


def row_status_codes(scale_status: CodeArray, invalid_rows: BoolArray) -> CodeArray:
    """Worst scale status per row (input is scales × n), ``invalid`` (3) taking precedence."""
    worst: CodeArray = np.maximum.reduce(scale_status, axis=0)
    worst[invalid_rows] = INVALID
    return worst


_warned: set[tuple[str, str]] = set()


def warn_if_provisional(instrument: Instrument) -> None:
    """Warn once per session when scoring an instrument whose key is provisional."""
    if instrument.status.level != "provisional":
        return
    key = (instrument.id, instrument.version)
    if key in _warned:
        return
    _warned.add(key)
    warn_user(f"The scoring key of {instrument.id!r} is provisional: {instrument.status.reason}")
