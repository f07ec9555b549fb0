"""Exports end to end through the CLI (REDCap, Qualtrics, SPSS, paper positions), ids carried.

Long-format data has no CLI path: it is reshaped with ``am.long_to_wide`` and scored in Python.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import alliance_metrics as am
from alliance_metrics.cli import main
from helpers import WAI_SR_ANCHORS, write_zero_based_sav

FIXTURES = Path(__file__).parent / "fixtures" / "exports"
REDCAP = FIXTURES / "redcap_longitudinal.csv"
REDCAP_LABELS = FIXTURES / "redcap_labels.csv"
DICTIONARY = FIXTURES / "redcap_dictionary.csv"
QUALTRICS = FIXTURES / "qualtrics_current.csv"
QUALTRICS_LEGACY = FIXTURES / "qualtrics_legacy.csv"
QUALTRICS_IMPORT_IDS = FIXTURES / "qualtrics_import_ids.csv"
PAPER = FIXTURES / "paper_positions.csv"
LONG = FIXTURES / "long_format.csv"
ITEMS = [f"wai_{n}" for n in range(1, 13)]
ERROR_PREFIX = "alliance-metrics: error: "


def cli(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def rows_of(path: Path) -> list[dict[str, str]]:
    text = path.read_bytes().decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def total(values: list[float | None]) -> float:
    value = am.score(values, "wai-sr").scales["total"].value
    assert value is not None
    return value


def summary_line(err: str) -> str:
    lines = [line for line in err.splitlines() if not line.startswith("alliance-metrics: note:")]
    assert len(lines) == 1, err
    assert re.search(r"\[\d+\.\d\d s\]$", lines[0]), lines[0]
    return lines[0]


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- REDCap ------------------------------------------------------------------------------------


def test_redcap_longitudinal_with_dictionary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "scored.csv"
    code, out, err = cli(
        capsys, "score", REDCAP, "-i", "wai-sr", "--dictionary", DICTIONARY, "-o", output
    )
    assert code == 1
    assert out == ""
    line = summary_line(err)
    assert line.startswith("alliance-metrics: redcap export: 5 administrations (5 rows left out — ")
    assert "no data in form 'wai_sr': 3" in line
    assert ", 3 ok, 0 prorated, 1 insufficient, 1 invalid → " in line
    assert "1 invalid cell in 1 row " in line
    assert names(tmp_path) == ["scored.csv", "scored.errors.csv"]
    rows = rows_of(output)
    ids = [(r["record_id"], r["redcap_event_name"], r["redcap_repeat_instance"]) for r in rows]
    assert ids == [
        ("001", "treatment_arm_1", "1"),
        ("001", "treatment_arm_1", "2"),
        ("002", "treatment_arm_1", "1"),
        ("002", "treatment_arm_1", "2"),
        ("101", "treatment_arm_2", "1"),
    ]
    assert [r["wai_sr_status"] for r in rows] == ["ok", "ok", "invalid", "insufficient", "ok"]
    assert float(rows[0]["wai_sr_total"]) == total([4, 4, 5, 4, 3, 4, 5, 4, 4, 3, 4, 4])
    assert float(rows[1]["wai_sr_total"]) == total([5, 4, 5, 5, 4, 4, 5, 5, 4, 4, 5, 5])
    assert rows[1]["wai_comment"] == "felt heard, mostly"
    assert rows[2]["wai_sr_total"] == ""  # 4 of 12 items unusable → 8 answered < 75 %
    assert rows[2]["wai_4"] == "6"  # the undeclared code is reported and shown as given
    assert float(rows[2]["wai_sr_task"]) == np.mean([3, 3, 3, 3])
    assert rows[4]["wai_sr_total"] == "2"
    assert "age" not in rows[0]  # other forms' fields are not carried
    errors = rows_of(tmp_path / "scored.errors.csv")
    assert [(e["row"], e["column"], e["value"], e["code"]) for e in errors] == [
        ("2", "wai_4", "6", "not_a_choice")
    ]
    assert "002" not in errors[0]["message"]


def test_redcap_validate_and_raise(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "validate", REDCAP, "-i", "wai-sr", "--dictionary", DICTIONARY)
    assert code == 1
    lines = err.splitlines()
    assert lines[0].startswith("row 2, column 'wai_4': ")
    assert lines[-1].startswith("alliance-metrics: invalid: redcap export: 5 administrations")
    code, _, err = cli(
        capsys,
        "score",
        REDCAP,
        "-i",
        "wai-sr",
        "--dictionary",
        DICTIONARY,
        "-o",
        tmp_path / "o.csv",
        "--on-invalid",
        "raise",
    )
    assert code == 1
    assert err.startswith(ERROR_PREFIX + "data problems, nothing written")
    assert names(tmp_path) == []


def test_redcap_label_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "o.csv"
    code, _, err = cli(capsys, "score", REDCAP_LABELS, "-i", "wai-sr", "-o", output)
    assert code == 1
    line = summary_line(err)
    expected = "redcap export: 2 administrations (3 rows left out — no data in form 'wai_sr': 3)"
    assert expected in line
    rows = rows_of(output)
    assert [(r["record_id"], r["redcap_event_name"]) for r in rows] == [
        ("001", "Session 1 (Arm 1: Treatment)"),
        ("002", "Session 1 (Arm 1: Treatment)"),
    ]
    assert float(rows[0]["wai_sr_total"]) == total([4, 4, 5, 4, 3, 4, 5, 4, 4, 3, 4, 4])
    assert rows[1]["wai_2"] == "very often "  # label cells as given
    assert rows[1]["wai_sr_status"] == "invalid"
    errors = rows_of(tmp_path / "o.errors.csv")
    assert [(e["row"], e["column"], e["value"], e["code"]) for e in errors] == [
        ("1", "wai_4", "Mostly", "not_a_number")
    ]


def test_exports_are_read_from_stdin_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / REDCAP.name  # errors files land beside it, never in the fixtures
    copy.write_bytes(REDCAP.read_bytes())
    monkeypatch.chdir(tmp_path)
    stdin = io.TextIOWrapper(io.BytesIO(copy.read_bytes()))
    monkeypatch.setattr(sys, "stdin", stdin)
    code, out, err = cli(capsys, "score", "-", "-i", "wai-sr")
    from_file = cli(capsys, "score", copy, "-i", "wai-sr", "-o", "-")
    assert code == from_file[0]
    assert out == from_file[1]
    assert "redcap export" in err


def test_dictionary_on_a_plain_csv_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(
        capsys, "score", PAPER, "-i", "wai-sr", "--dictionary", DICTIONARY, "-o", tmp_path / "o.csv"
    )
    assert code == 2
    assert err.startswith(ERROR_PREFIX + "The --dictionary option applies to REDCap exports only")
    assert names(tmp_path) == []


# --- Qualtrics ---------------------------------------------------------------------------------


def test_qualtrics_current_previews_left_out_and_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "o.csv"
    code, _, err = cli(capsys, "score", QUALTRICS, "-i", "wai-sr", "-o", output)
    assert code == 1
    notes = [line for line in err.splitlines() if line.startswith("alliance-metrics: note: ")]
    assert len(notes) == 1
    assert "'Q5_9' (1 cell above)" in notes[0]
    line = summary_line(err)
    assert (
        "qualtrics export: 3 administrations (2 rows left out — survey preview (Status 1): 1; "
        "survey test (Status 2): 1), 2 ok, 0 prorated, 0 insufficient, 1 invalid" in line
    )
    text = output.read_bytes().decode("utf-8")
    assert "ImportId" not in text
    assert "Response ID" not in text
    rows = rows_of(output)
    assert [(r["ResponseId"], r["client_id"], r["session"]) for r in rows] == [
        ("R_3kXw9aQz1bL2mNp", "007", "1"),
        ("R_6yHh2LkP0oQ9wEr", "007", "2"),
        ("R_9bVc4XzQ1aS8dFg", "012", "1"),
    ]
    assert rows[1]["Q6"] == 'said "thanks", then left'
    assert float(rows[0]["wai_sr_total"]) == total([4, 4, 5, 4, 3, 4, 5, 4, 4, 3, 4, 4])
    assert float(rows[2]["wai_sr_total"]) == total([3, 3, 4, None, 3, 3, 2, 3, None, 3, None, 3])
    assert [r["wai_sr_status"] for r in rows] == ["ok", "ok", "invalid"]
    errors = rows_of(tmp_path / "o.errors.csv")
    assert [(e["row"], e["column"], e["value"], e["code"]) for e in errors] == [
        ("2", "Q5_9", "6", "out_of_range")
    ]


def test_qualtrics_include_previews(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "o.csv"
    code, _, err = cli(
        capsys, "score", QUALTRICS, "-i", "wai-sr", "-o", output, "--include-previews"
    )
    assert code == 1
    assert "left out" not in summary_line(err)
    assert [r["Status"] for r in rows_of(output)] == ["0", "1", "2", "0", "0"]


def test_qualtrics_parquet_keeps_types(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "o.parquet"
    code, _, _ = cli(
        capsys, "score", QUALTRICS, "-i", "wai-sr", "-o", output, "--format", "parquet"
    )
    assert code == 1
    table = pq.read_table(output)
    assert table.column("client_id").to_pylist() == ["007", "007", "012"]
    assert table.schema.field("wai_sr_total").type == pa.float64()
    assert table.schema.field("wai_sr_total_answered").type == pa.int64()
    assert table.schema.field("wai_sr_status").type == pa.string()
    assert table.column("wai_sr_total_answered").to_pylist() == [12, 12, 9]


def test_qualtrics_legacy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "o.csv"
    code, _, err = cli(capsys, "score", QUALTRICS_LEGACY, "-i", "wai-sr", "-o", output)
    assert code == 0, err
    line = summary_line(err)
    expected = "qualtrics export: 2 administrations (1 row left out — survey preview (Status 1): 1)"
    assert expected in line
    assert ", 1 ok, 1 prorated, 0 insufficient, 0 invalid → " in line
    assert names(tmp_path) == ["o.csv"]
    rows = rows_of(output)
    assert [(r["ResponseID"], r["client_id"]) for r in rows] == [
        ("R_bK2xYz0aLp4QrSt", "031"),
        ("R_cV7nM1qW3eR5tYu", "032"),
    ]
    assert float(rows[0]["wai_sr_total"]) == total([4, 4, 5, 4, 3, 4, 5, 4, 4, 3, 4, 4])
    assert float(rows[1]["wai_sr_total"]) == total([2, 2, 3, 2, None, 2, 2, 3, 2, 2, 2, 2])
    assert [r["wai_sr_status"] for r in rows] == ["ok", "prorated"]


def test_qualtrics_use_import_ids(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(
        capsys, "score", QUALTRICS_IMPORT_IDS, "-i", "wai-sr", "-o", "-", "--use-import-ids"
    )
    assert code == 0, err
    assert "alliance-metrics: note: Items numbered by ImportId" in err
    row = next(csv.DictReader(io.StringIO(out, newline="")))
    assert row["client_id"] == "007"
    assert float(row["wai_sr_total"]) == total([4, 4, 5, 4, 4, 4, 1, 4, 4, 4, 4, 4])
    assert float(row["wai_sr_bond"]) == np.mean([5, 4, 1, 4])  # items 3, 5, 7, 9


# --- SPSS --------------------------------------------------------------------------------------

SAV_ITEMS = [f"alliance_{letter}" for letter in "abcdefghijkl"]
ANCHORS = WAI_SR_ANCHORS


@pytest.fixture
def labelled_sav(tmp_path: Path) -> Path:
    """Items named without numbers, found by variable labels; 8/9 user-missing; session 99."""
    import pyreadstat

    path = tmp_path / "wai.sav"
    answers = [
        [4, 4, 5, 4, 3, 4, 5, 4, 4, 3, 4, 4],
        [5, 4, 5, 5, 9, 4, 5, 5, 4, 4, 5, 8],
        [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2],
    ]
    frame = pd.DataFrame(np.asarray(answers, dtype=float), columns=SAV_ITEMS)
    frame.insert(0, "client", ["007", "007", "012"])
    frame.insert(1, "session", [1.0, 2.0, 99.0])
    pyreadstat.write_sav(
        frame,
        str(path),
        column_labels={
            "client": "Client code",
            "session": "Session number",
            **{c: f"WAI-SR {n}: wording not reproduced" for n, c in enumerate(SAV_ITEMS, 1)},
        },
        variable_value_labels={c: {**ANCHORS, 8: "Don't know", 9: "Refused"} for c in SAV_ITEMS},
        missing_ranges={**{c: [{"lo": 8, "hi": 9}] for c in SAV_ITEMS}, "session": [99]},
    )
    return path


def test_spss_value_labels_and_user_missing_codes(
    labelled_sav: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "o.csv"
    code, _, err = cli(capsys, "score", labelled_sav, "-i", "wai-sr", "-o", output)
    assert code == 0, err
    assert "alliance-metrics: note: Item columns found by their SPSS variable labels" in err
    line = summary_line(err)
    assert "spss export: 3 administrations, 2 ok, 1 prorated, 0 insufficient, 0 invalid" in line
    rows = rows_of(output)
    assert [(r["client"], r["session"]) for r in rows] == [
        ("007", "1"),
        ("007", "2"),
        ("012", "99"),
    ]
    assert [r["alliance_e"] for r in rows] == ["3", "", "2"]  # 9 'Refused' is user-missing
    assert float(rows[1]["wai_sr_total"]) == total([5, 4, 5, 5, None, 4, 5, 5, 4, 4, 5, None])
    assert [r["wai_sr_status"] for r in rows] == ["ok", "prorated", "ok"]
    assert names(tmp_path) == ["o.csv", "wai.sav"]  # user-missing codes are not invalid cells


def test_spss_default_output_name_drops_the_extension(
    labelled_sav: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(capsys, "score", labelled_sav, "-i", "wai-sr")
    assert code == 0, err
    assert names(tmp_path) == ["wai.sav", "wai.scored.csv"]


def test_spss_codes_outside_the_labels_are_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_zero_based_sav(tmp_path / "zero.sav")
    output = tmp_path / "o.csv"
    code, _, err = cli(capsys, "score", path, "-i", "wai-sr", "-o", output)
    assert code == 1
    assert "0→1, 1→2, 2→3, 3→4, 4→5" in err
    rows = rows_of(output)
    assert [r["id"] for r in rows] == ["x1", "x2"]
    assert [r["wai_sr_status"] for r in rows] == ["ok", "invalid"]
    assert float(rows[0]["wai_sr_total"]) == total([1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2])
    errors = rows_of(tmp_path / "o.errors.csv")
    assert [(e["row"], e["column"], e["code"]) for e in errors] == [("1", "wai11", "not_a_choice")]


# --- long format (Python only) -----------------------------------------------------------------


def test_long_format_reshaped_and_scored_with_ids() -> None:
    long = pd.read_csv(LONG, dtype=str, keep_default_na=False)
    wide = am.long_to_wide(
        long, id_cols=["client", "session"], item_col="item", value_col="response"
    )
    scored = am.score_frame(wide, "wai-sr", on_invalid="missing")
    assert scored[["client", "session"]].values.tolist() == [
        ["c01", "1"],
        ["c01", "2"],
        ["c02", "1"],
    ]
    assert scored["wai_sr_total"].tolist() == [
        total([4, 4, 5, 4, 3, 4, 5, 4, 4, 3, 4, 4]),
        total([5, 4, 5, 5, 4, 4, 5, 5, 4, 4, 5, 5]),
        total([3, 3, 4, 3, None, 3, 2, 3, 3, 3, 3, 3]),
    ]
    assert scored["wai_sr_status"].tolist() == ["ok", "ok", "prorated"]


# --- paper forms keyed by position -------------------------------------------------------------


def _expected_from_positions() -> list[list[float | None]]:
    instrument = am.get_instrument("wai-sr")
    low, high = instrument.response_scale.min, instrument.response_scale.max
    ticks = pd.read_csv(PAPER, dtype=str, keep_default_na=False)
    values: list[list[float | None]] = []
    for _, row in ticks.iterrows():
        converted: list[float | None] = []
        for item, column in zip(instrument.items, ITEMS, strict=True):
            cell = row[column].strip()
            if not cell:
                converted.append(None)
            elif item.printed_order == "descending":
                converted.append(low + high - float(cell))
            else:
                converted.append(float(cell))
        values.append(converted)
    return values


def test_position_coding_converts_descending_items(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    descending = [
        i.number for i in am.get_instrument("wai-sr").items if i.printed_order == "descending"
    ]
    assert descending == [2, 5, 6, 8, 10, 11]
    output = tmp_path / "o.csv"
    code, _, err = cli(capsys, "score", PAPER, "-i", "wai-sr", "--coding", "position", "-o", output)
    assert code == 0, err
    rows = rows_of(output)
    assert [(r["client"], r["session"]) for r in rows] == [("p01", "1"), ("p02", "1")]
    expected = _expected_from_positions()
    for row, values in zip(rows, expected, strict=True):
        result = am.score(values, "wai-sr")
        for scale, score in result.scales.items():
            assert float(row[f"wai_sr_{scale}"]) == score.value, scale
            assert int(row[f"wai_sr_{scale}_answered"]) == score.answered, scale
        assert row["wai_sr_status"] == result.status
    assert [r["wai_sr_status"] for r in rows] == ["ok", "prorated"]
    assert float(rows[1]["wai_sr_total"]) == 1.0  # 'Seldom' throughout on the paper form
    label = tmp_path / "label.csv"
    code, _, _ = cli(capsys, "score", PAPER, "-i", "wai-sr", "-o", label)
    assert code == 0
    assert (
        rows_of(label)[1]["wai_sr_total"] != rows[1]["wai_sr_total"]
    )  # label coding never guesses


def test_position_coding_writes_item_cells_without_float_artefacts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "o.csv"
    code, _, err = cli(capsys, "score", PAPER, "-i", "wai-sr", "--coding", "position", "-o", output)
    assert code == 0, err
    for row in rows_of(output):
        cells = [row[c] for c in ITEMS]
        assert all(re.fullmatch(r"\d?", cell) for cell in cells), cells
