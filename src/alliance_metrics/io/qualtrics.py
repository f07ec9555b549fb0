"""Read Qualtrics CSV exports (current three-header-row format and the legacy two-row format).

Current format: row 1 holds the column names (``StartDate``, …, ``ResponseId``, ``Q5_1``), row 2
the question text, row 3 one ``{"ImportId": "QID20_7"}`` JSON object per column. Legacy format:
row 1 the names (or ``V1``, ``V2``, … for the metadata, named in row 2), row 2 the question text.
Header rows 2 and 3 are metadata, never data.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from alliance_metrics._params import check_bool, resolve_instrument_arg
from alliance_metrics.columns import resolve_columns
from alliance_metrics.errors import InputFormatError
from alliance_metrics.io._shared import (
    PathArg,
    display_name,
    empty_issues,
    name_columns,
    read_text_table,
    text_frame,
)
from alliance_metrics.io.exports import ExportData
from alliance_metrics.schemas import Instrument

__all__ = ["METADATA_COLUMNS", "read_qualtrics"]

METADATA_COLUMNS = frozenset(
    {
        "StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)",
        "Finished", "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName",
        "RecipientEmail", "ExternalReference", "LocationLatitude", "LocationLongitude",
        "DistributionChannel", "UserLanguage",
        # legacy exports
        "ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress",
    }
)  # fmt: skip
"""Response metadata columns of current and legacy exports (kept, never taken for items)."""

_IMPORT_ID = re.compile(r"""ImportId["']?\s*:\s*["']([^"']*)["']""")
_MATRIX_IMPORT_ID = re.compile(r"^QID\d+_(\d+)$")
_HEADER_NUMBER = re.compile(r"_(\d+)$")
_STATUS_LEFT_OUT = {
    "1": "survey preview (Status 1)",
    "survey preview": "survey preview (Status 1)",
    "2": "survey test (Status 2)",
    "survey test": "survey test (Status 2)",
}
_SEEN_UNANSWERED = -99.0


@dataclass(frozen=True)
class _Layout:
    header: list[str]
    n_meta: int
    import_ids: list[str | None] | None
    id_column: str
    fmt: str


def _import_ids(row: Sequence[str]) -> list[str | None]:
    found = [_IMPORT_ID.search(cell) for cell in row]
    return [m.group(1) if m else None for m in found]


def _layout(raw_header: list[str], body: pd.DataFrame, name: str) -> _Layout:
    rows = [raw_header, *(list(body.iloc[i].str.strip()) for i in range(min(2, len(body))))]
    header = rows[0]
    fmt = "current"
    if header[:1] == ["V1"] and len(rows) > 1 and rows[1][:1] == ["ResponseID"]:
        header = [rows[1][j] if re.fullmatch(r"V\d+", h) else h for j, h in enumerate(header)]
        fmt = "legacy"
    id_column = next((c for c in ("ResponseId", "ResponseID") if c in header), None)
    if id_column is None:
        raise InputFormatError(
            f"'{name}' has no 'ResponseId' column: is it a Qualtrics CSV export (Data & "
            "Analysis > Export & Import > Export data > CSV)?"
        )
    position = header.index(id_column)
    if len(rows) > 2 and _IMPORT_ID.search(rows[2][position]):
        return _Layout(header, 2, _import_ids(rows[2]), id_column, fmt)
    second = rows[1][position] if len(rows) > 1 else ""
    if second and not second.startswith("R_"):
        return _Layout(header, 1, None, id_column, "legacy")
    return _Layout(header, 0, None, id_column, "plain")


def _leave_out(table: pd.DataFrame, include_previews: bool) -> tuple[pd.Series, dict[str, int]]:
    keep = pd.Series(True, index=table.index)
    if include_previews or "Status" not in table.columns:
        return keep, {}
    reasons = table["Status"].str.strip().str.casefold().map(_STATUS_LEFT_OUT)
    counts = reasons.value_counts(sort=False)
    return reasons.isna(), {str(reason): int(n) for reason, n in counts.items()}


def _items_by_import_id(
    columns: Sequence[str], import_ids: Sequence[str | None], instrument: Instrument, name: str
) -> tuple[dict[str, Hashable], list[str]]:
    groups: dict[str, dict[int, str]] = {}
    for column, import_id in zip(columns, import_ids, strict=True):
        match = _MATRIX_IMPORT_ID.match(import_id or "")
        if match and column not in METADATA_COLUMNS:
            question = (import_id or "").rsplit("_", 1)[0]
            groups.setdefault(question, {})[int(match.group(1))] = column
    wanted = set(range(1, instrument.n_items + 1))
    covering = {q: numbered for q, numbered in groups.items() if wanted <= set(numbered)}
    if len(covering) != 1:
        what = "Several" if covering else "No"
        listed = ", ".join(sorted(covering or groups)) or "none"
        raise InputFormatError(
            f"'{name}': {what} matrix question(s) have ImportIds numbering items 1 to "
            f"{instrument.n_items} of {instrument.id!r} (questions: {listed}). Pass "
            "use_import_ids=False and give the item columns when scoring."
        )
    question, numbered = next(iter(covering.items()))
    extra = sorted(n for n in numbered if n not in wanted)
    if extra:
        raise InputFormatError(
            f"'{name}': matrix question {question} has ImportIds beyond item "
            f"{instrument.n_items} ({', '.join(f'{question}_{n}' for n in extra)}): is it a "
            f"longer form than {instrument.id!r}?"
        )
    items: dict[str, Hashable] = {item.id: numbered[item.number] for item in instrument.items}
    moved = [
        f"{numbered[n]!r} is item {n} ({question}_{n})"
        for n in sorted(wanted)
        if (m := _HEADER_NUMBER.search(numbered[n])) is None or int(m.group(1)) != n
    ]
    notes = [f"Items numbered by ImportId, not by the header: {'; '.join(moved)}."] if moved else []
    return items, notes


def _header_mismatches(
    items: Mapping[str, Hashable], import_of: Mapping[str, str | None], instrument: Instrument
) -> list[str]:
    wrong = []
    for item in instrument.items:
        column = str(items[item.id])
        match = _MATRIX_IMPORT_ID.match(import_of.get(column) or "")
        if match and int(match.group(1)) != item.number:
            wrong.append(f"{column!r} has ImportId {import_of[column]}")
    if not wrong:
        return []
    return [
        f"The header and the ImportIds number items differently ({'; '.join(wrong)}): the "
        "header was used; pass use_import_ids=True (--use-import-ids) if the ImportIds carry "
        "the real numbering."
    ]


def _range_notes(
    frame: pd.DataFrame, items: Mapping[str, Hashable], instrument: Instrument
) -> list[str]:
    scale = instrument.response_scale
    found = []
    seen_unanswered = False
    for column in items.values():
        numbers = pd.to_numeric(frame[column].astype("string").str.strip(), errors="coerce")
        values = numbers.to_numpy(dtype=np.float64, na_value=np.nan)
        below, above = values < scale.min, values > scale.max
        n_outside = int(below.sum() + above.sum())
        if n_outside:
            # counts and sides only: the values are respondents' answers
            seen_unanswered |= bool((values == _SEEN_UNANSWERED).any())
            side = " and ".join(
                word for word, hit in (("below", below.any()), ("above", above.any())) if hit
            )
            found.append(
                f"{column!r} ({n_outside:,} {'cell' if n_outside == 1 else 'cells'} {side})"
            )
    if not found:
        return []
    hint = (
        " -99 marks 'seen but unanswered' when that export option is on." if seen_unanswered else ""
    )
    return [
        f"Values outside the range of {instrument.id!r} ({scale.min:g} to {scale.max:g}) in "
        f"{', '.join(found)}: Qualtrics recode values follow the order in which choices were "
        "created and freeze once responses exist; check the question's Recode Values and "
        f"export again. Nothing was recoded; validation reports each cell.{hint}"
    ]


def read_qualtrics(
    path: PathArg | bytes,
    instrument: str | Instrument,
    *,
    include_previews: bool = False,
    use_import_ids: bool = False,
    name: str | None = None,
) -> ExportData:
    r"""Read the responses of a Qualtrics CSV export.

    Every response is an administration, except survey previews and tests (``Status`` 1 and 2,
    or ``Survey Preview``/``Survey Test`` in a choice-text export), which are left out and counted
    unless ``include_previews`` is true. Numeric exports keep Qualtrics' recode values as they are
    (values outside the instrument's range are named in ``notes`` and reported by validation);
    choice-text exports keep the labels, which scoring maps through the instrument's anchors.

    Parameters
    ----------
    path
        The CSV export (current three-header-row format, or legacy two-row format), or its
        content as bytes.
    instrument
        Instrument id or :class:`~alliance_metrics.Instrument`.
    include_previews
        Keep survey-preview and survey-test responses.
    use_import_ids
        Number the items by the ImportIds of header row 3 (``QID20_7`` is item 7) instead of the
        column names; columns whose names say otherwise are named in ``notes``. Needs the
        current format.
    name
        How messages name the input (default: the file's name).

    Returns
    -------
    ExportData
        ``frame`` holds every column (metadata, questions, embedded data), every cell the text
        of the file (pandas ``string``; blank cells ``""``): a text-entry answer ``02139`` stays
        ``02139``, and item cells are judged by validation. ``id_columns`` is
        ``("ResponseId",)`` (``"ResponseID"`` in legacy exports); ``lines`` holds the line of
        each response in the export (header = 1, so the first response of the current format
        is line 4, of the legacy format line 3).

    Raises
    ------
    InputFormatError
        When the file is not a Qualtrics export, or ImportIds are asked for and not usable.
    InvalidParameterError
        When a flag is not a bool.

    Examples
    --------
    >>> import pathlib, tempfile, alliance_metrics as am
    >>> from alliance_metrics.io.qualtrics import read_qualtrics
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "export.csv"
    >>> ids = ["startDate", "status", "_recordId", "QID4_1", "QID4_2", "QID4_3"]
    >>> _ = path.write_text(
    ...     "StartDate,Status,ResponseId,Q1_1,Q1_2,Q1_3\n"
    ...     "Start Date,Response Type,Response ID,WAI - a,WAI - b,WAI - c\n"
    ...     + ",".join(f'"{{""ImportId"":""{i}""}}"' for i in ids) + "\n"
    ...     "2024-01-05 10:00:00,0,R_1a,4,5,4\n2024-01-05 09:00:00,1,R_0p,1,1,1\n")
    >>> data = read_qualtrics(path, "wai-b3")
    >>> data.excluded, data.item_columns
    ({'survey preview (Status 1)': 1}, {'item1': 'Q1_1', 'item2': 'Q1_2', 'item3': 'Q1_3'})
    >>> am.score_frame(data.frame, "wai-b3", columns=data.item_columns)["wai_b3_total"].tolist()
    [4.333333333333333]
    """
    func = "read_qualtrics"
    include_previews = check_bool(include_previews, "include_previews", func)
    use_import_ids = check_bool(use_import_ids, "use_import_ids", func)
    inst = resolve_instrument_arg(instrument, func)
    name = name or ("<stdin>" if isinstance(path, bytes) else display_name(path))
    raw_header, body, lines = read_text_table(path, name)
    layout = _layout(raw_header, body, name)
    table = name_columns(layout.header, body.iloc[layout.n_meta :], name).reset_index(drop=True)
    lines = lines[layout.n_meta :]
    columns = [str(c) for c in table.columns]
    import_ids = layout.import_ids[: len(columns)] if layout.import_ids is not None else None
    keep, excluded = _leave_out(table, include_previews)
    table = table.loc[keep.to_numpy()].reset_index(drop=True)
    lines = lines[keep.to_numpy()]
    notes: list[str] = []
    if layout.fmt == "plain":
        notes.append(f"'{name}' has no question-text or ImportId rows: row 2 was read as data.")
    questions = [c for c in columns if c not in METADATA_COLUMNS]
    items: dict[str, Hashable] | None
    if use_import_ids:
        if import_ids is None:
            raise InputFormatError(
                f"'{name}' has no ImportId row (row 3 of the current export format), so "
                "use_import_ids=True cannot be honoured; export again from Qualtrics or pass "
                "use_import_ids=False."
            )
        items, id_notes = _items_by_import_id(columns, import_ids, inst, name)
        notes.extend(id_notes)
    else:
        try:
            found = resolve_columns(questions, inst)
            items = {item.id: c for item, c in zip(inst.items, found, strict=True)}
        except InputFormatError:
            items = None
        if items is not None and import_ids is not None:
            notes.extend(
                _header_mismatches(items, dict(zip(columns, import_ids, strict=True)), inst)
            )
    if items is not None:
        notes.extend(_range_notes(table, items, inst))
    return ExportData(
        frame=text_frame(table),
        item_columns=items,
        id_columns=(layout.id_column,),
        excluded=excluded,
        issues=empty_issues(),
        source="qualtrics",
        notes=tuple(notes),
        lines=lines,
    )
