"""Session-series analyses on polars DataFrames and pyarrow Tables: same values, same kind back.

Every analysis is run on the same long (or wide) data as pandas, polars and Arrow tables; values,
statuses and categories must be identical, tables come back in the caller's kind (row-aligned
results as the caller's own table with the new columns after its own), and errors are the pandas
errors word for word. Only the columns an analysis reads cross into pandas.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import alliance_metrics as am
from alliance_metrics.frames.kinds import table_kind
from alliance_metrics.frames.native import NativeTable
from kinds import assert_same_cells


def _long(seed: int = 11, n_clients: int = 25) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n_clients):
        level = rng.normal(45, 6)
        for s in range(1, int(rng.integers(3, 13))):
            score = level + rng.normal(0, 5)
            rows.append((f"C{c:03d}", s, None if rng.random() < 0.1 else round(score, 1)))
    frame = pd.DataFrame(rows, columns=["client_id", "session", "wai"])
    frame = frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    frame["site"] = np.where(np.arange(len(frame)) % 2 == 0, "north", "south")
    return frame


LONG = _long()
WIDE = am.first_last(LONG, score="wai")
ANALYSES: list[tuple[str, Callable[..., Any], dict[str, Any], pd.DataFrame]] = [
    ("sudden_changes", am.sudden_changes, {"score": "wai", "cutoff": 4.0}, LONG),
    ("sudden_change_events", am.sudden_change_events, {"score": "wai", "cutoff": 3.0}, LONG),
    ("sudden_change_cases", am.sudden_change_cases, {"score": "wai"}, LONG),
    ("first_last", am.first_last, {"score": "wai"}, LONG),
    ("detect_ruptures", am.detect_ruptures, {"score": "wai", "k": (1.0, 2.0)}, LONG),
    ("rupture_summary", am.rupture_summary, {"score": "wai", "sd_source": "stricter"}, LONG),
    ("session_alerts", am.session_alerts, {"score": "wai", "cutoff": 40.0}, LONG),
    ("decompose", am.decompose, {"score": "wai", "detrend": True}, LONG),
    ("trajectory_features", am.trajectory_features, {"score": "wai"}, LONG),
    ("reliable_change", am.reliable_change, {"pre": "pre", "post": "post", "reliability": 0.8},
     WIDE),
    ("clinical_significance", am.clinical_significance,
     {"pre": "pre", "post": "post", "reliability": 0.8, "higher_is_better": True}, WIDE),
]  # fmt: skip
APPENDING = {"session_alerts", "decompose", "reliable_change", "clinical_significance"}


def _as(kind: str, frame: pd.DataFrame) -> Any:
    if kind == "polars":
        return pl.from_pandas(frame)
    return pa.Table.from_pandas(frame, preserve_index=False)


@pytest.mark.parametrize("kind", ["polars", "arrow"])
@pytest.mark.parametrize(
    ("name", "analysis", "options", "data"), ANALYSES, ids=[a[0] for a in ANALYSES]
)
def test_same_values_and_the_callers_kind(
    kind: str, name: str, analysis: Callable[..., Any], options: dict[str, Any], data: pd.DataFrame
) -> None:
    expected = analysis(data, **options)
    got = analysis(_as(kind, data), **options)
    assert table_kind(got) == kind
    assert len(expected) > 0
    assert_same_cells(expected, got)
    if name in APPENDING:  # the caller's columns first, untouched, then the new ones
        assert list(got.columns if kind == "polars" else got.schema.names)[: data.shape[1]] == list(
            data.columns
        )


def test_categories_keep_their_levels_and_arrow_keeps_the_provenance() -> None:
    summary = am.rupture_summary(pl.from_pandas(LONG), score="wai")
    assert summary.schema["course"] == pl.Enum(
        ["no_rupture", "repaired", "unrepaired", "censored", "too_few_sessions"]
    )
    table = am.rupture_summary(_as("arrow", LONG), score="wai", sd_source="sample")
    assert b'"sample_sd"' in table.schema.metadata[b"alliance_metrics"]


def test_only_the_columns_read_cross_into_pandas(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []
    original = NativeTable.to_pandas

    def spy(self: NativeTable, names: Any) -> pd.DataFrame:
        seen.append(list(names))
        return original(self, names)

    monkeypatch.setattr(NativeTable, "to_pandas", spy)
    am.decompose(pl.from_pandas(LONG), score="wai")
    assert seen == [["wai", "client_id", "session"]]  # "site" stays in polars


@pytest.mark.parametrize("kind", ["polars", "arrow"])
def test_errors_are_the_pandas_errors(kind: str) -> None:
    calls: list[Callable[[Any], Any]] = [
        lambda d: am.detect_ruptures(d, score="nope"),
        lambda d: am.decompose(d, score="wai", client="site"),  # site repeats sessions
        lambda d: am.trajectory_features(d, score="wai", early_session=-1),
    ]
    clash = LONG.assign(within=1.0)
    for call, data in [
        *((c, LONG) for c in calls),
        (lambda d: am.decompose(d, score="wai"), clash),
    ]:
        with pytest.raises(am.AllianceMetricsError) as expected:
            call(data)
        with pytest.raises(type(expected.value)) as got:
            call(_as(kind, data))
        assert str(got.value) == str(expected.value)


def test_clash_with_a_column_not_read_is_the_analysis_own_error() -> None:
    wide = pl.from_pandas(WIDE).with_columns(pl.lit(1.0).alias("rci"))
    with pytest.raises(am.InputFormatError) as got:
        am.reliable_change(wide, pre="pre", post="post", reliability=0.8)
    with pytest.raises(am.InputFormatError) as expected:
        am.reliable_change(WIDE.assign(rci=1.0), pre="pre", post="post", reliability=0.8)
    assert str(got.value) == str(expected.value)


def test_result_objects_hold_the_pandas_tables() -> None:
    pair = LONG.assign(therapist=LONG["wai"] * 0.9 + 2)
    got = am.dyad_agreement(pl.from_pandas(pair), client_score="wai", therapist_score="therapist")
    expected = am.dyad_agreement(pair, client_score="wai", therapist_score="therapist")
    pd.testing.assert_frame_equal(got.per_dyad, expected.per_dyad)
    pd.testing.assert_frame_equal(got.per_session, expected.per_session)
    rng = np.random.default_rng(3)
    x, y = rng.normal(4, 0.6, 60), rng.normal(3.8, 0.6, 60)
    rated = pd.DataFrame(
        {"c": x, "t": y, "z": 1 + 0.5 * x - 0.4 * (x - y) ** 2 + rng.normal(0, 0.2, 60)}
    )
    options = {"outcome": "z", "client_score": "c", "therapist_score": "t"}
    surface = am.response_surface(_as("arrow", rated), **options)
    pd.testing.assert_frame_equal(
        surface.coefficients, am.response_surface(rated, **options).coefficients
    )


def test_pandas_tables_take_the_pandas_path_unchanged() -> None:
    out = am.decompose(LONG, score="wai")
    assert isinstance(out, pd.DataFrame)
    assert out.index.equals(LONG.index)


@pytest.mark.parametrize("client", [[[1], [1], [2]], [{"a": 1}, {"a": 1}, {"b": 2}]])
def test_client_keys_that_cannot_be_keys_are_an_input_error(client: list[object]) -> None:
    """Lists or mappings as client ids: one clear error naming the rows, not a TypeError."""
    data = pd.DataFrame({"client_id": client, "session": [1, 2, 1], "wai": [1.0, 2.0, 3.0]})
    for analysis in (am.trajectory_features, am.detect_ruptures, am.decompose):
        with pytest.raises(am.InputFormatError, match=r"cannot be keys .* row\(s\) 0, 1, 2"):
            analysis(data, score="wai")


def test_text_scores_that_mark_a_missing_answer_are_missing_sessions() -> None:
    """ "", " NA ", "null", "N/A", "nan" in a text score column read as an empty CSV cell does."""
    text = pd.DataFrame(
        {
            "client_id": ["a"] * 7,
            "session": range(1, 8),
            "s": ["3", "", " NA ", "null", "N/A", "nan", "4.5"],
        }
    )
    numbers = text.assign(s=[3.0, None, None, None, None, None, 4.5])
    for analysis in (am.trajectory_features, am.decompose):
        pd.testing.assert_frame_equal(
            analysis(text, score="s").drop(columns="s", errors="ignore"),
            analysis(numbers, score="s").drop(columns="s", errors="ignore"),
        )
    with pytest.raises(am.InputFormatError, match=r"row\(s\) 1 \(by position\)"):
        am.trajectory_features(text.assign(s=["3", "x", "", "", "", "", "4"]), score="s")


def test_sudden_changes_refuse_session_numbers_far_apart() -> None:
    """Session numbers that are dates or ids lay a grid of millions of intervals per client."""
    data = pd.DataFrame(
        {
            "client_id": np.repeat(np.arange(20), 4),
            "session": np.tile([1, 2, 3, 999_999], 20),
            "s": np.tile([3.0, 4.0, 2.0, 5.0], 20),
        }
    )
    for analysis in (am.sudden_changes, am.sudden_change_events):
        with pytest.raises(am.InputFormatError, match="span 19,999,980 session numbers"):
            analysis(data, score="s", cutoff=1.0)
    weekly = data.assign(session=np.tile([1, 5, 9, 40], 20))  # 10 numbers a score: kept
    assert len(am.sudden_changes(weekly, score="s", cutoff=1.0)) == 20 * 37
