"""Checks of the numeric and boolean options of the session-series functions.

Each check returns the value as a plain Python type or raises
:class:`~alliance_metrics.InvalidParameterError` in the house form, naming the public function
and the parameter. ``bool`` is never accepted as a number.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from alliance_metrics._params import bad_parameter, check_bool
from alliance_metrics.errors import InvalidParameterError

__all__ = ["check_flag", "check_real"]


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
