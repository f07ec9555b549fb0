"""alliance_metrics: validated scoring of therapeutic-alliance questionnaires.

Public names are imported lazily on first use, so ``import alliance_metrics`` is fast, reads no
file and pulls in pandas, pyarrow or scipy only when a function needing them is used.

Examples
--------
>>> import alliance_metrics as am
>>> am.score([4, 4, 5], "wai-b3").scales["total"].value
4.333333333333333
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    from alliance_metrics.files import CsvSummary, score_csv, validate_csv
    from alliance_metrics.instruments.registry import (
        get_instrument,
        list_instruments,
        load_instrument,
        register,
    )
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

    __version__: str

_EXPORTS: dict[str, str] = {
    "Administration": "schemas",
    "AllianceMetricsError": "errors",
    "AllianceMetricsWarning": "errors",
    "Anchor": "schemas",
    "Citation": "schemas",
    "CsvSummary": "files",
    "Cutoff": "schemas",
    "InputFormatError": "errors",
    "Instrument": "schemas",
    "InstrumentError": "errors",
    "InstrumentStatus": "schemas",
    "InvalidParameterError": "errors",
    "IssueCode": "errors",
    "Item": "schemas",
    "MissingPolicy": "schemas",
    "ResponseScale": "schemas",
    "ResponseValidationError": "errors",
    "Scale": "schemas",
    "ScaleScore": "results",
    "ScoreResult": "results",
    "UnknownInstrumentError": "errors",
    "ValidationReport": "results",
    "get_instrument": "instruments.registry",
    "list_instruments": "instruments.registry",
    "load_instrument": "instruments.registry",
    "register": "instruments.registry",
    "score": "scoring",
    "score_csv": "files",
    "score_frame": "batch",
    "validate_csv": "files",
    "validate_frame": "batch",
}

__all__ = [
    "Administration",
    "AllianceMetricsError",
    "AllianceMetricsWarning",
    "Anchor",
    "Citation",
    "CsvSummary",
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
    "score_csv",
    "score_frame",
    "validate_csv",
    "validate_frame",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from alliance_metrics.scoring import library_version

        return library_version()
    if name == "datasets":
        return importlib.import_module("alliance_metrics.datasets")
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'alliance_metrics' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"alliance_metrics.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
