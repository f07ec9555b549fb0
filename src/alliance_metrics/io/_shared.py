"""Helpers shared by the export readers: reading text tables, keeping cells as text, reporting.

Nothing here scores or validates responses against an instrument's rules; the helpers only parse
files and translate codes that the export itself declares.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliance_metrics._text import normalize_label, parse_number, real_number, show_value
from alliance_metrics.errors import InputFormatError
from alliance_metrics.io._text import PathArg, display_name
from alliance_metrics.io.csv import check_header
from alliance_metrics.io.inputs import refuse_binary
from alliance_metrics.io.sniff import sniff_delimiter
from alliance_metrics.results import FAILURE_COLUMNS
from alliance_metrics.schemas import Instrument

__all__ = [
    "PathArg",
    "TextSource",
    "TextTable",
    "as_number",
    "choice_recoding",
    "display_name",
    "empty_issues",
    "issue_table",
    "name_columns",
    "order_issues",
    "read_text_table",
    "text_frame",
]


_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LEADING_BLANK_LINES = re.compile(r"(?:[ \t]*(?:\r\n|\r|\n))+")

TextSource = PathArg | bytes
"""A CSV file's path, or its whole content as bytes (from a stream or a FIFO)."""


def _source_name(source: TextSource, name: str | None) -> str:
    if name is not None:
        return name
    return "<stdin>" if isinstance(source, bytes) else display_name(source)


def _read_bytes(source: TextSource, name: str, limit: int | None = None) -> bytes:
    if isinstance(source, bytes):
        return source
    try:
        with open(source, "rb") as handle:
            data = handle.read() if limit is None else handle.read(limit + 1)
    except OSError as error:
        raise InputFormatError(f"Cannot read '{name}': {error.strerror or error}.") from None
    if limit is not None and len(data) > limit:
        raise InputFormatError(
            f"'{name}' is larger than {limit // (1 << 20)} MiB, more than a file of its kind holds."
        )
    return data


class TextTable(NamedTuple):
    """A CSV file read as text: its header, its records and the line of each record."""

    header: list[str]
    """The header cells, as written."""
    body: pd.DataFrame
    """The records below the header, every cell a string (blank cells ``""``), columns 0..k-1."""
    lines: npt.NDArray[np.int64]
    """The 1-based line of each record of ``body``, as a spreadsheet numbers its rows."""


def read_text_table(
    source: TextSource, name: str | None = None, *, limit: int | None = None
) -> TextTable:
    """Read a UTF-8 CSV as text: the header cells, the records below it and their lines.

    Every cell is a string (blank cells are ``""``); the body's columns are numbered 0..k-1 so
    that repeated or empty header cells survive for the caller to judge. Header cells are kept
    as written. A record with no content (a blank line, spaces or delimiters only) is not a
    record, but it is counted in the lines: ``lines`` numbers the rows as a spreadsheet shows
    them (the header is line 1 when it is the first row; a quoted cell holding line breaks
    counts as one row, where a text editor shows several lines).
    """
    shown = _source_name(source, name)
    data = _read_bytes(source, shown, limit)
    refuse_binary(data[: 1 << 16], f"'{shown}'")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputFormatError(
            f"Cannot read '{shown}' as UTF-8 text (byte {error.start}); save it as UTF-8 CSV."
        ) from None
    if not text.strip():
        raise InputFormatError(f"'{shown}' is empty: expected a header row and data rows.")
    leading = _LEADING_BLANK_LINES.match(text)
    skipped = len(_LINE_BREAK.findall(leading.group())) if leading else 0
    text = text[leading.end() :] if leading else text
    delimiter = sniff_delimiter(text[: 1 << 20])
    try:
        table = pd.read_csv(
            io.StringIO(text),
            header=None,
            dtype=str,
            sep=delimiter,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as error:
        reason = str(error).split("\n")[0].rstrip(".")
        raise InputFormatError(f"Cannot parse '{shown}' as CSV: {reason}.") from None
    filled = np.zeros(len(table), dtype=bool)
    for column in table.columns:
        filled |= (table[column].str.strip() != "").to_numpy(dtype=bool)
    rows = np.flatnonzero(filled)
    if not len(rows):
        raise InputFormatError(f"'{shown}' is empty: expected a header row and data rows.")
    header = [str(cell) for cell in table.iloc[rows[0]]]
    body = table.iloc[rows[1:]].reset_index(drop=True)
    return TextTable(header, body, (rows[1:] + 1 + skipped).astype(np.int64))


def name_columns(header: Sequence[str], body: pd.DataFrame, name: str) -> pd.DataFrame:
    """Label ``body`` with ``header``, dropping trailing unnamed empty columns.

    Raises
    ------
    InputFormatError
        When a header cell is repeated or a non-trailing header cell is empty.
    """
    keep = len(header)
    while keep and not header[keep - 1] and not (body.iloc[:, keep - 1].str.strip() != "").any():
        keep -= 1
    header = list(header[:keep])
    check_header(header, f"'{name}'")
    named = body.iloc[:, :keep].copy()
    named.columns = pd.Index(header, dtype=object)
    return named


def text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with every column as pandas ``string``, each cell the text of the file.

    Nothing is parsed: identifiers keep their leading zeros (``00123``), long numbers their
    digits, dates and free text their spelling, and blank cells stay ``""`` (as on the plain-CSV
    path). Validation decides what an item cell means, with the shared rules.

    Examples
    --------
    >>> frame = text_frame(pd.DataFrame({"id": ["00123", "1e5", ""], "wai_1": ["4", "", "4.0"]}))
    >>> frame["id"].tolist(), str(frame["wai_1"].dtype)
    (['00123', '1e5', ''], 'string')
    """
    return frame.astype("string")


def empty_issues() -> pd.DataFrame:
    """Return an empty issue table with the columns of ``ValidationReport.failure_cases``."""
    return issue_table([], [], [], [], [])


def issue_table(
    rows: Sequence[int],
    columns: Sequence[Hashable],
    values: Sequence[object],
    codes: Sequence[str],
    messages: Sequence[str],
) -> pd.DataFrame:
    """Build an issue table ordered by row then column position of the report."""
    table = pd.DataFrame(
        {
            "row": pd.Series(np.asarray(rows, dtype=np.int64), dtype="int64"),
            "column": pd.Series(list(columns), dtype=object),
            "value": pd.Series(list(values), dtype=object),
            "code": pd.Series(list(codes), dtype=object),
            "message": pd.Series(list(messages), dtype=object),
        },
        columns=list(FAILURE_COLUMNS),
    )
    return table.sort_values("row", kind="stable").reset_index(drop=True)


def order_issues(issues: pd.DataFrame, columns: Sequence[Hashable]) -> pd.DataFrame:
    """Sort an issue table by row, then by the position of its column in ``columns``."""
    position = {column: j for j, column in enumerate(columns)}
    keys = issues["column"].map(position).fillna(len(position))
    order = np.lexsort((keys.to_numpy(dtype=np.float64), issues["row"].to_numpy(dtype=np.int64)))
    return issues.iloc[order].reset_index(drop=True)


def as_number(code: object) -> float | None:
    """Return ``code`` as a float when it is a number (``" 4 "`` → 4.0), else ``None``."""
    return parse_number(code) if isinstance(code, str) else real_number(code)


def choice_recoding(
    where: str, declared: Mapping[Any, str], instrument: Instrument
) -> dict[Any, float] | None:
    """Translate the codes an export declares into the instrument's values, through labels.

    ``declared`` maps each code of a field to its label (a REDCap choice, an SPSS value label).
    When the labels are the instrument's anchors but the codes differ from the anchors' values
    (``0 = Seldom`` where the instrument scores ``Seldom`` as 1), the codes are translated by
    label; when codes and anchors agree, or the labels are not anchors at all, codes are kept.

    Returns
    -------
    dict or None
        Code → instrument value, or ``None`` when codes are used as they are.

    Raises
    ------
    InputFormatError
        When only some labels are anchors and those disagree with their codes: the other codes
        could collide with translated values, so nothing is guessed.
    """
    anchors = {normalize_label(a.label): a.value for a in instrument.response_scale.anchors}
    matched = {
        code: anchors[normalize_label(label)]
        for code, label in declared.items()
        if normalize_label(label) in anchors
    }
    if not matched or all(as_number(code) == value for code, value in matched.items()):
        return None
    if len(matched) < len(declared):
        others = [
            f"{show_value(c)} = {label!r}" for c, label in declared.items() if c not in matched
        ]
        shifted = [f"{show_value(c)} = {declared[c]!r}" for c in matched]
        raise InputFormatError(
            f"{where}: the declared codes {', '.join(shifted)} disagree with the anchors of "
            f"{instrument.id!r}, and {', '.join(others)} are not anchors of it; recode the "
            "field to the instrument's values before scoring (nothing was guessed)."
        )
    return matched
