"""The ``alliance-metrics`` command line: wires the library together, and only that.

Exit codes: 0 success without data problems; 1 finished but found data problems; 2 usage or
input-format error (nothing written). Errors are one line on stderr; ``--debug`` adds the
traceback. Heavy modules (pandas, pyarrow) are imported only by the commands that need them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from alliance_metrics.errors import AllianceMetricsError, ResponseValidationError

if TYPE_CHECKING:
    from alliance_metrics.schemas import Instrument

PROG = "alliance-metrics"
EXIT_OK, EXIT_DATA_PROBLEMS, EXIT_USAGE = 0, 1, 2
_DELIMITER_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}


class _UsageError(Exception):
    """A command-line mistake detected after argparse (reported with exit code 2)."""


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


def _delimiter(text: str) -> str:
    value = _DELIMITER_NAMES.get(text.lower(), text)
    if len(value) != 1:
        raise argparse.ArgumentTypeError(
            f"must be one character (or tab, comma, semicolon, pipe); got {text!r}"
        )
    return value


def _add_input_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", metavar="INPUT", help="CSV or CSV.GZ file, or - for stdin")
    parser.add_argument(
        "-i",
        "--instrument",
        required=True,
        metavar="ID",
        help="instrument id (see `instruments`), or the path of your own definition (.json)",
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
    parser.add_argument("--errors", metavar="PATH", help="where to write the errors CSV")
    parser.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    exports = parser.add_argument_group("exports (REDCap, Qualtrics, SPSS, paper forms)")
    exports.add_argument(
        "--source",
        choices=("auto", "csv", "redcap", "qualtrics", "spss"),
        default="auto",
        help="kind of export (default: detected from extension and header)",
    )
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


def _reader_options(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "source_format": args.source,
        "dictionary": args.dictionary,
        "form": args.form,
        "coding": args.coding,
        "include_previews": args.include_previews,
        "use_import_ids": args.use_import_ids,
    }


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
    score.add_argument("--format", choices=("csv", "parquet"), default="csv", dest="output_format")
    score.add_argument(
        "--precision", type=int, metavar="N", help="decimals of scores (default: exact float)"
    )
    score.add_argument(
        "--no-sanitize", action="store_true", help="do not neutralise spreadsheet formulas"
    )

    validate = commands.add_parser("validate", help="check a CSV export; writes no scores")
    _add_input_options(validate)

    instruments = commands.add_parser("instruments", help="list instruments, or show one")
    instruments.add_argument("id", nargs="?", metavar="ID", help="show this instrument")
    instruments.add_argument("--json", action="store_true", help="machine-readable output")

    commands.add_parser("schema", help="print the JSON Schema of the instrument format")

    reliability = commands.add_parser(
        "reliability", help="reliability report per scale (alpha, omega, SEM, floor/ceiling)"
    )
    reliability.add_argument("input", metavar="INPUT", help="CSV file or export, or - for stdin")
    reliability.add_argument(
        "-i", "--instrument", required=True, metavar="ID", help="instrument id or .json path"
    )
    reliability.add_argument("--columns", metavar="TEMPLATE", help="item column template")
    reliability.add_argument("--items", action="store_true", help="item statistics instead")
    reliability.add_argument("-o", "--output", metavar="PATH", help="write CSV (or .json)")
    reliability.add_argument("--encoding", default="utf-8")
    reliability.add_argument("--delimiter", type=_delimiter)
    reliability.add_argument(
        "--source", choices=("auto", "csv", "redcap", "qualtrics", "spss"), default="auto"
    )
    return parser


def _progress_callback(enabled: bool) -> tuple[Callable[[int, int | None], None] | None, Any]:
    if not enabled or not sys.stderr.isatty():
        return None, None
    from tqdm import tqdm

    bar = tqdm(total=None, unit="B", unit_scale=True, file=sys.stderr, leave=False)

    def update(done: int, total: int | None) -> None:
        if total is not None and bar.total != total:
            bar.total = total
        bar.n = done
        bar.refresh()

    return update, bar


def _instrument(value: str) -> Instrument:
    """Resolve an instrument id, or load the user-written definition at a ``.json`` path."""
    from alliance_metrics.instruments.registry import get_instrument, load_instrument

    if value.lower().endswith(".json"):
        return load_instrument(value)
    return get_instrument(value)


def _open_input(path: str) -> Path | IO[bytes]:
    return sys.stdin.buffer if path == "-" else Path(path)


def _missing_values(text: str) -> list[str]:
    return [v.strip() for v in text.split(",") if v.strip()]


def _run_score(args: argparse.Namespace) -> int:
    from alliance_metrics.files import score_csv

    if args.input == "-" and args.output is None:
        args.output = "-"
    destination: Path | IO[bytes] | None
    if args.output is None:
        destination = None
    elif args.output == "-":
        destination = sys.stdout.buffer
    else:
        destination = Path(args.output)
    progress, bar = _progress_callback(not args.no_progress)
    try:
        summary = score_csv(
            _open_input(args.input),
            destination,
            _instrument(args.instrument),
            columns=args.columns,
            aggregate=args.aggregate,
            min_answered=args.min_answered,
            prefix=args.prefix,
            on_invalid=args.on_invalid,
            errors=args.errors,
            encoding=args.encoding,
            delimiter=args.delimiter,
            output_format=args.output_format,
            sanitize=not args.no_sanitize,
            missing_values=_missing_values(args.missing_values),
            precision=args.precision,
            progress=progress,
            **_reader_options(args),
        )
    finally:
        if bar is not None:
            bar.close()
    _print_notes(summary.notes)
    print(f"{PROG}: {summary.describe()}", file=sys.stderr)
    return EXIT_OK if summary.ok else EXIT_DATA_PROBLEMS


def _run_validate(args: argparse.Namespace) -> int:
    from alliance_metrics.files import validate_csv

    progress, bar = _progress_callback(not args.no_progress)
    try:
        summary = validate_csv(
            _open_input(args.input),
            _instrument(args.instrument),
            columns=args.columns,
            errors=args.errors,
            encoding=args.encoding,
            delimiter=args.delimiter,
            missing_values=_missing_values(args.missing_values),
            progress=progress,
            **_reader_options(args),
        )
    finally:
        if bar is not None:
            bar.close()
    _print_notes(summary.notes)
    shown = 20
    for message in summary.report.failure_cases["message"].head(shown):
        print(message, file=sys.stderr)
    if summary.n_invalid_cells > shown:
        rest = summary.n_invalid_cells - shown
        where = f" (all in {summary.errors_output})" if summary.errors_output else ""
        print(f"... and {rest} more{where}", file=sys.stderr)
    verdict = "valid" if summary.ok else "invalid"
    print(f"{PROG}: {verdict}: {summary.describe()}", file=sys.stderr)
    return EXIT_OK if summary.ok else EXIT_DATA_PROBLEMS


def _print_notes(notes: Sequence[str]) -> None:
    for note in notes:
        print(f"{PROG}: note: {note}", file=sys.stderr)


def _run_reliability(args: argparse.Namespace) -> int:
    import pandas as pd
    import pyarrow as pa

    from alliance_metrics.columns import ColumnSpec
    from alliance_metrics.export_scoring import read_export
    from alliance_metrics.io.csv import TableSink
    from alliance_metrics.io.outputs import check_output_path
    from alliance_metrics.psychometrics import (
        item_statistics,
        reliability_report,
        reliability_table_text,
    )

    instrument = _instrument(args.instrument)
    data = read_export(
        _open_input(args.input),
        instrument,
        source_format=args.source,
        encoding=args.encoding,
        delimiter=args.delimiter,
    )
    frame = data.frame
    columns = args.columns if args.columns is not None else cast(ColumnSpec, data.item_columns)
    table: pd.DataFrame
    if args.items:
        table = item_statistics(frame, instrument, columns=columns)
    else:
        table = reliability_report(frame, instrument, columns=columns)
    _print_notes(data.notes)
    if args.output is None:
        print(reliability_table_text(table))
        return EXIT_OK
    source = None if args.input == "-" else Path(args.input)
    output = check_output_path(Path(args.output), source)
    if output.suffix.lower() == ".json":
        records = table.astype(object).where(table.notna(), None).to_dict(orient="records")
        text = json.dumps(records, indent=2, ensure_ascii=False) + "\n"
        TableSink.write_bytes_atomically(output, text.encode("utf-8"))
    else:
        sink = TableSink(output, "csv")
        sink.write(pa.Table.from_pandas(table, preserve_index=False))
        sink.commit()
    print(f"{PROG}: {len(table)} rows written to {output}", file=sys.stderr)
    return EXIT_OK


def _run_instruments(args: argparse.Namespace) -> int:
    from alliance_metrics.instruments.registry import get_instrument, list_instruments

    if args.id is not None:
        instrument = get_instrument(args.id)
        if args.json:
            print(instrument.model_dump_json(indent=2))
        else:
            print(_describe_instrument(instrument))
        return EXIT_OK
    found = [get_instrument(i) for i in list_instruments()]
    if args.json:
        rows = [
            {
                "id": i.id,
                "name": i.name,
                "items": i.n_items,
                "scales": [s.id for s in i.scales],
                "status": i.status.level,
            }
            for i in found
        ]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return EXIT_OK
    width = max(len(i.id) for i in found)
    for i in found:
        print(f"{i.id:<{width}}  {i.n_items:>2} items  {i.status.level:<11}  {i.name}")
    return EXIT_OK


def _describe_instrument(instrument: Any) -> str:
    scale = instrument.response_scale
    lines = [
        f"{instrument.id}: {instrument.name} (definition {instrument.version})",
        f"rater: {instrument.rater}; {instrument.n_items} items; responses {scale.describe()}",
        f"status: {instrument.status.level}"
        + (f" ({instrument.status.reason})" if instrument.status.reason else ""),
        f"default aggregate: {instrument.default_aggregate}; scored when at least "
        f"{instrument.missing_policy.min_answered} of a scale's items are answered",
        "scales:",
    ]
    for s in instrument.scales:
        numbers = ", ".join(str(instrument.item(i).number) for i in s.items)
        lines.append(f"  {s.id} ({s.kind}): items {numbers}")
    reversed_items = [str(i.number) for i in instrument.items if i.reverse]
    lines.append(f"reverse-keyed items: {', '.join(reversed_items) or 'none'}")
    for cutoff in instrument.cutoffs:
        sign = {"below": "<", "above": ">"}[cutoff.direction]
        sign += "=" if cutoff.boundary == "inclusive" else ""
        lines.append(
            f"cut-off {cutoff.id}: {cutoff.scale} {cutoff.aggregate} {sign} {cutoff.value:g} "
            f"[{cutoff.kind}] {cutoff.label}"
        )
    lines.append(f"licence: {instrument.licence}")
    lines += [f"cite: {c.text}" for c in instrument.citations]
    return "\n".join(lines)


def _run_schema(_: argparse.Namespace) -> int:
    from alliance_metrics.schemas import Instrument

    print(json.dumps(Instrument.model_json_schema(), indent=2, ensure_ascii=False))
    return EXIT_OK


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "score": _run_score,
    "validate": _run_validate,
    "instruments": _run_instruments,
    "schema": _run_schema,
    "reliability": _run_reliability,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from importlib.metadata import version

        print(f"{PROG} {version('alliance-metrics')}")
        return EXIT_OK
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return _COMMANDS[args.command](args)
    except ResponseValidationError as error:
        _report(args, f"data problems, nothing written: {error.report.summary(max_cells=3)}")
        return EXIT_DATA_PROBLEMS
    except AllianceMetricsError as error:
        _report(args, str(error))
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader of stdout went away (e.g. `schema | head`): not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except OSError as error:
        _report(args, f"{error.strerror or error}: {error.filename or ''}".rstrip(": "))
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; nothing written", file=sys.stderr)
        return 130


def _report(args: argparse.Namespace, message: str) -> None:
    if args.debug:
        traceback.print_exc(file=sys.stderr)
    print(f"{PROG}: error: {message}", file=sys.stderr)
