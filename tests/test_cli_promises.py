"""Broken promises found by hostile use, kept: exit 2 means nothing written; signals and closed
pipes clean up; valid files of unusual shape are read; headers are kept as written."""

from __future__ import annotations

import csv
import errno
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import alliance_metrics as am
from alliance_metrics.cli import main

B3 = b"id,wai_1,wai_2,wai_3\n001,4,5,4\n002,9,4,4\n"
SCRIPT = [sys.executable, "-m", "alliance_metrics"]


def _run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _big_csv(path: Path, rows: int) -> Path:
    line = b"C0001,1," + b",".join([b"4"] * 12) + b"\n"
    header = b"client_id,session," + b",".join(f"wai_{n}".encode() for n in range(1, 13)) + b"\n"
    with open(path, "wb") as handle:
        handle.write(header)
        block = line * 10_000
        for _ in range(rows // 10_000):
            handle.write(block)
    return path


# --- exit 2 means nothing was written -------------------------------------------------------


def test_a_full_disk_while_writing_the_errors_file_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(B3)
    from alliance_metrics.io import errors_file

    real_write = errors_file.TableSink.write

    def full(self: errors_file.TableSink, table: object, **kwargs: object) -> None:
        if self.target.shown.endswith("errors.csv"):
            raise OSError(errno.ENOSPC, "No space left on device", self.target.shown)
        real_write(self, table, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(errors_file.TableSink, "write", full)
    code, _, err = _run(capsys, "score", source, "-i", "wai-b3", "-o", tmp_path / "o.csv")
    assert code == 2
    assert err.startswith("alliance-metrics: error: No space left on device")
    assert err.count("\n") == 1
    assert _names(tmp_path) == ["in.csv"]  # no scores, no errors file, no temporary file


def test_an_errors_path_that_is_a_folder_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(B3)
    (tmp_path / "folder").mkdir()
    code, _, err = _run(capsys, "score", source, "-i", "wai-b3", "--errors", tmp_path / "folder")
    assert code == 2
    assert "The --errors option: the errors file path" in err
    assert _names(tmp_path) == ["folder", "in.csv"]
    assert _names(tmp_path / "folder") == []


def test_the_default_errors_path_is_never_the_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "visit.errors.csv"
    source.write_bytes(B3)
    code, _, err = _run(capsys, "score", source, "-i", "wai-b3", "-o", tmp_path / "visit.csv")
    assert code == 2
    assert "would be the input itself" in err
    assert source.read_bytes() == B3
    assert _names(tmp_path) == ["visit.errors.csv"]
    ok, _, _ = _run(capsys, "score", source, "-i", "wai-b3", "-o", tmp_path / "visit.csv",
                    "--errors", tmp_path / "problems.csv")  # fmt: skip
    assert ok == 1
    assert source.read_bytes() == B3


def test_an_errors_file_hard_linked_to_the_input_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(B3)
    os.link(source, tmp_path / "alias.csv")
    code, _, err = _run(capsys, "score", source, "-i", "wai-b3", "-o", tmp_path / "o.csv",
                        "--errors", tmp_path / "alias.csv")  # fmt: skip
    assert code == 2
    assert "over the input" in err
    assert source.read_bytes() == B3


# --- signals and closed pipes ----------------------------------------------------------------


@pytest.mark.slow
def test_sigterm_leaves_no_partial_file(tmp_path: Path) -> None:
    source = _big_csv(tmp_path / "big.csv", 3_000_000)
    output = tmp_path / "out.csv"
    process = subprocess.Popen(
        [*SCRIPT, "score", str(source), "-i", "wai-sr", "-o", str(output), "--no-progress"],
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while not any(p.name.endswith(".partial") for p in tmp_path.iterdir()):
        assert time.monotonic() < deadline, "the run never started writing"
        assert process.poll() is None, "the run ended before it could be terminated"
        time.sleep(0.01)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 143
    assert err.decode().strip() == "alliance-metrics: terminated; nothing written"
    assert _names(tmp_path) == ["big.csv"]


@pytest.mark.slow
def test_a_closed_stdout_pipe_is_an_error(tmp_path: Path) -> None:
    source = _big_csv(tmp_path / "big.csv", 200_000)
    process = subprocess.Popen(
        [*SCRIPT, "score", str(source), "-i", "wai-sr", "-o", "-", "--no-progress"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert len(process.stdout.read(100)) == 100
    process.stdout.close()  # like `| head -c 100`
    _, err = process.communicate(timeout=60)
    assert process.returncode == 2
    message = err.decode()
    assert "the output stream was closed before everything was written" in message
    assert "Traceback" not in message
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []


# --- valid files that were refused -----------------------------------------------------------


def test_a_header_over_64_kib(tmp_path: Path) -> None:
    extra = [f"x{i}y" for i in range(30_000)]
    header = ["id", *extra, "wai_1", "wai_2", "wai_3"]
    rows = [["a", *([""] * len(extra)), "4", "5", "4"], ["b", *(["1"] * len(extra)), "3", "3", "3"]]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    source = tmp_path / "wide.csv"
    source.write_text(buffer.getvalue())
    assert len(header[0]) + sum(len(h) + 1 for h in header) > 64 * 1024
    summary = am.score_csv(source, tmp_path / "o.csv", "wai-b3")
    assert summary.rows == 2
    with open(tmp_path / "o.csv", newline="") as handle:
        written = list(csv.DictReader(handle))
    assert [r["wai_b3_total"] for r in written] == ["4.333333333333333", "3"]
    assert written[1]["x29999y"] == "1"


def test_a_long_quoted_field_in_the_first_row_does_not_mislead_the_sniffer(tmp_path: Path) -> None:
    note = '"' + ", ".join(["long text"] * 20_000) + '"'
    text = f'id;note;wai_1;wai_2;wai_3\n1;{note};4;5;4\n2;"x, y";3;3;3\n'
    source = tmp_path / "semi.csv"
    source.write_text(text)
    summary = am.score_csv(source, tmp_path / "o.csv", "wai-b3")
    assert summary.delimiter == ";"
    assert summary.rows == 2


def test_a_named_fifo_and_process_substitution_are_read(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(B3)
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    writer = subprocess.Popen(["sh", "-c", f"cat {source} > {fifo}"])
    summary = am.score_csv(fifo, tmp_path / "o.csv", "wai-b3", errors=tmp_path / "e.csv")
    writer.wait(timeout=20)
    assert summary.rows == 2
    bash = shutil.which("bash")
    if bash is None:  # pragma: no cover - bash is on every machine CI uses
        pytest.fail("process substitution needs bash")
    done = subprocess.run(
        [bash, "-c", f'"$0" -m alliance_metrics score <(cat {source}) -i wai-b3 -o -',
         sys.executable],
        capture_output=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert done.stdout.count(b"\n") == 3


@pytest.mark.parametrize("encoding", ["utf_16_le", "UTF-16", "utf16", "UTF_32_BE", "utf-32"])
def test_every_spelling_of_utf16_and_utf32_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], encoding: str
) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(B3)
    code, _, err = _run(capsys, "score", source, "-i", "wai-b3", "--encoding", encoding)
    assert code == 2
    assert err.count("\n") == 1
    assert "The --encoding option must be an encoding that writes ASCII as ASCII" in err
    assert _names(tmp_path) == ["in.csv"]


def test_header_cells_are_written_verbatim(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(b" Client ID ,wai_1,wai_2,wai_3\n001,4,5,4\n")
    am.score_csv(source, tmp_path / "o.csv", "wai-b3")
    with open(tmp_path / "o.csv", newline="") as handle:
        assert next(csv.reader(handle))[0] == " Client ID "


def test_neutralising_a_header_never_duplicates_another(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(b"=x,'=x,wai_1,wai_2,wai_3\n1,2,4,5,4\n")
    code, _, err = _run(capsys, "score", source, "-i", "wai-b3", "-o", tmp_path / "o.csv")
    assert code == 2
    assert "would give two columns the same name" in err
    assert _names(tmp_path) == ["in.csv"]
    assert _run(capsys, "score", source, "-i", "wai-b3", "-o", tmp_path / "o.csv",
                "--no-sanitize")[0] == 0  # fmt: skip


@pytest.mark.parametrize("precision", ["18", "308", "309", "99999999999", "-1"])
def test_precision_beyond_float64_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], precision: str
) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(B3)
    code, _, err = _run(capsys, "score", source, "-i", "wai-b3", "--precision", precision)
    assert code == 2
    assert "The --precision option must be a whole number from 0 to 17" in err
    assert _names(tmp_path) == ["in.csv"]


def test_a_headerless_file_never_shows_its_first_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(b"Jane Doe,1980-02-03,4,5,4\nJohn Roe,1975-01-01,3,3,3\n")
    code, _, err = _run(capsys, "score", source, "-i", "wai-b3")
    assert code == 2
    assert "Jane" not in err
    assert "1980" not in err
    assert "no header row" in err
    assert "'4'" not in err
