"""Read any supported export into an :class:`~alliance_metrics.io.exports.ExportData`.

The dispatch of the whole-file path: the export's kind is detected from its start (or given),
and the matching reader parses it. Readers parse and map columns; they never score.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pyarrow as pa

from alliance_metrics._params import check_bool, check_choice, check_optional_text
from alliance_metrics.errors import InvalidParameterError
from alliance_metrics.io.csv import open_csv_source
from alliance_metrics.io.exports import ExportData, Source, detect_in_sample
from alliance_metrics.io.inputs import InputSource
from alliance_metrics.schemas import Instrument

__all__ = ["SOURCES", "ReaderOptions", "read_export"]

SOURCES = ("auto", "csv", "redcap", "qualtrics", "spss")
"""Values of ``source_format``."""
Coding = Literal["label", "position"]


@dataclass(frozen=True)
class ReaderOptions:
    """How to read an input, checked once (:meth:`resolve`) at the top of the public call."""

    source_format: str = "auto"
    dictionary: str | Path | None = None
    form: str | None = None
    coding: Coding = "label"
    include_previews: bool = False
    use_import_ids: bool = False

    @classmethod
    def resolve(
        cls,
        func: str,
        *,
        source_format: object = "auto",
        dictionary: object = None,
        form: object = None,
        coding: object = "label",
        include_previews: object = False,
        use_import_ids: object = False,
    ) -> ReaderOptions:
        """Check every reader option for the public function ``func``."""
        if dictionary is not None and not isinstance(dictionary, str | Path):
            raise InvalidParameterError(
                f"The 'dictionary' parameter of {func} must be a path or None. "
                f"Got {type(dictionary).__name__} instead.",
                parameter="dictionary",
                function=func,
            )
        return cls(
            source_format=check_choice("source_format", func, source_format, SOURCES),
            dictionary=dictionary,
            form=check_optional_text(form, "form", func),
            coding=check_choice("coding", func, coding, ("label", "position")),
            include_previews=check_bool(include_previews, "include_previews", func),
            use_import_ids=check_bool(use_import_ids, "use_import_ids", func),
        )

    def kind(self, opened: InputSource) -> Source:
        """Return the kind of export ``opened`` is (given, or detected from its start)."""
        if self.source_format != "auto":
            return self.source_format  # type: ignore[return-value]
        suffix = opened.path.suffix if opened.path is not None else Path(opened.name).suffix
        return detect_in_sample(opened.sample, suffix)

    def needs_reader(self, opened: InputSource) -> bool:
        """Whether ``opened`` must be read whole by an export reader instead of streamed."""
        if self.coding == "position" or self.dictionary is not None or self.form is not None:
            return True
        return self.kind(opened) != "csv"


def read_export(
    opened: InputSource,
    instrument: Instrument,
    options: ReaderOptions,
    *,
    encoding: str,
    delimiter: str | None,
    func: str,
) -> ExportData:
    """Read ``opened`` with the matching reader (the input is consumed)."""
    kind = options.kind(opened)
    if kind != "redcap" and (options.dictionary is not None or options.form is not None):
        given = "dictionary" if options.dictionary is not None else "form"
        raise InvalidParameterError(
            f"The {given!r} parameter of {func} applies to REDCap exports only; this input was "
            f"read as {kind}.",
            parameter=given,
            function=func,
        )
    if kind in ("redcap", "qualtrics") and encoding not in ("utf-8", "utf-8-sig"):
        raise InvalidParameterError(
            f"The 'encoding' parameter of {func} applies to plain CSV files; {kind} exports are "
            f"read as UTF-8, as {kind} writes them.",
            parameter="encoding",
            function=func,
        )
    if kind == "redcap":
        from alliance_metrics.io.redcap import read_redcap

        return read_redcap(
            _content(opened),
            instrument,
            dictionary=options.dictionary,
            form=options.form,
            name=opened.name,
        )
    if kind == "qualtrics":
        from alliance_metrics.io.qualtrics import read_qualtrics

        return read_qualtrics(
            _content(opened),
            instrument,
            include_previews=options.include_previews,
            use_import_ids=options.use_import_ids,
            name=opened.name,
        )
    if kind == "spss":
        from alliance_metrics.io.spss import read_spss

        if opened.path is None:
            raise InvalidParameterError(
                f"SPSS files must be read from a regular file, not a stream ({opened.name}).",
                parameter="source",
                function=func,
            )
        opened.close()
        return read_spss(opened.path, instrument)
    return _read_plain_csv(opened, encoding, delimiter, func)


def _content(opened: InputSource) -> Path | bytes:
    """Return a regular file's path (read by the reader), or every byte of a stream."""
    if opened.path is not None and not opened.compressed and not opened.translate_cr:
        opened.close()
        return opened.path
    try:
        return opened.read_all()
    finally:
        opened.close()


def _read_plain_csv(
    opened: InputSource, encoding: str, delimiter: str | None, func: str
) -> ExportData:
    import pandas as pd

    source = open_csv_source(opened, encoding=encoding, delimiter=delimiter, func=func)
    try:
        batches = list(source.batches())
    finally:
        source.close()
    schema = pa.schema([pa.field(c, pa.string()) for c in source.columns])
    table = pa.concat_tables([b.table for b in batches]) if batches else schema.empty_table()
    frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype()}.get)
    frame.columns = pd.Index(source.columns, dtype=object)
    lines = np.concatenate([b.lines for b in batches]) if batches else np.empty(0, np.int64)
    return ExportData(frame=frame, item_columns=None, id_columns=(), excluded={}, lines=lines)
