"""Read SPSS ``.sav`` files (optional extra ``alliance-metrics[spss]``, which installs pyreadstat).

Values are read as stored (codes, not labels). User-defined missing codes (``9 = refused``) in
item columns turn into unanswered items and are kept in ``issues`` with code ``user_missing``
(other variables keep them: every variable that is not an item is passed through as stored);
value labels are used to check the codes against the instrument's anchors; variable labels help
find the item columns when the variable names do not number the items. Restricted-numeric
identifiers (format ``N5``) are given as SPSS shows them, with leading zeros (``00123``).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping, Sequence
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliance_metrics._optional import import_optional
from alliance_metrics._params import resolve_instrument_arg
from alliance_metrics._text import show_value
from alliance_metrics.columns import resolve_columns
from alliance_metrics.errors import InputFormatError, IssueCode, MissingDependencyError
from alliance_metrics.io._shared import (
    PathArg,
    choice_recoding,
    display_name,
    issue_table,
    order_issues,
)
from alliance_metrics.io.exports import ExportData
from alliance_metrics.schemas import Instrument

__all__ = ["MissingDependencyError", "read_spss"]

_RESTRICTED = re.compile(r"N(?P<width>\d+)")


def _pyreadstat() -> ModuleType:
    return import_optional("pyreadstat", "spss", "Reading SPSS .sav files")


def _read(path: PathArg) -> tuple[pd.DataFrame, Any]:
    module = _pyreadstat()
    name = display_name(path)
    failures = tuple(
        getattr(module, error) for error in ("ReadstatError", "PyreadstatError")
        if isinstance(getattr(module, error, None), type)
    )  # fmt: skip
    try:
        frame, meta = module.read_sav(str(path), user_missing=True, dates_as_pandas_datetime=True)
    except (OSError, UnicodeDecodeError, *failures) as error:
        raise InputFormatError(f"Cannot read '{name}' as an SPSS .sav file: {error}.") from None
    return frame, meta


def _restricted_numbers(
    frame: pd.DataFrame, formats: Mapping[str, str], items: Sequence[Hashable]
) -> pd.DataFrame:
    """Write restricted-numeric (``N5``) variables as SPSS shows them: ``123`` is ``00123``.

    SPSS displays (and exports) these identifier formats with leading zeros; other numeric
    variables stay numbers. Item columns are never touched.
    """
    frame = frame.copy()
    for column in frame.columns:
        match = _RESTRICTED.fullmatch(str(formats.get(str(column), "")))
        series = frame[column]
        if match is None or column in items or not pd.api.types.is_float_dtype(series.dtype):
            continue
        whole = series.dropna()
        if not bool((whole.mod(1) == 0).all() and (whole >= 0).all() and (whole < 2.0**53).all()):
            continue
        digits = series.astype("Int64").astype("string")
        frame[column] = digits.str.zfill(int(match["width"]))
    return frame


def _find_items(
    frame: pd.DataFrame, labels: Mapping[str, str | None], instrument: Instrument
) -> tuple[dict[str, Hashable] | None, list[str]]:
    """Item columns by variable name, else by variable label (text before any ':')."""
    try:
        found = resolve_columns(list(frame.columns), instrument)
        return {item.id: c for item, c in zip(instrument.items, found, strict=True)}, []
    except InputFormatError:
        pass
    by_label: dict[str, str] = {}
    for column in frame.columns:
        label = labels.get(str(column))
        if label:
            key = label.split(":", 1)[0].strip()
            by_label[key] = column if key not in by_label else ""
    usable = {key: column for key, column in by_label.items() if column}
    try:
        found = resolve_columns(list(usable), instrument)
    except InputFormatError:
        return None, []
    items: dict[str, Hashable] = {
        item.id: usable[str(key)] for item, key in zip(instrument.items, found, strict=True)
    }
    shown = ", ".join(f"{items[i.id]!r}" for i in instrument.items[:3])
    return items, [f"Item columns found by their SPSS variable labels ({shown}, …)."]


def _missing_mask(values: pd.Series, ranges: Sequence[Mapping[str, Any]]) -> npt.NDArray[np.bool_]:
    mask = np.zeros(len(values), dtype=bool)
    if pd.api.types.is_numeric_dtype(values.dtype):
        numbers = values.to_numpy(dtype=np.float64, na_value=np.nan)
        for bounds in ranges:
            with np.errstate(invalid="ignore"):
                mask |= (numbers >= float(bounds["lo"])) & (numbers <= float(bounds["hi"]))
    else:
        text = values.astype("string")
        for bounds in ranges:
            mask |= (text == str(bounds["lo"])).fillna(value=False).to_numpy(dtype=bool)
    return mask


def _user_missing(
    frame: pd.DataFrame, meta: Any, items: Sequence[Hashable] | None
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Blank user-missing codes in item columns and report them; count (and keep) the others.

    When the item columns are not known (``items`` is ``None``), codes are blanked in every
    variable, since any of them may be an item, and counted in a note.
    """
    value_labels: Mapping[str, Mapping[Any, str]] = meta.variable_value_labels or {}
    rows: list[int] = []
    cols: list[Hashable] = []
    values: list[object] = []
    messages: list[str] = []
    elsewhere: dict[str, int] = {}
    frame = frame.copy()
    item_set = set(items) if items is not None else set()
    for column, ranges in (meta.missing_ranges or {}).items():
        if column not in frame.columns or not ranges:
            continue
        mask = _missing_mask(frame[column], ranges)
        if not mask.any():
            continue
        if column not in item_set:
            elsewhere[column] = int(mask.sum())
            if items is None:
                frame[column] = frame[column].where(~mask)
            continue
        labels = value_labels.get(column, {})
        for position in np.flatnonzero(mask):
            code = frame[column].iloc[position]
            label = labels.get(code)
            named = f" ({label!r})" if label else ""
            rows.append(int(position))
            cols.append(column)
            values.append(code)
            messages.append(
                f"row {position}, column {column!r}: user-defined missing code "
                f"{show_value(code)}{named}, counted as unanswered."
            )
        frame[column] = frame[column].where(~mask)
    notes = []
    counted = ", ".join(f"{c!r}: {n}" for c, n in elsewhere.items())
    if elsewhere and items is None:
        notes.append(
            "The item columns are not known before scoring, so user-defined missing codes were "
            f"set to missing in every variable ({counted})."
        )
    elif elsewhere:
        notes.append(
            "User-defined missing codes in variables that are not items were kept as they are "
            f"({counted}); only item cells holding them count as unanswered."
        )
    codes = [str(IssueCode.USER_MISSING)] * len(rows)
    return frame, issue_table(rows, cols, values, codes, messages), notes


def _apply_value_labels(
    frame: pd.DataFrame, meta: Any, items: Sequence[Hashable], instrument: Instrument
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Translate codes whose value labels are the instrument's anchors with other values."""
    value_labels: Mapping[str, Mapping[Any, str]] = meta.variable_value_labels or {}
    missing: Mapping[str, Sequence[Mapping[str, Any]]] = meta.missing_ranges or {}
    recoded: dict[str, list[str]] = {}
    rows: list[int] = []
    cols: list[Hashable] = []
    values: list[object] = []
    messages: list[str] = []
    frame = frame.copy()
    for column in map(str, items):
        declared = {
            code: label
            for code, label in value_labels.get(column, {}).items()
            if not _missing_mask(pd.Series([code]), missing.get(column, ())).any()
        }
        recode = choice_recoding(f"SPSS value labels of {column!r}", declared, instrument)
        if not recode:
            continue
        original = frame[column]
        mapped = original.map(recode)
        undeclared = (original.notna() & mapped.isna()).to_numpy()
        frame[column] = mapped.where(~undeclared, original)
        recoded.setdefault(
            ", ".join(f"{show_value(c)}→{v:g}" for c, v in recode.items()), []
        ).append(column)
        for position in np.flatnonzero(undeclared):
            raw = original.iloc[position]
            rows.append(int(position))
            cols.append(column)
            values.append(raw)
            messages.append(
                f"row {position}, column {column!r}: response must be one of the codes "
                f"labelled in the file ({', '.join(show_value(c) for c in declared)}), "
                f"translated to the values of {instrument.id!r}. Got {show_value(raw)}."
            )
    notes = [
        f"SPSS codes of {', '.join(map(repr, columns))} translated by their value labels to "
        f"the values of {instrument.id!r}: {mapping}."
        for mapping, columns in recoded.items()
    ]
    codes = [str(IssueCode.NOT_A_CHOICE)] * len(rows)
    return frame, issue_table(rows, cols, values, codes, messages), notes


def read_spss(path: PathArg, instrument: str | Instrument) -> ExportData:
    """Read an SPSS ``.sav`` file: values, value labels and user-defined missing codes.

    Every case is an administration. Item cells holding a user-defined missing code become
    unanswered, each listed in ``issues`` with code ``user_missing`` (not an invalid cell); other
    variables keep such codes, and are passed through as stored (numbers stay numbers, text
    stays text, dates are pandas timestamps), except that restricted-numeric variables (format
    ``N5``) become text with SPSS's leading zeros (``00123``). When the item columns cannot be
    found, user-missing codes are set to missing in every variable and a note says so.
    When an item's value labels are the instrument's anchors with other codes (``0 = Seldom``),
    the codes are translated by label and ``notes`` says so; a code without a label in such a
    column is a ``not_a_choice`` issue, left as given.

    Parameters
    ----------
    path
        The ``.sav`` (or ``.zsav``) file.
    instrument
        Instrument id or :class:`~alliance_metrics.Instrument`.

    Returns
    -------
    ExportData
        ``item_columns`` is found from the variable names, else from the variable labels (the
        text before any ``:``, e.g. ``"WAI 3: …"``); ``None`` when neither numbers the items.
        ``id_columns`` is empty: SPSS files have no standard identifier, and every variable is
        kept. ``lines`` is the case number + 1 (case 1 is line 2), the row that an export of
        the file to CSV or a spreadsheet would give it (the header being line 1).

    Raises
    ------
    MissingDependencyError
        When pyreadstat is not installed (an ``ImportError``): install ``alliance-metrics[spss]``.
    InputFormatError
        When the file cannot be read as SPSS data.

    Examples
    --------
    >>> import pathlib, tempfile, pandas as pd, pyreadstat, alliance_metrics as am
    >>> from alliance_metrics.io.spss import read_spss
    >>> path = str(pathlib.Path(tempfile.mkdtemp()) / "wai.sav")
    >>> df = pd.DataFrame({"b1": [4.0, 9.0], "b2": [5.0, 5.0], "b3": [4.0, 3.0]})
    >>> pyreadstat.write_sav(df, path, missing_ranges={"b1": [9]})
    >>> data = read_spss(path, "wai-b3")
    >>> data.issues[["row", "column", "value", "code"]]
       row column value          code
    0    1     b1   9.0  user_missing
    >>> am.score_frame(data.frame, "wai-b3", columns=data.item_columns)["wai_b3_total"].tolist()
    [4.333333333333333, nan]
    """
    inst = resolve_instrument_arg(instrument, "read_spss")
    raw, meta = _read(path)
    items, notes = _find_items(raw, meta.column_names_to_labels or {}, inst)
    item_list = list(items.values()) if items else []
    frame, missing_issues, missing_notes = _user_missing(raw, meta, item_list if items else None)
    frame, choice_issues, recode_notes = _apply_value_labels(frame, meta, item_list, inst)
    frame = _restricted_numbers(frame, meta.original_variable_types or {}, item_list)
    issues = pd.concat([missing_issues, choice_issues], ignore_index=True)
    return ExportData(
        frame=frame,
        item_columns=items,
        id_columns=(),
        excluded={},
        issues=order_issues(issues, list(frame.columns)),
        source="spss",
        notes=(*notes, *missing_notes, *recode_notes),
        lines=np.arange(2, len(frame) + 2, dtype=np.int64),
    )
