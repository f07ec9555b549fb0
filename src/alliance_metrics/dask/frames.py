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

from alliance_metrics._params import check_int
from alliance_metrics.batch import score_with_report
from alliance_metrics.batch import validate_frame as validate_pandas
from alliance_metrics.columns import ColumnSpec, resolve_columns
from alliance_metrics.dask._modules import dask_delayed
from alliance_metrics.errors import ResponseValidationError
from alliance_metrics.pipeline.report import REPORT_LIMIT
from alliance_metrics.results import ValidationReport
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
    part: pd.DataFrame, request: ScoreRequest, columns: ColumnSpec
) -> ValidationReport:
    """One partition's report (rows from 0)."""
    return validate_pandas(part, request.instrument, columns=columns)


def _join_parts(reports: list[ValidationReport]) -> ValidationReport:
    return join_reports(reports)


def _joined(ddf: Any, request: ScoreRequest, columns: ColumnSpec, row_offset: int) -> Any:
    """Build the delayed :class:`ValidationReport` of the whole data (partitions in order)."""
    dask = dask_delayed()
    level = [dask.delayed(_validate_part)(part, request, columns) for part in ddf.to_delayed()]
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
    part: pd.DataFrame, request: ScoreRequest, columns: ColumnSpec, checked: None = None
) -> pd.DataFrame:
    """One partition scored (``checked`` ties it to the whole-data check)."""
    return score_with_report(part, request, columns)[0]


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
    request = ScoreRequest.resolve(
        func,
        instrument,
        aggregate=aggregate,
        min_answered=min_answered,
        on_invalid=on_invalid,
        prefix=prefix,
    )
    offset = check_int(row_offset, "row_offset", func, minimum=0)
    meta = score_with_report(ddf._meta, request, columns, offset)[0]  # checks names on no rows
    meta.attrs = {}
    if request.on_invalid == "missing":
        return ddf.map_partitions(_score_part, request, columns, meta=meta)
    checked = dask_delayed().delayed(_check)(_joined(ddf, request, columns, offset))
    return ddf.map_partitions(_score_part, request, columns, checked, meta=meta)


def validate_frame(
    ddf: Any, instrument: object, *, columns: ColumnSpec = None, row_offset: object = 0
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
    request = ScoreRequest.resolve(func, instrument)
    offset = check_int(row_offset, "row_offset", func, minimum=0)
    resolve_columns(list(ddf.columns), request.instrument, columns, func)  # errors now
    report: ValidationReport = _joined(ddf, request, columns, offset).compute()
    return report
