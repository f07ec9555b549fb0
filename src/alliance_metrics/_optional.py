"""Optional extras: import them only when used, and say which extra to install when absent."""

from __future__ import annotations

import importlib
from types import ModuleType

from alliance_metrics.errors import MissingDependencyError

__all__ = ["import_optional"]


def import_optional(module: str, extra: str, purpose: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingDependencyError` naming the extra to install.

    Parameters
    ----------
    module
        Importable name, e.g. ``"pyreadstat"`` or ``"matplotlib.pyplot"``.
    extra
        The alliance-metrics extra that provides it, e.g. ``"spss"``.
    purpose
        What needs it, for the message (``"reading SPSS files"``).

    Examples
    --------
    >>> import_optional("json", "none", "testing").__name__
    'json'
    >>> import_optional("no_such_module_xyz", "plot", "drawing")
    Traceback (most recent call last):
    ...
    alliance_metrics.errors.MissingDependencyError: drawing needs the optional dependency \
'no_such_module_xyz': pip install "alliance-metrics[plot]"
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        top = module.split(".")[0]
        raise MissingDependencyError(
            f"{purpose} needs the optional dependency {top!r}: "
            f'pip install "alliance-metrics[{extra}]"'
        ) from None
