"""``score_frame`` and ``validate_frame`` on Dask DataFrames: the pandas path per partition.

* :func:`score_frame` returns a lazy Dask DataFrame: ``map_partitions`` of the pandas scoring with
  an explicit ``meta`` (the pandas path run on the empty frame) and the resolved
  :class:`~alliance_metrics.scoring.request.ScoreRequest` shipped to the workers (it carries the
  instrument itself, so user-defined instruments need no registration there).
  With ``on_invalid="raise"`` every partition is checked first (its own pass over the data) and
  scoring waits for the check: computing raises
  :class:`~alliance_metrics.ResponseValidationError` with the failures of the whole data.
* :func:`validate_frame` checks every partition and joins their reports in partition order, each
  moved down by the rows of the partitions before it, so failure rows are positions in the whole
  data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from alliance_metrics._params import check_int, check_texts, resolve_instruments_arg
from alliance_metrics.batch import score_frame_with_report, score_with_report
from alliance_metrics.batch import validate_frame as validate_pandas
from alliance_metrics.columns import ColumnSpec
from alliance_metrics.dask._modules import dask_delayed
from alliance_metrics.errors import ResponseValidationError
from alliance_metrics.pipeline.report import REPORT_LIMIT
from alliance_metrics.results import ValidationReport
from alliance_metrics.schemas import Instrument
from alliance_metrics.scoring.request import ScoreRequest
from alliance_metrics.validation.report import shift_rows

__all__ = ["join_reports", "score_frame", "validate_frame"]

_FAN_IN = 32


def join_reports(
    reports: Sequence[ValidationReport], row_offset: int = 0, limit: int = REPORT_LIMIT
) -> ValidationReport:
    """Join the reports of consecutive parts into the report of the whole data.

    Rows of each part are moved down by the rows of the parts before it (and ``row_offset``);
    at most ``limit`` failure cases are kept, every count stays exact.

    Examples
    --------
    >>> import pandas as pd, alliance_metrics as am
    >>> parts = [am.validate_frame(pd.DataFrame({"wai_1": [4, 9], "wai_2": [4, 4],
    ...                                          "wai_3": [5, 5]}), "wai-b3")] * 2
    >>> joined = join_reports(parts)
    >>> joined.n_rows, joined.failure_cases["row"].tolist()
    (4, [1, 3])
    """
    offset, kept, n_kept, n_cells, n_rows_affected = row_offset, [], 0, 0, 0
    for report in reports:
        if not report.ok:
            room = limit - n_kept
            if room > 0:
                cases = shift_rows(report.failure_cases.iloc[:room], offset)
                kept.append(cases)
                n_kept += len(cases)
            n_cells += report.n_invalid_cells
            n_rows_affected += report.n_rows_affected
        offset += report.n_rows
    n_rows = offset - row_offset
    if not n_cells:
        return ValidationReport(n_rows=n_rows)
    return ValidationReport(
        n_rows,
        pd.concat(kept, ignore_index=True),
        n_invalid_cells=n_cells,
        n_rows_affected=n_rows_affected,
    )


def _validate_part(
    part: pd.DataFrame,
    instruments: Sequence[Instrument],
    columns: ColumnSpec,
    missing_values: tuple[str, ...],
) -> ValidationReport:
    """One partition's report (rows from 0)."""
    return validate_pandas(part, list(instruments), columns=columns, missing_values=missing_values)


def _join_parts(reports: list[ValidationReport]) -> ValidationReport:
    return join_reports(reports)


def _joined(
    ddf: Any,
    instruments: Sequence[Instrument],
    columns: ColumnSpec,
    missing_values: tuple[str, ...],
    row_offset: int,
) -> Any:
    """Build the delayed :class:`ValidationReport` of the whole data (partitions in order)."""
    dask = dask_delayed()
    level = [
        dask.delayed(_validate_part)(part, instruments, columns, missing_values)
        for part in ddf.to_delayed()
    ]
    while len(level) > _FAN_IN:  # a tree of joins; order kept
        level = [
            dask.delayed(_join_parts)(level[i : i + _FAN_IN]) for i in range(0, len(level), _FAN_IN)
        ]
    return dask.delayed(join_reports)(level, row_offset)


def _check(report: ValidationReport) -> None:
    """Raise the whole data's failures (runs as the last task of the check)."""
    if not report.ok:
        raise ResponseValidationError(report.summary(), report)


def _score_part(
    part: pd.DataFrame,
    requests: tuple[ScoreRequest, ...],
    columns: ColumnSpec,
    options: dict[str, Any],
    checked: None = None,
) -> pd.DataFrame:
    """One partition scored (``checked`` ties it to the whole-data check).

    One instrument: the resolved request itself; several (a combined export): the instruments
    resolved and the caller's options, as ``score_frame`` takes them.
    """
    if len(requests) == 1:
        return score_with_report(part, requests[0], columns)[0]
    instruments = [request.instrument for request in requests]
    return score_frame_with_report(part, instruments, columns=columns, **options)[0]


def score_frame(
    ddf: Any,
    instrument: object,
    *,
    columns: ColumnSpec = None,
    aggregate: object = None,
    min_answered: object = None,
    on_invalid: object = "raise",
    prefix: object = None,
    row_offset: object = 0,
    missing_values: object = (),
) -> Any:
    """Score a Dask DataFrame lazily (what ``am.score_frame`` does when given one).

    Examples
    --------
    >>> import dask.dataframe as dd, pandas as pd, alliance_metrics as am
    >>> df = pd.DataFrame({"wai_1": [4, 5, 9], "wai_2": [4, 4, 4], "wai_3": [5, 5, 5]})
    >>> scored = am.score_frame(dd.from_pandas(df, npartitions=2), "wai-b3", on_invalid="missing")
    >>> scored["wai_b3_status"].compute(scheduler="sync").tolist()
    ['ok', 'ok', 'invalid']
    """
    func = "score_frame"
    options: dict[str, Any] = {
        "aggregate": aggregate,
        "min_answered": min_answered,
        "on_invalid": on_invalid,
        "prefix": prefix,
        "missing_values": missing_values,
    }
    requests = ScoreRequest.resolve_many(func, instrument, **options)
    offset = check_int(row_offset, "row_offset", func, minimum=0)
    instruments = [request.instrument for request in requests]
    meta = score_frame_with_report(ddf._meta, instruments, columns=columns, **options)[0]
    meta.attrs = {}  # the checks of score_frame, on no rows, and the columns that come
    if requests[0].on_invalid == "missing":
        return ddf.map_partitions(_score_part, requests, columns, options, meta=meta)
    markers = requests[0].missing_values
    report = _joined(ddf, instruments, columns, markers, offset)
    checked = dask_delayed().delayed(_check)(report)
    return ddf.map_partitions(_score_part, requests, columns, options, checked, meta=meta)


def validate_frame(
    ddf: Any,
    instrument: object,
    *,
    columns: ColumnSpec = None,
    row_offset: object = 0,
    missing_values: object = (),
) -> ValidationReport:
    """Check every cell of a Dask DataFrame (what ``am.validate_frame`` does when given one).

    Computes at once and returns one report for the whole data; failure rows are positions in
    it (partition by partition, in order).

    Examples
    --------
    >>> import dask.dataframe as dd, pandas as pd, alliance_metrics as am
    >>> df = pd.DataFrame({"wai_1": [4, 5, 9], "wai_2": [4, 4, 4], "wai_3": [5, 5, 5]})
    >>> report = am.validate_frame(dd.from_pandas(df, npartitions=3), "wai-b3")
    >>> report.n_rows, report.failure_cases["row"].tolist()
    (3, [2])
    """
    func = "validate_frame"
    instruments = resolve_instruments_arg(instrument, func)
    offset = check_int(row_offset, "row_offset", func, minimum=0)
    markers = check_texts(missing_values, "missing_values", func)
    validate_pandas(ddf._meta, instruments, columns=columns, missing_values=markers)  # checks
    report: ValidationReport = _joined(ddf, instruments, columns, markers, offset).compute()
    return report
