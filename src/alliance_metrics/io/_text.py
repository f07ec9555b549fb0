"""Small helpers of the readers that need neither pandas nor pyarrow."""

from __future__ import annotations

import os

__all__ = ["PathArg", "display_name"]

PathArg = str | os.PathLike[str]


def display_name(path: PathArg) -> str:
    """Return the file name used in messages (the base name, never a directory).

    Examples
    --------
    >>> display_name("exports/2024/wai.csv")
    'wai.csv'
    """
    return os.path.basename(os.fspath(path)) or os.fspath(path)
