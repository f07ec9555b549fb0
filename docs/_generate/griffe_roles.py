"""A Griffe extension: Sphinx roles in the docstrings become Markdown for mkdocstrings.

The docstrings are numpy style and also read with ``help()``, where ``:func:`~am.score``` is the
usual spelling. On the site a role becomes inline code, linked to the page of a public name
(``[`score`][alliance_metrics.score]``, resolved by mkdocs-autorefs) when the role names one,
and left as plain code otherwise (private helpers, modules without a page).
"""

from __future__ import annotations

import re
from typing import Any

import griffe

import alliance_metrics as am

ROLE = re.compile(r":(?:py:)?(?:func|class|meth|attr|mod|data|exc|obj|const):`(?P<body>[^`]+)`")


def _public() -> set[str]:
    names = {n for n in am.__all__ if not n.startswith("_")}
    for module in ("plot", "datasets"):
        names.add(module)
        names.update(f"{module}.{n}" for n in getattr(am, module).__all__)
    return names


PUBLIC = _public()


def _target(path: str) -> str | None:
    """Return the public name a role's path stands for, if any."""
    path = path.removeprefix("alliance_metrics.").removeprefix("am.").lstrip(".")
    parts = path.split(".")
    for size in range(len(parts), 0, -1):  # "plot.plot_trajectory", then "plot"
        if ".".join(parts[:size]) in PUBLIC:
            return ".".join(parts[:size])
    for start in range(1, len(parts)):  # "psychometrics.item_statistics" → "item_statistics"
        candidate = ".".join(parts[start:])
        if candidate in PUBLIC:
            return candidate
    return None


def convert(text: str) -> str:
    """Replace every Sphinx role of ``text`` by Markdown."""

    def replace(match: re.Match[str]) -> str:
        body = match["body"].strip()
        explicit = re.fullmatch(r"(?P<label>.+?)\s*<(?P<path>[^>]+)>", body)
        if explicit:
            label, path = explicit["label"], explicit["path"]
        else:
            path = body.lstrip("~")
            label = path.rsplit(".", 1)[-1] if body.startswith("~") else path
        target = _target(path.lstrip("~"))
        if target is None:
            return f"`{label}`"
        return f"[`{label}`][alliance_metrics.{target}]"

    return ROLE.sub(replace, text)


class SphinxRoles(griffe.Extension):
    """Rewrite the roles of every docstring Griffe loads."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Convert the object's docstring."""
        if obj.docstring is not None:
            obj.docstring.value = convert(obj.docstring.value)
