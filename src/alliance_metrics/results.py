"""Frozen outputs of scoring and validation, and the names of the columns scoring adds."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    import pandas as pd

    from alliance_metrics.schemas import Instrument

__all__ = [
    "FAILURE_COLUMNS",
    "ROW_STATUSES",
    "SCALE_STATUSES",
    "CsvSummary",
    "RowStatus",
    "ScaleScore",
    "ScaleStatus",
    "ScoreColumns",
    "ScoreResult",
    "ValidationReport",
]

ScaleStatus = Literal["ok", "prorated", "insufficient"]
RowStatus = Literal["ok", "prorated", "insufficient", "invalid"]
SCALE_STATUSES: Final[tuple[ScaleStatus, ...]] = ("ok", "prorated", "insufficient")
ROW_STATUSES: Final[tuple[RowStatus, ...]] = ("ok", "prorated", "insufficient", "invalid")
"""Row statuses in increasing severity; their position is the int8 status code."""
FAILURE_COLUMNS = ("row", "column", "value", "code", "message")


@dataclass(frozen=True)
class ScoreColumns:
    """Names of the columns scoring adds: per scale a score and an answered count, then status.

    Examples
    --------
    >>> import alliance_metrics as am
    >>> names = ScoreColumns.for_instrument(am.get_instrument("wai-b3"), None)
    >>> names.ordered()[:3], names.status
    (['wai_b3_goal', 'wai_b3_goal_answered', 'wai_b3_task'], 'wai_b3_status')
    """

    scores: tuple[str, ...]
    answered: tuple[str, ...]
    status: str

    @classmethod
    def for_instrument(cls, instrument: Instrument, prefix: str | None) -> ScoreColumns:
        """Names for ``instrument``; ``prefix=None`` means the instrument slug and ``_``."""
        stem = f"{instrument.slug}_" if prefix is None else prefix
        scores = tuple(f"{stem}{scale.id}" for scale in instrument.scales)
        return cls(scores, tuple(f"{name}_answered" for name in scores), f"{stem}status")

    def ordered(self) -> list[str]:
        """All names in output order: score, answered, score, answered, …, status."""
        pairs = [name for pair in zip(self.scores, self.answered, strict=True) for name in pair]
        return [*pairs, self.status]

    def clashes(self, existing: Iterable[Hashable]) -> list[str]:
        """Return the names that an input column already has (compared as text)."""
        taken = {str(c) for c in existing}
        return [n for n in (*self.scores, *self.answered, self.status) if n in taken]


_FROZEN = ConfigDict(frozen=True, extra="forbid")


class ScaleScore(BaseModel):
    """The score of one scale for one administration.

    ``value`` is ``None`` when too few items were answered (``status="insufficient"``);
    ``prorated`` is true when the score stands on fewer than all of the scale's items.

    Examples
    --------
    >>> import alliance_metrics as am
    >>> am.score([4, 5, None], "wai-b3").scales["goal"]
    ScaleScore(value=4.0, answered=1, n_items=1, prorated=False, status='ok')
    """

    model_config = _FROZEN

    value: float | None
    answered: int = Field(ge=0)
    n_items: int = Field(ge=1)
    prorated: bool
    status: ScaleStatus


class ScoreResult(BaseModel):
    """The scores of one administration, with everything needed to reproduce them.

    Examples
    --------
    >>> import alliance_metrics as am
    >>> result = am.score([4, 5, 4, 3, 5, 4, 4, 5, 3, 4, 5, 4], "wai-sr")
    >>> result.scales["bond"].value, result.status
    (4.0, 'ok')
    >>> result.model_dump_json()[:40]
    '{"instrument_id":"wai-sr","instrument_ve'
    """

    model_config = _FROZEN

    instrument_id: str
    instrument_version: str
    aggregate: Literal["mean", "sum"]
    min_answered: int | float = Field(
        description="The missing-data rule applied: item count or proportion per scale."
    )
    library_version: str
    status: RowStatus = Field(
        description=(
            "`invalid` if a response was rejected, else the worst scale status "
            "(`insufficient` > `prorated` > `ok`)."
        )
    )
    scales: dict[str, ScaleScore]
    invalid_items: tuple[str, ...] = Field(
        default=(), description="Items whose response was rejected and treated as unanswered."
    )
    respondent: str | None = Field(
        default=None, description="The administration's `respondent`, echoed when given."
    )
    session: int | None = Field(
        default=None, description="The administration's `session`, echoed when given."
    )


def _empty_failures() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        {
            "row": pd.Series(dtype="int64"),
            "column": pd.Series(dtype="object"),
            "value": pd.Series(dtype="object"),
            "code": pd.Series(dtype="object"),
            "message": pd.Series(dtype="object"),
        }
    )


class ValidationReport:
    """Every invalid response cell found in a table, one row per cell.

    Attributes
    ----------
    n_rows
        Number of input rows checked.
    failure_cases
        DataFrame with columns ``row`` (0-based position in the input, as for ``df.iloc``),
        ``column``, ``value`` (as given), ``code`` (an :class:`~alliance_metrics.IssueCode` value)
        and ``message``, ordered by row then column.

    Examples
    --------
    >>> import pandas as pd, alliance_metrics as am
    >>> df = pd.DataFrame({f"item{n}": [4, 4] for n in range(1, 4)})
    >>> df.loc[1, "item2"] = 9
    >>> report = am.validate_frame(df, "wai-b3")
    >>> report.ok, report.n_invalid_cells, report.failure_cases.loc[0, "message"]
    (False, 1, "row 1, column 'item2': response must be an integer from 1 to 5. Got 9.")
    """

    __slots__ = ("_cases", "_n_cells", "_n_rows_affected", "n_rows")

    n_rows: int
    _cases: pd.DataFrame | None
    _n_cells: int | None
    _n_rows_affected: int | None

    def __init__(
        self,
        n_rows: int,
        failure_cases: pd.DataFrame | None = None,
        *,
        n_invalid_cells: int | None = None,
        n_rows_affected: int | None = None,
    ) -> None:
        object.__setattr__(self, "n_rows", n_rows)
        object.__setattr__(self, "_cases", failure_cases)
        object.__setattr__(self, "_n_cells", n_invalid_cells)
        object.__setattr__(self, "_n_rows_affected", n_rows_affected)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"ValidationReport is immutable; cannot set {name!r}")

    def __reduce__(self) -> tuple[object, ...]:
        counts = {"n_invalid_cells": self._n_cells, "n_rows_affected": self._n_rows_affected}
        return (_rebuild_report, (self.n_rows, self._cases, counts))

    def __repr__(self) -> str:
        return f"ValidationReport(n_rows={self.n_rows}, n_invalid_cells={self.n_invalid_cells})"

    @property
    def failure_cases(self) -> pd.DataFrame:
        """Every invalid cell: ``row, column, value, code, message`` (empty when valid).

        For a file run with more rejected cells than fit in memory, the first ones
        (:attr:`truncated` is then true; the errors file holds them all).
        """
        cases = self._cases
        if cases is None:
            cases = _empty_failures()  # built on first use only: keeps pandas off clean runs
            object.__setattr__(self, "_cases", cases)
        return cases

    @property
    def ok(self) -> bool:
        """Whether no cell is invalid."""
        return self.n_invalid_cells == 0

    @property
    def n_invalid_cells(self) -> int:
        """Number of invalid cells."""
        if self._n_cells is not None:
            return self._n_cells
        return 0 if self._cases is None else len(self._cases)

    @property
    def n_rows_affected(self) -> int:
        """Number of rows with at least one invalid cell."""
        if self._n_rows_affected is not None:
            return self._n_rows_affected
        return 0 if self.ok else int(self.failure_cases["row"].nunique())

    @property
    def truncated(self) -> bool:
        """Whether :attr:`failure_cases` holds only the first of the invalid cells."""
        return self.n_invalid_cells > (0 if self._cases is None else len(self._cases))

    def summary(self, max_cells: int = 3) -> str:
        """Return a one-paragraph description naming the first ``max_cells`` problems.

        Cells are named by row, column and code; their values stay in :attr:`failure_cases`
        (a summary is printed and logged, so it never holds respondent data).
        """
        if self.ok:
            return f"all {self.n_rows} rows are valid"
        first = self.failure_cases.head(max_cells)
        head = "; ".join(
            f"row {row}, column {column!r}: {code}"
            for row, column, code in zip(first["row"], first["column"], first["code"], strict=True)
        )
        more = self.n_invalid_cells - min(max_cells, self.n_invalid_cells)
        tail = f"; and {more} more" if more else ""
        return (
            f"{self.n_invalid_cells} invalid cell(s) in {self.n_rows_affected} of "
            f"{self.n_rows} row(s): {head}{tail}"
        )


def _rebuild_report(
    n_rows: int, cases: pd.DataFrame | None, counts: dict[str, int | None]
) -> ValidationReport:
    return ValidationReport(n_rows, cases, **counts)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


@dataclass(frozen=True)
class CsvSummary:
    """What a file run (:func:`~alliance_metrics.score_csv`, ``validate_csv``) did.

    Attributes
    ----------
    source, output, errors_output
        Input name, scored output (``None`` for validation; ``"<stream>"`` for a stream) and
        the errors file written, if any.
    rows
        Rows (administrations, for exports read whole) checked or scored.
    status_counts
        Rows per status ``ok``, ``prorated``, ``insufficient``, ``invalid`` (empty for
        validation, which scores nothing); with several instruments, by each row's worst status.
    status_counts_by_instrument
        With several instruments, the status counts of each (empty otherwise).
    n_invalid_cells, n_rows_invalid
        Invalid cells and the rows holding them.
    source_format, excluded, notes
        How the input was read, the rows a reader left out (reason → count) and what the reader
        translated or suspects.
    report
        The full :class:`ValidationReport`.

    Examples
    --------
    >>> import io
    >>> import pandas as pd
    >>> import alliance_metrics as am
    >>> data = io.BytesIO()
    >>> pd.DataFrame({"wai_1": [4, 4], "wai_2": [4, 9], "wai_3": [5, 5]}).to_csv(data, index=False)
    >>> summary = am.validate_csv(io.BytesIO(data.getvalue()), "wai-b3")
    >>> summary.rows, summary.n_invalid_cells, summary.n_rows_invalid, summary.source_format
    (2, 1, 1, 'csv')
    """

    source: str
    rows: int
    n_invalid_cells: int
    n_rows_invalid: int
    status_counts: dict[str, int]
    output: str | None
    errors_output: str | None
    delimiter: str
    seconds: float
    report: ValidationReport = field(repr=False)
    source_format: str = "csv"
    excluded: dict[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    status_counts_by_instrument: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether no invalid cell was found."""
        return self.n_invalid_cells == 0

    def describe(self) -> str:
        """One line for humans (the CLI's stderr summary); it never holds respondent data."""
        if self.source_format == "csv":
            text = f"{_count(self.rows, 'row')} read"
        else:
            text = f"{self.source_format} export: {_count(self.rows, 'administration')}"
        if self.excluded:
            left_out = "; ".join(f"{reason}: {n}" for reason, n in self.excluded.items())
            text += f" ({_count(sum(self.excluded.values()), 'row')} left out — {left_out})"
        if self.output is not None:
            if self.status_counts_by_instrument:
                counts = "; ".join(
                    f"{name}: " + ", ".join(f"{n} {status}" for status, n in counts.items())
                    for name, counts in self.status_counts_by_instrument.items()
                )
            else:
                counts = ", ".join(f"{n} {status}" for status, n in self.status_counts.items())
            text += f", {counts} → {self.output}"
        if self.n_invalid_cells:
            text += (
                f"; {_count(self.n_invalid_cells, 'invalid cell')} in "
                f"{_count(self.n_rows_invalid, 'row')}"
            )
            if self.errors_output:
                text += f" (details: {self.errors_output})"
            else:
                text += " (details: pass --errors PATH, or use the report in Python)"
        return text + f" [{self.seconds:.2f} s]"
