"""Pydantic models of instrument definitions and of one filled-in questionnaire.

These models are the instrument *definition format*: every built-in instrument is a JSON
document validated by :class:`Instrument`, and users write their own in the same format
(``am.load_instrument("my.json")``). ``Instrument.model_json_schema()`` documents it.

All models are frozen and reject unknown fields, so a typo in a definition is an error rather
than a silently ignored key.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Mapping
from functools import cached_property
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from alliance_metrics._text import normalize_label

__all__ = [
    "Administration",
    "Anchor",
    "Citation",
    "Cutoff",
    "Instrument",
    "InstrumentStatus",
    "Item",
    "ItemOrigin",
    "MissingPolicy",
    "ResponseScale",
    "Scale",
]

Identifier = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", min_length=1, max_length=64)
]
InstrumentId = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$", min_length=1, max_length=64)
]
Aggregate = Literal["mean", "sum"]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Anchor(BaseModel):
    """A labelled point of a response scale (``4`` = ``"Very Often"``)."""

    model_config = _FROZEN

    value: float
    label: Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]


class ResponseScale(BaseModel):
    """The values a respondent can give to every item of an instrument.

    ``step=1`` makes an integer-coded scale (3.5 on a 1–5 scale is invalid, never rounded);
    ``step=None`` makes a continuous scale such as a visual-analogue line measured in cm.
    """

    model_config = _FROZEN

    min: float = Field(description="Lowest valid response (also the reverse-keying bound).")
    max: float = Field(description="Highest valid response (also the reverse-keying bound).")
    step: float | None = Field(
        default=1.0,
        gt=0,
        description="Spacing of valid values from `min`; null for a continuous scale.",
    )
    anchors: tuple[Anchor, ...] = Field(
        default=(), description="Labelled points; labels are accepted as responses."
    )

    @model_validator(mode="after")
    def _check_consistency(self) -> ResponseScale:
        if not (math.isfinite(self.min) and math.isfinite(self.max)):
            raise ValueError("response scale bounds must be finite numbers")
        if self.min >= self.max:
            raise ValueError(f"response scale min ({self.min:g}) must be below max ({self.max:g})")
        if self.step is not None:
            n_steps = (self.max - self.min) / self.step
            if abs(n_steps - round(n_steps)) > 1e-9:
                raise ValueError(
                    f"response scale max ({self.max:g}) is not reachable from min "
                    f"({self.min:g}) in steps of {self.step:g}"
                )
        seen: dict[str, float] = {}
        for anchor in self.anchors:
            if not self.min <= anchor.value <= self.max:
                raise ValueError(
                    f"anchor {anchor.label!r} has value {anchor.value:g}, outside the scale "
                    f"{self.min:g} to {self.max:g}"
                )
            if self.step is not None:
                position = (anchor.value - self.min) / self.step
                if abs(position - round(position)) > 1e-9:
                    raise ValueError(
                        f"anchor {anchor.label!r} has value {anchor.value:g}, which is not on the "
                        f"scale's steps of {self.step:g} from {self.min:g}"
                    )
            key = normalize_label(anchor.label)
            if key in seen:
                raise ValueError(f"anchor label {anchor.label!r} is declared twice")
            seen[key] = anchor.value
        return self

    @property
    def is_integer(self) -> bool:
        """Whether valid responses are whole numbers (integer bounds and step 1)."""
        return self.step == 1.0 and float(self.min).is_integer()

    def describe(self) -> str:
        """Describe the valid responses in words, as used in error messages."""
        kind = "an integer" if self.is_integer else "a number"
        text = f"{kind} from {self.min:g} to {self.max:g}"
        if self.step is not None and not self.is_integer:
            text += f" in steps of {self.step:g}"
        return text


class ItemOrigin(BaseModel):
    """Where an item of a derived short form comes from: an item of another instrument.

    Examples
    --------
    >>> item = Item(id="item1", number=1, origin={"instrument": "wai-sr", "number": 11})
    >>> item.origin
    ItemOrigin(instrument='wai-sr', number=11)
    """

    model_config = _FROZEN

    instrument: InstrumentId = Field(description="Id of the source instrument, e.g. `wai-sr`.")
    number: int = Field(ge=1, description="The item's number on the source instrument's form.")


class Item(BaseModel):
    """One question of an instrument (its key, never its copyrighted wording)."""

    model_config = _FROZEN

    id: Identifier = Field(description="Stable identifier, e.g. `item7` or `relationship`.")
    number: int = Field(ge=1, description="Position on the official form, from 1.")
    reverse: bool = Field(default=False, description="Scored as min + max − x.")
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
    """A set of items scored together: a subscale, the total, or an alternative composite."""

    model_config = _FROZEN

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
    """

    model_config = _FROZEN

    min_answered: int | float = Field(default=0.75)

    @field_validator("min_answered", mode="before")
    @classmethod
    def _reject_bool(cls, value: object) -> object:
        # Checked before pydantic's lax int coercion, which would turn True into 1.
        if isinstance(value, bool):
            raise ValueError("min_answered must be an int or a float, not a bool")
        return value

    @model_validator(mode="after")
    def _check_value(self) -> MissingPolicy:
        value = self.min_answered
        if isinstance(value, int):
            if value < 1:
                raise ValueError(f"min_answered as a count must be at least 1; got {value}")
        elif not 0.0 < value <= 1.0:
            raise ValueError(f"min_answered as a proportion must be in (0, 1]; got {value}")
        return self


class Cutoff(BaseModel):
    """A threshold on a scale score with its provenance.

    ``kind="convention"`` marks bands that are customs of vendors or clinics, not validated
    cut-offs (no alliance measure has validated norms).
    """

    model_config = _FROZEN

    id: Identifier
    scale: Identifier
    aggregate: Aggregate = Field(description="Metric the value refers to (sum or mean).")
    value: float
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
    """A bibliographic reference for the instrument."""

    model_config = _FROZEN

    text: str
    doi: str | None = None


class InstrumentStatus(BaseModel):
    """How sure the scoring facts are.

    ``verified``: official form or two independent sources; ``derived``: follows mechanically from
    verified facts; ``provisional``: one secondary source (scoring warns once per session).
    ``reason`` is required unless the level is ``verified``, where it may name the sources.
    """

    model_config = _FROZEN

    level: Literal["verified", "derived", "provisional"]
    reason: str | None = None

    @model_validator(mode="after")
    def _reason_required(self) -> InstrumentStatus:
        if self.level != "verified" and not self.reason:
            raise ValueError(f"a {self.level!r} status needs a reason")
        return self


class Instrument(BaseModel):
    """A questionnaire's scoring definition: items, keys, scales, rules and provenance.

    The model checks its own consistency (every scale item exists, items are numbered 1..k,
    every item belongs to exactly one subscale, the total holds every item, no two items share
    an origin, cut-offs name existing scales and lie within their range).

    Examples
    --------
    >>> import alliance_metrics as am
    >>> wai = am.get_instrument("wai-sr")
    >>> wai.n_items, [s.id for s in wai.scales]
    (12, ['task', 'bond', 'goal', 'total', 'goal_task'])
    """

    model_config = _FROZEN

    id: InstrumentId
    name: str
    short_name: str
    version: str = Field(description="Revision of this definition (not of the paper form).")
    rater: Literal["client", "therapist", "observer"]
    citations: tuple[Citation, ...] = Field(min_length=1)
    response_scale: ResponseScale
    items: tuple[Item, ...] = Field(min_length=1)
    scales: tuple[Scale, ...] = Field(min_length=1)
    default_aggregate: Aggregate = "mean"
    missing_policy: MissingPolicy = MissingPolicy()
    cutoffs: tuple[Cutoff, ...] = ()
    status: InstrumentStatus
    licence: str
    notes: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _check_consistency(self) -> Instrument:
        self._check_items()
        self._check_scales()
        self._check_cutoffs()
        self._check_missing_policy()
        return self

    def _check_missing_policy(self) -> None:
        needed = self.missing_policy.min_answered
        if isinstance(needed, int):
            smallest = min(self.scales, key=lambda s: len(s.items))
            if needed > len(smallest.items):
                raise ValueError(
                    f"missing_policy.min_answered ({needed} items) exceeds the "
                    f"{len(smallest.items)} item(s) of scale {smallest.id!r}; use a proportion"
                )

    def _check_items(self) -> None:
        ids = Counter(item.id for item in self.items)
        duplicated = sorted(i for i, n in ids.items() if n > 1)
        if duplicated:
            raise ValueError(f"item ids are declared more than once: {duplicated}")
        numbers = [item.number for item in self.items]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(
                "items must be listed in form order and numbered 1.."
                f"{len(numbers)} without gaps; got numbers {numbers}"
            )
        for item in self.items:
            if re.fullmatch(r"item\d+", item.id) and item.id != f"item{item.number}":
                raise ValueError(f"item id {item.id!r} contradicts its number {item.number}")
        self._check_origins()

    def _check_origins(self) -> None:
        seen: dict[tuple[str, int], str] = {}
        for item in self.items:
            if item.origin is None:
                continue
            source = (item.origin.instrument, item.origin.number)
            if item.origin.instrument == self.id:
                raise ValueError(f"item {item.id!r} names its own instrument as its origin")
            if source in seen:
                raise ValueError(
                    f"items {seen[source]!r} and {item.id!r} both come from item "
                    f"{source[1]} of {source[0]!r}"
                )
            seen[source] = item.id

    def _check_scales(self) -> None:
        item_ids = {item.id for item in self.items}
        scale_ids = Counter(scale.id for scale in self.scales)
        duplicated = sorted(s for s, n in scale_ids.items() if n > 1)
        if duplicated:
            raise ValueError(f"scale ids are declared more than once: {duplicated}")
        for scale in self.scales:
            unknown = [i for i in scale.items if i not in item_ids]
            if unknown:
                raise ValueError(f"scale {scale.id!r} names unknown items: {unknown}")
            repeated = sorted(i for i, n in Counter(scale.items).items() if n > 1)
            if repeated:
                raise ValueError(f"scale {scale.id!r} lists items more than once: {repeated}")
            if scale.kind == "total" and set(scale.items) != item_ids:
                missing = sorted(item_ids - set(scale.items))
                raise ValueError(f"total scale {scale.id!r} lacks items: {missing}")
        subscales = [s for s in self.scales if s.kind == "subscale"]
        if subscales:
            membership = Counter(i for s in subscales for i in s.items)
            orphans = [i.id for i in self.items if membership[i.id] == 0]
            shared = [i.id for i in self.items if membership[i.id] > 1]
            if orphans:
                raise ValueError(f"items belong to no subscale: {orphans}")
            if shared:
                raise ValueError(f"items belong to more than one subscale: {shared}")
        elif not any(s.kind == "total" for s in self.scales):
            raise ValueError("an instrument needs at least one subscale or a total scale")

    def _check_cutoffs(self) -> None:
        scales = {s.id: s for s in self.scales}
        lo, hi = self.response_scale.min, self.response_scale.max
        for cutoff in self.cutoffs:
            scale = scales.get(cutoff.scale)
            if scale is None:
                raise ValueError(f"cut-off {cutoff.id!r} names unknown scale {cutoff.scale!r}")
            factor = len(scale.items) if cutoff.aggregate == "sum" else 1
            if not lo * factor <= cutoff.value <= hi * factor:
                raise ValueError(
                    f"cut-off {cutoff.id!r} value {cutoff.value:g} lies outside the "
                    f"{cutoff.aggregate} range of scale {cutoff.scale!r} "
                    f"({lo * factor:g} to {hi * factor:g})"
                )

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the definition's canonical JSON: equal definitions, equal fingerprints.

        It identifies the exact key that produced a score across processes and machines.
        (Computed on each access: ``model_copy(update=...)`` makes a new definition.)
        """
        return hashlib.sha256(self.model_dump_json().encode("utf-8")).hexdigest()

    @property
    def slug(self) -> str:
        """The id with dashes as underscores: the default column prefix (``wai_sr``)."""
        return self.id.replace("-", "_")

    @property
    def n_items(self) -> int:
        """Number of items."""
        return len(self.items)

    @cached_property
    def _items_by_key(self) -> Mapping[str | int, Item]:
        lookup: dict[str | int, Item] = {}
        for item in self.items:
            lookup[item.id] = item
            lookup[item.number] = item
        return lookup

    def item(self, key: str | int) -> Item:
        """Return the item with id or number ``key``.

        Raises
        ------
        KeyError
            If no item has that id or number (``True`` or ``1.0`` are not item numbers).
        """
        try:
            if isinstance(key, bool | float):  # True and 1.0 would hash like item number 1
                raise KeyError(key)
            return self._items_by_key[key]
        except KeyError:
            raise KeyError(f"instrument {self.id!r} has no item {key!r}") from None

    def scale(self, scale_id: str) -> Scale:
        """Return the scale with id ``scale_id``.

        Raises
        ------
        KeyError
            If no scale has that id.
        """
        for scale in self.scales:
            if scale.id == scale_id:
                return scale
        raise KeyError(f"instrument {self.id!r} has no scale {scale_id!r}")


class Administration(BaseModel):
    """One filled-in questionnaire: an instrument id and the answers given.

    ``responses`` maps item ids (or item numbers as strings) to a value, an anchor label, or
    ``None`` for an unanswered item. ``respondent`` and ``session`` are the caller's own
    identifiers; they are never logged.

    Examples
    --------
    >>> import alliance_metrics as am
    >>> adm = am.Administration(instrument="wai-b3", responses={"item1": 4, "item2": 5,
    ...                         "item3": "Always"})
    >>> am.score(adm).scales["total"].value
    4.666666666666667
    """

    model_config = _FROZEN

    instrument: InstrumentId
    responses: Mapping[str, float | int | str | None]
    respondent: str | None = None
    session: int | None = None
