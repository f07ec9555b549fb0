"""The commands: each maps its options to one library call and prints what the user asked for."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from alliance_metrics.cli.common import (
    EXIT_DATA_PROBLEMS,
    EXIT_OK,
    EXIT_USAGE,
    counted_as_unanswered,
    input_of,
    instruments_of,
    list_problems,
    one_instrument,
    print_notes,
    say,
)
from alliance_metrics.cli.report_command import run_report

if TYPE_CHECKING:
    from alliance_metrics.schemas import Instrument

__all__ = ["COMMANDS", "EXIT_DATA_PROBLEMS", "EXIT_OK", "EXIT_USAGE"]


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


def _missing_values(text: str) -> list[str]:
    return [v.strip() for v in text.split(",") if v.strip()]


def _reading(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "columns": args.columns,
        "encoding": args.encoding,
        "delimiter": args.delimiter,
        "missing_values": _missing_values(args.missing_values),
        "source_format": args.source,
    }


def _file_options(args: argparse.Namespace) -> dict[str, Any]:
    return {
        **_reading(args),
        "errors": args.errors,
        "id_columns": args.id_columns,
        "dictionary": args.dictionary,
        "form": args.form,
        "coding": args.coding,
        "include_previews": args.include_previews,
        "use_import_ids": args.use_import_ids,
    }


def _run_score(args: argparse.Namespace) -> int:
    from alliance_metrics.pipeline.run import score_csv

    if args.engine == "dask":
        return _run_score_dask(args)
    for name in ("workers", "scheduler"):
        if getattr(args, name) is not None:
            from alliance_metrics._params import bad_parameter

            raise bad_parameter(name, "score", "come with --engine dask", getattr(args, name))
    output = args.output
    if output is None and args.input == "-":
        output = "-"
    progress, bar = _progress_callback(not args.no_progress)
    try:
        summary = score_csv(
            input_of(args.input),
            output,
            instruments_of(args.instrument),
            aggregate=args.aggregate,
            min_answered=args.min_answered,
            prefix=args.prefix,
            on_invalid=args.on_invalid,
            output_format=args.output_format or "csv",
            sanitize=not args.no_sanitize,
            precision=args.precision,
            progress=progress,
            **_file_options(args),
        )
    finally:
        if bar is not None:
            bar.close()
    print_notes(summary.notes)
    say(summary.describe())
    return EXIT_OK if summary.ok else EXIT_DATA_PROBLEMS


def _run_score_dask(args: argparse.Namespace) -> int:
    from alliance_metrics.dask import score_files

    options = _file_options(args)
    summary = score_files(
        args.input,
        args.output,
        instruments_of(args.instrument),
        scheduler=args.scheduler,
        workers=args.workers,
        aggregate=args.aggregate,
        min_answered=args.min_answered,
        prefix=args.prefix,
        on_invalid=args.on_invalid,
        output_format=args.output_format or "parquet",
        sanitize=not args.no_sanitize,
        precision=args.precision,
        **options,
    )
    print_notes(summary.notes)
    say(summary.describe())
    return EXIT_OK if summary.ok else EXIT_DATA_PROBLEMS


def _run_validate(args: argparse.Namespace) -> int:
    from alliance_metrics.pipeline.run import validate_csv

    progress, bar = _progress_callback(not args.no_progress)
    try:
        summary = validate_csv(
            input_of(args.input),
            instruments_of(args.instrument),
            progress=progress,
            **_file_options(args),
        )
    finally:
        if bar is not None:
            bar.close()
    print_notes(summary.notes)
    list_problems(summary.report, summary.errors_output)
    verdict = "valid" if summary.ok else "invalid"
    say(f"{verdict}: {summary.describe()}")
    return EXIT_OK if summary.ok else EXIT_DATA_PROBLEMS


def _run_reliability(args: argparse.Namespace) -> int:
    from alliance_metrics.batch import validate_frame
    from alliance_metrics.columns import ColumnSpec
    from alliance_metrics.pipeline.load import load_export
    from alliance_metrics.psychometrics import item_statistics, reliability_report
    from alliance_metrics.report import reliability_table_text, write_table

    instrument = one_instrument(args.instrument, "reliability")
    data = load_export(
        input_of(args.input),
        instrument,
        source_format=args.source,
        encoding=args.encoding,
        delimiter=args.delimiter,
        func="reliability",
    )
    columns = args.columns if args.columns is not None else cast(ColumnSpec, data.item_columns)
    options = {
        "columns": columns,
        "on_invalid": args.on_invalid,
        "missing_values": _missing_values(args.missing_values),
    }
    if args.items:
        table = item_statistics(data.frame, instrument, **options)
    else:
        table = reliability_report(data.frame, instrument, **options)
    print_notes(data.notes)
    if args.output is None:
        print(reliability_table_text(table))
    else:
        inputs = () if args.input == "-" else (Path(args.input),)
        shown = write_table(table, args.output, inputs=inputs, func="reliability")
        say(f"{len(table)} rows written to {shown}")
    if args.on_invalid == "raise":
        return EXIT_OK  # a rejected cell would have stopped the analysis
    checked = validate_frame(
        data.frame,
        instrument,
        columns=columns,
        missing_values=options["missing_values"],
    )
    return counted_as_unanswered(checked, "reliability")


def _run_series(args: argparse.Namespace) -> int:
    from alliance_metrics.cli.series_command import run_series

    return run_series(args)


def _run_instruments(args: argparse.Namespace) -> int:
    from alliance_metrics.instruments.registry import get_instrument, list_instruments, lookup

    if args.id is not None:
        instrument = lookup(args.id, "instruments", "id")
        print(instrument.model_dump_json(indent=2) if args.json else describe(instrument))
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


def describe(instrument: Instrument) -> str:
    """Describe an instrument as ``alliance-metrics instruments ID`` prints it."""
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


def _run_report(args: argparse.Namespace) -> int:
    return run_report(args, one_instrument(args.instrument, "report"), input_of(args.input))


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "score": _run_score,
    "validate": _run_validate,
    "instruments": _run_instruments,
    "schema": _run_schema,
    "reliability": _run_reliability,
    "series": _run_series,
    "report": _run_report,
}
"""Command name → the function that runs it and returns the exit code."""
