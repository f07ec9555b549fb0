"""The installed version of the library, read from the package metadata (never hard-coded)."""

from __future__ import annotations

import functools
from importlib.metadata import PackageNotFoundError, version

__all__ = ["library_version"]


@functools.cache
def library_version() -> str:
    """Return the installed version of alliance_metrics.

    Examples
    --------
    >>> library_version().count(".") >= 1
    True
    """
    try:
        return version("alliance-metrics")
    except PackageNotFoundError:  # pragma: no cover - only when run from an uninstalled tree
        return "0+unknown"
