"""The ``alliance-metrics`` command line: wires the library together, and only that.

Exit codes: 0 success without data problems; 1 finished but found data problems; 2 usage or
input-format error (nothing written); 130/143 interrupted or terminated (nothing written).
Errors are one line on stderr; ``--debug`` adds the traceback. Library messages name library
parameters; here they are mapped to the command's options. Heavy modules (pandas, pyarrow) are
imported only by the commands that need them.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import traceback
import warnings
from collections.abc import Sequence
from types import FrameType

from alliance_metrics.cli.commands import COMMANDS
from alliance_metrics.cli.common import EXIT_DATA_PROBLEMS, EXIT_OK, EXIT_USAGE, PROG
from alliance_metrics.cli.parser import FLAGS, build_parser
from alliance_metrics.errors import (
    AllianceMetricsError,
    AllianceMetricsWarning,
    ResponseValidationError,
)

__all__ = ["build_parser", "main"]

_PARAMETER = re.compile(r"(?P<the>[Tt]he) '(?P<name>\w+)' parameters?(?: of [\w-]+)?(?P<colon>:?)")


class _Terminated(BaseException):
    """SIGTERM arrived: unwind like an interrupt, so every output is aborted and cleaned up."""


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise _Terminated


def for_command_line(message: str) -> str:
    """Name command-line options where a library message names parameters.

    Examples
    --------
    >>> for_command_line("The 'precision' parameter of score_csv must be a whole number.")
    'The --precision option must be a whole number.'
    """

    def option(match: re.Match[str]) -> str:
        flag = FLAGS.get(match["name"])
        if flag is None:
            return match.group(0)
        noun = "argument" if flag.isupper() else "option"
        return f"{match['the']} {flag} {noun}{match['colon']}"

    return _PARAMETER.sub(option, message)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from alliance_metrics._version import library_version

        print(f"{PROG} {library_version()}")
        return EXIT_OK
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    previous = signal.getsignal(signal.SIGTERM)
    try:
        signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # pragma: no cover - not the main thread: leave signals alone
        previous = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always", AllianceMetricsWarning)
            warnings.showwarning = _show_warning
            return COMMANDS[args.command](args)
    except ResponseValidationError as error:
        _report(args, f"data problems, nothing written: {error.report.summary(max_cells=3)}")
        return EXIT_DATA_PROBLEMS
    except AllianceMetricsError as error:
        _report(args, for_command_line(str(error)))
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader of our output went away (`... -o - | head`): the output is incomplete.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        _report(args, "the output stream was closed before everything was written")
        return EXIT_USAGE
    except OSError as error:
        _report(args, f"{error.strerror or error}: {error.filename or ''}".rstrip(": "))
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; nothing written", file=sys.stderr)
        return 130
    except _Terminated:
        print(f"{PROG}: terminated; nothing written", file=sys.stderr)
        return 143
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: object = None,
    line: str | None = None,
) -> None:
    """Print a library warning as one line (no file name, no source line)."""
    print(f"{PROG}: warning: {for_command_line(str(message))}", file=sys.stderr)


def _report(args: object, message: str) -> None:
    if getattr(args, "debug", False):
        traceback.print_exc(file=sys.stderr)
    print(f"{PROG}: error: {message}", file=sys.stderr)
