"""A polars DataFrame or a pyarrow Table seen through Arrow: columns out, columns back in.

:class:`NativeTable` gives the scoring and validation paths what they need without pandas — the
column names, one column as an Arrow array (zero-copy from polars), the cells of a column at
some rows, and the caller's table with columns appended — and gives the analyses a narrow pandas
frame of the columns they read and their result tables back in the caller's kind.

Missing values in added columns are nulls (pandas has NaN); categorical columns become polars
``Enum`` (the categories fixed, as pandas' categoricals are) or Arrow dictionaries. Provenance
(pandas' ``attrs["alliance_metrics"]``) goes into an Arrow table's schema metadata under
``b"alliance_metrics"`` as JSON; polars DataFrames have no place for it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pyarrow as pa

from alliance_metrics._arrays import CodeArray, FloatArray, IntArray
from alliance_metrics.frames.kinds import table_kind

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["METADATA_KEY", "NativeTable", "code_array", "float_array", "int_array"]

METADATA_KEY = b"alliance_metrics"
"""Schema-metadata key of an Arrow table's provenance (JSON)."""
NativeKind = Literal["polars", "arrow"]


def float_array(values: FloatArray) -> pa.Array:
    """Arrow float64 array over ``values`` with NaN as null.

    Examples
    --------
    >>> float_array(np.array([1.5, np.nan])).to_pylist()
    [1.5, None]
    """
    return pa.array(np.ascontiguousarray(values, dtype=np.float64), from_pandas=True)


def int_array(values: IntArray) -> pa.Array:
    """Arrow int64 array over ``values`` (no nulls)."""
    return pa.array(np.ascontiguousarray(values, dtype=np.int64), type=pa.int64())


def code_array(codes: CodeArray, categories: Sequence[str]) -> pa.DictionaryArray:
    """Arrow dictionary array (int8 codes) with fixed ``categories``, like a pandas categorical.

    Examples
    --------
    >>> code_array(np.array([1, 0], np.int8), ("ok", "invalid")).to_pylist()
    ['invalid', 'ok']
    """
    indices = pa.array(np.ascontiguousarray(codes, dtype=np.int8), type=pa.int8())
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(categories), type=pa.string()))


@dataclass(frozen=True)
class NativeTable:
    """A polars DataFrame or a pyarrow Table, and what the library does with its columns.

    Examples
    --------
    >>> import pyarrow as pa
    >>> table = NativeTable.of(pa.table({"a": [1, 2]}))
    >>> table.kind, table.columns, table.n_rows
    ('arrow', ['a'], 2)
    >>> table.append({"b": float_array(np.array([0.5, np.nan]))}).column("b").to_pylist()
    [0.5, None]
    """

    table: Any
    kind: NativeKind

    @classmethod
    def of(cls, value: object) -> NativeTable | None:
        """Wrap a polars DataFrame or a pyarrow Table; ``None`` for anything else."""
        kind = table_kind(value)
        if kind == "polars" or kind == "arrow":
            return cls(value, kind)
        return None

    @property
    def columns(self) -> list[str]:
        """Column names, in order."""
        names: list[str] = list(
            self.table.columns if self.kind == "polars" else self.table.schema.names
        )
        return names

    @property
    def n_rows(self) -> int:
        """Number of rows."""
        return int(self.table.height if self.kind == "polars" else self.table.num_rows)

    def arrow_column(self, name: str) -> pa.ChunkedArray | pa.Array:
        """One column as Arrow (zero-copy from polars where its layout allows)."""
        if self.kind == "arrow":
            column: pa.ChunkedArray = self.table.column(name)
            return column
        return self.table.get_column(name).to_arrow()

    def cells(self, name: str, rows: IntArray) -> list[object]:
        """Return the cells of column ``name`` at positions ``rows``, as Python values."""
        values: list[object] = (
            self.arrow_column(name).take(pa.array(rows, type=pa.int64())).to_pylist()
        )
        return values

    def to_pandas(self, names: Sequence[str]) -> pd.DataFrame:
        """Only the columns ``names``, as a pandas frame with a default index.

        An Arrow table's provenance comes back as ``attrs["alliance_metrics"]``, so that an
        analysis reads what ``score_frame`` recorded (the metric of the scores) as from pandas.
        """
        frame: pd.DataFrame = self.table.select(list(names)).to_pandas()
        provenance = self.provenance()
        if provenance is not None:
            frame.attrs["alliance_metrics"] = provenance
        return frame

    def provenance(self) -> dict[str, Any] | None:
        """Return what ``score_frame`` recorded in an Arrow table's metadata (``None``: nothing).

        Examples
        --------
        >>> import pyarrow as pa, alliance_metrics as am
        >>> scored = am.score_frame(pa.table({"wai_1": [4], "wai_2": [3], "wai_3": [5]}), "wai-b3")
        >>> NativeTable.of(scored).provenance()["aggregate"]
        'mean'
        """
        if self.kind != "arrow":
            return None
        raw = (self.table.schema.metadata or {}).get(METADATA_KEY)
        if raw is None:
            return None
        try:
            found = json.loads(raw)
        except ValueError:  # written by someone else: not ours to read
            return None
        return found if isinstance(found, dict) else None

    def append(
        self, added: Mapping[str, pa.Array], provenance: Mapping[str, Any] | None = None
    ) -> Any:
        """Return the caller's table with ``added`` columns after its own (same kind)."""
        if self.kind == "arrow":
            table = self.table
            for name, values in added.items():
                table = table.append_column(name, values)
            return _with_provenance(table, provenance)
        import polars as pl

        series = [_polars_series(pl, name, values) for name, values in added.items()]
        return self.table.hstack(series)

    def same_kind(self, frame: pd.DataFrame) -> Any:
        """Return a pandas result table in the caller's kind (index dropped, attrs kept)."""
        provenance = frame.attrs.get("alliance_metrics")
        if self.kind == "arrow":
            table = pa.Table.from_pandas(frame, preserve_index=False)
            return _with_provenance(table.replace_schema_metadata(None), provenance)
        import polars as pl

        converted = pl.from_pandas(frame)
        enums = {
            str(name): pl.Enum(list(dtype.categories))
            for name, dtype in frame.dtypes.items()
            if getattr(dtype, "name", "") == "category"
            and all(isinstance(c, str) for c in dtype.categories)
        }
        return converted.cast(enums) if enums else converted  # type: ignore[arg-type]

    def with_pandas_columns(self, added: pd.DataFrame) -> Any:
        """Return the caller's table with the (row-aligned) pandas columns ``added`` appended."""
        converted = NativeTable(None, self.kind).same_kind(added)
        if self.kind == "arrow":
            columns = dict(zip(converted.schema.names, converted.columns, strict=True))
            return self.append(columns, added.attrs.get("alliance_metrics"))
        return self.table.hstack(converted.get_columns())


def _polars_series(pl: Any, name: str, values: pa.Array) -> Any:
    """Build a polars Series from an Arrow array (a dictionary of texts: an ``Enum``)."""
    if isinstance(values, pa.DictionaryArray):
        categories = values.dictionary.to_pylist()
        enum = pl.Enum(categories)
        codes = pl.Series(name, np.asarray(values.indices.to_numpy(zero_copy_only=False)))
        try:
            return codes.cast(pl.UInt32).cat.to(enum)  # polars ≥ 2: straight from the codes
        except AttributeError:  # pragma: no cover - older polars
            return pl.from_arrow(values).cast(enum).alias(name)
    return pl.from_arrow(values).alias(name)


def _with_provenance(table: pa.Table, provenance: Mapping[str, Any] | None) -> pa.Table:
    if provenance is None:
        return table
    metadata = dict(table.schema.metadata or {})
    metadata[METADATA_KEY] = json.dumps(dict(provenance), default=str).encode()
    return table.replace_schema_metadata(metadata)
