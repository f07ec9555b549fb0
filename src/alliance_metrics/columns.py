"""Find the column that holds each item of an instrument.

``columns`` may be a mapping (item id or number → column), a ``str.format`` template using
``n`` (item number) and/or ``id`` (item id), e.g. ``"wai_{n}"`` or ``"item{n:02d}"``, or ``None``
to recognise the usual spellings: ``wai_1``, ``wai1``, ``WAI_01``, ``q1``, ``Q5_1``, bare item
numbers (int or str) and item ids.
"""

from __future__ import annotations

import re
import string
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence

from alliance_metrics._params import bad_parameter, shown_argument
from alliance_metrics.errors import InputFormatError, InvalidParameterError
from alliance_metrics.results import ScoreColumns
from alliance_metrics.schemas import Instrument

__all__ = [
    "ColumnSpec",
    "check_one_spec",
    "check_output_names",
    "looks_like_a_name",
    "quote_columns",
    "resolve_columns",
]

ColumnSpec = Mapping[str | int, Hashable] | str | None

_NUMBERED = re.compile(r"^(?P<stem>.*?)(?P<number>\d+)$")


_NAME_LIKE = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]{0,23}")
_LONG_NUMBER = re.compile(r"\d{3}")


def check_one_spec(columns: ColumnSpec, n_instruments: int, func: str) -> None:
    """Refuse a column template or mapping when several instruments are scored at once.

    Each instrument then finds its own columns by its prefix; one template would give every
    instrument the same columns.

    Examples
    --------
    >>> check_one_spec("srs_{n}", 1, "score_frame")
    >>> try:
    ...     check_one_spec("srs_{n}", 2, "score_frame")
    ... except InvalidParameterError as error:
    ...     print(error.parameter, error.function)
    columns score_frame
    """
    if n_instruments > 1 and columns is not None:
        raise InvalidParameterError(
            f"The 'columns' parameter of {func} cannot be used when several instruments are "
            "scored: each finds its own columns by its prefix (srs_1…, ors_1…).",
            parameter="columns",
            function=func,
        )


def looks_like_a_name(column: object) -> bool:
    """Whether a column label may be quoted in a message: a short identifier, not data.

    A file without a header row makes its first record the "names": a message quoting them
    would show a respondent's answers or identifiers. Only short identifier-like labels
    (letters first; letters, digits, ``_ . -``; no run of three digits) are quoted.

    Examples
    --------
    >>> [looks_like_a_name(c) for c in ["wai_12", "Q5_3", "Jane Doe", "C0001", "4", "a,b"]]
    [True, True, False, False, False, False]
    """
    return (
        isinstance(column, str)
        and _NAME_LIKE.fullmatch(column) is not None
        and _LONG_NUMBER.search(column) is None
    )


def _name(column: Hashable) -> str:
    """Quote a column label in a message, or describe it when it may be data."""
    return repr(column) if looks_like_a_name(column) else "a column whose name is not shown"


def quote_columns(columns: Sequence[Hashable], limit: int = 8) -> str:
    """Quote column labels for a message: the first ``limit``, those that may be data hidden.

    Examples
    --------
    >>> quote_columns(["client_id", "0612345678", "wai_1"])
    "'client_id', a column whose name is not shown, 'wai_1'"
    """
    names = ", ".join(_name(c) for c in columns[:limit])
    return names + (f", … ({len(columns)} in all)" if len(columns) > limit else "")


def resolve_columns(
    available: Sequence[Hashable],
    instrument: Instrument,
    columns: ColumnSpec = None,
    func: str = "score_frame",
) -> list[Hashable]:
    """Return the column label of every item, in item order.

    ``func`` is the public function the user called (for messages).

    Raises
    ------
    InputFormatError
        When an item has no column, when the match is ambiguous, or when columns look like a
        longer form of the instrument (e.g. 36 numbered columns for a 12-item short form).
    InvalidParameterError
        When ``columns`` is not a mapping, template or ``None``.
    """
    _check_unique(available)
    if columns is None:
        return _auto_detect(available, instrument)
    if isinstance(columns, str):
        return _from_template(available, instrument, columns, func)
    if isinstance(columns, Mapping):
        return _from_mapping(available, instrument, columns, func)
    raise bad_parameter(
        "columns",
        func,
        "be a mapping of item to column, a template such as 'wai_{n}', or None",
        columns,
    )


def _check_unique(available: Sequence[Hashable]) -> None:
    seen: set[Hashable] = set()
    duplicated = [c for c in available if c in seen or seen.add(c)]  # type: ignore[func-returns-value]
    if duplicated:
        raise InputFormatError(
            "Column names must be unique; repeated: "
            f"{quote_columns(sorted(set(map(str, duplicated))))}."
        )


def _require_present(
    available: Sequence[Hashable], wanted: list[Hashable], instrument: Instrument, how: str
) -> list[Hashable]:
    present = set(available)
    absent = [
        f"item {item.number} ({shown_argument(col)})"
        for item, col in zip(instrument.items, wanted, strict=True)
        if col not in present
    ]
    if absent:
        more = f", … ({len(absent)} in all)" if len(absent) > 8 else ""
        raise InputFormatError(
            f"Missing item column(s) for {instrument.id!r} ({how}): {', '.join(absent[:8])}{more}."
        )
    if len(set(wanted)) != len(wanted):
        raise InputFormatError(f"Two items of {instrument.id!r} map to the same column ({how}).")
    return wanted


def _check_template(template: str, func: str) -> None:
    """Check that a template uses only the fields ``{n}`` and ``{id}`` (with a format spec)."""
    must = (
        "use only the fields {n} (item number) and {id} (item id), with an optional format "
        "such as {n:02d}"
    )
    try:
        parsed = [(name, spec) for _, name, spec, _ in string.Formatter().parse(template)]
    except ValueError:  # unbalanced braces
        raise bad_parameter("columns", func, must, template) from None
    fields = [name for name, _ in parsed if name is not None]
    for _, spec in parsed:
        # a width or precision is a few characters: {n:9999999999} would build gigabytes
        if spec and ("{" in spec or any(int(d) > 64 for d in re.findall(r"\d+", spec))):
            raise bad_parameter(
                "columns", func, "use a format of at most 64 characters, such as {n:02d}", template
            )
    if not fields:
        raise bad_parameter(
            "columns", func, "give each item its own column (include {n} or {id})", template
        )
    if any(name not in ("n", "id") for name in fields):
        raise bad_parameter("columns", func, must, template)


def _from_template(
    available: Sequence[Hashable], instrument: Instrument, template: str, func: str
) -> list[Hashable]:
    _check_template(template, func)
    try:
        wanted: list[Hashable] = [
            template.format(n=item.number, id=item.id) for item in instrument.items
        ]
    except (KeyError, IndexError, ValueError, TypeError, AttributeError):
        raise bad_parameter(
            "columns", func, "be a template that formats item numbers, e.g. 'wai_{n}'", template
        ) from None
    if len(set(wanted)) == 1:
        raise bad_parameter(
            "columns", func, "give each item its own column (include {n} or {id})", template
        )
    return _require_present(available, wanted, instrument, f"template {shown_argument(template)}")


def _from_mapping(
    available: Sequence[Hashable],
    instrument: Instrument,
    mapping: Mapping[str | int, Hashable],
    func: str,
) -> list[Hashable]:
    by_item: dict[str, Hashable] = {}
    for key, column in mapping.items():
        try:
            item = instrument.item(key)
        except (KeyError, TypeError):
            raise InvalidParameterError(
                f"The 'columns' parameter of {func} names item {key!r}, which {instrument.id!r} "
                f"does not have. Items are {', '.join(i.id for i in instrument.items)} or "
                f"numbers 1 to {instrument.n_items}.",
                parameter="columns",
                function=func,
            ) from None
        if item.id in by_item:
            raise InvalidParameterError(
                f"The 'columns' parameter of {func} names item {item.id!r} twice (by id and by "
                "number).",
                parameter="columns",
                function=func,
            )
        by_item[item.id] = column
    unmapped = [i.id for i in instrument.items if i.id not in by_item]
    if unmapped:
        raise InvalidParameterError(
            f"The 'columns' parameter of {func} must give a column for every item; missing: "
            f"{unmapped}.",
            parameter="columns",
            function=func,
        )
    wanted = [by_item[i.id] for i in instrument.items]
    return _require_present(available, wanted, instrument, "columns mapping")


def _auto_detect(available: Sequence[Hashable], instrument: Instrument) -> list[Hashable]:
    numbered_ids = all(item.id == f"item{item.number}" for item in instrument.items)
    by_id = None if numbered_ids else _match_item_ids(available, instrument)
    if by_id is not None:
        return by_id
    families: dict[str, dict[int, list[Hashable]]] = defaultdict(lambda: defaultdict(list))
    for column in available:
        if isinstance(column, bool):
            continue
        if isinstance(column, int):
            families[""][column].append(column)
            continue
        if not isinstance(column, str):
            continue
        match = _NUMBERED.match(column.strip())
        if match:
            stem = match["stem"].casefold().rstrip("_-. ")
            families[stem][int(match["number"])].append(column)
    wanted_numbers = set(range(1, instrument.n_items + 1))
    complete = {
        stem: numbers for stem, numbers in families.items() if wanted_numbers <= set(numbers)
    }
    if not complete:
        return _explain_missing(available, instrument, families)
    named = {
        stem: numbers for stem, numbers in complete.items() if _names_instrument(stem, instrument)
    }
    if len(complete) > 1 and len(named) == 1:  # srs_1… and ors_1…: each takes its own prefix
        complete = named
    if len(complete) > 1:
        options = sorted(complete)
        examples = ", ".join(_name(complete[s][1][0]) for s in options)
        raise InputFormatError(
            f"Item columns for {instrument.id!r} are ambiguous: several families of numbered "
            f"columns cover items 1 to {instrument.n_items} (first columns {examples}). "
            "Pass columns='<prefix>{n}' or a mapping."
        )
    stem, numbers = next(iter(complete.items()))
    extra = sorted(n for n in numbers if n > instrument.n_items)
    if extra:
        first = numbers[1][0]
        raise InputFormatError(
            f"Columns like {_name(first)} run to item {max(extra)}, but {instrument.id!r} has "
            f"{instrument.n_items} items: is this a longer form of the questionnaire (e.g. the "
            "36-item WAI scored as a short form)? Pass columns= explicitly if the extra columns "
            "belong to something else."
        )
    clashes = [cols for n, cols in numbers.items() if n in wanted_numbers and len(cols) > 1]
    if clashes:
        raise InputFormatError(
            f"Item columns for {instrument.id!r} are ambiguous: {quote_columns(clashes[0])} all "
            "look like the same item. Pass columns= explicitly."
        )
    return [numbers[item.number][0] for item in instrument.items]


def _canonical(text: str) -> str:
    return re.sub(r"[-_. ]", "", text.casefold())


def _names_instrument(stem: str, instrument: Instrument) -> bool:
    """Whether a column family's stem is the instrument's id or short name (``WAI_SR_`` …)."""
    return _canonical(stem) in {_canonical(instrument.id), _canonical(instrument.short_name)}


def _match_item_ids(available: Sequence[Hashable], instrument: Instrument) -> list[Hashable] | None:
    """Match columns named by item id (case-insensitively), if every item has one."""
    folded: dict[str, list[Hashable]] = defaultdict(list)
    for column in available:
        if isinstance(column, str):
            folded[column.strip().casefold()].append(column)
    if all(item.id in folded for item in instrument.items):
        doubled = [folded[i.id] for i in instrument.items if len(folded[i.id]) > 1]
        if doubled:
            raise InputFormatError(
                f"Item columns for {instrument.id!r} are ambiguous: {quote_columns(doubled[0])} "
                "differ only in case or spacing. Pass columns= explicitly."
            )
        return [folded[item.id][0] for item in instrument.items]
    return None


def _explain_missing(
    available: Sequence[Hashable],
    instrument: Instrument,
    families: Mapping[str, Mapping[int, list[Hashable]]],
) -> list[Hashable]:
    wanted = set(range(1, instrument.n_items + 1))
    partial = sorted(
        ((len(wanted & set(numbers)), stem) for stem, numbers in families.items()),
        reverse=True,
    )
    if partial and partial[0][0] > 0:
        count, stem = partial[0]
        missing = sorted(wanted - set(families[stem]))
        if not stem:
            label = "the columns named by bare item numbers lack"
        elif looks_like_a_name(stem):
            label = f"the columns named '{stem}…' lack"
        else:
            label = "a family of numbered columns (name not shown: it may be data) lacks"
        hint = "" if looks_like_a_name(stem) else " If the input has no header row, add one."
        raise InputFormatError(
            f"Missing item column(s) for {instrument.id!r}: {label} "
            f"item(s) {', '.join(map(str, missing))} ({count} of {instrument.n_items} found)."
            + hint
        )
    raise InputFormatError(
        f"No item columns found for {instrument.id!r} ({instrument.n_items} items) among the "
        f"{len(available)} columns of the input. Looked for numbered columns such as "
        f"'{instrument.slug}_1', 'q1', 'item01' or '1', and for the item ids "
        f"({', '.join(i.id for i in instrument.items[:4])}, …). If the input has no header row, "
        "add one; otherwise pass columns='<prefix>{n}' or a mapping."
    )


def check_output_names(
    existing: Sequence[Hashable], instrument: Instrument, prefix: str | None, func: str
) -> ScoreColumns:
    """Names of the added columns; a clash with an existing column is an error."""
    names = ScoreColumns.for_instrument(instrument, prefix)
    clashes = names.clashes(existing)
    if clashes:
        raise InvalidParameterError(
            f"The output column(s) {', '.join(repr(c) for c in clashes)} of {func} already exist "
            "in the input; choose another value of the 'prefix' parameter (e.g. 'scored_').",
            parameter="prefix",
            function=func,
        )
    return names
