"""Run the tutorial notebooks of examples/ for the site, and fail on any error.

The notebooks are stored without outputs. Each runs in a fresh kernel with ``examples/`` as its
working directory (as Jupyter would run it there), cell by cell with a time limit; an exception
fails the build with the cell that raised, and so does any text on stderr (a warning) unless the
cell is tagged ``stderr-expected``. A notebook that takes longer than ``BUDGET_SECONDS`` is
reported as a warning, which fails ``mkdocs build --strict``. The executed copies are what the
site renders (``tutorials/<name>.ipynb``); nothing is written into examples/.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
BUDGET_SECONDS = 20.0
CELL_TIMEOUT = 120
log = logging.getLogger("mkdocs.alliance_metrics.tutorials")
DOCS_LINK = re.compile(r"\]\(\.\./docs/(?P<page>[\w-]+)\.md(?P<anchor>#[\w-]+)?\)")
LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")


@dataclass(frozen=True)
class Executed:
    """One executed notebook."""

    source: Path
    notebook: nbformat.NotebookNode
    seconds: float


def notebooks() -> list[Path]:
    """Return the tutorial notebooks, in their numbered order."""
    return sorted(EXAMPLES.glob("*.ipynb"))


def stored_outputs(notebook: nbformat.NotebookNode) -> list[int]:
    """Return the code cells stored with outputs or an execution count (must be none)."""
    return [
        index
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]


def _stderr_cells(notebook: nbformat.NotebookNode) -> list[int]:
    found = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or "stderr-expected" in cell.metadata.get("tags", []):
            continue
        if any(o.get("name") == "stderr" for o in cell.get("outputs", [])):
            found.append(index)
    return found


def site_links(notebook: nbformat.NotebookNode, name: str) -> None:
    """Point the Markdown links of a notebook at the site's pages (in place).

    In examples/ a notebook links to ``../docs/<page>.md#anchor``, which works on the repository
    host and in Jupyter. The site renders the notebook at ``tutorials/<name>/``, where that page
    is ``../../<page>/#anchor``. Any other relative link is an error: it would break on one side.
    """
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        for match in LINK.finditer(cell.source):
            target = match["target"]
            if (
                "://" not in target
                and not target.startswith("#")
                and not DOCS_LINK.fullmatch(f"]({target})")
            ):
                raise SystemExit(f"{name}: link {target!r} must be ../docs/<page>.md[#anchor]")
        cell.source = DOCS_LINK.sub(
            lambda m: (
                f"](../../{m['page']}/{m['anchor'] or ''})"
                if m["page"] != "index"
                else f"](../../{m['anchor'] or ''})"
            ),
            cell.source,
        )


def execute(path: Path) -> Executed:
    """Execute one notebook in examples/ and return the executed copy."""
    notebook = nbformat.read(path, as_version=4)
    stored = stored_outputs(notebook)
    if stored:
        raise SystemExit(f"{path.name}: cells {stored} are stored with outputs; clear them")
    client = NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(EXAMPLES)}},
    )
    start = time.perf_counter()
    client.execute()  # raises CellExecutionError naming the cell on any exception
    seconds = time.perf_counter() - start
    noisy = _stderr_cells(notebook)
    if noisy:
        raise SystemExit(f"{path.name}: cells {noisy} wrote to stderr (tag stderr-expected?)")
    if seconds > BUDGET_SECONDS:
        log.warning("%s took %.1f s (budget %.0f s)", path.name, seconds, BUDGET_SECONDS)
    else:
        log.info("%s executed in %.1f s", path.name, seconds)
    site_links(notebook, path.name)
    return Executed(path, notebook, seconds)
