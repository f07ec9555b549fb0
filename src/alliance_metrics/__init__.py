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
    from alliance_metrics.coding import apply_position_coding
    from alliance_metrics.distributions import (
        ItemDistributions,
        ScaleDistributions,
        item_distributions,
        scale_distributions,
    )
    from alliance_metrics.errors import (
        AllianceMetricsError,
        AllianceMetricsWarning,
        InputFormatError,
        InstrumentError,
        InvalidParameterError,
        IssueCode,
        MissingDependencyError,
        ResponseValidationError,
        UnknownInstrumentError,
    )
    from alliance_metrics.instruments.registry import (
        get_instrument,
        list_instruments,
        load_instrument,
        register,
    )
    from alliance_metrics.interrater import icc
    from alliance_metrics.io.exports import ExportData, detect_source
    from alliance_metrics.io.long import long_to_wide
    from alliance_metrics.io.qualtrics import read_qualtrics
    from alliance_metrics.io.redcap import read_redcap
    from alliance_metrics.io.spss import read_spss
    from alliance_metrics.longitudinal.agreement import (
        DyadAgreement,
        ResponseSurface,
        dyad_agreement,
        response_surface,
    )
    from alliance_metrics.longitudinal.alerts import session_alerts
    from alliance_metrics.longitudinal.bland_altman import BlandAltman, bland_altman
    from alliance_metrics.longitudinal.clinical_significance import clinical_significance
    from alliance_metrics.longitudinal.first_last import first_last
    from alliance_metrics.longitudinal.growth import GrowthModelResult, growth_model
    from alliance_metrics.longitudinal.reliable_change import reliable_change
    from alliance_metrics.longitudinal.ruptures import detect_ruptures, rupture_summary
    from alliance_metrics.longitudinal.session_means import session_means
    from alliance_metrics.longitudinal.sudden import sudden_change_events, sudden_changes
    from alliance_metrics.longitudinal.sudden_cases import sudden_change_cases
    from alliance_metrics.longitudinal.trajectories import decompose, trajectory_features
    from alliance_metrics.pipeline.run import score_csv, validate_csv
    from alliance_metrics.psychometrics import (
        AlphaResult,
        cronbach_alpha,
        item_statistics,
        omega_total,
        reliability_report,
    )
    from alliance_metrics.report import build_report
    from alliance_metrics.results import CsvSummary, ScaleScore, ScoreResult, ValidationReport
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
    "AlphaResult": "psychometrics",
    "Anchor": "schemas",
    "BlandAltman": "longitudinal.bland_altman",
    "Citation": "schemas",
    "CsvSummary": "results",
    "Cutoff": "schemas",
    "DyadAgreement": "longitudinal.agreement",
    "ExportData": "io.exports",
    "GrowthModelResult": "longitudinal.growth",
    "InputFormatError": "errors",
    "Instrument": "schemas",
    "InstrumentError": "errors",
    "InstrumentStatus": "schemas",
    "InvalidParameterError": "errors",
    "IssueCode": "errors",
    "Item": "schemas",
    "ItemDistributions": "distributions",
    "MissingDependencyError": "errors",
    "MissingPolicy": "schemas",
    "ResponseScale": "schemas",
    "ResponseSurface": "longitudinal.agreement",
    "ResponseValidationError": "errors",
    "Scale": "schemas",
    "ScaleDistributions": "distributions",
    "ScaleScore": "results",
    "ScoreResult": "results",
    "UnknownInstrumentError": "errors",
    "ValidationReport": "results",
    "apply_position_coding": "coding",
    "bland_altman": "longitudinal.bland_altman",
    "build_report": "report",
    "clinical_significance": "longitudinal.clinical_significance",
    "cronbach_alpha": "psychometrics",
    "decompose": "longitudinal.trajectories",
    "detect_ruptures": "longitudinal.ruptures",
    "detect_source": "io.exports",
    "dyad_agreement": "longitudinal.agreement",
    "first_last": "longitudinal.first_last",
    "get_instrument": "instruments.registry",
    "growth_model": "longitudinal.growth",
    "icc": "interrater",
    "item_distributions": "distributions",
    "item_statistics": "psychometrics",
    "list_instruments": "instruments.registry",
    "load_instrument": "instruments.registry",
    "long_to_wide": "io.long",
    "omega_total": "psychometrics",
    "read_qualtrics": "io.qualtrics",
    "read_redcap": "io.redcap",
    "read_spss": "io.spss",
    "register": "instruments.registry",
    "reliability_report": "psychometrics",
    "reliable_change": "longitudinal.reliable_change",
    "response_surface": "longitudinal.agreement",
    "rupture_summary": "longitudinal.ruptures",
    "scale_distributions": "distributions",
    "score": "scoring",
    "score_csv": "pipeline.run",
    "score_frame": "batch",
    "session_alerts": "longitudinal.alerts",
    "session_means": "longitudinal.session_means",
    "sudden_change_cases": "longitudinal.sudden_cases",
    "sudden_change_events": "longitudinal.sudden",
    "sudden_changes": "longitudinal.sudden",
    "trajectory_features": "longitudinal.trajectories",
    "validate_csv": "pipeline.run",
    "validate_frame": "batch",
}

__all__ = [
    "Administration",
    "AllianceMetricsError",
    "AllianceMetricsWarning",
    "AlphaResult",
    "Anchor",
    "BlandAltman",
    "Citation",
    "CsvSummary",
    "Cutoff",
    "DyadAgreement",
    "ExportData",
    "GrowthModelResult",
    "InputFormatError",
    "Instrument",
    "InstrumentError",
    "InstrumentStatus",
    "InvalidParameterError",
    "IssueCode",
    "Item",
    "ItemDistributions",
    "MissingDependencyError",
    "MissingPolicy",
    "ResponseScale",
    "ResponseSurface",
    "ResponseValidationError",
    "Scale",
    "ScaleDistributions",
    "ScaleScore",
    "ScoreResult",
    "UnknownInstrumentError",
    "ValidationReport",
    "__version__",
    "apply_position_coding",
    "bland_altman",
    "build_report",
    "clinical_significance",
    "cronbach_alpha",
    "decompose",
    "detect_ruptures",
    "detect_source",
    "dyad_agreement",
    "first_last",
    "get_instrument",
    "growth_model",
    "icc",
    "item_distributions",
    "item_statistics",
    "list_instruments",
    "load_instrument",
    "long_to_wide",
    "omega_total",
    "read_qualtrics",
    "read_redcap",
    "read_spss",
    "register",
    "reliability_report",
    "reliable_change",
    "response_surface",
    "rupture_summary",
    "scale_distributions",
    "score",
    "score_csv",
    "score_frame",
    "session_alerts",
    "session_means",
    "sudden_change_cases",
    "sudden_change_events",
    "sudden_changes",
    "trajectory_features",
    "validate_csv",
    "validate_frame",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from alliance_metrics._version import library_version

        return library_version()
    if name in ("datasets", "plot"):
        return importlib.import_module(f"alliance_metrics.{name}")
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'alliance_metrics' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"alliance_metrics.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
