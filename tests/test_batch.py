"""score_frame / validate_frame: rows, index, columns, dtypes, invalid cells and reports."""

from __future__ import annotations

import copy
import re

import numpy as np
import pandas as pd
import pytest

import alliance_metrics as am
from alliance_metrics.results import FAILURE_COLUMNS
from helpers import B3_SCORES

SR_COLUMNS = [f"wai_{n}" for n in range(1, 13)]
SR_SCALES = ["task", "bond", "goal", "total", "goal_task"]
STATUSES = ["ok", "prorated", "insufficient", "invalid"]
TASK = [1, 2, 10, 12]


def _sr_frame(rows: list[list[object]], index: object = None) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=SR_COLUMNS, index=index)
    df.insert(0, "client", [f"c{i}" for i in range(len(df))])
    df["therapist"] = "t1"
    return df


ROWS = [
    [4, 5, 3, 2, 5, 4, 3, 1, 5, 2, 4, 3],
    [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
    [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, None],
    [None, None, 2, None, 2, None, 2, None, 2, None, None, None],
]


def test_scores_every_row_with_expected_values() -> None:
    out = am.score_frame(_sr_frame(ROWS), "wai-sr")
    assert len(out) == len(ROWS)
    task = [np.mean([r[n - 1] for n in TASK if r[n - 1] is not None]) for r in ROWS[:3]]
    np.testing.assert_allclose(out["wai_sr_task"].to_numpy()[:3], task, rtol=1e-15)
    assert np.isnan(out.loc[3, "wai_sr_task"])
    assert out.loc[3, "wai_sr_bond"] == 2
    assert list(out["wai_sr_status"]) == ["ok", "ok", "prorated", "insufficient"]
    assert list(out["wai_sr_task_answered"]) == [4, 4, 3, 0]


def test_output_columns_order_and_dtypes() -> None:
    df = _sr_frame(ROWS)
    out = am.score_frame(df, "wai-sr")
    added = []
    for scale in SR_SCALES:
        added += [f"wai_sr_{scale}", f"wai_sr_{scale}_answered"]
    assert list(out.columns) == [*df.columns, *added, "wai_sr_status"]
    for scale in SR_SCALES:
        assert out[f"wai_sr_{scale}"].dtype == np.float64
        assert out[f"wai_sr_{scale}_answered"].dtype == np.int64
    pd.testing.assert_frame_equal(out[list(df.columns)], df)


def test_status_is_categorical_with_fixed_categories() -> None:
    status = am.score_frame(_sr_frame(ROWS[:1]), "wai-sr")["wai_sr_status"]
    assert isinstance(status.dtype, pd.CategoricalDtype)
    assert list(status.cat.categories) == STATUSES


@pytest.mark.parametrize(
    "index",
    [
        pd.Index(["x", "y", "z", "w"]),
        pd.Index(["a", "a", "b", "a"]),
        pd.Index([10, 3, 7, 3]),
        pd.RangeIndex(5, 9),
        pd.MultiIndex.from_tuples(
            [("p1", 1), ("p1", 2), ("p2", 1), ("p2", 2)], names=["dyad", "session"]
        ),
        pd.DatetimeIndex(["2024-01-01", "2024-01-08", "2024-01-15", "2024-01-22"], name="date"),
    ],
    ids=["strings", "duplicate-strings", "duplicate-ints", "range", "multi", "dates"],
)
def test_index_is_kept(index: pd.Index) -> None:
    df = _sr_frame(ROWS, index=index)
    out = am.score_frame(df, "wai-sr")
    pd.testing.assert_index_equal(out.index, df.index)
    plain = am.score_frame(_sr_frame(ROWS), "wai-sr")
    np.testing.assert_array_equal(out["wai_sr_total"].to_numpy(), plain["wai_sr_total"].to_numpy())
    assert list(out["wai_sr_status"]) == list(plain["wai_sr_status"])


def test_row_order_is_kept() -> None:
    df = _sr_frame(ROWS)
    flipped = df.iloc[::-1]
    out = am.score_frame(flipped, "wai-sr")
    pd.testing.assert_frame_equal(out, am.score_frame(df, "wai-sr").iloc[::-1])


def test_input_is_not_mutated() -> None:
    df = _sr_frame(ROWS, index=["a", "b", "c", "d"])
    df["wai_1"] = df["wai_1"].astype(object)
    df.loc["a", "wai_1"] = " 4 "
    df["wai_2"] = pd.array([5, 1, 5, None], dtype="Int64")
    df.loc["b", "wai_7"] = 9
    df.attrs["source"] = "clinic"
    before = copy.deepcopy(df)
    am.score_frame(df, "wai-sr", on_invalid="missing")
    am.validate_frame(df, "wai-sr")
    with pytest.raises(am.ResponseValidationError):
        am.score_frame(df, "wai-sr")
    pd.testing.assert_frame_equal(df, before)
    assert list(df.dtypes) == list(before.dtypes)
    assert df.attrs == before.attrs


def test_output_does_not_share_writable_memory_with_input() -> None:
    df = pd.DataFrame(np.full((3, 12), 3.0), columns=SR_COLUMNS)
    out = am.score_frame(df, "wai-sr")
    out.loc[0, "wai_1"] = 5.0
    out.loc[1, "wai_sr_total"] = 0.0
    assert df.loc[0, "wai_1"] == 3.0


def test_default_prefix_is_the_slug() -> None:
    out = am.score_frame(pd.DataFrame([[4, 4, 4]], columns=["q1", "q2", "q3"]), "wai-b3")
    assert [c for c in out.columns if c.startswith("wai_b3_")] == B3_SCORES


def test_empty_prefix_gives_bare_names() -> None:
    out = am.score_frame(_sr_frame(ROWS[:1]), "wai-sr", prefix="")
    assert {"task", "task_answered", "goal_task", "goal_task_answered", "status"} <= set(
        out.columns
    )


def test_custom_prefix() -> None:
    out = am.score_frame(_sr_frame(ROWS[:1]), "wai-sr", prefix="t1.")
    assert "t1.total" in out.columns
    assert "t1.status" in out.columns


def test_name_clash_suggests_a_prefix() -> None:
    df = _sr_frame(ROWS[:1])
    df["total"] = 0
    with pytest.raises(
        am.InvalidParameterError,
        match=r"output column\(s\) 'total' of score_frame already exist.*'prefix'",
    ):
        am.score_frame(df, "wai-sr", prefix="")
    assert "wai_sr_total" in am.score_frame(df, "wai-sr").columns
    again = am.score_frame(df, "wai-sr")
    with pytest.raises(am.InvalidParameterError, match="'wai_sr_task', 'wai_sr_bond'"):
        am.score_frame(again.drop(columns=["total"]), "wai-sr", columns="wai_{n}")


def test_prefix_of_wrong_type() -> None:
    with pytest.raises(
        am.InvalidParameterError,
        match=re.escape(
            "The 'prefix' parameter of score_frame must be a str or None. Got 3 instead."
        ),
    ):
        am.score_frame(_sr_frame(ROWS[:1]), "wai-sr", prefix=3)  # type: ignore[arg-type]


def test_not_a_dataframe() -> None:
    with pytest.raises(
        am.InvalidParameterError,
        match=re.escape(
            "The 'df' parameter of score_frame must be a pandas or polars DataFrame, or a pyarrow "
            "Table. Got a list instead."
        ),
    ):
        am.score_frame(ROWS, "wai-sr")  # type: ignore[arg-type]
    with pytest.raises(
        am.InvalidParameterError,
        match="The 'df' parameter of validate_frame must be a pandas or polars DataFrame",
    ):
        am.validate_frame({"wai_1": [1]}, "wai-sr")  # type: ignore[arg-type]


def test_parameter_errors_name_score_frame() -> None:
    df = _sr_frame(ROWS[:1])
    with pytest.raises(am.InvalidParameterError) as info:
        am.score_frame(df, "wai-sr", aggregate="avg")  # type: ignore[arg-type]
    assert (
        str(info.value)
        == "The 'aggregate' parameter of score_frame must be one of {'mean', 'sum'}. "
        "Got 'avg' instead."
    )
    with pytest.raises(
        am.InvalidParameterError,
        match=re.escape(
            "The 'on_invalid' parameter of score_frame must be one of {'missing', 'raise'}. "
            "Got 'skip' instead."
        ),
    ):
        am.score_frame(df, "wai-sr", on_invalid="skip")
    with pytest.raises(
        am.InvalidParameterError, match="The 'min_answered' parameter of score_frame"
    ):
        am.score_frame(df, "wai-sr", min_answered=0)
    with pytest.raises(am.InvalidParameterError, match="asks for 6 answered items"):
        am.score_frame(df, "wai-sr", min_answered=6)


def test_sum_and_prorated_sum() -> None:
    out = am.score_frame(_sr_frame(ROWS), "wai-sr", aggregate="sum", prefix="")
    assert out.loc[0, "total"] == sum(ROWS[0])  # type: ignore[arg-type]
    assert out.loc[2, "total"] == pytest.approx(5 * 12, rel=1e-15)  # 11 answered, mean 5 × 12
    assert out.loc[2, "task"] == pytest.approx(5 * 4, rel=1e-15)  # item 12 missing: prorated
    assert out.loc[2, "bond"] == 20


# --- invalid cells -------------------------------------------------------------------------------


def _bad_frame() -> pd.DataFrame:
    df = _sr_frame(ROWS)
    df["wai_7"] = df["wai_7"].astype(object)
    df.loc[1, "wai_7"] = 7
    df.loc[2, "wai_7"] = "often-ish"
    df["wai_3"] = df["wai_3"].astype(float)
    df.loc[0, "wai_3"] = 3.5
    df.loc[3, "wai_3"] = np.inf
    return df


def test_on_invalid_raise_reports_every_cell() -> None:
    with pytest.raises(am.ResponseValidationError) as info:
        am.score_frame(_bad_frame(), "wai-sr")
    report = info.value.report
    assert isinstance(report, am.ValidationReport)
    cases = report.failure_cases
    assert list(zip(cases["row"], cases["column"], cases["code"], strict=True)) == [
        (0, "wai_3", "not_on_step"),
        (1, "wai_7", "out_of_range"),
        (2, "wai_7", "not_a_number"),
        (3, "wai_3", "out_of_range"),
    ]
    assert report.n_invalid_cells == 4
    assert report.n_rows_affected == 4
    assert report.n_rows == 4
    assert str(info.value) == report.summary()
    assert str(info.value).startswith("4 invalid cell(s) in 4 of 4 row(s): row 0, column 'wai_3'")
    assert str(info.value).endswith("; and 1 more")


def test_on_invalid_missing_scores_the_rest() -> None:
    out = am.score_frame(_bad_frame(), "wai-sr", on_invalid="missing", prefix="")
    assert list(out["status"]) == ["invalid"] * 4
    assert out.loc[0, "bond"] == (5 + 3 + 5) / 3  # item 3 (3.5) dropped
    assert out.loc[0, "task"] == (4 + 5 + 2 + 3) / 4
    assert out.loc[1, "bond_answered"] == 3
    assert out.loc[1, "bond"] == 1.0


def test_validate_frame_report() -> None:
    df = pd.DataFrame({c: [3, 3] for c in SR_COLUMNS})
    df.loc[1, "wai_7"] = 7
    report = am.validate_frame(df, "wai-sr")
    assert not report.ok
    cases = report.failure_cases
    assert list(cases.columns) == ["row", "column", "value", "code", "message"]
    assert tuple(cases.columns) == FAILURE_COLUMNS
    assert cases.to_dict("records") == [
        {
            "row": 1,
            "column": "wai_7",
            "value": 7,
            "code": "out_of_range",
            "message": "row 1, column 'wai_7': response must be an integer from 1 to 5. Got 7.",
        }
    ]
    assert cases["row"].dtype == np.int64


def test_valid_frame_report() -> None:
    report = am.validate_frame(_sr_frame(ROWS), "wai-sr")
    assert report.ok
    assert report.n_invalid_cells == 0
    assert report.n_rows_affected == 0
    assert report.n_rows == 4
    assert list(report.failure_cases.columns) == list(FAILURE_COLUMNS)
    assert report.summary() == "all 4 rows are valid"


def test_row_numbers_are_positions_not_labels() -> None:
    df = _sr_frame(ROWS, index=["w", "x", "y", "z"])
    df.loc["z", "wai_1"] = 0
    assert list(am.validate_frame(df, "wai-sr").failure_cases["row"]) == [3]


@pytest.mark.parametrize(
    ("value", "code", "shown"),
    [
        (3.5, "not_on_step", "3.5"),
        (0, "out_of_range", "0"),
        (6.0, "out_of_range", "6"),
        (np.inf, "out_of_range", "inf"),
        (-np.inf, "out_of_range", "-inf"),
        ("lots", "not_a_number", "'lots'"),
        ("4,5", "not_a_number", "'4,5'"),
        ("nan?", "not_a_number", "'nan?'"),
    ],
)
def test_issue_codes(value: object, code: str, shown: str) -> None:
    df = pd.DataFrame({c: pd.Series([3, 3], dtype=object) for c in SR_COLUMNS})
    df.loc[1, "wai_5"] = value
    cases = am.validate_frame(df, "wai-sr").failure_cases
    assert list(cases["code"]) == [code]
    assert cases.loc[0, "message"].endswith(f" Got {shown}.")
    if code == "not_a_number":
        assert (
            "response must be a number or one of the labels 'Seldom', 'Sometimes'"
            in cases.loc[0, "message"]
        )


def test_float_column_non_integer_rejected() -> None:
    df = pd.DataFrame({c: [3.0, 3.0] for c in SR_COLUMNS})
    df.loc[0, "wai_2"] = 3.5
    df.loc[1, "wai_2"] = np.inf
    cases = am.validate_frame(df, "wai-sr").failure_cases
    assert list(zip(cases["row"], cases["code"], strict=True)) == [
        (0, "not_on_step"),
        (1, "out_of_range"),
    ]


def test_srs_accepts_vas_decimals() -> None:
    df = pd.DataFrame(
        {
            "relationship": [9.5, 10.0, 0.0],
            "goals_topics": [3.14, 7.0, 10.5],
            "approach_method": [8.0, "7.5", -0.1],
            "overall": [9.9, 10, 0],
        }
    )
    cases = am.validate_frame(df, "srs").failure_cases
    assert list(zip(cases["row"], cases["column"], cases["code"], strict=True)) == [
        (2, "goals_topics", "out_of_range"),
        (2, "approach_method", "out_of_range"),
    ]
    assert (
        cases.loc[1, "message"]
        == "row 2, column 'approach_method': response must be a number from 0 to 10. Got -0.1."
    )
    out = am.score_frame(df.iloc[:1], "srs", prefix="")
    assert out.loc[0, "total"] == pytest.approx(9.5 + 3.14 + 8.0 + 9.9, rel=1e-15)
    assert out.loc[0, "status"] == "ok"


def test_object_columns_mixing_ints_strings_none() -> None:
    df = pd.DataFrame(
        {
            c: pd.Series(
                [4, "4", " 4 ", None, "Very Often", " very  often ", 4.0, np.nan], dtype=object
            )
            for c in SR_COLUMNS
        }
    )
    out = am.score_frame(df, "wai-sr", prefix="")
    assert list(out["total"].isna()) == [False, False, False, True, False, False, False, True]
    assert set(out["total"].dropna()) == {4.0}
    assert list(out["status"]) == [
        "ok",
        "ok",
        "ok",
        "insufficient",
        "ok",
        "ok",
        "ok",
        "insufficient",
    ]


def test_nullable_integer_and_string_dtypes() -> None:
    ints = pd.DataFrame({c: pd.array([1, None, 5, 3], dtype="Int64") for c in SR_COLUMNS})
    texts = pd.DataFrame(
        {c: pd.array(["1", None, "5", "Fairly often"], dtype="string") for c in SR_COLUMNS}
    )
    floats = pd.DataFrame({c: pd.array([1.0, None, 5.0, 3.0], dtype="Float64") for c in SR_COLUMNS})
    expected = [1.0, np.nan, 5.0, 3.0]
    for df in (ints, texts, floats):
        out = am.score_frame(df, "wai-sr", prefix="")
        np.testing.assert_array_equal(out["total"].to_numpy(dtype=float), expected)
        assert list(out["status"]) == ["ok", "insufficient", "ok", "ok"]


def test_nullable_integer_out_of_range() -> None:
    df = pd.DataFrame({c: pd.array([1, None], dtype="Int64") for c in SR_COLUMNS})
    df.loc[0, "wai_4"] = 8
    cases = am.validate_frame(df, "wai-sr").failure_cases
    assert cases[["row", "column", "code"]].to_dict("records") == [
        {"row": 0, "column": "wai_4", "code": "out_of_range"}
    ]


def test_bool_column_is_invalid() -> None:
    df = pd.DataFrame({c: [3, 3] for c in SR_COLUMNS})
    df["wai_1"] = [True, False]
    cases = am.validate_frame(df, "wai-sr").failure_cases
    assert list(cases["code"]) == ["not_a_number", "not_a_number"]


def test_empty_frame() -> None:
    df = pd.DataFrame({c: pd.Series(dtype=float) for c in SR_COLUMNS})
    out = am.score_frame(df, "wai-sr")
    assert len(out) == 0
    assert "wai_sr_total" in out.columns
    assert "wai_sr_status" in out.columns
    assert isinstance(out["wai_sr_status"].dtype, pd.CategoricalDtype)
    report = am.validate_frame(df, "wai-sr")
    assert report.ok
    assert report.n_rows == 0
    assert list(report.failure_cases.columns) == list(FAILURE_COLUMNS)


def test_empty_object_frame() -> None:
    df = pd.DataFrame({c: pd.Series(dtype=object) for c in SR_COLUMNS})
    assert len(am.score_frame(df, "wai-sr")) == 0


def test_reversal_uses_declared_bounds_not_observed_range() -> None:
    # Only values 2..5 occur: the observed range would reverse as 7 − x, the declared as 8 − x.
    rng = np.random.default_rng(3)
    data = rng.integers(2, 6, size=(30, 12)).astype(float)
    df = pd.DataFrame(data, columns=[f"item{n}" for n in range(1, 13)])
    df.insert(0, "client_id", np.arange(1000, 1030))  # an id column must not affect anything
    out = am.score_frame(df, "wai-s", aggregate="sum", prefix="")
    goal = (8 - data[:, 3]) + data[:, 5] + (8 - data[:, 9]) + data[:, 10]
    np.testing.assert_array_equal(out["goal"].to_numpy(), goal)
    assert data.min() == 2
    assert data.max() == 5


def test_warning_once_per_session_in_batch() -> None:
    df = pd.DataFrame([[4] * 19], columns=[f"item{n}" for n in range(1, 20)])
    with pytest.warns(am.AllianceMetricsWarning, match="'haq-ii' is provisional"):
        am.score_frame(df, "haq-ii")
    am.score_frame(df, "haq-ii")  # filterwarnings=error: a second warning would fail


def test_large_frame_crosses_block_boundary() -> None:
    from alliance_metrics._arrays import BLOCK_ROWS

    n = BLOCK_ROWS + 7
    data = np.tile(np.arange(1, 13) % 5 + 1, (n, 1)).astype(float)
    data[-1, 0] = 9
    df = pd.DataFrame(data, columns=SR_COLUMNS)
    cases = am.validate_frame(df, "wai-sr").failure_cases
    assert cases[["row", "column"]].to_dict("records") == [{"row": n - 1, "column": "wai_1"}]
    out = am.score_frame(df, "wai-sr", on_invalid="missing", prefix="")
    assert (out["status"].iloc[:-1] == "ok").all()
    assert out["status"].iloc[-1] == "invalid"
    assert out["total"].iloc[0] == pytest.approx(data[0].mean(), rel=1e-15)


def test_summary_lists_first_cells() -> None:
    df = pd.DataFrame({c: [3] for c in SR_COLUMNS})
    df.loc[0, "wai_1"] = 9
    report = am.validate_frame(df, "wai-sr")
    assert (
        report.summary()
        == "1 invalid cell(s) in 1 of 1 row(s): row 0, column 'wai_1': out_of_range"
    )


def test_half_point_scale_steps() -> None:
    inst = am.Instrument.model_validate(
        {
            "id": "half-steps",
            "name": "Half steps",
            "short_name": "HS",
            "version": "1",
            "rater": "observer",
            "citations": [{"text": "x"}],
            "response_scale": {"min": 0, "max": 4, "step": 0.5},
            "items": [{"id": "a_item", "number": 1}, {"id": "b_item", "number": 2}],
            "scales": [
                {"id": "total", "name": "T", "kind": "total", "items": ["a_item", "b_item"]}
            ],
            "status": {"level": "verified"},
            "licence": "none",
        }
    )
    df = pd.DataFrame({"a_item": [2.5, 2.25, 4.0], "b_item": [0.5, 1.0, 3.5]})
    cases = am.validate_frame(df, inst).failure_cases
    assert cases[["row", "column", "code"]].to_dict("records") == [
        {"row": 1, "column": "a_item", "code": "not_on_step"}
    ]
    assert cases.loc[0, "message"] == (
        "row 1, column 'a_item': response must be a number from 0 to 4 in steps of 0.5. Got 2.25."
    )
    out = am.score_frame(df, inst, on_invalid="missing", prefix="")
    assert out["total"].tolist()[::2] == [1.5, 3.75]
