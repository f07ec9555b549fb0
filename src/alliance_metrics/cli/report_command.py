"""The ``report`` command: one call of :func:`~alliance_metrics.build_report`, written to a file.

The output defaults to the input's name with ``.report.html`` beside it (standard output for
standard input); it is written as ``score`` writes: atomically, devices written through, never
over the input.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import IO

from alliance_metrics.cli.common import counted_as_unanswered, say
from alliance_metrics.schemas import Instrument

__all__ = ["default_report_path", "run_report"]


def default_report_path(source: str) -> str:
    """``exports/wai.csv.gz`` → ``exports/wai.report.html``; ``-`` (standard input) → ``-``.

    Examples
    --------
    >>> default_report_path("exports/wai.csv.gz"), default_report_path("-")
    ('exports/wai.report.html', '-')
    """
    from alliance_metrics.io.paths import stem

    if source == "-":
        return "-"
    path = Path(source)
    return path.with_name(f"{stem(path)}.report.html").as_posix()


def run_report(args: argparse.Namespace, instrument: Instrument, source: Path | IO[bytes]) -> int:
    """Build the report with the command's options, write it, and say where."""
    from alliance_metrics.report.build import build_report_and_check

    output = args.output if args.output is not None else default_report_path(args.input)
    _, checked = build_report_and_check(
        source,
        instrument,
        client=args.client,
        session=args.session,
        output=output,
        ids=not args.no_ids,
        scale=args.scale,
        columns=args.columns,
        on_invalid=args.on_invalid,
        missing_values=[v.strip() for v in args.missing_values.split(",") if v.strip()],
        source_format=args.source,
        encoding=args.encoding,
        delimiter=args.delimiter,
        cutoff=args.cutoff,
        drop_points=args.drop_points,
        max_trajectories=args.max_trajectories,
    )
    shown = "standard output" if output == "-" else output
    say(f"report written to {shown}")
    return counted_as_unanswered(checked, "report")
