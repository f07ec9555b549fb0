"""The docs stay true: the instruments page is generated, and every ``pycon`` snippet runs.

Snippets in ```pycon blocks of README.md and docs/*.md are run as doctests (output compared with
NORMALIZE_WHITESPACE and ELLIPSIS); ```python and ```bash blocks are not run.
"""

from __future__ import annotations

import doctest
import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType

import pytest

from alliance_metrics.instruments import registry

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted([ROOT / "README.md", *DOCS.glob("*.md")])
PYCON = re.compile(r"^ *```pycon\n(.*?)^ *```", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6} (.+)$", re.MULTILINE)


def _anchors(page: Path) -> set[str]:
    """GitHub-style anchors of the headings of a Markdown page."""
    text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.M | re.S)
    slugs = set()
    for heading in HEADING.findall(text):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        slugs.add(slug)
    return slugs


def _load_table_script() -> ModuleType:
    path = DOCS / "_make_instrument_table.py"
    spec = importlib.util.spec_from_file_location("_make_instrument_table", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_instruments_page_is_current() -> None:
    script = _load_table_script()
    page = (DOCS / "instruments.md").read_text(encoding="utf-8")
    assert page == script.render(), "run: python docs/_make_instrument_table.py"
    assert script.main(["--check"]) == 0


def test_every_instrument_is_in_the_table() -> None:
    import alliance_metrics as am

    page = (DOCS / "instruments.md").read_text(encoding="utf-8")
    for instrument_id in am.list_instruments():
        assert f"| `{instrument_id}` |" in page


def _has_snippets(page: Path) -> bool:
    return PYCON.search(page.read_text(encoding="utf-8")) is not None


@pytest.mark.parametrize("page", [p for p in PAGES if _has_snippets(p)], ids=lambda p: p.name)
def test_pycon_snippets_run(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = page.read_text(encoding="utf-8")
    blocks = list(PYCON.finditer(source))
    # Snippets may register instruments: keep that out of the shared registry.
    monkeypatch.setattr(registry, "_user", {})
    monkeypatch.chdir(ROOT)
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    output: list[str] = []
    n_examples = 0
    for block in blocks:  # one namespace per page, as a reader would run them in order
        line = source.count("\n", 0, block.start(1))
        test = parser.get_doctest(block.group(1), namespace, page.name, str(page), line)
        n_examples += len(test.examples)
        runner.run(test, out=output.append, clear_globs=False)
        namespace = test.globs  # DocTest copies its globals: carry them to the next block
    assert runner.failures == 0, "".join(output)
    assert n_examples > 0, f"no examples parsed from {page.name}"


def test_every_issue_code_is_documented() -> None:
    import alliance_metrics as am

    page = (DOCS / "errors.md").read_text(encoding="utf-8")
    for code in am.IssueCode:
        assert f"| `{code.name}` | `{code.value}` |" in page, f"{code} missing from errors.md"


def test_format_page_shows_the_example_file() -> None:
    import alliance_metrics as am

    page = (DOCS / "instrument-format.md").read_text(encoding="utf-8")
    shown = re.search(r"^```json\n(.*?)^```", page, re.MULTILINE | re.DOTALL)
    assert shown is not None
    example = ROOT / "examples" / "data" / "my-checkin.json"
    assert json.loads(shown.group(1)) == json.loads(example.read_text(encoding="utf-8"))
    assert am.Instrument.model_validate_json(shown.group(1)).id == "my-checkin"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_relative_links_resolve(page: Path) -> None:
    for link in LINK.findall(page.read_text(encoding="utf-8")):
        if "://" in link or link.startswith("mailto:"):
            continue
        target, _, anchor = link.partition("#")
        path = page if not target else (page.parent / target)
        assert path.exists(), f"{page.name} links to missing {target}"
        if anchor:
            assert anchor in _anchors(path), f"{page.name} links to missing anchor {link}"
