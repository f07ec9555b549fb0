"""One rule set: every path decides every cell the same way.

The same random cells go through the reference rule (``validation.rules.coerce_cell``), the
per-value backend (``am.score``), the pandas backend (``score_frame``, object and string
columns) and the Arrow backend (``score_csv`` on a CSV file); value and issue code must agree
cell by cell, on random instruments (steps 1, 0.5, 0.1 or none; random anchor labels; declared
missing codes).
"""

from __future__ import annotations

import csv
import io
import math
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import alliance_metrics as am
from alliance_metrics.validation.arrow import coerce_text
from alliance_metrics.validation.frame import coerce_column
from alliance_metrics.validation.rules import CellRules, coerce_cell
from alliance_metrics.validation.single import coerce_row
from strategies import instruments, invalid_values, valid_values

SETTINGS = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
MISSING_CODES = ["-99", "999", "refused", " Keine Angabe "]
TRICKY_TEXT = [
    "-nan", "+nan", "nan(0x1)", "NaN", "nan", "inf", "-Infinity", "1_0", "0x1", "١", "٣", "４",
    "²", "1e500", "1e-400", "4.", ".5", "+3", " -0 ", "3,5", "4 5", "", "  ", "NA", "n/a",
    "NULL", "\t4\x1c", "4\x85", "\xa04", "-99.0", "999.00", "REFUSED", "keine  angabe",
]  # fmt: skip


def _texts(instrument: am.Instrument) -> st.SearchStrategy[str]:
    number = st.one_of(valid_values(instrument), invalid_values(instrument)).filter(
        lambda v: isinstance(v, float)
    )
    padded = st.tuples(
        st.sampled_from(["", " ", "\t"]), number.map(repr), st.sampled_from(["", " "])
    ).map("".join)
    labels = [a.label for a in instrument.response_scale.anchors]
    spelled = (
        st.tuples(st.sampled_from(labels), st.sampled_from([str.lower, str.upper, str.title])).map(
            lambda pair: "  " + pair[1](pair[0]).replace(" ", "   ") + " "
        )
        if labels
        else st.nothing()
    )
    return st.one_of(padded, spelled, st.sampled_from(TRICKY_TEXT), st.text(max_size=5))


def _objects(instrument: am.Instrument) -> st.SearchStrategy[object]:
    return st.one_of(
        _texts(instrument),
        valid_values(instrument),
        invalid_values(instrument),
        st.sampled_from([None, math.nan, pd.NA, True, False, 4 + 1j, b"4", 10**400, -(10**400)]),
        valid_values(instrument).map(Decimal),
        valid_values(instrument).map(np.float32),
        st.integers(-5, 12).map(np.int64),
        st.floats(allow_nan=True, allow_infinity=True),
    )


@st.composite
def cases(draw: st.DrawFn, objects: bool) -> tuple[am.Instrument, CellRules, list[Any]]:
    instrument = draw(instruments())
    missing = draw(st.lists(st.sampled_from(MISSING_CODES), unique=True, max_size=2))
    rules = CellRules.build(instrument.response_scale, missing_values=missing)
    cell = _objects(instrument) if objects else _texts(instrument)
    return instrument, rules, draw(st.lists(cell, min_size=1, max_size=12))


def _agree(reference: list[tuple[float, int]], values: np.ndarray, codes: np.ndarray) -> None:
    expected_values = np.array([v for v, _ in reference], dtype=np.float64)
    expected_codes = np.array([c for _, c in reference], dtype=np.int8)
    np.testing.assert_array_equal(codes.ravel(), expected_codes)
    np.testing.assert_array_equal(values.ravel(), expected_values)  # NaN equals NaN here


@SETTINGS
@given(case=cases(objects=True))
@example(
    case=(
        am.get_instrument("wai-b3"),
        CellRules.build(am.get_instrument("wai-b3").response_scale),
        [4 + 1j, b"4", True, 10**400, "-nan", "nan(0x1)"],
    )
)
@example(  # a half step: (x - min) / step overflowed for huge x (a raw NumPy warning)
    case=(
        am.get_instrument("wai-b3"),
        CellRules.build(am.ResponseScale(min=0.0, max=1.0, step=0.5)),
        ["0.0", 8.98846567431158e307, 1e308, "1e308", -1.7e308],
    )
)
def test_per_value_and_frame_backends_follow_the_rule(
    case: tuple[am.Instrument, CellRules, list[Any]],
) -> None:
    _, rules, cells = case
    reference = [coerce_cell(cell, rules) for cell in cells]
    _agree(reference, *coerce_row(cells, rules))
    _agree(reference, *coerce_column(pd.Series(cells, dtype=object), rules))


@SETTINGS
@given(case=cases(objects=False))
@example(
    case=(
        am.get_instrument("srs"),
        CellRules.build(am.get_instrument("srs").response_scale),
        ["-nan", "+nan", "nan(0x1)", "1e500", "4,5", " 10 "],
    )
)
def test_text_backends_follow_the_rule(case: tuple[am.Instrument, CellRules, list[str]]) -> None:
    _, rules, cells = case
    reference = [coerce_cell(cell, rules) for cell in cells]
    _agree(reference, *coerce_column(pd.Series(cells, dtype=object), rules))
    _agree(reference, *coerce_column(pd.Series(cells, dtype="string"), rules))
    values, codes, _ = coerce_text(pa.array(cells, type=pa.string()), rules)
    _agree(reference, values, codes)
    many = cells * 400  # many rows per distinct text: the vectorised Arrow parse
    values, codes, _ = coerce_text(pa.array(many, type=pa.string()), rules)
    _agree(reference * 400, values, codes)


@settings(SETTINGS, max_examples=30)
@given(case=cases(objects=False))
def test_public_paths_give_the_same_verdicts(
    case: tuple[am.Instrument, CellRules, list[str]],
) -> None:
    """``score`` (per value), ``score_frame`` (pandas) and ``score_csv`` (Arrow) on one row each."""
    instrument, rules, cells = case
    missing = sorted(rules.missing_texts - frozenset({"", "na", "n/a", "nan", "null"}))
    k = instrument.n_items
    rows = [
        cells[i : i + k] + [""] * max(0, k - len(cells[i : i + k])) for i in range(0, len(cells), k)
    ]
    columns = [item.id for item in instrument.items]
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    report = am.validate_frame(frame, instrument) if not missing else None
    by_frame = (
        am.score_frame(frame, instrument, on_invalid="missing", prefix="s_")
        if not missing
        else None
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # quotes cells holding CR or LF
    writer.writerow(columns)
    writer.writerows(rows)
    summary = am.score_csv(
        io.BytesIO(buffer.getvalue().encode("utf-8")),
        io.BytesIO(),
        instrument,
        missing_values=missing,
    )
    for r, row in enumerate(rows):
        single = am.score(row, instrument, on_invalid="missing")
        csv_invalid = summary.report.failure_cases.query("row == @r")["column"].tolist()
        assert list(single.invalid_items) == csv_invalid if not missing else True
        if report is not None and by_frame is not None:
            frame_invalid = report.failure_cases.query("row == @r")["column"].tolist()
            assert list(single.invalid_items) == frame_invalid
            assert single.status == by_frame["s_status"].iloc[r]
    expected_codes = [coerce_cell(c, rules)[1] for row in rows for c in row]
    assert summary.n_invalid_cells == sum(1 for c in expected_codes if c)


@settings(SETTINGS, max_examples=15)
@given(case=cases(objects=False), seed=st.integers(0, 2**32 - 1))
def test_many_distinct_texts_take_the_vectorised_parse_and_still_agree(
    case: tuple[am.Instrument, CellRules, list[str]], seed: int
) -> None:
    """Over 4,096 distinct texts (decimals of a visual-analogue scale): Arrow parses in C++."""
    instrument, rules, cells = case
    rng = np.random.default_rng(seed)
    rs = instrument.response_scale
    numbers = rng.uniform(rs.min - 1, rs.max + 1, size=8000)
    texts = [f"{x:.{rng.integers(3, 9)}f}" for x in numbers] + cells + TRICKY_TEXT
    if all(t.isascii() for t in cells):  # the C++ parse is for ASCII columns
        from alliance_metrics.validation import arrow

        assert len(set(texts)) > arrow._FEW_DISTINCT
    reference = [coerce_cell(text, rules) for text in texts]
    values, codes, _ = coerce_text(pa.array(texts, type=pa.string()), rules)
    _agree(reference, values, codes)
