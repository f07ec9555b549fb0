"""Generate the site's pages at build time (run by mkdocs-gen-files; see mkdocs.yml).

- ``reference/``: one page per public name, from the docstrings (``api_pages.py``), and the
  grouped index in ``api.md`` (between the markers of the committed page);
- ``instruments/``: one page per registered instrument, and ``instruments.md`` with links to
  them (``catalogue.py``);
- ``tutorials/``: the notebooks of examples/, executed (``tutorials.py``).

Nothing is written into docs/ or examples/: the files exist only in the build.
"""

from __future__ import annotations

import sys
from pathlib import Path

import mkdocs_gen_files
import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))

import api_pages
import catalogue
import tutorials

DOCS = Path(__file__).resolve().parents[1]
START, END = "<!-- api-index: start -->", "<!-- api-index: end -->"


def _write(path: str, text: str) -> None:
    with mkdocs_gen_files.open(path, "w") as handle:
        handle.write(text)


def api_page() -> str:
    """docs/api.md with the generated index between its markers."""
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    return before + api_pages.index_table() + after


for name, text in {**api_pages.pages(), **catalogue.pages()}.items():
    _write(name, text)
    mkdocs_gen_files.set_edit_path(name, "_generate/gen_site.py")
_write("api.md", api_page())

summary = ["* [Overview](../tutorials.md)"]
for source in tutorials.notebooks():
    done = tutorials.execute(source)
    _write(f"tutorials/{source.name}", nbformat.writes(done.notebook))
    title = next(
        (
            c.source.splitlines()[0].lstrip("# ")
            for c in done.notebook.cells
            if c.cell_type == "markdown"
        ),
        source.stem,
    )
    summary.append(f"* [{title}]({source.name})")
_write("tutorials/SUMMARY.md", "\n".join(summary) + "\n")
