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
from helpers import run_cli

B3 = b"id,wai_1,wai_2,wai_3\n001,4,5,4\n002,9,4,4\n"
SCRIPT = [sys.executable, "-m", "alliance_metrics"]


_run = run_cli


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
@pytest.mark.parametrize(
    "signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1], ids=lambda s: signal.Signals(s).name
)
@pytest.mark.parametrize("to_stdout", [False, True], ids=["file", "stdout"])
def test_a_terminating_signal_leaves_no_partial_file(
    tmp_path: Path, signum: int, to_stdout: bool
) -> None:
    """Any signal that ends the process cleans up: the output's temporary file, or the spool of
    standard output in TMPDIR; the exit status is 128 + the signal's number."""
    source = _big_csv(tmp_path / "big.csv", 1_000_000)
    spool = tmp_path / "tmp"
    spool.mkdir()
    output = "-" if to_stdout else str(tmp_path / "out.csv")
    process = subprocess.Popen(
        [*SCRIPT, "score", str(source), "-i", "wai-sr", "-o", output, "--no-progress"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "TMPDIR": str(spool)},
    )
    watched = spool if to_stdout else tmp_path
    deadline = time.monotonic() + 30
    while not any(watched.iterdir()) or (
        not to_stdout and not any(p.name.endswith(".partial") for p in tmp_path.iterdir())
    ):
        assert time.monotonic() < deadline, "the run never started writing"
        assert process.poll() is None, "the run ended before it could be terminated"
        time.sleep(0.01)
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signum
    name = signal.Signals(signum).name
    assert err.decode().strip() == f"alliance-metrics: terminated ({name}); nothing written"
    assert _names(tmp_path) == ["big.csv", "tmp"]
    assert _names(spool) == []


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


# --- no output over any file the run reads ---------------------------------------------------


def _definition(path: Path) -> Path:
    path.write_text(am.get_instrument("wai-b3").model_dump_json().replace('"wai-b3"', '"my-b3"'))
    return path


@pytest.mark.parametrize("option", ["-o", "--errors"])
def test_no_output_replaces_the_instrument_definition(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str
) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(B3)
    definition = _definition(tmp_path / "mine.json")
    before = definition.read_bytes()
    commands = {
        "score": [],
        "validate": [],
        "reliability": [],
        "series": ["--analysis", "trajectories", "--client", "id", "--session", "id"],
        "report": [],
    }
    for command, extra in commands.items():
        if option == "-o" and command == "validate":
            continue
        if option == "--errors" and command not in ("score", "validate"):
            continue
        code, _, err = _run(capsys, command, source, "-i", definition, option, definition, *extra)
        assert code == 2, (command, err)
        assert "over the input" in err
        assert definition.read_bytes() == before


@pytest.mark.parametrize("option", ["-o", "--errors"])
def test_no_output_replaces_the_redcap_dictionary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str
) -> None:
    exports = Path(__file__).parent / "fixtures" / "exports"
    dictionary = tmp_path / "dictionary.csv"
    shutil.copy(exports / "redcap_dictionary.csv", dictionary)
    before = dictionary.read_bytes()
    extra = [] if option == "-o" else ["-o", tmp_path / "out.csv"]
    code, _, err = _run(capsys, "score", exports / "redcap_longitudinal.csv", "-i", "wai-sr",
                        "--dictionary", dictionary, option, dictionary, *extra)  # fmt: skip
    assert code == 2
    assert "over the input 'dictionary.csv'" in err or "over the input" in err
    assert dictionary.read_bytes() == before
    # the library itself refuses too
    with pytest.raises(am.InvalidParameterError, match="over the input"):
        am.score_csv(exports / "redcap_longitudinal.csv", dictionary, "wai-sr",
                     dictionary=dictionary)  # fmt: skip
    assert dictionary.read_bytes() == before


@pytest.mark.parametrize("spelling", ["-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"])
def test_standard_output_that_is_the_input_is_refused(tmp_path: Path, spelling: str) -> None:
    """`-o - 1<>input.csv`, `-o /dev/stdout >> input.csv`: the input would be overwritten."""
    source = tmp_path / "in.csv"
    source.write_bytes(B3)
    with open(source, "r+b") as same:
        result = subprocess.run(
            [*SCRIPT, "score", str(source), "-i", "wai-b3", "-o", spelling,
             "--errors", str(tmp_path / "e.csv")],
            stdout=same,
            stderr=subprocess.PIPE,
            check=False,
        )  # fmt: skip
    assert result.returncode == 2
    assert b"it is the input" in result.stderr
    assert source.read_bytes() == B3
    assert _names(tmp_path) == ["in.csv"]


def test_standard_input_redirected_from_the_output_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(B3)
    for command in (["score", "-", "-i", "wai-b3"], ["reliability", "-", "-i", "wai-b3"]):
        with open(source, "rb") as stdin:
            result = subprocess.run(
                [*SCRIPT, *command, "-o", str(source)],
                stdin=stdin,
                capture_output=True,
                check=False,
            )
        assert result.returncode == 2, result.stderr
        assert b"the file standard input reads" in result.stderr
        assert source.read_bytes() == B3


def test_a_stream_over_the_input_is_refused_by_the_library(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(B3)
    with open(source, "rb") as reading, open(source, "r+b") as writing:
        with pytest.raises(am.InvalidParameterError, match="over the input"):
            am.score_csv(reading, writing, "wai-b3")
        with pytest.raises(am.InvalidParameterError, match="over the input"):
            am.score_csv(reading, source, "wai-b3")
    assert source.read_bytes() == B3


# --- bounded reads of the files beside the data ----------------------------------------------


def test_an_endless_definition_or_dictionary_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(B3)
    code, _, err = _run(capsys, "score", source, "-i", "/dev/zero.json", "-o", "-")
    assert code == 2  # no such file: one line
    endless = tmp_path / "zero.json"
    endless.symlink_to("/dev/zero")
    code, _, err = _run(capsys, "score", source, "-i", endless, "-o", "-")
    assert code == 2
    assert "larger than 16 MiB: not an instrument definition" in err
    from alliance_metrics.io import redcap_dictionary

    monkeypatch.setattr(redcap_dictionary, "MAX_DICTIONARY_BYTES", 1 << 20)
    exports = Path(__file__).parent / "fixtures" / "exports"
    code, _, err = _run(capsys, "score", exports / "redcap_longitudinal.csv", "-i", "wai-sr",
                        "--dictionary", "/dev/zero", "-o", "-")  # fmt: skip
    assert code == 2
    assert "larger than 1 MiB" in err


# --- every message one line, escaped ---------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["evil\nalliance-metrics: valid: 0 rows read.csv", "cr\rname.csv", "esc\x1b[31m.csv"]
)
def test_a_file_name_cannot_split_or_colour_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    source = tmp_path / name
    source.write_bytes(b"a,b\n1,2\n")
    for argv in (
        ["score", source, "-i", "wai-b3"],
        ["validate", tmp_path / ("x" + name), "-i", "wai-b3"],
    ):
        code, _, err = _run(capsys, *argv)
        assert code == 2
        assert err.count("\n") == 1, err
        assert "\x1b" not in err
        assert "\r" not in err
        assert "\\n" in err or "\\r" in err or "\\x1b" in err


# --- analyses that count rejected cells as unanswered say so ----------------------------------


def test_analyses_report_the_cells_they_counted_as_unanswered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = ["client_id,session,wai_1,wai_2,wai_3"]
    rows += [f"c{c},{s},4,{3 + (s + c) % 3},4" for c in range(3) for s in range(1, 7)]
    rows[3] = "c0,3,SECRET,4,4"
    rows[6] = "c0,6,4,4,99"
    source = tmp_path / "series.csv"
    source.write_text("\n".join(rows) + "\n")
    runs = [
        ["series", source, "-i", "wai-b3", "--analysis", "trajectories", "-o", tmp_path / "t.csv"],
        ["reliability", source, "-i", "wai-b3", "--on-invalid", "missing"],
        ["report", source, "-i", "wai-b3", "--client", "client_id", "--session", "session",
         "-o", tmp_path / "r.html"],
    ]  # fmt: skip
    for argv in runs:
        code, _, err = _run(capsys, *argv)
        assert code == 1, (argv[0], err)
        assert "row 2, column 'wai_1': not_a_number" in err
        assert "row 5, column 'wai_3': out_of_range" in err
        assert "2 invalid cell(s) in 2 row(s) were counted as unanswered" in err
        assert "SECRET" not in err
        assert "99" not in err.replace(str(tmp_path), "")  # (the temporary folder may hold 99)
    code, _, err = _run(capsys, "reliability", source, "-i", "wai-b3")
    assert code == 1  # --on-invalid raise (the default): nothing written
    assert "nothing written" in err


# --- no data cell in any message --------------------------------------------------------------


@pytest.mark.parametrize(
    ("first_row", "delimiter"),
    [
        ("C0001,T07,1,4,4,4,2,3,3,4,4,4,4,3,5", ";"),  # the whole record looks like one name
        ("C0001,T07,1,4,4,4,2,3,3,4,4,4,4,3,5", ","),
        ("Jane Doe 0612345678 1,x", ","),
        ("jdoe@example.org 1,2,3", ","),
    ],
)
def test_a_headerless_file_never_quotes_its_first_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], first_row: str, delimiter: str
) -> None:
    source = tmp_path / "in.csv"
    source.write_text(f"{first_row}\n{first_row}x\n")
    code, _, err = _run(capsys, "score", source, "-i", "wai-sr", "--delimiter", delimiter)
    assert code == 2
    shown = err.replace(str(tmp_path), "")
    for token in ("c0001", "C0001", "t07", "T07", "Jane", "jane", "0612345678", "jdoe"):
        assert token not in shown, err


def test_a_qualtrics_note_counts_out_of_range_cells_without_their_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exports = Path(__file__).parent / "fixtures" / "exports"
    text = (exports / "qualtrics_current.csv").read_text(encoding="utf-8-sig")
    source = tmp_path / "q.csv"
    source.write_text(text.replace(",6,", ",19840312,", 1), encoding="utf-8")
    code, _, err = _run(capsys, "score", source, "-i", "wai-sr", "-o", tmp_path / "o.csv")
    assert code == 1
    assert "19840312" not in err
    assert "1.98403e+07" not in err
    assert "(1 cell above)" in err


@pytest.mark.parametrize("template", ["{n:9999999999}", "wai_{n:0999999d}", "wai_{n:{id}}"])
def test_a_column_template_cannot_build_gigabytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], template: str
) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(B3)
    code, _, err = _run(capsys, "score", source, "-i", "wai-b3", "--columns", template)
    assert code == 2
    assert "The --columns option must use a format of at most 64 characters" in err
    assert len(err) < 400
