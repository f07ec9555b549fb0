"""Session series on Dask: whole-data checks and statistics are those of pandas, to the bit.

Errors name the rows of the whole Dask DataFrame (its positions, partitions in order) with
whole-data counts, in the very words of pandas; the sample SDs, the grand mean and the
reliable-change rule are computed by the pandas code over the whole data, so results compare
with ``check_exact=True`` and the ``attrs`` record what the user asked for. A one-worker cluster
in this process keeps it fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from distributed import Client, LocalCluster

import alliance_metrics as am


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with (
        LocalCluster(
            n_workers=1, processes=False, threads_per_worker=1, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as opened,
    ):
        yield opened


def _long(n_clients: int = 600, sessions: int = 8, seed: int = 3) -> pd.DataFrame:
    """Many clients, rows shuffled: the Chan combination of partitions differs from np.std."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "client_id": np.repeat([f"c{i:05d}" for i in range(n_clients)], sessions),
            "session": np.tile(np.arange(1, sessions + 1), n_clients),
            "wai": rng.normal(3.7, 0.6, n_clients * sessions).round(4),
        }
    )
    frame.loc[rng.random(len(frame)) < 0.05, "wai"] = np.nan
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)


LONG = _long(seed=26)  # a seed where combining partitions (Chan) is not np.std to the bit


def _computed(call: Callable[[], Any]) -> Any:
    result = call()
    return result.compute() if hasattr(result, "compute") else result


def _message(call: Callable[[], Any]) -> tuple[type[BaseException], str]:
    with pytest.raises(am.AllianceMetricsError) as caught:
        _computed(call)
    return type(caught.value), str(caught.value)


def _spoiled(kind: str) -> pd.DataFrame:
    """LONG with bad rows far apart (several partitions), more than the five a message shows."""
    frame = LONG.copy()
    rows = [5, 900, 1700, 2500, 3300, 4100, 4700]
    if kind == "duplicated pair":
        frame = frame.astype({"session": np.int64})
        for row in rows:  # each row repeats the client and session of the row before it
            frame.loc[row, ["client_id", "session"]] = frame.loc[row - 1, ["client_id", "session"]]
    elif kind == "fractional session":
        frame = frame.astype({"session": float})
        frame.loc[rows, "session"] = 2.5
    elif kind == "empty client":
        frame = frame.astype({"client_id": object})
        frame.loc[rows, "client_id"] = None
    else:  # text scores
        frame = frame.astype({"wai": object})
        frame.loc[rows, "wai"] = "unsure"  # text that is not a missing marker
    return frame


KINDS = ["duplicated pair", "fractional session", "empty client", "text score"]
ANALYSES: list[tuple[Callable[..., Any], dict[str, Any]]] = [
    (am.trajectory_features, {"score": "wai"}),
    (am.detect_ruptures, {"score": "wai", "sd_source": "sample"}),
    (am.decompose, {"score": "wai"}),
    (am.sudden_changes, {"score": "wai", "cutoff": 0.5}),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("analysis", "options"), ANALYSES, ids=lambda x: getattr(x, "__name__", "")
)
def test_errors_name_the_rows_of_the_whole_data_as_pandas_does(
    client: Client, kind: str, analysis: Callable[..., Any], options: dict[str, Any]
) -> None:
    frame = _spoiled(kind)
    expected = _message(lambda: analysis(frame, **options))
    assert "(7 in all)" in expected[1] or "(14 in all)" in expected[1], expected
    got = _message(lambda: analysis(dd.from_pandas(frame, npartitions=6), **options))
    assert got == expected


def test_reliable_change_names_rows_of_the_whole_data(client: Client) -> None:
    wide = am.first_last(LONG, score="wai").astype({"pre": object})
    wide.loc[[3, 150, 300, 420, 500, 550, 590], "pre"] = "x"
    options = {"pre": "pre", "post": "post", "reliability": 0.8}
    expected = _message(lambda: am.reliable_change(wide, **options))
    assert "(7 in all)" in expected[1]
    got = _message(lambda: am.reliable_change(dd.from_pandas(wide, npartitions=5), **options))
    assert got == expected


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    keys = [c for c in ("k", "client_id", "session", "pre_session") if c in frame.columns]
    ordered = frame.sort_values(keys, kind="stable").reset_index(drop=True)
    text = [c for c in ordered.columns if pd.api.types.is_string_dtype(ordered[c].dtype)]
    return ordered.astype(dict.fromkeys(text, object))


WHOLE = [
    (am.detect_ruptures, {"score": "wai", "sd_source": "sample", "k": (1.0, 1.5)}),
    (am.detect_ruptures, {"score": "wai", "sd_source": "stricter", "k": 1.0}),
    (am.rupture_summary, {"score": "wai", "sd_source": "sample"}),
    (am.rupture_summary, {"score": "wai", "sd_source": "stricter", "k": 1.5}),
    (am.decompose, {"score": "wai", "detrend": True}),
]


@pytest.mark.parametrize(("analysis", "options"), WHOLE, ids=lambda x: getattr(x, "__name__", ""))
def test_whole_data_statistics_are_those_of_pandas_to_the_bit(
    client: Client, analysis: Callable[..., Any], options: dict[str, Any]
) -> None:
    expected = analysis(LONG, **options)
    got = analysis(dd.from_pandas(LONG, npartitions=13), **options).compute()
    assert len(expected) > 0
    pd.testing.assert_frame_equal(_sorted(got), _sorted(expected), check_exact=True)
    assert got.attrs == expected.attrs


@pytest.mark.parametrize(
    "options",
    [
        {"reliability": 0.8},
        {"reliability": 0.85, "sd_source": "pre_all"},
        {"reliability": 0.8, "sd": 0.5},
        {"instrument": "ors"},
    ],
)
def test_reliable_change_is_pandas_to_the_bit_with_its_attrs(
    client: Client, options: dict[str, Any]
) -> None:
    wide = am.first_last(LONG, score="wai")
    expected = am.reliable_change(wide, pre="pre", post="post", **options)
    lazy = am.reliable_change(
        dd.from_pandas(wide, npartitions=9), pre="pre", post="post", **options
    )
    got = lazy.compute()
    pd.testing.assert_frame_equal(_sorted(got), _sorted(expected), check_exact=True)
    assert got.attrs == expected.attrs
    sd_source = options.get("sd_source", "pre_complete") if "reliability" in options else None
    if "sd" in options:
        sd_source = "given"
    assert got.attrs["alliance_metrics"]["sd_source"] == sd_source


def test_a_whole_data_sd_that_cannot_be_estimated_is_the_pandas_error(client: Client) -> None:
    flat = pd.DataFrame({"pre": [3.0] * 4, "post": [4.0] * 4})
    options = {"pre": "pre", "post": "post", "reliability": 0.8}
    expected = _message(lambda: am.reliable_change(flat, **options))
    assert _message(lambda: am.reliable_change(dd.from_pandas(flat, npartitions=2), **options)) == (
        expected
    )
