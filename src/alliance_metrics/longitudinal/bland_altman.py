"""Bland–Altman limits of agreement between the client's and the therapist's ratings (§6).

What ``plot_agreement`` draws: each pair's mean against its difference (client − therapist),
the mean difference (bias) and the limits ``bias ± multiplier · SD``, with the confidence
intervals of Bland & Altman (1986, 1999): ``SE(bias) = SD/√n`` and ``SE(limit) ≈ SD·√(3/n)``,
both on ``n − 1`` degrees of freedom. Pairs are treated as independent: with several sessions
per dyad the limits are somewhat too narrow (Bland & Altman 2007 give the repeated-measures
correction; :func:`~alliance_metrics.dyad_agreement` summarises each dyad instead).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from alliance_metrics._params import check_ci, check_number
from alliance_metrics.errors import InvalidParameterError
from alliance_metrics.frames.analyses import table_analysis
from alliance_metrics.longitudinal._series import check_column, check_frame, numeric_scores

__all__ = ["BlandAltman", "agreement_limits", "bland_altman"]

LIMIT_ROWS = ("lower", "bias", "upper")


@dataclass(frozen=True, eq=False)
class BlandAltman:
    """Limits of agreement of two ratings, as :func:`bland_altman` returns them (frozen).

    Attributes
    ----------
    points
        One row per complete pair, indexed like the input rows: ``mean`` (of the two
        ratings) and ``difference`` (client − therapist).
    limits
        Rows (index) ``lower``, ``bias`` and ``upper``; columns ``estimate``,
        ``ci_lower`` and ``ci_upper``.
    n
        Complete pairs used.
    sd
        SD of the differences (ddof 1).
    multiplier
        SDs from the bias to each limit (1.96 by default).
    ci
        Level of the confidence intervals.

    Examples
    --------
    >>> import pandas as pd
    >>> import alliance_metrics as am
    >>> df = pd.DataFrame({"wai_c": [5.0, 4.5, 4.0, 4.8], "wai_t": [4.0, 4.0, 3.0, 4.2]})
    >>> result = am.bland_altman(df, client_score="wai_c", therapist_score="wai_t")
    >>> result.n, round(result.sd, 4), result.points["difference"].round(2).tolist()
    (4, 0.263, [1.0, 0.5, 1.0, 0.6])
    """

    points: pd.DataFrame
    limits: pd.DataFrame
    n: int
    sd: float
    multiplier: float
    ci: float


@table_analysis(columns=("client_score", "therapist_score"))
def bland_altman(
    data: pd.DataFrame,
    *,
    client_score: Hashable,
    therapist_score: Hashable,
    multiplier: float = 1.96,
    ci: float = 0.95,
) -> BlandAltman:
    """Bland–Altman limits of agreement of the client's and the therapist's ratings.

    Parameters
    ----------
    data
        One row per rated session, holding both ratings (on the same metric): a pandas or
        polars DataFrame or a pyarrow Table (``points`` is then indexed by row position).
    client_score, therapist_score
        Columns of the two ratings; rows missing either are left out.
    multiplier
        SDs from the bias to each limit, > 0 (1.96: 95 % of differences, if normal).
    ci
        Level of the confidence intervals of the bias and the limits.

    Returns
    -------
    BlandAltman
        The pairs (``points``) and the ``limits`` table; with fewer than two pairs the SD,
        the limits and every interval are NaN.

    Raises
    ------
    InvalidParameterError
        For a bad option, or a column that is not in ``data`` (the two must differ).
    InputFormatError
        For ratings that are not numbers.

    Examples
    --------
    >>> import pandas as pd
    >>> import alliance_metrics as am
    >>> df = pd.DataFrame({"wai_c": [5.0, 4.5, 4.0, 4.8], "wai_t": [4.0, 4.0, 3.0, 4.2]})
    >>> result = am.bland_altman(df, client_score="wai_c", therapist_score="wai_t")
    >>> result.limits.round(4)
           estimate  ci_lower  ci_upper
    lower    0.2595   -0.4653    0.9844
    bias     0.7750    0.3565    1.1935
    upper    1.2905    0.5656    2.0153
    """
    return agreement_limits(data, client_score, therapist_score, multiplier, ci, "bland_altman")


def agreement_limits(
    data: object,
    client_score: object,
    therapist_score: object,
    multiplier: object,
    ci: object,
    func: str,
) -> BlandAltman:
    """:func:`bland_altman` of a pandas frame, its messages naming ``func`` (the caller)."""
    frame = check_frame(data, func)
    first = check_column(frame, client_score, "client_score", func)
    second = check_column(frame, therapist_score, "therapist_score", func)
    if first == second:
        raise InvalidParameterError(
            f"The 'therapist_score' parameter of {func} must name a column other than the "
            f"client score. Got {therapist_score!r} instead.",
            parameter="therapist_score",
            function=func,
        )
    factor = check_number(multiplier, "multiplier", func, minimum=0.0, strict_minimum=True)
    level = check_ci(ci, func)
    x = numeric_scores(frame[first], first)
    y = numeric_scores(frame[second], second)
    both = ~np.isnan(x) & ~np.isnan(y)
    difference = x[both] - y[both]
    points = pd.DataFrame(
        {"mean": (x[both] + y[both]) / 2.0, "difference": difference},
        index=frame.index[both],
    )
    n = int(both.sum())
    bias = float(np.mean(difference)) if n else float("nan")
    sd = float(np.std(difference, ddof=1)) if n > 1 else float("nan")
    estimates = np.array([bias - factor * sd, bias, bias + factor * sd])
    errors = np.array([np.sqrt(3.0 / n), np.sqrt(1.0 / n), np.sqrt(3.0 / n)]) * sd if n else 0.0
    quantile = float(stats.t.ppf(1.0 - (1.0 - level) / 2.0, n - 1)) if n > 1 else float("nan")
    limits = pd.DataFrame(
        {
            "estimate": estimates,
            "ci_lower": estimates - quantile * errors,
            "ci_upper": estimates + quantile * errors,
        },
        index=pd.Index(LIMIT_ROWS),
    )
    return BlandAltman(points, limits, n, sd, factor, level)
