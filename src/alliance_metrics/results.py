"""Frozen outputs of scoring and validation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FAILURE_COLUMNS",
    "RowStatus",
    "ScaleScore",
    "ScaleStatus",
    "ScoreResult",
    "ValidationReport",
]

ScaleStatus = Literal["ok", "prorated", "insufficient"]
RowStatus = Literal["ok", "prorated", "insufficient", "invalid"]
FAILURE_COLUMNS = ("row", "column", "value", "code", "message")

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class ScaleScore(BaseModel):
    """The score of one scale for one administration.

    ``value`` is ``None`` when too few items were answered (``status="insufficient"``);
    ``prorated`` is true when the score stands on fewer than all of the scale's items.
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

    __slots__ = ("_cases", "n_rows")

    n_rows: int
    _cases: pd.DataFrame | None

    def __init__(self, n_rows: int, failure_cases: pd.DataFrame | None = None) -> None:
        object.__setattr__(self, "n_rows", n_rows)
        object.__setattr__(self, "_cases", failure_cases)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"ValidationReport is immutable; cannot set {name!r}")

    def __repr__(self) -> str:
        return f"ValidationReport(n_rows={self.n_rows}, n_invalid_cells={self.n_invalid_cells})"

    @property
    def failure_cases(self) -> pd.DataFrame:
        """Every invalid cell: ``row, column, value, code, message`` (empty when valid)."""
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
        return 0 if self._cases is None else len(self._cases)

    @property
    def n_rows_affected(self) -> int:
        """Number of rows with at least one invalid cell."""
        return 0 if self.ok else int(self.failure_cases["row"].nunique())

    def summary(self, max_cells: int = 3) -> str:
        """Return a one-paragraph description naming the first ``max_cells`` problems."""
        if self.ok:
            return f"all {self.n_rows} rows are valid"
        head = "; ".join(m.rstrip(".") for m in self.failure_cases["message"].head(max_cells))
        more = self.n_invalid_cells - min(max_cells, self.n_invalid_cells)
        tail = f"; and {more} more" if more else ""
        return (
            f"{self.n_invalid_cells} invalid cell(s) in {self.n_rows_affected} of "
            f"{self.n_rows} row(s): {head}{tail}"
        )


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
        validation, which scores nothing).
    n_invalid_cells, n_rows_invalid
        Invalid cells and the rows holding them.
    source_format, excluded, notes
        How the input was read, the rows a reader left out (reason → count) and what the reader
        translated or suspects.
    report
        The full :class:`ValidationReport`.
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
