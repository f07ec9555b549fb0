"""Text from the data or a definition is drawn as written, never read as mathtext.

matplotlib reads text between two ``$`` as mathematics: a client key ``$\\q$`` failed to draw
(a ParseFatalException when the figure was drawn), ``Cost $5 or $6`` was drawn "Cost 56". Every
plot escapes such text (``_style.literal``); these tests draw each plot with such text in every
place it can reach (title, axis label, legend entry, tick label) and look for it in the SVG.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import matplotlib
import pandas as pd
import pytest
from matplotlib.figure import Figure

import alliance_metrics as am
from alliance_metrics import plot
from alliance_metrics.plot._style import literal

ROOT = Path(__file__).resolve().parents[2]
CHECKIN = ROOT / "examples" / "data" / "my-checkin.json"
MATH = "$\\q$"
COST = "Cost $5 or $6"
KEYS = [MATH, COST, "$", "$$", "a\\$b", "\\", "x $1$ y"]


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # text stays text
        figure.savefig(buffer, format="svg")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def odd(tmp_path_factory: pytest.TempPathFactory) -> am.Instrument:
    """A user's definition whose names and labels hold dollar signs."""
    definition = json.loads(CHECKIN.read_text(encoding="utf-8"))
    definition.update(id="zz-dollars", short_name=f"Check {MATH}")
    definition["scales"][0]["name"] = f"Total {MATH}"
    definition["response_scale"]["anchors"][0]["label"] = COST
    path = tmp_path_factory.mktemp("definitions") / "dollars.json"
    path.write_text(json.dumps(definition), encoding="utf-8")
    return am.load_instrument(path)


@pytest.fixture(scope="module")
def scored(odd: am.Instrument) -> pd.DataFrame:
    keys = [key for key in KEYS for _ in range(4)]
    sessions = [1, 2, 3, 4] * len(KEYS)
    answers = [[5, 5, 1], [4, 4, 2], [1, 2, 5], [3, 3, 3]] * len(KEYS)
    raw = pd.DataFrame(answers, columns=["item1", "item2", "item3"])
    raw.insert(0, "session", sessions)
    raw.insert(0, "client_id", keys)
    return am.score_frame(raw, odd)


def _drawn(drawn: object) -> str:
    figure = drawn if isinstance(drawn, Figure) else drawn.figure  # type: ignore[attr-defined]
    return _svg(figure)


def test_literal_escapes_every_dollar_and_matplotlib_draws_the_text_as_written() -> None:
    from matplotlib.text import Text

    for text in KEYS:
        escaped = literal(text)
        assert escaped.count("$") == escaped.count("\\$")  # no unescaped dollar is left
        assert Text(text=escaped)._preprocess_math(escaped) == (text, False)


@pytest.mark.parametrize("key", KEYS)
def test_a_client_key_is_the_title_as_written(scored: pd.DataFrame, key: str) -> None:
    ax = plot.plot_trajectory(scored, key, score="zz_dollars_total", ax=Figure().subplots())
    assert f">client {key}</text>" in _drawn(ax)


def test_every_plot_draws_names_and_labels_as_written(
    scored: pd.DataFrame, odd: am.Instrument
) -> None:
    scale = f"Check {MATH} Total {MATH} (mean, 1–5)"
    report = am.reliability_report(scored, odd).assign(scale=[COST])
    agreement = scored.assign(other=scored["zz_dollars_total"].to_numpy()[::-1])
    drawings: list[tuple[Callable[[], object], list[str]]] = [
        (
            lambda: plot.plot_trajectory(scored, MATH, score="zz_dollars_total", instrument=odd),
            [f"client {MATH}", scale],
        ),
        (
            lambda: plot.plot_trajectories(scored, score="zz_dollars_total", instrument=odd),
            [scale],
        ),
        (
            lambda: plot.plot_item_distributions(scored, odd),
            [f"1 {COST}", f"Check {MATH}: answers per item"],
        ),
        (lambda: plot.plot_scale_distributions(scored, odd), [scale]),
        (lambda: plot.plot_reliability(report), [f"{COST} (3 items)"]),
        (
            lambda: plot.plot_agreement(
                agreement,
                client_score="zz_dollars_total",
                therapist_score="other",
                instrument=odd,
            ),
            [f"mean of the two: {scale}"],
        ),
    ]
    for draw, texts in drawings:
        svg = _drawn(draw())
        for text in texts:
            assert f">{text}" in svg, text  # the start of a text element


def test_a_column_name_labels_the_axis_as_written(scored: pd.DataFrame) -> None:
    renamed = scored.rename(columns={"zz_dollars_total": COST})
    ax = plot.plot_trajectory(renamed, "\\", score=COST, ax=Figure().subplots())
    assert f">{COST}</text>" in _drawn(ax)
    ax = plot.plot_trajectories(renamed, score=COST, ax=Figure().subplots())
    assert f">{COST}</text>" in _drawn(ax)
