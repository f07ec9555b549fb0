"""The documentation site's generators: every public name has a page and an example, the
catalogue matches the registry, and the tutorials and links follow the site's rules.

These tests read what ``docs/_generate/`` would write, without building the site (the built site
is checked by ``tests/test_docs_site_built.py``). ``tests/test_api.py`` runs every docstring's
examples; here a public object without an Examples section fails.
"""

from __future__ import annotations

import doctest
import importlib.util
import inspect
import re
import sys
from pathlib import Path
from types import ModuleType

import nbformat
import pytest

import alliance_metrics as am

ROOT = Path(__file__).resolve().parents[1]
GENERATE = ROOT / "docs" / "_generate"


def _load(name: str) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, GENERATE / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


api_pages = _load("api_pages")
catalogue = _load("catalogue")
hooks = _load("hooks")
griffe_roles = _load("griffe_roles")
tutorials = _load("tutorials")


# ---- API reference ---------------------------------------------------------------------------


def test_every_public_name_has_a_page() -> None:
    pages = api_pages.pages()
    documented = {n for n in am.__all__ if n not in api_pages.NO_PAGE}
    for module in api_pages.MODULES:
        documented |= {f"{module}.{n}" for n in getattr(am, module).__all__} | {module}
    for name in documented:
        entry = api_pages.entry(name)
        assert entry.page in pages, f"no page for am.{name}"
        assert pages[entry.page].startswith(f"::: alliance_metrics.{name}\n"), entry.page
    assert set(api_pages.NO_PAGE) <= set(am.__all__)  # exemptions name real names


def test_a_name_left_out_of_the_groups_stops_the_build(monkeypatch: pytest.MonkeyPatch) -> None:
    groups = dict(api_pages.GROUPS)
    title, names = groups["scoring"]
    monkeypatch.setitem(api_pages.GROUPS, "scoring", (title, [n for n in names if n != "score"]))
    assert api_pages.ungrouped() == ["score"]
    with pytest.raises(SystemExit, match="score"):
        api_pages.pages()


def test_the_index_lists_every_group_and_name() -> None:
    table = api_pages.index_table()
    for title, names in api_pages.GROUPS.values():
        assert f"### {title}" in table
        for name in names:
            assert f"[`am.{name}`]({api_pages.entry(name).page})" in table
    assert api_pages.ungrouped() == []
    assert not re.search(r":[a-z]+:`", table), "a Sphinx role left in a summary"
    assert "Overview" not in table


def _examples(obj: object) -> int:
    doc = inspect.getdoc(obj) or ""
    if not re.search(r"^Examples\n-{8,}$", doc, re.M):
        return 0
    section = doc.split("Examples\n--------", 1)[1]
    return len(doctest.DocTestParser().get_examples(section))


@pytest.mark.parametrize("name", api_pages.public_names())
def test_every_public_object_has_a_runnable_example(name: str) -> None:
    assert _examples(api_pages.resolve(name)) > 0, f"am.{name}: no Examples section with a doctest"


def test_the_example_check_can_fail() -> None:
    def undocumented() -> None:
        """Do nothing, with no example."""

    assert _examples(undocumented) == 0


def test_docs_api_page_has_the_markers_the_build_replaces() -> None:
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    gen_site = (GENERATE / "gen_site.py").read_text(encoding="utf-8")
    start, end = re.search(r'START, END = "(.*?)", "(.*?)"', gen_site).groups()  # type: ignore[union-attr]
    assert text.count(start) == 1
    assert text.count(end) == 1
    assert text.index(start) < text.index(end)


# ---- Sphinx roles ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (":func:`~alliance_metrics.score`", "[`score`][alliance_metrics.score]"),
        (":class:`ValidationReport`", "[`ValidationReport`][alliance_metrics.ValidationReport]"),
        (
            ":attr:`ValidationReport.failure_cases <alliance_metrics.ValidationReport.ok>`",
            "[`ValidationReport.failure_cases`][alliance_metrics.ValidationReport]",
        ),
        (
            ":func:`~alliance_metrics.psychometrics.item_statistics`",
            "[`item_statistics`][alliance_metrics.item_statistics]",
        ),
        (":mod:`alliance_metrics.plot`", "[`alliance_metrics.plot`][alliance_metrics.plot]"),
        (":func:`screen_items`", "`screen_items`"),
        (":mod:`.single`", "`.single`"),
        ("no role", "no role"),
    ],
)
def test_roles_become_markdown(text: str, expected: str) -> None:
    assert griffe_roles.convert(text) == expected


# ---- the instrument catalogue ----------------------------------------------------------------


def test_every_instrument_has_a_page() -> None:
    pages = catalogue.pages()
    for instrument_id in am.list_instruments():
        assert catalogue.page_path(instrument_id) in pages
        assert f"({instrument_id}.md)" in pages["instruments/SUMMARY.md"]
        assert f"[`{instrument_id}`](instruments/{instrument_id}.md)" in pages["instruments.md"]


def _registry_key(instrument: am.Instrument) -> dict[str, tuple[list[int], list[int]]]:
    numbers = {item.id: item.number for item in instrument.items}
    reversed_ids = {item.id for item in instrument.items if item.reverse}
    return {
        scale.id: (
            [numbers[i] for i in scale.items],
            [numbers[i] for i in scale.items if i in reversed_ids],
        )
        for scale in instrument.scales
    }


@pytest.mark.parametrize("instrument_id", sorted(am.list_instruments()))
def test_a_page_key_table_matches_the_registry(instrument_id: str) -> None:
    instrument = am.get_instrument(instrument_id)
    page = catalogue.pages()[catalogue.page_path(instrument_id)]
    assert catalogue.parse_key_table(page) == _registry_key(instrument)
    assert f"**{instrument.status.level}**" in page
    assert instrument.licence in page
    for citation in instrument.citations:
        assert citation.text in page
        if citation.doi:
            assert f"https://doi.org/{citation.doi}" in page
    for cutoff in instrument.cutoffs:
        assert f"| `{cutoff.id}` |" in page
        assert f"| {cutoff.kind} |" in page
    if instrument.reliable_change is not None:
        assert f"A change of {instrument.reliable_change.points:g} points" in page
    for anchor in instrument.response_scale.anchors:
        assert f"| {anchor.value:g} | {anchor.label} |" in page


def test_the_key_table_comparison_can_fail() -> None:
    instrument = am.get_instrument("wai-s")
    page = catalogue.instrument_page(instrument)
    row = "| Goal | `goal` | subscale | 4, 6, 10, 11 | 4, 10 | 4 |"
    assert row in page
    for wrong in (row.replace("| 4, 10 |", "| 4 |"), row.replace("4, 6, 10, 11", "4, 6, 10, 12")):
        assert catalogue.parse_key_table(page.replace(row, wrong)) != _registry_key(instrument)


def test_catalogue_pages_hold_no_item_wording() -> None:
    # The registry holds no wording; a page shows items by number and id only.
    assert "text" not in am.Item.model_fields
    page = catalogue.instrument_page(am.get_instrument("wai-sr"))
    items = page.split("## Items", 1)[1].split("## Response scale", 1)[0]
    assert "| number | id | scales | reversed | printed on the form | taken from |" in items


# ---- links that leave docs/ ------------------------------------------------------------------


def test_links_out_of_docs_go_to_the_tutorial_page_or_the_repository() -> None:
    docs = ROOT / "docs"
    files = {"tutorials/01-redcap-export.ipynb", "index.md"}
    assert hooks.outside_link(
        "../examples/01-redcap-export.ipynb", "tutorials.md", docs, files
    ) == ("tutorials/01-redcap-export.ipynb")
    assert hooks.outside_link("../examples/", "index.md", docs, files) == "repo:examples/"
    assert hooks.outside_link("../tests/fixtures/x.csv#L2", "exports.md", docs, files) == (
        "repo:tests/fixtures/x.csv#L2"
    )
    for inside in ("errors.md", "errors.md#issue-codes", "#top", "https://doi.org/x"):
        assert hooks.outside_link(inside, "index.md", docs, files) is None


def test_the_markdown_hook_rewrites_links_but_not_code() -> None:
    class Config(dict[str, object]):
        pass

    class File:
        src_uri = "index.md"

    class Page:
        file = File()

    config = Config(docs_dir=str(ROOT / "docs"), extra={"repository": "https://host/o/r"})
    text = "[ex](../examples/)\n```text\n[ex](../examples/)\n```\n"
    out = hooks.on_page_markdown(text, Page(), config, [File()])
    assert out == "[ex](https://host/o/r/tree/main/examples/)\n```text\n[ex](../examples/)\n```\n"


def test_the_mathjax_loader_is_removed() -> None:
    html = (
        '<p>a</p><!-- Load mathjax -->\n<script src="https://cdn.example/mathjax.js"> </script>'
        "<script>init();</script><!-- End of mathjax configuration --><p>b</p>"
    )
    assert hooks.on_page_content(html, None, None, None) == "<p>a</p><p>b</p>"


# ---- tutorials -------------------------------------------------------------------------------


NOTEBOOKS = tutorials.notebooks()


def test_there_are_tutorials_and_the_index_lists_each() -> None:
    assert len(NOTEBOOKS) >= 5
    index = (ROOT / "docs" / "tutorials.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        assert f"(../examples/{path.name})" in index, path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_tutorials_are_stored_without_outputs_and_link_to_docs_pages(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    assert tutorials.stored_outputs(notebook) == []
    assert notebook.cells[0].cell_type == "markdown"
    assert notebook.cells[0].source.startswith("# ")
    tutorials.site_links(notebook, path.name)  # raises on a link that would break on the site
    for cell in notebook.cells:
        for page in re.findall(r"\]\(\.\./\.\./([\w-]+)/", cell.source):
            assert (ROOT / "docs" / f"{page}.md").exists(), page


def test_a_notebook_with_outputs_or_a_stray_link_is_refused() -> None:
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# T\n[x](../README.md)"),
            nbformat.v4.new_code_cell("1", execution_count=1),
        ]
    )
    assert tutorials.stored_outputs(notebook) == [1]
    with pytest.raises(SystemExit, match=r"\.\./README\.md"):
        tutorials.site_links(notebook, "t.ipynb")
