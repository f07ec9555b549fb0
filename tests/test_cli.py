"""The ``alliance-metrics`` command line, in-process, plus one real run of each entry point.

Every hostile input is a small case whose bytes are written in the test itself. Each test checks
the exit code, the stderr line(s) and the content written (or that nothing was written).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import alliance_metrics as am
import alliance_metrics.io.csv as am_csv
from alliance_metrics.cli import main
from helpers import B3_SCORES, assert_same_scores

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "data" / "wai_sr_example.csv"

ERROR_PREFIX = "alliance-metrics: error: "
SUMMARY = re.compile(
    r"^alliance-metrics: (?P<rows>\d+) rows? read, (?P<ok>\d+) ok, (?P<prorated>\d+) prorated, "
    r"(?P<insufficient>\d+) insufficient, (?P<invalid>\d+) invalid → (?P<output>.+?)"
    r"(?:; (?P<cells>\d+) invalid cells? in (?P<rows_invalid>\d+) rows?"
    r"(?: \(details: (?P<errors>.+?)\))?)? \[\d+\.\d\d s\]$",
    re.MULTILINE,
)


@dataclass
class Run:
    code: int
    out: str
    err: str


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> Run:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return Run(code, out, err)


def summary_of(result: Run) -> dict[str, str | None]:
    assert "Traceback" not in result.err
    found = SUMMARY.search(result.err)
    assert found is not None, result.err
    return found.groupdict()


def counts(result: Run) -> tuple[int, int, int, int, int]:
    found = summary_of(result)
    keys = ("rows", "ok", "prorated", "insufficient", "invalid")
    return tuple(int(found[k] or 0) for k in keys)  # type: ignore[return-value]


def assert_usage_error(result: Run, *fragments: str) -> str:
    """Exit 2, no traceback, exactly one stderr line starting 'alliance-metrics: error:'."""
    assert result.code == 2, result.err
    assert "Traceback" not in result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith(ERROR_PREFIX), result.err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def names(folder: Path) -> list[str]:
    """Every entry of ``folder``, hidden ones included (so stray .partial files show)."""
    return sorted(p.name for p in folder.iterdir())


def put(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def rows_of(text: str, delimiter: str = ",") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))


def text_of(path: Path) -> str:
    """The file's text with its line ends as written (no newline translation)."""
    return path.read_bytes().decode("utf-8")


def read_rows(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    return rows_of(text_of(path), delimiter)


def header_of(path: Path, delimiter: str = ",") -> list[str]:
    return next(csv.reader(io.StringIO(text_of(path), newline=""), delimiter=delimiter))


def expected_scores(
    path: Path,
    instrument: str,
    *,
    sep: str = ",",
    encoding: str = "utf-8-sig",
    **kwargs: object,
) -> pd.DataFrame:
    """score_frame on the same file read by pandas as text (the reference for the CLI)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep, encoding=encoding)
    return am.score_frame(frame, instrument, on_invalid="missing", **kwargs)  # type: ignore[arg-type]


B3_FILE = b"id,wai_1,wai_2,wai_3\n007,4,5,Always\n0012, 3 ,very often,2\n"


# --- the happy path ----------------------------------------------------------------------------


def test_score_writes_default_output_beside_the_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = put(tmp_path, "visits.csv", B3_FILE)
    result = run(capsys, "score", source, "--instrument", "wai-b3")
    assert result.code == 0, result.err
    assert result.out == ""
    assert counts(result) == (2, 2, 0, 0, 0)
    assert summary_of(result)["output"] == str(tmp_path / "visits.scored.csv")
    assert names(tmp_path) == ["visits.csv", "visits.scored.csv"]  # no errors file, no temp
    output = tmp_path / "visits.scored.csv"
    assert header_of(output) == ["id", "wai_1", "wai_2", "wai_3", *B3_SCORES]
    rows = read_rows(output)
    assert [r["id"] for r in rows] == ["007", "0012"]
    assert [r["wai_1"] for r in rows] == ["4", " 3 "]  # input cells as given
    assert [r["wai_2"] for r in rows] == ["5", "very often"]
    assert_same_scores(rows, expected_scores(source, "wai-b3"), B3_SCORES)
    assert float(rows[0]["wai_b3_total"]) == pytest.approx(14 / 3)


def test_default_precision_round_trips_exactly_and_precision_rounds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header = ",".join(["client", *[f"wai_{n}" for n in range(1, 13)]])
    source = put(
        tmp_path,
        "sr.csv",
        f"{header}\nc1,5,4,5,5,4,4,5,5,4,4,5,5\nc2,2,2,3,2,,2,2,3,2,2,2,2\n".encode(),
    )
    exact = run(capsys, "score", source, "-i", "wai-sr", "-o", tmp_path / "exact.csv")
    assert exact.code == 0, exact.err
    rows = read_rows(tmp_path / "exact.csv")
    columns = [c for c in header_of(tmp_path / "exact.csv") if c.startswith("wai_sr_")]
    assert_same_scores(rows, expected_scores(source, "wai-sr"), columns)
    assert rows[0]["wai_sr_total"] == repr(55 / 12)  # shortest round-trip text
    rounded = run(
        capsys, "score", source, "-i", "wai-sr", "-o", tmp_path / "r.csv", "--precision", "2"
    )
    assert rounded.code == 0, rounded.err
    rows = read_rows(tmp_path / "r.csv")
    assert rows[0]["wai_sr_total"] == "4.58"
    assert rows[1]["wai_sr_bond"] == "2.33"
    assert rows[1]["wai_sr_bond_answered"] == "3"


@pytest.mark.parametrize("precision", range(18))
def test_every_precision_rounds_as_python_round(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], precision: int
) -> None:
    """`--precision N` writes round(score, N): np.round's scaling was one step off at 15 and
    17 decimals (3.6666666666666665 → 3.666666666666666)."""
    header = ",".join(["client", *[f"wai_{n}" for n in range(1, 13)]])
    lines = [f"c{i},{','.join(str(1 + (i * 7 + n * 3) % 5) for n in range(12))}" for i in range(40)]
    source = put(tmp_path, "sr.csv", ("\n".join([header, *lines]) + "\n").encode())
    result = run(capsys, "score", source, "-i", "wai-sr", "-o", tmp_path / "r.csv",
                 "--precision", str(precision))  # fmt: skip
    assert result.code == 0, result.err
    exact = expected_scores(source, "wai-sr")
    for i, row in enumerate(read_rows(tmp_path / "r.csv")):
        for scale in ("goal", "task", "bond", "total"):
            want = round(float(exact[f"wai_sr_{scale}"].iloc[i]), precision)
            assert float(row[f"wai_sr_{scale}"]) == want, (i, scale, row[f"wai_sr_{scale}"])


def test_negative_precision_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # --precision -1 silently rounds every score of 1-5 scales to 0 or 10
    source = put(tmp_path, "in.csv", B3_FILE)
    result = run(
        capsys, "score", source, "-i", "wai-b3", "-o", tmp_path / "o.csv", "--precision", "-1"
    )
    assert_usage_error(result, "precision")
    assert names(tmp_path) == ["in.csv"]


def test_every_row_in_order_with_all_statuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = put(
        tmp_path,
        "mixed.csv",
        b"id,wai_1,wai_2,wai_3\n"
        b"a,4,5,3\n"  # ok
        b"b,,,\n"  # insufficient
        b"c,NA,N/A,null\n"  # insufficient (markers are blanks)
        b"d,7,4,4\n"  # invalid
        b"e,NaN,nan,1\n",  # insufficient
    )
    result = run(capsys, "score", source, "-i", "wai-b3", "-o", tmp_path / "out.csv")
    assert result.code == 1
    assert counts(result) == (5, 1, 0, 3, 1)
    rows = read_rows(tmp_path / "out.csv")
    assert [r["id"] for r in rows] == ["a", "b", "c", "d", "e"]
    assert [r["wai_b3_status"] for r in rows] == [
        "ok",
        "insufficient",
        "insufficient",
        "invalid",
        "insufficient",
    ]
    assert [r["wai_b3_bond"] for r in rows] == ["3", "", "", "4", "1"]
    assert_same_scores(rows, expected_scores(source, "wai-b3"), B3_SCORES)


def test_prorated_rows_are_counted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header = ",".join(["id", *[f"wai_{n}" for n in range(1, 13)]])
    source = put(tmp_path, "p.csv", f"{header}\n1,4,4,4,4,4,4,4,4,4,4,4,\n".encode())
    result = run(capsys, "score", source, "-i", "wai-sr", "-o", tmp_path / "o.csv")
    assert result.code == 0, result.err
    assert counts(result) == (1, 0, 1, 0, 0)
    assert read_rows(tmp_path / "o.csv")[0]["wai_sr_status"] == "prorated"


# --- data problems -----------------------------------------------------------------------------


def test_data_problems_exit_1_with_output_and_errors_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = put(
        tmp_path,
        "bad.csv",
        b"id,wai_1,wai_2,wai_3\n001,4,5,3\n002,7,x,3.5\n003,0,Sometimes,2\n",
    )
    result = run(capsys, "score", source, "-i", "wai-b3")
    assert result.code == 1
    found = summary_of(result)
    assert counts(result) == (3, 1, 0, 0, 2)
    assert (found["cells"], found["rows_invalid"]) == ("4", "2")
    assert found["errors"] == str(tmp_path / "bad.errors.csv")
    assert names(tmp_path) == ["bad.csv", "bad.errors.csv", "bad.scored.csv"]
    rows = read_rows(tmp_path / "bad.scored.csv")
    assert [r["id"] for r in rows] == ["001", "002", "003"]
    assert [r["wai_1"] for r in rows] == ["4", "7", "0"]  # invalid cells written as given
    assert [r["wai_b3_status"] for r in rows] == ["ok", "invalid", "invalid"]
    assert rows[2]["wai_b3_task"] == "2"  # invalid cells count as unanswered
    errors = read_rows(tmp_path / "bad.errors.csv")
    assert [(e["row"], e["column"], e["value"], e["code"]) for e in errors] == [
        ("1", "wai_1", "7", "out_of_range"),
        ("1", "wai_2", "x", "not_a_number"),
        ("1", "wai_3", "3.5", "not_on_step"),
        ("2", "wai_1", "0", "out_of_range"),
    ]
    assert all("002" not in e["message"] and "003" not in e["message"] for e in errors)


def test_on_invalid_raise_writes_nothing_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = put(tmp_path, "bad.csv", b"id,wai_1,wai_2,wai_3\n001,4,5,3\n002,9,4,4\n")
    result = run(capsys, "score", source, "-i", "wai-b3", "--on-invalid", "raise")
    assert result.code == 1
    assert "Traceback" not in result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(ERROR_PREFIX + "data problems, nothing written")
    assert "row 1, column 'wai_1'" in lines[0]
    assert names(tmp_path) == ["bad.csv"]


def test_on_invalid_raise_after_many_chunks_leaves_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(am_csv, "_BLOCK_BYTES", 256)
    body = "".join(f"{i:05d},4,5,3\n" for i in range(300)) + "99999,4,5,6\n"
    source = put(tmp_path, "big.csv", ("id,wai_1,wai_2,wai_3\n" + body).encode())
    out = tmp_path / "out"
    out.mkdir()
    result = run(
        capsys, "score", source, "-i", "wai-b3", "-o", out / "s.csv", "--on-invalid", "raise"
    )
    assert result.code == 1
    assert "row 300, column 'wai_3'" in result.err
    assert names(out) == []
    assert names(tmp_path) == ["big.csv", "out"]


def test_minus_99_is_an_invalid_cell_unless_declared(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = put(tmp_path, "m.csv", b"id,wai_1,wai_2,wai_3\n001,4,-99,3\n")
    result = run(capsys, "score", source, "-i", "wai-b3")
    assert result.code == 1, result.err
    assert counts(result) == (1, 0, 0, 0, 1)
    assert names(tmp_path) == ["m.csv", "m.errors.csv", "m.scored.csv"]
    errors = read_rows(tmp_path / "m.errors.csv")
    assert [(e["row"], e["column"], e["value"], e["code"]) for e in errors] == [
        ("0", "wai_2", "-99", "out_of_range")  # a plain number: not prefixed with '
    ]
    assert read_rows(tmp_path / "m.scored.csv")[0]["wai_2"] == "-99"


def test_missing_values_declares_minus_99_unanswered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = put(tmp_path, "m.csv", b"id,wai_1,wai_2,wai_3\n001,4,-99,3\n002,999,-99,3\n")
    result = run(capsys, "score", source, "-i", "wai-b3", "-o", "-", "--missing-values", "-99, 999")
    assert result.code == 0, result.err
    assert counts(result) == (2, 0, 0, 2, 0)
    rows = rows_of(result.out)
    assert [r["wai_b3_task"] for r in rows] == ["", ""]
    assert [r["wai_b3_goal"] for r in rows] == ["4", ""]
    assert [r["wai_2"] for r in rows] == ["-99", "-99"]
    assert names(tmp_path) == ["m.csv"]


def test_labels_in_any_case_and_numeric_text_with_spaces(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = put(
        tmp_path,
        "l.csv",
        b"id,wai_1,wai_2,wai_3\n1,SELDOM, always ,Fairly often\n2, 4 ,\t5,VERY OFTEN\n",
    )
    result = run(capsys, "score", source, "-i", "wai-b3", "-o", "-")
    assert result.code == 0, result.err
    rows = rows_of(result.out)
    assert [(r["wai_b3_goal"], r["wai_b3_task"], r["wai_b3_bond"]) for r in rows] == [
        ("1", "5", "3"),
        ("4", "5", "4"),
    ]


# --- dialects and encodings --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "delimiter"),
    [
        pytest.param(
            b'\xef\xbb\xbfid;wai_1;wai_2;wai_3\r\n007;4;5;3\r\n008;"2";Seldom;1\r\n',
            ";",
            id="semicolon-bom-crlf",
        ),
        pytest.param(b"id,wai_1,wai_2,wai_3\r\n007,4,5,3\r\n008,2,Seldom,1\r\n", ",", id="crlf"),
        pytest.param(b"id\twai_1\twai_2\twai_3\n007\t4\t5\t3\n008\t2\tSeldom\t1\n", "\t", id="tab"),
        pytest.param(b"id|wai_1|wai_2|wai_3\n007|4|5|3\n008|2|Seldom|1\n", "|", id="pipe"),
        pytest.param(
            b"\xef\xbb\xbfid,wai_1,wai_2,wai_3\n007,4,5,3\n008,2,Seldom,1",
            ",",
            id="bom-no-final-newline",
        ),
    ],
)
def test_dialects_are_sniffed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, delimiter: str
) -> None:
    source = put(tmp_path, "d.csv", data)
    result = run(capsys, "score", source, "-i", "wai-b3")
    assert result.code == 0, result.err
    assert counts(result) == (2, 2, 0, 0, 0)
    output = tmp_path / "d.scored.csv"
    assert header_of(output, delimiter)[:4] == ["id", "wai_1", "wai_2", "wai_3"]  # BOM gone
    rows = read_rows(output, delimiter)
    assert [r["id"] for r in rows] == ["007", "008"]
    assert [r["wai_b3_total"] for r in rows] == ["4", repr(4 / 3)]


def test_delimiter_override(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # one header field, so sniffing cannot know; the user says semicolon
    source = put(tmp_path, "o.csv", b"id,x;wai_1;wai_2;wai_3\n1,2;4;5;3\n")
    wrong = run(capsys, "score", source, "-i", "wai-b3", "-o", "-", "--delimiter", "comma")
    assert_usage_error(wrong, "Missing item column")
    right = run(capsys, "score", source, "-i", "wai-b3", "-o", "-", "--delimiter", "semicolon")
    assert right.code == 0, right.err
    rows = rows_of(right.out, ";")
    assert rows[0]["id,x"] == "1,2"
    assert rows[0]["wai_b3_total"] == "4"


def test_bad_delimiter_argument_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = put(tmp_path, "o.csv", B3_FILE)
    with pytest.raises(SystemExit) as stopped:
        main(["score", str(source), "-i", "wai-b3", "--delimiter", "ab"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "error: argument --delimiter: must be one character" in err
    assert "Traceback" not in err
    assert names(tmp_path) == ["o.csv"]


def test_quoted_fields_with_delimiters_quotes_and_newlines_pass_through(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = put(
        tmp_path,
        "q.csv",
        b"id,note,wai_1,wai_2,wai_3\r\n"
        b'"00,1","said ""hi"",\r\nthen left",4,5,3\r\n'
        b'"002","line1\nline2;x\ty",1,"2",3\r\n',
    )
    result = run(capsys, "score", source, "-i", "wai-b3", "-o", tmp_path / "o.csv")
    assert result.code == 0, result.err
    assert counts(result) == (2, 2, 0, 0, 0)
    rows = read_rows(tmp_path / "o.csv")
    assert [r["id"] for r in rows] == ["00,1", "002"]
    assert [r["note"] for r in rows] == ['said "hi",\r\nthen left', "line1\nline2;x\ty"]
    assert [r["wai_b3_total"] for r in rows] == ["4", "2"]


def test_decimal_comma_on_visual_analogue_scales_with_semicolons(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = put(
        tmp_path,
        "srs.csv",
        b"client;relationship;goals_topics;approach_method;overall\n"
        b"01;9,5;8;7,25;10\n"
        b"02;10,5;1;1;1\n",
    )
    result = run(capsys, "score", source, "-i", "srs", "-o", tmp_path / "o.csv")
    assert result.code == 1
    assert counts(result) == (2, 1, 0, 0, 1)
    rows = read_rows(tmp_path / "o.csv", ";")
    assert rows[0]["srs_total"] == "34.75"
    assert rows[0]["relationship"] == "9,5"  # input cell as given
    assert rows[1]["srs_status"] == "invalid"  # 10.5 is above the scale
    errors = read_rows(tmp_path / "o.errors.csv")  # named after the output
    assert [(e["row"], e["column"], e["value"], e["code"]) for e in errors] == [
        ("1", "relationship", "10,5", "out_of_range")
    ]


def test_decimal_comma_is_not_read_with_comma_delimiter_or_integer_scales(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    srs = put(
        tmp_path,
        "srs.csv",
        b'client,relationship,goals_topics,approach_method,overall\n01,"9,5",8,7,10\n',
    )
    result = run(capsys, "score", srs, "-i", "srs", "-o", tmp_path / "o1.csv")
    assert result.code == 1
    assert read_rows(tmp_path / "o1.csv")[0]["srs_status"] == "invalid"
    wai = put(tmp_path, "wai.csv", b"id;wai_1;wai_2;wai_3\n1;4,0;5;3\n")
    result = run(capsys, "score", wai, "-i", "wai-b3", "-o", tmp_path / "o2.csv")
    assert result.code == 1
    assert read_rows(tmp_path / "o2.csv", ";")[0]["wai_b3_status"] == "invalid"


ZOE_CP1252 = "Zoë".encode("cp1252")


def test_cp1252_ids_with_encoding_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = put(tmp_path, "w.csv", b"id;wai_1;wai_2;wai_3\r\n" + ZOE_CP1252 + b";4;5;3\r\n")
    result = run(capsys, "score", source, "-i", "wai-b3", "--encoding", "cp1252")
    assert result.code == 0, result.err
    assert counts(result) == (1, 1, 0, 0, 0)
    rows = read_rows(tmp_path / "w.scored.csv", ";")  # written as UTF-8
    assert rows[0]["id"] == "Zoë"
    assert rows[0]["wai_b3_total"] == "4"


def test_cp1252_on_stdin_with_encoding_option(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = b"id,wai_1,wai_2,wai_3\n" + ZOE_CP1252 + b",4,5,3\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    result = run(capsys, "score", "-", "-i", "wai-b3", "--encoding", "cp1252")
    assert result.code == 0, result.err
    assert rows_of(result.out)[0]["id"] == "Zoë"


@pytest.mark.parametrize("row", [1, 5, 6000], ids=["first-row", "fifth-row", "past-sniffing"])
def test_undecodable_bytes_suggest_the_encoding_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], row: int
) -> None:
    lines = [f"{i:05d},4,5,3".encode() for i in range(1, row)]
    lines.append(ZOE_CP1252 + b",4,5,3")
    source = put(tmp_path, "w.csv", b"id,wai_1,wai_2,wai_3\n" + b"\n".join(lines) + b"\n")
    result = run(capsys, "score", source, "-i", "wai-b3")
    line = assert_usage_error(result, "--encoding")
    assert "Zo" not in line
    assert names(tmp_path) == ["w.csv"]


def test_gzip_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = put(tmp_path, "visits.csv.gz", gzip.compress(B3_FILE))
    result = run(capsys, "score", source, "-i", "wai-b3")
    assert result.code == 0, result.err
    assert counts(result) == (2, 2, 0, 0, 0)
    assert names(tmp_path) == ["visits.csv.gz", "visits.scored.csv"]
    rows = read_rows(tmp_path / "visits.scored.csv")
    assert [r["id"] for r in rows] == ["007", "0012"]


def test_gzip_on_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(gzip.compress(B3_FILE))))
    result = run(capsys, "score", "-", "-i", "wai-b3")
    assert result.code == 0, result.err
    assert [r["id"] for r in rows_of(result.out)] == ["007", "0012"]


# --- input-format errors: exit 2, nothing written ----------------------------------------------


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        pytest.param(b"", "is empty", id="zero-bytes"),
        pytest.param(b"\xef\xbb\xbf\r\n", "is empty", id="bom-and-newline"),
        pytest.param(b"id,wai_1,wai_2\n1,2,3\n", "Missing item column", id="missing-item"),
        pytest.param(
            b"id,wai_1,wai_2,wai_3,id\n1,2,3,4,5\n",
            "columns 1 and 5 of the header row have the same name",
            id="duplicate",
        ),
        pytest.param(b"id,,wai_1,wai_2,wai_3\n1,2,3,4,5\n", "no name", id="blank-header"),
    ],
)
def test_unusable_files_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, fragment: str
) -> None:
    source = put(tmp_path, "in.csv", data)
    result = run(capsys, "score", source, "-i", "wai-b3")
    assert_usage_error(result, fragment, "in.csv")
    assert names(tmp_path) == ["in.csv"]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"id,wai_1,wai_2,wai_3\n", id="lf"),
        pytest.param(b"id,wai_1,wai_2,wai_3\r\n", id="crlf"),
        pytest.param(b"\xef\xbb\xbfid;wai_1;wai_2;wai_3\n", id="bom-semicolon"),
        pytest.param(b"id,wai_1,wai_2,wai_3", id="no-final-newline"),
    ],
)
def test_header_only_gives_header_with_score_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes
) -> None:
    source = put(tmp_path, "h.csv", data)
    result = run(capsys, "score", source, "-i", "wai-b3")
    assert result.code == 0, result.err
    assert counts(result) == (0, 0, 0, 0, 0)
    output = tmp_path / "h.scored.csv"
    delimiter = ";" if b";" in data else ","
    assert header_of(output, delimiter) == ["id", "wai_1", "wai_2", "wai_3", *B3_SCORES]
    assert read_rows(output, delimiter) == []


@pytest.mark.parametrize(
    "bad_row",
    [b"SECRET-ID,2,3,4,5", b"SECRET-ID,2,3", b'SECRET-ID,"2,3,4'],
    ids=["too-many", "too-few", "unbalanced-quote"],
)
def test_ragged_rows_exit_2_without_echoing_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bad_row: bytes
) -> None:
    source = put(tmp_path, "r.csv", b"id,wai_1,wai_2,wai_3\n1,2,3,4\n" + bad_row + b"\n3,4,4,4\n")
    result = run(capsys, "score", source, "-i", "wai-b3")
    line = assert_usage_error(result, "r.csv")
    assert "SECRET" not in line
    assert names(tmp_path) == ["r.csv"]


def test_ragged_row_after_many_chunks_leaves_no_partial_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(am_csv, "_BLOCK_BYTES", 256)
    body = "".join(f"{i:05d},4,5,3\n" for i in range(400)) + "SECRET,1,2,3,4,5\n"
    source = put(tmp_path, "big.csv", ("id,wai_1,wai_2,wai_3\n" + body).encode())
    out = tmp_path / "out"
    out.mkdir()
    result = run(capsys, "score", source, "-i", "wai-b3", "-o", out / "s.csv")
    line = assert_usage_error(result, "wrong number of fields")
    assert "SECRET" not in line
    assert names(out) == []
    assert names(tmp_path) == ["big.csv", "out"]


def test_missing_item_column_names_the_item(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = put(tmp_path, "m.csv", b"id,wai_1,wai_3\n1,2,3\n")
    result = run(capsys, "score", source, "-i", "wai-b3", "-o", tmp_path / "o.csv")
    assert_usage_error(result, "Missing item column", "2")
    assert names(tmp_path) == ["m.csv"]


def test_missing_input_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "score", tmp_path / "absent.csv", "-i", "wai-b3")
    assert_usage_error(result, "absent.csv")
    assert names(tmp_path) == []


def test_unknown_instrument_suggests_a_close_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = put(tmp_path, "in.csv", B3_FILE)
    result = run(capsys, "score", source, "-i", "wai-b4")
    assert_usage_error(result, "unknown instrument 'wai-b4'", "Did you mean 'wai-b3'")
    assert names(tmp_path) == ["in.csv"]


@pytest.mark.parametrize(
    ("option", "fragment"),
    [
        (["--min-answered", "0"], "--min-answered"),
        (["--min-answered", "1.5"], "--min-answered"),
        (["--columns", "x{n}"], "Missing item column"),
        (["--encoding", "no-such-codec"], "no-such-codec"),
    ],
)
def test_bad_options_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: list[str], fragment: str
) -> None:
    source = put(tmp_path, "in.csv", B3_FILE)
    result = run(capsys, "score", source, "-i", "wai-b3", *option)
    assert_usage_error(result, fragment)
    assert names(tmp_path) == ["in.csv"]


def test_output_name_clash_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = put(tmp_path, "c.csv", b"id,wai_b3_total,wai_1,wai_2,wai_3\n1,x,4,5,3\n")
    result = run(capsys, "score", source, "-i", "wai-b3")
    assert_usage_error(result, "wai_b3_total", "prefix")
    assert names(tmp_path) == ["c.csv"]


# --- output safety -----------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["same", "dotted", "symlink"])
def test_refuses_to_overwrite_the_input(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    spelling: str,
) -> None:
    source = put(tmp_path, "in.csv", B3_FILE)
    monkeypatch.chdir(tmp_path)
    argv = {
        "same": ["in.csv", "-o", "in.csv"],
        "dotted": [str(source), "-o", "./sub/../in.csv"],
        "symlink": ["link.csv", "-o", "in.csv"],
    }[spelling]
    (tmp_path / "sub").mkdir()
    if spelling == "symlink":
        (tmp_path / "link.csv").symlink_to(source)
    result = run(capsys, "score", *argv, "-i", "wai-b3")
    assert_usage_error(result, "over the input")
    assert source.read_bytes() == B3_FILE
    assert names(tmp_path) == sorted(
        ["in.csv", "sub", *(["link.csv"] if spelling == "symlink" else [])]
    )


def test_refuses_to_write_the_errors_file_over_the_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = b"id,wai_1,wai_2,wai_3\n001,4,9,3\n"
    source = put(tmp_path, "in.csv", data)
    result = run(capsys, "score", source, "-i", "wai-b3", "--errors", source)
    assert_usage_error(result, "over the input")
    assert source.read_bytes() == data
    assert names(tmp_path) == ["in.csv"]


def test_output_folder_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = put(tmp_path, "in.csv", B3_FILE)
    result = run(capsys, "score", source, "-i", "wai-b3", "-o", tmp_path / "nowhere" / "o.csv")
    assert_usage_error(result, "nowhere", "does not exist")
    assert names(tmp_path) == ["in.csv"]


def test_output_path_is_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = put(tmp_path, "in.csv", B3_FILE)
    (tmp_path / "results").mkdir()
    result = run(capsys, "score", source, "-i", "wai-b3", "-o", tmp_path / "results")
    line = assert_usage_error(result, "results")
    assert ".partial" not in line  # name the user's path, not an internal temporary file
    assert names(tmp_path) == ["in.csv", "results"]
    assert names(tmp_path / "results") == []


def test_output_files_get_ordinary_permissions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # written through a temporary file: the result must not stay private (0600) to its owner
    source = put(tmp_path, "in.csv", b"id,wai_1,wai_2,wai_3\n001,4,9,3\n")
    result = run(capsys, "score", source, "-i", "wai-b3")
    assert result.code == 1
    umask = os.umask(0)
    os.umask(umask)
    expected = 0o666 & ~umask
    for name in ("in.scored.csv", "in.errors.csv"):
        assert (tmp_path / name).stat().st_mode & 0o777 == expected, name


FORMULAS = ["=SUM(A1:A2)", "+cmd", "-cmd|' /C calc'!A0", "@SUM(1)", "\tx", "\rx"]
HARMLESS = ["-3", "+4.5", "plain", "a=b", " =x", "1e5"]


def _formula_file(folder: Path) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(["id", "note", "wai_1", "wai_2", "wai_3"])
    for i, note in enumerate(FORMULAS + HARMLESS):
        writer.writerow([f"{i:03d}", note, "4", "5", "3"])
    writer.writerow(["=HYPERLINK(1)", "x", "4", "5", "3"])
    return put(folder, "f.csv", buffer.getvalue().encode())


def test_formula_cells_are_sanitised(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _formula_file(tmp_path)
    result = run(capsys, "score", source, "-i", "wai-b3", "-o", tmp_path / "o.csv")
    assert result.code == 0, result.err
    rows = read_rows(tmp_path / "o.csv")
    assert [r["note"] for r in rows] == [*("'" + f for f in FORMULAS), *HARMLESS, "x"]
    assert rows[-1]["id"] == "'=HYPERLINK(1)"
    assert all(r["wai_b3_total"] == "4" for r in rows)


def test_no_sanitize_writes_cells_as_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _formula_file(tmp_path)
    result = run(capsys, "score", source, "-i", "wai-b3", "-o", tmp_path / "o.csv", "--no-sanitize")
    assert result.code == 0, result.err
    rows = read_rows(tmp_path / "o.csv")
    assert [r["note"] for r in rows] == [*FORMULAS, *HARMLESS, "x"]
    assert rows[-1]["id"] == "=HYPERLINK(1)"


def test_formulas_in_item_cells_are_sanitised_in_output_and_errors_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = put(tmp_path, "f.csv", b'id,wai_1,wai_2,wai_3\n001,4,"=1+2",3\n002,@x,-3,+cmd\n')
    result = run(capsys, "score", source, "-i", "wai-b3")
    assert result.code == 1, result.err
    assert counts(result) == (2, 0, 0, 0, 2)
    rows = read_rows(tmp_path / "f.scored.csv")
    assert [(r["wai_1"], r["wai_2"], r["wai_3"]) for r in rows] == [
        ("4", "'=1+2", "3"),
        ("'@x", "-3", "'+cmd"),
    ]
    errors = read_rows(tmp_path / "f.errors.csv")
    assert [(e["row"], e["column"], e["value"]) for e in errors] == [
        ("0", "wai_2", "'=1+2"),
        ("1", "wai_1", "'@x"),
        ("1", "wai_2", "-3"),
        ("1", "wai_3", "'+cmd"),
    ]


# --- streams -----------------------------------------------------------------------------------


def test_stdin_to_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(B3_FILE)))
    result = run(capsys, "score", "-", "-i", "wai-b3")
    assert result.code == 0, result.err
    assert summary_of(result)["output"] == "<stdout>"
    rows = rows_of(result.out)
    assert [r["id"] for r in rows] == ["007", "0012"]
    assert list(rows[0]) == ["id", "wai_1", "wai_2", "wai_3", *B3_SCORES]
    assert names(tmp_path) == []


def test_file_to_stdout_and_stdin_to_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = put(tmp_path, "in.csv", B3_FILE)
    to_stdout = run(capsys, "score", source, "-i", "wai-b3", "--output", "-")
    assert to_stdout.code == 0, to_stdout.err
    assert [r["id"] for r in rows_of(to_stdout.out)] == ["007", "0012"]
    assert names(tmp_path) == ["in.csv"]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(B3_FILE)))
    to_file = run(capsys, "score", "-", "-i", "wai-b3", "-o", tmp_path / "o.csv")
    assert to_file.code == 0, to_file.err
    assert to_file.out == ""
    assert text_of(tmp_path / "o.csv") == to_stdout.out


def test_nothing_reaches_stdout_when_a_stream_run_fails(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(am_csv, "_BLOCK_BYTES", 256)
    body = "".join(f"{i:05d},4,5,3\n" for i in range(300))
    ragged = ("id,wai_1,wai_2,wai_3\n" + body + "SECRET,1\n").encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(ragged)))
    result = run(capsys, "score", "-", "-i", "wai-b3", "--no-progress")
    assert_usage_error(result, "<stdin>", "wrong number of fields")
    assert result.out == ""
    invalid = ("id,wai_1,wai_2,wai_3\n" + body + "7,1,2,9\n").encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(invalid)))
    result = run(capsys, "score", "-", "-i", "wai-b3", "--on-invalid", "raise")
    assert result.code == 1
    assert result.err.startswith(ERROR_PREFIX + "data problems, nothing written")
    assert result.out == ""


def test_errors_option_names_the_errors_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = put(tmp_path, "in.csv", b"id,wai_1,wai_2,wai_3\n001,4,9,3\n")
    result = run(capsys, "score", source, "-i", "wai-b3", "--errors", tmp_path / "problems.csv")
    assert result.code == 1
    assert summary_of(result)["errors"] == str(tmp_path / "problems.csv")
    assert names(tmp_path) == ["in.csv", "in.scored.csv", "problems.csv"]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(source.read_bytes())))
    piped = run(capsys, "score", "-", "-i", "wai-b3", "--errors", tmp_path / "piped.csv")
    assert piped.code == 1
    assert (tmp_path / "piped.csv").read_bytes() == (tmp_path / "problems.csv").read_bytes()


# --- options -----------------------------------------------------------------------------------


def test_columns_template_prefix_and_sum(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = put(tmp_path, "t.csv", b"id,q01,q02,q03,q1\n001,4,5,3,x\n")
    result = run(
        capsys,
        "score",
        source,
        "-i",
        "wai-b3",
        "-o",
        "-",
        "--columns",
        "q{n:02d}",
        "--prefix",
        "b3.",
        "--aggregate",
        "sum",
    )
    assert result.code == 0, result.err
    rows = rows_of(result.out)
    assert list(rows[0]) == [
        "id",
        "q01",
        "q02",
        "q03",
        "q1",
        "b3.goal",
        "b3.goal_answered",
        "b3.task",
        "b3.task_answered",
        "b3.bond",
        "b3.bond_answered",
        "b3.total",
        "b3.total_answered",
        "b3.status",
    ]
    assert rows[0]["b3.total"] == "12"
    assert rows[0]["q1"] == "x"


def test_empty_prefix_gives_bare_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = put(tmp_path, "t.csv", B3_FILE)
    result = run(capsys, "score", source, "-i", "wai-b3", "-o", "-", "--prefix", "")
    assert result.code == 0, result.err
    assert list(rows_of(result.out)[0])[4:] == [c.removeprefix("wai_b3_") for c in B3_SCORES]


def test_min_answered_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header = ",".join(["id", *[f"wai_{n}" for n in range(1, 13)]])
    source = put(tmp_path, "p.csv", f"{header}\n1,4,4,4,4,4,4,4,4,4,4,,\n".encode())
    default = run(capsys, "score", source, "-i", "wai-sr", "-o", "-")
    assert rows_of(default.out)[0]["wai_sr_status"] == "prorated"
    strict = run(capsys, "score", source, "-i", "wai-sr", "-o", "-", "--min-answered", "1.0")
    assert strict.code == 0, strict.err
    row = rows_of(strict.out)[0]
    assert row["wai_sr_status"] == "insufficient"
    assert row["wai_sr_bond"] == "4"  # complete scale still scored
    assert row["wai_sr_total"] == ""


def test_parquet_output_keeps_types(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = put(tmp_path, "in.csv", B3_FILE + b"0013,,,\n")
    result = run(capsys, "score", source, "-i", "wai-b3", "--format", "parquet")
    assert result.code == 0, result.err
    assert names(tmp_path) == ["in.csv", "in.scored.parquet"]
    table = pq.read_table(tmp_path / "in.scored.parquet")
    types = dict(zip(table.schema.names, table.schema.types, strict=True))
    for column in ("id", "wai_1", "wai_2", "wai_3", "wai_b3_status"):
        assert types[column] == pa.string(), column
    for column in B3_SCORES[:-1]:
        want = pa.int64() if column.endswith("_answered") else pa.float64()
        assert types[column] == want, column
    data = table.to_pydict()
    assert data["id"] == ["007", "0012", "0013"]
    assert data["wai_2"] == ["5", "very often", ""]
    expected = expected_scores(source, "wai-b3")
    assert data["wai_b3_total"][:2] == expected["wai_b3_total"].tolist()[:2]  # exact
    assert data["wai_b3_total"][2] is None
    assert data["wai_b3_status"] == ["ok", "ok", "insufficient"]


def test_parquet_output_of_header_only_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = put(tmp_path, "h.csv", b"id,wai_1,wai_2,wai_3\n")
    result = run(capsys, "score", source, "-i", "wai-b3", "--format", "parquet")
    assert result.code == 0, result.err
    table = pq.read_table(tmp_path / "h.scored.parquet")
    assert table.num_rows == 0
    assert table.schema.names == ["id", "wai_1", "wai_2", "wai_3", *B3_SCORES]
    assert table.schema.field("wai_b3_total").type == pa.float64()
    assert table.schema.field("wai_b3_total_answered").type == pa.int64()


# --- validate ----------------------------------------------------------------------------------


def test_validate_clean_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = put(tmp_path, "in.csv", B3_FILE)
    result = run(capsys, "validate", source, "-i", "wai-b3")
    assert result.code == 0, result.err
    assert result.out == ""
    assert re.fullmatch(r"alliance-metrics: valid: 2 rows read \[\d+\.\d\d s\]\n", result.err)
    assert names(tmp_path) == ["in.csv"]


def test_validate_reports_problems_and_writes_no_scores(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = put(tmp_path, "in.csv", b"id,wai_1,wai_2,wai_3\n001,4,9,3\n002,x,4,4\n")
    result = run(capsys, "validate", source, "-i", "wai-b3")
    assert result.code == 1
    assert "Traceback" not in result.err
    assert result.err.splitlines() == [  # rows, columns and codes; never the answers
        "row 0, column 'wai_2': out_of_range",
        "row 1, column 'wai_1': not_a_number",
        result.err.splitlines()[-1],
    ]
    assert re.fullmatch(
        r"alliance-metrics: invalid: 2 rows read; 2 invalid cells in 2 rows "
        r"\(details: pass --errors PATH, or use the report in Python\) \[\d+\.\d\d s\]",
        result.err.splitlines()[-1],
    )
    assert names(tmp_path) == ["in.csv"]
    with_file = run(capsys, "validate", source, "-i", "wai-b3", "--errors", tmp_path / "e.csv")
    assert with_file.code == 1
    assert names(tmp_path) == ["e.csv", "in.csv"]
    errors = read_rows(tmp_path / "e.csv")
    assert [(e["row"], e["column"], e["code"]) for e in errors] == [
        ("0", "wai_2", "out_of_range"),
        ("1", "wai_1", "not_a_number"),
    ]


def test_validate_shows_twenty_problems_then_a_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = b"".join(b"%d,9,9,4\n" % i for i in range(12))
    source = put(tmp_path, "in.csv", b"id,wai_1,wai_2,wai_3\n" + body)
    result = run(capsys, "validate", source, "-i", "wai-b3", "--errors", tmp_path / "e.csv")
    assert result.code == 1
    lines = result.err.splitlines()
    assert len(lines) == 22
    assert lines[20] == f"... and 4 more (all in {tmp_path / 'e.csv'})"
    assert len(read_rows(tmp_path / "e.csv")) == 24


def test_validate_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert_usage_error(
        run(capsys, "validate", put(tmp_path, "e.csv", b""), "-i", "wai-b3"), "is empty"
    )
    assert_usage_error(
        run(capsys, "validate", tmp_path / "e.csv", "-i", "nope"), "unknown instrument"
    )


# --- instruments, schema, version, usage -------------------------------------------------------


def test_instruments_lists_every_id(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "instruments")
    assert result.code == 0
    listed = [line.split()[0] for line in result.out.splitlines()]
    assert listed == am.list_instruments()
    assert "12 items" in result.out
    assert result.err == ""


def test_instruments_json(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "instruments", "--json")
    assert result.code == 0
    rows = json.loads(result.out)
    assert [r["id"] for r in rows] == am.list_instruments()
    wai_sr = next(r for r in rows if r["id"] == "wai-sr")
    assert wai_sr["items"] == 12
    assert wai_sr["scales"] == ["task", "bond", "goal", "total", "goal_task"]
    assert wai_sr["status"] == "verified"


def test_instruments_one(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "instruments", "wai-sr")
    assert result.code == 0
    assert result.out.startswith("wai-sr: Working Alliance Inventory")
    assert "bond (subscale): items 3, 5, 7, 9" in result.out
    as_json = run(capsys, "instruments", "wai-sr", "--json")
    assert as_json.code == 0
    assert am.Instrument.model_validate_json(as_json.out) == am.get_instrument("wai-sr")
    unknown = run(capsys, "instruments", "wai-srr")
    assert_usage_error(unknown, "unknown instrument 'wai-srr'", "wai-sr")


def test_schema_is_json_schema_of_the_instrument_format(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = run(capsys, "schema")
    assert result.code == 0
    schema = json.loads(result.out)
    assert schema["type"] == "object"
    assert {"id", "items", "scales", "response_scale"} <= set(schema["properties"])
    assert set(schema["required"]) <= set(schema["properties"])
    assert schema == am.Instrument.model_json_schema()


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "--version")
    assert result.code == 0
    assert result.out == f"alliance-metrics {am.__version__}\n"


def test_no_command_prints_usage_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys)
    assert result.code == 2
    assert result.out == ""
    assert result.err.startswith("usage: alliance-metrics")
    assert "score" in result.err


def test_score_without_instrument_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["score", str(put(tmp_path, "in.csv", B3_FILE))])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "the following arguments are required: -i/--instrument" in err
    assert "Traceback" not in err
    assert names(tmp_path) == ["in.csv"]


# --- reliability -------------------------------------------------------------------------------


def test_reliability_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "reliability", EXAMPLE, "-i", "wai-sr")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].split()[:4] == ["scale", "n_items", "n", "alpha"]
    assert [line.split()[0] for line in lines[1:]] == ["task", "bond", "goal", "total", "goal_task"]
    report = am.reliability_report(pd.read_csv(EXAMPLE), "wai-sr")
    total = next(line.split() for line in lines if line.split()[0] == "total")
    assert float(total[3]) == pytest.approx(
        report.set_index("scale").loc["total", "alpha"], abs=5e-4
    )


def test_reliability_writes_csv_and_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    as_csv = run(capsys, "reliability", EXAMPLE, "-i", "wai-sr", "-o", tmp_path / "x.csv")
    assert as_csv.code == 0, as_csv.err
    assert as_csv.out == ""
    assert f"5 rows written to {tmp_path / 'x.csv'}" in as_csv.err
    as_json = run(capsys, "reliability", EXAMPLE, "-i", "wai-sr", "-o", tmp_path / "x.json")
    assert as_json.code == 0, as_json.err
    assert names(tmp_path) == ["x.csv", "x.json"]
    table = pd.read_csv(tmp_path / "x.csv")
    records = json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))
    assert table["scale"].tolist() == [r["scale"] for r in records]
    assert table["scale"].tolist() == ["task", "bond", "goal", "total", "goal_task"]
    for record, alpha in zip(records, table["alpha"], strict=True):
        assert math.isclose(record["alpha"], alpha, rel_tol=1e-9)


def test_reliability_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert_usage_error(
        run(capsys, "reliability", tmp_path / "none.csv", "-i", "wai-sr"), "none.csv"
    )
    assert_usage_error(run(capsys, "reliability", EXAMPLE, "-i", "wai-x"), "unknown instrument")


# --- real processes ----------------------------------------------------------------------------


def test_console_script_runs(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "alliance-metrics"
    source = put(tmp_path, "in.csv", B3_FILE)
    done = subprocess.run(
        [str(script), "score", str(source), "-i", "wai-b3"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert SUMMARY.search(done.stderr)
    assert [r["id"] for r in read_rows(tmp_path / "in.scored.csv")] == ["007", "0012"]


def test_python_dash_m_runs_stdin_to_stdout(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "alliance_metrics", "score", "-", "-i", "wai-b3"],
        input=B3_FILE,
        capture_output=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    rows = rows_of(done.stdout.decode("utf-8"))
    assert [r["id"] for r in rows] == ["007", "0012"]
    assert rows[0]["wai_b3_total"] == repr(14 / 3)
    assert SUMMARY.search(done.stderr.decode("utf-8"))
    assert names(tmp_path) == []


def test_scoring_a_clean_csv_never_imports_pandas_or_scipy(tmp_path: Path) -> None:
    """The streaming path stays light: start-up time is part of the batch figures."""
    code = (
        "import sys\n"
        "from alliance_metrics.cli import main\n"
        f"status = main(['score', {str(EXAMPLE)!r}, '-i', 'wai-sr', '-o', "
        f"{str(tmp_path / 'o.csv')!r}, '--no-progress'])\n"
        "assert status == 0, status\n"
        "heavy = sorted(m for m in ('pandas', 'scipy') if m in sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "o.csv").exists()


def test_instrument_may_be_a_user_definition_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    definition = am.get_instrument("wai-b3").model_dump_json().replace('"wai-b3"', '"my-b3"')
    path = tmp_path / "my-b3.json"
    path.write_text(definition, encoding="utf-8")
    source = tmp_path / "in.csv"
    source.write_text("id,wai_1,wai_2,wai_3\n007,4,5,4\n", encoding="utf-8")
    result = run(capsys, "score", source, "-i", path, "-o", tmp_path / "o.csv")
    assert result.code == 0, result.err
    assert "my_b3_total" in (tmp_path / "o.csv").read_text(encoding="utf-8").splitlines()[0]
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    failed = run(capsys, "score", source, "-i", broken, "-o", tmp_path / "p.csv")
    assert failed.code == 2
    assert failed.err.startswith(ERROR_PREFIX)
    assert "Traceback" not in failed.err
    assert not (tmp_path / "p.csv").exists()
