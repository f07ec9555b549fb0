"""Shared pieces of the definition models: identifier types and the frozen configuration."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, StringConstraints

__all__ = ["FROZEN", "Aggregate", "Identifier", "InstrumentId"]

Identifier = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", min_length=1, max_length=64)
]
InstrumentId = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$", min_length=1, max_length=64)
]
Aggregate = Literal["mean", "sum"]

FROZEN = ConfigDict(frozen=True, extra="forbid")
"""Every model is frozen and rejects unknown fields (a typo in a definition is an error)."""
