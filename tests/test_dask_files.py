"""``alliance-metrics score 'exports/*.csv' --engine dask``: one run over many files on a cluster.

On a real local cluster (two worker processes): the parts equal ``score_csv`` file by file, the
one errors file names rows of the whole input with each failure's file and line, exit codes and
the summary line are those of a local run, and nothing partial is ever left at the output path —
not after bad data, not after a refused destination, not when a worker dies.
"""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import dask
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from distributed import Client, LocalCluster

import alliance_metrics as am
from alliance_metrics.cli import main
from alliance_metrics.dask.files import FileJob, PartResult, score_files, score_part

ITEMS = [f"wai_{n}" for n in range(1, 13)]
SUMMARY = re.compile(
    r"^alliance-metrics: (?P<rows>\d+) rows read, (?P<ok>\d+) ok, \d+ prorated, \d+ insufficient, "
    r"(?P<invalid>\d+) invalid → (?P<output>.+?) \((?P<parts>\d+) parts\)",
    re.MULTILINE,
)


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0"
    ) as local:
        yield local


def _write(path: Path, n: int, seed: int, bad: dict[int, tuple[str, str]] | None = None) -> None:
    rng = np.random.default_rng(seed)
    columns = {"client_id": [f"{path.stem}-{i}" for i in range(n)]}
    for name in ITEMS:
        columns[name] = rng.integers(1, 6, n).astype(str).tolist()
    for row, (name, value) in (bad or {}).items():
        columns[name][row] = value
    pacsv.write_csv(pa.table(columns), path)


@pytest.fixture
def exports(tmp_path: Path) -> Path:
    folder = tmp_path / "exports"
    folder.mkdir()
    _write(folder / "a.csv", 40, 1)
    _write(folder / "b.csv", 30, 2, {3: ("wai_2", "9"), 29: ("wai_5", "often")})
    _write(folder / "c.csv", 25, 3, {0: ("wai_1", "x")})
    return folder


def _run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    return code, capsys.readouterr().err


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if "alliance-metrics" in p.name)


def test_parts_equal_score_csv_and_errors_name_the_whole_input(
    cluster: LocalCluster, exports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "scored"
    code, err = _run(
        capsys, "score", exports / "*.csv", "-i", "wai-sr", "--engine", "dask",
        "--scheduler", cluster.scheduler_address, "-o", out,
    )  # fmt: skip
    assert code == 1, err
    found = SUMMARY.search(err)
    assert found is not None, err
    assert (found["rows"], found["invalid"], found["parts"]) == ("95", "3", "3")
    assert "3 invalid cells in 3 rows" in err
    assert "scored.errors.csv" in err
    for i, name in enumerate(["a", "b", "c"]):
        alone = tmp_path / f"{name}.parquet"
        am.score_csv(
            exports / f"{name}.csv", alone, "wai-sr", errors=tmp_path / "e.csv",
            output_format="parquet",
        )  # fmt: skip
        assert pq.read_table(out / f"part-{i:05d}.parquet").equals(pq.read_table(alone))
    errors = pd.read_csv(tmp_path / "scored.errors.csv", dtype=str)
    assert errors.columns.tolist() == [
        "row", "line", "file", "client_id", "column", "value", "code", "message"
    ]  # fmt: skip
    assert errors["row"].tolist() == ["43", "69", "70"]  # 40 rows of a.csv come first
    assert errors["line"].tolist() == ["5", "31", "2"]  # lines within each file
    assert errors["file"].tolist() == [str(exports / f) for f in ("b.csv", "b.csv", "c.csv")]
    assert errors["client_id"].tolist() == ["b-3", "b-29", "c-0"]
    assert errors["message"].iloc[2].startswith("row 70, column 'wai_1'")
    assert sorted(p.name for p in out.iterdir()) == [
        "_alliance_metrics.json", "part-00000.parquet", "part-00001.parquet", "part-00002.parquet"
    ]  # fmt: skip
    assert _leftovers(tmp_path) == []
    together = pd.read_parquet(out)  # the folder reads as one dataset
    assert len(together) == 95


def test_csv_parts_clean_data_and_a_local_cluster_of_n_workers(
    exports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (exports / "b.csv").unlink()
    (exports / "c.csv").unlink()
    _write(exports / "d.csv", 10, 4)
    (tmp_path / "scored.errors.csv").write_text('"row","line","column","value","code","message"\n')
    code, err = _run(
        capsys, "score", exports / "*.csv", "-i", "wai-sr", "--engine", "dask", "--workers", "1",
        "--format", "csv", "-o", tmp_path / "scored",
    )  # fmt: skip
    assert code == 0, err
    assert SUMMARY.search(err)["rows"] == "50"  # type: ignore[index]
    am.score_csv(exports / "d.csv", tmp_path / "d.csv", "wai-sr")
    assert (tmp_path / "scored" / "part-00001.csv").read_bytes() == (
        tmp_path / "d.csv"
    ).read_bytes()
    assert not (tmp_path / "scored.errors.csv").exists()  # an earlier run's report is stale


def test_on_invalid_raise_names_every_files_failures_and_writes_nothing(
    cluster: LocalCluster, exports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _run(
        capsys, "score", exports / "*.csv", "-i", "wai-sr", "--engine", "dask", "--on-invalid",
        "raise", "--scheduler", cluster.scheduler_address, "-o", tmp_path / "scored",
    )  # fmt: skip
    assert code == 1
    assert err.startswith("alliance-metrics: error: data problems, nothing written: 3 invalid")
    assert "row 43, column 'wai_2'" in err
    assert "row 69, column 'wai_5'" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exports"]


def test_destinations_that_are_not_an_output_folder_are_refused(
    cluster: LocalCluster, exports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    regular = tmp_path / "file.parquet"
    regular.write_bytes(b"old")
    common = ["-i", "wai-sr", "--engine", "dask", "--scheduler", cluster.scheduler_address]
    for destination, says in [
        (foreign, "holds 1 file this library did not write"),
        (fifo, "is a device, FIFO or socket"),
        (regular, "is a file"),
        (exports, "holds 3 files this library did not write"),
        (tmp_path / "missing" / "out", "does not exist"),
    ]:
        code, err = _run(capsys, "score", exports / "*.csv", *common, "-o", destination)
        assert code == 2, err
        assert err.startswith("alliance-metrics: error: The --output option: ")
        assert says in err
        assert err.count("\n") == 1
    assert (foreign / "notes.txt").read_text() == "keep me"
    assert regular.read_bytes() == b"old"
    assert fifo.is_fifo()
    code, err = _run(capsys, "score", tmp_path / "none*.csv", *common, "-o", tmp_path / "o")
    assert code == 2
    assert "INPUT argument must name or match at least one file" in err
    code, err = _run(capsys, "score", exports / "a.csv", "-i", "wai-sr", "--workers", "2")
    assert code == 2
    assert "The --workers option must come with --engine dask. Got 2 instead." in err
    code, err = _run(capsys, "score", exports / "*.csv", *common, "--workers", "2", "-o", foreign)
    assert code == 2
    assert "--workers option must be left out" in err
    code, err = _run(
        capsys, "score", exports / "*.csv", *common, "--min-answered", "40", "-o", tmp_path / "o"
    )
    assert code == 2
    assert "--min-answered" in err
    assert _leftovers(tmp_path) == []
    assert not (tmp_path / "o").exists()


def test_an_earlier_output_folder_is_replaced_whole(
    cluster: LocalCluster, exports: Path, tmp_path: Path
) -> None:
    client = Client(cluster.scheduler_address, set_as_default=False)
    try:
        out = tmp_path / "scored"
        first = score_files(exports / "*.csv", out, "wai-sr", client=client)
        (exports / "c.csv").unlink()
        second = score_files([exports / "a.csv", exports / "b.csv"], out, "wai-sr", client=client)
    finally:
        client.close()
    assert (first.rows, second.rows) == (95, 70)
    assert not (out / "part-00002.parquet").exists()  # nothing of the first run is left
    assert _leftovers(tmp_path) == []


def test_jobs_and_results_pickle(exports: Path, tmp_path: Path) -> None:
    import pickle

    job = FileJob(0, str(exports / "b.csv"), str(tmp_path / "p.parquet"), str(tmp_path / "e.csv"),
                  am.get_instrument("wai-sr"), "raise", {"output_format": "parquet"})  # fmt: skip
    assert pickle.loads(pickle.dumps(job)) == job
    result = pickle.loads(pickle.dumps(score_part(job)))
    assert isinstance(result, PartResult)
    assert result.summary is None
    assert result.report.failure_cases["row"].tolist() == [3, 29]


def _big_exports(folder: Path, files: int, rows: int) -> None:
    folder.mkdir()
    for i in range(files):
        _write(folder / f"big{i}.csv", rows, 10 + i)


def _kill_a_busy_worker(client: Client, started: threading.Event, killed: list[int]) -> None:
    pids = client.run(os.getpid)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        busy = [w for w, tasks in client.processing().items() if tasks]
        if busy and started.is_set():
            time.sleep(0.2)  # well inside the task
            os.kill(pids[busy[0]], signal.SIGKILL)
            killed.append(pids[busy[0]])
            return
        time.sleep(0.01)


def test_a_worker_killed_mid_run_is_replaced_and_the_file_scored_again(
    cluster: LocalCluster, tmp_path: Path
) -> None:
    _big_exports(tmp_path / "big", files=4, rows=150_000)
    client = Client(cluster.scheduler_address, set_as_default=False)
    started, killed = threading.Event(), []
    killer = threading.Thread(target=_kill_a_busy_worker, args=(client, started, killed))
    killer.start()
    try:
        started.set()
        summary = score_files(tmp_path / "big" / "*.csv", tmp_path / "out", "wai-sr", client=client)
    finally:
        killer.join()
        client.close()
    assert killed, "no worker was busy long enough to be killed"
    assert summary.rows == 600_000
    assert summary.status_counts["ok"] == 600_000
    assert [pq.read_metadata(p).num_rows for p in sorted((tmp_path / "out").glob("*.parquet"))] == [
        150_000
    ] * 4
    assert _leftovers(tmp_path) == []
    assert not list((tmp_path / "out").glob(".*"))


def test_a_worker_dying_once_too_often_fails_the_run_with_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _big_exports(tmp_path / "big", files=2, rows=150_000)
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), LocalCluster(
        n_workers=1, processes=True, threads_per_worker=1, dashboard_address=":0"
    ) as strict:  # fmt: skip
        client = Client(strict.scheduler_address, set_as_default=False)
        started, killed = threading.Event(), []
        killer = threading.Thread(target=_kill_a_busy_worker, args=(client, started, killed))
        killer.start()
        started.set()
        try:
            code, err = _run(
                capsys, "score", tmp_path / "big" / "*.csv", "-i", "wai-sr", "--engine", "dask",
                "--scheduler", strict.scheduler_address, "-o", tmp_path / "out",
            )  # fmt: skip
        finally:
            killer.join()
            client.close()
    assert killed
    assert code == 2, err
    assert re.fullmatch(
        r"alliance-metrics: error: a Dask worker died while scoring '.+big\d\.csv'; nothing "
        r"written\. Workers die when they run out of memory: give them more, or split the input "
        r"into smaller files\.\n",
        err,
    ), err  # one short line: no Dask text, no URL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big"]  # no output, no temporary folder
