"""Exception tree, warning class and machine-readable issue codes.

Every error raised on purpose by the library derives from :class:`AllianceMetricsError`, and
each also derives from the built-in exception a Python user would expect (``ValueError``,
``LookupError``, ...), so ``except ValueError`` keeps working.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alliance_metrics.results import ValidationReport

__all__ = [
    "AllianceMetricsError",
    "AllianceMetricsWarning",
    "InputFormatError",
    "InstrumentError",
    "InvalidParameterError",
    "IssueCode",
    "MissingDependencyError",
    "ResponseValidationError",
    "UnknownInstrumentError",
]


class AllianceMetricsError(Exception):
    """Base class of every error raised on purpose by alliance_metrics."""


class InvalidParameterError(AllianceMetricsError, ValueError, TypeError):
    """An argument has the wrong type or value (a usage error, not a data error)."""


class InstrumentError(AllianceMetricsError, ValueError):
    """An instrument definition is invalid or inconsistent."""


class UnknownInstrumentError(InstrumentError, LookupError):
    """No instrument with the requested id is registered."""


class ResponseValidationError(AllianceMetricsError, ValueError):
    """Response data contain invalid cells.

    Parameters
    ----------
    message
        Human-readable summary naming the first problems.
    report
        The full :class:`~alliance_metrics.ValidationReport` with every invalid cell.
    """

    def __init__(self, message: str, report: ValidationReport) -> None:
        super().__init__(message)
        self.report = report


class InputFormatError(AllianceMetricsError, ValueError):
    """An input cannot be read or its layout does not fit the instrument (e.g. a missing column)."""


class MissingDependencyError(AllianceMetricsError, ImportError):
    """An optional dependency is not installed (e.g. ``pyreadstat`` for SPSS files).

    The message names the extra to install, e.g. ``pip install "alliance-metrics[spss]"``.
    """


class AllianceMetricsWarning(UserWarning):
    """Something the user should know, such as scoring an instrument whose key is provisional."""


class IssueCode(StrEnum):
    """Machine-readable reason why a response cell was rejected.

    The value is what appears in the ``code`` column of
    :attr:`ValidationReport.failure_cases <alliance_metrics.ValidationReport.failure_cases>`.
    """

    NOT_A_NUMBER = "not_a_number"
    """Neither a number nor one of the instrument's anchor labels."""
    OUT_OF_RANGE = "out_of_range"
    """A number outside the response scale's declared bounds."""
    NOT_ON_STEP = "not_on_step"
    """A number inside the bounds but not on the scale's step (e.g. 3.5 on an integer scale)."""
    NOT_A_CHOICE = "not_a_choice"
    """A code (or label) that the export's own definition does not declare for the field, e.g.
    outside the choices of a REDCap data dictionary."""
    USER_MISSING = "user_missing"
    """A user-defined missing code (e.g. SPSS ``9 = refused``): counted as unanswered, not
    invalid; the code is kept in the report."""
