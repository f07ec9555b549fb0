"""Synthetic example data and the seeded generator that made it.

Nothing here describes a real person. Importing this module reads no file and imports neither
numpy nor pandas; the bundled CSV is read by :func:`load_example` when asked for, and the
generator module is imported on first use of :func:`make_wai_sr_sessions`.

Examples
--------
>>> from alliance_metrics.datasets import load_example
>>> df = load_example()
>>> df.shape
(240, 15)
>>> list(df.columns[:5])
['client_id', 'therapist_id', 'session', 'wai_1', 'wai_2']
"""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING, Any

from alliance_metrics.errors import InvalidParameterError

if TYPE_CHECKING:
    import pandas as pd

    from alliance_metrics.datasets.generate import make_wai_sr_sessions

__all__ = ["list_examples", "load_example", "make_wai_sr_sessions"]

_EXAMPLES = ("wai_sr_example",)


def list_examples() -> list[str]:
    """Return the names of the bundled example data sets.

    Examples
    --------
    >>> from alliance_metrics.datasets import list_examples
    >>> list_examples()
    ['wai_sr_example']
    """
    return list(_EXAMPLES)


def load_example(name: str = "wai_sr_example") -> pd.DataFrame:
    """Read a bundled synthetic example data set.

    Parameters
    ----------
    name
        ``"wai_sr_example"``: 40 synthetic clients × 6 sessions of the WAI-SR (240 rows), made by
        ``make_wai_sr_sessions()`` with its default arguments. The same file is in the source
        tree as ``examples/data/wai_sr_example.csv``.

    Returns
    -------
    pandas.DataFrame
        Columns ``client_id``, ``therapist_id`` (text), ``session`` (int64) and ``wai_1`` …
        ``wai_12`` (float64, whole numbers 1–5, NaN where an answer is missing): the same
        columns and types as :func:`make_wai_sr_sessions`.

    Raises
    ------
    InvalidParameterError
        If ``name`` is not one of :func:`list_examples`.

    Examples
    --------
    >>> import alliance_metrics as am
    >>> from alliance_metrics.datasets import load_example
    >>> scored = am.score_frame(load_example(), "wai-sr")
    >>> scored["wai_sr_status"].value_counts().to_dict()
    {'ok': 164, 'prorated': 74, 'insufficient': 2, 'invalid': 0}
    """
    import numpy as np
    import pandas as pd

    if name not in _EXAMPLES:
        raise InvalidParameterError(
            f"The 'name' parameter of load_example must be one of "
            f"{{{', '.join(repr(n) for n in _EXAMPLES)}}}. Got {name!r} instead."
        )
    dtypes: dict[str, object] = {"client_id": str, "therapist_id": str, "session": np.int64}
    dtypes.update({f"wai_{n}": np.float64 for n in range(1, 13)})
    source = resources.files(__name__).joinpath("data", f"{name}.csv")
    with source.open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle, dtype=dtypes)  # type: ignore[arg-type]


def __getattr__(name: str) -> Any:
    # The generator is imported on first use, so that importing this package stays light and
    # ``python -m alliance_metrics.datasets.generate`` does not import its module twice.
    if name == "make_wai_sr_sessions":
        from alliance_metrics.datasets.generate import make_wai_sr_sessions

        return make_wai_sr_sessions
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
