"""Pydantic models of instrument definitions and of one filled-in questionnaire.

These models are the instrument *definition format*: every built-in instrument is a JSON
document validated by :class:`Instrument`, and users write their own in the same format
(``am.load_instrument("my.json")``). ``Instrument.model_json_schema()`` documents it.

All models are frozen and reject unknown fields, so a typo in a definition is an error rather
than a silently ignored key.
"""

from alliance_metrics._text import normalize_label
from alliance_metrics.schemas.administration import Administration
from alliance_metrics.schemas.instrument import Instrument
from alliance_metrics.schemas.parts import (
    Citation,
    Cutoff,
    InstrumentStatus,
    Item,
    ItemOrigin,
    MissingPolicy,
    ReliableChange,
    Scale,
)
from alliance_metrics.schemas.responses import Anchor, ResponseScale

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
    "ReliableChange",
    "ResponseScale",
    "Scale",
    "normalize_label",
]
