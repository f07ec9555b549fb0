"""``alliance-metrics report``: options, default output, exit codes, and safe output (issue 15):
a file is replaced atomically, a device or FIFO is written through and stays what it is, the
input is never overwritten. Device nodes and FIFOs are made in a temporary folder."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from helpers import run_cli

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "data" / "wai_sr_example.csv"
CHECKIN = EXAMPLE.with_name("my-checkin.json")
SMALL = b"client_id,session,wai_1,wai_2,wai_3\nA,1,4,5,4\nA,2,3,4,4\nB,1,5,5,5\nB,2,2,3,2\n"


_run = run_cli


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "visits.csv"
    path.write_bytes(SMALL)
    return path


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".partial"))


def test_default_output_is_beside_the_input(
    capsys: pytest.CaptureFixture[str], source: Path
) -> None:
    code, out, err = _run(capsys, "report", source, "-i", "wai-b3")
    written = source.with_name("visits.report.html")
    assert (code, out) == (0, "")
    assert err == f"alliance-metrics: report written to {written.as_posix()}\n"
    assert written.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_series_options_and_no_ids(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    output = tmp_path / "r.html"
    code, _, err = _run(
        capsys,
        "report",
        EXAMPLE,
        "-i",
        "wai-sr",
        "--client",
        "client_id",
        "--session",
        "session",
        "--no-ids",
        "--max-trajectories",
        "1",
        "--drop-points",
        "0.5",
        "--cutoff",
        "3",
        "-o",
        output,
    )
    assert code == 0, err
    page = output.read_text(encoding="utf-8")
    assert '<section id="series"' in page
    assert "C00" not in page
    assert page.count("Trajectory of client") == 1
    assert "<dd>below 3</dd>" in page


def test_an_existing_report_is_replaced_atomically(
    capsys: pytest.CaptureFixture[str], source: Path
) -> None:
    output = source.with_name("old.html")
    output.write_text("old")
    assert _run(capsys, "report", source, "-i", "wai-b3", "-o", output)[0] == 0
    assert output.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert _leftovers(source.parent) == []


def test_never_over_the_input(capsys: pytest.CaptureFixture[str], source: Path) -> None:
    code, _, err = _run(capsys, "report", source, "-i", "wai-b3", "-o", source)
    assert code == 2
    assert "refusing to write the report over the input" in err
    assert "--output option" in err
    assert source.read_bytes() == SMALL


def test_usage_errors_are_one_line(capsys: pytest.CaptureFixture[str], source: Path) -> None:
    code, _, err = _run(capsys, "report", source, "-i", "wai-b3", "--client", "client_id")
    assert code == 2
    assert err == (
        "alliance-metrics: error: The --session option is needed with the --client option: "
        "the session series needs both the client and the session column.\n"
    )
    code, _, err = _run(capsys, "report", source, "-i", "wai-b3", "--scale", "nope")
    assert code == 2
    assert "The --scale option must be one of" in err
    assert not source.with_name("visits.report.html").exists()


@pytest.mark.parametrize("name", ["-", "/dev/stdout"])
def test_standard_output(capsys: pytest.CaptureFixture[str], source: Path, name: str) -> None:
    code, out, err = _run(capsys, "report", source, "-i", "wai-b3", "-o", name)
    assert code == 0, err
    assert out.startswith("<!DOCTYPE html>")
    assert out.endswith("</html>\n")
    assert "report written to standard output" in err or "report written to /dev/stdout" in err


def test_a_device_stays_a_device(capsys: pytest.CaptureFixture[str], source: Path) -> None:
    node = source.parent / "fake-null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs root")
    assert _run(capsys, "report", source, "-i", "wai-b3", "-o", node)[0] == 0
    assert stat.S_ISCHR(os.stat(node).st_mode)
    assert _leftovers(source.parent) == []


def test_a_fifo_receives_the_page_and_stays_a_fifo(
    capsys: pytest.CaptureFixture[str], source: Path
) -> None:
    pipe = source.parent / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []

    def read() -> None:
        with open(pipe, "rb") as handle:
            received.append(handle.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert _run(capsys, "report", source, "-i", "wai-b3", "-o", pipe)[0] == 0
        reader.join(timeout=20)
    finally:
        while reader.is_alive():  # unblock the reader if nothing was written
            with contextlib.suppress(OSError):
                os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
            reader.join(timeout=0.1)
    regular = source.with_name("regular.html")
    assert _run(capsys, "report", source, "-i", "wai-b3", "-o", regular)[0] == 0
    assert received == [regular.read_bytes()]
    assert stat.S_ISFIFO(os.stat(pipe).st_mode)
    assert _leftovers(source.parent) == []


@pytest.mark.slow
def test_a_real_subprocess_reads_stdin_and_writes_stdout(source: Path) -> None:
    executable = shutil.which("alliance-metrics") or ""
    command = [executable] if executable else [sys.executable, "-m", "alliance_metrics"]
    proc = subprocess.run(
        [*command, "report", "-", "-i", "wai-b3"],
        input=SMALL,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(b"<!DOCTYPE html>")
    assert b"standard input (csv)" in proc.stdout
    assert proc.stderr == b"alliance-metrics: report written to standard output\n"


DOLLAR_KEYS = ("$\\q$", "Cost $5 or $6")


@pytest.mark.parametrize("rejected", [False, True], ids=["valid", "a rejected cell"])
def test_keys_and_names_with_dollars_are_drawn_and_never_told(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, rejected: bool
) -> None:
    """Text with ``$`` (keys, a user's names) is drawn as written; no message shows a key."""
    definition = json.loads(CHECKIN.read_text(encoding="utf-8"))
    definition.update(id="zz-dollars", short_name="Check $\\q$")
    definition["scales"][0]["name"] = "Total $\\q$"
    definition["response_scale"]["anchors"][0]["label"] = "Cost $5 or $6"
    instrument = tmp_path / "dollars.json"
    instrument.write_text(json.dumps(definition), encoding="utf-8")
    lines = ["client_id,session,item1,item2,item3"]
    for key in DOLLAR_KEYS:  # a drop of 4 points: every client has an alert
        lines += [f'"{key}",{n},{v},{v},{v}' for n, v in ((1, 5), (2, 1), (3, 5))]
    if rejected:
        lines.append(f'"{DOLLAR_KEYS[0]}",4,9,5,5')
    source = tmp_path / "dollars.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    output = tmp_path / "dollars.html"
    code, out, err = _run(
        capsys,
        "report",
        source,
        "-i",
        instrument,
        "--client",
        "client_id",
        "--session",
        "session",
        "-o",
        output,
    )
    assert (code, out) == (1 if rejected else 0, "")
    assert "Traceback" not in err
    assert all(key not in err for key in DOLLAR_KEYS)
    assert ("row 6, column 'item1': out_of_range" in err) == rejected
    page = output.read_text(encoding="utf-8")
    for text in (*(f"client {key}" for key in DOLLAR_KEYS), "Check $\\q$ Total $\\q$", "1 Cost $5"):
        assert f">{text}" in page, text  # drawn as written, inside an SVG text element


def test_exit_statuses_of_docs_report(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What docs/report.md says of each exit status (the page is written only with 0 and 1)."""
    source = tmp_path / "bad.csv"
    source.write_bytes(SMALL + b"C,1,9,4,4\n")
    output = tmp_path / "bad.html"
    code, _, err = _run(capsys, "report", source, "-i", "wai-b3", "-o", output)
    assert code == 1
    assert output.exists()
    assert "row 4, column 'wai_1': out_of_range" in err
    output.unlink()
    code, _, err = _run(
        capsys, "report", source, "-i", "wai-b3", "-o", output, "--on-invalid", "raise"
    )
    assert code == 1
    assert not output.exists()
    assert err.startswith("alliance-metrics: error: data problems, nothing written: 1 invalid")
    for module in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, module, None)
    code, _, err = _run(capsys, "report", source, "-i", "wai-b3", "-o", output)
    assert code == 2
    assert not output.exists()
    assert 'pip install "alliance-metrics[plot]"' in err
