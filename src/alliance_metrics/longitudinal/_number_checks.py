"""Checks of the numeric options of the session-series functions, in the house message style.

Booleans are not numbers here (``True`` is not a cut-off of 1), NumPy scalars are accepted, and
every message names the public function and the parameter.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from alliance_metrics.errors import InvalidParameterError

__all__ = ["check_integer", "check_number", "check_numbers"]


def _is_real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def check_number(
    name: str, func: str, value: object, *, minimum: float = 0.0, strict: bool = True
) -> float:
    """Return ``value`` as a finite float above ``minimum`` (or at least it when not ``strict``).

    Examples
    --------
    >>> check_number("k", "detect_ruptures", 2, minimum=0.0)
    2.0
    """
    bound = f"greater than {minimum:g}" if strict else f"at least {minimum:g}"
    if not _is_real(value) or not math.isfinite(float(value)):  # type: ignore[arg-type]
        raise InvalidParameterError(
            f"The {name!r} parameter of {func} must be a finite number {bound}. "
            f"Got {value!r} instead."
        )
    number = float(value)  # type: ignore[arg-type]
    if number < minimum or (strict and number == minimum):
        raise InvalidParameterError(
            f"The {name!r} parameter of {func} must be a finite number {bound}. "
            f"Got {value!r} instead."
        )
    return number


def check_numbers(name: str, func: str, value: object, *, minimum: float = 0.0) -> list[float]:
    """Return one number or a non-empty sequence of distinct numbers, each above ``minimum``.

    Examples
    --------
    >>> check_numbers("k", "detect_ruptures", (1, 2.0))
    [1.0, 2.0]
    """
    if isinstance(value, list | tuple | np.ndarray):
        items = list(value)
        if not items:
            raise InvalidParameterError(
                f"The {name!r} parameter of {func} must be a number or a non-empty sequence of "
                "numbers. Got an empty sequence instead."
            )
        checked = [check_number(name, func, item, minimum=minimum) for item in items]
        if len(set(checked)) != len(checked):
            raise InvalidParameterError(
                f"The {name!r} parameter of {func} must not repeat a value. Got {value!r} instead."
            )
        return checked
    return [check_number(name, func, value, minimum=minimum)]


def check_integer(name: str, func: str, value: object, *, minimum: int) -> int:
    """Return ``value`` as an int of at least ``minimum``.

    Examples
    --------
    >>> check_integer("max_gap", "detect_ruptures", 0, minimum=0)
    0
    """
    if not isinstance(value, numbers.Integral) or isinstance(value, bool | np.bool_):
        raise InvalidParameterError(
            f"The {name!r} parameter of {func} must be an integer of at least {minimum}. "
            f"Got {value!r} instead."
        )
    if int(value) < minimum:
        raise InvalidParameterError(
            f"The {name!r} parameter of {func} must be an integer of at least {minimum}. "
            f"Got {value!r} instead."
        )
    return int(value)
