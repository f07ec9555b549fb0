"""Qualtrics CSV exports: header rows, previews, ImportIds, recode checks, end-to-end scores."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import alliance_metrics as am
from alliance_metrics.io.qualtrics import read_qualtrics

FIXTURES = Path(__file__).parent / "fixtures" / "exports"
CURRENT = FIXTURES / "qualtrics_current.csv"
LEGACY = FIXTURES / "qualtrics_legacy.csv"
IMPORT_IDS = FIXTURES / "qualtrics_import_ids.csv"
MATRIX = [f"Q5_{n}" for n in range(1, 13)]


def _total(values: list[float | None]) -> float:
    value = am.score(values, "wai-sr").scales["total"].value
    assert value is not None
    return value


def test_current_format_skips_header_rows_and_previews() -> None:
    data = read_qualtrics(CURRENT, "wai-sr")
    assert data.source == "qualtrics"
    assert data.id_columns == ("ResponseId",)
    assert data.excluded == {"survey preview (Status 1)": 1, "survey test (Status 2)": 1}
    assert data.frame["ResponseId"].tolist() == [
        "R_3kXw9aQz1bL2mNp",
        "R_6yHh2LkP0oQ9wEr",
        "R_9bVc4XzQ1aS8dFg",
    ]
    # header rows 2 and 3 are never data
    assert not data.frame.astype(str).apply(lambda c: c.str.contains("ImportId")).any().any()
    assert "Response ID" not in data.frame["ResponseId"].tolist()
    assert data.item_columns == {f"item{n}": f"Q5_{n}" for n in range(1, 13)}
    # metadata and embedded data are kept; embedded ids keep their leading zeros
    assert {"StartDate", "Status", "Progress", "Finished", "Q6", "client_id"} <= set(data.frame)
    assert data.frame["client_id"].tolist() == ["007", "007", "012"]
    assert data.frame.loc[1, "Q6"] == 'said "thanks", then left'


def test_current_format_scores_end_to_end_with_ids() -> None:
    data = read_qualtrics(CURRENT, "wai-sr")
    scored = am.score_frame(data.frame, "wai-sr", columns=data.item_columns, on_invalid="missing")
    assert scored[["ResponseId", "client_id", "session"]].values.tolist() == [
        ["R_3kXw9aQz1bL2mNp", "007", "1"],
        ["R_6yHh2LkP0oQ9wEr", "007", "2"],
        ["R_9bVc4XzQ1aS8dFg", "012", "1"],
    ]
    expected_third = _total([3, 3, 4, None, 3, 3, 2, 3, None, 3, None, 3])
    np.testing.assert_allclose(
        scored["wai_sr_total"].to_numpy(),
        [
            _total([4, 4, 5, 4, 3, 4, 5, 4, 4, 3, 4, 4]),
            _total([5, 4, 5, 5, 4, 4, 5, 5, 4, 4, 5, 5]),
            expected_third,
        ],
    )
    assert scored["wai_sr_status"].tolist() == ["ok", "ok", "invalid"]


def test_values_outside_the_range_are_named_never_recoded() -> None:
    data = read_qualtrics(CURRENT, "wai-sr")
    assert len(data.notes) == 1
    assert "'Q5_9' (1 cell above)" in data.notes[0]
    assert "(6" not in data.notes[0]  # a respondent's answer is never in a note
    assert "Recode Values" in data.notes[0]
    assert data.frame.loc[2, "Q5_9"] == "6"
    report = am.validate_frame(data.frame, "wai-sr", columns=data.item_columns)
    assert report.failure_cases[["row", "column", "code"]].values.tolist() == [
        [2, "Q5_9", "out_of_range"]
    ]


def test_include_previews_keeps_every_response() -> None:
    data = read_qualtrics(CURRENT, "wai-sr", include_previews=True)
    assert data.excluded == {}
    assert data.frame["Status"].tolist() == ["0", "1", "2", "0", "0"]


def test_import_ids_that_disagree_with_the_header_are_reported() -> None:
    data = read_qualtrics(IMPORT_IDS, "wai-sr")
    assert data.item_columns is not None
    assert data.item_columns["item3"] == "Q5_3"
    assert len(data.notes) == 1
    assert "'Q5_3' has ImportId QID20_7" in data.notes[0]
    assert "use_import_ids=True" in data.notes[0]


def test_use_import_ids_numbers_items_by_import_id() -> None:
    data = read_qualtrics(IMPORT_IDS, "wai-sr", use_import_ids=True)
    assert data.item_columns is not None
    assert data.item_columns["item3"] == "Q5_7"
    assert data.item_columns["item7"] == "Q5_3"
    assert data.notes == (
        "Items numbered by ImportId, not by the header: 'Q5_7' is item 3 (QID20_3); "
        "'Q5_3' is item 7 (QID20_7).",
    )
    values = data.frame.loc[0, [data.item_columns[f"item{n}"] for n in range(1, 13)]].tolist()
    assert values == list("445444144444")
    scored = am.score_frame(data.frame, "wai-sr", columns=data.item_columns)
    assert scored.loc[0, "wai_sr_total"] == pytest.approx(_total(values))


def test_legacy_format_with_v_columns_and_choice_text() -> None:
    data = read_qualtrics(LEGACY, "wai-sr")
    assert data.id_columns == ("ResponseID",)
    assert data.excluded == {"survey preview (Status 1)": 1}
    assert list(data.frame.columns[:10]) == [
        "ResponseID",
        "ResponseSet",
        "Name",
        "ExternalDataReference",
        "EmailAddress",
        "IPAddress",
        "Status",
        "StartDate",
        "EndDate",
        "Finished",
    ]
    assert data.frame.loc[0, "Q5_3"] == "Always"
    assert data.frame["client_id"].tolist() == ["031", "032"]
    scored = am.score_frame(data.frame, "wai-sr", columns=data.item_columns)
    assert scored[["ResponseID", "client_id"]].values.tolist() == [
        ["R_bK2xYz0aLp4QrSt", "031"],
        ["R_cV7nM1qW3eR5tYu", "032"],
    ]
    np.testing.assert_allclose(
        scored["wai_sr_total"].to_numpy(),
        [
            _total([4, 4, 5, 4, 3, 4, 5, 4, 4, 3, 4, 4]),
            _total([2, 2, 3, 2, None, 2, 2, 3, 2, 2, 2, 2]),
        ],
    )
    assert scored["wai_sr_status"].tolist() == ["ok", "prorated"]


def test_lines_count_header_rows_and_previews() -> None:
    # current: header rows 1-3 (row 2 holds a quoted line break: still one row); previews on 5, 6
    assert read_qualtrics(CURRENT, "wai-sr").line_numbers().tolist() == [4, 7, 8]
    every = read_qualtrics(CURRENT, "wai-sr", include_previews=True)
    assert every.line_numbers().tolist() == [4, 5, 6, 7, 8]
    # legacy: header rows 1-2, a preview on line 4
    assert read_qualtrics(LEGACY, "wai-sr").line_numbers().tolist() == [3, 5]


def test_every_column_is_the_text_of_the_file() -> None:
    data = read_qualtrics(FIXTURES / "qualtrics_text.csv", "wai-sr")
    frame = data.frame
    for column in frame.columns:
        assert isinstance(frame[column].dtype, pd.StringDtype)
    assert frame["Q7"].tolist() == ["02139", "00123", "-99"]  # text entry keeps its zeros
    assert frame["mrn"].tolist() == ["12345678901234567890123", "NA", ""]
    assert frame["client_id"].tolist() == ["00123", "1e5", "12345678901234567890123"]
    assert frame["Progress"].tolist() == ["100"] * 3
    assert frame["LocationLatitude"].tolist() == ["40.0150", "", ""]
    assert frame["Q6"].tolist() == ['said "thanks", then left', "line one\nline two", " padded "]


def test_legacy_format_with_named_first_row(tmp_path: Path) -> None:
    path = tmp_path / "legacy_named.csv"
    path.write_text(
        "ResponseID,ResponseSet,StartDate,EndDate,Finished,Status,Q1_1,Q1_2,Q1_3\n"
        "ResponseID,ResponseSet,StartDate,EndDate,Finished,Status,Item 1,Item 2,Item 3\n"
        "R_a,Default Response Set,2016-01-01,2016-01-01,1,0,4,5,4\n",
        encoding="utf-8",
    )
    data = read_qualtrics(path, "wai-b3")
    assert data.frame["ResponseID"].tolist() == ["R_a"]
    assert am.score_frame(data.frame, "wai-b3", columns=data.item_columns)[
        "wai_b3_status"
    ].tolist() == ["ok"]


def test_export_without_metadata_rows_is_read_and_said_so(tmp_path: Path) -> None:
    path = tmp_path / "stripped.csv"
    path.write_text("StartDate,Status,ResponseId,Q1_1,Q1_2,Q1_3\nx,0,R_a,4,5,4\n", encoding="utf-8")
    data = read_qualtrics(path, "wai-b3")
    assert len(data.frame) == 1
    assert data.line_numbers().tolist() == [2]
    assert "row 2 was read as data" in data.notes[0]


def test_choice_text_status_values_are_recognised(tmp_path: Path) -> None:
    path = tmp_path / "text.csv"
    path.write_text(
        "StartDate,Status,ResponseId,Q1_1,Q1_2,Q1_3\n"
        "Start Date,Response Type,Response ID,a,b,c\n"
        "x,IP Address,R_a,Always,Always,Always\n"
        "x,Survey Preview,R_b,Seldom,Seldom,Seldom\n"
        "x,Survey Test,R_c,Seldom,Seldom,Seldom\n",
        encoding="utf-8",
    )
    data = read_qualtrics(path, "wai-b3")
    assert data.frame["ResponseId"].tolist() == ["R_a"]
    assert data.n_excluded == 2


def test_seen_but_unanswered_code_gets_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "seen.csv"
    path.write_text("Status,ResponseId,Q1_1,Q1_2,Q1_3\n0,R_a,4,-99,4\n", encoding="utf-8")
    data = read_qualtrics(path, "wai-b3")
    assert "seen but unanswered" in data.notes[-1]


def test_use_import_ids_needs_the_import_id_row() -> None:
    with pytest.raises(am.InputFormatError, match="no ImportId row"):
        read_qualtrics(LEGACY, "wai-sr", use_import_ids=True)


def test_use_import_ids_without_a_matching_matrix(tmp_path: Path) -> None:
    with pytest.raises(am.InputFormatError, match="No matrix question"):
        read_qualtrics(CURRENT, "wai-c", use_import_ids=True)


def test_unresolvable_items_leave_detection_to_scoring(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("Status,ResponseId,mood\n0,R_a,3\n", encoding="utf-8")
    data = read_qualtrics(path, "wai-b3")
    assert data.item_columns is None


def test_not_a_qualtrics_export(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("id,q1\n1,2\n", encoding="utf-8")
    with pytest.raises(am.InputFormatError, match="no 'ResponseId' column"):
        read_qualtrics(path, "wai-b3")


def test_flags_must_be_bools() -> None:
    with pytest.raises(am.InvalidParameterError, match="'include_previews' parameter"):
        read_qualtrics(CURRENT, "wai-sr", include_previews="yes")  # type: ignore[arg-type]


def test_import_ids_of_a_longer_matrix_are_refused() -> None:
    with pytest.raises(am.InputFormatError, match="longer form than 'wai-b3'"):
        read_qualtrics(CURRENT, "wai-b3", use_import_ids=True)
