"""Intraclass correlations for observer ratings (Shrout & Fleiss, 1979; McGraw & Wong, 1996).

One vectorised two-way ANOVA of a complete targets × raters matrix gives all six forms, with the
F tests and confidence intervals of ``psych::ICC(x, lmer = FALSE)``.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from alliance_metrics._params import check_ci
from alliance_metrics.errors import InputFormatError, InvalidParameterError
from alliance_metrics.frames.analyses import table_analysis
from alliance_metrics.reliability.items import unit_scale

__all__ = ["ICC_COLUMNS", "icc"]

FloatArray = npt.NDArray[np.float64]
ICC_COLUMNS = ("type", "description", "icc", "f", "df1", "df2", "pval", "ci_lower", "ci_upper")
_TYPES = ("ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k")
_DESCRIPTIONS = (
    "Shrout–Fleiss ICC(1,1) = McGraw–Wong ICC(1): one-way random, single rater",
    "Shrout–Fleiss ICC(2,1) = McGraw–Wong ICC(A,1): two-way random, absolute agreement, "
    "single rater",
    "Shrout–Fleiss ICC(3,1) = McGraw–Wong ICC(C,1): two-way mixed, consistency, single rater",
    "Shrout–Fleiss ICC(1,k) = McGraw–Wong ICC(k): one-way random, mean of k raters",
    "Shrout–Fleiss ICC(2,k) = McGraw–Wong ICC(A,k): two-way random, absolute agreement, "
    "mean of k raters",
    "Shrout–Fleiss ICC(3,k) = McGraw–Wong ICC(C,k): two-way mixed, consistency, mean of k raters",
)
_SHOWN = 5
_ID_HINT = " If that column identifies the targets, move it to the index with set_index()."


def _shown(labels: Sequence[Hashable]) -> str:
    text = ", ".join(repr(label) for label in labels[:_SHOWN])
    return text + (f", … ({len(labels)} in all)" if len(labels) > _SHOWN else "")


def _numeric(column: pd.Series, where: str, hint: str = "") -> FloatArray:
    """Ratings as float64 (numeric strings accepted); anything else is an input error."""
    if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column):
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        converted = pd.to_numeric(column, errors="coerce").astype("Float64")
        values = converted.to_numpy(dtype=np.float64, na_value=np.nan)
        bad = np.flatnonzero(np.isnan(values) & column.notna().to_numpy())
        if len(bad):
            raise InputFormatError(
                f"Ratings must be numbers; {where} holds text that is not a number in row(s) "
                f"{_shown(bad.tolist())} (by position; first value {column.iloc[bad[0]]!r}).{hint}"
            )
    if np.isinf(values).any():
        raise InputFormatError(f"Ratings must be finite numbers; {where} holds infinity.")
    return values


def _wide_matrix(data: object) -> tuple[FloatArray, Sequence[int], Sequence[Hashable]]:
    if isinstance(data, pd.DataFrame):
        frame = data
    else:
        try:
            array = np.array(data, dtype=np.float64)
        except (TypeError, ValueError):
            raise InvalidParameterError(
                "The 'data' parameter of icc must be a DataFrame or a 2-D array of numbers "
                "(targets × raters). Got values that are not numbers instead."
            ) from None
        if array.ndim != 2:
            raise InvalidParameterError(
                "The 'data' parameter of icc must be 2-D (targets × raters) unless targets, "
                f"raters and ratings name its columns. Got shape {array.shape} instead."
            )
        frame = pd.DataFrame(array)
    matrix = np.empty(frame.shape, dtype=np.float64)
    for j, name in enumerate(frame.columns):  # a loop over raters, never over targets
        matrix[:, j] = _numeric(frame.iloc[:, j], f"rater column {name!r}", _ID_HINT)
    return matrix, list(range(len(frame))), frame.columns.tolist()


def _long_matrix(
    data: object, targets: Hashable, raters: Hashable, ratings: Hashable
) -> tuple[FloatArray, Sequence[int], Sequence[Hashable]]:
    if not isinstance(data, pd.DataFrame):
        raise InvalidParameterError(
            "The 'data' parameter of icc must be a DataFrame when targets, raters and ratings "
            f"name its columns. Got {type(data).__name__} instead."
        )
    for name, column in (("targets", targets), ("raters", raters), ("ratings", ratings)):
        if column not in data.columns:
            raise InvalidParameterError(
                f"The {name!r} parameter of icc names column {column!r}, which the data do not "
                f"have. Columns present: {_shown(list(data.columns))}."
            )
    target_codes, target_labels = pd.factorize(data[targets])
    rater_codes, rater_labels = pd.factorize(data[raters])
    unplaced = np.flatnonzero((target_codes < 0) | (rater_codes < 0))
    if len(unplaced):
        raise InputFormatError(
            f"Every rating needs a target and a rater; row(s) {_shown(unplaced.tolist())} (by "
            f"position) lack the {targets!r} or {raters!r} value."
        )
    values = _numeric(data[ratings], f"column {ratings!r}")
    n, k = len(target_labels), len(rater_labels)
    cells = target_codes.astype(np.int64) * k + rater_codes
    repeated = np.flatnonzero(pd.Series(cells).duplicated().to_numpy())
    if len(repeated):
        raise InputFormatError(
            "Each target must be rated once by each rater; row(s) "
            f"{_shown(repeated.tolist())} (by position) repeat a target–rater pair of an "
            "earlier row. Average or drop the repeats."
        )
    matrix = np.full(n * k, np.nan)
    matrix[cells] = values
    first_rows = np.unique(target_codes, return_index=True)[1]
    return matrix.reshape(n, k), first_rows.tolist(), rater_labels.tolist()


def _require_complete(
    matrix: FloatArray, target_rows: Sequence[int], rater_labels: Sequence[Hashable], long: bool
) -> None:
    """Raise unless every target has a rating by every rater (targets named by row position)."""
    n, k = matrix.shape
    if n < 2 or k < 2:
        raise InputFormatError(
            f"ICCs need at least 2 targets and 2 raters. Got {n} target(s) and {k} rater(s)."
        )
    missing = np.isnan(matrix)
    incomplete = np.flatnonzero(missing.any(axis=1)).tolist()
    if not incomplete:
        return
    where = "the target of row {}" if long else "row {}"
    details = [
        f"{where.format(target_rows[i])} (no rating by "
        f"{', '.join(repr(rater_labels[j]) for j in np.flatnonzero(missing[i]).tolist())})"
        for i in incomplete[:_SHOWN]
    ]
    more = f"; and {len(incomplete) - _SHOWN} more" if len(incomplete) > _SHOWN else ""
    raise InputFormatError(
        f"ICCs need a complete design (every target rated by every rater); {len(incomplete)} of "
        f"{n} targets lack ratings: {'; '.join(details)}{more} (rows by position). Drop or "
        "complete these targets first, e.g. with dropna() on wide data."
    )


def _mean_squares(
    matrix: FloatArray,
) -> tuple[np.float64, np.float64, np.float64, np.float64]:
    """Two-way ANOVA mean squares: targets (B), within targets (W), raters (J), residual (E)."""
    n, k = matrix.shape
    centred = matrix - matrix.mean()
    target_means = centred.mean(axis=1)
    rater_means = centred.mean(axis=0)
    ss_targets = k * float(target_means @ target_means)
    ss_raters = n * float(rater_means @ rater_means)
    residual = centred - target_means[:, np.newaxis] - rater_means[np.newaxis, :]
    ss_error = float(np.einsum("ij,ij->", residual, residual))
    return (  # numpy scalars: a zero residual gives inf / nan, not ZeroDivisionError
        np.float64(ss_targets) / (n - 1),
        np.float64(ss_raters + ss_error) / (n * (k - 1)),
        np.float64(ss_raters) / (k - 1),
        np.float64(ss_error) / ((n - 1) * (k - 1)),
    )


def _icc_table(matrix: FloatArray, level: float) -> pd.DataFrame:
    n, k = matrix.shape
    # every ICC, F and bound is a ratio of mean squares: an exact power-of-two rescaling keeps
    # them and keeps the squares of ratings near 1e300 from overflowing
    msb, msw, msj, mse = _mean_squares(unit_scale(matrix)[0])
    upper_q = 1.0 - (1.0 - level) / 2.0
    f = stats.f
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        icc1 = (msb - msw) / (msb + (k - 1) * msw)
        icc2 = (msb - mse) / (msb + (k - 1) * mse + k * (msj - mse) / n)
        icc3 = (msb - mse) / (msb + (k - 1) * mse)
        f1, df1n, df1d = msb / msw, n - 1, n * (k - 1)
        f3, df3n, df3d = msb / mse, n - 1, (n - 1) * (k - 1)
        f1_low, f1_high = f1 / f.ppf(upper_q, df1n, df1d), f1 * f.ppf(upper_q, df1d, df1n)
        f3_low, f3_high = f3 / f.ppf(upper_q, df3n, df3d), f3 * f.ppf(upper_q, df3d, df3n)
        # ICC(2,1): Satterthwaite degrees of freedom (McGraw & Wong 1996, as psych::ICC)
        fj = msj / mse
        spread = n * (1 + (k - 1) * icc2) - k * icc2
        v = ((k - 1) * (n - 1) * (k * icc2 * fj + spread) ** 2) / (
            (n - 1) * k**2 * icc2**2 * fj**2 + spread**2
        )
        f2_high, f2_low = f.ppf(upper_q, n - 1, v), f.ppf(upper_q, v, n - 1)
        denominator = k * msj + (k * n - k - n) * mse
        low2 = n * (msb - f2_high * mse) / (f2_high * denominator + n * msb)
        high2 = n * (f2_low * msb - mse) / (denominator + n * f2_low * msb)
        table = pd.DataFrame(
            {
                "type": list(_TYPES),
                "description": list(_DESCRIPTIONS),
                "icc": [
                    icc1,
                    icc2,
                    icc3,
                    (msb - msw) / msb,
                    (msb - mse) / (msb + (msj - mse) / n),
                    (msb - mse) / msb,
                ],
                "f": [f1, f3, f3, f1, f3, f3],
                "df1": [df1n, df3n, df3n, df1n, df3n, df3n],
                "df2": [df1d, df3d, df3d, df1d, df3d, df3d],
                "pval": np.asarray(f.sf([f1, f3], [df1n, df3n], [df1d, df3d]))[[0, 1, 1, 0, 1, 1]],
                "ci_lower": [
                    (f1_low - 1) / (f1_low + k - 1),
                    low2,
                    (f3_low - 1) / (f3_low + k - 1),
                    1 - 1 / f1_low,
                    low2 * k / (1 + low2 * (k - 1)),
                    1 - 1 / f3_low,
                ],
                "ci_upper": [
                    (f1_high - 1) / (f1_high + k - 1),
                    high2,
                    (f3_high - 1) / (f3_high + k - 1),
                    1 - 1 / f1_high,
                    high2 * k / (1 + high2 * (k - 1)),
                    1 - 1 / f3_high,
                ],
            },
            columns=list(ICC_COLUMNS),
        )
    table[["df1", "df2"]] = table[["df1", "df2"]].astype(np.int64)
    table[["icc", "f", "pval", "ci_lower", "ci_upper"]] = table[
        ["icc", "f", "pval", "ci_lower", "ci_upper"]
    ].astype(np.float64)
    table.attrs.update({"n_targets": n, "n_raters": k, "ci_level": level})
    return table


@table_analysis(columns=("targets", "raters", "ratings"))
def icc(
    data: pd.DataFrame | npt.ArrayLike,
    *,
    targets: Hashable | None = None,
    raters: Hashable | None = None,
    ratings: Hashable | None = None,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Intraclass correlations of a complete targets × raters design (``psych::ICC``).

    From the two-way ANOVA mean squares of ``n`` targets and ``k`` raters — targets ``MSB``,
    within targets ``MSW``, raters ``MSJ`` and residual ``MSE``::

        ICC1  = (MSB − MSW) / (MSB + (k − 1)·MSW)               F = MSB/MSW, df n − 1, n(k − 1)
        ICC2  = (MSB − MSE) / (MSB + (k − 1)·MSE + k(MSJ − MSE)/n)
        ICC3  = (MSB − MSE) / (MSB + (k − 1)·MSE)               F = MSB/MSE, df n − 1, (n−1)(k−1)
        ICC1k = (MSB − MSW) / MSB
        ICC2k = (MSB − MSE) / (MSB + (MSJ − MSE)/n)
        ICC3k = (MSB − MSE) / MSB

    Confidence intervals are the F-based ones of Shrout & Fleiss (1979) and, for ICC2/ICC2k,
    McGraw & Wong's (1996) Satterthwaite approximation — exactly ``psych::ICC(x, lmer = FALSE,
    alpha = 1 − ci)`` (psych 2.2.9). psych's default ``lmer = TRUE`` rebuilds the mean squares
    from REML variance components: it agrees to about 1e-6 relative when the rater variance is
    positive, but when that component is estimated negative (MSJ < MSE) REML fixes it at zero
    and psych's F of ICC2/ICC3 becomes MSB/MSW and its ICC3 equals ICC1 (on the test data of
    ``docs/psychometrics.md``: F 2.5 % and ICC3 3.0e-3 away from the exact ANOVA).

    Parameters
    ----------
    data
        Wide: a DataFrame or 2-D array with one row per target and one column per rater.
        Long: a DataFrame with one row per rating, when ``targets``, ``raters`` and ``ratings``
        name its columns.
    targets, raters, ratings
        Column names for long data (all three or none).
    ci
        Confidence level of the intervals.

    Returns
    -------
    pandas.DataFrame
        Six rows (``ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k``) with columns ``type, description,
        icc, f, df1, df2, pval, ci_lower, ci_upper``; ``attrs`` holds ``n_targets``,
        ``n_raters`` and ``ci_level``.

    Raises
    ------
    InputFormatError
        When the design is incomplete (the message names each target lacking ratings by its row
        position — the first row of that target for long data — and the raters it lacks), when
        a target–rater pair is repeated, or when a rating is not a number.

    Examples
    --------
    >>> from alliance_metrics.interrater import icc
    >>> sf = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
    >>> icc(sf)[["type", "icc", "df1", "df2"]].round(2)  # Shrout & Fleiss (1979), Table 2
        type   icc  df1  df2
    0   ICC1  0.17    5   18
    1   ICC2  0.29    5   15
    2   ICC3  0.71    5   15
    3  ICC1k  0.44    5   18
    4  ICC2k  0.62    5   15
    5  ICC3k  0.91    5   15
    """
    level = check_ci(ci, "icc")
    long_args = {"targets": targets, "raters": raters, "ratings": ratings}
    given = [name for name, value in long_args.items() if value is not None]
    if given and len(given) < len(long_args):
        absent = [name for name in long_args if name not in given]
        raise InvalidParameterError(
            "Long-format ratings need all of 'targets', 'raters' and 'ratings' (column names) "
            f"in icc; missing: {', '.join(repr(a) for a in absent)}. Pass none of them for "
            "wide data (one row per target, one column per rater)."
        )
    if given:
        matrix, target_rows, rater_labels = _long_matrix(data, targets, raters, ratings)
    else:
        matrix, target_rows, rater_labels = _wide_matrix(data)
    _require_complete(matrix, target_rows, rater_labels, long=bool(given))
    return _icc_table(matrix, level)
