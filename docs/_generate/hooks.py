"""MkDocs hooks: links that leave docs/, and no script from a content delivery network.

- A Markdown link from docs/ to a file of the repository outside docs/ (``../examples/``,
  ``../tests/fixtures/exports/``) works on the repository host but not on the site. On the site it
  points to the page the site made of that file when there is one (a tutorial notebook of
  ``examples/`` becomes ``tutorials/<name>.ipynb``), else to the file on the repository host
  (``extra.repository`` in mkdocs.yml).
- nbconvert's notebook template loads MathJax from a CDN on every notebook page. The tutorials
  use no LaTeX, and the site must work offline and ask no other host for anything, so the loader
  is removed (``tests/test_docs_site.py`` checks every built page for external assets).
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any

LINK = re.compile(r"(\]\()(?P<target>[^)\s]+)(\))")
MATHJAX = re.compile(
    r"<!-- Load mathjax -->\s*<script src=\"https?://[^\"]*\">\s*</script>.*?"
    r"<!-- End of mathjax configuration -->",
    re.S,
)
FENCE = re.compile(r"^(?P<fence>```|~~~).*?^(?P=fence)", re.M | re.S)


def _repository_url(config: Any) -> str:
    return str(config["extra"]["repository"]).rstrip("/")


def outside_link(target: str, page_uri: str, docs_dir: Path, site_files: set[str]) -> str | None:
    """Return the site's link for ``target`` if it leaves docs/, else ``None`` (for MkDocs).

    Returns a link relative to the page for a file the site made a page of, or
    ``repo:<path>`` (a path from the repository root) for any other file of the repository.
    """
    if "://" in target or target.startswith(("#", "mailto:", "/")):
        return None
    path, _, anchor = target.partition("#")
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(page_uri), path))
    if not joined.startswith("../"):
        return None
    repo_path = posixpath.normpath(posixpath.join(docs_dir.name, joined))
    if repo_path.startswith("examples/") and repo_path.endswith(".ipynb"):
        mirrored = "tutorials/" + posixpath.basename(repo_path)
        if mirrored in site_files:
            relative = posixpath.relpath(mirrored, posixpath.dirname(page_uri) or ".")
            return relative + (f"#{anchor}" if anchor else "")
    if repo_path.startswith("../"):
        return None  # outside the repository: let MkDocs report it
    return (
        "repo:" + repo_path + ("/" if path.endswith("/") else "") + (f"#{anchor}" if anchor else "")
    )


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Rewrite links that leave docs/ (outside code blocks)."""
    docs_dir = Path(config["docs_dir"])
    site_files = {f.src_uri for f in files}
    repository = _repository_url(config)

    def rewrite(match: re.Match[str]) -> str:
        new = outside_link(match["target"], page.file.src_uri, docs_dir, site_files)
        if new is None:
            return match.group(0)
        if new.startswith("repo:"):
            path = new.removeprefix("repo:")
            kind = "tree" if path.partition("#")[0].endswith("/") else "blob"
            new = f"{repository}/{kind}/main/{path}"
        return f"{match.group(1)}{new}{match.group(3)}"

    parts, position = [], 0
    for fence in FENCE.finditer(markdown):
        parts.append(LINK.sub(rewrite, markdown[position : fence.start()]))
        parts.append(fence.group(0))
        position = fence.end()
    parts.append(LINK.sub(rewrite, markdown[position:]))
    return "".join(parts)


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    """Remove the MathJax loader nbconvert puts on notebook pages."""
    return MATHJAX.sub("", html)
