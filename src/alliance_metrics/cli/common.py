"""What every command shares: the program name, exit codes, and reading ``-i`` and INPUT."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from alliance_metrics.schemas import Instrument

__all__ = [
    "EXIT_DATA_PROBLEMS",
    "EXIT_OK",
    "EXIT_USAGE",
    "PROG",
    "input_of",
    "instrument_of",
    "instruments_of",
    "one_instrument",
    "print_notes",
]

PROG = "alliance-metrics"
EXIT_OK, EXIT_DATA_PROBLEMS, EXIT_USAGE = 0, 1, 2


def instruments_of(values: list[str]) -> Instrument | list[Instrument]:
    """Resolve ``-i`` (repeatable): one instrument, or the list of a combined export."""
    found = [instrument_of(value) for value in values]
    return found[0] if len(found) == 1 else found


def one_instrument(values: list[str], command: str) -> Instrument:
    """Resolve ``-i`` for a command that analyses one instrument at a time."""
    if len(values) > 1:
        from alliance_metrics.errors import InvalidParameterError

        raise InvalidParameterError(
            f"The {command} command takes one --instrument at a time; got {len(values)}."
        )
    return instrument_of(values[0])


def instrument_of(value: str) -> Instrument:
    """Resolve an instrument id, or load the user-written definition at a ``.json`` path."""
    from alliance_metrics.instruments.registry import load_instrument, lookup

    if value.lower().endswith(".json"):
        return load_instrument(value)
    return lookup(value, "alliance-metrics", "instrument")


def input_of(path: str) -> Path | IO[bytes]:
    """``-`` is standard input; anything else a path."""
    return sys.stdin.buffer if path == "-" else Path(path)


def print_notes(notes: Sequence[str]) -> None:
    """Print a reader's notes to stderr, one line each."""
    for note in notes:
        print(f"{PROG}: note: {note}", file=sys.stderr)
