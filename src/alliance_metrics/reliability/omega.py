"""McDonald's omega total of an item matrix, as ``psych::omega(nfactors = 1)`` computes it."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliance_metrics._params import check_choice
from alliance_metrics.factor import omega_from_correlation, pairwise_moments
from alliance_metrics.frames.analyses import table_analysis
from alliance_metrics.reliability.items import (
    NAN_POLICIES,
    Bounds,
    Keys,
    NanPolicy,
    check_bounds_arg,
    check_keys,
    correlation_problem,
    item_matrix,
    key_items,
    screen_items,
    screen_notes,
    unit_scale,
    used_rows,
    warn_notes,
)

__all__ = ["OmegaTotal", "omega_total"]


class OmegaTotal(float):
    """Omega total: a float that also says which items it used.

    Attributes
    ----------
    n_items, items
        Number and names of the items used (column labels as text; positions for an array).
    dropped
        Items left out because they have no variance.
    reversed
        Items reversed by ``keys``.

    Examples
    --------
    >>> value = OmegaTotal(0.9, items=("a", "b", "c"), dropped=("e",))
    >>> round(value, 2), value.n_items, value.dropped
    (0.9, 3, ('e',))
    """

    __slots__ = ("_dropped", "_items", "_reversed")
    _items: tuple[str, ...]
    _dropped: tuple[str, ...]
    _reversed: tuple[str, ...]

    def __new__(
        cls,
        value: float,
        *,
        items: Sequence[str],
        dropped: Sequence[str] = (),
        reversed: Sequence[str] = (),
    ) -> OmegaTotal:
        """Make ``value`` an omega total that remembers the items it used."""
        self = super().__new__(cls, value)
        self._items, self._dropped, self._reversed = tuple(items), tuple(dropped), tuple(reversed)
        return self

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (float(self), self._items, self._dropped, self._reversed))

    @property
    def items(self) -> tuple[str, ...]:
        """Names of the items used."""
        return self._items

    @property
    def n_items(self) -> int:
        """Number of items used."""
        return len(self._items)

    @property
    def dropped(self) -> tuple[str, ...]:
        """Names of the items left out for having no variance."""
        return self._dropped

    @property
    def reversed(self) -> tuple[str, ...]:
        """Names of the items reversed by ``keys``."""
        return self._reversed


def _rebuild(
    value: float, items: tuple[str, ...], dropped: tuple[str, ...], reversed_: tuple[str, ...]
) -> OmegaTotal:
    return OmegaTotal(value, items=items, dropped=dropped, reversed=reversed_)


@table_analysis()
def omega_total(
    items: pd.DataFrame | npt.ArrayLike,
    *,
    nan_policy: NanPolicy = "pairwise",
    keys: Keys = None,
    bounds: Bounds = None,
) -> OmegaTotal:
    """McDonald's omega total from a one-factor minres model.

    Reproduces ``psych::omega(x, nfactors = 1, fm = "minres")$omega.tot`` (psych 2.2.9)::

        omega_total = 1 − Σ u²_i / ΣR,   u²_i = 1 − λ²_i

    ``R`` is the item correlation matrix (pairwise ``cor``, or that of the complete rows) and
    ``λ`` minimises the squared off-diagonal residuals of ``R − λλᵀ``. Unlike psych, which flips
    items that load negatively, items are never re-keyed on their own: a miskeyed item lowers
    omega as it lowers alpha (:func:`item_statistics` flags it); say which to reverse with
    ``keys``.

    Awkward data follow :func:`cronbach_alpha`: items without variance are left out with an
    :class:`~alliance_metrics.AllianceMetricsWarning` (psych's ``omega`` stops there), and too
    few rows give NaN with a warning. Omega is NaN with a warning, too, when a correlation is
    undefined (an item constant in the rows it shares with another) or the correlations sum
    to zero.

    Parameters
    ----------
    items
        Rows × items (at least 3); NaN means unanswered. Already keyed unless ``keys`` is given.
    nan_policy
        ``"pairwise"`` or ``"listwise"``, as for :func:`cronbach_alpha`.
    keys, bounds
        Items to reverse and the declared ``(min, max)`` to reverse them with, as for
        :func:`cronbach_alpha`.

    Returns
    -------
    OmegaTotal
        A float (omega total, NaN when undefined) whose ``n_items``, ``items``, ``dropped``
        and ``reversed`` say which items it used.

    Examples
    --------
    >>> import pandas as pd
    >>> from alliance_metrics.psychometrics import omega_total
    >>> items = pd.DataFrame({"a": [1, 2, 3, 4, 5, 3, 4, 2], "b": [2, 3, 3, 5, 4, 3, 5, 1],
    ...                       "c": [2, 3, 4, 4, 5, 2, 4, 3], "d": [1, 3, 3, 4, 4, 4, 5, 2]})
    >>> omega = omega_total(items)
    >>> round(omega, 6), omega.n_items
    (0.924185, 4)
    """
    func = "omega_total"
    policy = check_choice("nan_policy", func, nan_policy, NAN_POLICIES)
    values, labels = item_matrix(items, func, 3)
    reverse = check_keys(keys, labels, func)
    declared = check_bounds_arg(bounds, func, needed=bool(reverse.any()))
    used = used_rows(unit_scale(key_items(values, labels, reverse, declared, func))[0], policy)
    names = [str(label) for label in labels]
    shown = [repr(label) for label in labels]
    screen = screen_items(used, shown, policy, 3)
    value, problem = math.nan, None
    if screen.problem is None:
        cor = pairwise_moments(used[:, screen.kept])[1]
        problem = correlation_problem(cor, [shown[j] for j in screen.kept])
        value = omega_from_correlation(cor) if problem is None else math.nan
        if problem is None and not math.isfinite(value):  # the factor model itself failed
            problem = "the one-factor model could not be fitted to these correlations"
    warn_notes(func, screen_notes(screen, shown, "omega", problem))
    return OmegaTotal(
        value,
        items=[names[j] for j in screen.kept],
        dropped=[names[j] for j in screen.dropped],
        reversed=[names[j] for j in np.flatnonzero(reverse)],
    )
