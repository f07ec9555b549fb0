"""The example's report in a real browser: it draws, and its page asks the network for nothing.

Marked ``browser``; ``.ci/run`` installs Chromium, and under CI a missing browser fails the test
rather than skipping it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread

import alliance_metrics as am
from browser import render

pytestmark = pytest.mark.browser

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "data" / "wai_sr_example.csv"


def test_the_example_report_renders_offline(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    am.build_report(EXAMPLE, "wai-sr", client="client_id", session="session", output=page)
    shown = render(page, tmp_path)
    assert shown.page_requests == []
    pixels = imread(shown.screenshot)[..., :3]
    assert pixels.shape[:2] == (2400, 1280)
    assert float(pixels.std()) > 0.05  # not a blank page
    assert float((pixels.mean(axis=2) < 0.5).mean()) > 0.005  # dark text
    blue = np.abs(pixels - np.array([0x00, 0x72, 0xB2]) / 255).max(axis=2) < 0.04
    assert int(blue.sum()) > 500  # the figures' Okabe–Ito blue: the inline SVG was drawn


def test_the_check_sees_a_page_that_fetches(tmp_path: Path) -> None:
    page = tmp_path / "leaky.html"
    page.write_text(
        '<html><body><p>x</p><img src="http://example.invalid/x.png">'
        '<link rel="stylesheet" href="https://cdn.example.invalid/a.css"></body></html>',
        encoding="utf-8",
    )
    shown = render(page, tmp_path, width=400, height=300)
    assert sorted(shown.page_requests) == [
        "http://example.invalid/x.png",
        "https://cdn.example.invalid/a.css",
    ]
