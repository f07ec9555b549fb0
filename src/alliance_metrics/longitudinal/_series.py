"""The checked, client-by-client layout that every session-series analysis works on.

:func:`prepare_series` turns a long table into a :class:`Series`: rows sorted by client key
then session, client codes with their group offsets, integer sessions and float64 scores (NaN
where an administration has no valid score). Checks follow the house rules: a bad argument is an
:class:`~alliance_metrics.InvalidParameterError` naming the public function and parameter; bad
data (duplicated client–session pairs, scores that are not numbers, sessions that are not whole
numbers, rows without a client or session) is an :class:`~alliance_metrics.InputFormatError`
naming rows by position, never showing a respondent's values.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliance_metrics._params import bad_parameter
from alliance_metrics.columns import quote_columns
from alliance_metrics.errors import InputFormatError, InvalidParameterError
from alliance_metrics.validation.rules import MISSING_MARKERS

__all__ = [
    "Series",
    "check_column",
    "check_frame",
    "client_codes",
    "integer_sessions",
    "numeric_scores",
    "prepare_series",
    "shown_rows",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

_SHOWN = 5
_MAX_SESSION = 1_000_000
"""Largest absolute session number accepted: a grid of consecutive sessions is laid per client."""


def shown_rows(positions: Sequence[int] | npt.NDArray[np.integer[Any]]) -> str:
    """Name row positions in a message: ``3, 7, 12, … (40 in all)``."""
    values = [int(p) for p in positions]
    text = ", ".join(map(str, values[:_SHOWN]))
    return text + (f", … ({len(values)} in all)" if len(values) > _SHOWN else "")


@dataclass(frozen=True, eq=False)
class Series:
    """A long table laid out client by client, sessions ascending within each client.

    Attributes
    ----------
    client_name
        Name of the client column in the caller's table (outputs keep it).
    labels
        Client keys in sorted order; ``labels[c]`` is client code ``c``.
    codes
        Client code of every (sorted) row.
    starts
        Offset of each client's first row; ``starts[-1]`` is the number of rows (length
        ``n_clients + 1``), so client ``c`` owns rows ``starts[c]:starts[c + 1]``.
    sessions, scores
        Session numbers (int64) and scores (float64, NaN = no valid score) of the sorted rows.
    rows
        Position in the caller's table of every sorted row (``iloc`` positions).
    """

    client_name: Hashable
    labels: pd.Index
    codes: IntArray
    starts: IntArray
    sessions: IntArray
    scores: FloatArray
    rows: IntArray

    @property
    def n_clients(self) -> int:
        """Number of clients."""
        return len(self.labels)

    @property
    def n_rows(self) -> int:
        """Number of administrations (rows of the caller's table)."""
        return len(self.codes)

    def client_sizes(self) -> IntArray:
        """Rows per client."""
        return np.diff(self.starts)


def check_frame(data: object, func: str) -> pd.DataFrame:
    """Return ``data`` if it is a pandas DataFrame, else raise naming ``func``."""
    if not isinstance(data, pd.DataFrame):
        raise bad_parameter(
            "data",
            func,
            "be a pandas or polars DataFrame or a pyarrow Table (one row per administration)",
            data,
        )
    return data


def check_column(data: pd.DataFrame, name: object, parameter: str, func: str) -> Hashable:
    """Return ``name`` if it names a column of ``data``, else raise naming the parameter."""
    if not isinstance(name, Hashable) or name not in data.columns:
        present = quote_columns(list(data.columns))
        raise InvalidParameterError(
            f"The {parameter!r} parameter of {func} must name a column of data. Got {name!r} "
            f"instead; columns present: {present}."
        )
    return name


def missing_texts(cells: pd.Series, markers: Collection[str]) -> BoolArray:
    """Where ``cells`` hold one of ``markers`` (lower case), trimmed and in any case."""
    text = cells.astype("string").str.strip().str.lower()
    found: BoolArray = text.isin(list(markers)).to_numpy(dtype=bool, na_value=False)
    return found


def numeric_scores(column: pd.Series, name: Hashable) -> FloatArray:
    """Scores as float64 with NaN for missing; text that is not a number is an input error.

    Text cells that mark a missing answer on every path (blank, ``NA``, ``N/A``, ``NaN``,
    ``null``; trimmed, any case) are missing scores, as an empty cell of a CSV file is.
    """
    if pd.api.types.is_bool_dtype(column.dtype):
        raise InputFormatError(f"The score column {name!r} holds booleans; scores must be numbers.")
    if pd.api.types.is_numeric_dtype(column.dtype):
        if pd.api.types.is_complex_dtype(column.dtype):
            raise InputFormatError(f"The score column {name!r} holds complex numbers.")
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        cells = column.astype(object)
        blank = missing_texts(cells, MISSING_MARKERS)  # "", "NA", "null", … as missing
        converted = pd.to_numeric(cells.mask(blank), errors="coerce")
        values = np.asarray(converted, dtype=np.float64)
        given = column.notna().to_numpy() & ~blank
        bad = np.flatnonzero(np.isnan(values) & given)
        if len(bad):
            raise InputFormatError(
                f"The score column {name!r} must hold numbers; row(s) {shown_rows(bad)} (by "
                "position) hold text that is not a number."
            )
    infinite = np.flatnonzero(np.isinf(values))
    if len(infinite):
        raise InputFormatError(
            f"The score column {name!r} must hold finite numbers; row(s) "
            f"{shown_rows(infinite)} (by position) hold infinity."
        )
    return np.ascontiguousarray(values, dtype=np.float64)


def integer_sessions(column: pd.Series, name: Hashable) -> IntArray:
    """Session numbers as int64; missing, fractional or non-numeric ones are input errors."""
    if pd.api.types.is_bool_dtype(column.dtype):
        raise InputFormatError(f"The session column {name!r} holds booleans, not session numbers.")
    if pd.api.types.is_integer_dtype(column.dtype) and not column.isna().any():
        values = column.to_numpy(dtype=np.int64)
    else:
        numbers = np.asarray(pd.to_numeric(column.astype(object), errors="coerce"), dtype=float)
        bad = np.flatnonzero(~np.isfinite(numbers) | (numbers != np.round(numbers)))
        if len(bad):
            raise InputFormatError(
                f"The session column {name!r} must hold whole session numbers; row(s) "
                f"{shown_rows(bad)} (by position) hold a missing, fractional or non-numeric value."
            )
        values = numbers.astype(np.int64)
    too_large = np.flatnonzero(np.abs(values) > _MAX_SESSION)
    if len(too_large):
        raise InputFormatError(
            f"The session column {name!r} holds session numbers beyond ±{_MAX_SESSION:,} in "
            f"row(s) {shown_rows(too_large)} (by position); number sessions 1, 2, 3, …"
        )
    return values


def client_codes(column: pd.Series, name: Hashable) -> tuple[IntArray, pd.Index]:
    """Codes of the client keys in sorted key order (insertion order if keys do not sort)."""
    try:
        codes, labels = pd.factorize(column, sort=True)
    except TypeError:  # mixed key types (e.g. 7 and "C7") do not sort: keep first appearance
        try:
            codes, labels = pd.factorize(column, sort=False)
        except TypeError:  # lists, dicts, arrays: not keys
            unhashable = np.flatnonzero([not isinstance(v, Hashable) for v in column.tolist()])
            raise InputFormatError(
                f"The client column {name!r} holds values that cannot be keys (lists, mappings "
                f"or arrays) in row(s) {shown_rows(unhashable)} (by position); give each "
                "client an id such as a number or a text."
            ) from None
    missing = np.flatnonzero(codes < 0)
    if len(missing):
        raise InputFormatError(
            f"The client column {name!r} is empty in row(s) {shown_rows(missing)} (by position); "
            "every administration needs a client."
        )
    return codes.astype(np.int64), pd.Index(labels, name=name)


def prepare_series(
    data: object, *, score: object, client: object, session: object, func: str
) -> Series:
    """Check a long table and lay it out client by client.

    Parameters
    ----------
    data
        A pandas DataFrame, one row per administration, in any order.
    score, client, session
        Column names; ``score`` may be a column added by ``score_frame`` (``"wai_sr_total"``).
    func
        Name of the public function the user called (for messages).

    Raises
    ------
    InvalidParameterError
        When ``data`` is not a DataFrame or a name is not one of its columns.
    InputFormatError
        For duplicated client–session pairs, scores that are not numbers, sessions that are not
        whole numbers, or rows without a client; the message names rows by position.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"client_id": ["b", "a", "a"], "session": [1, 2, 1],
    ...                    "score": [3.0, 4.5, None]})
    >>> s = prepare_series(df, score="score", client="client_id", session="session", func="f")
    >>> s.labels.tolist(), s.starts.tolist(), s.sessions.tolist(), s.rows.tolist()
    (['a', 'b'], [0, 2, 3], [1, 2, 1], [2, 1, 0])
    """
    frame = check_frame(data, func)
    names = {}
    for parameter, value in (("score", score), ("client", client), ("session", session)):
        names[parameter] = check_column(frame, value, parameter, func)
    if len(set(names.values())) != 3:
        raise InvalidParameterError(
            f"The 'score', 'client' and 'session' parameters of {func} must name three different "
            f"columns. Got {score!r}, {client!r} and {session!r} instead."
        )
    codes, labels = client_codes(frame[names["client"]], names["client"])
    sessions = integer_sessions(frame[names["session"]], names["session"])
    scores = numeric_scores(frame[names["score"]], names["score"])
    order = np.lexsort((sessions, codes)).astype(np.int64)
    codes, sessions, scores = codes[order], sessions[order], scores[order]
    repeated = np.flatnonzero((np.diff(codes) == 0) & (np.diff(sessions) == 0))
    if len(repeated):
        pairs = np.unique(np.concatenate([order[repeated], order[repeated + 1]]))
        raise InputFormatError(
            f"Each client may have one row per session; row(s) {shown_rows(pairs)} (by position) "
            f"repeat a ({names['client']!r}, {names['session']!r}) pair."
        )
    starts = np.searchsorted(codes, np.arange(len(labels) + 1)).astype(np.int64)
    return Series(names["client"], labels, codes, starts, sessions, scores, order)
