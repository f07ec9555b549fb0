"""Where CSV records end, found in raw bytes without parsing (vectorised over line breaks).

A newline ends a record only outside quotes; with regular quoting (RFC 4180) that is where the
count of quote characters before it is even. These helpers cut an input into blocks of whole
records, drop the header from the first block and number the records as a spreadsheet does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from alliance_metrics._arrays import IntArray
from alliance_metrics.io.inputs import PrefixedStream
from alliance_metrics.io.sniff import regular_quoting

__all__ = ["IrregularRest", "record_blocks", "record_lines", "without_header"]


@dataclass
class IrregularRest:
    """The rest of an input whose quoting is irregular: to be parsed by Arrow's own reader."""

    stream: PrefixedStream


def record_blocks(
    stream: Any, size: int, quote: bytes = b'"', delimiter: bytes = b","
) -> Iterator[bytes | IrregularRest]:
    r"""Read ``stream`` in blocks of about ``size`` bytes that end on CSV record boundaries.

    A newline ends a record only outside quotes; with regular quoting (RFC 4180) that is where
    the count of quote characters before it is even. A record longer than ``size`` is carried
    into the next read. If a block shows irregular quoting, counting cannot find boundaries
    safely: the rest of the stream is then returned as an :class:`IrregularRest`.

    Examples
    --------
    >>> import io
    >>> list(record_blocks(io.BytesIO(b'a,b\n1,"x\ny"\n2,z\n'), 8))
    [b'a,b\n', b'1,"x\ny"\n2,z\n']
    >>> blocks = list(record_blocks(io.BytesIO(b'a,b\n1,6\'2" tall\n2,"x\ny"\n'), 8))
    >>> blocks[0], blocks[1].stream.read()
    (b'a,b\n', b'1,6\'2" tall\n2,"x\ny"\n')
    """
    carry = b""
    while True:
        data = stream.read(size)
        if not data:
            if carry:
                yield carry if carry.endswith(b"\n") else carry + b"\n"
            return
        data = carry + bytes(data)
        if not regular_quoting(data, delimiter, quote):
            yield IrregularRest(PrefixedStream(data, stream))
            return
        cut = _last_record_end(data, quote)
        if cut < 0:
            carry = data
            continue
        carry = data[cut + 1 :]
        yield data[: cut + 1]


def without_header(block: bytes, line: int = 1, quote: bytes = b'"') -> tuple[bytes, int, bool]:
    """Drop blank lines and the header record (which may hold quoted line breaks) from the
    first block; return the rest, the line of its first record, and whether the header was in it.
    """  # noqa: D205
    while block[:1] == b"\n" or block[:2] == b"\r\n":  # blank lines before the header
        block = block[1:] if block[:1] == b"\n" else block[2:]
        line += 1
    if not block:
        return b"", line, False
    position = block.find(b"\n")
    quotes = block.count(quote, 0, max(position, 0))
    while position >= 0 and quotes % 2:
        following = block.find(b"\n", position + 1)
        if following < 0:
            return b"", line + 1, True
        quotes += block.count(quote, position, following)
        position = following
    return (b"" if position < 0 else block[position + 1 :]), line + 1, True


def record_lines(block: bytes, first_line: int) -> tuple[IntArray, int]:
    r"""Lines of the non-blank records of ``block`` (whole records), and the next line.

    A record ends at a line break outside quotes; a blank record (nothing, or only a carriage
    return) has a line but no row, as Arrow skips it. Vectorised over the line breaks.

    Examples
    --------
    >>> lines, following = record_lines(b'1,2\n\n3,"a\nb"\r\n\r\n4,5\n', 2)
    >>> lines.tolist(), following
    ([2, 4, 6], 7)
    """
    raw = np.frombuffer(block, dtype=np.uint8)
    newlines = np.flatnonzero(raw == ord("\n"))
    quotes = np.flatnonzero(raw == ord('"'))
    # quotes before each line break (a search, not a running count over every byte: that
    # would be 8 bytes of temporary memory per byte of input)
    inside = np.searchsorted(quotes, newlines) % 2 == 1
    ends = newlines[~inside]
    starts = np.concatenate([[0], ends[:-1] + 1]).astype(np.int64)
    length = ends - starts
    blank = (length == 0) | ((length == 1) & (raw[np.maximum(ends - 1, 0)] == ord("\r")))
    lines = first_line + np.arange(len(ends), dtype=np.int64)
    return lines[~blank], first_line + len(ends)


def _last_record_end(data: bytes, quote: bytes) -> int:
    """Position of the last newline of ``data`` outside quotes, or -1."""
    position = data.rfind(b"\n")
    if position < 0:
        return -1
    quotes = data.count(quote, 0, position)
    while position >= 0 and quotes % 2:
        previous = data.rfind(b"\n", 0, position)
        if previous < 0:
            return -1
        quotes -= data.count(quote, previous, position)
        position = previous
    return position
