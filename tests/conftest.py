"""Shared fixtures: isolate module-level state so that tests never depend on their order."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from alliance_metrics import scoring
from alliance_metrics.instruments import registry


@pytest.fixture(autouse=True)
def _isolate_module_state() -> Iterator[None]:
    """Reset the once-per-session provisional warnings and the user registry around each test."""
    scoring._warned.clear()
    saved_user = dict(registry._user)
    try:
        yield
    finally:
        scoring._warned.clear()
        registry._user.clear()
        registry._user.update(saved_user)
