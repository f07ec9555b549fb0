"""The synthetic data generator and the bundled example data."""

from __future__ import annotations

import subprocess
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import alliance_metrics as am
from alliance_metrics.datasets import list_examples, load_example, make_wai_sr_sessions
from alliance_metrics.datasets.generate import (
    EXAMPLE_FILENAME,
    ITEM_COLUMNS,
    example_csv_text,
    main,
)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_CSV = ROOT / "examples" / "data" / EXAMPLE_FILENAME
COLUMNS = ["client_id", "therapist_id", "session", *(f"wai_{n}" for n in range(1, 13))]


@pytest.fixture(scope="module")
def example() -> pd.DataFrame:
    return make_wai_sr_sessions()


def test_same_seed_same_frame() -> None:
    first = make_wai_sr_sessions(n_clients=7, n_sessions=3, seed=11, missing_rate=0.1)
    second = make_wai_sr_sessions(n_clients=7, n_sessions=3, seed=11, missing_rate=0.1)
    pd.testing.assert_frame_equal(first, second)


def test_other_seed_other_frame() -> None:
    first = make_wai_sr_sessions(n_clients=7, n_sessions=3, seed=11)
    second = make_wai_sr_sessions(n_clients=7, n_sessions=3, seed=12)
    assert not first.equals(second)


def test_columns_and_types(example: pd.DataFrame) -> None:
    assert list(example.columns) == COLUMNS
    assert list(ITEM_COLUMNS) == COLUMNS[3:]
    assert example["session"].dtype == np.int64
    assert all(example[c].dtype == np.float64 for c in ITEM_COLUMNS)
    assert all(isinstance(v, str) for v in example["client_id"])
    assert all(isinstance(v, str) for v in example["therapist_id"])
    assert example.index.equals(pd.RangeIndex(240))


def test_ids_and_sessions(example: pd.DataFrame) -> None:
    assert example["client_id"].str.fullmatch(r"C\d{4}").all()
    assert example["therapist_id"].str.fullmatch(r"T\d{2}").all()
    assert example["client_id"].iloc[0] == "C0001"
    assert example["client_id"].nunique() == 40
    assert (example.groupby("client_id")["therapist_id"].nunique() == 1).all()
    expected_sessions = np.tile(np.arange(1, 7), 40)
    np.testing.assert_array_equal(example["session"].to_numpy(), expected_sessions)


def test_id_width_grows_with_count() -> None:
    frame = make_wai_sr_sessions(n_clients=10_000, n_sessions=1, n_therapists=120, seed=1)
    assert frame["client_id"].iloc[-1] == "C10000"
    assert frame["client_id"].iloc[0] == "C00001"
    assert frame["therapist_id"].str.fullmatch(r"T\d{3}").all()


def test_values_are_valid_integers(example: pd.DataFrame) -> None:
    values = example[list(ITEM_COLUMNS)].to_numpy()
    answered = values[~np.isnan(values)]
    assert set(np.unique(answered)) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    assert am.validate_frame(example, "wai-sr").ok


def test_missing_rate() -> None:
    complete = make_wai_sr_sessions(missing_rate=0.0)
    assert not complete[list(ITEM_COLUMNS)].isna().to_numpy().any()
    sparse = make_wai_sr_sessions(n_clients=200, n_sessions=10, missing_rate=0.2, seed=5)
    rate = sparse[list(ITEM_COLUMNS)].isna().to_numpy().mean()
    assert rate == pytest.approx(0.2, abs=0.01)


def test_missing_cells_do_not_change_answers() -> None:
    complete = make_wai_sr_sessions(n_clients=10, missing_rate=0.0, seed=3)
    sparse = make_wai_sr_sessions(n_clients=10, missing_rate=0.2, seed=3)
    items = list(ITEM_COLUMNS)
    answered = sparse[items].notna()
    pd.testing.assert_frame_equal(sparse[items][answered], complete[items][answered])


def test_alliance_rises_over_sessions() -> None:
    frame = make_wai_sr_sessions(n_clients=400, n_sessions=8, seed=9)
    scored = am.score_frame(frame, "wai-sr")
    by_session = scored.groupby("session")["wai_sr_total"].mean()
    assert by_session.iloc[-1] - by_session.iloc[0] > 0.3
    assert 3.0 < by_session.mean() < 4.5


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"n_clients": 0}, "n_clients"),
        ({"n_sessions": 2.5}, "n_sessions"),
        ({"n_therapists": True}, "n_therapists"),
        ({"missing_rate": 1.0}, "missing_rate"),
        ({"missing_rate": -0.1}, "missing_rate"),
        ({"missing_rate": "0.1"}, "missing_rate"),
        ({"seed": "42"}, "seed"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], name: str) -> None:
    with pytest.raises(am.InvalidParameterError, match=f"'{name}' parameter"):
        make_wai_sr_sessions(**kwargs)  # type: ignore[arg-type]


def test_committed_example_equals_fresh_generation() -> None:
    fresh = example_csv_text()
    hint = "regenerate with: python -m alliance_metrics.datasets.generate (from the repo root)"
    assert EXAMPLE_CSV.read_text(encoding="utf-8") == fresh, hint
    bundled = resources.files("alliance_metrics.datasets").joinpath("data", EXAMPLE_FILENAME)
    assert bundled.read_text(encoding="utf-8") == fresh, hint


def test_example_csv_shape_and_missing() -> None:
    frame = pd.read_csv(EXAMPLE_CSV, dtype={"client_id": str, "therapist_id": str})
    assert frame.shape == (240, 15)
    assert frame[list(ITEM_COLUMNS)].isna().to_numpy().sum() == 87


def test_load_example_matches_generator(example: pd.DataFrame) -> None:
    assert list_examples() == ["wai_sr_example"]
    pd.testing.assert_frame_equal(load_example(), example)
    pd.testing.assert_frame_equal(load_example("wai_sr_example"), example)


def test_load_example_unknown_name() -> None:
    with pytest.raises(am.InvalidParameterError, match="'name' parameter of load_example"):
        load_example("wai_sr")


def test_main_writes_and_checks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path)]) == 0
    written = tmp_path / EXAMPLE_FILENAME
    assert written.read_bytes() == EXAMPLE_CSV.read_bytes()
    assert "wrote" in capsys.readouterr().out
    assert main([str(tmp_path), "--check"]) == 0
    written.write_text("stale\n", encoding="utf-8")
    assert main([str(tmp_path), "--check"]) == 1
    assert "stale" in capsys.readouterr().err
    assert main([str(tmp_path / "absent")]) == 2


def test_import_is_light_and_module_runs_cleanly() -> None:
    code = (
        "import sys, alliance_metrics.datasets as d; "
        "assert 'alliance_metrics.datasets.generate' not in sys.modules; "
        "assert 'pandas' not in sys.modules; "
        "d.make_wai_sr_sessions; "
        "assert 'alliance_metrics.datasets.generate' in sys.modules"
    )
    subprocess.run([sys.executable, "-W", "error", "-c", code], check=True, timeout=120)
    package_data = ROOT / "src" / "alliance_metrics" / "datasets" / "data"
    completed = subprocess.run(
        [
            sys.executable,
            "-W",
            "error",
            "-m",
            "alliance_metrics.datasets.generate",
            "--check",
            str(EXAMPLE_CSV.parent),
            str(package_data),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""


def test_unknown_attribute() -> None:
    import alliance_metrics.datasets as datasets

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = datasets.nope  # type: ignore[attr-defined]
