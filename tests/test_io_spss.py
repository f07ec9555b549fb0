"""SPSS .sav files: value labels, user-defined missing codes, variable labels, end-to-end scores.

The .sav fixtures are written here with pyreadstat.write_sav (the ``spss`` extra).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

import alliance_metrics as am
from alliance_metrics.io.spss import MissingDependencyError, read_spss
from helpers import WAI_SR_ANCHORS, write_zero_based_sav

LABELLED = [f"alliance_{letter}" for letter in "abcdefghijkl"]
ANCHORS = WAI_SR_ANCHORS
ANSWERS = [
    [4, 4, 5, 4, 3, 4, 5, 4, 4, 3, 4, 4],
    [5, 4, 5, 5, 9, 4, 5, 5, 4, 4, 5, 8],
    [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2],
]


@pytest.fixture(scope="module")
def labelled_sav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Items named without numbers, variable labels 'WAI-SR n: …', 8/9 user-missing."""
    path = tmp_path_factory.mktemp("spss") / "wai_sr_labelled.sav"
    frame = pd.DataFrame(np.asarray(ANSWERS, dtype=float), columns=LABELLED)
    frame.insert(0, "client", ["007", "007", "012"])
    frame.insert(1, "session", [1.0, 2.0, 99.0])
    value_labels = {**ANCHORS, 8: "Don't know", 9: "Refused"}
    pyreadstat.write_sav(
        frame,
        str(path),
        column_labels={
            "client": "Client code",
            "session": "Session number",
            **{c: f"WAI-SR {n}: wording not reproduced" for n, c in enumerate(LABELLED, 1)},
        },
        variable_value_labels=dict.fromkeys(LABELLED, value_labels),
        missing_ranges={**{c: [{"lo": 8, "hi": 9}] for c in LABELLED}, "session": [99]},
    )
    return path


@pytest.fixture(scope="module")
def zero_based_sav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Items wai1..wai12 coded 0–4 with anchor labels, -9 'not asked', one unlabelled 7."""
    return write_zero_based_sav(tmp_path_factory.mktemp("spss") / "wai_sr_zero.sav")


def test_user_missing_codes_become_unanswered_and_are_reported(labelled_sav: Path) -> None:
    data = read_spss(labelled_sav, "wai-sr")
    assert data.source == "spss"
    assert data.excluded == {}
    assert data.issues[["row", "column", "value", "code"]].values.tolist() == [
        [1, "alliance_e", 9.0, "user_missing"],
        [1, "alliance_l", 8.0, "user_missing"],
    ]
    assert "user-defined missing code 9 ('Refused')" in data.issues.loc[0, "message"]
    assert np.isnan(data.frame.loc[1, "alliance_e"])
    assert data.frame.loc[2, "session"] == 99  # not an item: passed through as stored
    assert any("kept as they are ('session': 1)" in note for note in data.notes)
    assert data.line_numbers().tolist() == [2, 3, 4]  # case number + 1


def test_variable_labels_find_the_items(labelled_sav: Path) -> None:
    data = read_spss(labelled_sav, "wai-sr")
    assert data.item_columns == {f"item{n}": c for n, c in enumerate(LABELLED, 1)}
    assert any("variable labels" in note for note in data.notes)


def test_sav_scores_end_to_end_with_ids(labelled_sav: Path) -> None:
    data = read_spss(labelled_sav, "wai-sr")
    scored = am.score_frame(data.frame, "wai-sr", columns=data.item_columns)
    assert scored["client"].tolist() == ["007", "007", "012"]
    second = [5, 4, 5, 5, None, 4, 5, 5, 4, 4, 5, None]
    expected = am.score(second, "wai-sr").scales["total"].value
    np.testing.assert_allclose(scored["wai_sr_total"].to_numpy(), [4.0, expected, 2.0])
    assert scored["wai_sr_status"].tolist() == ["ok", "prorated", "ok"]


def test_value_labels_translate_shifted_codes(zero_based_sav: Path) -> None:
    data = read_spss(zero_based_sav, "wai-sr")
    assert data.item_columns == {f"item{n}": f"wai{n}" for n in range(1, 13)}
    assert data.frame.loc[0, data.item_columns.values()].tolist() == [
        1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2,
    ]  # fmt: skip
    assert any("0→1, 1→2, 2→3, 3→4, 4→5" in note for note in data.notes)
    assert data.issues[["row", "column", "value", "code"]].values.tolist() == [
        [1, "wai11", 7.0, "not_a_choice"],
        [1, "wai12", -9.0, "user_missing"],
    ]
    scored = am.score_frame(data.frame, "wai-sr", columns=data.item_columns, on_invalid="missing")
    assert scored["wai_sr_status"].tolist() == ["ok", "invalid"]


def test_labels_equal_to_codes_are_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "plain.sav"
    frame = pd.DataFrame({"b1": [4.0], "b2": [5.0], "b3": [3.0]})
    pyreadstat.write_sav(frame, str(path), variable_value_labels=dict.fromkeys(frame, ANCHORS))
    data = read_spss(path, "wai-b3")
    assert data.notes == ()
    assert data.issues.empty
    assert data.frame.loc[0].tolist() == [4.0, 5.0, 3.0]


def test_string_user_missing_values(tmp_path: Path) -> None:
    path = tmp_path / "strings.sav"
    frame = pd.DataFrame({"b1": ["4", "NA"], "b2": ["5", "5"], "b3": ["4", "4"]})
    pyreadstat.write_sav(frame, str(path), missing_ranges={"b1": ["NA"]})
    data = read_spss(path, "wai-b3")
    assert data.issues[["row", "column", "value", "code"]].values.tolist() == [
        [1, "b1", "NA", "user_missing"]
    ]
    scored = am.score_frame(data.frame, "wai-b3", columns=data.item_columns)
    assert scored["wai_b3_status"].tolist() == ["ok", "insufficient"]


def test_unknown_items_leave_detection_to_scoring(tmp_path: Path) -> None:
    path = tmp_path / "other.sav"
    pyreadstat.write_sav(
        pd.DataFrame({"mood": [3.0, 9.0]}), str(path), missing_ranges={"mood": [9]}
    )
    data = read_spss(path, "wai-b3")
    assert data.item_columns is None
    assert np.isnan(data.frame.loc[1, "mood"])  # may be an item: declared missing everywhere
    assert data.notes == (
        "The item columns are not known before scoring, so user-defined missing codes were set "
        "to missing in every variable ('mood': 1).",
    )


def test_restricted_numeric_identifiers_keep_their_leading_zeros(tmp_path: Path) -> None:
    path = tmp_path / "ids.sav"
    frame = pd.DataFrame(
        {
            "zip": [2139.0, np.nan],
            "code": [1.5, 2.0],
            "plain": [123.0, 7.0],
            "b1": [4.0, 5.0],
            "b2": [4.0, 5.0],
            "b3": [4.0, 5.0],
        }
    )
    formats = {"zip": "N5", "code": "N3", "plain": "F5.0", "b1": "N2"}
    pyreadstat.write_sav(frame, str(path), variable_format=formats)
    data = read_spss(path, "wai-b3")
    assert data.frame["zip"].tolist() == ["02139", pd.NA]
    assert data.frame["code"].tolist() == [1.5, 2.0]  # not whole numbers: left as numbers
    assert data.frame["plain"].tolist() == [123.0, 7.0]
    assert data.frame["b1"].tolist() == [4.0, 5.0]  # items are never turned into text


def test_not_a_sav_file(tmp_path: Path) -> None:
    path = tmp_path / "fake.sav"
    path.write_text("record_id,wai_1\n1,4\n", encoding="utf-8")
    with pytest.raises(am.InputFormatError, match=r"Cannot read 'fake\.sav' as an SPSS \.sav file"):
        read_spss(path, "wai-sr")
    with pytest.raises(am.InputFormatError, match=r"absent\.sav"):
        read_spss(tmp_path / "absent.sav", "wai-sr")


def test_missing_pyreadstat_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, labelled_sav: Path
) -> None:
    monkeypatch.setitem(sys.modules, "pyreadstat", None)
    with pytest.raises(MissingDependencyError, match=r"alliance-metrics\[spss\]") as caught:
        read_spss(labelled_sav, "wai-sr")
    assert isinstance(caught.value, ImportError)
    assert isinstance(caught.value, am.AllianceMetricsError)
