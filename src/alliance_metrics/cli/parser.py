"""The ``alliance-metrics`` argument parser: commands, options, and their library parameters."""

from __future__ import annotations

import argparse

from alliance_metrics.cli.common import PROG
from alliance_metrics.cli.series_command import add_series_parser

__all__ = ["FLAGS", "PROG", "build_parser"]

_DELIMITER_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
FLAGS: dict[str, str] = {
    "source": "INPUT",
    "id": "ID",
    "instrument": "--instrument",
    "columns": "--columns",
    "encoding": "--encoding",
    "delimiter": "--delimiter",
    "missing_values": "--missing-values",
    "errors": "--errors",
    "source_format": "--source",
    "dictionary": "--dictionary",
    "form": "--form",
    "coding": "--coding",
    "include_previews": "--include-previews",
    "use_import_ids": "--use-import-ids",
    "destination": "--output",
    "output": "--output",
    "aggregate": "--aggregate",
    "min_answered": "--min-answered",
    "prefix": "--prefix",
    "on_invalid": "--on-invalid",
    "output_format": "--format",
    "precision": "--precision",
    "sanitize": "--no-sanitize",
    "id_columns": "--id-column",
    "sources": "INPUT",
    "workers": "--workers",
    "scheduler": "--scheduler",
    "scale": "--scale",
    "cutoff": "--cutoff",
    "direction": "--direction",
    "k": "--k",
    "sd_source": "--sd-source",
    "reliability": "--reliability",
    "sd": "--sd",
    "score": "--score",
    "client": "--client",
    "session": "--session",
    "ids": "--no-ids",
    "drop_points": "--drop-points",
    "max_trajectories": "--max-trajectories",
}
"""Library parameter → command-line option, for messages."""


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a whole number of items or a proportion in (0, 1]; got {text!r}"
        ) from None


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number; got {text!r}") from None


def _delimiter(text: str) -> str:
    value = _DELIMITER_NAMES.get(text.lower(), text)
    if len(value) != 1:
        raise argparse.ArgumentTypeError(
            f"must be one character (or tab, comma, semicolon, pipe); got {text!r}"
        )
    return value


def _add_reading_options(parser: argparse.ArgumentParser, *, several: bool = False) -> None:
    """Add INPUT, ``-i`` and the reading options; ``several``: ``-i`` may be repeated."""
    parser.add_argument("input", metavar="INPUT", help="CSV or CSV.GZ file or export, - for stdin")
    instrument_help = (
        "instrument id (see `instruments`), or the path of your own definition (.json)"
    )
    if several:
        instrument_help += "; repeat it for a file holding several instruments (-i srs -i ors)"
    parser.add_argument(
        "-i", "--instrument", required=True, action="append", metavar="ID", help=instrument_help
    )
    parser.add_argument(
        "--columns", metavar="TEMPLATE", help="item column template, e.g. 'wai_{n}' or 'q{n:02d}'"
    )
    parser.add_argument("--encoding", default="utf-8", help="text encoding (default: utf-8)")
    parser.add_argument(
        "--delimiter", type=_delimiter, help="field delimiter (default: sniffed; 'tab' for tab)"
    )
    parser.add_argument(
        "--missing-values",
        metavar="LIST",
        default="",
        help="comma-separated extra texts meaning unanswered, e.g. '-99,999'",
    )
    parser.add_argument(
        "--source",
        choices=("auto", "csv", "redcap", "qualtrics", "spss"),
        default="auto",
        help="kind of export (default: detected from extension and header)",
    )


def _add_input_options(parser: argparse.ArgumentParser) -> None:
    _add_reading_options(parser, several=True)
    parser.add_argument("--errors", metavar="PATH", help="where to write the errors CSV")
    parser.add_argument(
        "--id-column",
        action="append",
        metavar="NAME",
        dest="id_columns",
        help="column whose values the errors file repeats (repeatable; default: auto-detected)",
    )
    parser.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    exports = parser.add_argument_group("exports (REDCap, Qualtrics, SPSS, paper forms)")
    exports.add_argument("--dictionary", metavar="PATH", help="REDCap data dictionary CSV")
    exports.add_argument("--form", metavar="NAME", help="REDCap form holding the instrument")
    exports.add_argument(
        "--coding",
        choices=("label", "position"),
        default="label",
        help="values are anchor values (default) or tick positions on the paper form",
    )
    exports.add_argument(
        "--include-previews", action="store_true", help="Qualtrics: keep previews and tests"
    )
    exports.add_argument(
        "--use-import-ids", action="store_true", help="Qualtrics: item numbers from ImportIds"
    )


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``alliance-metrics`` command."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Score therapeutic-alliance questionnaires (WAI family, SRS, ORS, ...).",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    score = commands.add_parser("score", help="score a CSV export and write the scores")
    _add_input_options(score)
    score.add_argument("-o", "--output", metavar="PATH", help="output path, or - for stdout")
    score.add_argument(
        "--aggregate", choices=("mean", "sum"), help="scale score (default: per instrument)"
    )
    score.add_argument(
        "--min-answered", type=_number, metavar="N", help="items (int) or proportion needed"
    )
    score.add_argument("--prefix", help="prefix of the added columns (default: instrument slug_)")
    score.add_argument(
        "--on-invalid",
        choices=("missing", "raise"),
        default="missing",
        help="invalid cells count as unanswered (default) or stop the run without output",
    )
    score.add_argument(
        "--format",
        choices=("csv", "parquet"),
        dest="output_format",
        help="output format (default: csv; parquet parts with --engine dask)",
    )
    score.add_argument(
        "--precision", type=_integer, metavar="N", help="decimals of scores, 0-17 (default: exact)"
    )
    score.add_argument(
        "--no-sanitize", action="store_true", help="do not neutralise spreadsheet formulas"
    )
    scale = score.add_argument_group("scale out (extra [dask]; docs/scaling.md)")
    scale.add_argument(
        "--engine",
        choices=("local", "dask"),
        default="local",
        help="dask: score the files INPUT names ('exports/*.csv') on a Dask cluster into the "
        "folder --output (default: local, one process)",
    )
    scale.add_argument("--workers", type=_integer, metavar="N", help="local Dask worker processes")
    scale.add_argument("--scheduler", metavar="ADDRESS", help="use a running Dask cluster")

    validate = commands.add_parser("validate", help="check a CSV export; writes no scores")
    _add_input_options(validate)

    instruments = commands.add_parser("instruments", help="list instruments, or show one")
    instruments.add_argument("id", nargs="?", metavar="ID", help="show this instrument")
    instruments.add_argument("--json", action="store_true", help="machine-readable output")

    commands.add_parser("schema", help="print the JSON Schema of the instrument format")

    reliability = commands.add_parser(
        "reliability", help="reliability report per scale (alpha, omega, SEM, floor/ceiling)"
    )
    _add_reading_options(reliability)
    add_series_parser(commands, _add_reading_options)
    reliability.add_argument("--items", action="store_true", help="item statistics instead")
    reliability.add_argument("-o", "--output", metavar="PATH", help="write CSV (or .json)")
    reliability.add_argument(
        "--on-invalid",
        choices=("raise", "missing"),
        default="raise",
        help="invalid cells stop the run (default) or count as unanswered",
    )

    report = commands.add_parser("report", help="write a self-contained HTML report of a batch")
    _add_reading_options(report)
    report.add_argument("-o", "--output", metavar="PATH", help="default: INPUT.report.html")
    series = report.add_argument_group("session series (with --client and --session)")
    series.add_argument("--client", metavar="COLUMN", help="column of the client key")
    series.add_argument("--session", metavar="COLUMN", help="column of the session number")
    series.add_argument("--scale", metavar="ID", help="scale of the series (default: total)")
    series.add_argument("--no-ids", action="store_true", help="number clients 1, 2, … instead")
    series.add_argument("--cutoff", type=float, metavar="X", help="alert below this score")
    series.add_argument(
        "--drop-points",
        type=float,
        default=1.0,
        metavar="X",
        help="alert on a drop this large from the last session (default: 1)",
    )
    series.add_argument(
        "--max-trajectories",
        type=_integer,
        default=12,
        metavar="N",
        help="most flagged clients drawn (default: 12)",
    )
    report.add_argument(
        "--on-invalid",
        choices=("missing", "raise"),
        default="missing",
        help="invalid cells count as unanswered (default) or stop the run",
    )
    return parser
