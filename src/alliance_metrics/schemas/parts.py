"""The parts of an instrument definition: items, scales, rules, cut-offs, provenance."""

from __future__ import annotations

import math
from typing import Literal

from pydantic import (
    BaseModel,
    Field,
    model_validator,
)

from alliance_metrics.schemas._base import (
    FROZEN,
    Aggregate,
    Count,
    Flag,
    Identifier,
    InstrumentId,
    Number,
)

__all__ = [
    "Citation",
    "Cutoff",
    "InstrumentStatus",
    "Item",
    "ItemOrigin",
    "MissingPolicy",
    "ReliableChange",
    "Scale",
]


class ItemOrigin(BaseModel):
    """Where an item of a derived short form comes from: an item of another instrument.

    Examples
    --------
    >>> item = Item(id="item1", number=1, origin={"instrument": "wai-sr", "number": 11})
    >>> item.origin
    ItemOrigin(instrument='wai-sr', number=11)
    """

    model_config = FROZEN

    instrument: InstrumentId = Field(description="Id of the source instrument, e.g. `wai-sr`.")
    number: Count = Field(ge=1, description="The item's number on the source instrument's form.")


class Item(BaseModel):
    """One question of an instrument (its key, never its copyrighted wording).

    Examples
    --------
    >>> import alliance_metrics as am
    >>> item = am.get_instrument("wai-s").items[3]
    >>> item.id, item.number, item.reverse
    ('item4', 4, True)
    """

    model_config = FROZEN

    id: Identifier = Field(description="Stable identifier, e.g. `item7` or `relationship`.")
    number: Count = Field(ge=1, description="Position on the official form, from 1.")
    reverse: Flag = Field(default=False, description="Scored as min + max − x.")
    printed_order: Literal["ascending", "descending"] = Field(
        default="ascending",
        description=(
            "Order in which the anchors are printed on the paper form (left to right): "
            "`descending` items are printed from the highest anchor to the lowest."
        ),
    )
    origin: ItemOrigin | None = Field(
        default=None,
        description=(
            "For an item of a short form built from another instrument's items (e.g. the SAI "
            "from the WAI-SR): that instrument's id and the item's number on its form. "
            "Provenance only: scoring never uses it, and keys are never derived from it."
        ),
    )


class Scale(BaseModel):
    """A set of items scored together: a subscale, the total, or an alternative composite.

    Examples
    --------
    >>> import alliance_metrics as am
    >>> scale = am.get_instrument("wai-sr").scales[0]
    >>> scale.id, scale.kind, scale.items
    ('task', 'subscale', ('item1', 'item2', 'item10', 'item12'))
    """

    model_config = FROZEN

    id: Identifier
    name: str
    kind: Literal["subscale", "total", "composite"] = Field(
        default="subscale",
        description=(
            "`subscale`: part of the instrument's partition of items; `total`: every item; "
            "`composite`: an alternative grouping (e.g. a two-factor reading)."
        ),
    )
    items: tuple[Identifier, ...] = Field(min_length=1)


class MissingPolicy(BaseModel):
    """When a scale with unanswered items is still scored (by prorating).

    ``min_answered`` is a count of items (int ≥ 1) or a proportion of the scale's items (float in
    (0, 1]); a scale with fewer answered items is missing with status ``insufficient``.

    Examples
    --------
    >>> import alliance_metrics as am
    >>> am.get_instrument("wai-sr").missing_policy
    MissingPolicy(min_answered=0.75)
    >>> am.score([4, 5, None], "wai-b3").scales["total"].status  # 2 of 3 answered: below 75 %
    'insufficient'
    """

    model_config = FROZEN

    min_answered: Count | Number = Field(default=0.75)

    @model_validator(mode="after")
    def _check_value(self) -> MissingPolicy:
        value = self.min_answered
        if isinstance(value, int):
            if value < 1:
                raise ValueError(f"min_answered as a count must be at least 1; got {value}")
        elif not 0.0 < value <= 1.0:
            raise ValueError(f"min_answered as a proportion must be in (0, 1]; got {value}")
        return self


class ReliableChange(BaseModel):
    """A reliable-change value in points reported for a scale (Jacobson & Truax's RC in points).

    ``kind="published"``: from the instrument's own validation papers; ``"secondary"``: reported
    by secondary sources only. No WAI form has one: compute it from an SD and a reliability.
    """

    model_config = FROZEN

    scale: Identifier
    aggregate: Aggregate = Field(description="Metric the points refer to (sum or mean).")
    points: Number = Field(gt=0, description="Change in points that counts as reliable.")
    kind: Literal["published", "secondary"]
    note: str = Field(description="Where the value comes from.")


class Cutoff(BaseModel):
    """A threshold on a scale score with its provenance.

    ``kind="convention"`` marks bands that are customs of vendors or clinics, not validated
    cut-offs (no alliance measure has validated norms).

    Examples
    --------
    >>> import alliance_metrics as am
    >>> cutoff = am.get_instrument("srs").cutoffs[0]
    >>> cutoff.id, cutoff.value, cutoff.direction, cutoff.boundary, cutoff.kind
    ('alliance_concern', 36.0, 'below', 'exclusive', 'published')
    """

    model_config = FROZEN

    id: Identifier
    scale: Identifier
    aggregate: Aggregate = Field(description="Metric the value refers to (sum or mean).")
    value: Number
    direction: Literal["below", "above"] = Field(description="Which side of the value is flagged.")
    boundary: Literal["exclusive", "inclusive"] = Field(
        description="`exclusive`: strictly below/above; `inclusive`: the value itself is flagged."
    )
    kind: Literal["published", "convention"]
    label: str
    note: str | None = None

    def flags(self, score: float) -> bool:
        """Return whether ``score`` is on the flagged side of this cut-off.

        Scores within 1e-9 of the value count as equal to it, so a visual-analogue total
        summed in floating point (8.7 + 9.6 + 9.9 + 7.8 = 35.99999999999999) sits *on* the
        boundary of a cut-off at 36, as it does on paper.

        Examples
        --------
        >>> Cutoff(id="c", scale="total", aggregate="sum", value=36, direction="below",
        ...        boundary="exclusive", kind="published", label="x").flags(36)
        False
        """
        on_boundary = math.isclose(score, self.value, rel_tol=0.0, abs_tol=1e-9)
        if on_boundary:
            return self.boundary == "inclusive"
        return score < self.value if self.direction == "below" else score > self.value


class Citation(BaseModel):
    """A bibliographic reference for the instrument.

    Examples
    --------
    >>> import alliance_metrics as am
    >>> am.get_instrument("wai-sr").citations[1].doi
    '10.1002/cpp.658'
    """

    model_config = FROZEN

    text: str
    doi: str | None = None


class InstrumentStatus(BaseModel):
    """How sure the scoring facts are.

    ``verified``: official form or two independent sources; ``derived``: follows mechanically from
    verified facts; ``provisional``: one secondary source (scoring warns once per session).
    ``reason`` is required unless the level is ``verified``, where it may name the sources.

    Examples
    --------
    >>> import alliance_metrics as am
    >>> am.get_instrument("wai-sr").status.level, am.get_instrument("sai").status.level
    ('verified', 'provisional')
    """

    model_config = FROZEN

    level: Literal["verified", "derived", "provisional"]
    reason: str | None = None

    @model_validator(mode="after")
    def _reason_required(self) -> InstrumentStatus:
        if self.level != "verified" and not self.reason:
            raise ValueError(f"a {self.level!r} status needs a reason")
        return self
