"""``--engine dask`` refuses, in one line on stderr and exit 2, what it cannot do safely.

A scheduler address that is malformed, refused, silent or not a Dask scheduler; a file the
library cannot read or score (the library's own message, nothing of Dask's logging or a worker's
traceback); standard output as the output folder; an output folder holding files the library did
not write; files whose parts would not have the same columns. In every case nothing is created
or changed. stderr is read at the file-descriptor level (``capfd``), where the workers of a local
cluster write too.
"""

from __future__ import annotations

import gc
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from distributed import Client, LocalCluster

import alliance_metrics as am
from alliance_metrics.cli import main
from alliance_metrics.dask import cluster as dask_cluster
from alliance_metrics.dask.files import FileJob, score_files, score_part
from alliance_metrics.io.folders import MARKER, publish_folder

ITEMS = [f"wai_{n}" for n in range(1, 13)]
ADDRESS = (
    "The --scheduler option must be a scheduler address such as 'tcp://host:8786' (tcp, tls, "
    "ws or wss; host and port)."
)


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(
        n_workers=1, processes=False, threads_per_worker=1, dashboard_address=":0"
    ) as local:
        yield local


def _write(path: Path, n: int = 6, seed: int = 1, **extra: list[object]) -> None:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({name: rng.integers(1, 6, n) for name in ITEMS})
    for name, values in extra.items():
        frame.insert(0, name, values)
    frame.to_csv(path, index=False)


@pytest.fixture
def exports(tmp_path: Path) -> Path:
    folder = tmp_path / "exports"
    folder.mkdir()
    _write(folder / "a.csv", seed=1)
    _write(folder / "b.csv", seed=2)
    return folder


def _run(capfd: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, float]:
    started = time.perf_counter()
    code = main([str(a) for a in argv])
    seconds = time.perf_counter() - started
    gc.collect()  # a half-built distributed.Client complains when collected
    return code, capfd.readouterr().err, seconds


def _one_line(err: str) -> str:
    assert err.count("\n") == 1, err
    assert err.endswith("\n"), err
    assert err.startswith("alliance-metrics: error: "), err
    return err[len("alliance-metrics: error: ") : -1]


def _only(folder: Path, *names: str) -> None:
    assert sorted(p.name for p in folder.iterdir()) == sorted(names)


# -- 1. scheduler addresses ------------------------------------------------------------------


@pytest.mark.parametrize("address", ["nonsense", "", "http://[::1", "tcp://host:port", "tcp://:1"])
def test_a_malformed_scheduler_address_is_one_line_at_once(
    address: str, exports: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    code, err, seconds = _run(
        capfd, "score", exports / "*.csv", "-i", "wai-sr", "--engine", "dask",
        "--scheduler", address, "-o", tmp_path / "out",
    )  # fmt: skip
    assert code == 2
    assert _one_line(err) == f"{ADDRESS} Got {address!r} instead."
    assert seconds < 5
    _only(tmp_path, "exports")


def test_a_refused_address_is_one_line_at_once(
    exports: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    code, err, seconds = _run(
        capfd, "score", exports / "*.csv", "-i", "wai-sr", "--engine", "dask",
        "--scheduler", "tcp://127.0.0.1:1", "-o", tmp_path / "out",
    )  # fmt: skip
    assert code == 2
    assert _one_line(err) == (
        "The --scheduler option: no Dask scheduler answered at 'tcp://127.0.0.1:1' within 10 s "
        "(Connection refused)."
    )
    assert seconds < 5
    _only(tmp_path, "exports")


class _Server:
    """A TCP server that is not a Dask scheduler: it answers garbage, or nothing."""

    def __init__(self, reply: bytes | None) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.reply = reply
        self.address = f"tcp://127.0.0.1:{self.socket.getsockname()[1]}"
        self.open: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.open.append(connection)
            if self.reply is not None:
                connection.sendall(self.reply)

    def close(self) -> None:
        for connection in self.open:
            connection.close()
        self.socket.close()


@pytest.mark.parametrize(
    ("reply", "why"),
    [
        (b"HTTP/1.1 400 Bad Request\r\n\r\n" * 8, "what answered does not speak Dask's protocol"),
        (None, "timed out"),
    ],
)
def test_a_server_that_is_not_a_scheduler_is_one_line_within_the_timeout(
    reply: bytes | None,
    why: str,
    exports: Path,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(dask_cluster, "CONNECT_TIMEOUT", 1.0)
    server = _Server(reply)
    try:
        code, err, seconds = _run(
            capfd, "score", exports / "*.csv", "-i", "wai-sr", "--engine", "dask",
            "--scheduler", server.address, "-o", tmp_path / "out",
        )  # fmt: skip
    finally:
        server.close()
    assert code == 2
    assert _one_line(err) == (
        f"The --scheduler option: no Dask scheduler answered at '{server.address}' within 1 s "
        f"({why})."
    )
    assert seconds < 5
    _only(tmp_path, "exports")


def test_score_files_names_the_scheduler_parameter(exports: Path, tmp_path: Path) -> None:
    for address in ("nonsense", "tcp://127.0.0.1:1"):
        with pytest.raises(am.InvalidParameterError) as caught:
            score_files(exports / "*.csv", tmp_path / "out", "wai-sr", scheduler=address)
        assert (caught.value.function, caught.value.parameter) == ("score_files", "scheduler")
    _only(tmp_path, "exports")


def test_a_scheduler_that_answers_is_used(
    cluster: LocalCluster, exports: Path, tmp_path: Path
) -> None:
    summary = score_files(
        exports / "*.csv", tmp_path / "out", "wai-sr", scheduler=cluster.scheduler_address
    )
    assert summary.rows == 12


# -- 2. a file that cannot be scored: the library's message only --------------------------------


def test_an_empty_file_on_a_local_cluster_is_the_librarys_one_line(
    exports: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    (exports / "c.csv").write_bytes(b"")
    code, err, _ = _run(
        capfd, "score", exports / "*.csv", "-i", "wai-sr", "--engine", "dask", "--workers", "1",
        "-o", tmp_path / "out",
    )  # fmt: skip
    assert code == 2
    assert _one_line(err) == f"{exports / 'c.csv'} is empty: expected a header row and data rows."
    _only(tmp_path, "exports")


def test_errors_of_a_file_on_a_running_cluster_are_one_line_naming_the_file(
    cluster: LocalCluster, exports: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    pd.DataFrame({"x": [1, 2]}).to_csv(exports / "c.csv", index=False)
    common = ["-i", "wai-sr", "--engine", "dask", "--scheduler", cluster.scheduler_address]
    code, err, _ = _run(capfd, "score", exports / "*.csv", *common, "-o", tmp_path / "out")
    assert code == 2
    assert _one_line(err).startswith(f"{exports / 'c.csv'}: No item columns found for 'wai-sr'")
    (exports / "c.csv").unlink()
    _write(exports / "b.csv", seed=2)
    frame = pd.read_csv(exports / "b.csv").astype(str)
    frame.loc[3, "wai_4"] = "9"
    frame.to_csv(exports / "b.csv", index=False)
    code, err, _ = _run(
        capfd, "score", exports / "*.csv", *common, "--on-invalid", "raise", "-o", tmp_path / "out"
    )
    assert code == 1
    assert _one_line(err) == (
        "data problems, nothing written: 1 invalid cell(s) in 1 of 12 row(s): row 9, column "
        "'wai_4': out_of_range"
    )  # row 3 of b.csv, after the 6 rows of a.csv
    _only(tmp_path, "exports")


def test_a_file_that_cannot_be_read_comes_back_as_a_result(tmp_path: Path) -> None:
    job = FileJob(0, str(tmp_path / "gone.csv"), str(tmp_path / "p.parquet"),
                  str(tmp_path / "e.csv"), am.get_instrument("wai-sr"), "missing",
                  {"output_format": "parquet"})  # fmt: skip
    result = score_part(job)  # returned, not raised: Dask would log a failed task
    assert result.summary is None
    assert isinstance(result.error, am.InputFormatError)
    assert "gone.csv" in str(result.error)


# -- 3. standard output -------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"])
def test_standard_output_is_refused(
    spelling: str,
    exports: Path,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, err, _ = _run(
        capfd, "score", exports / "*.csv", "-i", "wai-sr", "--engine", "dask", "--workers", "1",
        "-o", spelling,
    )  # fmt: skip
    assert code == 2
    assert _one_line(err) == (
        f"The --output option: a folder of parts cannot go to standard output or error "
        f"('{spelling}'); give a folder path."
    )
    _only(tmp_path, "exports")


# -- 4. an output folder holding other files ----------------------------------------------------


def test_an_earlier_output_with_other_files_in_it_is_refused_and_kept(
    cluster: LocalCluster, exports: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    common = ["-i", "wai-sr", "--engine", "dask", "--scheduler", cluster.scheduler_address]
    code, err, _ = _run(capfd, "score", exports / "*.csv", *common, "-o", out)
    assert code == 0, err
    (out / "notes.txt").write_text("mine")
    (out / "plots").mkdir()
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    code, err, _ = _run(capfd, "score", exports / "a.csv", *common, "-o", out)
    assert code == 2
    assert _one_line(err) == (
        f"The --output option: the folder '{out}' holds 2 files this library did not write; "
        "give a new or empty folder, or remove what is not this library's first (an output "
        "folder is replaced whole)."
    )
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    (out / "notes.txt").unlink()
    (out / "plots").rmdir()
    manifest = json.loads((out / MARKER).read_text())
    manifest["parts"] = manifest["parts"][:1]  # part-00001 is no longer the library's
    (out / MARKER).write_text(json.dumps(manifest))
    code, err, _ = _run(capfd, "score", exports / "a.csv", *common, "-o", out)
    assert code == 2
    assert "holds 1 file this library did not write" in _one_line(err)
    (out / MARKER).write_text("not json")
    code, err, _ = _run(capfd, "score", exports / "a.csv", *common, "-o", out)
    assert "holds 3 files this library did not write" in _one_line(err)  # not ours: unreadable
    _only(out, MARKER, "part-00000.parquet", "part-00001.parquet")


def test_a_file_put_in_the_old_output_during_the_run_is_never_deleted(tmp_path: Path) -> None:
    final, temp = tmp_path / "out", tmp_path / ".out.partial"
    for folder in (final, temp):
        folder.mkdir()
        (folder / MARKER).write_text(json.dumps({"parts": [{"part": "part-00000.csv"}]}))
        (folder / "part-00000.csv").write_text("a\n")
    (final / "late.txt").write_text("written while the run was on")
    with pytest.raises(am.InvalidParameterError, match="holds 1 file this library did not"):
        publish_folder(temp, final)
    assert (final / "late.txt").exists()
    assert (temp / "part-00000.csv").exists()


# -- 5. files whose columns differ --------------------------------------------------------------


@pytest.mark.parametrize("output_format", ["parquet", "csv"])
@pytest.mark.parametrize("change", ["extra column", "order", "delimiter"])
def test_files_with_different_headers_publish_nothing(
    change: str,
    output_format: str,
    cluster: LocalCluster,
    exports: Path,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    frame = pd.read_csv(exports / "b.csv")
    if change == "extra column":
        frame.insert(0, "client_id", [f"b{i}" for i in range(len(frame))])
        frame.to_csv(exports / "b.csv", index=False)
    elif change == "order":
        frame[ITEMS[::-1]].to_csv(exports / "b.csv", index=False)
    else:
        frame.to_csv(exports / "b.csv", index=False, sep=";")
    code, err, _ = _run(
        capfd, "score", exports / "*.csv", "-i", "wai-sr", "--engine", "dask", "--scheduler",
        cluster.scheduler_address, "--format", output_format, "-o", tmp_path / "out",
    )  # fmt: skip
    if change == "delimiter" and output_format == "parquet":
        assert code == 0, err  # the same columns, read with each file's delimiter
        return
    assert code == 2
    differ = {"extra column": "different columns", "order": "different columns"}.get(
        change, "different delimiters"
    )
    assert _one_line(err) == (
        f"'{exports / 'a.csv'}' and '{exports / 'b.csv'}' give parts with {differ}: every file "
        "of one run must have the same header (the same columns in the same order); score them "
        "in separate runs. Nothing written."
    )
    _only(tmp_path, "exports")


def test_the_same_header_in_every_file_is_published(
    cluster: LocalCluster, exports: Path, tmp_path: Path
) -> None:
    client = Client(cluster, set_as_default=False)
    try:
        summary = score_files(exports / "*.csv", tmp_path / "out", "wai-sr", client=client)
    finally:
        client.close()
    assert summary.rows == 12
    assert len(pd.read_parquet(tmp_path / "out")) == 12
