"""The one boundary: a public call's instrument and options, resolved and checked once.

Every public function that scores (``score``, ``score_frame``, ``score_csv``, the psychometrics)
builds one :class:`ScoreRequest` at its top, naming itself; inner code receives the request and
never re-resolves or re-checks. A request pickles (it holds the resolved instrument, not an id),
so it can be shipped to worker processes, where the plan is found again by the instrument's
content.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from alliance_metrics._arrays import IntArray
from alliance_metrics._params import (
    Aggregate,
    OnInvalid,
    bad_parameter,
    check_aggregate,
    check_choice,
    check_min_answered,
    check_optional_text,
    check_texts,
    resolve_instrument_arg,
    resolve_instruments_arg,
)
from alliance_metrics._version import library_version
from alliance_metrics.schemas import Instrument
from alliance_metrics.scoring.kernel import ScoringPlan, compile_instrument, required_answers
from alliance_metrics.validation.rules import CellRules

__all__ = ["ScoreRequest"]


@dataclass(frozen=True)
class ScoreRequest:
    """A public call's resolved instrument and scoring options.

    Attributes
    ----------
    function
        The public function the user called (messages name it).
    instrument
        The resolved definition.
    aggregate, min_answered
        The aggregation and the missing-data rule actually applied.
    on_invalid
        ``"raise"`` or ``"missing"``.
    prefix
        Prefix of added columns (``None``: the instrument's slug and ``_``).
    missing_values
        Extra texts meaning unanswered.

    Examples
    --------
    >>> request = ScoreRequest.resolve("score_frame", "wai-sr", aggregate="sum")
    >>> request.aggregate, request.min_answered, request.required.tolist()
    ('sum', 0.75, [3, 3, 3, 9, 6])
    """

    function: str
    instrument: Instrument
    aggregate: Aggregate
    min_answered: int | float
    on_invalid: OnInvalid = "raise"
    prefix: str | None = None
    missing_values: tuple[str, ...] = ()

    @classmethod
    def resolve(
        cls,
        function: str,
        instrument: object,
        *,
        aggregate: object = None,
        min_answered: object = None,
        on_invalid: object = "raise",
        prefix: object = None,
        missing_values: object = (),
    ) -> ScoreRequest:
        """Check every argument once and resolve the instrument (ids become definitions)."""
        inst = resolve_instrument_arg(instrument, function)
        agg = check_aggregate(aggregate, function, inst.default_aggregate)
        rule = check_min_answered(min_answered, function)
        mode: OnInvalid = check_choice("on_invalid", function, on_invalid, ("raise", "missing"))
        request = cls(
            function=function,
            instrument=inst,
            aggregate=agg,
            min_answered=inst.missing_policy.min_answered if rule is None else rule,
            on_invalid=mode,
            prefix=check_optional_text(prefix, "prefix", function),
            missing_values=check_texts(missing_values, "missing_values", function),
        )
        request.required  # noqa: B018 - checks min_answered against the scales now
        return request

    @classmethod
    def resolve_many(
        cls, function: str, instruments: object, *, prefix: object = None, **options: object
    ) -> tuple[ScoreRequest, ...]:
        """One request per instrument of a combined export (``["srs", "ors"]``).

        ``prefix`` is ``None`` (each instrument's slug), a str (one instrument only), or a
        sequence with one prefix (or ``None``) per instrument.
        """
        found = resolve_instruments_arg(instruments, function)
        if len(found) == 1:
            return (cls.resolve(function, found[0], prefix=prefix, **options),)
        if prefix is None:
            prefixes: list[object] = [None] * len(found)
        elif isinstance(prefix, list | tuple) and len(prefix) == len(found):
            prefixes = list(prefix)
        else:
            raise bad_parameter(
                "prefix",
                function,
                "be None or give one prefix per instrument when several are scored",
                prefix,
            )
        return tuple(
            cls.resolve(function, inst, prefix=p, **options)
            for inst, p in zip(found, prefixes, strict=True)
        )

    @property
    def plan(self) -> ScoringPlan:
        """The compiled instrument (cached by content)."""
        return compile_instrument(self.instrument)

    @property
    def required(self) -> IntArray:
        """Answered items needed per scale."""
        return required_answers(self.plan, self.min_answered, self.function)

    def rules(self, *, decimal_comma: bool = False) -> CellRules:
        """Return the cell rules of this request (declared missing codes included)."""
        return self.plan.rules(self.missing_values, decimal_comma)

    def provenance(self) -> dict[str, Any]:
        """Say what produced the scores: instrument id and version, rule, library version."""
        return {
            "instrument_id": self.instrument.id,
            "instrument_version": self.instrument.version,
            "aggregate": self.aggregate,
            "min_answered": self.min_answered,
            "library_version": library_version(),
        }
