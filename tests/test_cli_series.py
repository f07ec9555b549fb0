"""``alliance-metrics series``: each analysis of a file equals the library call on the same data."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import alliance_metrics as am
from alliance_metrics.cli import main

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "data" / "wai_sr_example.csv"


def _run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


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
