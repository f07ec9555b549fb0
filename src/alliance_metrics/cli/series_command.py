"""``alliance-metrics series``: one session-series analysis of a file, written as a table.

The file is scored first when it holds the instrument's items (or a score column is read with
``--score``); then the chosen analysis runs on the long table of administrations and its table
is written like every other output (atomic, never over the input; ``-o -`` for stdout).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from alliance_metrics.cli.common import (
    EXIT_OK,
    counted_as_unanswered,
    input_of,
    one_instrument,
    say,
)

if TYPE_CHECKING:
    import pandas as pd

    from alliance_metrics.results import ValidationReport
    from alliance_metrics.schemas import Instrument

__all__ = ["ANALYSES", "add_series_parser", "run_series"]

ANALYSES = ("sudden", "ruptures", "alerts", "trajectories", "decompose", "rci")


def _number_or_id(text: str) -> float | str:
    """Read a cut-off: a number, or the id of a cut-off of the instrument (``band_low``)."""
    try:
        return float(text)
    except ValueError:
        return text


def add_series_parser(commands: Any, add_reading_options: Callable[[Any], None]) -> None:
    """Add the ``series`` command and its options to the command parsers."""
    series = commands.add_parser(
        "series", help="session-by-session analysis: sudden changes, ruptures, alerts, ..."
    )
    add_reading_options(series)
    series.add_argument("--analysis", required=True, choices=ANALYSES, help="what to compute")
    series.add_argument("--client", default="client_id", help="client column (client_id)")
    series.add_argument("--session", default="session", help="session column (session)")
    group = series.add_mutually_exclusive_group()
    group.add_argument("--scale", default="total", help="scale to analyse (default: total)")
    group.add_argument("--score", metavar="COLUMN", help="read this score column; do not score")
    series.add_argument("--aggregate", choices=("mean", "sum"), help="scale score when scoring")
    series.add_argument(
        "--cutoff",
        type=_number_or_id,
        help="sudden: points; alerts: a score, or the id of one of the instrument's cut-offs",
    )
    series.add_argument(
        "--direction",
        choices=("decrease", "increase"),
        default="decrease",
        help="sudden: losses (decrease, default) or gains (increase)",
    )
    series.add_argument("--k", type=float, default=2.0, help="ruptures: SDs of a drop (2)")
    series.add_argument(
        "--sd-source",
        choices=("client", "client_loo", "sample", "stricter"),
        default="client",
        help="ruptures: whose SD sets the threshold",
    )
    series.add_argument("--reliability", type=float, help="rci: reliability (e.g. 0.85)")
    series.add_argument(
        "--sd", type=float, help="rci: SD of the pre scores to use (default: the sample's)"
    )
    series.add_argument("-o", "--output", metavar="PATH", help="CSV (or .json); - for stdout")


def _scored(
    args: argparse.Namespace, instrument: Instrument
) -> tuple[pd.DataFrame, str, ValidationReport | None]:
    """Read the long table; score it when it holds items.

    Return it, its score column and the check of its item cells (``None`` for ``--score``).
    """
    from alliance_metrics.batch import score_frame, validate_frame
    from alliance_metrics.columns import ColumnSpec
    from alliance_metrics.pipeline.load import load_export

    data = load_export(
        input_of(args.input),
        instrument,
        source_format=args.source,
        encoding=args.encoding,
        delimiter=args.delimiter,
        func="series",
    )
    missing_values = [v.strip() for v in args.missing_values.split(",") if v.strip()]
    if args.score is not None:
        return _declared_missing(data.frame, args.score, missing_values), args.score, None
    columns = args.columns if args.columns is not None else data.item_columns
    scored = score_frame(
        data.frame,
        instrument,
        columns=cast(ColumnSpec, columns),
        aggregate=args.aggregate,
        on_invalid="missing",
        missing_values=missing_values,
    )
    checked = validate_frame(
        data.frame, instrument, columns=cast(ColumnSpec, columns), missing_values=missing_values
    )
    name = f"{instrument.slug}_{args.scale}"
    if name not in scored.columns:
        from alliance_metrics.errors import InvalidParameterError

        scales = ", ".join(s.id for s in instrument.scales)
        raise InvalidParameterError(
            f"The 'scale' parameter of series must be one of the scales of {instrument.id!r} "
            f"({scales}). Got {args.scale!r} instead."
        )
    return scored, name, checked


def _declared_missing(frame: pd.DataFrame, score: str, codes: list[str]) -> pd.DataFrame:
    """Blank the ``--missing-values`` codes of a ``--score`` column (as text or as numbers)."""
    if not codes or score not in frame.columns:
        return frame
    import pandas as pd

    from alliance_metrics._text import parse_number
    from alliance_metrics.longitudinal._series import missing_texts

    cells = frame[score]
    declared = missing_texts(cells, {code.lower() for code in codes})
    numbers = [n for n in (parse_number(code) for code in codes) if n is not None]
    if numbers:
        as_numbers = pd.to_numeric(cells.astype("string").str.strip(), errors="coerce")
        declared = declared | as_numbers.isin(numbers).to_numpy(dtype=bool, na_value=False)
    blanked = frame.copy()
    blanked[score] = cells.mask(declared)
    return blanked


def _analyse(
    args: argparse.Namespace, instrument: Instrument, frame: pd.DataFrame, score: str
) -> pd.DataFrame:
    import alliance_metrics as am

    where = {"score": score, "client": args.client, "session": args.session}
    if args.analysis == "sudden":
        if args.cutoff is None:
            from alliance_metrics.errors import InvalidParameterError

            raise InvalidParameterError(
                "The 'cutoff' parameter of series is needed for --analysis sudden (points)."
            )
        return am.sudden_changes(frame, direction=args.direction, cutoff=args.cutoff, **where)
    if args.analysis == "ruptures":
        return am.detect_ruptures(frame, k=args.k, sd_source=args.sd_source, **where)
    if args.analysis == "alerts":
        return am.session_alerts(frame, instrument, cutoff=args.cutoff, **where)
    if args.analysis == "trajectories":
        return am.trajectory_features(frame, **where)
    if args.analysis == "decompose":
        return am.decompose(frame, **where)
    wide = am.first_last(frame, **where)
    return am.reliable_change(
        wide,
        pre="pre",
        post="post",
        reliability=args.reliability,
        sd=args.sd,
        instrument=instrument,
    )


def run_series(args: argparse.Namespace) -> int:
    """Run ``alliance-metrics series``."""
    from alliance_metrics.io.paths import stem
    from alliance_metrics.report import write_table

    instrument = one_instrument(args.instrument, "series")
    frame, score, checked = _scored(args, instrument)
    table = _analyse(args, instrument, frame, score)
    inputs = () if args.input == "-" else (Path(args.input),)
    output = args.output
    if output is None:
        if not inputs:
            output = "-"
        else:
            source = inputs[0]
            output = str(source.with_name(f"{stem(source)}.{args.analysis}.csv"))
    shown = write_table(table, output, inputs=inputs, func="series")
    say(f"{args.analysis}: {len(table)} rows written to {shown}")
    return EXIT_OK if checked is None else counted_as_unanswered(checked, "series")
