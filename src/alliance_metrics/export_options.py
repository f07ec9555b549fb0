"""Options of the whole-file (export) path that ``score_csv`` checks before reading anything.

Kept apart from :mod:`alliance_metrics.export_scoring` so that scoring a plain CSV file never
imports pandas: the streaming path decides here whether a reader is needed at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from alliance_metrics._params import check_choice
from alliance_metrics.io.csv import OutputFormat
from alliance_metrics.io.exports import detect_source

if TYPE_CHECKING:
    from alliance_metrics.io.exports import ExportData
    from alliance_metrics.schemas import Instrument

__all__ = ["SOURCES", "ReaderOptions", "WholeFileOutput", "round_scores"]

SOURCES = ("auto", "csv", "redcap", "qualtrics", "spss")
"""Values of ``source_format`` / ``--source``."""


def round_scores(scores: npt.NDArray[np.float64], precision: int | None) -> npt.NDArray[np.float64]:
    """Round to ``precision`` decimals (NumPy's round half to even), or leave exact (``None``)."""
    return scores if precision is None else np.round(scores, precision)


@dataclass(frozen=True)
class ReaderOptions:
    """How to read an export that is not a plain, label-coded CSV."""

    source_format: str = "auto"
    dictionary: str | Path | None = None
    form: str | None = None
    coding: str = "label"
    include_previews: bool = False
    use_import_ids: bool = False

    def needs_reader(self, source: str | Path | IO[bytes]) -> bool:
        """Whether ``source`` must be read whole by an export reader instead of streamed."""
        check_choice("source_format", "score_csv", self.source_format, SOURCES)
        check_choice("coding", "score_csv", self.coding, ("label", "position"))
        if self.coding == "position" or self.source_format not in ("auto", "csv"):
            return True
        if self.dictionary is not None or self.form is not None:
            return True
        return (
            self.source_format == "auto"
            and isinstance(source, str | Path)
            and detect_source(source) != "csv"
        )

    def read(
        self,
        source: str | Path | IO[bytes],
        instrument: Instrument,
        encoding: str,
        delimiter: str | None,
    ) -> ExportData:
        """Read ``source`` with the matching reader."""
        from alliance_metrics.export_scoring import read_export

        return read_export(
            source,
            instrument,
            source_format=self.source_format,
            dictionary=self.dictionary,
            form=self.form,
            include_previews=self.include_previews,
            use_import_ids=self.use_import_ids,
            encoding=encoding,
            delimiter=delimiter,
        )


@dataclass(frozen=True)
class WholeFileOutput:
    """Where and how an export read whole is written."""

    path: Path | None
    stream: IO[bytes] | None
    errors_path: Path | None
    output_format: OutputFormat
    sanitize: bool
    precision: int | None
    delimiter: str | None
