"""The instrument definition: items, keys, scales, rules and provenance, checked as a whole."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Mapping
from functools import cached_property
from typing import Literal

from pydantic import (
    BaseModel,
    Field,
    model_validator,
)

from alliance_metrics.schemas._base import FROZEN, Aggregate, InstrumentId
from alliance_metrics.schemas.parts import (
    Citation,
    Cutoff,
    InstrumentStatus,
    Item,
    MissingPolicy,
    ReliableChange,
    Scale,
)
from alliance_metrics.schemas.responses import ResponseScale

__all__ = ["Instrument"]


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

    model_config = FROZEN

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
    reliable_change: ReliableChange | None = Field(
        default=None, description="A reliable-change value in points reported for a scale."
    )
    status: InstrumentStatus
    licence: str
    notes: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _check_consistency(self) -> Instrument:
        self._check_items()
        self._check_scales()
        self._check_cutoffs()
        self._check_reliable_change()
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

    def _check_reliable_change(self) -> None:
        change = self.reliable_change
        if change is None:
            return
        scale = next((s for s in self.scales if s.id == change.scale), None)
        if scale is None:
            raise ValueError(f"reliable_change names unknown scale {change.scale!r}")
        width = self.response_scale.max - self.response_scale.min
        factor = len(scale.items) if change.aggregate == "sum" else 1
        if change.points > width * factor:
            raise ValueError(
                f"reliable_change of {change.points:g} points exceeds the {change.aggregate} "
                f"range of scale {change.scale!r}"
            )

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
