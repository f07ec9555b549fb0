"""Checks of user-facing arguments with messages in the house style."""

from __future__ import annotations

import numbers
from collections.abc import Collection
from typing import Literal, TypeVar

import numpy as np

from alliance_metrics.errors import InvalidParameterError

T = TypeVar("T")
Aggregate = Literal["mean", "sum"]


def check_choice(name: str, func: str, value: object, options: Collection[T]) -> T:
    """Return ``value`` if it is one of ``options``, else raise :class:`InvalidParameterError`."""
    if value not in options:
        shown = "{" + ", ".join(repr(o) for o in sorted(options, key=str)) + "}"
        raise InvalidParameterError(
            f"The {name!r} parameter of {func} must be one of {shown}. Got {value!r} instead."
        )
    return value  # type: ignore[return-value]


def check_aggregate(value: object, func: str, default: Aggregate) -> Aggregate:
    """Resolve the ``aggregate`` argument (``None`` means the instrument's default)."""
    if value is None:
        return default
    return check_choice("aggregate", func, value, ("mean", "sum"))


def check_min_answered(value: object, func: str) -> int | float | None:
    """Check the ``min_answered`` argument: ``None``, an int ≥ 1 or a float in (0, 1]."""
    if value is None:
        return None
    if isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_):
        value = int(value)  # NumPy integers count items, like int
    elif isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_):
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidParameterError(
            f"The 'min_answered' parameter of {func} must be an int (items) or a float in "
            f"(0, 1] (proportion). Got {value!r} instead."
        )
    if isinstance(value, int) and value < 1:
        raise InvalidParameterError(
            f"The 'min_answered' parameter of {func} must be at least 1 when it counts items. "
            f"Got {value!r} instead."
        )
    if isinstance(value, float) and not 0.0 < value <= 1.0:
        raise InvalidParameterError(
            f"The 'min_answered' parameter of {func} must be in (0, 1] when it is a proportion. "
            f"Got {value!r} instead."
        )
    return value
