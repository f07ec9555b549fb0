"""Score and validate pandas DataFrames with the shared kernel.

Data flow: resolve item columns → coerce and validate every cell (vectorised) → score with the
compiled plan → append score, answered-count and status columns to a copy of the input.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliance_metrics._params import (
    Aggregate,
    check_frame,
    check_int,
    check_texts,
    resolve_instruments_arg,
)
from alliance_metrics.columns import (
    ColumnSpec,
    check_one_spec,
    check_output_names,
    resolve_columns,
)
from alliance_metrics.errors import ResponseValidationError
from alliance_metrics.frames.kinds import AnyTable, Table, dask_engine, table_kind
from alliance_metrics.frames.native import NativeTable
from alliance_metrics.frames.score import score_table, validate_table
from alliance_metrics.results import ROW_STATUSES, ValidationReport
from alliance_metrics.schemas import Instrument
from alliance_metrics.scoring.kernel import row_status_codes, score_blocks, warn_if_provisional
from alliance_metrics.scoring.request import ScoreRequest
from alliance_metrics.validation.frame import coerce_matrix
from alliance_metrics.validation.report import failure_table
from alliance_metrics.validation.rules import CellRules

__all__ = [
    "combined_report",
    "frame_report",
    "score_frame",
    "score_frame_with_report",
    "validate_frame",
]

_STATUS_DTYPE = pd.CategoricalDtype(list(ROW_STATUSES))


def frame_report(
    items: pd.DataFrame, codes: npt.NDArray[np.int8], instrument: Instrument, row_offset: int = 0
) -> ValidationReport:
    """Report a frame's item cells: every non-zero code, with the cell as given."""
    if not codes.any():
        return ValidationReport(n_rows=len(items))
    cases = failure_table(
        codes,
        list(items.columns),
        instrument.response_scale,
        lambda j, rows: items.iloc[rows, j].tolist(),
        row_offset=row_offset,
    )
    return ValidationReport(n_rows=len(items), failure_cases=cases)


def _items(
    frame: pd.DataFrame, instrument: Instrument, columns: ColumnSpec, rules: CellRules, func: str
) -> tuple[pd.DataFrame, npt.NDArray[np.float64], npt.NDArray[np.int8]]:
    item_columns = resolve_columns(list(frame.columns), instrument, columns, func)
    items = frame.loc[:, item_columns]
    values, codes = coerce_matrix(items, rules)
    return items, values, codes


def validate_frame(
    df: AnyTable,
    instrument: str | Instrument | Sequence[str | Instrument],
    *,
    columns: ColumnSpec = None,
    row_offset: int = 0,
    missing_values: Collection[str] = (),
) -> ValidationReport:
    """Check every response cell of ``df`` without scoring.

    Parameters
    ----------
    df
        One row per administration, item columns found as described for ``columns``: a pandas
        or polars DataFrame, a pyarrow Table, or a Dask DataFrame (checked on its cluster).
    instrument
        Instrument id or :class:`Instrument`, or a list of them for a file holding several
        instruments side by side (``["srs", "ors"]``): each finds its own columns by its
        prefix, and adds its own score and status columns.
    columns
        Mapping of item (id or number) to column, a template such as ``"wai_{n}"``, or ``None``
        to auto-detect the usual spellings.
    row_offset
        Position of ``df``'s first row in the whole input: reported rows are
        ``row_offset + position`` (for data scored in chunks or partitions).
    missing_values
        Extra texts meaning unanswered in item cells (e.g. ``["-99"]``; ``-99`` then also
        matches the number -99).

    Returns
    -------
    ValidationReport
        Every invalid cell with its row position, column, value, code and message.

    Examples
    --------
    >>> import pandas as pd, alliance_metrics as am
    >>> df = pd.DataFrame({"wai_1": [4, "often"], "wai_2": [3, 2], "wai_3": [5, 3.5]})
    >>> am.validate_frame(df, "wai-b3").failure_cases[["row", "column", "code"]]
       row column          code
    0    1  wai_1  not_a_number
    1    1  wai_3   not_on_step
    """
    func = "validate_frame"
    options = {"columns": columns, "row_offset": row_offset, "missing_values": missing_values}
    if table_kind(df) == "dask":
        return dask_engine().validate_frame(df, instrument, **options)  # type: ignore[no-any-return]
    native = NativeTable.of(df)
    frame = check_frame(df, func, other_tables=True) if native is None else None
    instruments = resolve_instruments_arg(instrument, func)
    offset = check_int(row_offset, "row_offset", func, minimum=0)
    check_one_spec(columns, len(instruments), func)
    markers = check_texts(missing_values, "missing_values", func)
    reports = []
    for inst in instruments:  # a loop over the instruments of a combined export
        rules = CellRules.build(inst.response_scale, missing_values=markers)
        if native is not None:
            reports.append(validate_table(native, inst, columns, rules, offset, func))
            continue
        items, _, codes = _items(frame, inst, columns, rules, func)  # type: ignore[arg-type]
        reports.append(frame_report(items, codes, inst, offset))
    return combined_report(reports)


def score_frame(
    df: Table,
    instrument: str | Instrument | Sequence[str | Instrument],
    *,
    columns: ColumnSpec = None,
    aggregate: Aggregate | None = None,
    min_answered: int | float | None = None,
    on_invalid: str = "raise",
    prefix: str | None = None,
    row_offset: int = 0,
    missing_values: Collection[str] = (),
) -> Table:
    """Score every row of a DataFrame.

    Parameters
    ----------
    df
        One row per administration. It is never modified. A pandas or polars DataFrame or a
        pyarrow Table gives the same kind back; a Dask DataFrame gives a lazy Dask DataFrame
        (scored partition by partition on its cluster; see ``docs/scaling.md``).
    instrument
        Instrument id or :class:`Instrument`, or a list of them for a file holding several
        instruments side by side (``["srs", "ors"]``): each finds its own columns by its
        prefix, and adds its own score and status columns.
    columns
        Mapping of item (id or number) to column, a template such as ``"wai_{n}"``, or ``None``
        to auto-detect ``wai_1``, ``wai1``, ``WAI_01``, ``q1``, bare numbers or item ids.
    aggregate
        ``"mean"`` or ``"sum"`` (prorated sum when items are missing); ``None`` takes the
        instrument's default.
    min_answered
        Answered items needed per scale: an int (count) or float in (0, 1] (proportion);
        ``None`` takes the instrument's missing policy (0.75 by default).
    on_invalid
        ``"raise"``: any invalid cell raises :class:`ResponseValidationError` with the full
        report. ``"missing"``: invalid cells count as unanswered and their rows get status
        ``invalid``.
    prefix
        Prefix of the added columns; ``None`` uses the instrument slug (``"wai_sr_"``), ``""``
        gives bare scale names.
    row_offset
        Position of ``df``'s first row in the whole input: rows in the validation report are
        ``row_offset + position`` (for data scored in chunks or partitions).
    missing_values
        Extra texts meaning unanswered in item cells (e.g. ``["-99", "refused"]``).

    Returns
    -------
    pandas.DataFrame
        Every input row, in order, with its index and columns, plus ``{prefix}{scale}``,
        ``{prefix}{scale}_answered`` for each scale and ``{prefix}status`` (categorical:
        ``ok``, ``prorated``, ``insufficient``, ``invalid``). ``attrs["alliance_metrics"]``
        records the instrument id and version, the aggregation, the missing-data rule and the
        library version that produced the scores. polars and pyarrow: the same columns (missing
        scores are null; the status is an ``Enum`` / a dictionary; an Arrow table keeps the
        provenance in its schema metadata).

    Examples
    --------
    >>> import pandas as pd, alliance_metrics as am
    >>> df = pd.DataFrame({"id": ["a", "b"], "wai_1": [4, 5], "wai_2": [3, None],
    ...                    "wai_3": [5, 5]})
    >>> am.score_frame(df, "wai-b3")[["id", "wai_b3_total", "wai_b3_status"]]
      id  wai_b3_total wai_b3_status
    0  a           4.0            ok
    1  b           NaN  insufficient
    """
    options = {
        "columns": columns,
        "aggregate": aggregate,
        "min_answered": min_answered,
        "on_invalid": on_invalid,
        "prefix": prefix,
        "row_offset": row_offset,
        "missing_values": missing_values,
    }
    if table_kind(df) == "dask":
        return dask_engine().score_frame(df, instrument, **options)  # type: ignore[no-any-return]
    return score_frame_with_report(df, instrument, **options)[0]  # type: ignore[arg-type, return-value]


def score_frame_with_report(
    df: pd.DataFrame | AnyTable,
    instrument: str | Instrument | Sequence[str | Instrument],
    *,
    columns: ColumnSpec = None,
    aggregate: Aggregate | None = None,
    min_answered: int | float | None = None,
    on_invalid: str = "raise",
    prefix: str | None = None,
    row_offset: int = 0,
    missing_values: Collection[str] = (),
) -> tuple[pd.DataFrame, ValidationReport]:
    """:func:`score_frame` that also returns the :class:`ValidationReport` of the same pass.

    With ``on_invalid="missing"`` this scores and validates with one coercion of the cells (what
    ``score_frame`` followed by ``validate_frame`` would do twice).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"wai_1": [4, 9], "wai_2": [4, 4], "wai_3": [5, 5]})
    >>> scored, report = score_frame_with_report(df, "wai-b3", on_invalid="missing")
    >>> scored["wai_b3_status"].tolist(), report.n_invalid_cells
    (['ok', 'invalid'], 1)
    """
    func = "score_frame"
    requests = ScoreRequest.resolve_many(
        func,
        instrument,
        aggregate=aggregate,
        min_answered=min_answered,
        on_invalid=on_invalid,
        prefix=prefix,
        missing_values=missing_values,
    )
    offset = check_int(row_offset, "row_offset", func, minimum=0)
    native = NativeTable.of(df)
    frame: Any = check_frame(df, func, other_tables=True) if native is None else native
    score_one = score_with_report if native is None else score_table
    if len(requests) == 1:
        return score_one(frame, requests[0], columns, offset)  # type: ignore[return-value]
    check_one_spec(columns, len(requests), func)
    scored, reports = frame, []
    for request in requests:  # a loop over the instruments of a combined export
        lenient = dataclasses.replace(request, on_invalid="missing")
        scored, report = score_one(scored, lenient, None, offset)
        scored = scored if native is None else NativeTable.of(scored)
        reports.append(report)
    report = combined_report(reports)
    if requests[0].on_invalid == "raise" and not report.ok:
        raise ResponseValidationError(report.summary(), report)
    if native is not None:
        return scored.table, report
    scored.attrs = {
        **frame.attrs,
        "alliance_metrics": {"instruments": [r.provenance() for r in requests]},
    }
    return scored, report


def combined_report(reports: list[ValidationReport]) -> ValidationReport:
    """One report for several instruments on the same rows: failures by row, then instrument."""
    failing = [r.failure_cases for r in reports if not r.ok]
    n_rows = reports[0].n_rows
    if not failing:
        return ValidationReport(n_rows=n_rows)
    if len(failing) == 1:
        return ValidationReport(n_rows=n_rows, failure_cases=failing[0])
    cases = pd.concat(failing, ignore_index=True).sort_values("row", kind="stable")
    return ValidationReport(n_rows=n_rows, failure_cases=cases.reset_index(drop=True))


def score_with_report(
    frame: pd.DataFrame,
    request: ScoreRequest,
    columns: ColumnSpec,
    row_offset: int = 0,
    extra_invalid: npt.NDArray[np.bool_] | None = None,
) -> tuple[pd.DataFrame, ValidationReport]:
    """Score a checked frame for a resolved request (the work behind :func:`score_frame`).

    ``extra_invalid`` marks rows that a reader found invalid (their status becomes ``invalid``
    like rows with a rejected cell): the status has one source, computed here.
    """
    inst, func = request.instrument, request.function
    names = check_output_names(list(frame.columns), inst, request.prefix, func)
    items, values, codes = _items(frame, inst, columns, request.rules(), func)
    report = frame_report(items, codes, inst, row_offset)
    if request.on_invalid == "raise" and not report.ok:
        raise ResponseValidationError(report.summary(), report)
    warn_if_provisional(inst)
    scores, answered, status = score_blocks(
        request.plan, values, request.aggregate, request.required
    )
    invalid_rows: npt.NDArray[np.bool_] = np.asarray(codes.any(axis=1), dtype=bool)
    if extra_invalid is not None:
        invalid_rows = invalid_rows | extra_invalid
    row_status = row_status_codes(status, invalid_rows)
    added = pd.concat(
        [
            pd.DataFrame(scores.T, index=frame.index, columns=list(names.scores), copy=False),
            pd.DataFrame(answered.T, index=frame.index, columns=list(names.answered), copy=False),
        ],
        axis=1,
    )[names.ordered()[:-1]]
    added[names.status] = pd.Categorical.from_codes(row_status, dtype=_STATUS_DTYPE)
    scored = pd.concat([frame, added], axis=1)
    scored.attrs = {**frame.attrs, "alliance_metrics": request.provenance()}
    return scored, report
