"""Helpers shared by the export readers: reading text tables, typing columns, reporting cells.

Nothing here scores or validates responses against an instrument's rules; the helpers only parse
files and translate codes that the export itself declares.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np
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
    "as_number",
    "choice_recoding",
    "display_name",
    "empty_issues",
    "issue_table",
    "name_columns",
    "order_issues",
    "read_text_table",
    "type_columns",
]


TextSource = PathArg | bytes
"""A CSV file's path, or its whole content as bytes (from a stream or a FIFO)."""


def _source_name(source: TextSource, name: str | None) -> str:
    if name is not None:
        return name
    return "<stdin>" if isinstance(source, bytes) else display_name(source)


def _read_bytes(source: TextSource, name: str) -> bytes:
    if isinstance(source, bytes):
        return source
    try:
        with open(source, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise InputFormatError(f"Cannot read '{name}': {error.strerror or error}.") from None


def read_text_table(source: TextSource, name: str | None = None) -> tuple[list[str], pd.DataFrame]:
    """Read a UTF-8 CSV as text: the header cells and the records below it.

    Every cell is a string (blank cells are ``""``); the body's columns are numbered 0..k-1 so
    that repeated or empty header cells survive for the caller to judge. Header cells are kept
    as written.
    """
    shown = _source_name(source, name)
    data = _read_bytes(source, shown)
    refuse_binary(data[: 1 << 16], f"'{shown}'")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputFormatError(
            f"Cannot read '{shown}' as UTF-8 text (byte {error.start}); save it as UTF-8 CSV."
        ) from None
    if not text.strip():
        raise InputFormatError(f"'{shown}' is empty: expected a header row and data rows.")
    delimiter = sniff_delimiter(text[: 1 << 20])
    try:
        table = pd.read_csv(
            io.StringIO(text),
            header=None,
            dtype=str,
            sep=delimiter,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=True,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as error:
        reason = str(error).split("\n")[0].rstrip(".")
        raise InputFormatError(f"Cannot parse '{shown}' as CSV: {reason}.") from None
    header = [str(cell) for cell in table.iloc[0]]
    if not any(cell.strip() for cell in header):
        raise InputFormatError(f"'{shown}' is empty: expected a header row and data rows.")
    body = table.iloc[1:].reset_index(drop=True)
    return header, body


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


def type_columns(frame: pd.DataFrame, text_columns: Sequence[Hashable] = ()) -> pd.DataFrame:
    """Give text columns their natural type: numbers where every filled cell is a number.

    Blank cells become missing. Columns named in ``text_columns`` stay text (identifiers keep
    leading zeros), as does any column with a cell that is not a number (labels, dates, ``NA``):
    its cells are then reported by validation as given, never guessed.
    """
    typed: dict[Hashable, pd.Series] = {}
    keep_text = set(text_columns)
    for column in frame.columns:
        text = frame[column].astype("string").str.strip()
        blank = text.isna() | (text == "")
        if column not in keep_text:
            try:
                typed[column] = pd.to_numeric(text.where(~blank).astype(object))
                continue
            except (ValueError, TypeError):
                pass
        typed[column] = frame[column].where(~blank)
    return pd.DataFrame(typed, index=frame.index, columns=frame.columns)


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
