"""alliance_metrics: validated scoring of therapeutic-alliance questionnaires.

Examples
--------
>>> import alliance_metrics as am
>>> am.score([4, 4, 5], "wai-b3").scales["total"].value
4.333333333333333
"""

from importlib.metadata import PackageNotFoundError, version

from alliance_metrics.batch import score_frame, validate_frame
from alliance_metrics.errors import (
    AllianceMetricsError,
    AllianceMetricsWarning,
    InputFormatError,
    InstrumentError,
    InvalidParameterError,
    IssueCode,
    ResponseValidationError,
    UnknownInstrumentError,
)
from alliance_metrics.instruments import get_instrument, list_instruments, load_instrument, register
from alliance_metrics.results import ScaleScore, ScoreResult, ValidationReport
from alliance_metrics.schemas import (
    Administration,
    Anchor,
    Citation,
    Cutoff,
    Instrument,
    InstrumentStatus,
    Item,
    MissingPolicy,
    ResponseScale,
    Scale,
)
from alliance_metrics.scoring import score

try:
    __version__ = version("alliance-metrics")
except PackageNotFoundError:  # pragma: no cover - only when run from an uninstalled tree
    __version__ = "0+unknown"

__all__ = [
    "Administration",
    "AllianceMetricsError",
    "AllianceMetricsWarning",
    "Anchor",
    "Citation",
    "Cutoff",
    "InputFormatError",
    "Instrument",
    "InstrumentError",
    "InstrumentStatus",
    "InvalidParameterError",
    "IssueCode",
    "Item",
    "MissingPolicy",
    "ResponseScale",
    "ResponseValidationError",
    "Scale",
    "ScaleScore",
    "ScoreResult",
    "UnknownInstrumentError",
    "ValidationReport",
    "__version__",
    "get_instrument",
    "list_instruments",
    "load_instrument",
    "register",
    "score",
    "score_frame",
    "validate_frame",
]
