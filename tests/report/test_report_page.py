"""The HTML report: self-contained and safe, the sections of issue 11, identifiers, determinism."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from page_check import inspect_page

import alliance_metrics as am
from alliance_metrics.report import series as report_series

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "data" / "wai_sr_example.csv"
CLIENT_IDS = [f"C{n:04d}" for n in range(1, 41)]


@pytest.fixture(scope="module")
def page() -> str:
    return am.build_report(
        EXAMPLE,
        "wai-sr",
        client="client_id",
        session="session",
        cutoff=3.0,
        drop_points=0.5,
        max_trajectories=3,
    )


@pytest.fixture(scope="module")
def anonymous() -> str:
    return am.build_report(
        EXAMPLE, "wai-sr", client="client_id", session="session", ids=False, max_trajectories=2
    )


def test_the_page_fetches_and_runs_nothing(page: str) -> None:
    problems, ids, tags = inspect_page(page)
    assert problems == []
    assert "svg" in tags
    assert "script" not in page.lower()
    assert not re.search(r"(?i)https?:|file:|data:", page)
    repeated = [i for i, n in Counter(ids).items() if n > 1]
    assert repeated == []  # figures never share an id
    assert "Content-Security-Policy" in page
    assert "default-src 'none'" in page


@pytest.mark.parametrize(
    "bad",
    [
        '<img src="http://example.org/x.png">',
        '<a href="https://example.org">x</a>',
        '<div style="background: url(//example.org/x.png)"></div>',
        "<style>@import 'x.css';</style>",
        '<svg><use href="file:///etc/passwd#x"/></svg>',
        '<p onclick="x()">x</p>',
        "<script>1</script>",
        '<object data="data:text/html,1"></object>',
    ],
)
def test_the_check_finds_what_it_looks_for(bad: str) -> None:
    problems, _, _ = inspect_page(f"<html><body>{bad}</body></html>")
    assert problems


def test_sections_of_the_issue(page: str) -> None:
    for anchor in ("run", "scales", "reliability", "items", "series"):
        assert f'<section id="{anchor}"' in page
    for heading in (
        "The run",
        "Scale distributions",
        "Reliability",
        "Item distributions",
        "Session series",
        "Alerts (",
        "Ruptures and alerts per client",
        "Trajectories of the flagged clients",
    ):
        assert heading in page
    assert page.count("<svg") >= 5
    assert page.count('role="img"') == page.count("<svg")


def test_the_run_says_what_produced_the_numbers(page: str) -> None:
    inst = am.get_instrument("wai-sr")
    assert inst.name in page
    assert f"<dd>{inst.version}</dd>" in page
    assert f"alliance-metrics {am.__version__}" in page
    assert "wai_sr_example.csv (csv)" in page
    assert str(EXAMPLE.parent) not in page  # the file's name, never its folder
    counts = am.score_frame(pd.read_csv(EXAMPLE), "wai-sr")["wai_sr_status"].value_counts()
    for status in ("ok", "prorated", "insufficient"):
        assert f'<tr><td>{status}</td><td class="num">{counts.get(status, 0)}</td>' in page


def test_only_the_client_ids_asked_for_appear(page: str) -> None:
    assert "T07" not in page  # another identifier column, not asked for
    assert "therapist_id" not in page
    shown = [key for key in CLIENT_IDS if key in page]
    flagged = am.detect_ruptures(
        am.score_frame(pd.read_csv(EXAMPLE), "wai-sr"), score="wai_sr_total"
    )["client_id"]
    assert set(flagged) <= set(shown)


def test_no_ids_replaces_every_client_id(anonymous: str) -> None:
    for key in CLIENT_IDS:
        assert key not in anonymous
    assert (
        "Trajectory of client 1" in anonymous
        or "client 1<" in anonymous
        or "<td>1</td>" in (anonymous)
    )
    problems, _, _ = inspect_page(anonymous)
    assert problems == []


def test_without_client_and_session_there_is_no_series_and_no_id() -> None:
    page = am.build_report(EXAMPLE, "wai-sr")
    assert '<section id="series"' not in page
    assert not any(key in page for key in CLIENT_IDS)


def test_the_page_is_the_same_every_time(page: str) -> None:
    again = am.build_report(
        EXAMPLE,
        "wai-sr",
        client="client_id",
        session="session",
        cutoff=3.0,
        drop_points=0.5,
        max_trajectories=3,
    )
    assert again == page


def test_text_from_the_data_is_escaped() -> None:
    frame = pd.read_csv(EXAMPLE)
    frame["client_id"] = frame["client_id"].replace("C0012", "<script>alert('x')</script>")
    page = am.build_report(
        frame, "wai-sr", client="client_id", session="session", max_trajectories=1
    )
    assert "<script" not in page
    assert "&lt;script&gt;" in page
    assert inspect_page(page)[0] == []


def test_global_style_is_left_alone() -> None:
    before = dict(matplotlib.rcParams)
    am.build_report(EXAMPLE, "wai-b3", columns="wai_{n}")  # any instrument: the first 3 items
    assert dict(matplotlib.rcParams) == before


def _srs_sessions() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n_clients, n_sessions = 12, 5
    marks = np.round(rng.uniform(6.5, 10.0, size=(n_clients * n_sessions, 4)), 1)
    marks[::7, 0] = 1.0  # some low sessions
    frame = pd.DataFrame(marks, columns=[f"srs_{n}" for n in range(1, 5)])
    frame.insert(0, "session", np.tile(np.arange(1, n_sessions + 1), n_clients))
    frame.insert(0, "person", np.repeat([f"P{i}" for i in range(n_clients)], n_sessions))
    return frame


def test_a_visual_analogue_instrument_uses_its_published_cutoff() -> None:
    page = am.build_report(
        _srs_sessions(),
        "srs",
        columns="srs_{n}",
        client="person",
        session="visit" if False else "session",
    )
    assert "below 36 (published cut-off &#x27;alliance_concern&#x27;)" in page
    assert "SRS Total (sum, 0–40)" in page
    assert inspect_page(page)[0] == []


def test_caps_keep_the_page_small(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report_series, "MAX_ALERT_ROWS", 3)
    page = am.build_report(
        EXAMPLE,
        "wai-sr",
        client="client_id",
        session="session",
        drop_points=0.3,
        max_trajectories=2,
    )
    assert "First 3 of" in page
    assert page.count("Trajectory of client") == 2
    assert "more flagged clients are not drawn" in page


def test_a_stream_and_a_frame_give_the_same_numbers() -> None:
    with open(EXAMPLE, "rb") as handle:
        from_stream = am.build_report(handle, "wai-sr")
    from_frame = am.build_report(pd.read_csv(EXAMPLE), "wai-sr")
    assert "a stream (csv)" in from_stream
    assert "a pandas DataFrame" in from_frame
    tables = re.compile(r"<table>.*?</table>", re.S)
    assert tables.findall(from_stream) == tables.findall(from_frame)


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"client": "client_id"}, "session"),
        ({"session": "session"}, "client"),
        ({"client": "absent", "session": "session"}, "client"),
        ({"client": "client_id", "session": "absent"}, "session"),
        ({"scale": "nope"}, "scale"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], parameter: str) -> None:
    with pytest.raises(am.InvalidParameterError) as caught:
        am.build_report(EXAMPLE, "wai-sr", **kwargs)  # type: ignore[arg-type]
    assert (caught.value.function, caught.value.parameter) == ("build_report", parameter)


def test_a_quiet_series_and_an_instrument_without_a_total() -> None:
    from helpers import definition

    scales = [
        {"id": "a", "name": "A", "kind": "subscale", "items": ["item1", "item2"]},
        {"id": "b", "name": "B", "kind": "subscale", "items": ["item3", "item4"]},
    ]
    inst = am.Instrument.model_validate(definition(scales=scales))
    frame = pd.DataFrame(
        {
            "c": np.repeat(["x", "y"], 5),
            "s": np.tile(np.arange(1, 6), 2),
            **{f"item{n}": [3, 3, 3, 3, 3, 4, 4, 4, 4, 4] for n in range(1, 5)},
        }
    )
    page = am.build_report(frame, inst, columns="item{n}", client="c", session="s")
    assert "<dd>a</dd>" in page  # the series of the first scale, without a total
    assert "No client has a rupture or an alert." in page
    assert "No session alerts." in page


def _answers(inst: am.Instrument, n_clients: int = 4, n_sessions: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(11)
    scale = inst.response_scale
    shape = (n_clients * n_sessions, inst.n_items)
    if scale.step is None:
        values = np.round(rng.uniform(scale.min, scale.max, size=shape), 1)
    else:
        steps = round((scale.max - scale.min) / scale.step)
        values = scale.min + scale.step * rng.integers(0, steps + 1, size=shape)
    frame = pd.DataFrame(values, columns=[f"q{n}" for n in range(1, inst.n_items + 1)])
    frame.insert(0, "visit", np.tile(np.arange(1, n_sessions + 1), n_clients))
    frame.insert(0, "who", np.repeat([f"K{i}" for i in range(n_clients)], n_sessions))
    return frame


@pytest.mark.parametrize("instrument_id", am.list_instruments())
def test_every_instrument_gets_a_clean_page(instrument_id: str) -> None:
    inst = am.get_instrument(instrument_id)
    frame = _answers(inst)
    options = {"columns": "q{n}", "client": "who", "session": "visit", "max_trajectories": 1}
    if inst.status.level == "provisional":
        with pytest.warns(am.AllianceMetricsWarning, match="provisional"):
            page = am.build_report(frame, inst, **options)  # type: ignore[arg-type]
    else:
        page = am.build_report(frame, inst, **options)  # type: ignore[arg-type]
    problems, ids, _ = inspect_page(page)
    assert problems == []
    assert len(ids) == len(set(ids))
    for anchor in ("run", "scales", "reliability", "items", "series"):
        assert f'<section id="{anchor}"' in page
    assert f"{inst.short_name} Total" in page


@pytest.mark.parametrize("rows", [[], [["A", 1, None, None, None], ["B", 1, None, None, None]]])
def test_empty_and_unanswered_data_give_a_page(rows: list[list[object]]) -> None:
    frame = pd.DataFrame(rows, columns=["client_id", "session", "wai_1", "wai_2", "wai_3"])
    page = am.build_report(frame, "wai-b3", client="client_id", session="session")
    assert inspect_page(page)[0] == []
    assert "No client has a rupture or an alert." in page
