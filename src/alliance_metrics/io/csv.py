"""Streaming CSV input (parsing only; never scoring).

An input opened by :func:`~alliance_metrics.io.inputs.open_input` is cut into blocks that end
on record boundaries and each block is parsed by Arrow into string columns named by the header:
memory holds one block at a time, whatever the file size. Every column is read as text, so
identifiers keep their leading zeros and pass through untouched; header cells are kept as
written. If the quoting of the data is irregular (a quote inside an unquoted field, such as
``6'2" tall``), block boundaries cannot be found by counting quotes, and the rest of the input is
handed to Arrow's own streaming reader, which parses such quotes as literal text.
"""

from __future__ import annotations

import gzip
import os
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from alliance_metrics._arrays import IntArray
from alliance_metrics._params import check_delimiter, check_encoding
from alliance_metrics.errors import InputFormatError
from alliance_metrics.io.inputs import InputSource, PrefixedStream, open_input, refuse_binary
from alliance_metrics.io.records import IrregularRest, record_blocks, record_lines, without_header
from alliance_metrics.io.sniff import head_records, sniff_delimiter

__all__ = ["Batch", "CsvSource", "check_header", "open_csv_source"]

_BLOCK_BYTES = 4 * 1024 * 1024
_REST_BLOCK_BYTES = 4 * 1024 * 1024


class Batch(NamedTuple):
    """A block of rows as text columns, and the line of each row in the file."""

    table: pa.Table
    lines: IntArray


@dataclass
class CsvSource:
    """An opened CSV input: header, dialect and a stream of text-only record batches."""

    input: InputSource
    columns: list[str]
    delimiter: str
    encoding: str

    @property
    def name(self) -> str:
        """How messages name the input."""
        return self.input.name

    @property
    def size(self) -> int | None:
        """Size of a regular file in bytes (for progress), else ``None``."""
        return self.input.size

    @property
    def bytes_read(self) -> int:
        """Bytes consumed so far from the file itself (the compressed size for ``.gz``)."""
        native = self._native
        if native is not None:
            try:
                return int(native.tell())
            except (OSError, ValueError, pa.ArrowException):  # pragma: no cover - closed
                return self.size or 0
        return self.input.raw_position()

    _native: Any = None

    def _data(self) -> Any:
        """Open the data from its first byte: native Arrow I/O for regular files."""
        opened = self.input
        if opened.path is not None and not opened.translate_cr:
            self._native = pa.OSFile(str(opened.path), "rb")
            if opened.compressed:
                return pa.CompressedInputStream(self._native, "gzip")
            return self._native
        return opened.stream()

    def batches(self) -> Iterator[Batch]:
        """Yield the data as tables of string columns, with the line of each row.

        Empty cells are empty strings. A row's line is the one a spreadsheet shows (the header
        is line 1; blank lines count; a record spanning several lines counts once). After
        irregular quoting, blank lines can no longer be found: rows are then counted on.
        """
        delimiter = self.delimiter.encode("ascii")
        line = 1
        try:
            first = True
            for block in record_blocks(self._data(), _BLOCK_BYTES, delimiter=delimiter):
                if isinstance(block, IrregularRest):
                    yield from self._stream_rest(block.stream, skip_header=first, line=line)
                    return
                if first:
                    block, line, found = without_header(block, line)
                    first = not found  # a block of blank lines only: the header is further on
                lines, line = record_lines(block, line)
                table = self._parse(block)
                if table.num_rows:
                    yield Batch(table, lines)
        except pa.ArrowInvalid as error:
            raise _explain_arrow_error(error, self) from None
        except UnicodeDecodeError:
            raise _encoding_error(self) from None
        except (EOFError, zlib.error, gzip.BadGzipFile, OSError) as error:
            if isinstance(error, OSError) and not isinstance(error, gzip.BadGzipFile):
                raise InputFormatError(f"{self.name}: cannot read it ({error}).") from None
            raise InputFormatError(
                f"{self.name}: the compressed input is truncated or corrupt."
            ) from None

    def _options(self, block_size: int) -> dict[str, Any]:
        return {
            "read_options": pacsv.ReadOptions(
                column_names=self.columns,
                block_size=block_size,
                encoding=self.encoding,
                use_threads=False,
            ),
            "parse_options": pacsv.ParseOptions(delimiter=self.delimiter, newlines_in_values=True),
            "convert_options": pacsv.ConvertOptions(
                column_types={name: pa.string() for name in self.columns},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        }

    def _parse(self, block: bytes) -> pa.Table:
        """Parse one block of whole records as text columns named by the header."""
        if not block.strip():
            return pa.schema([pa.field(c, pa.string()) for c in self.columns]).empty_table()
        if block.startswith(_BOM) and self.encoding == "utf8":
            block = b"\n" + block  # Arrow drops a BOM that starts its input: keep the cell's
        options = self._options(len(block) + 1)
        options["read_options"].use_threads = True
        if len(self.columns) <= _COLUMN_GROUP:
            return pacsv.read_csv(pa.py_buffer(block), **options)
        # Arrow's parser holds some kilobytes per column while it converts a block: a file of
        # 200,000 columns would need gigabytes for one row. Wide files are parsed a group of
        # columns at a time (each parse re-reads the block; memory stays near one group's).
        buffer = pa.py_buffer(block)
        arrays: list[pa.ChunkedArray] = []
        for start in range(0, len(self.columns), _COLUMN_GROUP):
            group = self.columns[start : start + _COLUMN_GROUP]
            options["convert_options"] = pacsv.ConvertOptions(
                column_types={name: pa.string() for name in group},
                include_columns=group,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            )
            arrays.extend(pacsv.read_csv(buffer, **options).columns)
        return pa.Table.from_arrays(arrays, names=self.columns)

    def _stream_rest(
        self, stream: PrefixedStream, *, skip_header: bool, line: int
    ) -> Iterator[Batch]:
        """Parse the rest of the input with Arrow's streaming reader (irregular quoting)."""
        rest = b""
        if skip_header:
            rest, line = _header_length(stream)
        while len(rest) < len(_BOM) and (more := stream.read(len(_BOM) - len(rest))):
            rest += more
        if self.encoding == "utf8" and rest.startswith(_BOM):
            rest = b"\n" + rest  # Arrow drops a BOM that starts its input: keep the cell's
        stream = PrefixedStream(rest, stream)  # type: ignore[arg-type]
        # Arrow's reader reads a few blocks ahead: memory grows with the block size, and a record
        # must fit in one block (longer ones are refused with a clear message).
        block = max(_BLOCK_BYTES, _REST_BLOCK_BYTES)
        reader = pacsv.open_csv(pa.PythonFile(stream, mode="r"), **self._options(block))
        try:
            for batch in reader:
                if batch.num_rows:
                    lines = np.arange(line, line + batch.num_rows, dtype=np.int64)
                    line += batch.num_rows
                    yield Batch(pa.Table.from_batches([batch]), lines)
        finally:
            reader.close()

    def close(self) -> None:
        """Close the input (and the native reader, if any)."""
        if self._native is not None:
            self._native.close()
        self.input.close()


_COLUMN_GROUP = 10_000
"""Columns parsed at once: wider files are parsed in groups (see ``CsvSource._parse``)."""
_BOM = b"\xef\xbb\xbf"
"""UTF-8's byte-order mark: Arrow skips it at the start of its input, even inside the data."""


def _header_length(stream: PrefixedStream) -> tuple[bytes, int]:
    """Consume the header record from ``stream``; return what was read after it and its line."""
    data = b""
    while True:
        more = stream.read(_BLOCK_BYTES)
        data += more
        rest, line, found = without_header(data) if data else (b"", 2, False)
        if (found and rest) or not more:
            return rest, line


def _encoding_error(source: CsvSource) -> InputFormatError:
    return InputFormatError(
        f"{source.name}: the file is not valid {source.encoding} text; pass its encoding in "
        "the 'encoding' parameter (e.g. cp1252 for Windows exports)."
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
            "(the 'delimiter' parameter) and unbalanced quotes."
        )
    if "straddl" in text:
        return InputFormatError(
            f"{source.name}: a record is longer than {_REST_BLOCK_BYTES >> 20} MiB in a part of "
            "the file with irregular quoting (a quote inside an unquoted field); check the quotes."
        )
    return InputFormatError(f"{source.name}: cannot parse the CSV data ({text.split(':')[0]}).")


def open_csv_source(
    source: InputSource | str | os.PathLike[str] | IO[bytes],
    *,
    encoding: str = "utf-8",
    delimiter: str | None = None,
    func: str = "score_csv",
) -> CsvSource:
    """Open a CSV (optionally gzip-compressed) and read its header.

    Raises
    ------
    InvalidParameterError
        For an unknown or non-ASCII-compatible ``encoding`` or a bad ``delimiter``.
    InputFormatError
        For an unreadable, empty or undecodable file, or a header with repeated or blank names.
    """
    encoding = check_encoding(encoding, func)
    delimiter = check_delimiter(delimiter, func)
    opened = source if isinstance(source, InputSource) else open_input(source)
    try:
        return _read_header(opened, encoding, delimiter)
    except BaseException:
        opened.close()
        raise


def _read_header(opened: InputSource, encoding: str, delimiter: str | None) -> CsvSource:
    name = opened.name
    source_encoding = "utf-8-sig" if encoding == "utf-8" else encoding
    sample = opened.sample
    refuse_binary(sample, name)
    try:
        text = sample.decode(source_encoding)
    except UnicodeDecodeError as error:
        if error.start < len(sample) - 4:  # not merely a character cut at the sample's end
            raise InputFormatError(
                f"{name}: the file is not valid {encoding} text; pass its encoding in the "
                "'encoding' parameter (e.g. cp1252 for Windows exports)."
            ) from None
        text = sample[: error.start].decode(source_encoding)
    if not text.strip():
        raise InputFormatError(f"{name} is empty: expected a header row and data rows.")
    chosen = delimiter if delimiter is not None else sniff_delimiter(text)
    records = head_records(text, chosen, 1)
    columns = records[0] if records else []
    check_header(columns, name)
    arrow_encoding = "utf8" if source_encoding in ("utf-8-sig", "utf-8") else source_encoding
    return CsvSource(opened, columns, chosen, arrow_encoding)


def check_header(columns: Sequence[str], name: str) -> None:
    """Refuse a header with unnamed or repeated columns (``name`` prefixes the message)."""
    blank = [i + 1 for i, c in enumerate(columns) if not c.strip()]
    if not columns:
        raise InputFormatError(f"{name}: the header row is empty.")
    if blank:
        which = (
            f"columns {', '.join(map(str, blank))} have"
            if len(blank) > 1
            else (f"column {blank[0]} has")
        )
        raise InputFormatError(f"{name}: {which} no name in the header row.")
    first: dict[str, int] = {}
    clashes: dict[str, list[int]] = {}
    for position, column in enumerate(columns, start=1):
        if column in first:
            clashes.setdefault(column, [first[column]]).append(position)
        else:
            first[column] = position
    if clashes:
        # Named by position: in a file without a header row, these "names" are data.
        groups = "; ".join(" and ".join(map(str, p)) for p in list(clashes.values())[:3])
        raise InputFormatError(
            f"{name}: column names must be unique; columns {groups} of the header row have the "
            "same name. (If the file has no header row, add one.)"
        )
