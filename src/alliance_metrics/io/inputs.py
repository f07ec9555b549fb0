"""Open an input once — a path, a device, a FIFO or a binary stream — and look at its start.

A pipe or FIFO can be read only once, so everything that needs the start of the input (source
detection, sniffing, the header) reads :attr:`InputSource.sample`, and readers continue from
there with :meth:`InputSource.stream`. Only regular files are reopened (natively, by Arrow).
gzip-compressed input is recognised by its magic bytes and decompressed as it is read.
"""

from __future__ import annotations

import gzip
import io
import os
import stat
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

from alliance_metrics.errors import InputFormatError
from alliance_metrics.io.sniff import whole_records

__all__ = ["SNIFF_BYTES", "InputSource", "PrefixedStream", "open_input", "refuse_binary"]

SNIFF_BYTES: Final = 64 * 1024
MAX_HEADER_BYTES: Final = 64 * 1024 * 1024
"""A header record may be this long (200,000 columns fit); beyond it the input is not CSV."""
_GZIP_MAGIC = b"\x1f\x8b"


class PrefixedStream(io.RawIOBase):
    """A read-only stream that serves ``prefix`` and then the rest of ``stream``.

    ``translate_cr`` turns every carriage return into a line feed (files with CR-only line
    endings, as old Mac spreadsheets write them).
    """

    def __init__(self, prefix: bytes, stream: IO[bytes], *, translate_cr: bool = False) -> None:
        self._prefix = memoryview(prefix)
        self._stream = stream
        self._translate = translate_cr
        self.consumed = 0

    def readable(self) -> bool:
        """Say that the stream can be read (it always can)."""
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        """Fill ``buffer`` from the prefix, then from the stream; return the bytes given."""
        view = memoryview(buffer).cast("B")
        if len(self._prefix):
            n = min(len(view), len(self._prefix))
            view[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        data = self._stream.read(len(view))
        if self._translate:
            data = data.replace(b"\r", b"\n")
        n = len(data)
        view[:n] = data
        self.consumed += n
        return n


@dataclass
class InputSource:
    """An opened input and the decompressed bytes of its start.

    Attributes
    ----------
    name
        How messages name it: the path as given, or ``<stdin>``.
    path
        The path when the input is a regular file (it may then be reopened); else ``None``.
    sample
        The first bytes of the data (decompressed), holding at least the first whole record
        when the input has one.
    compressed
        Whether the input is gzip-compressed.
    size
        Size in bytes of a regular file (compressed size for ``.gz``), else ``None``.
    translate_cr
        The input ends its lines with CR only; they are read as LF.
    """

    name: str
    path: Path | None
    sample: bytes
    compressed: bool
    size: int | None
    translate_cr: bool
    _raw: IO[bytes]
    _data: IO[bytes]
    _owned: bool = True

    def stream(self) -> PrefixedStream:
        """Return the data from its first byte: the sample, then the rest (read once)."""
        return PrefixedStream(self.sample, self._data, translate_cr=self.translate_cr)

    def read_all(self) -> bytes:
        """Every byte of the data (for readers that parse a file whole)."""
        try:
            rest = self._data.read()
        except (OSError, EOFError, zlib.error, gzip.BadGzipFile):
            raise InputFormatError(
                f"{self.name}: the compressed input is truncated or corrupt."
            ) from None
        data = self.sample + rest
        return data.replace(b"\r", b"\n") if self.translate_cr else data

    def raw_position(self) -> int:
        """Bytes read so far from the file itself (the compressed size for ``.gz``)."""
        try:
            return int(self._raw.tell())
        except (OSError, ValueError):
            return 0

    def close(self) -> None:
        """Close the input (the caller's own streams, such as stdin, are left open)."""
        if self._data is not self._raw:
            self._data.close()
        if self._owned:
            self._raw.close()


def _open_path(path: Path, name: str) -> tuple[IO[bytes], int | None, bool]:
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        raise InputFormatError(f"Cannot read '{name}': {error.strerror or error}.") from None
    if stat.S_ISDIR(mode):
        raise InputFormatError(f"Cannot read '{name}': it is a folder, not a file.")
    if stat.S_ISSOCK(mode):
        raise InputFormatError(f"Cannot read '{name}': it is a socket, not a file.")
    try:
        handle: IO[bytes] = open(path, "rb")  # noqa: SIM115 - closed by InputSource.close
    except OSError as error:
        raise InputFormatError(f"Cannot read '{name}': {error.strerror or error}.") from None
    regular = stat.S_ISREG(mode)
    return handle, (os.fstat(handle.fileno()).st_size if regular else None), regular


def _has_whole_record(data: bytes) -> bool:
    """Whether ``data`` holds a line break outside quotes."""
    text = data.decode("latin-1")
    return whole_records(text) != text or text.endswith(("\n", "\r"))


def _read_sample(data: IO[bytes], name: str, head: bytes = b"") -> bytes:
    """Read at least :data:`SNIFF_BYTES`, and on until the first record is whole.

    ``head``: bytes already read before ``data`` (their quotes count too).
    """
    chunks = [data.read(SNIFF_BYTES)]
    total = len(chunks[0])
    while chunks[-1] and not _has_whole_record(head + b"".join(chunks)):
        if total >= MAX_HEADER_BYTES:
            raise InputFormatError(
                f"{name}: no line break in the first {MAX_HEADER_BYTES >> 20} MiB; this is not a "
                "CSV file (or its header row never ends)."
            )
        chunks.append(data.read(max(SNIFF_BYTES, total)))
        total += len(chunks[-1])
    return b"".join(chunks)


def open_input(source: str | os.PathLike[str] | IO[bytes]) -> InputSource:
    r"""Open ``source`` and read the start of its data.

    Raises
    ------
    InputFormatError
        When the input cannot be read, is a folder or socket, or is a corrupt gzip stream.

    Examples
    --------
    >>> import io
    >>> opened = open_input(io.BytesIO(b"a,b\r1,2\r"))
    >>> opened.name, opened.translate_cr, opened.stream().read()
    ('<stdin>', True, b'a,b\n1,2\n')
    """
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        name = str(source)
        raw, size, regular = _open_path(path, name)
    else:
        path, name, raw, size, regular = None, "<stdin>", source, None, False
    try:
        head = raw.read(2)
        compressed = head == _GZIP_MAGIC
        if compressed:
            data: IO[bytes] = gzip.GzipFile(  # type: ignore[assignment]
                fileobj=PrefixedStream(head, raw), mode="rb"
            )
            sample = _read_sample(data, name)
        else:
            data = raw
            sample = head + _read_sample(raw, name, head)
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        if path is not None:
            raw.close()
        reason = (
            "the compressed input is truncated or corrupt"
            if isinstance(error, EOFError | zlib.error | gzip.BadGzipFile)
            else f"cannot read it ({getattr(error, 'strerror', None) or error})"
        )
        raise InputFormatError(f"{name}: {reason}.") from None
    except InputFormatError:
        if path is not None:
            raw.close()
        raise
    opened = InputSource(
        name=name,
        path=path if regular else None,
        sample=sample,
        compressed=compressed,
        size=size,
        translate_cr=b"\r" in sample and b"\n" not in sample,
        _raw=raw,
        _data=data,
        _owned=isinstance(source, str | os.PathLike),
    )
    if opened.translate_cr:
        opened.sample = sample.replace(b"\r", b"\n")
    return opened


def refuse_binary(sample: bytes, name: str) -> None:
    """Refuse data that is not ASCII-compatible text: UTF-16/32, or binary.

    Binary means a NUL byte in the header record, or NUL bytes in more than 1 % of a sample of
    over 4 KiB (a stray NUL inside a data cell is kept as text).

    Examples
    --------
    >>> refuse_binary(bytes([0, 1]), "x.bin")
    Traceback (most recent call last):
    ...
    alliance_metrics.errors.InputFormatError: x.bin: the input holds NUL bytes: it is a binary \
file, not CSV text.
    """
    if sample[:2] in (b"\xff\xfe", b"\xfe\xff") or sample[:4] in (
        b"\x00\x00\xfe\xff",
        b"\xff\xfe\x00\x00",
    ):
        raise InputFormatError(
            f"{name}: UTF-16/UTF-32 files are not supported; save the export as UTF-8 CSV "
            "(or any encoding that writes ASCII as ASCII, such as cp1252)."
        )
    first_line = sample.split(b"\n", 1)[0]
    if b"\x00" in first_line or (len(sample) > 4096 and sample.count(0) * 100 > len(sample)):
        raise InputFormatError(
            f"{name}: the input holds NUL bytes: it is a binary file, not CSV text."
        )
