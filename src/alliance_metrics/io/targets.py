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

__all__ = [
    "PROCESS_STREAMS",
    "OutputFormat",
    "OutputTarget",
    "TargetKind",
    "protected_inputs",
    "resolve_output",
]

OutputFormat = Literal["csv", "parquet"]
TargetKind = Literal["file", "device", "stream"]
PROCESS_STREAMS = {
    "-": "stdout",
    "/dev/stdout": "stdout",
    "/dev/stderr": "stderr",
    "/dev/fd/1": "stdout",
    "/dev/fd/2": "stderr",
    "/proc/self/fd/1": "stdout",
    "/proc/self/fd/2": "stderr",
}
"""Spellings of the process's standard output and error as output paths."""


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

    def refuse(reason: str) -> InvalidParameterError:
        return InvalidParameterError(
            f"The {parameter!r} parameter of {func}: {reason}", parameter=parameter, function=func
        )

    if not isinstance(destination, str | os.PathLike):
        source = _stream_over_input(_descriptor_of(destination), inputs)
        if source is not None:
            raise refuse(f"refusing to write the {what} over {_input_name(source)}.")
        return OutputTarget("stream", None, destination, "<stream>")
    shown = os.fspath(destination)
    if shown in PROCESS_STREAMS:
        process = PROCESS_STREAMS[shown]
        source = _stream_over_input(1 if process == "stdout" else 2, inputs)
        if source is not None:  # e.g. `-o - 1<>input.csv` or `-o /dev/stdout >> input.csv`
            stream = "standard output" if process == "stdout" else "standard error"
            raise refuse(f"refusing to write the {what} to {stream}: it is {_input_name(source)}.")
        return OutputTarget("stream", None, None, f"<{process}>", process)
    path = Path(shown)

    for source in inputs:
        if _same_file(path, source) or path.resolve() == source.resolve():
            raise refuse(f"refusing to write the {what} over {_input_name(source)}.")
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


def _input_name(source: Path) -> str:
    """Name an input in a message: its path, or the file standard input is redirected from."""
    if source.parent == Path("/dev/fd"):
        stream = "standard input" if source.name == "0" else f"descriptor {source.name}"
        return f"the input (the file {stream} reads)"
    return f"the input '{source}'"


def _descriptor_of(stream: object) -> int | None:
    """Return the file descriptor behind a caller's stream, if it has one."""
    try:
        descriptor = stream.fileno()  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return None
    return descriptor if isinstance(descriptor, int) else None


def _stream_over_input(descriptor: int | None, inputs: Sequence[Path]) -> Path | None:
    """Return the input that an open descriptor writes into (same regular file), if any."""
    if descriptor is None or not inputs:
        return None
    try:
        opened = os.fstat(descriptor)
    except OSError:
        return None
    if not stat.S_ISREG(opened.st_mode):
        return None
    for source in inputs:
        try:
            known = os.stat(source)
        except OSError:
            continue
        if (known.st_dev, known.st_ino) == (opened.st_dev, opened.st_ino):
            return source
    return None


def protected_inputs(*candidates: object) -> tuple[Path, ...]:
    """Return the paths among ``candidates`` naming files a run reads (no output may replace).

    A stream reading a regular file (standard input redirected from one) counts as that file;
    anything else that is not a path (an id, a pipe, ``None``, ``"-"``) is left out.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> kept = pathlib.Path(tempfile.mkdtemp()) / "dictionary.csv"
    >>> _ = kept.write_text("x")
    >>> protected_inputs(kept, "wai-sr", None, "-") == (kept,)
    True
    """
    found: list[Path] = []
    for candidate in candidates:
        if isinstance(candidate, str | os.PathLike) and os.fspath(candidate) != "-":
            path = Path(os.fspath(candidate))
            if path.exists():
                found.append(path)
        elif candidate is not None and not isinstance(candidate, str | bytes):
            descriptor = _descriptor_of(candidate)  # a stream over a file: `< input.csv`
            if descriptor is not None and _is_regular(descriptor):
                found.append(Path(f"/dev/fd/{descriptor}"))
    return tuple(found)


def _is_regular(descriptor: int) -> bool:
    try:
        return stat.S_ISREG(os.fstat(descriptor).st_mode)
    except OSError:
        return False


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
