"""The type of the ``check_image`` fixture (tests/plot/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

from matplotlib.figure import Figure

ImageCheck = Callable[[Figure, str], None]
"""``check_image(figure, name)``: compare ``figure`` with ``baseline/<name>.png``."""
