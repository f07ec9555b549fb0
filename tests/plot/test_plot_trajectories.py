"""plot_trajectory and plot_trajectories: drawn data, gaps, events, limits, labels, images."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from image_check import ImageCheck
from matplotlib.figure import Figure

import alliance_metrics as am
from alliance_metrics.plot import plot_trajectories, plot_trajectory

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "data" / "wai_sr_example.csv"
SCORES_A = [4.2, 4.4, 4.5, 3.2, 4.5, 4.6, 4.4, None]


@pytest.fixture
def series() -> pd.DataFrame:
    # client A: session 5 has no row and session 9 no score; client B must not be drawn
    return pd.DataFrame(
        {
            "client_id": ["A"] * 8 + ["B"] * 3,
            "session": [1, 2, 3, 4, 6, 7, 8, 9, 1, 2, 3],
            "wai": [*SCORES_A, 2.0, 2.1, 2.2],
        }
    )


def _line(ax: object, label: str) -> object:
    found = [line for line in ax.lines if line.get_label() == label]  # type: ignore[attr-defined]
    assert len(found) == 1, label
    return found[0]


def _xy(line: object) -> tuple[list[float], list[float]]:
    x = np.asarray(line.get_xdata(), dtype=float).tolist()  # type: ignore[attr-defined]
    y = np.asarray(line.get_ydata(), dtype=float).tolist()  # type: ignore[attr-defined]
    return x, y


def _trajectory(series: pd.DataFrame, **kwargs: object) -> object:
    ruptures = am.detect_ruptures(series, score="wai", k=1.5)
    alerts = am.session_alerts(series, score="wai", cutoff=3.5)
    options = {"ruptures": ruptures, "alerts": alerts, "instrument": "wai-sr", "scale": "total"}
    options.update(kwargs)
    return plot_trajectory(series, "A", score="wai", **options)  # type: ignore[arg-type]


def test_the_series_is_drawn_with_gaps_never_interpolated(series: pd.DataFrame) -> None:
    ax = _trajectory(series)
    x, y = _xy(_line(ax, "score"))
    assert x == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    np.testing.assert_array_equal(y, [4.2, 4.4, 4.5, 3.2, np.nan, 4.5, 4.6, 4.4, np.nan])
    assert _xy(_line(ax, "no score"))[0] == [5.0, 9.0]


def test_events_are_marked_where_the_analyses_put_them(series: pd.DataFrame) -> None:
    found = am.detect_ruptures(series, score="wai", k=1.5)
    # hand check of the analysis: baseline 4.5 at session 3, drop 1.3; back to 4.5 at session 6
    assert found[["client_id", "session", "repair_session"]].values.tolist() == [["A", 4, 6]]
    ax = _trajectory(series)
    assert _xy(_line(ax, "rupture (dotted: drop from baseline)")) == ([4.0], [3.2])
    assert _xy(_line(ax, "repair")) == ([6.0], [4.5])
    assert _xy(_line(ax, "alert")) == ([4.0], [3.2])  # 3.2 < 3.5 and a drop of 1.3 ≥ 1
    segments = ax.collections[0].get_segments()  # the dotted drop from the baseline
    np.testing.assert_allclose(segments[0], [[4.0, 3.2], [4.0, 4.5]])


def test_axes_show_the_scale_its_bounds_and_the_cutoff_band(series: pd.DataFrame) -> None:
    ax = _trajectory(series)
    assert ax.get_ylabel() == "WAI-SR Total (mean, 1–5)"
    np.testing.assert_allclose(ax.get_ylim(), (1 - 0.12, 5 + 0.12))
    assert (ax.get_xlabel(), ax.get_title(loc="left")) == ("session", "client A")
    band = [p for p in ax.patches if p.get_label() == "below the cut-off (3.5)"]
    assert len(band) == 1
    corners = band[0].get_path().vertices @ np.eye(2)  # in (axes x, data y)
    y = band[0].get_patch_transform().transform(corners)[:, 1]
    np.testing.assert_allclose([y.min(), y.max()], [1.0, 3.5])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == [
        "below the cut-off (3.5)",
        "score",
        "no score",
        "rupture (dotted: drop from baseline)",
        "repair",
        "alert",
    ]


def test_cutoff_comes_from_the_alerts_or_the_caller(series: pd.DataFrame) -> None:
    from_alerts = _trajectory(series)
    assert any("3.5" in p.get_label() for p in from_alerts.patches)
    given = _trajectory(series, cutoff=4)
    assert any(p.get_label() == "below the cut-off (4)" for p in given.patches)
    none = plot_trajectory(series, "A", score="wai")
    assert not none.patches
    assert none.get_ylabel() == "wai"  # no instrument: the column, and limits from the data


def test_image_of_a_trajectory(series: pd.DataFrame, check_image: ImageCheck) -> None:
    figure = Figure(figsize=(7.0, 4.0), layout="constrained")
    _trajectory(series, ax=figure.subplots())
    check_image(figure, "trajectory")


@pytest.fixture(scope="module")
def scored() -> pd.DataFrame:
    return am.score_frame(pd.read_csv(EXAMPLE), "wai-sr")


def test_spaghetti_draws_a_seeded_sample_and_the_mean(scored: pd.DataFrame) -> None:
    ax = plot_trajectories(
        scored, score="wai_sr_total", max_clients=10, seed=3, instrument="wai-sr"
    )
    thin = [line for line in ax.lines if line.get_label().startswith("_")]
    assert len(thin) == 10
    keys = pd.unique(scored["client_id"])
    chosen = keys[np.sort(np.random.default_rng(3).choice(len(keys), 10, replace=False))]
    for line, key in zip(thin, chosen, strict=True):
        rows = scored[scored["client_id"] == key].sort_values("session")
        assert _xy(line)[0] == [1, 2, 3, 4, 5, 6]
        np.testing.assert_allclose(_xy(line)[1], rows["wai_sr_total"], equal_nan=True)
    means = am.session_means(scored, score="wai_sr_total")
    x, y = _xy(_line(ax, "mean of the clients attending"))
    assert x == means["session"].tolist()
    np.testing.assert_allclose(y, means["mean"])
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    np.testing.assert_allclose(
        [band.min(), band.max()], [means["ci_lower"].min(), means["ci_upper"].max()]
    )
    assert ax.get_title(loc="left") == (
        "10 of 40 clients (random sample, seed 3), mean with 95 % CI"
    )


def test_spaghetti_is_deterministic_and_takes_given_means(scored: pd.DataFrame) -> None:
    def drawn(seed: int) -> list[list[float]]:
        ax = plot_trajectories(scored, score="wai_sr_total", max_clients=5, seed=seed)
        return [_xy(line)[1] for line in ax.lines[:5]]

    assert drawn(1) == drawn(1)
    assert drawn(1) != drawn(2)
    means = am.session_means(scored, score="wai_sr_total", ci=0.5)
    ax = plot_trajectories(scored, score="wai_sr_total", means=means)
    assert ax.get_title(loc="left") == "all 40 clients, mean with 50 % CI"
    assert len(ax.lines) == 41


def test_image_of_the_spaghetti_plot(scored: pd.DataFrame, check_image: ImageCheck) -> None:
    figure = Figure(figsize=(7.0, 3.6), layout="constrained")
    plot_trajectories(
        scored, score="wai_sr_total", instrument="wai-sr", max_clients=15, ax=figure.subplots()
    )
    check_image(figure, "trajectories")


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"client_key": "Z"}, "client_key"),
        ({"cutoff": "3"}, "cutoff"),
        ({"ax": "axes"}, "ax"),
        ({"ruptures": pd.DataFrame({"x": [1]})}, "ruptures"),
        ({"alerts": [1]}, "alerts"),
        ({"instrument": "wai-sr"}, "scale"),
        ({"instrument": "wai-sr", "scale": "nope"}, "scale"),
        ({"instrument": "wai-sr", "scale": "total", "aggregate": "avg"}, "aggregate"),
        ({"client": "absent"}, "client"),
        ({"score": "absent"}, "score"),
    ],
)
def test_bad_arguments_of_plot_trajectory(
    series: pd.DataFrame, kwargs: dict[str, object], parameter: str
) -> None:
    arguments: dict[str, object] = {"client_key": "A", "score": "wai", **kwargs}
    key = arguments.pop("client_key")
    with pytest.raises(am.InvalidParameterError) as caught:
        plot_trajectory(series, key, **arguments)  # type: ignore[arg-type]
    assert caught.value.parameter == parameter


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"max_clients": -1}, "max_clients"),
        ({"seed": 1.5}, "seed"),
        ({"means": [1]}, "means"),
        ({"ci": 2}, "ci"),
        ({"ax": 3}, "ax"),
    ],
)
def test_bad_arguments_of_plot_trajectories(
    series: pd.DataFrame, kwargs: dict[str, object], parameter: str
) -> None:
    with pytest.raises(am.InvalidParameterError) as caught:
        plot_trajectories(series, score="wai", **kwargs)  # type: ignore[arg-type]
    assert caught.value.parameter == parameter


def test_a_sum_metric_and_no_sample_lines(scored: pd.DataFrame) -> None:
    ax = plot_trajectories(
        scored, score="wai_sr_total", max_clients=0, instrument="wai-sr", aggregate="sum"
    )
    assert ax.get_ylabel() == "WAI-SR Total (sum, 12–60)"
    assert [line.get_label() for line in ax.lines] == ["mean of the clients attending"]
    assert ax.get_title(loc="left").startswith("0 of 40 clients")
