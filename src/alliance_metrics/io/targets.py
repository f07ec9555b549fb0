"""Where an output goes: a regular file, a device written through, or a process stream.

:func:`resolve_output` decides the kind of a destination and checks, before anything is read or
written, that writing it is safe (see :mod:`alliance_metrics.io.sink` for how each kind is
written).
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

from alliance_metrics.errors import InvalidParameterError

__all__ = ["OutputFormat", "OutputTarget", "TargetKind", "resolve_output"]

OutputFormat = Literal["csv", "parquet"]
TargetKind = Literal["file", "device", "stream"]
_PROCESS_STREAMS = {
    "-": "stdout",
    "/dev/stdout": "stdout",
    "/dev/stderr": "stderr",
    "/dev/fd/1": "stdout",
    "/dev/fd/2": "stderr",
    "/proc/self/fd/1": "stdout",
    "/proc/self/fd/2": "stderr",
}


@dataclass(frozen=True)
class OutputTarget:
    """Where one output goes, resolved and checked before anything is read or written.

    Attributes
    ----------
    kind
        ``"file"`` (atomic replace), ``"device"`` (written through) or ``"stream"`` (spooled).
    path
        The file or device path (for a file: the final path, symlinks followed).
    stream
        The caller's binary stream for ``"stream"`` targets (``None`` for a process stream).
    process
        ``"stdout"`` or ``"stderr"`` for a process stream (looked up when written).
    shown
        How messages and summaries name the target (the path as the caller gave it).
    """

    kind: TargetKind
    path: Path | None
    stream: IO[bytes] | None
    shown: str
    process: str | None = None

    def handle(self) -> IO[bytes] | None:
        """Return the binary stream a ``"stream"`` target writes to."""
        if self.process is not None:
            return sys.stdout.buffer if self.process == "stdout" else sys.stderr.buffer
        return self.stream


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:  # pragma: no cover - unreadable metadata
        return False


def resolve_output(
    destination: str | os.PathLike[str] | IO[bytes],
    *,
    inputs: Sequence[Path] = (),
    what: str = "output",
    parameter: str = "destination",
    func: str = "score_csv",
    output_format: OutputFormat = "csv",
) -> OutputTarget:
    """Resolve an output destination and check that writing it is safe.

    Parameters
    ----------
    destination
        A path, ``"-"`` for standard output, or a binary stream.
    inputs
        Paths the run reads: the output may not be any of them (same path or same inode).
    what, parameter, func
        How messages name the output, the parameter that gave it and the public function.
    output_format
        ``"csv"`` or ``"parquet"`` (Parquet refuses non-seekable devices).

    Raises
    ------
    InvalidParameterError
        When the target is an input, a folder, inside a missing folder, or a non-seekable
        device for Parquet.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> resolve_output(folder / "out.csv").kind, resolve_output("/dev/null").kind
    ('file', 'device')
    >>> resolve_output("-").kind
    'stream'
    """
    if not isinstance(destination, str | os.PathLike):
        return OutputTarget("stream", None, destination, "<stream>")
    shown = os.fspath(destination)
    if shown in _PROCESS_STREAMS:
        process = _PROCESS_STREAMS[shown]
        return OutputTarget("stream", None, None, f"<{process}>", process)
    path = Path(shown)

    def refuse(reason: str) -> InvalidParameterError:
        return InvalidParameterError(
            f"The {parameter!r} parameter of {func}: {reason}", parameter=parameter, function=func
        )

    for source in inputs:
        if _same_file(path, source) or path.resolve() == source.resolve():
            raise refuse(f"refusing to write the {what} over the input '{source}'.")
    try:
        mode: int | None = os.stat(path).st_mode  # follows symlinks
    except FileNotFoundError:
        mode = None
    except OSError as error:
        raise refuse(f"cannot use '{shown}' for the {what} ({error.strerror}).") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise refuse(f"the {what} path '{shown}' is a folder; give a file name.")
    if mode is not None and not stat.S_ISREG(mode):
        if output_format == "parquet" and not _seekable(path):
            raise refuse(
                f"Parquet output needs a regular file or a seekable device; '{shown}' is neither "
                "(write CSV to it, or Parquet to a file)."
            )
        return OutputTarget("device", path, None, shown)
    final = Path(os.path.realpath(path))
    if not final.parent.is_dir():
        raise refuse(f"the folder of the {what} path '{shown}' does not exist.")
    return OutputTarget("file", final, None, shown)


def _seekable(path: Path) -> bool:
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:
        return False  # a FIFO without reader, a socket: not seekable either way
    try:
        os.lseek(descriptor, 0, os.SEEK_CUR)
    except OSError:
        return False
    finally:
        os.close(descriptor)
    return True
