"""The errors file points at the line a spreadsheet shows: header = 1, blank lines count, a record
with a quoted line break counts once; its id columns name the respondent's row."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

import alliance_metrics as am

TEXT = (
    "\n"  # a blank line before the header: the header is line 2
    "id,note,wai_1,wai_2,wai_3\n"  # line 2
    "a1,,4,5,4\n"  # line 3
    "\n"  # line 4, blank
    'a2,"two\nlines",9,4,4\n'  # line 5 (one record)
    "\r\n"  # line 6, blank
    "a3,,x,4,4\n"  # line 7
)


def _errors(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("block", [16, 4 * 1024 * 1024])
@pytest.mark.parametrize("coding", ["label", "position"])
def test_lines_count_as_a_spreadsheet_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int, coding: str
) -> None:
    import alliance_metrics.io.csv as am_csv

    monkeypatch.setattr(am_csv, "_BLOCK_BYTES", block)
    source = tmp_path / "in.csv"
    source.write_text(TEXT, newline="")
    summary = am.score_csv(source, tmp_path / "o.csv", "wai-b3", coding=coding)
    rows = _errors(tmp_path / "o.errors.csv")
    assert [(r["row"], r["line"], r["id"], r["column"]) for r in rows] == [
        ("1", "5", "a2", "wai_1"),
        ("2", "7", "a3", "wai_1"),
    ]
    assert summary.rows == 3
    for row in rows:
        assert _row_at_line(TEXT, int(row["line"]))[0] == row["id"]


def _row_at_line(text: str, line: int) -> list[str]:
    """The record a spreadsheet shows on ``line`` (1-based; blank lines are empty rows)."""
    records: list[list[str]] = []
    for record in csv.reader(io.StringIO(text.replace("\r\n", "\n"), newline=""), strict=True):
        records.append(record)
    # csv.reader yields [] for a blank line, so record i is on line i + 1
    return records[line - 1]


def test_the_id_column_can_be_chosen(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(TEXT, newline="")
    am.score_csv(source, tmp_path / "o.csv", "wai-b3", id_columns=["note"])
    rows = _errors(tmp_path / "o.errors.csv")
    assert [r["note"] for r in rows] == ["two\nlines", ""]
    assert "id" not in rows[0]
