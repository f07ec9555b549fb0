"""Checks of the numeric and boolean options of the session-series functions.

Each check returns the value as a plain Python type or raises
:class:`~alliance_metrics.InvalidParameterError` in the house form, naming the public function
and the parameter. ``bool`` is never accepted as a number.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from alliance_metrics._params import bad_parameter, check_bool, check_int
from alliance_metrics.errors import InvalidParameterError

__all__ = ["check_flag", "check_integer", "check_number", "check_numbers", "check_real"]


def _fail(name: str, func: str, wanted: str, value: object) -> InvalidParameterError:
    return bad_parameter(name, func, f"be {wanted}", value)


def check_real(
    name: str,
    func: str,
    value: object,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    inclusive: bool = True,
    wanted: str | None = None,
) -> float:
    """Return ``value`` as a finite float within the bounds, else raise.

    Examples
    --------
    >>> check_real("cutoff", "sudden_changes", 7, minimum=0.0)
    7.0
    >>> check_real("alpha", "f", 1.0, minimum=0.0, maximum=1.0, inclusive=False)
    Traceback (most recent call last):
    ...
    alliance_metrics.errors.InvalidParameterError: The 'alpha' parameter of f must be a number in (0.0, 1.0). Got 1.0 instead.
    """  # noqa: E501
    if wanted is None:
        if minimum is not None and maximum is not None:
            left, right = ("[", "]") if inclusive else ("(", ")")
            wanted = f"a number in {left}{minimum}, {maximum}{right}"
        elif minimum is not None:
            wanted = f"a number {'≥' if inclusive else '>'} {minimum}"
        else:
            wanted = "a finite number"
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise _fail(name, func, wanted, value)
    number = float(value)
    if not math.isfinite(number):
        raise _fail(name, func, wanted, value)
    too_low = minimum is not None and (number < minimum if inclusive else number <= minimum)
    too_high = maximum is not None and (number > maximum if inclusive else number >= maximum)
    if too_low or too_high:
        raise _fail(name, func, wanted, value)
    return number


def check_flag(name: str, func: str, value: object) -> bool:
    """Return ``value`` if it is a bool (NumPy's included), else raise.

    Examples
    --------
    >>> check_flag("adjust", "sudden_changes", True)
    True
    """
    return check_bool(value, name, func)


def check_number(
    name: str, func: str, value: object, *, minimum: float = 0.0, strict: bool = True
) -> float:
    """Return ``value`` as a finite float above ``minimum`` (or at least it when not ``strict``).

    ``minimum=-inf`` accepts any finite number.

    Examples
    --------
    >>> check_number("k", "detect_ruptures", 2)
    2.0
    """
    if math.isinf(minimum):
        return check_real(name, func, value)
    bound = f"greater than {minimum:g}" if strict else f"at least {minimum:g}"
    return check_real(
        name, func, value, minimum=minimum, inclusive=not strict, wanted=f"a finite number {bound}"
    )


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
            raise _fail(name, func, "a number or a non-empty sequence of numbers", value)
        checked = [check_number(name, func, item, minimum=minimum) for item in items]
        if len(set(checked)) != len(checked):
            raise _fail(name, func, "numbers that do not repeat a value", value)
        return checked
    return [check_number(name, func, value, minimum=minimum)]


def check_integer(name: str, func: str, value: object, *, minimum: int) -> int:
    """Return ``value`` as an int of at least ``minimum``.

    Examples
    --------
    >>> check_integer("max_gap", "detect_ruptures", 0, minimum=0)
    0
    """
    return check_int(value, name, func, minimum=minimum)
