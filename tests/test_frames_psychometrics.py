"""The psychometrics on polars DataFrames and pyarrow Tables: same values, tables of the same kind.

``reliability_report``, ``item_statistics``, ``cronbach_alpha``, ``omega_total`` and ``icc`` are
given the same data as pandas, polars and Arrow tables (invalid cells, labels and missing cells
included); results must be identical, tables come back in the caller's kind, and errors are the
pandas errors word for word. Only the item columns cross into pandas.
"""

from __future__ import annotations

from typing import Any

import dask.dataframe as dd
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import alliance_metrics as am
from alliance_metrics.frames.kinds import table_kind
from alliance_metrics.frames.native import NativeTable
from kinds import assert_same_cells

ITEMS = [f"wai_{n}" for n in range(1, 13)]


def _frame(n: int = 240, seed: int = 8) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=(n, 1))
    values = np.clip(np.rint(3.5 + 0.8 * latent + rng.normal(0, 0.7, (n, 12))), 1, 5)
    frame = pd.DataFrame(values, columns=ITEMS)
    frame.loc[::17, "wai_4"] = np.nan
    frame["wai_7"] = (
        frame["wai_7"]
        .map(lambda v: "" if v != v else ("Always" if v == 5 else str(int(v))))
        .astype("str")
    )  # text with labels and blanks
    frame.insert(0, "client_id", [f"c{i}" for i in range(n)])
    return frame


FRAME = _frame()


def _as(kind: str, frame: pd.DataFrame) -> Any:
    if kind == "polars":
        return pl.from_pandas(frame)
    return pa.Table.from_pandas(frame, preserve_index=False)


@pytest.mark.parametrize("kind", ["polars", "arrow"])
def test_reliability_report_and_item_statistics(kind: str) -> None:
    for analysis, options in (
        (am.reliability_report, {"nan_policy": "listwise", "aggregate": "sum"}),
        (am.item_statistics, {}),
    ):
        expected = analysis(FRAME, "wai-sr", **options)
        got = analysis(_as(kind, FRAME), "wai-sr", **options)
        assert table_kind(got) == kind
        assert_same_cells(expected, got)


@pytest.mark.parametrize("kind", ["polars", "arrow"])
def test_plain_item_tables(kind: str) -> None:
    items = FRAME[["wai_1", "wai_2", "wai_3", "wai_4"]]
    table = _as(kind, items)
    assert am.cronbach_alpha(table) == am.cronbach_alpha(items)
    reverse = {"keys": {"wai_2": -1}, "bounds": (1, 5)}
    assert am.cronbach_alpha(table, **reverse) == am.cronbach_alpha(items, **reverse)
    assert am.omega_total(table) == am.omega_total(items)
    assert_same_cells(am.item_statistics(items), am.item_statistics(table))


@pytest.mark.parametrize("kind", ["polars", "arrow"])
def test_icc_wide_and_long(kind: str) -> None:
    wide = FRAME[["wai_1", "wai_2", "wai_3"]]
    got = am.icc(_as(kind, wide))
    assert table_kind(got) == kind
    assert_same_cells(am.icc(wide), got)
    long = wide.assign(target=range(len(wide))).melt("target", var_name="rater", value_name="y")
    long["site"] = "x"
    options = {"targets": "target", "raters": "rater", "ratings": "y"}
    assert_same_cells(am.icc(long, **options), am.icc(_as(kind, long), **options))


@pytest.mark.parametrize("kind", ["polars", "arrow"])
def test_errors_are_the_pandas_errors(kind: str) -> None:
    invalid = FRAME.assign(wai_7=FRAME["wai_7"].where(FRAME.index != 5, "often"))
    calls = [
        (lambda d: am.reliability_report(d, "wai-sr"), invalid),
        (lambda d: am.reliability_report(d, "wai-sr", columns="q{n}"), FRAME),
        (lambda d: am.item_statistics(d, "wai-sr", nan_policy="none"), FRAME),
        (lambda d: am.icc(d, targets="client_id", raters="nope", ratings="wai_1"), FRAME),
    ]
    for call, data in calls:
        with pytest.raises(am.AllianceMetricsError) as expected:
            call(data)
        with pytest.raises(type(expected.value)) as got:
            call(_as(kind, data))
        assert str(got.value) == str(expected.value)
    with pytest.raises(am.ResponseValidationError) as caught:
        am.reliability_report(_as(kind, invalid), "wai-sr")
    pd.testing.assert_frame_equal(
        caught.value.report.failure_cases, am.validate_frame(invalid, "wai-sr").failure_cases
    )


def test_only_the_item_columns_cross_into_pandas(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []
    original = NativeTable.to_pandas

    def spy(self: NativeTable, names: Any) -> pd.DataFrame:
        seen.append(list(names))
        return original(self, names)

    monkeypatch.setattr(NativeTable, "to_pandas", spy)
    am.reliability_report(pl.from_pandas(FRAME), "wai-sr")
    assert seen == [ITEMS]  # the client_id column stays in polars


def test_a_dask_frame_is_refused_with_a_clear_message() -> None:
    with pytest.raises(am.InvalidParameterError, match=r"call \.compute\(\)"):
        am.reliability_report(dd.from_pandas(FRAME, npartitions=2), "wai-sr")


@pytest.mark.parametrize(
    ("func", "call"),
    [
        ("score_frame", lambda lazy: am.score_frame(lazy, "wai-sr")),
        ("validate_frame", lambda lazy: am.validate_frame(lazy, "wai-sr")),
        ("reliability_report", lambda lazy: am.reliability_report(lazy, "wai-sr")),
        ("cronbach_alpha", lambda lazy: am.cronbach_alpha(lazy.select(ITEMS))),
        ("omega_total", lambda lazy: am.omega_total(lazy.select(ITEMS))),
        ("icc", lambda lazy: am.icc(lazy.select(ITEMS[:3]))),
        ("detect_ruptures", lambda lazy: am.detect_ruptures(lazy, score="wai_1")),
    ],
)
def test_a_polars_lazyframe_is_refused_with_the_way_out(func: str, call: Any) -> None:
    """A LazyFrame is a query, not a table; every function says to collect it."""
    with pytest.raises(am.InvalidParameterError, match=rf"of {func} .*call \.collect\(\)"):
        call(pl.from_pandas(FRAME).lazy())
