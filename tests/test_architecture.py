"""The shape of the package: one-way imports, no cycles, small modules (DESIGN.md "Shape").

The layers contract itself is checked by import-linter in ``.ci/run`` (``lint-imports``); here
the module graph is checked for cycles of any length, which a layers contract cannot see inside
one layer, and every module is held to the size rule of STYLE.md.
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "alliance_metrics"
MAX_LINES = 400


def _graph() -> grimp.ImportGraph:
    return grimp.build_graph("alliance_metrics", exclude_type_checking_imports=True)


def test_no_import_cycles_between_modules() -> None:
    graph = _graph()
    modules = sorted(m for m in graph.modules if m.startswith("alliance_metrics."))
    edges = {
        m: {
            imported
            for imported in graph.find_modules_directly_imported_by(m)
            if imported.startswith("alliance_metrics.")
            # a package's __init__ re-exporting its own submodules is not a cycle of ideas
            and not imported.startswith(m + ".")
        }
        for m in modules
    }
    cycles = []
    state: dict[str, int] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(edges.get(module, ())):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in modules:
        if module not in state:
            visit(module, [module])
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)


def test_the_cycle_check_can_fail() -> None:
    graph = _graph()
    graph.add_import(
        importer="alliance_metrics.errors",
        imported="alliance_metrics.cli",
        line_number=1,
        line_contents="import alliance_metrics.cli",
    )
    assert graph.find_shortest_chain("alliance_metrics.cli", "alliance_metrics.errors")
    assert graph.find_shortest_chain("alliance_metrics.errors", "alliance_metrics.cli")


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: str(p.relative_to(SRC)))
def test_modules_stay_small_or_say_why(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    n_lines = text.count("\n")
    if n_lines <= MAX_LINES:
        return
    docstring = ast.get_docstring(ast.parse(text)) or ""
    assert "Size:" in docstring, (
        f"{path.relative_to(SRC)} has {n_lines} lines (> {MAX_LINES}); split it by idea, or say "
        "why it must stay whole in a 'Size:' paragraph of its docstring"
    )


def test_io_never_scores_or_validates() -> None:
    graph = _graph()
    io_modules = [m for m in graph.modules if m.startswith("alliance_metrics.io")]
    forbidden = (
        "alliance_metrics.scoring",
        "alliance_metrics.validation",
        "alliance_metrics.batch",
    )
    for module in io_modules:
        for imported in graph.find_modules_directly_imported_by(module):
            assert not imported.startswith(forbidden), (module, imported)
