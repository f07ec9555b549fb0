"""score_frame, validate_frame and the session series on Dask, on a real local cluster.

Two worker processes (one thread each): everything sent to them is pickled, nothing registered in
this process exists there. Results must equal the pandas path on the same data — values,
statuses, failure tables with rows as positions in the whole data — and a client must never span
two partitions.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterator
from typing import Any

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from distributed import Client, LocalCluster

import alliance_metrics as am
from alliance_metrics.dask import series as dask_series
from alliance_metrics.dask.frames import _score_part, _validate_part, join_reports
from alliance_metrics.scoring.request import ScoreRequest
from kinds import assert_same_cells

SR_ITEMS = [f"wai_{n}" for n in range(1, 13)]


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with (
        LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as opened,
    ):  # the default scheduler of compute() here
        yield opened


def _items(n: int = 2000, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"client_id": np.arange(n)})
    for name in SR_ITEMS:
        frame[name] = rng.integers(1, 6, n).astype(float)
    frame.loc[rng.random(n) < 0.05, "wai_2"] = np.nan
    frame.loc[[7, 777, 1999], "wai_4"] = 9.0  # out of range, in three partitions
    frame.loc[[1500], "wai_9"] = 2.5
    frame["wai_12"] = frame["wai_12"].map(lambda v: "Always" if v == 5 else str(v)).astype("str")
    frame.loc[[42, 1042], "wai_12"] = "often"
    return frame


ITEMS = _items()


def test_scores_and_statuses_equal_pandas(client: Client) -> None:
    ddf = dd.from_pandas(ITEMS, npartitions=5)
    lazy = am.score_frame(ddf, "wai-sr", on_invalid="missing")
    assert isinstance(lazy, dd.DataFrame)
    scored = lazy.compute()
    expected = am.score_frame(ITEMS, "wai-sr", on_invalid="missing")
    assert_same_cells(expected, scored)
    assert scored.index.equals(expected.index)
    assert (scored["wai_sr_status"] == "invalid").sum() == 6
    assert lazy.dtypes.to_dict() == scored.dtypes.to_dict()  # the meta is what comes


def test_raise_on_compute_with_every_partitions_failures(client: Client) -> None:
    ddf = dd.from_pandas(ITEMS, npartitions=5)
    lazy = am.score_frame(ddf, "wai-sr")  # builds, computes nothing, raises nothing
    with pytest.raises(am.ResponseValidationError) as caught:
        lazy.compute()
    expected = am.validate_frame(ITEMS, "wai-sr").failure_cases
    pd.testing.assert_frame_equal(caught.value.report.failure_cases, expected)
    assert caught.value.report.failure_cases["row"].tolist() == [7, 42, 777, 1042, 1500, 1999]
    valid = ITEMS.assign(wai_4=1.0, wai_9=1.0, wai_12="3")
    scored = am.score_frame(dd.from_pandas(valid, npartitions=5), "wai-sr").compute()
    assert_same_cells(am.score_frame(valid, "wai-sr"), scored)


def test_a_combined_export_with_missing_codes(client: Client) -> None:
    frame = pd.DataFrame(
        {f"srs_{n}": ["9", "11", "-99", "8"] * 25 for n in range(1, 5)}
        | {f"ors_{n}": ["5", "x", "2", "3"] * 25 for n in range(1, 5)}
    )
    options = {"missing_values": ["-99"]}
    ddf = dd.from_pandas(frame, npartitions=3)
    expected = am.score_frame(frame, ["srs", "ors"], on_invalid="missing", **options)
    got = am.score_frame(ddf, ["srs", "ors"], on_invalid="missing", **options).compute()
    assert_same_cells(expected, got)
    report = am.validate_frame(ddf, ["srs", "ors"], **options)
    expected_report = am.validate_frame(frame, ["srs", "ors"], **options)
    pd.testing.assert_frame_equal(report.failure_cases, expected_report.failure_cases)
    with pytest.raises(am.ResponseValidationError) as caught:
        am.score_frame(ddf, ["srs", "ors"], **options).compute()
    assert caught.value.report.n_invalid_cells == expected_report.n_invalid_cells


def test_one_report_for_the_whole_data(client: Client) -> None:
    ddf = dd.from_pandas(ITEMS, npartitions=7)
    report = am.validate_frame(ddf, "wai-sr")
    expected = am.validate_frame(ITEMS, "wai-sr")
    pd.testing.assert_frame_equal(report.failure_cases, expected.failure_cases)
    assert (report.n_rows, report.n_rows_affected) == (2000, expected.n_rows_affected)
    shifted = am.validate_frame(ddf, "wai-sr", row_offset=10)
    assert shifted.failure_cases["message"].iloc[0].startswith("row 17, column 'wai_4'")


def test_a_user_instrument_works_where_it_is_not_registered(client: Client) -> None:
    mine = am.get_instrument("wai-sr").model_copy(update={"id": "clinic-sr"})
    am.register(mine)

    def registered() -> bool:
        from alliance_metrics.instruments import registry

        return "clinic-sr" in registry._user

    assert registered()
    assert not any(client.run(registered).values())  # unknown on every worker
    ddf = dd.from_pandas(ITEMS.assign(wai_4=1.0, wai_9=1.0, wai_12="4"), npartitions=4)
    scored = am.score_frame(ddf, "clinic-sr", prefix="c_").compute()
    assert scored["c_status"].isin(["ok", "prorated"]).all()


def test_everything_sent_to_workers_pickles() -> None:
    mine = am.get_instrument("wai-b3").model_copy(update={"id": "mine"})
    request = ScoreRequest.resolve("score_frame", mine, on_invalid="missing", aggregate="sum")
    part = pd.DataFrame({"wai_1": [4, 9], "wai_2": [3, 3], "wai_3": [5, 5]})
    for value in (request, _score_part, _validate_part, dask_series.run_analysis, am.decompose):
        assert pickle.loads(pickle.dumps(value)) == value
    report = _validate_part(part, [request.instrument], None, ())
    copy = pickle.loads(pickle.dumps(report))
    pd.testing.assert_frame_equal(copy.failure_cases, report.failure_cases)
    shipped = pickle.loads(pickle.dumps((request,)))
    scored = pickle.loads(pickle.dumps(_score_part(part, shipped, None, {})))
    assert scored["mine_status"].tolist() == ["ok", "invalid"]


def test_joined_reports_keep_counts_past_the_limit() -> None:
    part = am.validate_frame(
        pd.DataFrame({"wai_1": [9, 9], "wai_2": [3, 3], "wai_3": [5, 5]}), "wai-b3"
    )
    joined = join_reports([part, am.ValidationReport(n_rows=3), part], limit=3)
    assert (joined.n_rows, joined.n_invalid_cells, joined.n_rows_affected) == (7, 4, 4)
    assert joined.failure_cases["row"].tolist() == [0, 1, 5]
    assert joined.truncated
    assert join_reports([]).ok


def test_argument_errors_come_at_once_not_on_compute(client: Client) -> None:
    ddf = dd.from_pandas(ITEMS, npartitions=2)
    with pytest.raises(am.InvalidParameterError, match="'aggregate' parameter of score_frame"):
        am.score_frame(ddf, "wai-sr", aggregate="avg")
    with pytest.raises(am.InvalidParameterError, match="prefix"):  # a clash, found on the meta
        am.score_frame(ddf.assign(wai_sr_total=1.0), "wai-sr")
    with pytest.raises(am.InputFormatError, match="Missing item column"):
        am.validate_frame(ddf, "wai-sr", columns="q{n}")


def _long(seed: int = 5, n_clients: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n_clients):
        level = rng.normal(45, 6)
        for s in range(1, int(rng.integers(2, 14))):
            rows.append((f"K{c:03d}", s, None if rng.random() < 0.1 else level + rng.normal(0, 5)))
    frame = pd.DataFrame(rows, columns=["client_id", "session", "wai"])
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)


LONG = _long()
SERIES = [
    (am.sudden_changes, {"score": "wai", "cutoff": 4.0}),
    (am.sudden_change_events, {"score": "wai", "cutoff": 3.0}),
    (am.sudden_change_cases, {"score": "wai"}),
    (am.first_last, {"score": "wai"}),
    (am.detect_ruptures, {"score": "wai", "k": (1.0, 2.0)}),
    (am.detect_ruptures, {"score": "wai", "sd_source": "sample"}),
    (am.rupture_summary, {"score": "wai", "sd_source": "stricter", "k": 1.5}),
    (am.session_alerts, {"score": "wai", "cutoff": 40.0}),
    (am.decompose, {"score": "wai", "detrend": True}),
    (am.trajectory_features, {"score": "wai"}),
]


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in the pandas order; text as objects (Dask holds text as Arrow strings)."""
    keys = [c for c in ("k", "client_id", "session", "pre_session") if c in frame.columns]
    ordered = frame.sort_values(keys, kind="stable").reset_index(drop=True)
    text = [c for c in ordered.columns if pd.api.types.is_string_dtype(ordered[c].dtype)]
    return ordered.astype(dict.fromkeys(text, object))


@pytest.mark.parametrize(("analysis", "options"), SERIES, ids=lambda x: getattr(x, "__name__", ""))
def test_series_equal_pandas(client: Client, analysis: Any, options: dict[str, Any]) -> None:
    lazy = analysis(dd.from_pandas(LONG, npartitions=4), **options)
    got, expected = _sorted(lazy.compute()), _sorted(analysis(LONG, **options))
    assert len(expected) > 0
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-12, atol=1e-12)


def test_sample_sd_is_the_whole_data_sd(client: Client) -> None:
    ddf = dd.from_pandas(LONG, npartitions=4)
    valid = LONG["wai"].dropna().to_numpy()
    found = am.detect_ruptures(ddf, score="wai", sd_source="sample").compute()
    one_partition_sd = np.nanstd(LONG["wai"].iloc[:100], ddof=1)
    assert not np.isclose(found["unit_sd"].iloc[0], one_partition_sd)
    np.testing.assert_allclose(found["unit_sd"], valid.std(ddof=1), rtol=1e-13)


def test_a_client_never_spans_two_partitions(client: Client) -> None:
    ddf = dd.from_pandas(LONG, npartitions=6)  # rows shuffled: every client in many partitions
    assert max(len(set(p["client_id"])) for p in ddf.partitions) < LONG["client_id"].nunique()
    shuffled = dask_series.by_client(ddf, "client_id")
    parts = [set(part) for part in shuffled["client_id"].map_partitions(set).compute()]
    assert sum(len(p) for p in parts) == LONG["client_id"].nunique() == len(set().union(*parts))
    summary = am.trajectory_features(ddf, score="wai").compute()
    assert summary["client_id"].is_unique
    assert len(summary) == LONG["client_id"].nunique()


def test_reliable_change_takes_the_whole_data_sd(client: Client) -> None:
    wide = am.first_last(LONG, score="wai")
    for sd_source in ("pre_complete", "pre_all"):
        options = {"pre": "pre", "post": "post", "reliability": 0.85, "sd_source": sd_source}
        got = am.reliable_change(dd.from_pandas(wide, npartitions=3), **options).compute()
        expected = am.reliable_change(wide, **options)
        pd.testing.assert_frame_equal(
            _sorted(got), _sorted(expected), check_exact=False, rtol=1e-12
        )
    published = {"pre": "pre", "post": "post", "instrument": "ors"}
    got = am.reliable_change(dd.from_pandas(wide, npartitions=3), **published).compute()
    pd.testing.assert_frame_equal(_sorted(got), _sorted(am.reliable_change(wide, **published)))


def test_analyses_of_all_rows_refuse_a_dask_frame(client: Client) -> None:
    ddf = dd.from_pandas(LONG.assign(t=LONG["wai"]), npartitions=2)
    for call in (
        lambda: am.growth_model(ddf, score="wai"),
        lambda: am.dyad_agreement(ddf, client_score="wai", therapist_score="t"),
        lambda: am.clinical_significance(ddf, pre="wai", post="t", reliability=0.8),
    ):
        with pytest.raises(am.InvalidParameterError, match=r"call \.compute\(\)"):
            call()


def test_worker_processes_are_separate(client: Client) -> None:
    assert os.getpid() not in client.run(os.getpid).values()


def test_whole_data_statistics_in_this_process() -> None:
    """The whole-data pass of the session series, run here (the synchronous scheduler)."""
    import dask

    frame = pd.DataFrame({"pre": [1.0, 2.0, None, 4.0, 8.0, 8.0], "post": [2.0, None, 1, 3, 5, 9]})
    ddf = dd.from_pandas(frame, npartitions=3)
    in_process = {"scheduler": "sync", "dataframe.shuffle.method": "tasks"}  # not p2p: no workers
    with dask.config.set(in_process):
        collected = dask_series.collect(ddf, ["post", "pre", "post"])
        flat = dd.from_pandas(pd.DataFrame({"pre": [3.0] * 4, "post": [4.0] * 4}), npartitions=2)
        with pytest.raises(am.InputFormatError, match="cannot estimate the SD"):
            am.reliable_change(flat, pre="pre", post="post", reliability=0.8)
        got = am.reliable_change(ddf, pre="pre", post="post", reliability=0.8).compute()
        centred = am.decompose(dd.from_pandas(LONG, npartitions=3), score="wai").compute()
    pd.testing.assert_frame_equal(collected, frame[["post", "pre"]])  # row i is row i
    expected = am.reliable_change(frame, pre="pre", post="post", reliability=0.8)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert got.attrs == expected.attrs
    expected = am.decompose(LONG, score="wai")
    np.testing.assert_array_equal(
        centred.sort_index()["person_mean_centered"], expected["person_mean_centered"]
    )
