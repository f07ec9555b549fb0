"""What the pictures draw, from polars DataFrames and pyarrow Tables: the same as from pandas.

``session_means``, ``bland_altman``, ``scale_distributions`` and ``item_distributions`` take
them as the other analyses do (a table comes back in the caller's kind); the plots and
``build_report`` convert them to pandas at entry and draw (write) exactly what they draw
(write) from pandas. A Dask DataFrame is refused with a message saying what is taken, and a
message that shows a table names its library ("Got a polars DataFrame instead").
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dask.dataframe as dd
import matplotlib
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import alliance_metrics as am
from alliance_metrics._params import shown_argument
from alliance_metrics.frames.kinds import table_kind
from kinds import assert_same_cells

ROOT = Path(__file__).resolve().parent.parent
RAW = pd.read_csv(ROOT / "examples" / "data" / "wai_sr_example.csv")
SCORED = am.score_frame(RAW, "wai-sr")
DYADS = SCORED.assign(therapist=SCORED["wai_sr_total"].to_numpy()[::-1] - 0.3)
KINDS = {"polars": pl.from_pandas, "arrow": lambda f: pa.Table.from_pandas(f, preserve_index=False)}


@pytest.mark.parametrize("kind", list(KINDS))
def test_session_means_are_those_of_pandas_in_the_callers_kind(kind: str) -> None:
    expected = am.session_means(SCORED, score="wai_sr_total", ci=0.9)
    found = am.session_means(KINDS[kind](SCORED), score="wai_sr_total", ci=0.9)
    assert table_kind(found) == kind
    assert_same_cells(found, expected)


@pytest.mark.parametrize("kind", list(KINDS))
def test_bland_altman_is_that_of_pandas(kind: str) -> None:
    pair = {"client_score": "wai_sr_total", "therapist_score": "therapist"}
    expected = am.bland_altman(DYADS, **pair)
    found = am.bland_altman(KINDS[kind](DYADS), **pair)
    pd.testing.assert_frame_equal(found.limits, expected.limits, check_exact=True)
    pd.testing.assert_frame_equal(found.points, expected.points, check_exact=True)
    assert (found.n, found.sd, found.multiplier, found.ci) == (
        expected.n,
        expected.sd,
        expected.multiplier,
        expected.ci,
    )


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("aggregate", ["mean", "sum"])
def test_scale_distributions_are_those_of_pandas(kind: str, aggregate: str) -> None:
    scored = am.score_frame(RAW, "wai-sr", aggregate=aggregate)
    expected = am.scale_distributions(scored, "wai-sr")
    native = am.score_frame(KINDS[kind](RAW), "wai-sr", aggregate=aggregate)
    # an Arrow table carries what score_frame recorded; a polars one cannot: say the metric
    given = {} if kind == "arrow" else {"aggregate": aggregate}
    found = am.scale_distributions(native, "wai-sr", **given)
    pd.testing.assert_frame_equal(found.summary, expected.summary, check_exact=True)
    pd.testing.assert_frame_equal(found.histogram, expected.histogram, check_exact=True)


@pytest.mark.parametrize("kind", list(KINDS))
def test_item_distributions_are_those_of_pandas(kind: str) -> None:
    expected = am.item_distributions(RAW, "wai-sr", missing_values=["-99"])
    found = am.item_distributions(KINDS[kind](RAW), "wai-sr", missing_values=["-99"])
    pd.testing.assert_frame_equal(found.counts, expected.counts, check_exact=True)
    pd.testing.assert_frame_equal(found.items, expected.items, check_exact=True)


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_analyses_say_the_same_as_pandas_about_missing_columns(kind: str) -> None:
    calls: list[Callable[[Any], object]] = [
        lambda d: am.scale_distributions(d, "wai-sr"),
        lambda d: am.session_means(d, score="absent"),
        lambda d: am.bland_altman(d, client_score="wai_1", therapist_score="absent"),
    ]
    for call in calls:
        with pytest.raises(am.AllianceMetricsError) as expected:
            call(RAW)
        with pytest.raises(type(expected.value)) as found:
            call(KINDS[kind](RAW))
        assert str(found.value) == str(expected.value)


def _svg(drawn: object) -> str:
    figure = getattr(drawn, "figure", drawn)
    buffer = io.StringIO()
    settings = {"svg.fonttype": "none", "svg.hashsalt": "same"}
    with matplotlib.rc_context(settings):
        figure.savefig(buffer, format="svg", metadata={"Date": None})  # type: ignore[attr-defined]
    matplotlib.pyplot.close(figure)  # type: ignore[attr-defined]
    return buffer.getvalue()


PLOTS: list[tuple[str, Callable[[Any], object]]] = [
    (
        "trajectory",
        lambda d: am.plot.plot_trajectory(d, "C0012", score="wai_sr_total", instrument="wai-sr"),
    ),
    (
        "trajectory events",
        lambda d: am.plot.plot_trajectory(
            SCORED,
            "C0012",
            score="wai_sr_total",
            ruptures=am.detect_ruptures(d, score="wai_sr_total", k=1.0),
            alerts=am.session_alerts(d, score="wai_sr_total", cutoff=3.8),
            cutoff=3.8,  # a polars table cannot carry the cut-off the alerts used
        ),
    ),
    ("trajectories", lambda d: am.plot.plot_trajectories(d, score="wai_sr_total", max_clients=9)),
    (
        "given means",
        lambda d: am.plot.plot_trajectories(
            SCORED,
            score="wai_sr_total",
            means=am.session_means(d, score="wai_sr_total", ci=0.9),
            ci=0.9,  # the level shown when the table does not record it (polars)
        ),
    ),
    ("items", lambda d: am.plot.plot_item_distributions(d, "wai-sr")),
    ("scales", lambda d: am.plot.plot_scale_distributions(d, "wai-sr")),
    ("reliability", lambda d: am.plot.plot_reliability(am.reliability_report(d, "wai-sr"))),
    (
        "agreement",
        lambda d: am.plot.plot_agreement(d, client_score="wai_sr_total", therapist_score="wai_1"),
    ),
]


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize(("name", "draw"), PLOTS, ids=[name for name, _ in PLOTS])
def test_every_plot_draws_what_it_draws_from_pandas(
    kind: str, name: str, draw: Callable[[Any], object]
) -> None:
    assert _svg(draw(KINDS[kind](SCORED))) == _svg(draw(SCORED))


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_report_of_a_table_is_that_of_pandas(kind: str) -> None:
    options: dict[str, Any] = {"client": "client_id", "session": "session", "max_trajectories": 2}
    expected = am.build_report(RAW, "wai-sr", **options)
    table = KINDS[kind](RAW)
    found = am.build_report(table, "wai-sr", **options)
    named = shown_argument(table)
    assert named in {"a polars DataFrame", "a pyarrow Table"}
    assert found == expected.replace("a pandas DataFrame", named)


def test_dask_is_refused_saying_what_is_taken() -> None:
    lazy = dd.from_pandas(SCORED, npartitions=2)
    calls: list[tuple[str, Callable[[], object]]] = [
        ("session_means", lambda: am.session_means(lazy, score="wai_sr_total")),
        ("scale_distributions", lambda: am.scale_distributions(lazy, "wai-sr")),
        ("item_distributions", lambda: am.item_distributions(lazy, "wai-sr")),
        (
            "bland_altman",
            lambda: am.bland_altman(lazy, client_score="wai_sr_total", therapist_score="wai_1"),
        ),
        ("plot_trajectories", lambda: am.plot.plot_trajectories(lazy, score="wai_sr_total")),
        ("plot_scale_distributions", lambda: am.plot.plot_scale_distributions(lazy, "wai-sr")),
        ("build_report", lambda: am.build_report(lazy, "wai-sr")),
    ]
    for function, call in calls:
        with pytest.raises(am.InvalidParameterError, match=r"\.compute\(\)") as caught:
            call()
        assert caught.value.function == function
        assert str(caught.value).endswith("Got a Dask DataFrame instead.")


def test_a_message_showing_a_table_names_its_library() -> None:
    assert [
        shown_argument(t)
        for t in (pd.DataFrame(), pl.DataFrame(), pa.table({"a": [1]}), pl.DataFrame().lazy())
    ] == ["a pandas DataFrame", "a polars DataFrame", "a pyarrow Table", "a polars LazyFrame"]
    assert shown_argument(dd.from_pandas(pd.DataFrame({"a": [1]}), npartitions=1)) == (
        "a Dask DataFrame"
    )
    assert shown_argument(np.zeros(2)) == "a ndarray"  # other types as before
    with pytest.raises(am.InvalidParameterError) as caught:
        am.plot.plot_reliability(pl.DataFrame({"scale": ["total"]}))
    assert str(caught.value).endswith("Got a polars DataFrame instead.")
    with pytest.raises(am.InvalidParameterError) as caught:
        am.session_means({"score": [1.0]}, score="score")
    assert str(caught.value) == (
        "The 'data' parameter of session_means must be a pandas or polars DataFrame or a "
        "pyarrow Table (one row per administration). Got a dict instead."
    )


def test_metadata_written_by_someone_else_is_no_provenance() -> None:
    from alliance_metrics.frames.native import METADATA_KEY, NativeTable

    table = pa.table({"a": [1.0]})
    for raw in (b"not json", b"[1, 2]"):
        native = NativeTable.of(table.replace_schema_metadata({METADATA_KEY: raw}))
        assert native is not None
        assert native.provenance() is None
        assert native.to_pandas(["a"]).attrs == {}
    assert NativeTable.of(table).provenance() is None  # type: ignore[union-attr]
    assert NativeTable.of(pl.DataFrame({"a": [1]})).provenance() is None  # type: ignore[union-attr]
