"""Small text helpers of the export readers that need neither pandas nor pyarrow."""

from __future__ import annotations

import os

__all__ = ["PathArg", "display_name", "sniff_delimiter"]

PathArg = str | os.PathLike[str]
_DELIMITERS = ",;\t|"


def display_name(path: PathArg) -> str:
    """Return the file name used in messages (the base name, never a directory)."""
    return os.path.basename(os.fspath(path)) or os.fspath(path)


def sniff_delimiter(first_line: str) -> str:
    """Return the most frequent of comma, semicolon, tab and pipe in the header line."""
    counts = {d: first_line.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","
