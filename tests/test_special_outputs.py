"""Outputs that are not regular files are written through, never replaced (issue: ``-o /dev/null``
run as root destroyed the system's /dev/null).

Device nodes and FIFOs are made in a temporary folder — the real /dev is never touched. Making a
character device needs root (containers run as root); without it those cases are skipped.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import alliance_metrics as am
from helpers import run_cli

CSV = b"id,wai_1,wai_2,wai_3\n001,4,5,4\n002,9,4,4\n"


_run = run_cli


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "in.csv"
    path.write_bytes(CSV)
    return path


@pytest.fixture
def null_device(tmp_path: Path) -> Path:
    """A private character device with the numbers of /dev/null (1, 3)."""
    path = tmp_path / "fake-null"
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs root")
    return path


class FifoReader:
    """A FIFO in the test folder with a thread that reads everything written to it."""

    def __init__(self, path: Path) -> None:
        os.mkfifo(path)
        self.path = path
        self.data = b""
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        with open(self.path, "rb") as handle:
            self.data = handle.read()

    def received(self) -> bytes:
        self._thread.join(timeout=20)
        return self.data


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[FifoReader]:
    reader = FifoReader(tmp_path / "pipe")
    yield reader
    reader._thread.join(timeout=0.5)
    while reader._thread.is_alive():  # unblock a reader nobody wrote to, never blocking here
        with contextlib.suppress(OSError):  # no reader (yet, or any more)
            os.close(os.open(reader.path, os.O_WRONLY | os.O_NONBLOCK))
        reader._thread.join(timeout=0.1)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".partial"))


def test_a_device_as_output_stays_a_device(
    capsys: pytest.CaptureFixture[str], source: Path, null_device: Path
) -> None:
    code, _, err = _run(capsys, "score", source, "-i", "wai-b3", "-o", null_device, "--errors",
                        null_device.parent / "e.csv")  # fmt: skip
    assert code == 1, err
    assert stat.S_ISCHR(os.stat(null_device).st_mode)
    assert os.major(os.stat(null_device).st_rdev) == 1
    assert _leftovers(null_device.parent) == []
    assert f"→ {null_device}" in err


def test_a_device_as_errors_file_stays_a_device(
    capsys: pytest.CaptureFixture[str], source: Path, null_device: Path
) -> None:
    output = source.parent / "o.csv"
    code, _, err = _run(capsys, "score", source, "-i", "wai-b3", "-o", output,
                        "--errors", null_device)  # fmt: skip
    assert code == 1, err
    assert stat.S_ISCHR(os.stat(null_device).st_mode)
    assert output.read_bytes().count(b"\n") == 3  # the scores were written and kept
    assert _leftovers(source.parent) == []


def test_a_symlink_to_a_device_is_written_through(
    capsys: pytest.CaptureFixture[str], source: Path, null_device: Path
) -> None:
    link = source.parent / "link"
    link.symlink_to(null_device)
    code, _, err = _run(capsys, "score", source, "-i", "wai-b3", "-o", link)
    assert code == 1, err
    assert link.is_symlink()
    assert stat.S_ISCHR(os.stat(link).st_mode)


def test_a_fifo_receives_the_bytes_in_order_and_stays_a_fifo(
    capsys: pytest.CaptureFixture[str], source: Path, fifo: FifoReader
) -> None:
    regular = source.parent / "regular.csv"
    assert _run(capsys, "score", source, "-i", "wai-b3", "-o", regular)[0] == 1
    code, _, err = _run(capsys, "score", source, "-i", "wai-b3", "-o", fifo.path,
                        "--errors", source.parent / "e2.csv")  # fmt: skip
    assert code == 1, err
    assert fifo.received() == regular.read_bytes()
    assert stat.S_ISFIFO(os.stat(fifo.path).st_mode)
    assert _leftovers(source.parent) == []


def test_a_fifo_as_errors_file(
    capsys: pytest.CaptureFixture[str], source: Path, fifo: FifoReader
) -> None:
    code, _, err = _run(capsys, "score", source, "-i", "wai-b3", "-o", source.parent / "o.csv",
                        "--errors", fifo.path)  # fmt: skip
    assert code == 1, err
    received = fifo.received().decode("utf-8")
    assert received.startswith('"row","line","id","column","value","code","message"')
    assert '"002","wai_1","9","out_of_range"' in received
    assert stat.S_ISFIFO(os.stat(fifo.path).st_mode)


def test_parquet_refuses_a_non_seekable_target(
    capsys: pytest.CaptureFixture[str], source: Path, fifo: FifoReader
) -> None:
    code, _, err = _run(capsys, "score", source, "-i", "wai-b3", "-o", fifo.path,
                        "--format", "parquet")  # fmt: skip
    assert code == 2
    assert err.count("\n") == 1
    assert "Parquet output needs a regular file" in err
    assert "Traceback" not in err
    assert stat.S_ISFIFO(os.stat(fifo.path).st_mode)


@pytest.mark.parametrize("name", ["-", "/dev/stdout"])
def test_stdout_names_write_to_the_process_stream(
    capsys: pytest.CaptureFixture[str], source: Path, name: str
) -> None:
    was_link = os.path.islink("/dev/stdout")
    code, out, err = _run(capsys, "score", source, "-i", "wai-b3", "-o", name)
    assert code == 1, err
    assert out.splitlines()[0].startswith('"id","wai_1"')
    assert len(out.splitlines()) == 3
    assert os.path.islink("/dev/stdout") == was_link
    assert _leftovers(source.parent) == []


def test_dev_stderr_writes_to_the_process_stream(
    capsys: pytest.CaptureFixture[str], source: Path
) -> None:
    code, out, err = _run(capsys, "score", source, "-i", "wai-b3", "-o", "/dev/stderr")
    assert code == 1
    assert out == ""
    assert '"002","9","4","4"' in err


def test_a_symlink_to_a_regular_file_keeps_the_link(
    capsys: pytest.CaptureFixture[str], source: Path
) -> None:
    target = source.parent / "target.csv"
    target.write_text("old\n")
    link = source.parent / "link.csv"
    link.symlink_to(target)
    assert _run(capsys, "score", source, "-i", "wai-b3", "-o", link)[0] == 1
    assert link.is_symlink()
    assert target.read_text().startswith('"id","wai_1"')


def test_library_writers_share_the_rules(source: Path, fifo: FifoReader, null_device: Path) -> None:
    """score_csv, validate_csv's errors file and report.write_table all write through."""
    from alliance_metrics.report import write_table

    summary = am.score_csv(source, null_device, "wai-b3", errors=fifo.path)
    assert summary.errors_output == str(fifo.path)
    assert b"out_of_range" in fifo.received()
    table = am.reliability_report(
        __import__("pandas").DataFrame(
            {"wai_1": [4, 3, 5], "wai_2": [3, 3, 4], "wai_3": [5, 2, 4]}
        ),
        "wai-b3",
    )
    write_table(table, null_device)
    assert stat.S_ISCHR(os.stat(null_device).st_mode)


def test_a_stream_object_gets_the_output_only_when_the_run_succeeds(source: Path) -> None:
    stream = io.BytesIO()
    with pytest.raises(am.ResponseValidationError):
        am.score_csv(source, stream, "wai-b3", on_invalid="raise")
    assert stream.getvalue() == b""
    am.score_csv(source, stream, "wai-b3")
    assert stream.getvalue().count(b"\n") == 3
