"""Source detection, the ExportData result, long format and position coding; module doctests."""

from __future__ import annotations

import csv
import doctest
import importlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import alliance_metrics as am
from alliance_metrics.coding import apply_position_coding
from alliance_metrics.io.exports import ExportData, detect_source
from alliance_metrics.io.long import long_to_wide

FIXTURES = Path(__file__).parent / "fixtures" / "exports"
ITEMS = [f"wai_{n}" for n in range(1, 13)]
DESCENDING = {2, 5, 6, 8, 10, 11}  # WAI-SR client form, printed Always → Seldom


# --- detect_source -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("redcap_longitudinal.csv", "redcap"),
        ("redcap_labels.csv", "redcap"),
        ("qualtrics_current.csv", "qualtrics"),
        ("qualtrics_import_ids.csv", "qualtrics"),
        ("qualtrics_legacy.csv", "qualtrics"),
        ("long_format.csv", "csv"),
        ("paper_positions.csv", "csv"),
        ("redcap_dictionary.csv", "csv"),
    ],
)
def test_detect_source_of_the_fixtures(name: str, source: str) -> None:
    assert detect_source(FIXTURES / name) == source


def test_detect_source_by_extension_and_sniffing(tmp_path: Path) -> None:
    assert detect_source(tmp_path / "data.SAV") == "spss"
    classic = tmp_path / "classic.csv"
    classic.write_text("record_id,wai_1,wai_sr_complete\n1,4,2\n", encoding="utf-8")
    assert detect_source(classic) == "redcap"
    semicolons = tmp_path / "semi.csv"
    semicolons.write_text("record_id;redcap_event_name;wai_1\n1;e;4\n", encoding="utf-8")
    assert detect_source(semicolons) == "redcap"
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    assert detect_source(empty) == "csv"
    with pytest.raises(am.InputFormatError, match=r"Cannot read '.*absent\.csv': No such file"):
        detect_source(tmp_path / "absent.csv")


def test_export_data_defaults() -> None:
    data = ExportData(frame=pd.DataFrame(), item_columns=None, id_columns=(), excluded={"x": 2})
    assert data.source == "csv"
    assert data.n_excluded == 2
    assert list(data.issues.columns) == ["row", "column", "value", "code", "message"]
    assert data.notes == ()


# --- long format ---------------------------------------------------------------------------


def _long() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "long_format.csv", dtype={"client": str, "session": str})


def test_long_to_wide_scores_end_to_end_with_ids() -> None:
    long = _long()
    before = long.copy()
    wide = long_to_wide(long, id_cols=["client", "session"], item_col="item", value_col="response")
    pd.testing.assert_frame_equal(long, before)  # never mutates
    assert list(wide.columns) == ["client", "session", *ITEMS]  # natural item order
    assert wide[["client", "session"]].values.tolist() == [["c01", "1"], ["c01", "2"], ["c02", "1"]]
    scored = am.score_frame(wide, "wai-sr")  # item columns auto-detected
    expected = [
        am.score([4, 4, 5, 4, 3, 4, 5, 4, 4, 3, 4, 4], "wai-sr").scales["total"].value,
        am.score([5, 4, 5, 5, 4, 4, 5, 5, 4, 4, 5, 5], "wai-sr").scales["total"].value,
        am.score([3, 3, 4, 3, None, 3, 2, 3, 3, 3, 3, 3], "wai-sr").scales["total"].value,
    ]
    np.testing.assert_allclose(scored["wai_sr_total"].to_numpy(dtype=float), expected)
    assert scored["wai_sr_status"].tolist() == ["ok", "ok", "prorated"]


def test_long_to_wide_passes_id_columns_through_as_given(tmp_path: Path) -> None:
    ids = ["00123", "02139", "12345678901234567890123", "1e5", 'said "hi", then', "", " x "]
    path = tmp_path / "long.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["client", "when", "item", "response"])
        for n, client in enumerate(ids):
            for item in (3, 1, 2):
                writer.writerow([client, f"2024-01-{n + 10}", f"wai_{item}", "4"])
    long = pd.read_csv(path, dtype=str, keep_default_na=False)
    wide = long_to_wide(long, id_cols=["client", "when"], item_col="item", value_col="response")
    scored = am.score_frame(wide, "wai-b3")
    written = tmp_path / "scored.csv"
    scored.to_csv(written, index=False)
    with open(written, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["client"] for row in rows] == ids
    assert [row["when"] for row in rows] == [f"2024-01-{n + 10}" for n in range(len(ids))]
    assert [row["wai_b3_status"] for row in rows] == ["ok"] * len(ids)


def test_long_to_wide_numeric_values_and_integer_items() -> None:
    long = pd.DataFrame({"id": [7, 7, 7, 8], "item": [3.0, 1.0, 2.0, 1.0], "value": [4, 5, 4, 2]})
    wide = long_to_wide(long, id_cols="id", item_col="item", value_col="value")
    assert list(wide.columns) == ["id", 1, 2, 3]
    assert wide["id"].tolist() == [7, 8]
    assert wide[1].tolist() == [5.0, 2.0]
    assert np.isnan(wide.loc[1, 2])


def test_long_to_wide_duplicates_name_rows_not_ids() -> None:
    long = _long()
    long.loc[len(long)] = ["c02", "1", "wai_3", "5"]
    long.loc[len(long)] = ["c01", "2", "wai_12", "5"]
    with pytest.raises(am.InputFormatError) as caught:
        long_to_wide(long, id_cols=["client", "session"], item_col="item", value_col="response")
    message = str(caught.value)
    first = long.index[(long["client"] == "c01") & (long["session"] == "2")][0]
    assert f"rows {first} and {len(long) - 1} (item 'wai_12')" in message
    assert "(item 'wai_3')" in message
    assert "c01" not in message
    assert "c02" not in message


def test_long_to_wide_blank_item() -> None:
    long = pd.DataFrame({"id": [1, 1], "item": ["wai_1", " "], "value": [4, 5]})
    with pytest.raises(am.InputFormatError, match=r"Column 'item' is blank in row\(s\) 1"):
        long_to_wide(long, id_cols="id", item_col="item", value_col="value")


def test_long_to_wide_item_named_like_an_id() -> None:
    long = pd.DataFrame({"id": [1, 1], "item": ["id", "wai_1"], "value": [4, 5]})
    with pytest.raises(am.InputFormatError, match="have the name of an id column"):
        long_to_wide(long, id_cols="id", item_col="item", value_col="value")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"id_cols": "who"}, "The 'id_cols' parameter of long_to_wide must name a column of df"),
        ({"id_cols": []}, "must name at least one column"),
        ({"item_col": "client"}, "must name different columns"),
        ({"value_col": "nope"}, "The 'value_col' parameter"),
    ],
)
def test_long_to_wide_bad_arguments(kwargs: dict[str, object], match: str) -> None:
    arguments: dict[str, object] = {
        "id_cols": ["client", "session"],
        "item_col": "item",
        "value_col": "response",
        **kwargs,
    }
    with pytest.raises(am.InvalidParameterError, match=match):
        long_to_wide(_long(), **arguments)  # type: ignore[arg-type]
    with pytest.raises(am.InvalidParameterError, match="must be a pandas DataFrame"):
        long_to_wide([1], id_cols="a", item_col="b", value_col="c")  # type: ignore[arg-type]


def test_empty_long_frame() -> None:
    long = pd.DataFrame({"id": [], "item": [], "value": []})
    wide = long_to_wide(long, id_cols="id", item_col="item", value_col="value")
    assert list(wide.columns) == ["id"]
    assert wide.empty


# --- position coding -----------------------------------------------------------------------


def test_position_coding_converts_descending_items_only() -> None:
    ticks = pd.read_csv(FIXTURES / "paper_positions.csv", dtype={"client": str})
    before = ticks.copy()
    values = apply_position_coding(ticks, "wai-sr")
    pd.testing.assert_frame_equal(ticks, before)  # never mutates
    for n, column in enumerate(ITEMS, 1):
        position = ticks[column].to_numpy(dtype=float)
        expected = 6 - position if n in DESCENDING else position
        np.testing.assert_array_equal(values[column].to_numpy(dtype=float), expected)
    scored = am.score_frame(values, "wai-sr")
    assert scored["client"].tolist() == ["p01", "p02"]
    # p02 answered 'Seldom' throughout: the leftmost box on ascending items, the rightmost on
    # descending ones; keyed by position it looks like a mix of extremes
    assert scored.loc[1, "wai_sr_total"] == pytest.approx(1.0)
    assert scored.loc[1, "wai_sr_status"] == "prorated"


def test_label_coding_never_guesses() -> None:
    ticks = pd.read_csv(FIXTURES / "paper_positions.csv")
    scored = am.score_frame(ticks, "wai-sr")
    assert scored.loc[0, "wai_sr_total"] == pytest.approx(ticks.loc[0, ITEMS].mean())


def test_position_coding_leaves_invalid_cells_and_labels_as_given() -> None:
    frame = pd.DataFrame({column: ["1", "1"] for column in ITEMS})
    frame.loc[1, ["wai_1", "wai_2", "wai_5"]] = [" 2 ", "Always", "7"]
    coded = apply_position_coding(frame, "wai-sr")
    assert coded["wai_2"].tolist() == ["5", "Always"]  # printed descending; a label stays
    assert coded["wai_5"].tolist() == ["5", "7"]  # printed descending; an invalid tick stays
    assert coded["wai_1"].tolist() == ["1", " 2 "]  # printed ascending: untouched
    report = am.validate_frame(coded, "wai-sr")
    assert report.failure_cases[["row", "column", "value"]].values.tolist() == [[1, "wai_5", "7"]]


def test_position_coding_with_explicit_columns_and_integer_dtype() -> None:
    frame = pd.DataFrame({f"x{n}": [n % 5 + 1] for n in range(1, 13)})
    coded = apply_position_coding(frame, "wai-sr", "x{n}")
    assert coded["x2"].dtype == frame["x2"].dtype
    assert coded["x2"].tolist() == [6 - frame.loc[0, "x2"]]
    assert coded["x1"].tolist() == frame["x1"].tolist()
    with pytest.raises(am.InvalidParameterError, match="must be a pandas DataFrame"):
        apply_position_coding([1, 2], "wai-sr")  # type: ignore[arg-type]


def test_position_coding_without_descending_items_changes_nothing() -> None:
    frame = pd.DataFrame({"relationship": [9.5], "goals_topics": [8.0], "approach_method": [7.0],
                          "overall": [9.0]})  # fmt: skip
    pd.testing.assert_frame_equal(apply_position_coding(frame, "srs"), frame)


# --- doctests --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "module",
    ["exports", "redcap", "redcap_dictionary", "qualtrics", "spss", "long"],
)
def test_module_examples_run(module: str) -> None:
    imported = importlib.import_module(f"alliance_metrics.io.{module}")
    result = doctest.testmod(imported, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    assert result.attempted > 0


def test_whole_number_floats_beyond_int64_are_written_without_crashing() -> None:
    from alliance_metrics.pipeline.tables import frame_to_table
    from alliance_metrics.results import ScoreColumns

    frame = pd.DataFrame({"wai_1": [3.0, 1e20], "wai_b3_total": [4.0, 5.0]})
    names = ScoreColumns(("wai_b3_total",), ("wai_b3_total_answered",), "wai_b3_status")
    table = frame_to_table(frame, names, None)
    assert table.column("wai_1").to_pylist() == ["3", "100000000000000000000"]
    assert table.column("wai_b3_total").to_pylist() == [4.0, 5.0]
