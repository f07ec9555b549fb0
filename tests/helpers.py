"""Plain helpers shared by the tests (hypothesis strategies live in ``strategies.py``)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import alliance_metrics as am

PROVISIONAL = ("haq-ii", "sai", "tasc", "wai-o-s")
B3_SCORES = [
    "wai_b3_goal",
    "wai_b3_goal_answered",
    "wai_b3_task",
    "wai_b3_task_answered",
    "wai_b3_bond",
    "wai_b3_bond_answered",
    "wai_b3_total",
    "wai_b3_total_answered",
    "wai_b3_status",
]
"""Columns that scoring adds for wai-b3 with the default prefix, in order."""
WAI_SR_ANCHORS = {1: "Seldom", 2: "Sometimes", 3: "Fairly Often", 4: "Very Often", 5: "Always"}


def assert_same_scores(
    rows: Sequence[dict[str, str]], expected: pd.DataFrame, columns: Sequence[str]
) -> None:
    """Written scores read back with float() equal the in-memory scores exactly."""
    assert len(rows) == len(expected)
    for i, row in enumerate(rows):
        for column in columns:
            want = expected[column].iloc[i]
            got = row[column]
            if column.endswith("_status"):
                assert got == str(want), (i, column)
            elif column.endswith("_answered"):
                assert int(got) == int(want), (i, column)
            elif pd.isna(want):
                assert got == "", (i, column, got)
            else:
                assert float(got) == float(want), (i, column, got, want)


def write_zero_based_sav(path: Path) -> Path:
    """Write a .sav: items wai1..wai12 coded 0–4 with anchor labels, -9 'not asked' (user
    missing) and one unlabelled 7; ids x1, x2."""
    import pyreadstat

    columns = [f"wai{n}" for n in range(1, 13)]
    rows = [[0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1], [4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 7, -9]]
    frame = pd.DataFrame(np.asarray(rows, dtype=float), columns=columns)
    frame.insert(0, "id", ["x1", "x2"])
    labels = {code - 1: label for code, label in WAI_SR_ANCHORS.items()} | {-9: "Not asked"}
    pyreadstat.write_sav(
        frame,
        str(path),
        variable_value_labels=dict.fromkeys(columns, labels),
        missing_ranges={column: [-9] for column in columns},
    )
    return path


@contextmanager
def quiet() -> Iterator[None]:
    """Silence the provisional-key warning (for tests about something else)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", am.AllianceMetricsWarning)
        yield


def definition(**overrides: Any) -> dict[str, Any]:
    """A minimal valid instrument definition (4 items, 1–5, two subscales and a total)."""
    base: dict[str, Any] = {
        "id": "test-inst",
        "name": "Test instrument",
        "short_name": "TI",
        "version": "1.0.0",
        "rater": "client",
        "citations": [{"text": "Nobody (2024). A test."}],
        "response_scale": {
            "min": 1,
            "max": 5,
            "step": 1,
            "anchors": [{"value": 1, "label": "Never"}, {"value": 5, "label": "Always"}],
        },
        "items": [{"id": f"item{n}", "number": n} for n in range(1, 5)],
        "scales": [
            {"id": "a", "name": "A", "kind": "subscale", "items": ["item1", "item2"]},
            {"id": "b", "name": "B", "kind": "subscale", "items": ["item3", "item4"]},
            {
                "id": "total",
                "name": "Total",
                "kind": "total",
                "items": [f"item{n}" for n in range(1, 5)],
            },
        ],
        "status": {"level": "verified"},
        "licence": "CC0",
    }
    base.update(overrides)
    return base


def run_cli(capsys: Any, *argv: object) -> tuple[int, str, str]:
    """Run the command line in-process with ``argv``: exit code, stdout, stderr."""
    from alliance_metrics.cli import main

    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err
