"""One rule set for typed Arrow columns (polars and pyarrow tables): every type, every cell.

Random cells of one Arrow type — integers, floats (NaN, infinity), text in each string layout,
dictionaries, booleans, dates, nulls — go through the typed backend and through the reference
rule (``coerce_cell``) one by one; value and issue code must agree cell by cell, on random
instruments with declared missing codes.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import alliance_metrics as am
from alliance_metrics.validation.rules import CellRules, coerce_cell
from alliance_metrics.validation.typed import coerce_arrow
from strategies import instruments, invalid_values, valid_values
from test_rules_agree import MISSING_CODES, _texts

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _numbers(instrument: am.Instrument) -> st.SearchStrategy[Any]:
    return st.one_of(
        valid_values(instrument),
        invalid_values(instrument).filter(lambda v: isinstance(v, float)),
        st.sampled_from([math.nan, None, -99.0, 999.0]),
        st.floats(allow_nan=True, allow_infinity=True),
    )


def _as_float32(value: float | None) -> float | None:
    if value is None:
        return None
    with np.errstate(over="ignore"):  # beyond float32: ±inf, as the column holds it
        return float(np.float32(value))


@st.composite
def typed_columns(draw: st.DrawFn) -> tuple[CellRules, list[Any], pa.DataType]:
    instrument = draw(instruments())
    missing = draw(st.lists(st.sampled_from(MISSING_CODES), unique=True, max_size=2))
    rules = CellRules.build(instrument.response_scale, missing_values=missing)
    kind = draw(
        st.sampled_from(
            ["int64", "int8", "uint16", "float64", "float32", "string", "large_string",
             "string_view", "dictionary", "bool", "date", "null"]
        )
    )  # fmt: skip
    if kind in ("int64", "int8", "uint16"):
        low = 0 if kind == "uint16" else -100
        cell: st.SearchStrategy[Any] = st.one_of(st.none(), st.integers(low, 120))
        arrow_type = getattr(pa, kind)()
    elif kind in ("float64", "float32"):
        cell, arrow_type = _numbers(instrument), getattr(pa, kind)()
        if kind == "float32":  # the reference sees the float32 value the column holds
            cell = cell.map(_as_float32)
    elif kind == "bool":
        cell, arrow_type = st.one_of(st.none(), st.booleans()), pa.bool_()
    elif kind == "date":
        cell, arrow_type = st.one_of(st.none(), st.dates()), pa.date32()
    elif kind == "null":
        cell, arrow_type = st.none(), pa.null()
    else:
        cell = st.one_of(st.none(), _texts(instrument))
        arrow_type = pa.string() if kind == "dictionary" else getattr(pa, kind)()
    cells = draw(st.lists(cell, min_size=0, max_size=15))
    return (
        rules,
        cells,
        pa.dictionary(pa.int32(), pa.string()) if kind == "dictionary" else arrow_type,
    )


@SETTINGS
@given(case=typed_columns(), chunks=st.integers(1, 3))
def test_typed_backend_follows_the_rule(
    case: tuple[CellRules, list[Any], pa.DataType], chunks: int
) -> None:
    rules, cells, arrow_type = case
    reference = [coerce_cell(cell, rules) for cell in cells]
    if pa.types.is_dictionary(arrow_type):
        column = pa.array(cells, type=pa.string()).dictionary_encode()
    else:
        column = pa.array(cells, type=arrow_type)
    size = max(1, math.ceil(len(cells) / chunks))  # several chunks, as polars may hold them
    parts = [column.slice(i, size) for i in range(0, len(cells), size)] or [column]
    values, codes = coerce_arrow(pa.chunked_array(parts, type=column.type), rules)
    np.testing.assert_array_equal(codes, np.array([c for _, c in reference], dtype=np.int8))
    np.testing.assert_array_equal(values, np.array([v for v, _ in reference], dtype=np.float64))


def test_every_other_type_is_not_a_number_where_present() -> None:
    rules = CellRules.build(am.get_instrument("wai-b3").response_scale)
    for column in (
        pa.array([dt.datetime(2024, 1, 1), None]),
        pa.array([b"4", None]),
        pa.array([[4], None]),
        pa.array([dt.timedelta(days=4), None]),
    ):
        values, codes = coerce_arrow(column, rules)
        assert codes.tolist() == [coerce_cell(column[0].as_py(), rules)[1], 0] == [1, 0]
        assert np.isnan(values).all()
    decimals = pa.array([Decimal("4.0"), None, Decimal("4.5")])
    values, codes = coerce_arrow(decimals, rules)
    assert codes.tolist() == [0, 0, 3]
    assert values[0] == 4.0
