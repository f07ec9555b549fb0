"""Exports end to end: every column that is not an item leaves the scored output as it was written
in the export, and every failure in the errors file points at its line of the export.

The oracle is the export itself, read with Python's csv module: ``records[line - 1]`` is the row
a spreadsheet shows as ``line`` (header = line 1; a blank line is a row; a quoted cell holding a
line break stays in its row). The lines of the administrations are written out by hand below,
from the fixture generator's docstrings (tests/fixtures/exports/make_fixtures.py).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import alliance_metrics as am
from alliance_metrics.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "exports"
DICTIONARY = FIXTURES / "redcap_dictionary.csv"
WAI = [f"wai_{n}" for n in range(1, 13)]
Q5 = [f"Q5_{n}" for n in range(1, 13)]
HOSTILE = {"00123", "02139", "12345678901234567890123", "1e5"}
"""Cells that a numeric reading would rewrite (123, 2139, 1.2345678901234568e+22, 100000)."""


def records(path: Path) -> list[list[str]]:
    """Every row of a CSV file as a spreadsheet numbers them (``records[line - 1]``)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def named(header: list[str]) -> dict[str, int]:
    return {name: j for j, name in enumerate(header)}


def legacy_names(rows: list[list[str]]) -> dict[str, int]:
    """Legacy Qualtrics: ``V1``, ``V2``, … in row 1 are named by row 2."""
    header = [rows[1][j] if re.fullmatch(r"V\d+", h) else h for j, h in enumerate(rows[0])]
    return named(header)


@dataclass(frozen=True)
class Case:
    """An export, how it is scored, and what the test knows about it from its construction."""

    path: Path
    options: tuple[str, ...]
    lines: list[int]
    """Lines of the administrations, in output order."""
    items: list[str]
    errors: set[tuple[int, str]]
    """(line, column) of every rejected cell."""
    ids: list[str]
    passed: list[str] | None = None
    """Non-item columns expected in the output (``None``: every non-item column of the file)."""
    names: Callable[[list[list[str]]], dict[str, int]] = field(default=lambda r: named(r[0]))
    items_as_given: bool = True


REDCAP_PASSED = [
    "record_id", "redcap_event_name", "redcap_repeat_instance", "redcap_data_access_group",
    "redcap_survey_identifier", "wai_sr_timestamp", "wai_comment", "wai_sr_complete",
]  # fmt: skip
REDCAP_IDS = ["record_id", "redcap_event_name", "redcap_repeat_instance"]
REDCAP_LINES = [3, 5, 6, 8, 9, 10]
CASES = {
    "redcap": Case(
        FIXTURES / "redcap_text.csv",
        (),
        REDCAP_LINES,
        WAI,
        {(5, "wai_4"), (8, "wai_7")},
        REDCAP_IDS,
        REDCAP_PASSED,
    ),
    "redcap-dictionary": Case(
        FIXTURES / "redcap_text.csv",
        ("--dictionary", str(DICTIONARY)),
        REDCAP_LINES,
        WAI,
        {(5, "wai_4"), (8, "wai_7")},
        REDCAP_IDS,
        REDCAP_PASSED,
        items_as_given=False,  # codes read through the dictionary's choices
    ),
    "qualtrics-current": Case(
        FIXTURES / "qualtrics_text.csv", (), [4, 6, 7], Q5, {(6, "Q5_9")}, ["ResponseId"]
    ),
    "qualtrics-previews": Case(
        FIXTURES / "qualtrics_text.csv",
        ("--include-previews",),
        [4, 5, 6, 7],
        Q5,
        {(6, "Q5_9")},
        ["ResponseId"],
    ),
    "qualtrics-legacy": Case(
        FIXTURES / "qualtrics_legacy_text.csv",
        (),
        [3, 5],
        Q5,
        {(5, "Q5_2")},
        ["ResponseID"],
        names=legacy_names,
    ),
    "qualtrics-choice-text": Case(
        FIXTURES / "qualtrics_choice_text.csv", (), [4, 6], Q5, {(6, "Q5_4")}, ["ResponseId"]
    ),
}


def run(command: str, case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    output = ["-o", str(tmp_path / "o.csv")] if command == "score" else []
    errors = ["--errors", str(tmp_path / "o.errors.csv")]
    argv = [command, str(case.path), "-i", "wai-sr", *output, *errors, *case.options]
    code = main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert code == (1 if case.errors else 0), err
    return err


def rows_of(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    text = path.read_bytes().decode("utf-8")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


@pytest.mark.parametrize("name", list(CASES))
def test_non_item_columns_pass_through_byte_for_byte(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = CASES[name]
    run("score", case, tmp_path, capsys)
    source = records(case.path)
    position = case.names(source)
    header, rows = rows_of(tmp_path / "o.csv")
    added = {c for c in header if c.startswith("wai_sr_") and c not in position}
    passed = [c for c in header if c not in added and c not in case.items]
    expected = case.passed if case.passed is not None else [
        c for c in position if c not in case.items
    ]  # fmt: skip
    assert passed == expected
    assert len(rows) == len(case.lines)
    seen: set[str] = set()
    checked = passed + (case.items if case.items_as_given else [])
    for row, line in zip(rows, case.lines, strict=True):
        record = source[line - 1]
        for column in checked:
            assert row[column] == record[position[column]], (line, column)
        seen |= {row[c] for c in passed}
    if name != "qualtrics-legacy":  # the legacy fixture holds only some of them
        assert seen >= HOSTILE


@pytest.mark.parametrize("command", ["score", "validate"])
@pytest.mark.parametrize("name", list(CASES))
def test_errors_file_lines_and_ids_point_at_the_export(
    name: str, command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = CASES[name]
    run(command, case, tmp_path, capsys)
    source = records(case.path)
    position = case.names(source)
    header, errors = rows_of(tmp_path / "o.errors.csv")
    assert header == ["row", "line", *case.ids, "column", "value", "code", "message"]
    assert {(int(e["line"]), e["column"]) for e in errors} == case.errors
    for error in errors:
        record = source[int(error["line"]) - 1]
        assert record[position[error["column"]]].strip() == error["value"]
        for column in case.ids:
            assert error[column] == record[position[column]]
        assert case.lines[int(error["row"])] == int(error["line"])


def test_blank_lines_are_counted_as_spreadsheet_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "gaps.csv"
    path.write_bytes(
        b"\r\nrecord_id,redcap_event_name,b1,b2,b3,wai_b3_complete\r\n"
        b"00123,week_1,4,5,4,2\r\n\r\n   \r\n02139,week_1,4,9,4,2\r\n"
        b",,,,,\r\n1e5,week_1,x,4,4,2\r\n\r\n"
    )
    data = am.read_redcap(path, "wai-b3")
    assert data.line_numbers().tolist() == [3, 6, 8]
    assert data.frame["record_id"].tolist() == ["00123", "02139", "1e5"]
    assert main(["score", str(path), "-i", "wai-b3", "-o", str(tmp_path / "o.csv")]) == 1
    capsys.readouterr()
    source = records(path)
    _, errors = rows_of(tmp_path / "o.errors.csv")
    assert [(e["line"], e["record_id"], e["column"]) for e in errors] == [
        ("6", "02139", "b2"),
        ("8", "1e5", "b1"),
    ]
    assert [source[5][3], source[7][2]] == ["9", "x"]


# --- SPSS: typed values written as SPSS shows them --------------------------------------------

SAV_ITEMS = [f"wai{n}" for n in range(1, 13)]


def write_sav(path: Path, columns: dict[str, list[object]], formats: dict[str, str]) -> Path:
    import numpy as np
    import pandas as pd
    import pyreadstat

    frame = pd.DataFrame(columns)
    n = len(frame)
    answers = np.full((n, 12), 4.0)
    answers[1, 2] = 7.0  # case 2, wai3: out of range
    for j, item in enumerate(SAV_ITEMS):
        frame[item] = answers[:, j]
    pyreadstat.write_sav(frame, str(path), variable_format=formats)
    return path


def test_spss_variables_are_written_as_spss_shows_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import date, datetime

    nan = float("nan")
    path = write_sav(
        tmp_path / "text.sav",
        {
            "client": ["00123", "12345678901234567890123", "1e5", ""],
            "zip": [2139.0, 123.0, nan, 99999.0],
            "record": [123.0, 4567.0, 1e15, nan],
            "visit": [date(2024, 1, 10), date(2024, 2, 29), None, date(1999, 12, 31)],
            "stamp": [datetime(2024, 1, 10, 10, 2, 11), datetime(2024, 2, 1, 9, 0), None, None],
            "note": ['said "thanks", then left', "a, b", "line one\nline two", ""],
        },
        {"zip": "N5", "record": "F16.0"},
    )
    code = main(["score", str(path), "-i", "wai-sr", "-o", str(tmp_path / "o.csv")])
    assert code == 1, capsys.readouterr().err
    header, rows = rows_of(tmp_path / "o.csv")
    assert header[:6] == ["client", "zip", "record", "visit", "stamp", "note"]
    assert [[row[c] for c in header[:6]] for row in rows] == [
        ["00123", "02139", "123", "2024-01-10", "2024-01-10 10:02:11", 'said "thanks", then left'],
        ["12345678901234567890123", "00123", "4567", "2024-02-29", "2024-02-01 09:00:00", "a, b"],
        ["1e5", "", "1000000000000000", "", "", "line one\nline two"],
        ["", "99999", "", "1999-12-31", "", ""],
    ]
    assert [row["wai1"] for row in rows] == ["4"] * 4  # no spurious ".0"
    _, errors = rows_of(tmp_path / "o.errors.csv")
    assert [(e["row"], e["line"], e["column"], e["value"]) for e in errors] == [
        ("1", "3", "wai3", "7")  # case 2 is line 3: the row a CSV export of the file gives it
    ]


def test_spss_long_and_mixed_numbers_are_written_without_exponent_or_dot_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_sav(
        tmp_path / "numbers.sav",
        {"mrn": [1.2345678901234568e22, 2.0, 3.0, 4.0], "dose": [1.0, 2.5, 0.00001, 3.0]},
        {"mrn": "F23.0", "dose": "F8.5"},
    )
    main(["score", str(path), "-i", "wai-sr", "-o", str(tmp_path / "o.csv")])
    capsys.readouterr()
    _, rows = rows_of(tmp_path / "o.csv")
    assert re.fullmatch(r"\d{23}", rows[0]["mrn"])
    assert float(rows[0]["mrn"]) == 1.2345678901234568e22
    assert [row["dose"] for row in rows] == ["1", "2.5", "0.00001", "3"]


def test_spss_time_variables_are_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import time

    path = write_sav(
        tmp_path / "time.sav", {"at": [time(10, 2, 11), time(9, 0), time(0, 0), time(23, 59)]}, {}
    )
    main(["score", str(path), "-i", "wai-sr", "-o", str(tmp_path / "o.csv")])
    capsys.readouterr()
    _, rows = rows_of(tmp_path / "o.csv")
    assert [row["at"] for row in rows] == ["10:02:11", "09:00:00", "00:00:00", "23:59:00"]
