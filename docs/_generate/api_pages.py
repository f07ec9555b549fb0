"""The API reference: one page per public name, generated from the docstrings.

Public means every name of ``alliance_metrics.__all__`` and of the ``__all__`` of the public
modules in ``MODULES`` (``am.plot``, ``am.datasets``, ``am.dask``). Each page holds a
mkdocstrings directive only, so the text is always the docstring's; ``GROUPS`` sorts the names
for the index page, and ``pages()`` fails when a public name is in no group, so a new name
cannot be left out.
``tests/test_docs_site.py`` checks the pages and that every documented object has a runnable
Examples section.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass

import alliance_metrics as am

# Public modules with their own __all__: documented as a module page plus one page per name.
MODULES = {
    "plot": "Pictures of what the analyses return (extra `[plot]`).",
    "datasets": "Synthetic example data and its seeded generator.",
    "dask": "The Dask engine: the same kernel partition by partition, files on a cluster "
    "(extra `[dask]`).",
}

# Names of am.__all__ without a page, and why.
NO_PAGE = {"__version__": "a string: the installed version (also in every ScoreResult)"}

GROUPS: dict[str, tuple[str, list[str]]] = {
    "scoring": (
        "Scoring",
        [
            "score",
            "score_frame",
            "score_csv",
            "apply_position_coding",
            "ScoreResult",
            "ScaleScore",
            "CsvSummary",
        ],
    ),
    "validation": (
        "Validation",
        ["validate_frame", "validate_csv", "ValidationReport", "IssueCode"],
    ),
    "files": (
        "Files and exports",
        [
            "detect_source",
            "read_redcap",
            "read_qualtrics",
            "read_spss",
            "long_to_wide",
            "ExportData",
        ],
    ),
    "registry": (
        "Instruments and the registry",
        ["list_instruments", "get_instrument", "load_instrument", "register"],
    ),
    "models": (
        "Schemas and models",
        [
            "Instrument",
            "Item",
            "Scale",
            "ResponseScale",
            "Anchor",
            "Cutoff",
            "MissingPolicy",
            "InstrumentStatus",
            "Citation",
            "Administration",
        ],
    ),
    "psychometrics": (
        "Psychometrics",
        [
            "reliability_report",
            "item_statistics",
            "cronbach_alpha",
            "AlphaResult",
            "omega_total",
            "icc",
            "item_distributions",
            "ItemDistributions",
            "scale_distributions",
            "ScaleDistributions",
        ],
    ),
    "series": (
        "Session series",
        [
            "detect_ruptures",
            "rupture_summary",
            "sudden_changes",
            "sudden_change_events",
            "sudden_change_cases",
            "reliable_change",
            "clinical_significance",
            "first_last",
            "session_alerts",
            "session_means",
            "trajectory_features",
            "decompose",
            "growth_model",
            "GrowthModelResult",
            "dyad_agreement",
            "DyadAgreement",
            "response_surface",
            "ResponseSurface",
            "bland_altman",
            "BlandAltman",
        ],
    ),
    "pictures": (
        "Pictures and the report",
        [
            "build_report",
            "plot",
            "plot.plot_trajectory",
            "plot.plot_trajectories",
            "plot.plot_item_distributions",
            "plot.plot_scale_distributions",
            "plot.plot_reliability",
            "plot.plot_agreement",
        ],
    ),
    "scale": (
        "Scaling out",
        ["dask", "dask.score_frame", "dask.validate_frame", "dask.score_files"],
    ),
    "data": (
        "Example data",
        [
            "datasets",
            "datasets.load_example",
            "datasets.list_examples",
            "datasets.make_wai_sr_sessions",
        ],
    ),
    "errors": (
        "Errors and warnings",
        [
            "AllianceMetricsError",
            "InvalidParameterError",
            "InstrumentError",
            "UnknownInstrumentError",
            "ResponseValidationError",
            "InputFormatError",
            "MissingDependencyError",
            "AllianceMetricsWarning",
        ],
    ),
}


@dataclass(frozen=True)
class Entry:
    """One documented public object: its name as users write it and where its page is."""

    name: str  # "score", "plot", "plot.plot_trajectory"
    identifier: str  # the path mkdocstrings renders: "alliance_metrics.score"
    page: str  # "reference/score.md"

    @property
    def title(self) -> str:
        """The name as users spell it (``am.score``, ``am.plot.plot_trajectory``)."""
        return f"am.{self.name}"


def public_names() -> list[str]:
    """Every documented name: ``am.__all__``, the public modules and their ``__all__``."""
    names = [n for n in am.__all__ if n not in NO_PAGE]
    for module_name in MODULES:
        module = importlib.import_module(f"alliance_metrics.{module_name}")
        names.append(module_name)
        names.extend(f"{module_name}.{n}" for n in module.__all__)
    return names


def entry(name: str) -> Entry:
    """Return the page of one public name."""
    if name in MODULES:
        return Entry(name, f"alliance_metrics.{name}", f"reference/{name}/index.md")
    module, _, leaf = name.rpartition(".")
    if module:
        return Entry(name, f"alliance_metrics.{name}", f"reference/{module}/{leaf}.md")
    return Entry(name, f"alliance_metrics.{name}", f"reference/{name}.md")


def resolve(name: str) -> object:
    """Return the object a public name stands for."""
    value: object = am
    for part in name.split("."):
        value = getattr(value, part)
    return value


def ungrouped() -> list[str]:
    """Public names in no group (must be empty), and grouped names that are not public."""
    grouped = [n for _, names in GROUPS.values() for n in names]
    public = public_names()
    return sorted(set(public) ^ set(grouped)) + sorted({n for n in grouped if grouped.count(n) > 1})


ROLE = re.compile(r":(?:py:)?[a-z]+:`~?(?:[^`<]*<)?(?:[\w.]*\.)?(?P<name>[\w]+)>?`")


def _summary(name: str) -> str:
    if name in MODULES:
        return MODULES[name]
    doc = (getattr(resolve(name), "__doc__", None) or "").strip()
    first = doc.split("\n\n", 1)[0].replace("\n", " ")
    return ROLE.sub(r"`\g<name>`", first).replace("|", "\\|")


def _page(item: Entry) -> str:
    options = "    options:\n      members: false\n" if item.name in MODULES else ""
    members = ""
    if item.name in MODULES:
        module = importlib.import_module(item.identifier)
        links = [
            f"- [`{item.title}.{n}`]({n}.md) — {_summary(f'{item.name}.{n}')}"
            for n in module.__all__
        ]
        members = "\n## Functions\n\n" + "\n".join(links) + "\n"
    return f"::: {item.identifier}\n{options}{members}"


def index_table() -> str:
    """Return every public name by group with its one-line summary (for docs/api.md)."""
    lines = []
    for title, names in GROUPS.values():
        lines += [f"### {title}", "", "| name | what it is |", "|---|---|"]
        for name in names:
            item = entry(name)
            lines.append(f"| [`{item.title}`]({item.page}) | {_summary(name)} |")
        lines.append("")
    return "\n".join(lines)


def _summary_nav() -> str:
    lines = ["* [Overview](../api.md)"]
    for title, names in GROUPS.values():
        lines.append(f"* {title}")
        for name in names:
            item = entry(name)
            lines.append(f"    * [{item.title}]({item.page.removeprefix('reference/')})")
    return "\n".join(lines) + "\n"


def pages() -> dict[str, str]:
    """Every page of the reference: path under docs/ → Markdown."""
    problems = ungrouped()
    if problems:
        raise SystemExit(f"docs/_generate/api_pages.py: put these names in GROUPS: {problems}")
    out = {entry(n).page: _page(entry(n)) for n in public_names()}
    out["reference/SUMMARY.md"] = _summary_nav()
    return out
