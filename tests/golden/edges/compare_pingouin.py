"""Print how pingouin, R psych (the goldens) and alliance_metrics treat the alpha edge cases.

Run by hand in a virtual environment that has pingouin (it is not a dependency):

    python -m venv /tmp/pg && /tmp/pg/bin/pip install pingouin -e .
    /tmp/pg/bin/python tests/golden/edges/compare_pingouin.py

docs/psychometrics.md ("Compared with pingouin") summarises the output (pingouin 0.7.0).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pingouin

from alliance_metrics.psychometrics import cronbach_alpha

HERE = Path(__file__).parent
CASES = {  # name: items, rows, nan_policy
    "base": ("a b c d", 8, "pairwise"),
    "constant": ("a b c d e", 8, "pairwise"),
    "empty": ("a b c d f", 8, "pairwise"),
    "empty listwise": ("a b c d f", 8, "listwise"),
    "single": ("a b c d g", 8, "pairwise"),
    "listwise_ij": ("a b c d i j", 8, "listwise"),
    "rows_2": ("a b c d", 2, "pairwise"),
    "total_constant": ("a an", 8, "pairwise"),
    "above_one": ("p1 p2 p3", 8, "pairwise"),
}


def _run(function: object, *args: object, **kwargs: object) -> tuple[str, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = function(*args, **kwargs)  # type: ignore[operator]
    shown = value[0] if isinstance(value, tuple) else value.alpha
    return f"{shown:.6g}", sorted({w.category.__name__ for w in caught})


def main() -> None:
    items = pd.read_csv(HERE / "edges_items.csv")
    golden = pd.read_csv(HERE / "edges_alpha.csv", keep_default_na=False).set_index("case")
    print(f"pingouin {pingouin.__version__}")
    print(f"{'case':16} {'pingouin':28} {'psych':10} alliance_metrics")
    for name, (columns, rows, policy) in CASES.items():
        frame = items[columns.split()].iloc[:rows]
        theirs = _run(pingouin.cronbach_alpha, frame, nan_policy=policy)
        ours = _run(cronbach_alpha, frame, nan_policy=policy)
        psych = f"{float(golden.loc[name, 'raw_alpha']):.6g}" if name in golden.index else "-"
        print(f"{name:16} {theirs[0]:8} {','.join(theirs[1]):19} {psych:10} {ours[0]} {ours[1]}")


if __name__ == "__main__":
    main()
