"""Shared pieces of the definition models: identifier types and the frozen configuration."""

from __future__ import annotations

import numbers
from typing import Annotated, Literal

from pydantic import BeforeValidator, ConfigDict, Strict, StringConstraints

__all__ = ["FROZEN", "Aggregate", "Count", "Flag", "Identifier", "InstrumentId", "Number"]

Identifier = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", min_length=1, max_length=64)
]
InstrumentId = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$", min_length=1, max_length=64)
]
Aggregate = Literal["mean", "sum"]


def _number(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError("Input should be a number (not a boolean or text)")
    return float(value)


def _count(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError("Input should be a whole number (not a boolean, text or a float)")
    return int(value)


Number = Annotated[float, BeforeValidator(_number)]
"""A number (ints and NumPy numbers too): never a boolean or a numeric string (`true` is not 1)."""
Count = Annotated[int, BeforeValidator(_count)]
"""A whole number (NumPy integers too): never a boolean, a string or a float."""
Flag = Annotated[bool, Strict()]
"""A JSON boolean: never 0/1 or "true"."""

FROZEN = ConfigDict(frozen=True, extra="forbid")
"""Every model is frozen and rejects unknown fields (a typo in a definition is an error)."""
