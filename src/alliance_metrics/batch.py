"""Score and validate pandas DataFrames with the shared kernel.

Data flow: resolve item columns → coerce and validate every cell (vectorised) → score with the
compiled plan → append score, answered-count and status columns to a copy of the input.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliance_metrics._params import Aggregate, check_aggregate, check_choice, check_min_answered
from alliance_metrics.columns import ColumnSpec, output_names, resolve_columns
from alliance_metrics.errors import InvalidParameterError, ResponseValidationError
from alliance_metrics.instruments.registry import resolve_instrument
from alliance_metrics.results import FAILURE_COLUMNS, ValidationReport
from alliance_metrics.schemas import Instrument
from alliance_metrics.scoring import (
    ROW_STATUSES,
    compile_instrument,
    library_version,
    required_answers,
    row_status_codes,
    score_blocks,
    warn_if_provisional,
)
from alliance_metrics.validation import CODE_NAMES, coerce_matrix, issue_messages

__all__ = ["failure_table", "score_frame", "score_frame_with_report", "validate_frame"]

_STATUS_DTYPE = pd.CategoricalDtype(list(ROW_STATUSES))


def _check_frame(df: object, func: str) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise InvalidParameterError(
            f"The 'df' parameter of {func} must be a pandas DataFrame. "
            f"Got {type(df).__name__} instead."
        )
    return df


def failure_table(
    items: pd.DataFrame,
    codes: npt.NDArray[np.int8],
    instrument: Instrument,
    *,
    row_offset: int = 0,
) -> pd.DataFrame:
    """Build ``ValidationReport.failure_cases`` from a matrix of issue codes.

    ``items`` holds the item columns as given (raw values), in item order; rows are reported by
    position plus ``row_offset`` (the position of the chunk's first row in the whole input).
    """
    positions, cols = np.nonzero(codes)
    rows = positions + row_offset
    labels = [a.label for a in instrument.response_scale.anchors]
    label_names = ", ".join(repr(label) for label in labels)
    column_names = pd.Series(np.asarray(items.columns, dtype=object)[cols])
    raw = items.to_numpy(dtype=object)[positions, cols] if len(rows) else np.empty(0, dtype=object)
    raw_values = pd.Series(raw, dtype=object)
    cell_codes = codes[positions, cols]
    code_names = np.array([str(c) for c in CODE_NAMES.values()], dtype=object)
    return pd.DataFrame(
        {
            "row": rows.astype(np.int64),
            "column": column_names.to_numpy(),
            "value": raw_values.to_numpy(),
            "code": code_names[cell_codes - 1] if len(rows) else np.empty(0, dtype=object),
            "message": issue_messages(
                rows.astype(np.int64),
                column_names,
                raw_values,
                cell_codes,
                instrument.response_scale,
                label_names,
            ).to_numpy(dtype=object),
        },
        columns=list(FAILURE_COLUMNS),
    )


def _prepare(
    df: pd.DataFrame, instrument: Instrument, columns: ColumnSpec
) -> tuple[list[Hashable], pd.DataFrame, npt.NDArray[np.float64], npt.NDArray[np.int8]]:
    item_columns = resolve_columns(list(df.columns), instrument, columns)
    items = df.loc[:, item_columns]
    plan = compile_instrument(instrument)
    values, codes = coerce_matrix(items, instrument.response_scale, plan.labels)
    return item_columns, items, values, codes


def validate_frame(
    df: pd.DataFrame, instrument: str | Instrument, *, columns: ColumnSpec = None
) -> ValidationReport:
    """Check every response cell of ``df`` without scoring.

    Parameters
    ----------
    df
        One row per administration, item columns found as described for ``columns``.
    instrument
        Instrument id or :class:`Instrument`.
    columns
        Mapping of item (id or number) to column, a template such as ``"wai_{n}"``, or ``None``
        to auto-detect the usual spellings.

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
    frame = _check_frame(df, "validate_frame")
    inst = resolve_instrument(instrument)
    _, items, _, codes = _prepare(frame, inst, columns)
    return ValidationReport(n_rows=len(frame), failure_cases=failure_table(items, codes, inst))


def score_frame(
    df: pd.DataFrame,
    instrument: str | Instrument,
    *,
    columns: ColumnSpec = None,
    aggregate: Aggregate | None = None,
    min_answered: int | float | None = None,
    on_invalid: str = "raise",
    prefix: str | None = None,
) -> pd.DataFrame:
    """Score every row of a DataFrame.

    Parameters
    ----------
    df
        One row per administration. It is never modified.
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

    Returns
    -------
    pandas.DataFrame
        Every input row, in order, with its index and columns, plus ``{prefix}{scale}``,
        ``{prefix}{scale}_answered`` for each scale and ``{prefix}status`` (categorical:
        ``ok``, ``prorated``, ``insufficient``, ``invalid``). ``attrs["alliance_metrics"]``
        records the instrument id and version, the aggregation, the missing-data rule and the
        library version that produced the scores.

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
    scored, _ = score_frame_with_report(
        df,
        instrument,
        columns=columns,
        aggregate=aggregate,
        min_answered=min_answered,
        on_invalid=on_invalid,
        prefix=prefix,
    )
    return scored


def score_frame_with_report(
    df: pd.DataFrame,
    instrument: str | Instrument,
    *,
    columns: ColumnSpec = None,
    aggregate: Aggregate | None = None,
    min_answered: int | float | None = None,
    on_invalid: str = "raise",
    prefix: str | None = None,
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
    frame = _check_frame(df, "score_frame")
    inst = resolve_instrument(instrument)
    agg = check_aggregate(aggregate, "score_frame", inst.default_aggregate)
    rule = check_min_answered(min_answered, "score_frame")
    check_choice("on_invalid", "score_frame", on_invalid, ("raise", "missing"))
    plan = compile_instrument(inst)
    required = required_answers(plan, inst.missing_policy.min_answered if rule is None else rule)
    score_names, answered_names, status_name = output_names(list(frame.columns), inst, prefix)
    _, items, values, codes = _prepare(frame, inst, columns)
    invalid_rows: npt.NDArray[np.bool_] = np.asarray(codes.any(axis=1), dtype=bool)
    report = (
        ValidationReport(n_rows=len(frame), failure_cases=failure_table(items, codes, inst))
        if invalid_rows.any()
        else ValidationReport(n_rows=len(frame))
    )
    if on_invalid == "raise" and not report.ok:
        raise ResponseValidationError(report.summary(), report)
    warn_if_provisional(inst)
    scores, answered, status = score_blocks(plan, values, agg, required)
    row_status = row_status_codes(status, invalid_rows)
    order = [name for pair in zip(score_names, answered_names, strict=True) for name in pair]
    added = pd.concat(
        [
            pd.DataFrame(scores.T, index=frame.index, columns=score_names, copy=False),
            pd.DataFrame(answered.T, index=frame.index, columns=answered_names, copy=False),
        ],
        axis=1,
    )[order]
    added[status_name] = pd.Categorical.from_codes(row_status, dtype=_STATUS_DTYPE)
    scored = pd.concat([frame, added], axis=1)
    scored.attrs = {
        **frame.attrs,
        "alliance_metrics": {
            "instrument_id": inst.id,
            "instrument_version": inst.version,
            "aggregate": agg,
            "min_answered": inst.missing_policy.min_answered if rule is None else rule,
            "library_version": library_version(),
        },
    }
    return scored, report
