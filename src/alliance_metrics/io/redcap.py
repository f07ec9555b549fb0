"""Read REDCap raw CSV exports, optionally checked against the project's data dictionary.

See :mod:`alliance_metrics.io.redcap_dictionary` for the dictionary itself.

Layout of a raw export: the record id (``record_id`` or the project's first field), then
``redcap_event_name``, ``redcap_repeat_instrument``, ``redcap_repeat_instance`` (when the project
has events or repeating forms), ``redcap_data_access_group`` and ``redcap_survey_identifier`` when
exported, then form by form: ``<form>_timestamp`` (surveys), the form's fields (checkboxes as
``<field>___<code>``) and ``<form>_complete`` (0 incomplete, 1 unverified, 2 complete). There is one
row per record × event for the non-repeating forms, plus one row per instance of a repeating form
or event; fields of other forms are blank on those rows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliance_metrics._params import check_choice, check_optional_text, resolve_instrument_arg
from alliance_metrics.columns import resolve_columns
from alliance_metrics.errors import InputFormatError, InvalidParameterError
from alliance_metrics.io._shared import (
    PathArg,
    display_name,
    empty_issues,
    name_columns,
    read_text_table,
    text_frame,
)
from alliance_metrics.io.exports import REDCAP_COLUMNS, ExportData
from alliance_metrics.io.redcap_dictionary import DictionaryField, check_choices, read_dictionary
from alliance_metrics.schemas import Instrument

__all__ = ["OTHER_REPEATING", "read_redcap"]

_FILLED_STATUS = {"1", "2", "unverified", "complete"}
_CHECKED = {"1", "checked"}
OTHER_REPEATING = "row of another repeating instrument"


@dataclass(frozen=True)
class _Layout:
    record: str
    event: str | None
    repeat_instrument: str | None
    instance: str | None
    extras: tuple[str, ...]
    forms: dict[str, list[str]]
    """Form name → its columns in the export (timestamp, fields, status), in header order."""


def _check_header(header: Sequence[str], name: str) -> None:
    if header[0] in REDCAP_COLUMNS:
        raise InputFormatError(
            f"'{name}': the first column is {header[0]!r}; a REDCap export starts with the "
            "record id field."
        )
    if {"Event Name", "Repeat Instrument", "Complete?"} & set(header):
        raise InputFormatError(
            f"'{name}' has REDCap label headers ('Event Name', 'Complete?', …): export it with "
            "raw variable names as the header (choice labels as values are fine)."
        )


def _forms_from_header(header: Sequence[str]) -> dict[str, list[str]]:
    forms: dict[str, list[str]] = {}
    block: list[str] = []
    for column in header[1:]:
        if column in REDCAP_COLUMNS:
            continue
        block.append(column)
        if column.endswith("_complete"):
            forms[column.removesuffix("_complete")] = block
            block = []
    return forms


def _forms_from_dictionary(
    header: Sequence[str], fields: Sequence[DictionaryField]
) -> dict[str, list[str]]:
    present = set(header)
    forms: dict[str, list[str]] = {}
    for dict_field in fields:
        if dict_field.name == header[0]:  # the record id, exported first
            continue
        columns = forms.setdefault(dict_field.form, [])
        if dict_field.type == "checkbox":
            prefix = f"{dict_field.name}___"
            columns.extend(c for c in header if c.startswith(prefix))
        elif dict_field.name in present:
            columns.append(dict_field.name)
    for form, columns in forms.items():
        if f"{form}_timestamp" in present:
            columns.insert(0, f"{form}_timestamp")
        if f"{form}_complete" in present:
            columns.append(f"{form}_complete")
    return {form: columns for form, columns in forms.items() if columns}


def _layout(header: Sequence[str], fields: Sequence[DictionaryField] | None, name: str) -> _Layout:
    _check_header(header, name)
    present = set(header)
    forms = _forms_from_header(header) if fields is None else _forms_from_dictionary(header, fields)
    if not forms:
        how = "fields of the data dictionary" if fields else "'<form>_complete' columns"
        raise InputFormatError(
            f"'{name}' has no {how}: is it a REDCap raw export? Export the form with its status "
            "column, or pass the project's data dictionary."
        )

    def optional(column: str) -> str | None:
        return column if column in present else None

    return _Layout(
        record=header[0],
        event=optional("redcap_event_name"),
        repeat_instrument=optional("redcap_repeat_instrument"),
        instance=optional("redcap_repeat_instance"),
        extras=tuple(
            c for c in ("redcap_data_access_group", "redcap_survey_identifier") if c in present
        ),
        forms=forms,
    )


def _special(form: str, column: str) -> bool:
    return column in {f"{form}_timestamp", f"{form}_complete"} or "___" in column


def _items_in_form(
    form: str,
    columns: Sequence[str],
    instrument: Instrument,
    fields: Mapping[str, DictionaryField] | None,
    by_order: bool,
) -> tuple[dict[str, str], str | None]:
    """Map items to the form's fields: by name, else (when allowed) by dictionary form order."""
    data_fields = [c for c in columns if not _special(form, c)]
    try:
        found = resolve_columns(data_fields, instrument)
        return {item.id: str(c) for item, c in zip(instrument.items, found, strict=True)}, None
    except InputFormatError as error:
        choice_fields = [
            c for c in data_fields if fields and fields[c].type in {"radio", "dropdown"}
        ]
        if not by_order or len(choice_fields) != instrument.n_items:
            raise InputFormatError(f"REDCap form {form!r}: {error}") from None
    note = (
        f"REDCap form {form!r}: the field names do not number the items, so its "
        f"{instrument.n_items} radio/dropdown fields were taken in form order as items 1 to "
        f"{instrument.n_items} ({', '.join(map(repr, choice_fields[:3]))}, …)."
    )
    return {item.id: c for item, c in zip(instrument.items, choice_fields, strict=True)}, note


def _choose_form(
    layout: _Layout,
    instrument: Instrument,
    fields: Mapping[str, DictionaryField] | None,
    form: str | None,
) -> tuple[str, dict[str, str], str | None]:
    if form is not None:
        if not isinstance(form, str):
            raise InvalidParameterError(
                f"The 'form' parameter of read_redcap must be a form name or None. "
                f"Got {type(form).__name__} instead."
            )
        check_choice("form", "read_redcap", form, layout.forms)
        items, note = _items_in_form(
            form, layout.forms[form], instrument, fields, by_order=fields is not None
        )
        return form, items, note
    found: dict[str, tuple[dict[str, str], str | None]] = {}
    errors: list[str] = []
    alone = len(layout.forms) == 1
    for name, columns in layout.forms.items():
        try:
            found[name] = _items_in_form(name, columns, instrument, fields, by_order=alone)
        except InputFormatError as error:
            errors.append(str(error))
    if len(found) == 1:
        name, (items, note) = next(iter(found.items()))
        return name, items, note
    if found:
        raise InputFormatError(
            f"Several REDCap forms hold the items of {instrument.id!r}: "
            f"{', '.join(map(repr, found))}. Pass form= to choose one."
        )
    if alone:
        raise InputFormatError(errors[0])
    raise InputFormatError(
        f"No REDCap form holds the {instrument.n_items} items of {instrument.id!r} (forms: "
        f"{', '.join(map(repr, layout.forms))}). Pass form= and a data dictionary to take a "
        "form's fields in order."
    )


def _form_slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", label.casefold()).strip("_")


def _administrations(
    table: pd.DataFrame, layout: _Layout, form: str
) -> tuple[npt.NDArray[np.bool_], dict[str, int]]:
    """Which rows are administrations of ``form``, and why the others were left out."""
    columns = layout.forms[form]
    n = len(table)
    filled = np.zeros(n, dtype=bool)
    for column in columns:
        text = table[column].str.strip().str.casefold()
        if column == f"{form}_complete":
            filled |= text.isin(_FILLED_STATUS).to_numpy()
        elif "___" in column:
            filled |= text.isin(_CHECKED).to_numpy()
        else:
            filled |= (text != "").to_numpy()
    repeat = np.zeros(n, dtype=bool)
    own = np.zeros(n, dtype=bool)
    if layout.repeat_instrument is not None:
        instrument_text = table[layout.repeat_instrument].str.strip()
        repeat = (instrument_text != "").to_numpy()
        own = (instrument_text.map(_form_slug) == form).to_numpy()
    keep = own | filled
    excluded = {
        OTHER_REPEATING: int((repeat & ~keep).sum()),
        f"no data in form {form!r}": int((~repeat & ~keep).sum()),
    }
    return keep, {reason: count for reason, count in excluded.items() if count}


def read_redcap(
    path: PathArg | bytes,
    instrument: str | Instrument,
    *,
    dictionary: PathArg | pd.DataFrame | None = None,
    form: str | None = None,
    name: str | None = None,
) -> ExportData:
    r"""Read the administrations of one instrument from a REDCap raw CSV export.

    The instrument's form is found by its fields (``wai_1`` … ``wai_12`` or the item ids), or
    named with ``form``. A row is an administration when it is an instance of that form as a
    repeating instrument, or when the form's fields carry data on it (a filled field, a checked
    box, a survey timestamp, or status unverified/complete; the default status 0 alone is not
    data). Every other row is left out and counted in ``excluded``.

    Parameters
    ----------
    path
        The raw export (CSV with variable names as header; codes or choice labels as values),
        or its content as bytes.
    instrument
        Instrument id or :class:`~alliance_metrics.Instrument`.
    dictionary
        The project's data dictionary (CSV path or DataFrame). With it, the form's fields come from
        the dictionary, every observed code is checked against the field's declared choices
        (``not_a_choice`` issues; the cell is left as given), choice labels are read back to
        codes, and codes whose labels are the instrument's anchors with other values (``0 =
        Seldom``) are translated to the instrument's values (and said so in ``notes``).
    form
        The form's unique name, when several forms hold the items.
    name
        How messages name the input (default: the file's name).

    Returns
    -------
    ExportData
        ``frame`` holds the record id, event, instance, data access group and survey identifier
        (when exported) and the form's columns, every cell the text of the file (pandas
        ``string``; blank cells ``""``): ``00123`` stays ``00123``. Only item cells that the
        dictionary declares are read back to their codes. ``item_columns`` maps items to
        fields; ``lines`` holds the line of each administration in the export (header = 1).

    Raises
    ------
    InputFormatError
        When the file is not a REDCap raw export or no (single) form holds the items.
    InvalidParameterError
        When ``form`` names no form of the export.

    Examples
    --------
    >>> import pathlib, tempfile, alliance_metrics as am
    >>> from alliance_metrics.io.redcap import read_redcap
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "export.csv"
    >>> _ = path.write_text("record_id,redcap_event_name,b1,b2,b3,wai_b3_complete\n"
    ...                     "1,week_1_arm_1,4,5,4,2\n1,week_2_arm_1,,,,0\n")
    >>> data = read_redcap(path, "wai-b3")
    >>> data.excluded
    {"no data in form 'wai_b3'": 1}
    >>> am.score_frame(data.frame, "wai-b3", columns=data.item_columns)["wai_b3_total"].tolist()
    [4.333333333333333]
    """
    inst = resolve_instrument_arg(instrument, "read_redcap")
    form = check_optional_text(form, "form", "read_redcap")
    name = name or ("<stdin>" if isinstance(path, bytes) else display_name(path))
    header, body, lines = read_text_table(path, name)
    table = name_columns(header, body, name)
    fields_list = read_dictionary(dictionary) if dictionary is not None else None
    fields = {f.name: f for f in fields_list} if fields_list is not None else None
    layout = _layout(list(table.columns), fields_list, name)
    chosen, items, order_note = _choose_form(layout, inst, fields, form)
    keep, excluded = _administrations(table, layout, chosen)
    ids = [c for c in (layout.record, layout.event, layout.instance) if c is not None]
    kept = table.loc[keep, [*ids, *layout.extras, *layout.forms[chosen]]].reset_index(drop=True)
    notes = [order_note] if order_note else []
    issues = empty_issues()
    if fields is not None:
        kept, issues, recode_notes = check_choices(kept, items, fields, inst)
        notes.extend(recode_notes)
    return ExportData(
        frame=text_frame(kept),
        item_columns=dict(items),
        id_columns=tuple(ids),
        excluded=excluded,
        issues=issues,
        source="redcap",
        notes=tuple(notes),
        lines=lines[keep],
    )
