"""The one rule set that decides every response cell, on every path.

A cell is **unanswered** when it is empty (``None``, NaN, ``pd.NA``), a missing marker
(:data:`MISSING_MARKERS`, trimmed and case-insensitive) or a declared missing code (text or
number: ``-99`` also matches ``-99.0``). It is a **number** when it is a real number (not a bool)
or text in the number grammar of :mod:`alliance_metrics._text`; an anchor **label** when its
normalised text is one of the instrument's anchors. Anything else — other text, bytes, complex
numbers, booleans, dates — is ``not_a_number``. A number outside the declared bounds is
``out_of_range``; inside them but off the scale's steps, ``not_on_step``.

:func:`coerce_cell` is the reference for one cell; the per-value, pandas and Arrow backends
(:mod:`.single`, :mod:`.frame`, :mod:`.arrow`) implement the same decisions vectorised, and a
property test holds them to it.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np

from alliance_metrics._arrays import CodeArray, FloatArray
from alliance_metrics._text import normalize_label, parse_number, real_number
from alliance_metrics.errors import IssueCode
from alliance_metrics.schemas import ResponseScale

__all__ = [
    "CODE_NAMES",
    "ISSUE_NONE",
    "MISSING_MARKERS",
    "NOT_A_CHOICE",
    "NOT_A_NUMBER",
    "NOT_ON_STEP",
    "OUT_OF_RANGE",
    "CellRules",
    "anchor_lookup",
    "check_bounds",
    "coerce_cell",
    "is_empty",
]

ISSUE_NONE: Final = 0
NOT_A_NUMBER: Final = 1
OUT_OF_RANGE: Final = 2
NOT_ON_STEP: Final = 3
NOT_A_CHOICE: Final = 4
CODE_NAMES: Final[dict[int, IssueCode]] = {
    NOT_A_NUMBER: IssueCode.NOT_A_NUMBER,
    OUT_OF_RANGE: IssueCode.OUT_OF_RANGE,
    NOT_ON_STEP: IssueCode.NOT_ON_STEP,
    NOT_A_CHOICE: IssueCode.NOT_A_CHOICE,
}
"""Issue code (int8 in code matrices) → :class:`~alliance_metrics.IssueCode`."""
STEP_TOLERANCE: Final = 1e-9
MISSING_MARKERS: Final[frozenset[str]] = frozenset({"", "na", "n/a", "nan", "null"})
"""Texts read as unanswered on every path (compared trimmed and case-insensitively)."""


def anchor_lookup(scale: ResponseScale) -> dict[str, float]:
    """Map normalised anchor labels to their values.

    Examples
    --------
    >>> import alliance_metrics as am
    >>> anchor_lookup(am.get_instrument("wai-b3").response_scale)["very often"]
    4.0
    """
    return {normalize_label(a.label): a.value for a in scale.anchors}


@dataclass(frozen=True)
class CellRules:
    """Everything that decides a cell: the response scale, its labels and the missing codes.

    Build it with :meth:`build`; backends only read it.

    Attributes
    ----------
    scale, labels
        The response scale and its normalised label → value lookup.
    missing_texts
        Texts meaning unanswered (trimmed, case-folded): the markers plus declared codes.
    missing_numbers
        Declared codes that are numbers: they match a number of the same value in any spelling.
    decimal_comma
        Read ``4,5`` as 4.5 (semicolon-delimited exports of visual-analogue scales).
    """

    scale: ResponseScale
    labels: Mapping[str, float]
    missing_texts: frozenset[str] = MISSING_MARKERS
    missing_numbers: tuple[float, ...] = ()
    decimal_comma: bool = False

    @classmethod
    def build(
        cls,
        scale: ResponseScale,
        labels: Mapping[str, float] | None = None,
        *,
        missing_values: Collection[str] = (),
        decimal_comma: bool = False,
    ) -> CellRules:
        """Rules for ``scale`` with extra missing codes (texts such as ``"-99"`` or ``"refused"``).

        Examples
        --------
        >>> import alliance_metrics as am
        >>> rules = CellRules.build(am.get_instrument("wai-b3").response_scale,
        ...                         missing_values=["-99", " Refused "])
        >>> sorted(rules.missing_texts - MISSING_MARKERS), rules.missing_numbers
        (['-99', 'refused'], (-99.0,))
        """
        texts = {str(v).strip().casefold() for v in missing_values}
        numbers = sorted({n for t in texts if (n := parse_number(t)) is not None})
        return cls(
            scale=scale,
            labels=anchor_lookup(scale) if labels is None else labels,
            missing_texts=MISSING_MARKERS | frozenset(texts),
            missing_numbers=tuple(numbers),
            decimal_comma=decimal_comma,
        )


def check_bounds(values: FloatArray, scale: ResponseScale, skip_step: bool) -> CodeArray:
    """Issue codes for out-of-range and off-step numbers (NaN is unanswered: code 0).

    ``skip_step`` may be passed when the values are known to be whole numbers on an integer
    scale (they came from an integer column).

    Examples
    --------
    >>> import numpy as np, alliance_metrics as am
    >>> scale = am.get_instrument("wai-b3").response_scale
    >>> check_bounds(np.array([3.0, 3.5, 9.0, np.nan, np.inf]), scale, skip_step=False).tolist()
    [0, 3, 2, 0, 2]
    """
    codes = np.zeros(values.shape, dtype=np.int8)
    with np.errstate(invalid="ignore"):
        out_of_range = ~((values >= scale.min) & (values <= scale.max)) & ~np.isnan(values)
    codes[out_of_range] = OUT_OF_RANGE
    if scale.step is not None and not skip_step:
        with np.errstate(invalid="ignore", over="ignore"):  # huge values: out of range anyway
            if scale.is_integer:
                off_step = values != np.floor(values)
            else:
                position = (values - scale.min) / scale.step
                off_step = np.abs(position - np.rint(position)) > STEP_TOLERANCE
        codes[off_step & ~out_of_range & ~np.isnan(values)] = NOT_ON_STEP
    return codes


def _on_scale(number: float, scale: ResponseScale) -> int:
    if not scale.min <= number <= scale.max:
        return OUT_OF_RANGE
    if scale.step is None:
        return ISSUE_NONE
    if scale.is_integer:
        return ISSUE_NONE if number.is_integer() else NOT_ON_STEP
    position = (number - scale.min) / scale.step
    return ISSUE_NONE if abs(position - round(position)) <= STEP_TOLERANCE else NOT_ON_STEP


def is_empty(cell: object) -> bool:
    """Whether ``cell`` is an empty object (``None``, ``pd.NA``, ``pd.NaT``); NaN is a float."""
    return cell is None or type(cell).__name__ in ("NAType", "NaTType")


def coerce_cell(cell: object, rules: CellRules) -> tuple[float, int]:
    """Decide one cell: its value (NaN when unanswered or invalid) and its issue code.

    This is the reference implementation of the rules; batch paths use the vectorised backends.

    Examples
    --------
    >>> import alliance_metrics as am
    >>> rules = CellRules.build(am.get_instrument("wai-b3").response_scale, missing_values=["-99"])
    >>> [coerce_cell(c, rules) for c in [" 4 ", "Very Often", "-99.0", True, "-nan", 7, 3.5]]
    [(4.0, 0), (4.0, 0), (nan, 0), (nan, 1), (nan, 1), (nan, 2), (nan, 3)]
    """
    if is_empty(cell):
        return math.nan, ISSUE_NONE
    if isinstance(cell, str):
        text = cell.strip()
        if text.casefold() in rules.missing_texts:
            return math.nan, ISSUE_NONE
        number = parse_number(text, decimal_comma=rules.decimal_comma)
        if number is None:
            label_value = rules.labels.get(normalize_label(text))
            return (math.nan, NOT_A_NUMBER) if label_value is None else (label_value, ISSUE_NONE)
    else:
        number = real_number(cell)
        if number is None:
            return math.nan, NOT_A_NUMBER
        if number != number:  # NaN given as a number: unanswered
            return math.nan, ISSUE_NONE
    if number in rules.missing_numbers:
        return math.nan, ISSUE_NONE
    code = _on_scale(number, rules.scale)
    return (math.nan, code) if code else (number, ISSUE_NONE)
