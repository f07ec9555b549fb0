"""Every write of the library: atomic for files, written through for devices, spooled for streams.

An output target is one of three kinds (:func:`resolve_output`):

* a **regular file**, or a path that does not exist yet: written to a temporary file beside it
  and renamed into place when the run succeeds, so a failed run leaves the old file (or
  nothing) and never a half-written one. A symlink to a regular file is followed: the file it
  points at is replaced, the link is kept;
* an existing path that is **not a regular file** (character or block device such as
  ``/dev/null``, FIFO, socket, or a symlink to one): opened and written through, in order, with
  no temporary file beside it — it is never replaced. Bytes sent to it cannot be taken back;
* a **process stream** (a binary stream object, ``-``, ``/dev/stdout``, ``/dev/stderr``):
  spooled to a temporary file in the system's temporary folder and copied to the stream when
  the run succeeds, so a failed run writes nothing there.

No target may be the input (compared by inode as well as by path). Parquet needs a target it can
write in one go: a FIFO, socket or other non-seekable device is refused.

Several outputs of one run (scores and errors file) are published together by
:func:`publish_all`: every file is completed first, and only then renamed into place.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Collection, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from alliance_metrics.errors import InputFormatError
from alliance_metrics.io.targets import OutputFormat, OutputTarget, resolve_output

__all__ = [
    "OutputFormat",
    "OutputTarget",
    "TableSink",
    "publish_all",
    "resolve_output",
    "sanitize_text",
    "write_bytes",
]


def _new_partial_file(folder: Path) -> Path:
    """Create an empty temporary file in ``folder``.

    Created with mode 0o666 less the umask, like any file the user writes, so that the renamed
    result gets ordinary permissions (``mkstemp`` would make it private to its owner).
    """
    while True:
        candidate = folder / f".alliance-metrics-{secrets.token_hex(6)}.partial"
        try:
            handle = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:  # pragma: no cover - 48 random bits collided
            continue
        os.close(handle)
        return candidate


_DANGEROUS_START = r"^[=+\-@\t\r]"
_PLAIN_NUMBER = r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?[ \t]*$"


def _safe_name(name: str) -> str:
    """Neutralise a header cell like any text cell (``=cmd`` → ``'=cmd``)."""
    risky = re.match(_DANGEROUS_START, name) and not re.match(_PLAIN_NUMBER, name)
    return f"'{name}" if risky else name


def _safe_names(names: Sequence[str]) -> list[str]:
    safe = [_safe_name(name) for name in names]
    if len(set(safe)) < len(safe):
        clashing = sorted({n for n, s in zip(names, safe, strict=True) if safe.count(s) > 1})
        raise InputFormatError(
            "Neutralising spreadsheet formulas in the header would give two columns the same "
            f"name ({', '.join(map(repr, clashing))}); rename one of them, or turn neutralising "
            "off (the 'sanitize' parameter)."
        )
    return safe


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


def _sanitize_table(table: pa.Table, safe_columns: Collection[str]) -> pa.Table:
    """Neutralise the header and every text column that may hold a formula.

    The text columns are checked in one pass over all their cells (a table may have hundreds
    of thousands of columns); only the columns holding a risky cell are rewritten.
    """
    columns = list(table.columns)
    text = [
        i
        for i, field in enumerate(table.schema)
        if pa.types.is_string(field.type) and field.name not in safe_columns
    ]
    if text and table.num_rows:
        cells = pa.chunked_array(
            [chunk for i in text for chunk in columns[i].chunks], type=pa.string()
        )
        risky = pc.match_substring_regex(cells, _DANGEROUS_START)
        if pc.any(risky).as_py():
            flags = risky.to_numpy(zero_copy_only=False)
            start = 0
            for i in text:
                stop = start + len(columns[i])
                if flags[start:stop].any():
                    columns[i] = sanitize_text(columns[i])
                start = stop
    for i, field in enumerate(table.schema):  # rare: large strings, checked one by one
        if pa.types.is_large_string(field.type) and field.name not in safe_columns:
            columns[i] = sanitize_text(columns[i])
    return pa.Table.from_arrays(columns, names=_safe_names(table.column_names))


class TableSink:
    r"""Write tables to an :class:`OutputTarget`; use it as a context manager.

    Leaving the ``with`` block normally commits (completes and publishes the output); leaving
    it by an exception aborts (the temporary file is removed). Writing is done by a background
    thread, one table in flight at a time, so the next chunk can be parsed meanwhile.

    Parameters
    ----------
    target
        Where to write (see :func:`resolve_output`).
    output_format
        ``"csv"`` or ``"parquet"``.
    delimiter
        CSV delimiter of the output.
    sanitize
        Neutralise spreadsheet formulas in text columns and header cells (CSV only).
    empty_schema
        Schema to write when no table was written (a header-only output).

    Examples
    --------
    >>> import pyarrow as pa, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> with TableSink(resolve_output(path), "csv") as sink:
    ...     sink.write(pa.table({"a": ["=1+1", "x"]}))
    >>> path.read_text()
    '"a"\n"\'=1+1"\n"x"\n'
    """

    def __init__(
        self,
        target: OutputTarget,
        output_format: OutputFormat,
        *,
        delimiter: str = ",",
        sanitize: bool = True,
        empty_schema: pa.Schema | None = None,
    ) -> None:
        self.target = target
        self.format = output_format
        self.delimiter = delimiter
        self.sanitize = sanitize and output_format == "csv"
        self.empty_schema = empty_schema
        self._temp: Path | None = None
        self._file: pa.NativeFile | None = None
        self._writer: pacsv.CSVWriter | pq.ParquetWriter | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="am-writer")
        self._pending: Future[None] | None = None
        self._finished = False

    def __enter__(self) -> TableSink:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:
            self.commit()
        else:
            self.abort()

    def write(self, table: pa.Table, *, safe_columns: Collection[str] = ()) -> None:
        """Append ``table`` (every call must have the same schema).

        ``safe_columns`` are text columns known to hold only digits and blanks: they need no
        formula check.
        """
        if self.sanitize:
            table = _sanitize_table(table, safe_columns)
        self._wait()
        self._pending = self._executor.submit(self._write_now, table)

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def _open(self) -> pa.NativeFile:
        target = self.target
        if target.kind == "device" and target.path is not None:
            return pa.OSFile(str(target.path), "wb")
        folder = target.path.parent if target.kind == "file" and target.path else None
        self._temp = _new_partial_file(folder or Path(tempfile.gettempdir()))
        return pa.OSFile(str(self._temp), "wb")

    def _write_now(self, table: pa.Table) -> None:
        if self._writer is None:
            self._file = self._open()
            if self.format == "csv":
                options = pacsv.WriteOptions(delimiter=self.delimiter)
                self._writer = pacsv.CSVWriter(self._file, table.schema, write_options=options)
            else:
                self._writer = pq.ParquetWriter(self._file, table.schema)
        self._writer.write_table(table)

    def finish(self) -> None:
        """Complete the output (write the empty table if nothing came, close the writer)."""
        if self._finished:
            return
        self._wait()
        if self._writer is None:
            schema = self.empty_schema if self.empty_schema is not None else pa.schema([])
            table = schema.empty_table()
            if self.sanitize:
                table = table.rename_columns(_safe_names(table.column_names))
            self._write_now(table)
        self._executor.shutdown()
        if self._writer is not None:
            self._writer.close()
        if self._file is not None:
            self._file.close()
        self._finished = True

    def publish(self) -> None:
        """Move the completed output into place (or copy it to the stream)."""
        target, temp = self.target, self._temp
        if target.kind == "file" and temp is not None and target.path is not None:
            os.replace(temp, target.path)
        elif target.kind == "stream" and temp is not None:
            try:
                stream = target.handle()
                if stream is not None:
                    with open(temp, "rb") as handle:
                        shutil.copyfileobj(handle, stream, 1 << 20)
                    stream.flush()
            finally:
                temp.unlink(missing_ok=True)
        self._temp = None

    def commit(self) -> None:
        """Finish and publish."""
        self.finish()
        self.publish()

    def abort(self) -> None:
        """Discard everything written so far (a device keeps what it has received)."""
        with contextlib.suppress(Exception):
            self._wait()
        self._executor.shutdown()
        for closable in (self._writer, self._file):
            if closable is not None:
                with contextlib.suppress(OSError, pa.ArrowException):
                    closable.close()
        if self._temp is not None:
            self._temp.unlink(missing_ok=True)
            self._temp = None


def publish_all(sinks: Sequence[TableSink]) -> None:
    """Finish every sink, then publish them all: a failure while writing publishes none.

    Examples
    --------
    >>> publish_all([])
    """
    try:
        for sink in sinks:
            sink.finish()
    except BaseException:
        for sink in sinks:
            sink.abort()
        raise
    for sink in sinks:
        sink.publish()


def write_bytes(target: OutputTarget, data: bytes) -> None:
    """Write ``data`` (a whole document, such as JSON) to ``target`` as :class:`TableSink` would.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "r.json"
    >>> write_bytes(resolve_output(path), b"{}")
    >>> path.read_bytes()
    b'{}'
    """
    if target.kind == "stream":
        stream = target.handle()
        if stream is not None:
            stream.write(data)
            stream.flush()
        return
    if target.path is None:  # pragma: no cover - resolve_output sets it for files and devices
        return
    if target.kind == "device":
        with open(target.path, "wb") as handle:
            handle.write(data)
        return
    temp = _new_partial_file(target.path.parent)
    try:
        temp.write_bytes(data)
        os.replace(temp, target.path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
