"""REDCap data dictionaries: the fields of each form and the choices they declare.

The dictionary is the 18-column CSV of Project Setup > Data Dictionary (or the API's metadata
export). :func:`check_choices` checks observed codes against the declared choices and reads choice
labels back to codes; it never guesses a code the dictionary does not declare.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from alliance_metrics._text import normalize_label, show_value
from alliance_metrics.errors import InputFormatError, IssueCode
from alliance_metrics.io._shared import (
    PathArg,
    as_number,
    choice_recoding,
    display_name,
    issue_table,
    name_columns,
    order_issues,
    read_text_table,
)
from alliance_metrics.schemas import Instrument

__all__ = ["DictionaryField", "check_choices", "parse_choices", "read_dictionary"]

MAX_DICTIONARY_BYTES = 256 << 20
"""Largest data dictionary read (REDCap dictionaries are rarely over a few megabytes)."""
_CHOICE_TYPES = {"radio", "dropdown", "checkbox", "yesno", "truefalse"}
_IMPLICIT_CHOICES = {"yesno": {"1": "Yes", "0": "No"}, "truefalse": {"1": "True", "0": "False"}}
_DICTIONARY_COLUMNS = {
    "field": ("Variable / Field Name", "field_name"),
    "form": ("Form Name", "form_name"),
    "type": ("Field Type", "field_type"),
    "choices": ("Choices, Calculations, OR Slider Labels", "select_choices_or_calculations"),
}


@dataclass(frozen=True)
class DictionaryField:
    """One field of a REDCap data dictionary: name, form, type and declared choices."""

    name: str
    form: str
    type: str
    choices: dict[str, str]
    """Code → label, in declared order (empty when the field has no choices)."""


def parse_choices(text: str) -> dict[str, str]:
    """Parse a REDCap choice list ``"1, Seldom | 2, Sometimes"`` into ``{code: label}``.

    Examples
    --------
    >>> parse_choices("1, Seldom | 2, Sometimes | 3, Fairly Often")
    {'1': 'Seldom', '2': 'Sometimes', '3': 'Fairly Often'}
    """
    choices: dict[str, str] = {}
    for part in text.split("|"):
        if not part.strip():
            continue
        code, _, label = part.partition(",")
        choices[code.strip()] = label.strip()
    return choices


def _dictionary_table(dictionary: PathArg | pd.DataFrame) -> tuple[pd.DataFrame, str]:
    if isinstance(dictionary, pd.DataFrame):
        table, where = dictionary.astype("string").fillna(""), "the data dictionary"
    else:
        name = display_name(dictionary)
        header, body, _ = read_text_table(dictionary, limit=MAX_DICTIONARY_BYTES)
        table, where = name_columns(header, body, name), f"data dictionary '{name}'"
    table.columns = pd.Index([str(c).strip() for c in table.columns], dtype=object)
    return table, where


def read_dictionary(dictionary: PathArg | pd.DataFrame) -> list[DictionaryField]:
    """Read a REDCap data dictionary (the 18-column CSV download, or the API's metadata export).

    Parameters
    ----------
    dictionary
        Path of the CSV file, or a DataFrame of it.

    Returns
    -------
    list of DictionaryField
        Fields in dictionary (form) order; descriptive fields are left out (they hold no data).

    Raises
    ------
    InputFormatError
        When the columns naming fields, forms, types and choices are missing.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"Variable / Field Name": ["record_id", "wai_1"],
    ...     "Form Name": ["wai_sr", "wai_sr"], "Field Type": ["text", "radio"],
    ...     "Choices, Calculations, OR Slider Labels": ["", "1, Seldom | 5, Always"]})
    >>> read_dictionary(table)[1].choices
    {'1': 'Seldom', '5': 'Always'}
    """
    table, where = _dictionary_table(dictionary)
    found: dict[str, str] = {}
    for key, spellings in _DICTIONARY_COLUMNS.items():
        match = next((s for s in spellings if s in table.columns), None)
        if match is None:
            raise InputFormatError(
                f"{where} lacks the column {spellings[0]!r}: is it a REDCap data dictionary "
                "(Project Setup > Data Dictionary > Download)?"
            )
        found[key] = match
    fields = []
    for _, row in table.iterrows():  # one row per field: dictionaries are small
        name = str(row[found["field"]]).strip()
        kind = str(row[found["type"]]).strip().casefold()
        if not name or kind == "descriptive":
            continue
        declared = _IMPLICIT_CHOICES.get(kind)
        if declared is None:
            text = str(row[found["choices"]])
            declared = parse_choices(text) if kind in _CHOICE_TYPES else {}
        fields.append(DictionaryField(name, str(row[found["form"]]).strip(), kind, declared))
    if not fields:
        raise InputFormatError(f"{where} declares no fields.")
    return fields


def check_choices(
    frame: pd.DataFrame,
    items: Mapping[str, str],
    fields: Mapping[str, DictionaryField],
    instrument: Instrument,
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Check item cells against the dictionary's choices; translate labels and shifted codes."""
    frame = frame.copy()
    rows: list[int] = []
    cols: list[str] = []
    values: list[object] = []
    messages: list[str] = []
    recoded: dict[str, list[str]] = {}
    for column in items.values():
        declared = fields[column].choices if column in fields else {}
        if not declared:
            continue
        recode = choice_recoding(f"data dictionary field {column!r}", declared, instrument)
        text = frame[column].astype("string").str.strip().fillna("")
        numeric = {as_number(c): c for c in declared if as_number(c) is not None}
        labels = {normalize_label(label): c for c, label in declared.items()}
        code = text.where(text.isin(list(declared)))
        code = code.fillna(pd.to_numeric(text, errors="coerce").map(numeric))
        code = code.fillna(text.map(normalize_label).map(labels))
        invalid = (text != "") & code.isna()
        if recode is not None:
            code = code.map({c: f"{v:g}" for c, v in recode.items()})
            shown = ", ".join(f"{c}→{v:g}" for c, v in recode.items())
            recoded.setdefault(shown, []).append(column)
        frame[column] = code.where(~invalid, text).fillna("")
        listed = ", ".join(declared)
        for position in np.flatnonzero(invalid.to_numpy()):
            raw = str(text.iloc[position])
            rows.append(int(position))
            cols.append(column)
            values.append(raw)
            messages.append(
                f"row {position}, column {column!r}: response must be one of the choices the "
                f"data dictionary declares for this field ({listed}, or their labels). "
                f"Got {show_value(raw)}."
            )
    notes = [
        f"Data dictionary codes of {', '.join(map(repr, columns))} translated by their labels to "
        f"the values of {instrument.id!r}: {mapping}."
        for mapping, columns in recoded.items()
    ]
    codes = [str(IssueCode.NOT_A_CHOICE)] * len(rows)
    issues = order_issues(issue_table(rows, cols, values, codes, messages), list(frame.columns))
    return frame, issues, notes
