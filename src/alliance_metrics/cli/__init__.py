"""The ``alliance-metrics`` command line: wires the library together, and only that.

Exit codes: 0 success without data problems; 1 finished but found data problems; 2 usage or
input-format error (nothing written); 130 interrupted, 128 + N
terminated by signal N (SIGHUP 129, SIGTERM 143, ...; nothing written).
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
from alliance_metrics.cli.common import (
    EXIT_DATA_PROBLEMS,
    EXIT_OK,
    EXIT_USAGE,
    PROG,
    check_outputs,
    say,
)
from alliance_metrics.cli.parser import FLAGS, build_parser
from alliance_metrics.errors import (
    AllianceMetricsError,
    AllianceMetricsWarning,
    ResponseValidationError,
)

__all__ = ["build_parser", "main"]

_PARAMETER = re.compile(r"(?P<the>[Tt]he) '(?P<name>\w+)' parameters?(?: of [\w-]+)?(?P<colon>:?)")


class _Terminated(BaseException):
    """A terminating signal arrived: unwind like an interrupt.

    Every output is then aborted and cleaned up: a temporary file never outlives the run.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum: int, frame: FrameType | None) -> None:
    raise _Terminated(signum)


_TERMINATING = tuple(
    getattr(signal, name)
    for name in (
        "SIGHUP",
        "SIGTERM",
        "SIGQUIT",
        "SIGUSR1",
        "SIGUSR2",
        "SIGALRM",
        "SIGVTALRM",
        "SIGPROF",
        "SIGXCPU",
    )
    if hasattr(signal, name)
)
"""Signals whose default action ends the process (SIGINT is KeyboardInterrupt already)."""


def _catch_signals() -> dict[int, object]:
    """Turn the terminating signals into :class:`_Terminated`; return the handlers replaced."""
    replaced: dict[int, object] = {}
    for signum in _TERMINATING:
        try:
            previous = signal.getsignal(signum)
            if previous is signal.SIG_IGN:
                continue  # ignored on purpose (nohup): keep it ignored
            signal.signal(signum, _on_signal)
        except (ValueError, OSError):  # pragma: no cover - not the main thread
            continue
        replaced[signum] = previous
    return replaced


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
    replaced = _catch_signals()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always", AllianceMetricsWarning)
            warnings.showwarning = _show_warning
            check_outputs(args)
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
        say("interrupted; nothing written")
        return 130
    except _Terminated as stop:
        say(f"terminated ({signal.Signals(stop.signum).name}); nothing written")
        return 128 + stop.signum
    finally:
        for signum, previous in replaced.items():
            signal.signal(signum, previous)  # type: ignore[arg-type]


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: object = None,
    line: str | None = None,
) -> None:
    """Print a library warning as one line (no file name, no source line)."""
    say(f"warning: {for_command_line(str(message))}")


def _report(args: object, message: str) -> None:
    if getattr(args, "debug", False):
        traceback.print_exc(file=sys.stderr)
    say(f"error: {message}")
