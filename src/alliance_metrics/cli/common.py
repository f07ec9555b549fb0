"""What every command shares: the program name, exit codes, and reading ``-i`` and INPUT."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from alliance_metrics.results import ValidationReport
    from alliance_metrics.schemas import Instrument

__all__ = [
    "EXIT_DATA_PROBLEMS",
    "EXIT_OK",
    "EXIT_USAGE",
    "PROG",
    "check_outputs",
    "counted_as_unanswered",
    "input_of",
    "instrument_of",
    "instruments_of",
    "list_problems",
    "one_instrument",
    "one_line",
    "print_notes",
    "say",
]

PROG = "alliance-metrics"
SHOWN_PROBLEMS = 20
"""Rejected cells listed on stderr before ``... and N more``."""
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


def one_line(text: str) -> str:
    r"""Escape what could break a message across lines or restyle a terminal.

    Line breaks, other control characters and bidirectional overrides (from a file name, a
    column name or an option value quoted in a message) are written as escapes, so every
    message is exactly one line and shows what was given.

    Examples
    --------
    >>> one_line("evil\nalliance-metrics: valid.csv")
    'evil\\nalliance-metrics: valid.csv'
    >>> one_line("x\x1b[31m\u202e")
    'x\\x1b[31m\\u202e'
    """
    if text.isprintable():
        return text
    out = []
    for char in text:
        if char.isprintable() or char == " ":
            out.append(char)
        elif char in "\n\r\t":
            out.append(repr(char)[1:-1])
        elif ord(char) < 0x100:
            out.append(f"\\x{ord(char):02x}")
        else:
            out.append(f"\\u{ord(char):04x}" if ord(char) < 0x10000 else f"\\U{ord(char):08x}")
    return "".join(out)


def say(message: str, *, prefix: bool = True) -> None:
    """Print one line to stderr: ``alliance-metrics: message``, escaped by :func:`one_line`."""
    line = one_line(message)
    print(f"{PROG}: {line}" if prefix else line, file=sys.stderr)


def print_notes(notes: Sequence[str]) -> None:
    """Print a reader's notes to stderr, one line each."""
    for note in notes:
        say(f"note: {note}")


def check_outputs(args: object) -> None:
    """Refuse, before anything is read, an ``-o`` or ``--errors`` that is a file the run reads.

    The run reads INPUT (or the file standard input is redirected from), the definitions given
    to ``-i`` as ``.json`` paths and the ``--dictionary``: no output may replace any of them,
    by path, link or inode, nor be standard output when standard output is one of them.
    """
    from alliance_metrics.io.targets import protected_inputs, resolve_output

    if getattr(args, "engine", None) == "dask":
        return  # INPUT is a pattern and -o a folder: the Dask engine checks its own (dask/files)
    source = getattr(args, "input", None)
    definitions = [
        v for v in getattr(args, "instrument", None) or () if v.lower().endswith(".json")
    ]
    inputs = protected_inputs(
        sys.stdin.buffer if source == "-" else source,
        *definitions,
        getattr(args, "dictionary", None),
    )
    output = "report" if getattr(args, "command", None) == "report" else "output"
    for parameter, what in (("output", output), ("errors", "errors file")):
        destination = getattr(args, parameter, None)
        if isinstance(destination, str) and inputs:
            resolve_output(destination, inputs=inputs, what=what, parameter=parameter, func=PROG)


def list_problems(report: ValidationReport, errors_output: str | None = None) -> None:
    """List the first rejected cells on stderr (row, column and code: never the value)."""
    cases = report.failure_cases.head(SHOWN_PROBLEMS)
    for row, column, code in zip(cases["row"], cases["column"], cases["code"], strict=True):
        say(f"row {row}, column {column!r}: {code}", prefix=False)
    if report.n_invalid_cells > SHOWN_PROBLEMS:
        rest = report.n_invalid_cells - SHOWN_PROBLEMS
        where = f" (all in {errors_output})" if errors_output else ""
        say(f"... and {rest} more{where}", prefix=False)


def counted_as_unanswered(report: ValidationReport, command: str) -> int:
    """Report the cells an analysis counted as unanswered; return the exit status.

    ``--on-invalid missing`` lets ``reliability`` and ``series`` finish, but a rejected cell is
    still a data problem: it is listed and the status is 1, as for ``score``.
    """
    if report.ok:
        return EXIT_OK
    list_problems(report)
    say(
        f"{command}: {report.n_invalid_cells} invalid cell(s) in {report.n_rows_affected} row(s) "
        "were counted as unanswered (all of them: alliance-metrics validate ... --errors PATH)"
    )
    return EXIT_DATA_PROBLEMS
