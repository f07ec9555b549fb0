"""The one CSV dialect sniffer: which delimiter, judged by parsing whole records.

Every candidate (comma, semicolon, tab, pipe) is tried with Python's :mod:`csv` parser on the
first records. The chosen delimiter quotes regularly (no quote character left inside a parsed
field), gives the header more than one field, and gives the following records the header's
number of fields; ties go to the candidate giving more fields, then to the order above. A quoted
header cell full of commas (``id;"note, a, b";wai_1``) therefore cannot mislead it.
"""

from __future__ import annotations

import csv
import io
import threading
from typing import Final

import numpy as np

__all__ = ["DELIMITERS", "head_records", "regular_quoting", "sniff_delimiter", "whole_records"]

DELIMITERS: Final = ",;\t|"
_RECORDS = 50
_FIELD_LIMIT_LOCK = threading.Lock()


def whole_records(text: str, quote: str = '"') -> str:
    r"""Cut ``text`` after its last line break that lies outside quotes (or return it whole).

    Examples
    --------
    >>> whole_records('a,b\n1,"x\ny"\n2,')
    'a,b\n1,"x\ny"\n'
    """
    position = len(text)
    while True:
        position = max(text.rfind("\n", 0, position), text.rfind("\r", 0, position))
        if position < 0:
            return text
        if text.count(quote, 0, position) % 2 == 0:
            return text[: position + 1]


def head_records(text: str, delimiter: str, n_records: int = _RECORDS) -> list[list[str]]:
    r"""Parse the first ``n_records`` records of ``text`` (blank lines skipped).

    Examples
    --------
    >>> head_records('a;b\n1;"x;y"\n', ";")
    [['a', 'b'], ['1', 'x;y']]
    """
    rows: list[list[str]] = []
    with _FIELD_LIMIT_LOCK:
        # the csv module refuses fields over 128 KiB by default; a header name (or a note in
        # the first rows) may be longer, and the text is bounded by the header limit anyway
        limit = csv.field_size_limit()
        csv.field_size_limit(max(limit, len(text) + 1))
        try:
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
                if row:
                    rows.append(row)
                if len(rows) >= n_records:
                    break
        except csv.Error:  # e.g. a NUL byte: the readers report the file itself
            pass
        finally:
            csv.field_size_limit(limit)
    return rows


def regular_quoting(data: bytes, delimiter: bytes, quote: bytes = b'"') -> bool:
    r"""Whether every quote of ``data`` (which starts on a record boundary) fits RFC 4180.

    Counting quotes from the start, an odd-numbered quote opens a quoted field (it follows a
    delimiter, a line end, the start, or the quote just before it: a doubled quote) and an
    even-numbered one closes it (a delimiter, a line end, the end of the data or another quote
    follows). Vectorised over the quote positions.

    Examples
    --------
    >>> regular_quoting(b'a,"x ""y"" z"\n', b","), regular_quoting(b"a,6'2\" tall\n", b",")
    (True, False)
    """
    raw = np.frombuffer(data, dtype=np.uint8)
    positions = np.flatnonzero(raw == quote[0])
    if not len(positions):
        return True
    boundary = np.zeros(256, dtype=bool)
    boundary[[delimiter[0], ord("\n"), ord("\r")]] = True
    previous = np.where(positions > 0, raw[np.maximum(positions - 1, 0)], ord("\n"))
    following_at = np.minimum(positions + 1, len(raw) - 1)
    following = np.where(positions + 1 < len(raw), raw[following_at], ord("\n"))
    opening, closing = positions[0::2], positions[1::2]
    opens_ok = boundary[previous[0::2]]
    opens_ok[1:] |= opening[1:] - 1 == closing[: len(opening) - 1]  # a doubled quote
    closes_ok = boundary[following[1::2]] | (following[1::2] == quote[0])
    return bool(opens_ok.all() and closes_ok.all())


def sniff_delimiter(text: str) -> str:
    r"""Guess the delimiter of the CSV text ``text`` (the start of a file).

    Examples
    --------
    >>> sniff_delimiter("id;wai_1;wai_2\n1;4;5\n")
    ';'
    >>> sniff_delimiter('id;"note, a, b, c, d, e";wai_1;wai_2\n1;"x, y";4;5\n')
    ';'
    >>> sniff_delimiter("wai_1\n4\n")
    ','
    """
    sample = whole_records(text)
    data = sample.encode("utf-8", "surrogatepass")
    best: tuple[bool, float, int, int] | None = None
    chosen = ","
    for rank, delimiter in enumerate(DELIMITERS):
        rows = head_records(sample, delimiter)
        if not rows:
            continue
        width = len(rows[0])
        regular = regular_quoting(data, delimiter.encode("ascii"))
        body = rows[1:]
        consistent = sum(len(row) == width for row in body) / len(body) if body else 1.0
        score = (width > 1 and regular, consistent if width > 1 else 0.0, width, -rank)
        if best is None or score > best:
            best, chosen = score, delimiter
    return chosen
