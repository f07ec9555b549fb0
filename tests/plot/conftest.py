"""Plot tests: default style, figures closed after each test, and image comparison.

``check_image(figure, name)`` renders a figure to PNG and compares it with
``tests/plot/baseline/<name>.png`` (``matplotlib.testing.compare.compare_images``, RMS
tolerance :data:`TOLERANCE` on 0–255). Regenerate the baselines after a deliberate change of a
picture with ``AM_MAKE_BASELINES=1 pytest tests/plot`` and look at every image before committing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

matplotlib = pytest.importorskip("matplotlib")

from image_check import ImageCheck  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.testing.compare import compare_images  # noqa: E402

BASELINE = Path(__file__).resolve().parent / "baseline"
TOLERANCE = 3.0
DPI = 72


@pytest.fixture(autouse=True)
def _default_style_and_no_open_figures() -> Iterator[None]:
    import matplotlib.pyplot as plt
    import matplotlib.style

    with matplotlib.style.context("default"):
        yield
    plt.close("all")


@pytest.fixture
def check_image(tmp_path: Path) -> ImageCheck:
    def check(figure: Figure, name: str) -> None:
        actual = tmp_path / f"{name}.png"
        figure.savefig(actual, dpi=DPI, metadata={"Software": None})
        expected = BASELINE / f"{name}.png"
        if os.environ.get("AM_MAKE_BASELINES"):
            expected.write_bytes(actual.read_bytes())
        assert expected.exists(), f"no baseline {expected.name}: run AM_MAKE_BASELINES=1 pytest"
        difference = compare_images(str(expected), str(actual), tol=TOLERANCE)
        assert difference is None, difference

    return check
