"""Score one administration: a mapping, a sequence or an :class:`Administration`."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence

import numpy as np

from alliance_metrics._params import Aggregate
from alliance_metrics.errors import InvalidParameterError, ResponseValidationError
from alliance_metrics.results import ROW_STATUSES, SCALE_STATUSES, ScoreResult, ValidationReport
from alliance_metrics.schemas import Administration, Instrument
from alliance_metrics.scoring.kernel import (
    INVALID,
    PRORATED,
    ScoringPlan,
    score_row,
    warn_if_provisional,
)
from alliance_metrics.scoring.request import ScoreRequest
from alliance_metrics.validation.report import failure_table
from alliance_metrics.validation.single import coerce_row

__all__ = ["score"]


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
                f"The 'instrument' parameter of score is {instrument.id!r}, but the "
                f"administration is of instrument {responses.instrument!r}.",
                parameter="instrument",
                function="score",
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
                    f"The 'responses' parameter of score names item {plan.item_ids[position]!r} "
                    "twice (e.g. by id and by number).",
                    parameter="responses",
                    function="score",
                )
            seen.add(position)
            row[position] = value
        if unknown:
            raise InvalidParameterError(
                f"The 'responses' parameter of score names items that {instrument.id!r} does not "
                "have: "
                f"{', '.join(repr(k) for k in unknown)}. Items are "
                f"{', '.join(i.id for i in instrument.items)} (or numbers 1 to "
                f"{instrument.n_items}).",
                parameter="responses",
                function="score",
            )
        return row
    pandas = sys.modules.get("pandas")  # a Series exists only if pandas is imported
    if pandas is not None and isinstance(responses, pandas.Series):
        return _responses_to_row(responses.to_dict(), plan)
    if isinstance(responses, np.ndarray):
        if responses.ndim != 1:
            raise InvalidParameterError(
                "The 'responses' parameter of score must be one-dimensional (one "
                f"administration; use score_frame for tables). Got shape {responses.shape} "
                "instead.",
                parameter="responses",
                function="score",
            )
        responses = responses.tolist()
    if isinstance(responses, Sequence) and not isinstance(responses, str | bytes):
        if len(responses) != instrument.n_items:
            raise InvalidParameterError(
                f"The 'responses' parameter of score must hold one value per item of "
                f"{instrument.id!r} ({instrument.n_items}). Got {len(responses)} instead.",
                parameter="responses",
                function="score",
            )
        return list(responses)
    raise InvalidParameterError(
        "The 'responses' parameter of score must be a mapping of item to value, a sequence in "
        f"item order or an Administration. Got {type(responses).__name__} instead.",
        parameter="responses",
        function="score",
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
                "Administration.",
                parameter="instrument",
                function="score",
            )
        instrument = responses.instrument
    request = ScoreRequest.resolve(
        "score", instrument, aggregate=aggregate, min_answered=min_answered, on_invalid=on_invalid
    )
    inst, plan = request.instrument, request.plan
    row = _responses_to_row(responses, plan)
    values, codes = coerce_row(row, request.rules())
    invalid_items: tuple[str, ...] = ()
    if codes.any():
        failures = failure_table(
            codes, plan.item_ids, inst.response_scale, lambda j, rows: [row[j]] * len(rows)
        )
        report = ValidationReport(n_rows=1, failure_cases=failures)
        if request.on_invalid == "raise":
            raise ResponseValidationError(report.summary(), report)
        invalid_items = tuple(plan.item_ids[j] for j in np.flatnonzero(codes[0]).tolist())
    warn_if_provisional(inst)
    scored = score_row(plan, values[0].tolist(), request.aggregate, request.required)
    row_status = INVALID if invalid_items else max(code for _, _, code in scored)
    scales = {
        scale_id: {
            "value": None if value != value else value,  # NaN → None
            "answered": count,
            "n_items": size,
            "prorated": code == PRORATED,
            "status": SCALE_STATUSES[code],
        }
        for scale_id, (value, count, code), size in zip(
            plan.scale_ids, scored, plan.scale_sizes.tolist(), strict=True
        )
    }
    echoed = (
        {"respondent": responses.respondent, "session": responses.session}
        if isinstance(responses, Administration)
        else {}
    )
    return ScoreResult.model_validate(
        {
            **request.provenance(),
            "status": ROW_STATUSES[row_status],
            "scales": scales,
            "invalid_items": invalid_items,
            **echoed,
        }
    )
