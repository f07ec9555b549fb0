"""Dask and distributed, imported on first use with a clear message when the extra is absent."""

from __future__ import annotations

from types import ModuleType

from alliance_metrics._optional import import_optional

__all__ = ["dask_dataframe", "dask_delayed", "distributed"]

_PURPOSE = "running on Dask"


def dask_dataframe() -> ModuleType:
    """Return ``dask.dataframe``."""
    return import_optional("dask.dataframe", "dask", _PURPOSE)


def dask_delayed() -> ModuleType:
    """Return ``dask`` (for ``dask.delayed`` and ``dask.compute``)."""
    import_optional("dask.dataframe", "dask", _PURPOSE)
    return import_optional("dask", "dask", _PURPOSE)


def distributed() -> ModuleType:
    """Return ``distributed`` (clusters and clients)."""
    return import_optional("distributed", "dask", _PURPOSE)
