"""The common result of the export readers, and detection of an export's source.

Every reader (:func:`~alliance_metrics.io.redcap.read_redcap`,
:func:`~alliance_metrics.io.qualtrics.read_qualtrics`, :func:`~alliance_metrics.io.spss.read_spss`)
returns an :class:`ExportData`: a canonical wide frame, one row per administration, ready for
``score_frame``. Readers parse and map; they never score.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt

from alliance_metrics.io._text import PathArg
from alliance_metrics.io.inputs import open_input
from alliance_metrics.io.sniff import head_records, sniff_delimiter

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["REDCAP_COLUMNS", "ExportData", "Source", "detect_in_sample", "detect_source"]

Source = Literal["csv", "redcap", "qualtrics", "spss"]

REDCAP_COLUMNS = (
    "redcap_event_name",
    "redcap_repeat_instrument",
    "redcap_repeat_instance",
    "redcap_data_access_group",
    "redcap_survey_identifier",
)
"""Columns that REDCap adds to a raw export (after the record id)."""

_REDCAP_LABEL_HEADERS = {"Event Name", "Repeat Instrument", "Repeat Instance", "Complete?"}


def _no_issues() -> pd.DataFrame:
    from alliance_metrics.io._shared import empty_issues

    return empty_issues()


@dataclass(frozen=True, eq=False)
class ExportData:
    """What a reader found in an export: administrations, their item columns and what was left out.

    Attributes
    ----------
    frame
        Canonical wide frame: identifier and metadata columns plus item columns, one row per
        administration, in the order of the file.
    item_columns
        Item id → column, when the reader knows it (pass it as ``columns=`` to ``score_frame``);
        ``None`` when scoring should auto-detect the item columns.
    id_columns
        Columns that identify an administration (``record_id``, event, instance; ``ResponseId``).
    excluded
        Reason → number of input rows left out (e.g. ``"survey preview (Status 1)"``). Rows that
        are kept are never counted here; kept + excluded = the rows of the file.
    issues
        Cell problems found while reading, with the columns of
        :attr:`ValidationReport.failure_cases <alliance_metrics.ValidationReport.failure_cases>`
        (``row`` is the position in ``frame``). Code ``not_a_choice`` marks an invalid cell left
        as given; ``user_missing`` marks a declared missing code that was turned into an
        unanswered item (not an invalid cell).
    source
        ``"redcap"``, ``"qualtrics"``, ``"spss"`` or ``"csv"``.
    notes
        Sentences about what the reader translated or suspects (recoded choices, ImportId
        mismatches, values outside the instrument's range); they name columns, never people.
    lines
        The 1-based line in the file of each row of ``frame`` (``None``: row + 2).

    Examples
    --------
    >>> import pandas as pd
    >>> data = ExportData(frame=pd.DataFrame({"id": ["a"], "wai_1": [4]}), item_columns=None,
    ...                   id_columns=("id",), excluded={})
    >>> data.n_excluded, list(data.issues.columns)
    (0, ['row', 'column', 'value', 'code', 'message'])
    """

    frame: pd.DataFrame
    item_columns: dict[str, Hashable] | None
    id_columns: tuple[str, ...]
    excluded: dict[str, int]
    issues: pd.DataFrame = field(default_factory=_no_issues)
    source: Source = "csv"
    notes: tuple[str, ...] = ()
    lines: npt.NDArray[np.int64] | None = None

    def line_numbers(self) -> npt.NDArray[np.int64]:
        """Return the 1-based line of each row of ``frame`` in the file (as a spreadsheet counts).

        Readers that leave rows out or read several header rows set :attr:`lines`; otherwise
        row ``i`` is line ``i + 2`` (the header is line 1).
        """
        if self.lines is not None:
            return self.lines
        return np.arange(2, len(self.frame) + 2, dtype=np.int64)

    @property
    def n_excluded(self) -> int:
        """Number of input rows left out, whatever the reason."""
        return sum(self.excluded.values())


def _is_redcap(header: Sequence[str]) -> bool:
    names = set(header)
    if names & set(REDCAP_COLUMNS):
        return True
    if "record_id" in names and any(h.endswith("_complete") for h in header):
        return True
    return len(names & _REDCAP_LABEL_HEADERS) >= 2


def _is_qualtrics(rows: Sequence[Sequence[str]]) -> bool:
    header = [cell.strip() for cell in rows[0]]
    names = set(header)
    if names & {"ResponseId", "ResponseID"} and names & {"StartDate", "Status", "RecordedDate"}:
        return True
    if len(rows) > 2 and any('"ImportId"' in cell or "'ImportId'" in cell for cell in rows[2]):
        return True
    return bool(header and header[0] == "V1" and len(rows) > 1 and rows[1][:1] == ["ResponseID"])


def detect_in_sample(sample: bytes, suffix: str = "") -> Source:
    """Say which system exported a file from its extension and the first bytes of its data."""
    if suffix.casefold() in {".sav", ".zsav"}:
        return "spss"
    text = sample.decode("utf-8-sig", errors="replace")
    rows = head_records(text, sniff_delimiter(text), 3)
    if not rows:
        return "csv"
    if _is_redcap([cell.strip() for cell in rows[0]]):
        return "redcap"
    if _is_qualtrics(rows):
        return "qualtrics"
    return "csv"


def detect_source(path: PathArg) -> Source:
    r"""Say which system exported a file, from its extension and header.

    ``.sav``/``.zsav`` files are SPSS; a CSV whose header has REDCap's columns
    (``redcap_event_name``, ``redcap_repeat_instrument``, …, or ``record_id`` with
    ``<form>_complete``) is REDCap; a CSV with ``ResponseId`` and Qualtrics metadata columns, or
    an ``ImportId`` header row, is Qualtrics; anything else is a plain CSV.

    Parameters
    ----------
    path
        The file to inspect. Only its first records are read (gzip-compressed files too).

    Returns
    -------
    str
        ``"spss"``, ``"redcap"``, ``"qualtrics"`` or ``"csv"``.

    Raises
    ------
    InputFormatError
        When the file cannot be read.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> text = "record_id,redcap_event_name,wai_1\n1,baseline_arm_1,4\n"
    >>> _ = (folder / "export.csv").write_text(text)
    >>> detect_source(folder / "export.csv")
    'redcap'
    """
    if Path(path).suffix.casefold() in {".sav", ".zsav"}:
        return "spss"
    opened = open_input(path)
    try:
        return detect_in_sample(opened.sample, Path(path).suffix)
    finally:
        opened.close()
