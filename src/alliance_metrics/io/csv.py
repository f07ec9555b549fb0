"""Streaming CSV input and atomic, sanitised output (parsing only; never scoring).

* Input: a path (``.csv`` or ``.csv.gz``) or a binary stream (stdin); the delimiter is sniffed
  from the first 64 KiB among comma, semicolon, tab and pipe unless given; any Python codec via
  ``encoding``; a UTF-8 byte-order mark is skipped; CRLF and quoted fields are handled. Every
  column is read as text, so identifiers keep their leading zeros and pass through untouched.
* Output: written to a temporary file beside the destination and renamed into place, so a crash
  leaves no half-written file. Text cells that a spreadsheet would execute are neutralised.
"""

from __future__ import annotations

import contextlib
import csv as stdlib_csv
import gzip
import io
import os
import re
import secrets
import tempfile
import zlib
from collections.abc import Collection, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from alliance_metrics.errors import InputFormatError

__all__ = [
    "CsvSource",
    "OutputFormat",
    "TableSink",
    "check_header",
    "open_csv_source",
    "record_blocks",
    "sanitize_text",
]

OutputFormat = Literal["csv", "parquet"]
SNIFF_BYTES = 64 * 1024
DELIMITERS = ",;\t|"
_GZIP_MAGIC = b"\x1f\x8b"
_BLOCK_BYTES = 4 * 1024 * 1024


class _PrefixedStream(io.RawIOBase):
    """A read-only stream that serves ``prefix`` and then the rest of ``stream``."""

    def __init__(self, prefix: bytes, stream: IO[bytes]) -> None:
        self._prefix = memoryview(prefix)
        self._stream = stream
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        if len(self._prefix):
            n = min(len(view), len(self._prefix))
            view[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
        else:
            data = self._stream.read(len(view))
            n = len(data)
            view[:n] = data
        self.consumed += n
        return n


@dataclass
class CsvSource:
    """An opened CSV input: header, dialect and a stream of text-only record batches."""

    name: str
    columns: list[str]
    delimiter: str
    encoding: str
    size: int | None
    _raw: _PrefixedStream | pa.NativeFile
    _file: IO[bytes] | pa.NativeFile

    @property
    def bytes_read(self) -> int:
        """Bytes consumed so far from the file itself (the compressed size for ``.gz``)."""
        if isinstance(self._raw, _PrefixedStream):
            return self._raw.consumed
        try:
            return int(self._file.tell())
        except (OSError, ValueError, pa.ArrowException):  # pragma: no cover - already closed
            return self.size or 0

    def batches(self) -> Iterator[pa.Table]:
        """Yield the data as tables of string columns (empty cells are empty strings).

        The file is cut into blocks that end on record boundaries (:func:`record_blocks`) and
        each block is parsed by Arrow: memory holds one block at a time, whatever the file size
        (Arrow's own streaming reader reads the whole file ahead).
        """
        delimiter = self.delimiter.encode("ascii")
        try:
            first = True
            for block in record_blocks(self._raw, _BLOCK_BYTES, delimiter=delimiter):
                if first:
                    block, first = _without_header(block), False
                table = self._parse(block)
                if table.num_rows:
                    yield table
        except pa.ArrowInvalid as error:
            raise _explain_arrow_error(error, self) from None
        except UnicodeDecodeError:
            raise _encoding_error(self) from None
        except (EOFError, zlib.error, gzip.BadGzipFile):
            raise InputFormatError(
                f"{self.name}: the compressed input is truncated or corrupt."
            ) from None

    def _parse(self, block: bytes) -> pa.Table:
        """Parse one block of whole records as text columns named by the header."""
        if not block.strip():
            return pa.schema([pa.field(c, pa.string()) for c in self.columns]).empty_table()
        read_options = pacsv.ReadOptions(
            column_names=self.columns, block_size=len(block) + 1, encoding=self.encoding
        )
        parse_options = pacsv.ParseOptions(delimiter=self.delimiter, newlines_in_values=True)
        convert_options = pacsv.ConvertOptions(
            column_types={name: pa.string() for name in self.columns},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        )
        return pacsv.read_csv(
            pa.py_buffer(block),
            read_options=read_options,
            parse_options=parse_options,
            convert_options=convert_options,
        )

    def close(self) -> None:
        """Close the underlying file (and the decompressing stream, if any)."""
        if self._raw is not self._file:
            self._raw.close()
        self._file.close()


def record_blocks(
    stream: Any, size: int, quote: bytes = b'"', delimiter: bytes = b","
) -> Iterator[bytes]:
    r"""Read ``stream`` in blocks of about ``size`` bytes that end on CSV record boundaries.

    A newline ends a record only outside quotes; with regular quoting (RFC 4180: a field is
    either quoted as a whole, with inner quotes doubled, or holds no quote) that is where the
    count of quote characters before it is even. A record longer than ``size`` is carried into
    the next read. If a block shows irregular quoting (a quote inside an unquoted field, such
    as ``6'2" tall``), counting cannot find boundaries safely: the rest of the stream is then
    returned as one block, for Arrow to parse as a whole.

    Examples
    --------
    >>> import io
    >>> list(record_blocks(io.BytesIO(b'a,b\n1,"x\ny"\n2,z\n'), 8))
    [b'a,b\n', b'1,"x\ny"\n2,z\n']
    >>> list(record_blocks(io.BytesIO(b'a,b\n1,6\'2" tall\n2,"x\ny"\n'), 8))
    [b'a,b\n', b'1,6\'2" tall\n2,"x\ny"\n']
    """
    carry = b""
    while True:
        data = stream.read(size)
        if not data:
            if carry:
                yield carry if carry.endswith(b"\n") else carry + b"\n"
            return
        data = carry + bytes(data)
        if not _regular_quoting(data, quote, delimiter):
            rest = data + bytes(stream.read())
            yield rest if rest.endswith(b"\n") else rest + b"\n"
            return
        cut = _last_record_end(data, quote)
        if cut < 0:
            carry = data
            continue
        carry = data[cut + 1 :]
        yield data[: cut + 1]


def _regular_quoting(data: bytes, quote: bytes, delimiter: bytes) -> bool:
    """Whether every quote of ``data`` (which starts on a record boundary) fits RFC 4180.

    Counting quotes from the start, an odd-numbered quote opens a quoted field (it follows a
    delimiter, a line end, the start, or the quote just before it: a doubled quote) and an
    even-numbered one closes it (a delimiter, a line end, the end of the data or another quote
    follows). Vectorised over the quote positions.
    """
    raw = np.frombuffer(data, dtype=np.uint8)
    positions = np.flatnonzero(raw == quote[0])
    if not len(positions):
        return True
    boundary = np.zeros(256, dtype=bool)
    boundary[[delimiter[0], ord("\n"), ord("\r")]] = True
    previous = np.where(positions > 0, raw[np.maximum(positions - 1, 0)], ord("\n"))
    following_at = np.minimum(positions + 1, len(raw) - 1)
    following = np.where(positions + 1 < len(raw), raw[following_at], ord("\n"))
    opening, closing = positions[0::2], positions[1::2]
    opens_ok = boundary[previous[0::2]]
    opens_ok[1:] |= opening[1:] - 1 == closing[: len(opening) - 1]  # a doubled quote
    closes_ok = boundary[following[1::2]] | (following[1::2] == quote[0])
    return bool(opens_ok.all() and closes_ok.all())


def _without_header(block: bytes, quote: bytes = b'"') -> bytes:
    """Drop the header record (which may hold quoted line breaks) from the first block."""
    position = block.find(b"\n")
    quotes = block.count(quote, 0, max(position, 0))
    while position >= 0 and quotes % 2:
        following = block.find(b"\n", position + 1)
        if following < 0:
            return b""
        quotes += block.count(quote, position, following)
        position = following
    return b"" if position < 0 else block[position + 1 :]


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


def _encoding_error(source: CsvSource) -> InputFormatError:
    return InputFormatError(
        f"{source.name}: the file is not valid {source.encoding} text; pass its encoding "
        "with --encoding (e.g. --encoding cp1252 for Windows exports)."
    )


def _explain_arrow_error(error: pa.ArrowInvalid, source: CsvSource) -> InputFormatError:
    text = str(error)
    if "UTF8" in text or "utf8" in text.lower():
        return _encoding_error(source)
    if "Expected" in text and "columns" in text:
        # Arrow quotes the offending row; never echo respondent data, say where instead.
        counts = text.split(":")[1].strip() if ":" in text else "a different number of fields"
        return InputFormatError(
            f"{source.name}: a data row has the wrong number of fields ({counts}); every row "
            f"must have the {len(source.columns)} fields of the header. Check the delimiter "
            "(--delimiter) and unbalanced quotes."
        )
    return InputFormatError(f"{source.name}: cannot parse the CSV data ({text.split(':')[0]}).")


def _open_binary(path: str | Path | IO[bytes]) -> tuple[IO[bytes], str, int | None]:
    if isinstance(path, str | Path):
        name = str(path)
        try:
            handle: IO[bytes] = open(path, "rb")  # noqa: SIM115 - closed by CsvSource.close
            size = os.fstat(handle.fileno()).st_size
        except OSError as error:
            reason = error.strerror or str(error)
            raise InputFormatError(f"Cannot read '{name}': {reason}.") from None
        return handle, name, size
    return path, "<stdin>", None


def sniff_delimiter(sample: str) -> str:
    r"""Guess the delimiter of a CSV sample among comma, semicolon, tab and pipe.

    Falls back to the candidate that occurs most often on the header line.

    Examples
    --------
    >>> sniff_delimiter("id;wai_1;wai_2\n1;4;5\n")
    ';'
    """
    try:
        return stdlib_csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except stdlib_csv.Error:
        header = sample.splitlines()[0] if sample else ""
        counts = {d: header.count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def open_csv_source(
    path: str | Path | IO[bytes],
    *,
    encoding: str = "utf-8",
    delimiter: str | None = None,
) -> CsvSource:
    """Open a CSV (optionally gzip-compressed) and read its header.

    Raises
    ------
    InputFormatError
        For an unreadable, empty or undecodable file, or a header with repeated or blank names.
    """
    file, name, size = _open_binary(path)
    binary: IO[bytes] = file
    try:
        head = file.read(2)
        if head == _GZIP_MAGIC:
            binary = gzip.GzipFile(fileobj=_PrefixedStream(head, file), mode="rb")  # type: ignore[assignment]
            head = b""
        sample = head + binary.read(SNIFF_BYTES)
    except (OSError, EOFError) as error:
        file.close()
        raise InputFormatError(f"Cannot read '{name}': {error}.") from None
    if sample[:2] in (b"\xff\xfe", b"\xfe\xff") or encoding.lower().replace("-", "").startswith(
        ("utf16", "utf32")
    ):
        file.close()
        raise InputFormatError(
            f"{name}: UTF-16/UTF-32 files are not supported; save the export as UTF-8 CSV (or "
            "any encoding that writes ASCII as ASCII, e.g. cp1252, with --encoding)."
        )
    source_encoding = (
        "utf-8-sig" if encoding.replace("_", "-").lower() in ("utf-8", "utf8") else encoding
    )
    try:
        text = sample.decode(source_encoding)
    except UnicodeDecodeError as error:
        if error.start < len(sample) - 4:  # not merely a character cut at the sample's end
            file.close()
            raise InputFormatError(
                f"{name}: the file is not valid {encoding} text; pass its encoding with "
                "--encoding (e.g. --encoding cp1252 for Windows exports)."
            ) from None
        text = sample[: error.start].decode(source_encoding)
    except LookupError:
        file.close()
        raise InputFormatError(f"Unknown encoding {encoding!r}.") from None
    if not text.strip():
        file.close()
        raise InputFormatError(f"{name} is empty: expected a header row and data rows.")
    chosen = delimiter if delimiter is not None else sniff_delimiter(text)
    header_line = next(stdlib_csv.reader(io.StringIO(text), delimiter=chosen))
    columns = [c.strip() for c in header_line]
    try:
        check_header(columns, name)
    except InputFormatError:
        file.close()
        raise
    arrow_encoding = "utf8" if source_encoding == "utf-8-sig" else source_encoding
    if isinstance(path, str | Path):
        # Files are read by Arrow natively (C++ I/O, no GIL): reopen them as Arrow streams.
        file.close()
        native = pa.OSFile(str(path), "rb")
        stream = pa.CompressedInputStream(native, "gzip") if binary is not file else native
        return CsvSource(name, columns, chosen, arrow_encoding, size, stream, native)
    raw = _PrefixedStream(sample, binary)
    return CsvSource(name, columns, chosen, arrow_encoding, size, raw, file)


def check_header(columns: Sequence[str], name: str) -> None:
    """Refuse a header with unnamed or repeated columns (``name`` prefixes the message)."""
    blank = [i + 1 for i, c in enumerate(columns) if not c]
    if blank:
        which = (
            f"columns {', '.join(map(str, blank))} have"
            if len(blank) > 1
            else (f"column {blank[0]} has")
        )
        raise InputFormatError(f"{name}: {which} no name in the header row.")
    seen: set[str] = set()
    repeated = sorted({c for c in columns if c in seen or seen.add(c)})  # type: ignore[func-returns-value]
    if repeated:
        raise InputFormatError(
            f"{name}: column names must be unique; repeated: {', '.join(map(repr, repeated))}."
        )


_DANGEROUS_START = r"^[=+\-@\t\r]"
_PLAIN_NUMBER = r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$"


def _safe_name(name: str) -> str:
    """Neutralise a header cell like any text cell (``=cmd`` → ``'=cmd``)."""
    risky = re.match(_DANGEROUS_START, name) and not re.match(_PLAIN_NUMBER, name)
    return f"'{name}" if risky else name


def sanitize_text(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Prefix ``'`` to text cells a spreadsheet would execute (OWASP CSV injection).

    Cells starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return are neutralised;
    plain numbers such as ``-3`` or ``+4.5`` are left as they are.

    Examples
    --------
    >>> import pyarrow as pa
    >>> sanitize_text(pa.array(["=HYPERLINK(1)", "-3", "ok", "@x"])).to_pylist()
    ["'=HYPERLINK(1)", '-3', 'ok', "'@x"]
    """
    risky = pc.match_substring_regex(column, _DANGEROUS_START)
    if not pc.any(risky).as_py():
        return column
    risky = pc.and_(risky, pc.invert(pc.match_substring_regex(column, _PLAIN_NUMBER)))
    quote, empty = pa.scalar("'", type=column.type), pa.scalar("", type=column.type)
    return pc.if_else(risky, pc.binary_join_element_wise(quote, column, empty), column)


def _new_partial_file(destination: Path | None) -> Path:
    """Create an empty temporary file beside ``destination`` (or in the temp folder).

    Created with mode 0o666 less the umask, like any file the user writes, so that the renamed
    result gets ordinary permissions (``mkstemp`` would make it private to its owner).
    """
    folder = destination.parent if destination is not None else Path(tempfile.gettempdir())
    while True:
        candidate = folder / f".alliance-metrics-{secrets.token_hex(6)}.partial"
        try:
            handle = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:  # pragma: no cover - 48 random bits collided
            continue
        os.close(handle)
        return candidate


class TableSink:
    """Write tables to ``destination`` atomically (temporary file, then rename).

    Parameters
    ----------
    destination
        Final path, or ``None`` to write to ``stream`` (e.g. stdout) once finished.
    output_format
        ``"csv"`` or ``"parquet"``.
    delimiter
        CSV delimiter of the output.
    sanitize
        Neutralise spreadsheet formulas in text columns (CSV only; Parquet keeps values).
    """

    def __init__(
        self,
        destination: Path | None,
        output_format: OutputFormat,
        *,
        delimiter: str = ",",
        sanitize: bool = True,
        stream: IO[bytes] | None = None,
    ) -> None:
        self.destination = destination
        self.format = output_format
        self.delimiter = delimiter
        self.sanitize = sanitize and output_format == "csv"
        self._stream = stream
        self._temp = _new_partial_file(destination)
        self._writer: pacsv.CSVWriter | pq.ParquetWriter | None = None
        # Encoding and writing release the GIL: one chunk is written in the background while
        # the next is parsed and scored. At most one chunk is in flight, so memory stays flat.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="am-writer")
        self._pending: Future[None] | None = None

    @staticmethod
    def write_bytes_atomically(destination: Path, data: bytes) -> None:
        """Write ``data`` to ``destination`` through a temporary file and a rename."""
        temp = _new_partial_file(destination)
        try:
            temp.write_bytes(data)
            os.replace(temp, destination)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise

    def write(self, table: pa.Table, *, safe_columns: Collection[str] = ()) -> None:
        """Append ``table`` (every call must have the same schema).

        ``safe_columns`` are text columns known to hold only digits and blanks: they need no
        formula check.
        """
        if self.sanitize:
            table = table.rename_columns([_safe_name(name) for name in table.column_names])
            for i, field in enumerate(table.schema):
                is_text = pa.types.is_string(field.type) or pa.types.is_large_string(field.type)
                if is_text and field.name not in safe_columns:
                    table = table.set_column(i, field, sanitize_text(table.column(i)))
        self._wait()
        self._pending = self._executor.submit(self._write_now, table)

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def _write_now(self, table: pa.Table) -> None:
        if self._writer is None:
            if self.format == "csv":
                options = pacsv.WriteOptions(delimiter=self.delimiter)
                self._writer = pacsv.CSVWriter(str(self._temp), table.schema, write_options=options)
            else:
                self._writer = pq.ParquetWriter(str(self._temp), table.schema)
        self._writer.write_table(table)

    def commit(self, empty_schema: pa.Schema | None = None) -> None:
        """Finish the file and move it into place (or copy it to the stream)."""
        self._wait()
        if self._writer is None and empty_schema is not None:
            self._write_now(empty_schema.empty_table())
        self._executor.shutdown()
        if self._writer is not None:
            self._writer.close()
        if self.destination is not None:
            os.replace(self._temp, self.destination)
        else:
            if self._stream is not None:
                with open(self._temp, "rb") as handle:
                    while chunk := handle.read(1 << 20):
                        self._stream.write(chunk)
                self._stream.flush()
            self._temp.unlink(missing_ok=True)

    def abort(self) -> None:
        """Discard everything written so far."""
        with contextlib.suppress(Exception):
            self._wait()
        self._executor.shutdown()
        if self._writer is not None:
            with contextlib.suppress(OSError, pa.ArrowException):
                self._writer.close()
        self._temp.unlink(missing_ok=True)
