"""Every check of a user-facing argument, with messages in the house style.

Each check names the public function the user called and the parameter, raises
:class:`~alliance_metrics.InvalidParameterError` (carrying ``parameter`` and ``function``, so the
command line can name its own option instead) and returns the value in canonical form.
"""

from __future__ import annotations

import codecs
import math
import numbers
import sys
from collections.abc import Collection
from typing import TYPE_CHECKING, Literal, TypeVar

from alliance_metrics.errors import InvalidParameterError

if TYPE_CHECKING:
    import pandas as pd

    from alliance_metrics.schemas import Instrument

__all__ = [
    "Aggregate",
    "OnInvalid",
    "bad_parameter",
    "check_aggregate",
    "check_bool",
    "check_choice",
    "check_ci",
    "check_delimiter",
    "check_encoding",
    "check_frame",
    "check_int",
    "check_min_answered",
    "check_number",
    "check_optional_text",
    "check_texts",
    "resolve_instrument_arg",
    "resolve_instruments_arg",
    "shown_argument",
]

T = TypeVar("T")
Aggregate = Literal["mean", "sum"]
OnInvalid = Literal["raise", "missing"]
_ASCII_PROBE = "\n\r,;\t|\"' 0123456789abcXYZ-+."
_ASCII_BYTES = (
    bytes(range(128))
    + rb"\u0041\x41\101\N{DIGIT ONE}+AEE-+-~{A~}&AEE- a.xn--ls8h.b "
    + b"\x1b$B\x1b(B"
)
"""Plain ASCII bytes, with the escapes and shifts of codecs that would read them as other text."""


def bad_parameter(name: str, func: str, must: str, got: object) -> InvalidParameterError:
    """Build the error of parameter ``name`` of ``func`` ("must {must}. Got … instead.").

    Examples
    --------
    >>> str(bad_parameter("x", "f", "be positive", -1))
    "The 'x' parameter of f must be positive. Got -1 instead."
    """
    return InvalidParameterError(
        f"The {name!r} parameter of {func} must {must}. Got {shown_argument(got)} instead.",
        parameter=name,
        function=func,
    )


_TABLE_LIBRARIES = {"pandas": "pandas", "polars": "polars", "pyarrow": "pyarrow", "dask": "Dask"}
"""Libraries whose types are named with the library (``a polars DataFrame``): their class
names (``DataFrame``, ``Table``) alone do not say which kind of table was given."""


def shown_argument(value: object) -> str:
    """Show an argument in a message: scalars by value (shortened), anything else by its type.

    Collections and tables are named by type only, so that no data reach a message; a type of
    pandas, polars, pyarrow or Dask is named with its library.

    Examples
    --------
    >>> shown_argument("avg"), shown_argument(2.5), shown_argument([1, 2]), shown_argument("x" * 99)
    ("'avg'", '2.5', 'a list', "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…'")
    >>> import pandas as pd
    >>> shown_argument(pd.DataFrame())
    'a pandas DataFrame'
    """
    if value is None or isinstance(value, str | bytes | numbers.Number):
        text = repr(value)
        return text if len(text) <= 50 else text[:47] + "…'"
    kind = type(value)
    name = kind.__name__
    library = _TABLE_LIBRARIES.get(kind.__module__.partition(".")[0])
    if library is not None:
        name = f"{library} {name}"
    article = "an" if name[:1].lower() in "aeiou" else "a"
    return f"{article} {name}"


def check_frame(
    value: object, func: str, name: str = "df", *, other_tables: bool = False
) -> pd.DataFrame:
    """Return ``value`` if it is a pandas DataFrame, else raise naming ``func`` and ``name``.

    ``other_tables``: ``func`` also takes polars DataFrames and pyarrow Tables (converted
    before this check), and the message says so.
    """
    pandas = sys.modules.get("pandas")  # a DataFrame exists only if pandas is imported
    if pandas is None or not isinstance(value, pandas.DataFrame):
        kinds = (
            "a pandas or polars DataFrame, or a pyarrow Table"
            if other_tables
            else "a pandas DataFrame"
        )
        raise bad_parameter(name, func, f"be {kinds}{collect_hint(value)}", value)
    frame: pd.DataFrame = value
    return frame


def is_lazy_frame(value: object) -> bool:
    """Whether ``value`` is a polars LazyFrame (a query, not a table: it must be collected)."""
    polars = sys.modules.get("polars")
    return polars is not None and isinstance(value, polars.LazyFrame)


def collect_hint(value: object) -> str:
    """Return a hint for a message when ``value`` is a polars LazyFrame, else nothing.

    Examples
    --------
    >>> collect_hint([1, 2])
    ''
    """
    return " (call .collect() on a polars LazyFrame first)" if is_lazy_frame(value) else ""


def _is_bool(value: object) -> bool:
    return isinstance(value, bool) or type(value).__name__ == "bool_"


def check_choice(name: str, func: str, value: object, options: Collection[T]) -> T:
    """Return ``value`` if it is one of ``options``, else raise :class:`InvalidParameterError`.

    Examples
    --------
    >>> check_choice("aggregate", "score_frame", "avg", ("mean", "sum"))
    Traceback (most recent call last):
    ...
    alliance_metrics.errors.InvalidParameterError: The 'aggregate' parameter of score_frame must \
be one of {'mean', 'sum'}. Got 'avg' instead.
    """
    try:
        found = value in options and not (_is_bool(value) and not any(map(_is_bool, options)))
    except TypeError:  # unhashable value tested against a set
        found = False
    if not found:
        shown = "{" + ", ".join(repr(o) for o in sorted(options, key=str)) + "}"
        raise bad_parameter(name, func, f"be one of {shown}", value)
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
    must = "be an int (items) or a float in (0, 1] (proportion)"
    if _is_bool(value) or not isinstance(value, numbers.Real):
        raise bad_parameter("min_answered", func, must, value)
    if isinstance(value, numbers.Integral):
        count = int(value)  # NumPy integers count items, like int
        if count < 1:
            raise bad_parameter("min_answered", func, "be at least 1 when it counts items", value)
        return count
    proportion = float(value)
    if not 0.0 < proportion <= 1.0:  # NaN fails too
        raise bad_parameter("min_answered", func, "be in (0, 1] when it is a proportion", value)
    return proportion


def check_ci(value: object, func: str, name: str = "ci") -> float:
    """Check a confidence level: a number strictly between 0 and 1."""
    if _is_bool(value) or not isinstance(value, numbers.Real) or not 0 < float(value) < 1:
        raise bad_parameter(
            name, func, "be a confidence level strictly between 0 and 1, such as 0.95", value
        )
    return float(value)


def check_bool(value: object, name: str, func: str) -> bool:
    """Check a switch: ``True`` or ``False`` (NumPy booleans too), never 0/1 or text."""
    if not _is_bool(value):
        raise bad_parameter(name, func, "be True or False", value)
    return bool(value)


def check_int(
    value: object, name: str, func: str, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """Check a whole number within ``[minimum, maximum]`` (a bool is not a number)."""
    bounds = _bounds_text(minimum, maximum)
    if _is_bool(value) or not isinstance(value, numbers.Integral):
        raise bad_parameter(name, func, f"be a whole number{bounds}", value)
    number = int(value)
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise bad_parameter(name, func, f"be a whole number{bounds}", value)
    return number


def check_number(
    value: object,
    name: str,
    func: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    strict_minimum: bool = False,
) -> float:
    """Check a finite real number within bounds (``strict_minimum``: above, not at, minimum)."""
    if _is_bool(value) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise bad_parameter(
            name, func, "be a finite number" + _bounds_text(minimum, maximum), value
        )
    number = float(value)
    low_ok = minimum is None or (number > minimum if strict_minimum else number >= minimum)
    if not low_ok or (maximum is not None and number > maximum):
        above = "above" if strict_minimum else "at least"
        parts = [f"{above} {minimum:g}"] if minimum is not None else []
        parts += [f"at most {maximum:g}"] if maximum is not None else []
        raise bad_parameter(name, func, "be a number " + " and ".join(parts), value)
    return number


def _bounds_text(minimum: float | None, maximum: float | None) -> str:
    if minimum is not None and maximum is not None:
        return f" from {minimum:g} to {maximum:g}"
    if minimum is not None:
        return f" of at least {minimum:g}"
    if maximum is not None:
        return f" of at most {maximum:g}"
    return ""


def check_optional_text(value: object, name: str, func: str) -> str | None:
    """Check an optional text argument (``None`` or a str)."""
    if value is not None and not isinstance(value, str):
        raise bad_parameter(name, func, "be a str or None", value)
    return value


def check_texts(value: object, name: str, func: str) -> tuple[str, ...]:
    """Check a collection of texts, e.g. ``missing_values=["-99", "refused"]``.

    A single string is refused (it would be read character by character).

    Examples
    --------
    >>> check_texts(["-99", 999], "missing_values", "score_csv")
    ('-99', '999')
    >>> check_texts("-99", "missing_values", "score_csv")
    Traceback (most recent call last):
    ...
    alliance_metrics.errors.InvalidParameterError: The 'missing_values' parameter of score_csv \
must be a list of texts such as ['-99', 'refused'], not one string. Got '-99' instead.
    """
    must = "be a list of texts such as ['-99', 'refused']"
    if isinstance(value, str | bytes):
        raise bad_parameter(name, func, must + ", not one string", value)
    if not isinstance(value, Collection):
        raise bad_parameter(name, func, must, value)
    texts = []
    for item in value:
        if isinstance(item, str):
            texts.append(item)
        elif isinstance(item, numbers.Real) and not _is_bool(item) and math.isfinite(item):
            texts.append(str(item))
        else:
            raise bad_parameter(name, func, must, value)
    return tuple(texts)


def check_delimiter(value: object, func: str) -> str | None:
    """Check a CSV delimiter: ``None`` (sniffed) or one character that is not a quote or newline."""
    if value is None:
        return None
    if not isinstance(value, str) or len(value) != 1 or value in '"\r\n':
        raise bad_parameter(
            "delimiter", func, "be one character other than a quote or a line break, or None", value
        )
    return value


def check_encoding(value: object, func: str) -> str:
    """Check a text encoding: a known codec that writes ASCII as ASCII (so CSV syntax is bytes).

    Examples
    --------
    >>> check_encoding("CP1252", "score_csv")
    'cp1252'
    >>> check_encoding("UTF_16_le", "score_csv")
    Traceback (most recent call last):
    ...
    alliance_metrics.errors.InvalidParameterError: The 'encoding' parameter of score_csv must be \
an encoding that writes ASCII as ASCII (UTF-8, cp1252, latin-1, …); save UTF-16/UTF-32 files as \
UTF-8. Got 'UTF_16_le' instead.
    """
    if not isinstance(value, str):
        raise bad_parameter("encoding", func, "be the name of a text encoding", value)
    try:
        codec = codecs.lookup(value)
    except LookupError:
        raise bad_parameter(
            "encoding", func, "be the name of a known text encoding", value
        ) from None
    if codec.name == "utf-8-sig":
        return "utf-8"  # UTF-8 input may always start with a byte-order mark
    try:
        # ASCII must be ASCII both ways: escape codecs (raw_unicode_escape, utf-7, hz) and
        # shifting ones (iso2022_*) turn plain bytes such as `\u0041` or `+AEE-` into other text
        compatible = (
            getattr(codec, "_is_text_encoding", True)
            and _ASCII_PROBE.encode(codec.name) == _ASCII_PROBE.encode("ascii")
            and codecs.decode(_ASCII_BYTES, codec.name) == _ASCII_BYTES.decode("ascii")
        )
    except (UnicodeError, LookupError, TypeError, ValueError):
        compatible = False
    if not compatible or codec.name.startswith(("utf-16", "utf-32")):
        raise bad_parameter(
            "encoding",
            func,
            "be an encoding that writes ASCII as ASCII (UTF-8, cp1252, latin-1, …); save "
            "UTF-16/UTF-32 files as UTF-8",
            value,
        )
    return codec.name


def resolve_instruments_arg(value: object, func: str, name: str = "instrument") -> list[Instrument]:
    """Resolve one instrument, or a list of them for a combined export (``["srs", "ors"]``).

    Examples
    --------
    >>> [i.id for i in resolve_instruments_arg(["srs", "ors"], "score_frame")]
    ['srs', 'ors']
    """
    if isinstance(value, list | tuple):
        if not value:
            raise bad_parameter(name, func, "name at least one instrument", value)
        found = [resolve_instrument_arg(item, func, name) for item in value]
        ids = [i.id for i in found]
        if len(set(ids)) != len(ids):
            raise bad_parameter(name, func, "name each instrument once", value)
        return found
    return [resolve_instrument_arg(value, func, name)]


def resolve_instrument_arg(value: object, func: str, name: str = "instrument") -> Instrument:
    """Resolve an instrument argument (an id or an :class:`Instrument`) for ``func``.

    Raises
    ------
    InvalidParameterError
        When ``value`` is neither a str nor an Instrument.
    UnknownInstrumentError
        (also an InvalidParameterError) when no instrument has that id.
    """
    from alliance_metrics.instruments.registry import lookup
    from alliance_metrics.schemas import Instrument

    if isinstance(value, Instrument):
        return value
    if not isinstance(value, str):
        raise bad_parameter(name, func, "be an instrument id (str) or an Instrument", value)
    return lookup(value, func, name)
