"""The ```console blocks of the docs are run, and must print what they show.

Each page's blocks run in order in a scratch folder holding copies of ``examples/`` and
``tests/fixtures/exports/`` (the paths the docs use) and an empty ``out/``. A ``$ command`` line
runs in bash with stderr merged into stdout; the lines after it, up to the next ``$``, are its
expected output. Timings (``[0.05 s]``) are compared as ``[… s]``. Run with
``ALLIANCE_METRICS_UPDATE_DOCS=1`` to rewrite the outputs in place (then read the diff).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(p for p in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]
               if "```console" in p.read_text(encoding="utf-8"))  # fmt: skip
BLOCK = re.compile(r"^(?P<indent> *)```console\n(?P<body>.*?)^(?P=indent)```", re.M | re.S)
TIMING = re.compile(r"\[\d+\.\d\d s\]")


def _normal(text: str) -> str:
    return TIMING.sub("[… s]", text).rstrip("\n")


def _scratch(tmp: Path) -> Path:
    shutil.copytree(
        ROOT / "examples",
        tmp / "examples",
        ignore=shutil.ignore_patterns("*.scored.*", "*.errors.csv"),
    )
    shutil.copytree(ROOT / "tests" / "fixtures" / "exports", tmp / "tests" / "fixtures" / "exports")
    (tmp / "out").mkdir()
    return tmp


def _commands(body: str, indent: str) -> list[tuple[str, list[str]]]:
    steps: list[tuple[str, list[str]]] = []
    for raw in body.splitlines():
        line = raw[len(indent) :] if raw.startswith(indent) else raw
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
    return steps


def _run_page(page: Path, tmp: Path) -> list[tuple[str, str, str]]:
    """Run every console command of ``page``: (command, expected, got)."""
    folder = _scratch(tmp)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "COLUMNS": "100", "NO_COLOR": "1"}  # fmt: skip
    results = []
    status = 0
    for match in BLOCK.finditer(page.read_text(encoding="utf-8")):
        for command, expected in _commands(match["body"], match["indent"]):
            if command == "echo $?":
                got = str(status)
            else:
                done = subprocess.run(
                    ["bash", "-c", command], cwd=folder, env=env, capture_output=True,
                    text=True, timeout=120, check=False,
                )  # fmt: skip
                status = done.returncode
                got = done.stdout + done.stderr
            results.append((command, "\n".join(expected), got))
    return results


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_console_blocks_print_what_they_show(page: Path, tmp_path: Path) -> None:
    results = _run_page(page, tmp_path)
    if os.environ.get("ALLIANCE_METRICS_UPDATE_DOCS"):
        _update(page, results)
        return
    for command, expected, got in results:
        assert _normal(got) == _normal(expected), f"{page.name}: $ {command}"


def _update(page: Path, results: list[tuple[str, str, str]]) -> None:
    """Rewrite the expected outputs of ``page`` with what the commands printed."""
    text = page.read_text(encoding="utf-8")
    position = 0
    for command, expected, got in results:
        if _normal(got) == _normal(expected):  # keep the timing the page shows
            got = expected
        at = text.index(f"$ {command}", position)
        start = text.index("\n", at) + 1
        indent = text[text.rindex("\n", 0, at) + 1 : at]
        old = "".join(f"{indent}{line}\n" for line in expected.split("\n")) if expected else ""
        new = "".join(f"{indent}{line}\n" for line in got.rstrip("\n").split("\n")) if got else ""
        if expected and text[start : start + len(old)] == old:
            text = text[:start] + new + text[start + len(old) :]
        elif not expected:
            text = text[:start] + new + text[start:]
        position = start + len(new)
    page.write_text(text, encoding="utf-8")
