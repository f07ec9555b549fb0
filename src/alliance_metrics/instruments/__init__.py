"""Built-in instrument definitions (JSON data files) and the registry that serves them."""

from alliance_metrics.instruments.registry import (
    get_instrument,
    list_instruments,
    load_instrument,
    register,
    resolve_instrument,
)

__all__ = [
    "get_instrument",
    "list_instruments",
    "load_instrument",
    "register",
    "resolve_instrument",
]
