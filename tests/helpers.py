"""Plain helpers shared by the tests (hypothesis strategies live in ``strategies.py``)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import alliance_metrics as am

PROVISIONAL = ("haq-ii", "sai", "tasc", "wai-c", "wai-o-s", "wai-t")


@contextmanager
def quiet() -> Iterator[None]:
    """Silence the provisional-key warning (for tests about something else)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", am.AllianceMetricsWarning)
        yield


def definition(**overrides: Any) -> dict[str, Any]:
    """A minimal valid instrument definition (4 items, 1–5, two subscales and a total)."""
    base: dict[str, Any] = {
        "id": "test-inst",
        "name": "Test instrument",
        "short_name": "TI",
        "version": "1.0.0",
        "rater": "client",
        "citations": [{"text": "Nobody (2024). A test."}],
        "response_scale": {
            "min": 1,
            "max": 5,
            "step": 1,
            "anchors": [{"value": 1, "label": "Never"}, {"value": 5, "label": "Always"}],
        },
        "items": [{"id": f"item{n}", "number": n} for n in range(1, 5)],
        "scales": [
            {"id": "a", "name": "A", "kind": "subscale", "items": ["item1", "item2"]},
            {"id": "b", "name": "B", "kind": "subscale", "items": ["item3", "item4"]},
            {
                "id": "total",
                "name": "Total",
                "kind": "total",
                "items": [f"item{n}" for n in range(1, 5)],
            },
        ],
        "status": {"level": "verified"},
        "licence": "CC0",
    }
    base.update(overrides)
    return base
