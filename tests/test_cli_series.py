"""``alliance-metrics series``: each analysis of a file equals the library call on the same data."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import alliance_metrics as am
from helpers import run_cli

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "data" / "wai_sr_example.csv"


_run = run_cli


def _plain(value: object) -> object:
    """Missing as None, numbers as float: the JSON round trip keeps nothing else."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        return float(value)
    return value


@pytest.fixture(scope="module")
def scored() -> pd.DataFrame:
    frame = pd.read_csv(EXAMPLE, dtype=str, keep_default_na=False)
    return am.score_frame(frame, "wai-sr", on_invalid="missing")


def _expected(analysis: str, scored: pd.DataFrame) -> pd.DataFrame:
    where = {"score": "wai_sr_total", "client": "client_id", "session": "session"}
    if analysis == "sudden":
        return am.sudden_changes(scored, cutoff=0.5, **where)
    if analysis == "ruptures":
        return am.detect_ruptures(scored, k=1.0, **where)
    if analysis == "trajectories":
        return am.trajectory_features(scored, **where)
    wide = am.first_last(scored, **where)
    return am.reliable_change(wide, pre="pre", post="post", reliability=0.9)


@pytest.mark.parametrize("analysis", ["sudden", "ruptures", "trajectories", "rci"])
def test_each_analysis_equals_the_library_call(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], scored: pd.DataFrame, analysis: str
) -> None:
    output = tmp_path / f"{analysis}.json"
    options = ["--cutoff", "0.5", "--k", "1", "--reliability", "0.9", "-o", output]
    code, _, err = _run(capsys, "series", EXAMPLE, "-i", "wai-sr", "--analysis", analysis, *options)
    assert code == 0, err
    written = pd.DataFrame(json.loads(output.read_text()))
    expected = _expected(analysis, scored)
    assert list(written.columns) == list(expected.columns)
    assert len(written) == len(expected)
    for column in expected.columns:
        want = expected[column]
        got = written[column]
        if pd.api.types.is_float_dtype(want.dtype):
            np.testing.assert_allclose(got.astype(float), want, rtol=0, atol=0, equal_nan=True)
        else:
            assert list(map(_plain, want.astype(object))) == list(map(_plain, got)), column
    assert f"{analysis}: {len(expected)} rows written to {output}" in err


def test_a_score_column_is_read_as_it_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], scored: pd.DataFrame
) -> None:
    source = tmp_path / "scores.csv"
    scored[["client_id", "session", "wai_sr_total"]].to_csv(source, index=False)
    code, _, err = _run(capsys, "series", source, "-i", "wai-sr", "--analysis", "trajectories",
                        "--score", "wai_sr_total")  # fmt: skip
    assert code == 0, err
    default = tmp_path / "scores.trajectories.csv"
    with open(default, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == scored["client_id"].nunique()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--analysis", "sudden"], "The --cutoff option is needed for --analysis sudden"),
        (["--analysis", "trajectories", "--scale", "nope"], "The --scale option must be one of"),
        (
            ["--analysis", "rci"],
            "The --reliability option is needed to compute the reliable change",
        ),
        (["--analysis", "ruptures", "--k", "0"], "The --k option must be"),
        (["--analysis", "trajectories", "--client", "nope"], "The --client option"),
        (["--analysis", "trajectories", "-i", "srs"], "takes one --instrument"),
        (["--analysis", "alerts", "--cutoff", "nope"], "The --cutoff option must be a number or"),
        (["--analysis", "sudden", "--cutoff", "band_low"], "The --cutoff option must be a number"),
    ],
)
def test_misuse_is_one_line_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(EXAMPLE.read_bytes())
    code, _, err = _run(capsys, "series", source, "-i", "wai-sr", *extra)
    assert code == 2
    assert message in err, err
    assert err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_never_over_the_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(EXAMPLE.read_bytes())
    code, _, err = _run(capsys, "series", source, "-i", "wai-sr", "--analysis", "decompose",
                        "-o", source)  # fmt: skip
    assert code == 2
    assert "over the input" in err
    assert source.read_bytes() == EXAMPLE.read_bytes()


def _long(tmp_path: Path, rows: list[tuple[str, int, str]]) -> Path:
    source = tmp_path / "scores.csv"
    source.write_text(
        "client_id,session,s\n" + "".join(f"{c},{n},{v}\n" for c, n, v in rows), encoding="utf-8"
    )
    return source


def test_a_score_column_written_by_score_reads_its_blanks_as_missing_sessions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Blank (an insufficient scale in score's output), NA, null: missing sessions, not errors."""
    source = _long(
        tmp_path,
        [("007", 1, "3"), ("007", 2, ""), ("007", 3, " NA "), ("007", 4, "null"), ("007", 5, "4"),
         ("008", 1, "2"), ("008", 2, "-99"), ("008", 3, "refused"), ("008", 4, "5")],
    )  # fmt: skip
    code, out, err = _run(capsys, "series", source, "-i", "wai-sr", "--analysis", "trajectories",
                          "--score", "s", "--missing-values=-99,Refused", "-o", "-")  # fmt: skip
    assert code == 0, err
    written = list(csv.DictReader(out.splitlines()))
    assert [
        (r["client_id"], r["n_sessions"], r["first_score"], r["last_score"]) for r in written
    ] == [
        ("007", "2", "3", "4"),
        ("008", "2", "2", "5"),
    ]
    code, _, err = _run(capsys, "series", source, "-i", "wai-sr", "--analysis", "trajectories",
                        "--score", "s", "-o", "-")  # fmt: skip
    assert code == 2
    assert "row(s) 7 (by position) hold text that is not a number" in err  # -99 is a number


def test_alerts_take_a_cutoff_id_and_rci_an_sd(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], scored: pd.DataFrame
) -> None:
    """The options the messages name exist: --cutoff ID for alerts, --sd for rci."""
    code, out, err = _run(capsys, "series", EXAMPLE, "-i", "wai-sr", "--analysis", "alerts",
                          "--cutoff", "band_low", "-o", "-")  # fmt: skip
    assert code == 0, err
    where = {"score": "wai_sr_total", "client": "client_id", "session": "session"}
    expected = am.session_alerts(scored, "wai-sr", cutoff="band_low", **where)
    written = list(csv.DictReader(out.splitlines()))
    assert [r["alert"] == "true" for r in written] == expected["alert"].tolist()
    flat = _long(tmp_path, [("a", 1, "3"), ("a", 2, "4"), ("b", 1, "3"), ("b", 2, "3")])
    code, _, err = _run(capsys, "series", flat, "-i", "wai-sr", "--analysis", "rci",
                        "--score", "s", "--reliability", "0.8", "-o", "-")  # fmt: skip
    assert code == 2
    assert "give the --sd option" in err
    rci_options = ["--score", "s", "--reliability", "0.8", "--sd", "0.7", "-o", "-"]
    code, out, err = _run(capsys, "series", flat, "-i", "wai-sr", "--analysis", "rci", *rci_options)
    assert code == 0, err
    wide = am.first_last(
        pd.DataFrame({"client_id": ["a", "a", "b", "b"], "session": [1, 2, 1, 2],
                      "s": [3.0, 4.0, 3.0, 3.0]}), score="s")  # fmt: skip
    rci = am.reliable_change(wide, pre="pre", post="post", reliability=0.8, sd=0.7)["rci"]
    assert [float(r["rci"]) for r in csv.DictReader(out.splitlines())] == rci.tolist()


def test_session_numbers_far_apart_are_refused_before_they_fill_memory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """20 clients with sessions 1, 2, 3 and 999999: 20 million tested intervals for 80 scores."""
    rows = [(f"c{c}", n, str(n % 7)) for c in range(20) for n in (1, 2, 3, 999_999)]
    source = _long(tmp_path, rows)
    code, _, err = _run(capsys, "series", source, "-i", "wai-sr", "--analysis", "sudden",
                        "--score", "s", "--cutoff", "5", "-o", tmp_path / "out.csv")  # fmt: skip
    assert code == 2
    assert "span 19,999,980 session numbers for 80 scores" in err
    assert not (tmp_path / "out.csv").exists()
