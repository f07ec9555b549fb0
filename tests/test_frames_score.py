"""polars DataFrames and pyarrow Tables through score_frame and validate_frame.

The same data as pandas, polars and Arrow tables must give the same scores, statuses and failure
tables (every kind of cell: numbers, numbers as text, labels, markers, invalid text, out of range,
off step, booleans, categories, missing), the caller's kind back, and no pandas round trip.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import alliance_metrics as am
from alliance_metrics.frames.kinds import table_kind
from alliance_metrics.frames.native import METADATA_KEY, NativeTable
from kinds import assert_same_cells, cells

SR_ITEMS = [f"wai_{n}" for n in range(1, 13)]


def _mixed_frame(n: int = 300, seed: int = 5) -> pd.DataFrame:
    """WAI-SR rows with every kind of cell: numbers, text, labels, markers, invalid, missing."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"client_id": [f"c{i}" for i in range(n)]})
    for j, name in enumerate(SR_ITEMS):
        values = rng.integers(1, 6, n).astype(float)
        values[rng.random(n) < 0.08] = np.nan
        if j % 3 == 0:  # integer column with nulls
            frame[name] = pd.array(np.where(np.isnan(values), 0, values).astype(int), "Int64")
            frame.loc[np.isnan(values), name] = pd.NA
        elif j % 3 == 1:  # float column, some out of range / off step
            values[rng.random(n) < 0.02] = 7.0
            values[rng.random(n) < 0.02] = 2.5
            frame[name] = values
        else:  # text column: numbers, labels, markers, junk
            texts = np.array([f" {v:.0f} " if v == v else "" for v in values], dtype=object)
            pick = rng.random(n)
            texts[pick < 0.05] = "Very Often"
            texts[(pick >= 0.05) & (pick < 0.08)] = "n/a"
            texts[(pick >= 0.08) & (pick < 0.10)] = "often"
            texts[(pick >= 0.10) & (pick < 0.11)] = None
            frame[name] = pd.array(texts, dtype="str")
    return frame


def _as(kind: str, frame: pd.DataFrame) -> object:
    if kind == "polars":
        return pl.from_pandas(frame)
    return pa.Table.from_pandas(frame, preserve_index=False)


@pytest.fixture(scope="module")
def mixed() -> pd.DataFrame:
    return _mixed_frame()


@pytest.mark.parametrize("kind", ["polars", "arrow"])
def test_scores_and_statuses_equal_pandas(mixed: pd.DataFrame, kind: str) -> None:
    table = _as(kind, mixed)
    expected = am.score_frame(mixed, "wai-sr", on_invalid="missing")
    got = am.score_frame(table, "wai-sr", on_invalid="missing")
    assert table_kind(got) == kind
    assert cells(expected)["wai_sr_status"].count("invalid") > 10  # the data do test failures
    assert_same_cells(expected, got)


@pytest.mark.parametrize("kind", ["polars", "arrow"])
@pytest.mark.parametrize("options", [{}, {"aggregate": "sum", "min_answered": 2, "prefix": ""}])
def test_options_apply_as_in_pandas(mixed: pd.DataFrame, kind: str, options: dict) -> None:
    valid = mixed.drop(columns=[c for c in SR_ITEMS if mixed[c].dtype == "str"])
    valid = valid.assign(**{c: 3 for c in SR_ITEMS if c not in valid})
    valid = valid.mask(valid.isin([7.0, 2.5]))  # every cell valid or missing
    expected = am.score_frame(valid, "wai-sr", **options)
    assert_same_cells(expected, am.score_frame(_as(kind, valid), "wai-sr", **options))


@pytest.mark.parametrize("kind", ["polars", "arrow"])
def test_failure_tables_equal_pandas(mixed: pd.DataFrame, kind: str) -> None:
    expected = am.validate_frame(mixed, "wai-sr")
    got = am.validate_frame(_as(kind, mixed), "wai-sr", row_offset=0)
    pd.testing.assert_frame_equal(got.failure_cases, expected.failure_cases)
    with pytest.raises(am.ResponseValidationError) as caught:
        am.score_frame(_as(kind, mixed), "wai-sr")
    pd.testing.assert_frame_equal(caught.value.report.failure_cases, expected.failure_cases)
    shifted = am.validate_frame(_as(kind, mixed), "wai-sr", row_offset=1000)
    assert (shifted.failure_cases["row"] - 1000).tolist() == expected.failure_cases["row"].tolist()


def test_types_pandas_cannot_hold_as_polars_does() -> None:
    """Booleans, categories, dates and nulls: decided like the same cells in pandas objects."""
    table = pl.DataFrame(
        {
            "wai_1": pl.Series([4, None, 5, 2], dtype=pl.UInt8),
            "wai_2": pl.Series(["Always", "3", "Always", None], dtype=pl.Categorical),
            "wai_3": [True, None, False, None],
            "wai_4": pl.Series([None, None, None, None], dtype=pl.Null),
        }
    )
    four = am.get_instrument("wai-b3").model_copy(deep=True)
    frame = pd.DataFrame(
        {
            "wai_1": pd.array([4, None, 5, 2], dtype="UInt8"),
            "wai_2": pd.Categorical(["Always", "3", "Always", None]),
            "wai_3": pd.array([True, None, False, None], dtype=object),
        }
    )
    report = am.validate_frame(table.drop("wai_4"), four)
    pd.testing.assert_frame_equal(
        report.failure_cases, am.validate_frame(frame, four).failure_cases
    )
    assert report.failure_cases["code"].tolist() == ["not_a_number", "not_a_number"]
    scored = am.score_frame(table.drop("wai_4"), four, on_invalid="missing")
    assert_same_cells(am.score_frame(frame, four, on_invalid="missing").astype(object), scored)


@pytest.mark.parametrize("kind", ["pyarrow", "polars"])
def test_integers_beyond_float_precision_are_out_of_range_as_in_pandas(kind: str) -> None:
    """Arrow's safe cast refused int64/uint64 beyond ±2**53 with an error holding the value."""
    table = pa.table(
        {
            "wai_1": pa.array([2**62, 3, -(2**63)], pa.int64()),
            "wai_2": pa.array([3, 5, 4], pa.uint64()),
            "wai_3": pa.array([5, 2**64 - 1, 5], pa.uint64()),
        }
    )
    given = table if kind == "pyarrow" else pl.from_arrow(table)
    report = am.validate_frame(given, "wai-b3")
    pd.testing.assert_frame_equal(
        report.failure_cases, am.validate_frame(table.to_pandas(), "wai-b3").failure_cases
    )
    assert report.failure_cases[["row", "column", "code"]].values.tolist() == [
        [0, "wai_1", "out_of_range"],
        [1, "wai_3", "out_of_range"],
        [2, "wai_1", "out_of_range"],
    ]
    scored = am.score_frame(given, "wai-b3", on_invalid="missing")
    statuses = scored["wai_b3_status"]
    assert (statuses.to_pylist() if kind == "pyarrow" else statuses.to_list()) == ["invalid"] * 3


@pytest.mark.parametrize("kind", ["polars", "arrow"])
def test_the_callers_kind_comes_back_with_typed_added_columns(kind: str) -> None:
    frame = pd.DataFrame({"id": ["a", "b"], "wai_1": [4, 5], "wai_2": [3, None], "wai_3": [5, 5]})
    table = _as(kind, frame)
    scored = am.score_frame(table, "wai-b3")
    if kind == "polars":
        assert scored.columns[:4] == table.columns
        assert scored.schema["wai_b3_status"] == pl.Enum(list(am.scoring.ROW_STATUSES))
        assert scored.schema["wai_b3_total_answered"] == pl.Int64
        assert scored["wai_b3_total"].null_count() == 1  # missing is null, not NaN
        assert table.columns == ["id", "wai_1", "wai_2", "wai_3"]  # never modified
    else:
        assert scored.schema.field("wai_b3_status").type == pa.dictionary(pa.int8(), pa.string())
        provenance = json.loads(scored.schema.metadata[METADATA_KEY])
        assert provenance["instrument_id"] == "wai-b3"
        assert scored.column("wai_b3_total").null_count == 1
        assert table.num_columns == 4


@pytest.mark.parametrize("kind", ["polars", "arrow"])
def test_errors_are_the_pandas_errors(kind: str) -> None:
    frame = pd.DataFrame({"wai_1": [4], "wai_2": [3], "wai_3": [5], "wai_b3_total": [1.0]})
    for call in (
        lambda t: am.score_frame(t, "wai-b3"),
        lambda t: am.score_frame(
            t.drop(columns="wai_1") if isinstance(t, pd.DataFrame) else t.drop(["wai_1"]), "wai-b3"
        ),
        lambda t: am.score_frame(t, "wai-b3", aggregate="avg"),
        lambda t: am.validate_frame(t, "wai-b3", columns="q{n}"),
    ):
        with pytest.raises(am.AllianceMetricsError) as expected:
            call(frame)
        with pytest.raises(type(expected.value)) as got:
            call(_as(kind, frame))
        assert str(got.value) == str(expected.value)


def test_the_polars_path_never_converts_to_pandas(
    mixed: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("converted to pandas")

    monkeypatch.setattr(pl.DataFrame, "to_pandas", refuse)
    monkeypatch.setattr(pl.Series, "to_pandas", refuse)
    monkeypatch.setattr(NativeTable, "to_pandas", refuse)
    table = pl.from_pandas(mixed.fillna({"wai_1": 1}))
    scored = am.score_frame(table, "wai-sr", on_invalid="missing")
    assert scored.height == len(mixed)
    report = am.validate_frame(table, "wai-sr")
    assert report.n_invalid_cells == am.validate_frame(mixed, "wai-sr").n_invalid_cells > 0


def test_pandas_users_never_import_polars() -> None:
    script = (
        "import sys, pandas as pd, alliance_metrics as am\n"
        "df = pd.DataFrame({'wai_1': [4], 'wai_2': [3], 'wai_3': [5]})\n"
        "am.score_frame(df, 'wai-b3'); am.validate_frame(df, 'wai-b3')\n"
        "am.detect_ruptures(pd.DataFrame({'client_id': ['a'], 'session': [1], 'y': [1.0]}),"
        " score='y')\n"
        "names = ('polars', 'dask', 'distributed', 'narwhals')\n"
        "print(sorted(m for m in names if m in sys.modules))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == "[]"


def test_table_kind_recognises_each_kind_without_importing() -> None:
    assert table_kind(pl.DataFrame({"a": [1]})) == "polars"
    assert table_kind(pl.DataFrame({"a": [1]}).lazy()) is None  # collect() first
    assert table_kind(pa.table({"a": [1]})) == "arrow"
    assert table_kind(pd.DataFrame({"a": [1]})) == "pandas"
    assert table_kind({"a": [1]}) is None
    with pytest.raises(am.InvalidParameterError, match="'df' parameter of score_frame"):
        am.score_frame(pl.DataFrame({"a": [1]}).lazy(), "wai-b3")  # type: ignore[type-var]


@pytest.mark.parametrize("kind", ["polars", "arrow"])
def test_a_combined_export_with_missing_codes_as_in_pandas(kind: str) -> None:
    frame = pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            **{f"srs_{n}": ["9", "11", "-99"] for n in range(1, 5)},
            **{f"ors_{n}": ["5", "x", "2"] for n in range(1, 5)},
        }
    )
    options = {"on_invalid": "missing", "missing_values": ["-99"]}
    expected = am.score_frame(frame, ["srs", "ors"], **options)
    got = am.score_frame(_as(kind, frame), ["srs", "ors"], **options)
    assert_same_cells(expected, got)
    report = am.validate_frame(_as(kind, frame), ["srs", "ors"], missing_values=["-99"])
    expected_report = am.validate_frame(frame, ["srs", "ors"], missing_values=["-99"])
    pd.testing.assert_frame_equal(report.failure_cases, expected_report.failure_cases)
    with pytest.raises(am.ResponseValidationError) as caught:
        am.score_frame(_as(kind, frame), ["srs", "ors"])
    assert caught.value.report.n_invalid_cells == expected_report.n_invalid_cells + 4  # -99
