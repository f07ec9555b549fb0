"""score_csv / validate_csv from Python: summaries, streams, chunking, and a hypothesis property.

The reference for every score is ``am.score_frame`` on the same bytes read by pandas as text
(``dtype=str, keep_default_na=False``); written scores must read back with ``float()`` as exactly
the same numbers.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import alliance_metrics as am
import alliance_metrics.io.csv as am_csv
from helpers import B3_SCORES, assert_same_scores
from strategies import instruments, invalid_values, valid_values

B3 = b'id,note,wai_1,wai_2,wai_3\n007,first,4,5,Always\n0012,"a, b",9,x,3\n013,,,,\n'


def rows_of(data: bytes, delimiter: str = ",") -> list[dict[str, str]]:
    text = data.decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))


def reference(data: bytes, instrument: str | am.Instrument, **kwargs: object) -> pd.DataFrame:
    frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    return am.score_frame(frame, instrument, on_invalid="missing", **kwargs)  # type: ignore[arg-type]


def score_columns(instrument: str | am.Instrument) -> list[str]:
    inst = instrument if isinstance(instrument, am.Instrument) else am.get_instrument(instrument)
    slug = inst.id.replace("-", "_") + "_"
    columns: list[str] = []
    for scale in inst.scales:
        columns += [f"{slug}{scale.id}", f"{slug}{scale.id}_answered"]
    return [*columns, f"{slug}status"]


# --- summaries ---------------------------------------------------------------------------------


def test_score_csv_returns_a_summary_of_the_run(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(B3)
    summary = am.score_csv(source, tmp_path / "out.csv", "wai-b3")
    assert isinstance(summary, am.CsvSummary)
    assert summary.rows == 3
    assert summary.status_counts == {"ok": 1, "prorated": 0, "insufficient": 1, "invalid": 1}
    assert (summary.n_invalid_cells, summary.n_rows_invalid) == (2, 1)
    assert not summary.ok
    assert summary.output == str(tmp_path / "out.csv")
    assert summary.errors_output == str(tmp_path / "out.errors.csv")
    assert summary.delimiter == ","
    assert summary.source_format == "csv"
    assert summary.report.n_invalid_cells == 2
    assert summary.report.failure_cases[["row", "column", "value", "code"]].values.tolist() == [
        [1, "wai_1", "9", "out_of_range"],
        [1, "wai_2", "x", "not_a_number"],
    ]
    line = summary.describe()
    assert "3 rows read, 1 ok, 0 prorated, 1 insufficient, 1 invalid" in line
    assert "2 invalid cells in 1 row " in line
    rows = rows_of((tmp_path / "out.csv").read_bytes())
    assert [r["id"] for r in rows] == ["007", "0012", "013"]
    assert [r["note"] for r in rows] == ["first", "a, b", ""]
    assert_same_scores(rows, reference(B3, "wai-b3"), B3_SCORES)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv", "out.errors.csv"]


def test_score_csv_clean_run_writes_no_errors_file(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(b"id,wai_1,wai_2,wai_3\n1,4,5,3\n")
    summary = am.score_csv(str(source), None, "wai-b3")
    assert summary.ok
    assert summary.errors_output is None
    assert summary.output == str(tmp_path / "in.scored.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "in.scored.csv"]


def test_validate_csv_counts_and_writes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(B3)
    summary = am.validate_csv(source, "wai-b3")
    assert (summary.rows, summary.n_invalid_cells, summary.n_rows_invalid) == (3, 2, 1)
    assert summary.status_counts == {}
    assert summary.output is None
    assert summary.errors_output is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]
    with_errors = am.validate_csv(source, "wai-b3", errors=tmp_path / "e.csv")
    assert with_errors.errors_output == str(tmp_path / "e.csv")
    written = pd.read_csv(tmp_path / "e.csv", dtype=str, keep_default_na=False)
    assert written[["row", "column", "value", "code"]].values.tolist() == [
        ["1", "wai_1", "9", "out_of_range"],
        ["1", "wai_2", "x", "not_a_number"],
    ]
    clean = am.validate_csv(io.BytesIO(b"wai_1,wai_2,wai_3\n1,2,3\n"), "wai-b3")
    assert clean.ok
    assert clean.report.failure_cases.empty


# --- streams -----------------------------------------------------------------------------------


def test_stream_in_and_stream_out(tmp_path: Path) -> None:
    destination = io.BytesIO()
    summary = am.score_csv(io.BytesIO(B3), destination, "wai-b3", errors=tmp_path / "e.csv")
    assert summary.rows == 3
    assert summary.errors_output == str(tmp_path / "e.csv")
    source = tmp_path / "in.csv"
    source.write_bytes(B3)
    am.score_csv(source, tmp_path / "out.csv", "wai-b3")
    assert destination.getvalue() == (tmp_path / "out.csv").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "e.csv",
        "in.csv",
        "out.csv",
        "out.errors.csv",
    ]


def test_stream_without_destination_is_a_parameter_error() -> None:
    with pytest.raises(
        am.InvalidParameterError,
        match="The 'destination' parameter of score_csv must be given when the input is a stream",
    ):
        am.score_csv(io.BytesIO(B3), None, "wai-b3")


def test_raise_writes_nothing_to_a_stream_or_a_path(tmp_path: Path) -> None:
    destination = io.BytesIO()
    with pytest.raises(am.ResponseValidationError) as caught:
        am.score_csv(io.BytesIO(B3), destination, "wai-b3", on_invalid="raise")
    assert destination.getvalue() == b""
    assert caught.value.report.n_invalid_cells == 2
    with pytest.raises(am.ResponseValidationError):
        am.score_csv(io.BytesIO(B3), tmp_path / "o.csv", "wai-b3", on_invalid="raise")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"on_invalid": "skip"}, "The 'on_invalid' parameter of score_csv must be one of"),
        ({"output_format": "xlsx"}, "The 'output_format' parameter of score_csv must be one of"),
        ({"precision": "2"}, "The 'precision' parameter of score_csv must be a whole number"),
        ({"aggregate": "avg"}, "The 'aggregate' parameter of score_csv must be one of"),
    ],
)
def test_bad_parameters(tmp_path: Path, kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(am.InvalidParameterError, match=match):
        am.score_csv(io.BytesIO(B3), tmp_path / "o.csv", "wai-b3", **kwargs)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_gzip_path_from_python(tmp_path: Path) -> None:
    source = tmp_path / "in.csv.gz"
    source.write_bytes(gzip.compress(B3))
    summary = am.score_csv(source, None, "wai-b3")
    assert summary.rows == 3
    assert [r["id"] for r in rows_of((tmp_path / "in.scored.csv").read_bytes())] == [
        "007",
        "0012",
        "013",
    ]


def test_cp1252_path_from_python(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes("id;wai_1;wai_2;wai_3\r\nZoë;4;5;3\r\n".encode("cp1252"))
    summary = am.score_csv(source, tmp_path / "o.csv", "wai-b3", encoding="cp1252")
    assert summary.rows == 1
    assert rows_of((tmp_path / "o.csv").read_bytes(), ";")[0]["id"] == "Zoë"


# --- many chunks -------------------------------------------------------------------------------


def _chunked_file(n_rows: int) -> tuple[bytes, list[tuple[int, str, str]]]:
    """Rows with ids, quoted text, labels in some rows and invalid cells at known places."""
    lines = ["id,note,wai_1,wai_2,wai_3"]
    invalid: list[tuple[int, str, str]] = []
    for i in range(n_rows):
        cells = [str(i % 5 + 1), str((i * 3) % 5 + 1), str((i * 7) % 5 + 1)]
        if i % 41 == 7:
            cells[1] = "Very Often"
        if i % 53 == 11:
            cells[2] = ""
        if i % 37 == 5:
            cells[0] = "9"
            invalid.append((i, "wai_1", "9"))
        if i % 97 == 50:
            cells[2] = "2.5"
            invalid.append((i, "wai_3", "2.5"))
        lines.append(f'{i:05d},"row {i}, text\nsecond line",' + ",".join(cells))
    return ("\n".join(lines) + "\n").encode(), sorted(invalid)


def test_many_chunks_keep_rows_in_order_and_global_row_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(am_csv, "_BLOCK_BYTES", 256)
    data, invalid = _chunked_file(400)
    progress: list[tuple[int, int | None]] = []
    source = tmp_path / "big.csv"
    source.write_bytes(data)
    summary = am.score_csv(
        source, tmp_path / "out.csv", "wai-b3", progress=lambda d, t: progress.append((d, t))
    )
    assert len(progress) > 20  # many chunks were read
    assert [d for d, _ in progress] == sorted(d for d, _ in progress)
    assert progress[-1] == (len(data), len(data))
    assert summary.rows == 400
    rows = rows_of((tmp_path / "out.csv").read_bytes())
    assert [r["id"] for r in rows] == [f"{i:05d}" for i in range(400)]
    assert [r["note"] for r in rows] == [f"row {i}, text\nsecond line" for i in range(400)]
    assert_same_scores(rows, reference(data, "wai-b3"), B3_SCORES)
    cases = summary.report.failure_cases
    assert sorted(map(tuple, cases[["row", "column", "value"]].values.tolist())) == invalid
    assert cases["row"].is_monotonic_increasing
    for row, message in zip(cases["row"], cases["message"], strict=True):
        assert message.startswith(f"row {row}, column ")
    errors = pd.read_csv(tmp_path / "out.errors.csv", dtype=str, keep_default_na=False)
    assert [(int(r), c, v) for r, c, v in errors[["row", "column", "value"]].values] == invalid
    assert summary.status_counts["invalid"] == len({r for r, _, _ in invalid})
    assert sum(summary.status_counts.values()) == 400


def test_validate_many_chunks_reports_global_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(am_csv, "_BLOCK_BYTES", 256)
    data, invalid = _chunked_file(300)
    summary = am.validate_csv(io.BytesIO(data), "wai-b3")
    assert summary.rows == 300
    cases = summary.report.failure_cases
    assert sorted(map(tuple, cases[["row", "column", "value"]].values.tolist())) == invalid
    assert summary.n_rows_invalid == len({r for r, _, _ in invalid})


def test_many_chunks_match_a_single_chunk_byte_for_byte(monkeypatch: pytest.MonkeyPatch) -> None:
    data, _ = _chunked_file(300)
    whole = io.BytesIO()
    am.score_csv(io.BytesIO(data), whole, "wai-b3")
    monkeypatch.setattr(am_csv, "_BLOCK_BYTES", 256)
    chunked = io.BytesIO()
    am.score_csv(io.BytesIO(data), chunked, "wai-b3")
    assert chunked.getvalue() == whole.getvalue()


# --- hypothesis property -----------------------------------------------------------------------

ID_ALPHABET = list("0123456789abcXYZ é,\"';\n")
JUNK_WORDS = ["x", "often?", "4 5", "--", "nan(0x1)", "-nan", "1_0", "١"]


def _case(label: str, draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["lower", "upper", "title", "as-is"]))
    return {"lower": label.lower(), "upper": label.upper(), "title": label.title()}.get(kind, label)


def _number_text(value: float, draw: st.DrawFn) -> str:
    text = draw(st.sampled_from([repr(value), f"{value:g}", f"{value:.3f}"]))
    return draw(st.sampled_from(["", " ", "  "])) + text + draw(st.sampled_from(["", " "]))


@st.composite
def item_cells(draw: st.DrawFn, instrument: am.Instrument) -> tuple[str, str | None]:
    """A cell text and the issue code it must produce (None when valid or unanswered)."""
    labels = [a.label for a in instrument.response_scale.anchors]
    kinds = ["number", "number", "blank", "invalid"] + (["label"] if labels else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "number":
        return _number_text(draw(valid_values(instrument)), draw), None
    if kind == "label":
        return _case(draw(st.sampled_from(labels)), draw), None
    if kind == "blank":
        return draw(st.sampled_from(["", " ", "NA", "n/a", "null", "NaN", "NULL"])), None
    bad = draw(invalid_values(instrument))
    if isinstance(bad, str):
        return bad, "not_a_number"
    if not math.isfinite(bad):
        return draw(st.sampled_from(JUNK_WORDS)), "not_a_number"
    rs = instrument.response_scale
    code = "out_of_range" if not rs.min <= bad <= rs.max else "not_on_step"
    return _number_text(bad, draw), code


@st.composite
def tables(
    draw: st.DrawFn,
) -> tuple[am.Instrument, list[list[str]], list[tuple[int, str, str, str]]]:
    instrument = draw(instruments())
    k = instrument.n_items
    n = draw(st.integers(0, 20))
    ids = st.one_of(
        st.from_regex(r"0[0-9]{1,5}", fullmatch=True),
        st.text(alphabet=ID_ALPHABET, max_size=8),
    )
    rows: list[list[str]] = []
    invalid: list[tuple[int, str, str, str]] = []
    for r in range(n):
        cells = [draw(item_cells(instrument)) for _ in range(k)]
        for j, (text, code) in enumerate(cells):
            if code is not None:
                invalid.append((r, f"wai_{j + 1}", text, code))
        note = draw(st.text(alphabet=ID_ALPHABET, max_size=12))
        rows.append([draw(ids), note, *(text for text, _ in cells)])
    return instrument, rows, invalid


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(case=tables(), block=st.sampled_from([256, 8 * 1024 * 1024]))
def test_streamed_scores_equal_score_frame(
    case: tuple[am.Instrument, list[list[str]], list[tuple[int, str, str, str]]], block: int
) -> None:
    instrument, rows, invalid = case
    k = instrument.n_items
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["id", "note", *(f"wai_{n}" for n in range(1, k + 1))])
    writer.writerows(rows)
    data = buffer.getvalue().encode("utf-8")
    saved = am_csv._BLOCK_BYTES
    am_csv._BLOCK_BYTES = block
    try:
        destination = io.BytesIO()
        summary = am.score_csv(io.BytesIO(data), destination, instrument, sanitize=False)
    finally:
        am_csv._BLOCK_BYTES = saved
    written = rows_of(destination.getvalue())
    # every row, in order, input cells untouched
    assert len(written) == len(rows) == summary.rows
    for row, out in zip(rows, written, strict=True):
        assert [out["id"], out["note"]] == row[:2]
        assert [out[f"wai_{n}"] for n in range(1, k + 1)] == row[2:]
    # scores equal score_frame exactly
    expected = reference(data, instrument)
    assert_same_scores(written, expected, score_columns(instrument))
    # the report is exactly the injected invalid cells
    cases = summary.report.failure_cases
    got = sorted(
        map(tuple, cases[["row", "column", "value", "code"]].astype({"value": str}).values.tolist())
    )
    assert got == sorted(invalid)
    assert summary.n_invalid_cells == len(invalid)
    assert summary.n_rows_invalid == len({r for r, _, _, _ in invalid})
    statuses = np.array([out[score_columns(instrument)[-1]] for out in written])
    assert summary.status_counts == {s: int((statuses == s).sum()) for s in summary.status_counts}


def test_a_declared_one_digit_missing_code_is_unanswered(tmp_path: Path) -> None:
    """`--missing-values 9` on a 1–7 scale: 9 is unanswered, not out of range."""
    source = tmp_path / "in.csv"
    header = ",".join(f"wai_{n}" for n in range(1, 13))
    source.write_text(f"{header}\n" + ",".join(["7", "9"] + ["4"] * 10) + "\n")
    summary = am.score_csv(source, tmp_path / "out.csv", "wai-s", missing_values=["9"])
    assert summary.ok
    assert summary.status_counts["prorated"] == 1
    without = am.validate_csv(source, "wai-s")
    assert without.report.failure_cases["code"].tolist() == ["out_of_range"]


# --- regressions found in review --------------------------------------------------------------


def _score_bytes(
    tmp_path: Path, data: bytes, instrument: str = "wai-b3", **kwargs: object
) -> tuple[am.CsvSummary, list[dict[str, str]]]:
    source = tmp_path / "in.csv"
    source.write_bytes(data)
    output = tmp_path / "out.csv"
    summary = am.score_csv(source, output, instrument, **kwargs)  # type: ignore[arg-type]
    return summary, rows_of(output.read_bytes())


def test_a_line_break_inside_a_quoted_header_cell_is_part_of_the_header(tmp_path: Path) -> None:
    data = b'"Client\nID",wai_1,wai_2,wai_3\nA01,4,4,4\nA02,5,9,5\n'
    summary, rows = _score_bytes(tmp_path, data)
    assert summary.rows == 2
    assert [r["Client\nID"] for r in rows] == ["A01", "A02"]
    assert summary.report.failure_cases[["row", "column"]].values.tolist() == [[1, "wai_2"]]


@pytest.mark.parametrize("block_bytes", [64, 1 << 22])
def test_a_stray_quote_in_an_unquoted_field_does_not_break_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block_bytes: int
) -> None:
    monkeypatch.setattr(am_csv, "_BLOCK_BYTES", block_bytes)
    lines = [b"id,wai_1,wai_2,wai_3,note"]
    for i in range(40):
        note = b"He is 6'2\" tall" if i == 7 else b'"first line\nsecond, line"'
        lines.append(b"%d,4,5,3,%s" % (i, note))
    summary, rows = _score_bytes(tmp_path, b"\n".join(lines) + b"\n")
    expected = pd.read_csv(io.BytesIO(b"\n".join(lines)), dtype=str, keep_default_na=False)
    assert summary.rows == 40
    assert [r["note"] for r in rows] == expected["note"].tolist()
    assert [r["id"] for r in rows] == [str(i) for i in range(40)]


def test_steps_are_checked_on_integer_data_too(tmp_path: Path) -> None:
    text = am.get_instrument("wai-b3").model_dump_json().replace('"wai-b3"', '"odd-b3"')
    definition = am.Instrument.model_validate_json(text)
    stepped = definition.model_copy(
        update={"response_scale": am.ResponseScale(min=1, max=9, step=2)}
    )
    frame = pd.DataFrame({"wai_1": [4], "wai_2": [3], "wai_3": [5]})
    for data in (frame, frame.astype("float64"), frame.astype("Int64")):
        report = am.validate_frame(data, stepped)
        assert report.failure_cases["code"].tolist() == ["not_on_step"]
    source = tmp_path / "in.csv"
    source.write_bytes(b"wai_1,wai_2,wai_3\n4,3,5\n")
    summary = am.validate_csv(source, stepped)
    assert summary.report.failure_cases["code"].tolist() == ["not_on_step"]


def test_a_numeric_missing_code_matches_its_decimal_spelling(tmp_path: Path) -> None:
    data = b"wai_1,wai_2,wai_3\n4,-99.0,4\n4, -99 ,Always\n"
    summary, rows = _score_bytes(tmp_path, data, missing_values=["-99"], min_answered=1)
    assert summary.ok
    assert [r["wai_2"] for r in rows] == ["-99.0", " -99 "]  # cells as given
    assert [r["wai_b3_task_answered"] for r in rows] == ["0", "0"]


def test_position_coding_keeps_declared_missing_codes_in_the_output(tmp_path: Path) -> None:
    data = b"id,wai_1,wai_2,wai_3\n1,4,-99,4\n"
    summary, rows = _score_bytes(
        tmp_path, data, coding="position", missing_values=["-99"], min_answered=1
    )
    assert summary.ok
    assert rows[0]["wai_2"] == "-99"


def test_a_truncated_gzip_stream_is_an_input_format_error(tmp_path: Path) -> None:
    body = b"wai_1,wai_2,wai_3\n" + b"4,5,4\n" * 200_000
    packed = gzip.compress(body)
    truncated = io.BytesIO(packed[: len(packed) // 2])
    with pytest.raises(am.InputFormatError, match="truncated or corrupt"):
        am.score_csv(truncated, io.BytesIO(), "wai-b3")


def test_valid_item_cells_starting_with_a_tab_are_still_neutralised(tmp_path: Path) -> None:
    data = b"wai_1,wai_2,wai_3\n\t4,5,4\n"
    summary, rows = _score_bytes(tmp_path, data)
    assert summary.ok  # a tab around a number is white space: the answer is valid
    assert rows[0]["wai_1"] == "'\t4"  # but the written cell cannot start with a tab


# --- cells and headers of every shape survive the block reader ------------------------------

BOM = "\ufeff"


@pytest.mark.parametrize("block", [32, 8 * 1024 * 1024])
@pytest.mark.parametrize("irregular", [False, True], ids=["quoted", "stray-quote"])
def test_a_byte_order_mark_inside_the_data_is_a_cell_character(
    monkeypatch: pytest.MonkeyPatch, block: int, irregular: bool
) -> None:
    """Arrow drops a BOM that starts its input; a record that starts a block keeps its own."""
    note = "6'2\" tall" if irregular else "x"
    rows = [f"{BOM}007,{note},4,4,4", f"{BOM}4,x,{BOM}4,4,4", "008,x,4,5,4"]
    data = ("\ufeffid,note,wai_1,wai_2,wai_3\n" + "\n".join(rows) + "\n").encode()
    monkeypatch.setattr(am_csv, "_BLOCK_BYTES", block)
    out = io.BytesIO()
    summary = am.score_csv(io.BytesIO(data), out, "wai-b3", sanitize=False)
    written = rows_of(out.getvalue())
    assert [r["id"] for r in written] == [f"{BOM}007", f"{BOM}4", "008"]
    assert written[1]["wai_1"] == f"{BOM}4"
    # the same verdict as score() and score_frame(): a BOM is not part of a number
    assert summary.report.failure_cases["code"].tolist() == ["not_a_number"]
    with pytest.raises(am.ResponseValidationError):
        am.score([f"{BOM}4", 4, 4], "wai-b3")


def test_wide_files_parsed_by_column_groups_lose_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    extra = [f"c{i}x" for i in range(23)]
    header = ["id", *extra, "wai_1", "wai_2", "wai_3"]
    body = [[f"{r:03d}", *(f"v{r}_{i}" for i in range(23)), "4", str(1 + r % 5), "x" * r]
            for r in range(5)]  # fmt: skip
    text = "\n".join(",".join(row) for row in [header, *body]) + "\n"
    monkeypatch.setattr(am_csv, "_COLUMN_GROUP", 4)
    grouped = io.BytesIO()
    am.score_csv(io.BytesIO(text.encode()), grouped, "wai-b3", sanitize=False)
    monkeypatch.setattr(am_csv, "_COLUMN_GROUP", 10_000)
    whole = io.BytesIO()
    am.score_csv(io.BytesIO(text.encode()), whole, "wai-b3", sanitize=False)
    assert grouped.getvalue() == whole.getvalue()
    assert [r["c22x"] for r in rows_of(grouped.getvalue())] == [f"v{r}_22" for r in range(5)]


def test_a_header_name_longer_than_the_csv_modules_field_limit() -> None:
    long_name = "a" * 200_000  # the csv module stops at 131,072 characters by default
    data = f"wai_1,wai_2,wai_3,{long_name}\n4,4,4,x\n".encode()
    out = io.BytesIO()
    summary = am.score_csv(io.BytesIO(data), out, "wai-b3")
    assert summary.rows == 1
    assert long_name in out.getvalue().decode()
    assert csv.field_size_limit() == 131_072  # the process-wide limit is left as it was


@pytest.mark.parametrize(
    "encoding", ["raw_unicode_escape", "unicode_escape", "utf-7", "iso2022_jp", "hz", "idna",
                 "punycode", "base64", "rot13"],
)  # fmt: skip
def test_codecs_that_do_not_read_ascii_as_ascii_are_refused(encoding: str) -> None:
    data = b"id,note,wai_1,wai_2,wai_3\nA,x\\u0041y,\\u0034,4,4\n"
    with pytest.raises(am.InvalidParameterError, match="'encoding' parameter"):
        am.score_csv(io.BytesIO(data), io.BytesIO(), "wai-b3", encoding=encoding)


def test_utf8_with_a_signature_is_utf8() -> None:
    data = "\ufeffwai_1,wai_2,wai_3\n4,4,4\n".encode()
    out = io.BytesIO()
    assert am.score_csv(io.BytesIO(data), out, "wai-b3", encoding="utf-8-sig").rows == 1
