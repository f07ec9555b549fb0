"""Exception tree, warning class and machine-readable issue codes.

Every error raised on purpose by the library derives from :class:`AllianceMetricsError`, and
each also derives from the built-in exception a Python user would expect (``ValueError``,
``LookupError``, ...), so ``except ValueError`` keeps working. Each class has a stable
machine-readable ``code`` (for JSON error responses), and every error pickles with its
attributes, so it survives the trip back from a worker process.

Which error when
----------------
* :class:`InvalidParameterError`: an argument of a call is wrong (type, value, option, encoding
  name, file path that cannot be an output). ``parameter`` and ``function`` say which.
* :class:`InstrumentError`: an instrument definition is invalid or unknown.
* :class:`ResponseValidationError`: answers to an instrument's items break its response rules;
  ``report`` lists every rejected cell.
* :class:`InputFormatError`: data that cannot be read or do not have the shape an operation needs
  (unreadable file, missing or repeated columns, a value that is not a number in a numeric column
  that is not an item column, such as ICC ratings or session scores).
* :class:`MissingDependencyError`: an optional extra is needed.
"""

from __future__ import annotations

import os
import re
import sys
import warnings
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


_NAMED = re.compile(r"The '(?P<parameter>\w+)' parameter of (?P<function>[\w.-]+)")
"""The house form of an argument message: it names the parameter and the public function."""


class AllianceMetricsError(Exception):
    """Base class of every error raised on purpose by alliance_metrics.

    Examples
    --------
    >>> import pickle
    >>> error = InvalidParameterError("bad", parameter="aggregate", function="score_frame")
    >>> copy = pickle.loads(pickle.dumps(error))
    >>> str(copy), copy.parameter, copy.function, copy.code
    ('bad', 'aggregate', 'score_frame', 'invalid_parameter')
    """

    code: str = "error"
    """Stable machine-readable name of the kind of error."""

    def to_dict(self) -> dict[str, object]:
        """Return the error as JSON-ready data for an API response: code, message, details.

        Examples
        --------
        >>> error = InvalidParameterError("bad", parameter="aggregate", function="score")
        >>> error.to_dict()["code"], error.to_dict()["parameter"]
        ('invalid_parameter', 'aggregate')
        """
        data: dict[str, object] = {"code": self.code, "message": str(self)}
        data.update({k: v for k, v in vars(self).items() if not k.startswith("_")})
        if "report" in data:
            report = data.pop("report")
            cases = getattr(report, "failure_cases", None)
            if cases is not None:
                records = cases.astype(object).where(cases.notna(), None).to_dict("records")
                data["failure_cases"] = records
        return data


class InvalidParameterError(AllianceMetricsError, ValueError, TypeError):
    """An argument has the wrong type or value (a usage error, not a data error).

    Attributes
    ----------
    parameter, function
        The parameter and the public function it belongs to, when known (the command line uses
        them to name its own option instead).

    Examples
    --------
    >>> import alliance_metrics as am
    >>> try:
    ...     am.score([4, 4, 4], "wai-b3", aggregate="avg")
    ... except am.InvalidParameterError as error:
    ...     print(error.function, error.parameter, error.code)
    score aggregate invalid_parameter
    """

    code = "invalid_parameter"

    def __init__(
        self, message: str, *, parameter: str | None = None, function: str | None = None
    ) -> None:
        super().__init__(message)
        named = _NAMED.match(message)
        self.parameter = parameter if parameter is not None or not named else named["parameter"]
        self.function = function if function is not None or not named else named["function"]

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (type(self), (str(self),), self.__dict__))


class InstrumentError(AllianceMetricsError, ValueError):
    """An instrument definition is invalid or inconsistent.

    Examples
    --------
    >>> import alliance_metrics as am
    >>> try:
    ...     am.register(am.get_instrument("wai-b3"))  # a built-in id cannot be replaced
    ... except am.InstrumentError as error:
    ...     print(error.code)
    instrument_error
    """

    code = "instrument_error"


class UnknownInstrumentError(InstrumentError, InvalidParameterError, LookupError):
    """No instrument with the requested id is registered (a misuse of the argument, too).

    Examples
    --------
    >>> import alliance_metrics as am
    >>> try:
    ...     am.get_instrument("wai-xx")
    ... except LookupError as error:
    ...     print(type(error).__name__, error.to_dict()["code"])
    UnknownInstrumentError unknown_instrument
    """

    code = "unknown_instrument"


class ResponseValidationError(AllianceMetricsError, ValueError):
    """Response data contain invalid cells.

    Parameters
    ----------
    message
        Human-readable summary naming the first problems.
    report
        The full :class:`~alliance_metrics.ValidationReport` with every invalid cell.

    Examples
    --------
    >>> import alliance_metrics as am
    >>> try:
    ...     am.score([4, 9, 4], "wai-b3")
    ... except am.ResponseValidationError as error:
    ...     print(error.report.n_invalid_cells, error.to_dict()["failure_cases"][0]["code"])
    1 out_of_range
    """

    code = "invalid_responses"

    def __init__(self, message: str, report: ValidationReport) -> None:
        super().__init__(message)
        self.report = report

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (str(self), self.report))


class InputFormatError(AllianceMetricsError, ValueError):
    """An input cannot be read or its layout does not fit the operation (e.g. a missing column).

    ``details`` (when set) lists the offending fields of a payload, for API responses.

    Examples
    --------
    >>> import alliance_metrics as am
    >>> try:
    ...     am.Administration.from_json('{"instrument": "wai-b3"')
    ... except am.InputFormatError as error:
    ...     print(error.code, error.details[0]["field"])
    input_format payload
    """

    code = "input_format"
    details: list[dict[str, str]]

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.details = []


class MissingDependencyError(AllianceMetricsError, ImportError):
    """An optional dependency is not installed (e.g. ``pyreadstat`` for SPSS files).

    The message names the extra to install, e.g. ``pip install "alliance-metrics[spss]"``.

    Examples
    --------
    >>> import alliance_metrics as am
    >>> error = am.MissingDependencyError('pip install "alliance-metrics[spss]" to read .sav files')
    >>> isinstance(error, ImportError), error.code
    (True, 'missing_dependency')
    """

    code = "missing_dependency"


def _rebuild(
    cls: type[AllianceMetricsError], args: tuple[object, ...], state: dict[str, object]
) -> AllianceMetricsError:
    """Unpickle an error whose ``__init__`` takes keyword-only attributes."""
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class AllianceMetricsWarning(UserWarning):
    """Something the user should know, such as scoring an instrument whose key is provisional.

    Examples
    --------
    >>> import warnings
    >>> import alliance_metrics as am
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     result = am.score([4, 4, 4, 5, 5, 5], "sai")  # the SAI key is provisional
    >>> [w.category.__name__ for w in caught]
    ['AllianceMetricsWarning']
    """


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def warn_user(message: str) -> None:
    """Issue an :class:`AllianceMetricsWarning` pointing at the caller's own line.

    The warning is attributed to the first frame outside this package, however deep in the
    library it is raised (decorators, dispatch to other engines), so ``warnings`` filters by
    module and the line shown are the user's.
    """
    frame = sys._getframe(1)  # the caller: stacklevel 2
    level = 2
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    warnings.warn(message, AllianceMetricsWarning, stacklevel=level)


class IssueCode(StrEnum):
    """Machine-readable reason why a response cell was rejected.

    The value is what appears in the ``code`` column of
    :attr:`ValidationReport.failure_cases <alliance_metrics.ValidationReport.failure_cases>`.

    Examples
    --------
    >>> import alliance_metrics as am
    >>> am.IssueCode.OUT_OF_RANGE == "out_of_range"
    True
    >>> report = am.validate_frame(am.datasets.load_example().assign(wai_3=9).head(2), "wai-sr")
    >>> report.failure_cases["code"].tolist()
    ['out_of_range', 'out_of_range']
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
