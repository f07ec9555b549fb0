"""Tables for people: fixed-width text of the analysis results, and analysis tables to files."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from alliance_metrics.io.sink import TableSink, resolve_output, write_bytes

__all__ = ["reliability_table_text", "write_table"]


def reliability_table_text(report: pd.DataFrame, *, digits: int = 3) -> str:
    """Format a :func:`reliability_report` as a fixed-width text table (for the CLI).

    Statistics are rounded to ``digits`` decimals, percentages to one; NaN shows as ``NA``.

    Examples
    --------
    >>> import pandas as pd
    >>> from alliance_metrics.psychometrics import reliability_report
    >>> from alliance_metrics.report import reliability_table_text
    >>> df = pd.DataFrame({"item1": [4, 4, 5, 2, 5, 3, 5], "item2": [3, 4, 5, 2, 4, 3, 5],
    ...                    "item3": [4, 5, 4, 3, 5, 2, 5]})
    >>> report = reliability_report(df, "wai-b3")
    >>> print(reliability_table_text(report[["scale", "n", "alpha", "sem", "pct_ceiling"]]))
    scale  n alpha   sem pct_ceiling
     goal  7    NA    NA        42.9
     task  7    NA    NA        28.6
     bond  7    NA    NA        42.9
    total  7 0.909 0.317        14.3
    """
    shown = report.copy()
    for name in shown.columns:
        if pd.api.types.is_float_dtype(shown[name].dtype):
            places = 1 if str(name).startswith("pct_") else digits
            shown[name] = shown[name].map(lambda v, p=places: "NA" if v != v else f"{v:.{p}f}")
    return shown.to_string(index=False)


def write_table(
    table: pd.DataFrame,
    destination: str | os.PathLike[str],
    *,
    inputs: Sequence[Path] = (),
    func: str = "write_table",
) -> str:
    """Write an analysis table to ``destination``: JSON when it ends in ``.json``, else CSV.

    JSON keeps full precision (NaN becomes ``null``); CSV numbers are the shortest text that
    reads back as the same float64. The write is atomic for files, written through for
    devices, and never over an input.

    Returns
    -------
    str
        How the destination is named in messages.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.json"
    >>> write_table(pd.DataFrame({"scale": ["total"], "alpha": [float("nan")]}), path)[-6:]
    't.json'
    >>> path.read_text().split()
    ['[', '{', '"scale":', '"total",', '"alpha":', 'null', '}', ']']
    """
    import pyarrow as pa

    target = resolve_output(destination, inputs=inputs, parameter="output", func=func)
    if os.fspath(destination).lower().endswith(".json"):
        records = table.astype(object).where(table.notna(), None).to_dict(orient="records")
        text = json.dumps(records, indent=2, ensure_ascii=False) + "\n"
        write_bytes(target, text.encode("utf-8"))
    else:
        with TableSink(target, "csv") as sink:
            sink.write(pa.Table.from_pandas(table, preserve_index=False))
    return target.shown
