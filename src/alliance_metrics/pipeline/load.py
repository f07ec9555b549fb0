"""Read an input for an analysis: any supported export, as a frame with its item columns."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from alliance_metrics._params import check_delimiter, check_encoding, resolve_instrument_arg
from alliance_metrics.io.exports import ExportData
from alliance_metrics.io.inputs import open_input
from alliance_metrics.io.readers import ReaderOptions, read_export
from alliance_metrics.schemas import Instrument

__all__ = ["load_export"]


def load_export(
    source: str | Path | IO[bytes],
    instrument: str | Instrument,
    *,
    source_format: str = "auto",
    encoding: str = "utf-8",
    delimiter: str | None = None,
    dictionary: str | Path | None = None,
    form: str | None = None,
    include_previews: bool = False,
    use_import_ids: bool = False,
    func: str = "load_export",
) -> ExportData:
    r"""Read a CSV file or export whole, as the analyses (reliability, session series) need it.

    Parameters are those of :func:`~alliance_metrics.score_csv`; ``func`` names the public
    function (or command) the caller serves, for messages.

    Examples
    --------
    >>> import io
    >>> data = load_export(io.BytesIO(b"id,wai_1,wai_2,wai_3\n007,4,5,4\n"), "wai-b3")
    >>> data.frame["id"].tolist(), data.source
    (['007'], 'csv')
    """
    inst = resolve_instrument_arg(instrument, func)
    options = ReaderOptions.resolve(
        func,
        source_format=source_format,
        dictionary=dictionary,
        form=form,
        include_previews=include_previews,
        use_import_ids=use_import_ids,
    )
    text_encoding = check_encoding(encoding, func)
    field_delimiter = check_delimiter(delimiter, func)
    opened = open_input(source)
    try:
        return read_export(
            opened, inst, options, encoding=text_encoding, delimiter=field_delimiter, func=func
        )
    finally:
        opened.close()
