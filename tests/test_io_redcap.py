"""REDCap raw exports: administrations, ids, the data dictionary, labels, and end-to-end scores."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import alliance_metrics as am
from alliance_metrics.io.redcap import OTHER_REPEATING, read_redcap
from alliance_metrics.io.redcap_dictionary import parse_choices, read_dictionary

FIXTURES = Path(__file__).parent / "fixtures" / "exports"
EXPORT = FIXTURES / "redcap_longitudinal.csv"
LABELS = FIXTURES / "redcap_labels.csv"
DICTIONARY = FIXTURES / "redcap_dictionary.csv"
ITEMS = [f"wai_{n}" for n in range(1, 13)]


def _total(values: list[float]) -> float:
    value = am.score(values, "wai-sr").scales["total"].value
    assert value is not None
    return value


def _rewrite(source: Path, target: Path, replace: dict[str, str]) -> Path:
    text = source.read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    target.write_text(text, encoding="utf-8")
    return target


# --- rows, ids and columns ---------------------------------------------------------------------


def test_longitudinal_repeating_export_keeps_only_the_instruments_rows() -> None:
    data = read_redcap(EXPORT, "wai-sr")
    assert data.source == "redcap"
    assert data.id_columns == ("record_id", "redcap_event_name", "redcap_repeat_instance")
    assert data.excluded == {OTHER_REPEATING: 2, "no data in form 'wai_sr'": 3}
    assert len(data.frame) + data.n_excluded == 10
    assert data.frame["record_id"].tolist() == ["001", "001", "002", "002", "101"]
    assert data.frame["redcap_event_name"].tolist() == [
        "treatment_arm_1",
        "treatment_arm_1",
        "treatment_arm_1",
        "treatment_arm_1",
        "treatment_arm_2",
    ]
    assert data.frame["redcap_repeat_instance"].tolist() == ["1", "2", "1", "2", "1"]
    assert data.item_columns == {f"item{n}": f"wai_{n}" for n in range(1, 13)}
    # other forms' fields are not carried; the form's own non-item fields are
    assert "age" not in data.frame.columns
    assert "sess_date" not in data.frame.columns
    assert {"wai_sr_timestamp", "wai_comment", "wai_sr_complete"} <= set(data.frame.columns)
    assert data.issues.empty
    assert data.notes == ()


def test_longitudinal_export_scores_end_to_end_with_ids() -> None:
    data = read_redcap(EXPORT, "wai-sr", dictionary=DICTIONARY)
    scored = am.score_frame(data.frame, "wai-sr", columns=data.item_columns, on_invalid="missing")
    assert scored[list(data.id_columns)].astype(str).values.tolist() == [
        ["001", "treatment_arm_1", "1"],
        ["001", "treatment_arm_1", "2"],
        ["002", "treatment_arm_1", "1"],
        ["002", "treatment_arm_1", "2"],
        ["101", "treatment_arm_2", "1"],
    ]
    np.testing.assert_allclose(
        scored["wai_sr_total"].to_numpy(),
        [
            _total([4, 4, 5, 4, 3, 4, 5, 4, 4, 3, 4, 4]),
            _total([5, 4, 5, 5, 4, 4, 5, 5, 4, 4, 5, 5]),
            np.nan,
            np.nan,
            2.0,
        ],
    )
    assert scored["wai_sr_status"].tolist() == ["ok", "ok", "invalid", "insufficient", "ok"]


def test_dictionary_reports_codes_outside_the_declared_choices() -> None:
    data = read_redcap(EXPORT, "wai-sr", dictionary=DICTIONARY)
    assert data.issues[["row", "column", "value", "code"]].values.tolist() == [
        [2, "wai_4", "6", "not_a_choice"]
    ]
    message = data.issues.loc[0, "message"]
    assert message.startswith("row 2, column 'wai_4': ")
    assert "002" not in message  # rows and columns, never respondent identifiers
    assert data.frame.loc[2, "wai_4"] == "6"  # left as given: validation reports it too
    report = am.validate_frame(data.frame, "wai-sr", columns=data.item_columns)
    assert report.failure_cases[["row", "column"]].values.tolist() == [[2, "wai_4"]]


def test_every_column_is_the_text_of_the_file() -> None:
    frame = read_redcap(EXPORT, "wai-sr").frame
    assert frame["record_id"].iloc[0] == "001"
    for column in frame.columns:  # items too: validation parses them with the shared rules
        assert isinstance(frame[column].dtype, pd.StringDtype)
    assert frame["wai_sr_timestamp"].tolist()[2:4] == ["[not completed]", ""]


def test_lines_count_the_header_and_the_rows_left_out() -> None:
    # header = line 1; lines 2, 5, 6, 9 and 11 belong to other forms
    assert read_redcap(EXPORT, "wai-sr").line_numbers().tolist() == [3, 4, 7, 8, 10]
    labels = read_redcap(LABELS, "wai-sr", dictionary=DICTIONARY)
    assert labels.lines is not None
    assert labels.line_numbers().tolist() == [3, 6]


def test_lines_follow_quoted_line_breaks_as_one_row(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text(
        'record_id,b1,b2,b3,note,wai_b3_complete\n1,4,4,4,"two\nlines",2\n\n2,,,,,0\n3,5,5,5,,2\n',
        encoding="utf-8",
    )
    data = read_redcap(path, "wai-b3")
    assert data.frame["note"].tolist() == ["two\nlines", ""]
    assert data.line_numbers().tolist() == [2, 5]


def test_trailing_unnamed_empty_columns_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "trailing.csv"
    path.write_text("record_id,b1,b2,b3,wai_b3_complete,,\n007,4,4,4,2,,\n", encoding="utf-8")
    data = read_redcap(path, "wai-b3")
    assert list(data.frame.columns) == ["record_id", "b1", "b2", "b3", "wai_b3_complete"]
    assert data.frame["record_id"].tolist() == ["007"]


def test_event_without_data_in_the_form_is_left_out_even_with_status_zero(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(
        "study_id,redcap_event_name,b1,b2,b3,wai_b3_complete,mood,visit_complete\n"
        "A-01,week_1_arm_1,4,5,4,2,3,2\n"
        "A-01,week_2_arm_1,,,,0,2,2\n"
        "A-01,week_3_arm_1,,,,2,,0\n",
        encoding="utf-8",
    )
    data = read_redcap(path, "wai-b3")
    assert data.id_columns == ("study_id", "redcap_event_name")
    assert data.frame["redcap_event_name"].tolist() == ["week_1_arm_1", "week_3_arm_1"]
    assert data.excluded == {"no data in form 'wai_b3'": 1}
    scored = am.score_frame(data.frame, "wai-b3", columns=data.item_columns)
    assert scored["wai_b3_status"].tolist() == ["ok", "insufficient"]


def test_repeating_event_rows_count_by_their_data(tmp_path: Path) -> None:
    path = tmp_path / "repeating_event.csv"
    path.write_text(
        "record_id,redcap_event_name,redcap_repeat_instrument,redcap_repeat_instance,"
        "b1,b2,b3,wai_b3_complete\n"
        "1,sessions_arm_1,,1,4,4,4,2\n"
        "1,sessions_arm_1,,2,5,5,5,2\n"
        "1,sessions_arm_1,,3,,,,0\n",
        encoding="utf-8",
    )
    data = read_redcap(path, "wai-b3")
    assert data.frame["redcap_repeat_instance"].tolist() == ["1", "2"]
    assert data.excluded == {"no data in form 'wai_b3'": 1}


# --- choosing the form ---------------------------------------------------------------------


def _two_forms(tmp_path: Path) -> Path:
    path = tmp_path / "two_forms.csv"
    path.write_text(
        "record_id,c1,c2,c3,client_complete,t1,t2,t3,therapist_complete\n1,4,4,4,2,3,3,3,2\n",
        encoding="utf-8",
    )
    return path


def test_ambiguous_forms_ask_for_the_form_parameter(tmp_path: Path) -> None:
    path = _two_forms(tmp_path)
    with pytest.raises(am.InputFormatError, match=r"Several REDCap forms .* 'client', 'therapist'"):
        read_redcap(path, "wai-b3")
    data = read_redcap(path, "wai-b3", form="therapist")
    assert data.item_columns == {"item1": "t1", "item2": "t2", "item3": "t3"}
    assert list(data.frame.columns) == ["record_id", "t1", "t2", "t3", "therapist_complete"]


def test_unknown_form_is_a_parameter_error_in_house_style(tmp_path: Path) -> None:
    with pytest.raises(am.InvalidParameterError) as caught:
        read_redcap(_two_forms(tmp_path), "wai-b3", form="wai")
    assert str(caught.value) == (
        "The 'form' parameter of read_redcap must be one of {'client', 'therapist'}. "
        "Got 'wai' instead."
    )


def test_no_form_with_the_items(tmp_path: Path) -> None:
    with pytest.raises(am.InputFormatError, match="No REDCap form holds the 12 items of 'wai-sr'"):
        read_redcap(_two_forms(tmp_path), "wai-sr")


def test_dictionary_form_order_when_field_names_do_not_number_items(tmp_path: Path) -> None:
    names = ["goal_a", "task_b", "bond_c"]
    export = tmp_path / "export.csv"
    export.write_text(
        f"record_id,{','.join(names)},brief_complete\n1,4,5,4,2\n2,Always,Seldom,,2\n",
        encoding="utf-8",
    )
    table = pd.read_csv(DICTIONARY, dtype=str, keep_default_na=False).iloc[[0, 4, 5, 6]]
    table["Variable / Field Name"] = ["record_id", *names]
    table["Form Name"] = "brief"
    data = read_redcap(export, "wai-b3", dictionary=table, form="brief")
    assert data.item_columns == {"item1": "goal_a", "item2": "task_b", "item3": "bond_c"}
    assert "taken in form order" in data.notes[0]
    # labels are read back to codes through the dictionary
    assert data.frame["task_b"].tolist() == ["5", "1"]
    scored = am.score_frame(data.frame, "wai-b3", columns=data.item_columns)
    assert scored["wai_b3_status"].tolist() == ["ok", "insufficient"]


# --- label exports and recoded choices --------------------------------------------------------


def test_label_export_with_dictionary_reads_labels_back_to_codes() -> None:
    data = read_redcap(LABELS, "wai-sr", dictionary=DICTIONARY)
    assert data.id_columns == ("record_id", "redcap_event_name")
    assert data.excluded == {"no data in form 'wai_sr'": 3}
    assert data.frame["redcap_event_name"].tolist() == [
        "Session 1 (Arm 1: Treatment)",
        "Session 1 (Arm 1: Treatment)",
    ]
    assert data.frame.loc[0, ITEMS].astype(float).tolist() == [4, 4, 5, 4, 3, 4, 5, 4, 4, 3, 4, 4]
    assert data.frame.loc[1, "wai_2"] == "4"  # "very often " matched case- and space-insensitively
    assert data.issues[["row", "column", "value", "code"]].values.tolist() == [
        [1, "wai_4", "Mostly", "not_a_choice"]
    ]
    scored = am.score_frame(data.frame, "wai-sr", columns=data.item_columns, on_invalid="missing")
    assert scored.loc[0, "wai_sr_total"] == pytest.approx(4.0)
    assert scored["wai_sr_status"].tolist() == ["ok", "invalid"]


def test_label_export_without_dictionary_scores_by_anchor_labels() -> None:
    data = read_redcap(LABELS, "wai-sr")
    assert data.issues.empty
    report = am.validate_frame(data.frame, "wai-sr", columns=data.item_columns)
    assert report.failure_cases[["row", "column", "value"]].values.tolist() == [
        [1, "wai_4", "Mostly"]
    ]
    scored = am.score_frame(data.frame, "wai-sr", columns=data.item_columns, on_invalid="missing")
    assert scored.loc[0, "wai_sr_total"] == pytest.approx(4.0)


def test_repeat_instrument_given_as_its_label(tmp_path: Path) -> None:
    path = _rewrite(EXPORT, tmp_path / "labels.csv", {",wai_sr,": ",WAI-SR,"})
    data = read_redcap(path, "wai-sr")
    assert len(data.frame) == 5  # the empty instance is still found by its label


def _zero_based_dictionary(tmp_path: Path, extra: str = "") -> Path:
    zero = "0, Seldom | 1, Sometimes | 2, Fairly Often | 3, Very Often | 4, Always" + extra
    return _rewrite(DICTIONARY, tmp_path / "dictionary.csv", {
        "1, Seldom | 2, Sometimes | 3, Fairly Often | 4, Very Often | 5, Always": zero
    })  # fmt: skip


def test_codes_shifted_from_the_anchors_are_translated_by_label(tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    export.write_text(
        "record_id,wai_sr_timestamp," + ",".join(ITEMS) + ",wai_comment,wai_sr_complete\n"
        "7,2024-01-01 10:00,0,1,2,3,4,0,1,2,3,4,4,5,,2\n",
        encoding="utf-8",
    )
    data = read_redcap(export, "wai-sr", dictionary=_zero_based_dictionary(tmp_path))
    assert data.frame.loc[0, ITEMS].tolist() == list("123451234555")
    assert len(data.notes) == 1
    assert "0→1, 1→2, 2→3, 3→4, 4→5" in data.notes[0]
    assert data.issues[["column", "value", "code"]].values.tolist() == [
        ["wai_12", "5", "not_a_choice"]
    ]


def test_partly_matching_shifted_choices_are_refused(tmp_path: Path) -> None:
    dictionary = _zero_based_dictionary(tmp_path, " | 5, Not applicable")
    with pytest.raises(am.InputFormatError, match="nothing was guessed"):
        read_redcap(EXPORT, "wai-sr", dictionary=dictionary)


# --- the data dictionary and bad inputs ---------------------------------------------------


def test_read_dictionary_follows_the_18_column_layout() -> None:
    with open(DICTIONARY, encoding="utf-8", newline="") as handle:
        assert len(next(csv.reader(handle))) == 18
    fields = {f.name: f for f in read_dictionary(DICTIONARY)}
    assert "wai_intro" not in fields  # descriptive fields hold no data
    assert fields["wai_1"].form == "wai_sr"
    assert fields["wai_1"].choices == {
        "1": "Seldom",
        "2": "Sometimes",
        "3": "Fairly Often",
        "4": "Very Often",
        "5": "Always",
    }
    assert fields["sess_mood"].type == "checkbox"
    assert fields["age"].choices == {}


def test_parse_choices_keeps_commas_in_labels() -> None:
    assert parse_choices("1, Yes, often | 2, No |") == {"1": "Yes, often", "2": "No"}


def test_dictionary_without_the_needed_columns(tmp_path: Path) -> None:
    path = tmp_path / "not_a_dictionary.csv"
    path.write_text("name,form\nwai_1,wai_sr\n", encoding="utf-8")
    with pytest.raises(am.InputFormatError, match="lacks the column 'Variable / Field Name'"):
        read_redcap(EXPORT, "wai-sr", dictionary=path)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("redcap_event_name,record_id,wai_1\nx,1,4\n", "starts with the record id"),
        ("Record ID,Event Name,WAI 1,Complete?\n1,Week 1,4,Complete\n", "label headers"),
        ("id,wai_1,wai_2\n1,4,4\n", "no '<form>_complete' columns"),
        ("", "is empty"),
        (",,,\n , ,,\n", "is empty"),
        (
            "record_id,a,a,x_complete\n1,2,3,2\n",
            "columns 2 and 3 of the header row have the same name",
        ),
    ],
)
def test_unrecognised_layouts(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(am.InputFormatError, match=match):
        read_redcap(path, "wai-b3")


def test_missing_file_is_an_input_format_error(tmp_path: Path) -> None:
    with pytest.raises(am.InputFormatError, match=r"Cannot read 'absent\.csv'"):
        read_redcap(tmp_path / "absent.csv", "wai-sr")


def test_reading_is_pure(tmp_path: Path) -> None:
    before = EXPORT.read_bytes()
    first = read_redcap(EXPORT, "wai-sr", dictionary=DICTIONARY)
    second = read_redcap(EXPORT, "wai-sr", dictionary=DICTIONARY)
    pd.testing.assert_frame_equal(first.frame, second.frame)
    assert EXPORT.read_bytes() == before


def test_a_ticked_checkbox_alone_makes_an_administration(tmp_path: Path) -> None:
    path = tmp_path / "checkbox.csv"
    path.write_text(
        "record_id,redcap_event_name,b1,b2,b3,b_flag___1,b_flag___2,wai_b3_complete\n"
        "1,week_1_arm_1,,,,1,0,0\n"
        "1,week_2_arm_1,,,,0,0,0\n",
        encoding="utf-8",
    )
    data = read_redcap(path, "wai-b3")
    assert data.frame["redcap_event_name"].tolist() == ["week_1_arm_1"]
    assert data.excluded == {"no data in form 'wai_b3'": 1}


def test_form_must_be_a_string(tmp_path: Path) -> None:
    with pytest.raises(
        am.InvalidParameterError, match="The 'form' parameter of read_redcap must be a str or None"
    ):
        read_redcap(_two_forms(tmp_path), "wai-b3", form=1)  # type: ignore[arg-type]


def test_single_form_without_the_items_explains_why(tmp_path: Path) -> None:
    path = tmp_path / "one_form.csv"
    path.write_text("record_id,x1,x2,brief_complete\n1,4,4,2\n", encoding="utf-8")
    with pytest.raises(am.InputFormatError, match=r"REDCap form 'brief': Missing item column"):
        read_redcap(path, "wai-b3")


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("record_id,b1\n1,caf\xe9\n".encode("latin-1"), "as UTF-8"),
        (b"record_id,b1,b2,b3,x_complete\n1,4,4,4,2,9,9\n", "Cannot parse"),
        (b"record_id,,b2,b3,x_complete\n1,4,4,4,2\n", "column 2 has no name"),
    ],
)
def test_unreadable_csv(tmp_path: Path, content: bytes, match: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(am.InputFormatError, match=match):
        read_redcap(path, "wai-b3")
