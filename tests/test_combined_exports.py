"""Several instruments in one file (SRS and ORS side by side): each finds its own columns by its
prefix, in one run."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import alliance_metrics as am
from alliance_metrics.cli import main

TEXT = (
    "id,srs_1,srs_2,srs_3,srs_4,ors_1,ors_2,ors_3,ors_4\n"
    "a,9,9,9,9.5,5,5,5,5\n"
    "b,11,9,9,9,x,5,5,5\n"
    "c,8,8,,8,2,3,4,5\n"
)
FRAME = pd.read_csv(io.StringIO(TEXT), dtype=str, keep_default_na=False)


def test_one_instrument_of_a_combined_file_takes_its_own_prefix() -> None:
    srs = am.score_frame(FRAME, "srs", on_invalid="missing")
    ors = am.score_frame(FRAME, "ors", on_invalid="missing")
    np.testing.assert_allclose(srs["srs_total"], [36.5, 36.0, 32.0])  # b: prorated from 3 items
    np.testing.assert_allclose(ors["ors_total"], [20.0, 20.0, 14.0])
    assert ors["ors_total_answered"].tolist() == [4, 3, 4]


def test_score_frame_with_several_instruments_equals_one_at_a_time() -> None:
    both = am.score_frame(FRAME, ["srs", "ors"], on_invalid="missing")
    for instrument in ("srs", "ors"):
        alone = am.score_frame(FRAME, instrument, on_invalid="missing")
        added = [c for c in alone.columns if c not in FRAME.columns]
        pd.testing.assert_frame_equal(both[added], alone[added])
    assert [p["instrument_id"] for p in both.attrs["alliance_metrics"]["instruments"]] == [
        "srs",
        "ors",
    ]


def test_the_report_covers_every_instrument_by_row() -> None:
    report = am.validate_frame(FRAME, ["srs", "ors"])
    assert report.failure_cases[["row", "column", "code"]].values.tolist() == [
        [1, "srs_1", "out_of_range"],
        [1, "ors_1", "not_a_number"],
    ]
    with pytest.raises(am.ResponseValidationError) as caught:
        am.score_frame(FRAME, ["srs", "ors"])
    assert caught.value.report.n_invalid_cells == 2


def test_prefixes_per_instrument_and_misuse() -> None:
    out = am.score_frame(FRAME, ["srs", "ors"], on_invalid="missing", prefix=["s_", None])
    assert {"s_total", "ors_total"} <= set(out.columns)
    with pytest.raises(am.InvalidParameterError, match="one prefix per instrument"):
        am.score_frame(FRAME, ["srs", "ors"], prefix="x_")
    with pytest.raises(am.InvalidParameterError, match="'columns' parameter of score_frame"):
        am.score_frame(FRAME, ["srs", "ors"], columns="srs_{n}")


@pytest.mark.parametrize("columns", ["srs_{n}", {1: "srs_1", 2: "srs_2", 3: "srs_3", 4: "srs_4"}])
def test_one_column_template_is_refused_for_several_instruments_on_every_path(
    tmp_path: Path, columns: object, capsys: pytest.CaptureFixture[str]
) -> None:
    """One template would give every instrument the same columns (ORS scored from SRS items)."""
    source = tmp_path / "both.csv"
    source.write_text(TEXT, encoding="utf-8")
    calls = {
        "validate_frame": lambda: am.validate_frame(FRAME, ["srs", "ors"], columns=columns),
        "score_csv": lambda: am.score_csv(
            source, tmp_path / "o.csv", ["srs", "ors"], columns=columns
        ),
        "validate_csv": lambda: am.validate_csv(source, ["srs", "ors"], columns=columns),
    }
    for func, call in calls.items():
        with pytest.raises(am.InvalidParameterError, match=f"'columns' parameter of {func}"):
            call()
    assert not (tmp_path / "o.csv").exists()
    for command in ("score", "validate"):
        code = main([command, str(source), "-i", "srs", "-i", "ors", "--columns", "srs_{n}"])
        assert code == 2
        assert "--columns option cannot be used when several" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["both.csv"]


def test_score_csv_and_the_command_line_score_both(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "combo.csv"
    source.write_text(TEXT)
    summary = am.score_csv(source, tmp_path / "o.csv", ["srs", "ors"])
    assert summary.status_counts_by_instrument == {
        "srs": {"ok": 1, "prorated": 1, "insufficient": 0, "invalid": 1},
        "ors": {"ok": 2, "prorated": 0, "insufficient": 0, "invalid": 1},
    }
    assert summary.status_counts == {"ok": 1, "prorated": 1, "insufficient": 0, "invalid": 1}
    with open(tmp_path / "o.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    frame = am.score_frame(FRAME, ["srs", "ors"], on_invalid="missing")
    for name in ("srs_total", "ors_total", "srs_status", "ors_status"):
        written = [r[name] for r in rows]
        expected = ["" if pd.isna(v) else str(v) for v in frame[name]]
        if name.endswith("total"):
            expected = [e if e == "" else str(float(e)) for e in expected]
            written = [w if w == "" else str(float(w)) for w in written]
        assert written == expected, name
    code = main(["score", str(source), "-i", "srs", "-i", "ors", "-o", str(tmp_path / "cli.csv")])
    err = capsys.readouterr().err
    assert code == 1
    assert "srs: 1 ok, 1 prorated, 0 insufficient, 1 invalid; ors: 2 ok" in err
    assert (tmp_path / "cli.csv").read_text() == (tmp_path / "o.csv").read_text()


def test_exports_read_whole_take_one_instrument(tmp_path: Path) -> None:
    source = tmp_path / "combo.csv"
    source.write_text(TEXT)
    with pytest.raises(am.InvalidParameterError, match="names several instruments"):
        am.score_csv(source, tmp_path / "o.csv", ["srs", "ors"], coding="position")
