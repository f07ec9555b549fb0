"""Score and validate pandas DataFrames with the shared kernel.

Data flow: resolve item columns → coerce and validate every cell (vectorised) → score with the
compiled plan → append score, answered-count and status columns to a copy of the input.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliance_metrics._params import Aggregate, check_frame, check_int, resolve_instrument_arg
from alliance_metrics.columns import ColumnSpec, check_output_names, resolve_columns
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

__all__ = ["frame_report", "score_frame", "score_frame_with_report", "validate_frame"]

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
    instrument: str | Instrument,
    *,
    columns: ColumnSpec = None,
    row_offset: int = 0,
) -> ValidationReport:
    """Check every response cell of ``df`` without scoring.

    Parameters
    ----------
    df
        One row per administration, item columns found as described for ``columns``: a pandas
        or polars DataFrame, a pyarrow Table, or a Dask DataFrame (checked on its cluster).
    instrument
        Instrument id or :class:`Instrument`.
    columns
        Mapping of item (id or number) to column, a template such as ``"wai_{n}"``, or ``None``
        to auto-detect the usual spellings.
    row_offset
        Position of ``df``'s first row in the whole input: reported rows are
        ``row_offset + position`` (for data scored in chunks or partitions).

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
    if table_kind(df) == "dask":
        return dask_engine().validate_frame(df, instrument, columns=columns, row_offset=row_offset)  # type: ignore[no-any-return]
    native = NativeTable.of(df)
    if native is not None:
        request = ScoreRequest.resolve(func, instrument)
        offset = check_int(row_offset, "row_offset", func, minimum=0)
        return validate_table(native, request, columns, offset)
    frame = check_frame(df, func)
    inst = resolve_instrument_arg(instrument, func)
    offset = check_int(row_offset, "row_offset", func, minimum=0)
    rules = CellRules.build(inst.response_scale)
    items, _, codes = _items(frame, inst, columns, rules, func)
    return frame_report(items, codes, inst, offset)


def score_frame(
    df: Table,
    instrument: str | Instrument,
    *,
    columns: ColumnSpec = None,
    aggregate: Aggregate | None = None,
    min_answered: int | float | None = None,
    on_invalid: str = "raise",
    prefix: str | None = None,
    row_offset: int = 0,
) -> Table:
    """Score every row of a DataFrame.

    Parameters
    ----------
    df
        One row per administration. It is never modified. A pandas or polars DataFrame or a
        pyarrow Table gives the same kind back; a Dask DataFrame gives a lazy Dask DataFrame
        (scored partition by partition on its cluster; see ``docs/scaling.md``).
    instrument
        Instrument id or :class:`Instrument`.
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
    options = {"aggregate": aggregate, "min_answered": min_answered, "prefix": prefix}
    if table_kind(df) == "dask":
        return dask_engine().score_frame(  # type: ignore[no-any-return]
            df, instrument, columns=columns, on_invalid=on_invalid, row_offset=row_offset, **options
        )
    request = ScoreRequest.resolve("score_frame", instrument, on_invalid=on_invalid, **options)
    offset = check_int(row_offset, "row_offset", "score_frame", minimum=0)
    native = NativeTable.of(df)
    if native is not None:
        return score_table(native, request, columns, offset)[0]  # type: ignore[return-value]
    return score_with_report(check_frame(df, "score_frame"), request, columns, offset)[0]  # type: ignore[return-value]


def score_frame_with_report(
    df: pd.DataFrame,
    instrument: str | Instrument,
    *,
    columns: ColumnSpec = None,
    aggregate: Aggregate | None = None,
    min_answered: int | float | None = None,
    on_invalid: str = "raise",
    prefix: str | None = None,
    row_offset: int = 0,
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
    request = ScoreRequest.resolve(
        "score_frame",
        instrument,
        aggregate=aggregate,
        min_answered=min_answered,
        on_invalid=on_invalid,
        prefix=prefix,
    )
    offset = check_int(row_offset, "row_offset", "score_frame", minimum=0)
    return score_with_report(check_frame(df, "score_frame"), request, columns, offset)


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
    warn_if_provisional(inst, stacklevel=4)
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
