"""Text rules shared by every layer: what a number looks like, how labels compare, how values show.

One definition each, so that readers, validation backends and messages never disagree:

* a **number** is plain ASCII decimal notation — optional sign, digits with an optional decimal
  point, optional exponent (``4``, ``-3``, ``4.``, ``.5``, ``1e3``). ``nan``, ``inf``, hex,
  digit separators (``1_000``) and non-ASCII digits are not numbers;
* anchor **labels** compare case-insensitively with runs of white space collapsed;
* a **value shown** in a message or report is quoted when it is text that is not a number.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Final

__all__ = [
    "NUMBER_PATTERN",
    "normalize_label",
    "parse_number",
    "real_number",
    "show_value",
    "shown_list",
]

NUMBER_PATTERN: Final = r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"
"""The grammar of a number written as text (for Arrow and pandas string matching as well)."""
_NUMBER = re.compile(NUMBER_PATTERN)
_SHOWN_LIMIT = 5


def parse_number(text: str, *, decimal_comma: bool = False) -> float | None:
    """Return the number written in ``text`` (trimmed), or ``None`` if it is not one.

    ``decimal_comma`` reads ``4,5`` as 4.5. Numbers too large for a float become ±inf (they
    are numbers, just out of any scale's range).

    Examples
    --------
    >>> parse_number(" 4 "), parse_number("4."), parse_number("-nan"), parse_number("1_000")
    (4.0, 4.0, None, None)
    >>> parse_number("4,5", decimal_comma=True), parse_number("1e999")
    (4.5, inf)
    """
    text = text.strip()
    if decimal_comma:
        text = text.replace(",", ".")
    if not _NUMBER.match(text):
        return None
    return float(text)


def real_number(value: object) -> float | None:
    """Return ``value`` as a float when it is a real number (not a bool), else ``None``.

    Integers too large for a float become ±inf. NaN is returned as NaN (the caller decides that
    it means "unanswered").

    Examples
    --------
    >>> real_number(4), real_number(True), real_number(10**400), real_number("4")
    (4.0, None, inf, None)
    """
    import numbers

    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return None
    if isinstance(value, numbers.Real | Decimal):
        try:
            return float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf  # type: ignore[operator]
    return None


def normalize_label(label: str) -> str:
    """Return ``label`` lower-cased with runs of white space collapsed to one space.

    Examples
    --------
    >>> normalize_label("  Very   Often ")
    'very often'
    """
    return " ".join(label.split()).casefold()


def show_value(value: object) -> str:
    """Show a cell value in a report message: numbers bare, other text quoted.

    Examples
    --------
    >>> show_value(" 7 "), show_value("Often"), show_value(7.0), show_value(3.5), show_value(b"4")
    ('7', "'Often'", '7', '3.5', "b'4'")
    """
    if isinstance(value, str):
        text = value.strip()
        return text if _NUMBER.match(text) else repr(value)
    number = real_number(value)
    if number is not None and math.isfinite(number) and number.is_integer():
        return str(int(number))
    if number is not None:
        return str(number)
    return repr(value)


def shown_list(values: Sequence[object], limit: int = _SHOWN_LIMIT, *, quote: bool = True) -> str:
    """Name the first ``limit`` values for a message: ``'a', 'b', … (12 in all)``.

    Examples
    --------
    >>> shown_list(["a", "b"]), shown_list(list(range(8)), 3, quote=False)
    ("'a', 'b'", '0, 1, 2, … (8 in all)')
    """
    show = repr if quote else str
    text = ", ".join(show(v) for v in values[:limit])
    return text + (f", … ({len(values)} in all)" if len(values) > limit else "")
