"""Shared fixtures: isolate module-level state so that tests never depend on their order.

Hypothesis explores new random examples on developers' machines; under CI (``CI`` set) it runs
derandomised, so a landing is judged on a reproducible set of examples.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings

from alliance_metrics.instruments import registry
from alliance_metrics.scoring import kernel

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _isolate_module_state() -> Iterator[None]:
    """Reset the once-per-session provisional warnings and the user registry around each test."""
    kernel._warned.clear()
    saved_user = dict(registry._user)
    try:
        yield
    finally:
        kernel._warned.clear()
        registry._user.clear()
        registry._user.update(saved_user)
