"""Folders of output parts (a distributed run's partitioned output), published all at once.

A run writes its parts into a temporary folder beside the destination and renames it into place
only when every part succeeded, so a failed run leaves the old output (or nothing) at the
destination and never a folder with some parts missing. A destination that exists must be a
folder this library wrote (it holds :data:`MARKER`) or an empty folder; anything else — a file, a
device, a FIFO, a folder of other files — is refused before anything is read.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import stat
from collections.abc import Sequence
from pathlib import Path

from alliance_metrics.errors import InvalidParameterError
from alliance_metrics.io.targets import PROCESS_STREAMS

__all__ = [
    "MARKER",
    "discard_folder",
    "foreign_entries",
    "new_partial_folder",
    "publish_folder",
    "resolve_folder",
]

MARKER = "_alliance_metrics.json"
"""File in every published output folder: what wrote it (no respondent data)."""


def _written_here(folder: Path) -> set[str]:
    """Names in ``folder`` that this library wrote: its manifest and the parts it lists."""
    try:
        manifest = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        parts = {entry["part"] for entry in manifest["parts"]}
    except (OSError, ValueError, KeyError, TypeError):  # no manifest, or not one of ours
        return set()
    return {MARKER, *(part for part in parts if isinstance(part, str) and "/" not in part)}


def foreign_entries(folder: Path) -> int:
    """How many entries of an existing ``folder`` this library did not write.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "notes.txt").write_text("mine")
    >>> foreign_entries(folder)
    1
    """
    names = {entry.name for entry in folder.iterdir()}
    return len(names - _written_here(folder)) if names else 0


def _foreign_message(shown: str, count: int) -> str:
    files = "1 file" if count == 1 else f"{count} files"
    return (
        f"the folder '{shown}' holds {files} this library did not write; give a new or empty "
        "folder, or remove what is not this library's first (an output folder is replaced whole)."
    )


def resolve_folder(
    destination: str | os.PathLike[str],
    *,
    inputs: Sequence[Path] = (),
    parameter: str = "destination",
    func: str = "score_files",
) -> Path:
    """Check that ``destination`` can receive an output folder; return its absolute path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> resolve_folder(folder / "scored") == (folder / "scored").resolve()
    True
    """

    def refuse(reason: str) -> InvalidParameterError:
        return InvalidParameterError(
            f"The {parameter!r} parameter of {func}: {reason}", parameter=parameter, function=func
        )

    shown = os.fspath(destination)
    if shown in PROCESS_STREAMS:
        raise refuse(
            f"a folder of parts cannot go to standard output or error ('{shown}'); give a "
            "folder path."
        )
    path = Path(shown).absolute()
    try:
        mode: int | None = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as error:
        raise refuse(f"cannot use '{shown}' for the output folder ({error.strerror}).") from None
    if mode is not None and not stat.S_ISDIR(mode):
        kind = "file" if stat.S_ISREG(mode) else "device, FIFO or socket"
        raise refuse(
            f"the output of this run is a folder of parts, and '{shown}' is a {kind}; "
            "give a folder path."
        )
    final = Path(os.path.realpath(path))
    foreign = foreign_entries(final) if mode is not None else 0
    if foreign:
        raise refuse(_foreign_message(shown, foreign))
    for source in inputs:
        if final in source.resolve().parents:
            raise refuse(f"refusing to write the output folder over the input '{source}'.")
    if not final.parent.is_dir():
        raise refuse(f"the folder holding '{shown}' does not exist.")
    return final


def new_partial_folder(final: Path) -> Path:
    """Create an empty temporary folder beside ``final`` (hidden, named for the run)."""
    while True:
        candidate = final.parent / f".{final.name}.alliance-metrics-{secrets.token_hex(6)}.partial"
        try:
            candidate.mkdir()
        except FileExistsError:  # pragma: no cover - 48 random bits collided
            continue
        return candidate


def publish_folder(temp: Path, final: Path, func: str = "score_files") -> None:
    """Put the completed folder ``temp`` in place of ``final`` (an earlier output is replaced).

    The earlier output is checked again first: a file put there during the run is never deleted.
    """
    if not final.exists():
        os.replace(temp, final)
        return
    foreign = foreign_entries(final)
    if foreign:
        raise InvalidParameterError(
            f"The 'destination' parameter of {func}: {_foreign_message(str(final), foreign)}",
            parameter="destination",
            function=func,
        )
    old = final.parent / f".{final.name}.alliance-metrics-{secrets.token_hex(6)}.old"
    os.replace(final, old)
    try:
        os.replace(temp, final)
    except BaseException:
        os.replace(old, final)
        raise
    shutil.rmtree(old, ignore_errors=True)


def discard_folder(temp: Path) -> None:
    """Remove a temporary folder and everything in it."""
    with contextlib.suppress(FileNotFoundError):
        shutil.rmtree(temp)
