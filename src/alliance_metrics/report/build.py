"""``build_report``: read, score and analyse an export, and return one self-contained HTML page.

The boundary of the report: every argument is checked here, once, naming ``build_report``;
the sections (:mod:`.sections`, :mod:`.series`) receive checked values and analysis tables.
"""

from __future__ import annotations

import inspect
import os
import sys
from collections.abc import Collection, Hashable
from pathlib import Path
from typing import IO, Any, cast

import numpy as np
import pandas as pd

from alliance_metrics._params import (
    bad_parameter,
    check_bool,
    check_int,
    check_number,
    resolve_instrument_arg,
    shown_argument,
)
from alliance_metrics.batch import score_with_report
from alliance_metrics.columns import ColumnSpec
from alliance_metrics.errors import InvalidParameterError, IssueCode
from alliance_metrics.frames.kinds import table_kind
from alliance_metrics.frames.native import NativeTable
from alliance_metrics.io.exports import ExportData
from alliance_metrics.io.sink import OutputTarget, resolve_output, write_bytes
from alliance_metrics.io.targets import protected_inputs
from alliance_metrics.pipeline.load import load_export
from alliance_metrics.report.figures import FigureMaker
from alliance_metrics.report.html import page
from alliance_metrics.report.options import ReportOptions
from alliance_metrics.report.sections import (
    items_section,
    reliability_section,
    run_section,
    scales_section,
)
from alliance_metrics.report.series import series_section
from alliance_metrics.results import ScoreColumns, ValidationReport
from alliance_metrics.schemas import Instrument
from alliance_metrics.scoring.request import ScoreRequest

__all__ = ["build_report", "build_report_and_check"]

_FUNC = "build_report"


def _scale_id(instrument: Instrument, scale: object) -> str:
    if scale is None:
        totals = [s.id for s in instrument.scales if s.kind == "total"]
        return totals[0] if totals else instrument.scales[0].id
    ids = [s.id for s in instrument.scales]
    if scale not in ids:
        shown = "{" + ", ".join(map(repr, sorted(ids))) + "}"
        raise bad_parameter(
            "scale", _FUNC, f"be one of {shown} (the scales of {instrument.id!r})", scale
        )
    return str(scale)


def _resolve(instrument: object, options: dict[str, Any]) -> ReportOptions:
    inst = resolve_instrument_arg(instrument, _FUNC)
    client, session = options["client"], options["session"]
    if (client is None) != (session is None):
        given = "client" if session is None else "session"
        missing = "session" if session is None else "client"
        raise InvalidParameterError(
            f"The {missing!r} parameter of {_FUNC} is needed with the {given!r} parameter: the "
            "session series needs both the client and the session column.",
            parameter=missing,
            function=_FUNC,
        )
    cutoff = options["cutoff"]
    if cutoff is not None:
        cutoff = check_number(cutoff, "cutoff", _FUNC)
    return ReportOptions(
        instrument=inst,
        scale=_scale_id(inst, options["scale"]),
        client=client,
        session=session,
        ids=check_bool(options["ids"], "ids", _FUNC),
        cutoff=cutoff,
        drop_points=check_number(
            options["drop_points"], "drop_points", _FUNC, minimum=0.0, strict_minimum=True
        ),
        max_trajectories=check_int(
            options["max_trajectories"], "max_trajectories", _FUNC, minimum=0
        ),
        max_clients=check_int(options["max_clients"], "max_clients", _FUNC, minimum=0),
        seed=check_int(options["seed"], "seed", _FUNC, minimum=0),
    )


_SOURCES = "be a path, a binary stream, or a pandas or polars DataFrame or a pyarrow Table"


def _read(source: object, inst: Instrument, options: dict[str, Any]) -> tuple[ExportData, str]:
    """Read the data, and say how the report names them (the file's name, never its folder)."""
    kind = table_kind(source)
    if kind == "dask":
        raise bad_parameter(
            "source", _FUNC, f"{_SOURCES} (call .compute() on a Dask DataFrame first)", source
        )
    native = NativeTable.of(source)
    if native is not None:  # the report reads every column: the whole table crosses
        frame = native.to_pandas(native.columns)
        return ExportData(frame, None, (), {}), shown_argument(source)  # "a polars DataFrame"
    if isinstance(source, pd.DataFrame):
        return ExportData(source, None, (), {}), "a pandas DataFrame"
    if isinstance(source, str | os.PathLike):
        shown = Path(source).name if os.fspath(source) != "-" else "standard input"
    elif hasattr(source, "read"):
        shown = "standard input" if source is getattr(sys.stdin, "buffer", None) else "a stream"
    else:
        raise bad_parameter("source", _FUNC, _SOURCES, source)
    data = load_export(
        source,  # type: ignore[arg-type]
        inst,
        source_format=options["source_format"],
        encoding=options["encoding"],
        delimiter=options["delimiter"],
        func=_FUNC,
    )
    return data, shown


def _pseudonyms(frame: pd.DataFrame, client: Hashable) -> pd.DataFrame:
    """Replace the client keys by sequence numbers 1, 2, … in order of first appearance."""
    codes, _ = pd.factorize(frame[client], sort=False)
    numbers = pd.array(codes + 1, dtype="Int64")
    numbers[codes < 0] = pd.NA
    renamed = frame.copy(deep=False)
    renamed[client] = numbers
    return renamed


def _reader_invalid(data: ExportData) -> np.ndarray[Any, np.dtype[np.bool_]]:
    flagged = np.zeros(len(data.frame), dtype=bool)
    issues = data.issues
    rows = issues.loc[issues["code"] == str(IssueCode.NOT_A_CHOICE), "row"]
    flagged[rows.to_numpy(dtype=np.int64)] = True
    return flagged


def _target(output: object, source: object) -> OutputTarget | None:
    if output is None:
        return None
    if not isinstance(output, str | os.PathLike):
        raise bad_parameter("output", _FUNC, "be a path, '-' for standard output, or None", output)
    inputs = protected_inputs(source)
    return resolve_output(output, inputs=inputs, what="report", parameter="output", func=_FUNC)


def build_report(
    source: str | os.PathLike[str] | IO[bytes] | pd.DataFrame | Any,
    instrument: str | Instrument,
    *,
    client: Hashable | None = None,
    session: Hashable | None = None,
    output: str | os.PathLike[str] | None = None,
    ids: bool = True,
    scale: str | None = None,
    columns: ColumnSpec = None,
    on_invalid: str = "missing",
    missing_values: Collection[str] = (),
    source_format: str = "auto",
    encoding: str = "utf-8",
    delimiter: str | None = None,
    cutoff: float | None = None,
    drop_points: float = 1.0,
    max_trajectories: int = 12,
    max_clients: int = 50,
    seed: int = 0,
) -> str:
    r"""Build the HTML report of a batch: the run, scale and item distributions, reliability.

    With ``client`` and ``session`` it adds the session series of ``scale``: session alerts,
    ruptures per client, the trajectories of all clients (a seeded sample of
    ``max_clients``) and of the flagged clients (at most ``max_trajectories``, most severe
    first: unrepaired ruptures, then ruptures, then alerts). The page is one file with inline
    SVG and CSS, no script and no URL, so it opens offline and is safe to send; it shows no
    identifier but the client keys asked for (``ids=False``: sequence numbers instead).

    Parameters
    ----------
    source
        A CSV file or export (REDCap, Qualtrics, SPSS; see ``score_csv``), a binary stream,
        or a pandas or polars DataFrame or a pyarrow Table (converted to pandas).
    instrument
        Instrument id or :class:`~alliance_metrics.Instrument`.
    client, session
        Columns of the client key and session number (both or neither).
    output
        Also write the page there (a file is replaced atomically; a device or FIFO is written
        through; ``"-"`` is standard output; never the input).
    ids
        Show the client keys; ``False`` replaces them by 1, 2, … in order of first appearance.
    scale
        The scale of the session series (default: the instrument's total).
    columns, on_invalid, missing_values
        As for :func:`~alliance_metrics.score_csv` (invalid cells count as unanswered by
        default, and the run says how many there were).
    source_format, encoding, delimiter
        How to read ``source``, as for :func:`~alliance_metrics.score_csv`.
    cutoff
        Alert below this score (on the scale's metric); ``None``: the instrument's published
        cut-off of the scale, if it has one (SRS 36, ORS 25), else no cut-off alerts.
    drop_points
        Alert when the score drops this much from the previous session (> 0).
    max_trajectories, max_clients
        Most flagged clients drawn one by one, and most clients in the spaghetti plot (≥ 0).
    seed
        Seed of the sample of the spaghetti plot.

    Returns
    -------
    str
        The HTML page.

    Examples
    --------
    >>> import alliance_metrics as am
    >>> page = am.build_report("examples/data/wai_sr_example.csv", "wai-sr",
    ...                        client="client_id", session="session", ids=False)
    >>> page.startswith("<!DOCTYPE html>"), "<script" in page, "C0001" in page
    (True, False, False)
    """
    return _build(dict(locals()))[0]


def build_report_and_check(
    source: object, instrument: object, **options: Any
) -> tuple[str, ValidationReport]:
    """Do :func:`build_report` (same arguments); also return the check of the item cells.

    The command line needs both: the page, and whether any cell was rejected (its exit status).
    """
    bound = inspect.signature(build_report).bind(source, instrument, **options)
    bound.apply_defaults()
    return _build(bound.arguments)


def _build(options: dict[str, Any]) -> tuple[str, ValidationReport]:
    source, instrument = options["source"], options["instrument"]
    columns, output = options["columns"], options["output"]
    checked = _resolve(instrument, options)
    target = _target(output, source)
    request = ScoreRequest.resolve(
        _FUNC,
        checked.instrument,
        on_invalid=options["on_invalid"],
        missing_values=options["missing_values"],
    )
    data, shown = _read(source, checked.instrument, options)
    frame = data.frame
    if checked.client is not None and checked.session is not None:
        for name, parameter in ((checked.client, "client"), (checked.session, "session")):
            if name not in frame.columns:
                raise bad_parameter(parameter, _FUNC, "name a column of the data", name)
        if not checked.ids:
            frame = _pseudonyms(frame, checked.client)
    mapping = columns if columns is not None else cast(ColumnSpec, data.item_columns)
    scored, validation = score_with_report(
        frame, request, mapping, extra_invalid=_reader_invalid(data)
    )
    maker = FigureMaker()
    parts = [
        run_section(checked.instrument, request, shown, data, scored, validation),
        scales_section(checked.instrument, scored, maker),
        reliability_section(checked.instrument, frame, mapping, request, maker),
        items_section(checked.instrument, frame, mapping, request, maker),
    ]
    if checked.client is not None:
        names = ScoreColumns.for_instrument(checked.instrument, None)
        score = names.scores[[s.id for s in checked.instrument.scales].index(checked.scale)]
        parts.append(series_section(checked, scored, score, maker))
    title = f"Alliance report: {checked.instrument.short_name}"
    intro = (
        f"{shown}, scored with {checked.instrument.name}. Every figure is drawn from the tables "
        "beside it; nothing on this page is fetched from elsewhere."
    )
    text = page(title, intro, parts)
    if target is not None:
        write_bytes(target, text.encode("utf-8"))
    return text, validation
