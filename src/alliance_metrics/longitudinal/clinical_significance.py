"""Clinical significance: reliable change combined with a clinical cut-off (Jacobson & Truax 1991).

Cut-offs between the clinical (dysfunctional) and the functional population, with d = +1 when
higher scores are better:

- a: ``M_clin + d·2·SD_clin`` (beyond the clinical range);
- b: ``M_func − d·2·SD_func`` (within the functional range);
- c: ``(SD_clin·M_func + SD_func·M_clin) / (SD_clin + SD_func)`` (closer to the functional mean).

Categories as R ``clinicalsignificance`` forms them: *recovered* (clinical before, functional
after, reliably improved), *improved* (reliably improved otherwise), *deteriorated* (reliably
worse), *harmed* (not clinical before, not functional after, reliably worse) and *unchanged*.
A client without both scores gets no category.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliance_metrics._params import resolve_instrument_arg
from alliance_metrics.errors import InvalidParameterError
from alliance_metrics.frames.analyses import table_analysis
from alliance_metrics.longitudinal._arguments import check_real
from alliance_metrics.longitudinal.reliable_change import (
    add_columns,
    checked_pair,
    classify_change,
    reliable_categories,
    resolve_change_rule,
)
from alliance_metrics.schemas import Cutoff, Instrument

__all__ = ["CATEGORIES", "clinical_significance", "cutoff_flags"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
CATEGORIES = ("recovered", "improved", "unchanged", "deteriorated", "harmed")
_CATEGORY_DTYPE = pd.CategoricalDtype(list(CATEGORIES))
_BOUNDARY_TOLERANCE = 1e-9
"""As :meth:`Cutoff.flags`: scores this close to a registry cut-off sit on it."""


def cutoff_flags(scores: FloatArray, cutoff: Cutoff) -> BoolArray:
    """Vectorised :meth:`alliance_metrics.Cutoff.flags` (False for missing scores).

    Examples
    --------
    >>> import numpy as np, alliance_metrics as am
    >>> c = am.get_instrument("ors").cutoffs[0]
    >>> cutoff_flags(np.array([24.9, 25.0, 25.0 - 1e-12, 30.0, np.nan]), c).tolist()
    [True, False, False, False, False]
    """
    with np.errstate(invalid="ignore"):
        on = np.abs(scores - cutoff.value) <= _BOUNDARY_TOLERANCE
        side = scores < cutoff.value if cutoff.direction == "below" else scores > cutoff.value
    flagged = np.where(on, cutoff.boundary == "inclusive", side)
    return flagged & ~np.isnan(scores)


def _registry_cutoff(instrument: Instrument, func: str) -> Cutoff:
    for cutoff in instrument.cutoffs:
        if cutoff.kind == "published":
            return cutoff
    raise InvalidParameterError(
        f"The 'cutoff' parameter of {func} is needed: {instrument.id} has no published "
        "cut-off in its registry entry. Give 'a', 'b', 'c' or a number."
    )


def _sample_moments(values: FloatArray) -> tuple[float, float]:
    kept = values[~np.isnan(values)]
    if len(kept) < 2:
        return float("nan"), float("nan")
    return float(np.mean(kept)), float(np.std(kept, ddof=1))


def _numeric_cutoff(
    func: str,
    kind: str,
    direction: int,
    clinical: tuple[float, float],
    functional: tuple[float | None, float | None],
) -> float:
    (m_clin, sd_clin), (m_func, sd_func) = clinical, functional
    if kind == "a":
        return m_clin + direction * 2.0 * sd_clin
    if m_func is None or sd_func is None:
        raise InvalidParameterError(
            f"The 'functional_mean' and 'functional_sd' parameters of {func} are needed for "
            f"cut-off {kind!r}. Got {m_func!r} and {sd_func!r} instead."
        )
    if kind == "b":
        return m_func - direction * 2.0 * sd_func
    return (sd_clin * m_func + sd_func * m_clin) / (sd_clin + sd_func)


def _optional_real(name: str, func: str, value: object, *, positive: bool) -> float | None:
    if value is None:
        return None
    if positive:
        return check_real(name, func, value, minimum=0.0, inclusive=False)
    return check_real(name, func, value)


@table_analysis(columns=("pre", "post"), appends=True)
def clinical_significance(
    data: pd.DataFrame,
    *,
    pre: Hashable,
    post: Hashable,
    reliability: float | object | None = None,
    sd: float | None = None,
    sd_source: str = "pre_complete",
    higher_is_better: bool = True,
    z: float = 1.96,
    boundary: str = "exclusive",
    cutoff: str | float | None = None,
    clinical_mean: float | None = None,
    clinical_sd: float | None = None,
    functional_mean: float | None = None,
    functional_sd: float | None = None,
    instrument: str | Instrument | None = None,
) -> pd.DataFrame:
    """Jacobson–Truax clinical significance of each client (one row per client).

    Parameters
    ----------
    data, pre, post, reliability, sd, sd_source, higher_is_better, z, boundary, instrument
        As for :func:`~alliance_metrics.reliable_change`.
    cutoff
        ``"a"``, ``"b"``, ``"c"`` or a number. ``None`` (default) takes the instrument's first
        *published* registry cut-off when ``instrument`` is given (ORS: 25, clinical below),
        else ``"a"``.
    clinical_mean, clinical_sd
        Clinical population; ``None`` takes the mean and SD of the pre scores (the same scores
        as ``sd_source``: clients with both scores for ``"pre_complete"`` or a given ``sd``,
        every pre score for ``"pre_all"``).
    functional_mean, functional_sd
        Functional population (needed for ``"b"`` and ``"c"``).

    Returns
    -------
    pandas.DataFrame
        The output of :func:`~alliance_metrics.reliable_change` plus ``clinical_pre`` and
        ``functional_post`` (nullable booleans) and ``category`` (categorical: recovered,
        improved, unchanged, deteriorated, harmed; missing without both scores). With a
        numeric cut-off c, clinical means ``d·x < d·c`` and functional ``d·x > d·c`` (strict on
        both sides, as R clinicalsignificance; a score exactly at c is neither). With a
        registry cut-off, clinical means flagged by it (its own boundary) and functional means
        not flagged. ``attrs["alliance_metrics"]`` adds the cut-off, its type and source, and
        the population values used.

    Examples
    --------
    >>> import pandas as pd
    >>> import alliance_metrics as am
    >>> wide = pd.DataFrame({"pre": [18.0, 22, 30, 20], "post": [29.0, 24, 22, None]})
    >>> out = am.clinical_significance(wide, pre="pre", post="post", instrument="ors")
    >>> out[["change", "rc_points", "clinical_pre", "functional_post", "category"]]
       change  rc_points  clinical_pre  functional_post   category
    0    11.0        5.0          True             True  recovered
    1     2.0        5.0          True            False  unchanged
    2    -8.0        5.0         False            False     harmed
    3     NaN        5.0          True             <NA>        NaN
    """
    func = "clinical_significance"
    frame, pre_values, post_values = checked_pair(data, pre, post, func)
    inst = None if instrument is None else resolve_instrument_arg(instrument, func)
    rule = resolve_change_rule(
        func,
        pre_values,
        post_values,
        reliability=reliability,
        sd=sd,
        sd_source=sd_source,
        higher_is_better=higher_is_better,
        z=z,
        boundary=boundary,
        instrument=inst,
    )
    change, rci, code = classify_change(pre_values, post_values, rule)
    d = rule.direction
    has_pre, has_post = ~np.isnan(pre_values), ~np.isnan(post_values)
    attrs: dict[str, Any] = {"function": func, **rule.attrs}
    if cutoff is None and inst is not None:
        registry = _registry_cutoff(inst, func)
        if (registry.direction == "below") != (d == 1):
            raise InvalidParameterError(
                f"The 'higher_is_better' parameter of {func} contradicts {inst.id}'s cut-off "
                f"{registry.id!r} (clinical {registry.direction} {registry.value}). "
                f"Got {higher_is_better!r} instead."
            )
        clinical_pre = cutoff_flags(pre_values, registry)
        functional_post = ~cutoff_flags(post_values, registry) & has_post
        attrs.update(
            cutoff=registry.value,
            cutoff_type="registry",
            cutoff_id=registry.id,
            cutoff_boundary=f"clinical when flagged ({registry.direction}, {registry.boundary})",
            cutoff_aggregate=registry.aggregate,
        )
    else:
        kind = "a" if cutoff is None else cutoff
        if isinstance(kind, str):
            if kind not in ("a", "b", "c"):
                raise InvalidParameterError(
                    f"The 'cutoff' parameter of {func} must be one of {{'a', 'b', 'c'}}, a "
                    f"number or None. Got {cutoff!r} instead."
                )
            sample = pre_values if attrs.get("sd_source") == "pre_all" else pre_values[has_post]
            m_sample, sd_sample = _sample_moments(sample)
            m_clin = _optional_real("clinical_mean", func, clinical_mean, positive=False)
            sd_clin = _optional_real("clinical_sd", func, clinical_sd, positive=True)
            clinical = (
                m_sample if m_clin is None else m_clin,
                sd_sample if sd_clin is None else sd_clin,
            )
            functional = (
                _optional_real("functional_mean", func, functional_mean, positive=False),
                _optional_real("functional_sd", func, functional_sd, positive=True),
            )
            value = _numeric_cutoff(func, kind, d, clinical, functional)
            attrs.update(
                cutoff_type=kind,
                clinical_mean=clinical[0],
                clinical_sd=clinical[1],
                clinical_source="given" if m_clin is not None and sd_clin is not None else "pre",
                functional_mean=functional[0],
                functional_sd=functional[1],
            )
        else:
            value = check_real("cutoff", func, kind, wanted="'a', 'b', 'c', a number or None")
            attrs.update(cutoff_type="given")
        with np.errstate(invalid="ignore"):
            clinical_pre = d * pre_values < d * value
            functional_post = d * post_values > d * value
        attrs.update(cutoff=value, cutoff_boundary="strict on both sides")
    improved, deteriorated = code == 0, code == 2
    recovered = clinical_pre & functional_post & improved
    harmed = ~clinical_pre & ~functional_post & deteriorated & has_pre & has_post
    category = np.select(
        [code < 0, recovered, improved, deteriorated & ~harmed, harmed],
        [-1, 0, 1, 3, 4],
        default=2,
    ).astype(np.int8)
    out = add_columns(
        frame,
        {
            "change": change,
            "rci": rci,
            "rc_points": np.full(len(change), rule.rc_points),
            "reliable": reliable_categories(code),
            "clinical_pre": pd.arrays.BooleanArray(clinical_pre & has_pre, ~has_pre),
            "functional_post": pd.arrays.BooleanArray(functional_post & has_post, ~has_post),
            "category": pd.Categorical.from_codes(category, dtype=_CATEGORY_DTYPE),
        },
        func,
    )
    out.attrs["alliance_metrics"] = attrs
    return out
