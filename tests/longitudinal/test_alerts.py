"""Session alerts (SESSION-SERIES §4): the OpenFIT example, boundaries, resolution, options."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import alliance_metrics as am


def _flags(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    columns = ["below_cutoff", "drop_from_last", "no_score", "alert"]
    return [
        tuple(None if pd.isna(v) else bool(v) for v in row)
        for row in frame[columns].itertuples(index=False)
    ]


def test_openfit_example() -> None:
    df = pd.DataFrame(
        {"client_id": "A", "session": range(1, 7), "srs": [38.0, 39.2, 38.1, 35.0, None, 37.5]}
    )
    out = am.session_alerts(df, "srs", score="srs")
    # ok, ok, drop, below cut-off and drop, no score, ok (no change after a missing session)
    assert _flags(out) == [
        (False, None, False, False),
        (False, False, False, False),
        (False, True, False, True),
        (True, True, False, True),
        (None, None, True, None),
        (False, None, False, False),
    ]
    np.testing.assert_allclose(out["change"], [np.nan, 1.2, -1.1, -3.1, np.nan, np.nan], atol=1e-12)
    assert out.attrs["alliance_metrics"]["cutoff"] == 36.0
    assert out.attrs["alliance_metrics"]["boundary"] == "exclusive"
    assert out.attrs["alliance_metrics"]["resolution"] == 0.1
    assert str(out["alert"].dtype) == "boolean"


def test_input_rows_order_index_and_columns_are_kept() -> None:
    df = pd.DataFrame(
        {
            "session": [2, 1, 1, 2],
            "client_id": ["b", "b", "a", "a"],
            "srs": [30.0, 38.0, 38.0, 38.0],
            "note": ["w", "x", "y", "z"],
        },
        index=[10, 11, 12, 13],
    )
    out = am.session_alerts(df, "srs", score="srs")
    assert out.index.tolist() == [10, 11, 12, 13]
    assert out["note"].tolist() == ["w", "x", "y", "z"]
    assert out["alert"].tolist() == [True, False, False, False]
    assert df.columns.tolist() == ["session", "client_id", "srs", "note"]  # not mutated


def test_float_noise_never_decides() -> None:
    total = 8.7 + 9.6 + 9.9 + 7.8  # 35.99999999999999: on the cut-off, not below it
    assert total < 36
    later = 36.3 - 1.0  # 35.3 minus noise: a drop of exactly one point
    df = pd.DataFrame({"client_id": "A", "session": [1, 2, 3], "srs": [total, 36.3, later]})
    for instrument in ("srs", None):
        out = am.session_alerts(df, instrument, score="srs", cutoff=None if instrument else 36)
        assert out["below_cutoff"].tolist() == [False, False, True]
        assert out["drop_from_last"].tolist()[2] is True


def test_a_gap_in_session_numbers_means_no_change() -> None:
    df = pd.DataFrame({"client_id": "A", "session": [1, 3], "srs": [39.0, 30.0]})
    out = am.session_alerts(df, "srs", score="srs")
    assert out["drop_from_last"].isna().tolist() == [True, True]
    assert out["alert"].tolist() == [False, True]  # still below the cut-off


def test_cutoffs_from_the_registry_and_given() -> None:
    df = pd.DataFrame({"client_id": "A", "session": [1, 2, 3], "ors": [24.9, 25.0, 27.9]})
    adult = am.session_alerts(df, "ors", score="ors")
    assert adult["below_cutoff"].tolist() == [True, False, False]
    teen = am.session_alerts(df, "ors", score="ors", cutoff="clinical_adolescent")
    assert teen["below_cutoff"].tolist() == [True, True, True]
    assert teen.attrs["alliance_metrics"]["cutoff_id"] == "clinical_adolescent"
    own = am.session_alerts(df, "ors", score="ors", cutoff=25.0)
    assert own["below_cutoff"].tolist() == [True, False, False]
    none = am.session_alerts(df, score="ors")
    assert none["below_cutoff"].isna().all()
    assert none["alert"].tolist() == [False, False, False]


def test_inclusive_boundary_and_larger_drop() -> None:
    srs = am.get_instrument("srs")
    inclusive = srs.model_copy(
        update={"cutoffs": [srs.cutoffs[0].model_copy(update={"boundary": "inclusive"})]}
    )
    df = pd.DataFrame({"client_id": "A", "session": [1, 2, 3], "srs": [37.0, 36.0, 34.5]})
    out = am.session_alerts(df, inclusive, score="srs", drop_points=1.5)
    assert out["below_cutoff"].tolist() == [False, True, True]
    assert out["drop_from_last"].tolist()[1:] == [False, True]


def test_integer_instruments_use_their_cutoff_by_id() -> None:
    df = pd.DataFrame({"client_id": "A", "session": [1, 2], "wai": [40.0, 35.0]})
    with pytest.raises(am.InvalidParameterError, match="no published cut-off"):
        am.session_alerts(df, "wai-sr", score="wai")
    out = am.session_alerts(df, "wai-sr", score="wai", cutoff="band_low")
    assert out["below_cutoff"].tolist() == [False, True]
    assert out.attrs["alliance_metrics"]["resolution"] is None


@pytest.mark.parametrize(
    ("args", "options", "match"),
    [
        (
            ("srs",),
            {"cutoff": "nope"},
            r"of session_alerts must be a number or one of \{'alliance_concern'\}",
        ),
        ((), {"cutoff": "alliance_concern"}, r"'cutoff' parameter .* needs an instrument"),
        ((), {"cutoff": True}, r"'cutoff' parameter"),
        ((), {"cutoff": math.inf}, r"'cutoff' parameter"),
        (("srs",), {"drop_points": 0}, r"'drop_points' parameter of session_alerts must be a"),
        ((5,), {}, r"'instrument' parameter of session_alerts must be"),
        (("wai-sr",), {"cutoff": "band_high"}, r"must be a number or one of \{'band_low'\}"),
    ],
)
def test_bad_options(args: tuple[Any, ...], options: dict[str, Any], match: str) -> None:
    df = pd.DataFrame({"client_id": "A", "session": [1], "srs": [30.0]})
    with pytest.raises(am.InvalidParameterError, match=match):
        am.session_alerts(df, *args, score="srs", **options)


def test_output_column_clash_and_empty_input() -> None:
    df = pd.DataFrame({"client_id": "A", "session": [1], "srs": [30.0], "alert": [1]})
    with pytest.raises(am.InputFormatError, match="'alert'"):
        am.session_alerts(df, "srs", score="srs")
    out = am.session_alerts(df.iloc[:0].drop(columns="alert"), "srs", score="srs")
    assert len(out) == 0
    assert str(out["below_cutoff"].dtype) == "boolean"


@st.composite
def _visual_analogue_series(draw: st.DrawFn) -> tuple[pd.DataFrame, list[list[int]]]:
    """SRS totals summed in floating point from four marks in mm, with their exact tenths."""
    rows, tenths = [], []
    for client in range(draw(st.integers(1, 4))):
        sessions = draw(st.lists(st.integers(1, 8), min_size=1, max_size=6, unique=True))
        for s in sessions:
            marks = draw(st.lists(st.integers(0, 100), min_size=4, max_size=4))
            missing = draw(st.integers(0, 7)) == 0
            total = math.nan if missing else sum(m / 10 for m in marks)
            rows.append((f"c{client}", s, total))
            tenths.append([client, s, -1 if missing else sum(marks)])
    return pd.DataFrame(rows, columns=["client_id", "session", "srs"]), tenths


@settings(max_examples=200, deadline=None)
@given(case=_visual_analogue_series(), cutoff_mm=st.integers(300, 380), drop_mm=st.integers(1, 30))
def test_exact_tenths_oracle(
    case: tuple[pd.DataFrame, list[list[int]]], cutoff_mm: int, drop_mm: int
) -> None:
    df, tenths = case
    out = am.session_alerts(
        df.sample(frac=1.0, random_state=0), "srs", score="srs",
        cutoff=cutoff_mm / 10, drop_points=drop_mm / 10,
    ).sort_index()  # fmt: skip
    exact = {(c, s): t for c, s, t in tenths}
    expected = []
    for c, s, t in tenths:
        if t < 0:
            expected.append((None, None, True, None))
            continue
        before = exact.get((c, s - 1), -1)
        drop = None if before < 0 else before - t >= drop_mm
        low = t < cutoff_mm
        expected.append((low, drop, False, low or bool(drop)))
    assert _flags(out) == expected
