"""Item and scale distributions: parity with R (psych::response.frequencies, quantile, cut),
hand-worked visual-analogue bins, floor and ceiling flags, invalid cells and argument checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import alliance_metrics as am

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "pictures"
EXAMPLE = ROOT / "examples" / "data" / "wai_sr_example.csv"
TOLERANCE = 1e-12  # both sides count and divide the same integers


@pytest.fixture(scope="module")
def example() -> pd.DataFrame:
    return pd.read_csv(EXAMPLE)


def test_item_shares_match_psych_response_frequencies(example: pd.DataFrame) -> None:
    found = am.item_distributions(example, "wai-sr")
    reference = pd.read_csv(GOLDEN / "item_frequencies.csv")
    shares = found.counts["percent"].to_numpy().reshape(12, 5) / 100.0
    np.testing.assert_allclose(shares, reference[["p1", "p2", "p3", "p4", "p5"]], atol=TOLERANCE)
    missing = found.items["n_missing"].to_numpy() / len(example)
    np.testing.assert_allclose(missing, reference["miss"], atol=TOLERANCE)
    np.testing.assert_allclose(found.items["pct_floor"], 100 * reference["p1"], atol=1e-10)
    np.testing.assert_allclose(found.items["pct_ceiling"], 100 * reference["p5"], atol=1e-10)
    assert found.items["item"].tolist() == [f"item{n}" for n in range(1, 13)]
    assert (found.items["n_answered"] + found.items["n_missing"] == len(example)).all()


def test_item_table_layout_and_labels() -> None:
    df = pd.DataFrame({"wai_1": [5, 5, 4, 1], "wai_2": [3, 4, None, 5], "wai_3": [5, 4, 4, 4]})
    found = am.item_distributions(df, "wai-b3", flag_percent=30.0)
    assert list(found.counts.columns) == [
        "item",
        "number",
        "category",
        "low",
        "high",
        "label",
        "count",
        "percent",
    ]
    first = found.counts[found.counts["item"] == "item1"]
    assert first["label"].tolist() == [
        "Seldom",
        "Sometimes",
        "Fairly Often",
        "Very Often",
        "Always",
    ]
    assert first["count"].tolist() == [1, 0, 0, 1, 2]
    assert first["low"].tolist() == first["high"].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]
    # item1: floor 1/4 = 25 %, ceiling 2/4 = 50 %; item2: ceiling 1/3; item3: ceiling 1/4
    assert found.items["floor_flag"].tolist() == [False, False, False]
    assert found.items["ceiling_flag"].tolist() == [True, True, False]
    assert found.flag_percent == 30.0


def test_visual_analogue_items_fall_in_equal_bins() -> None:
    # SRS lines 0-10 cm; 4 bins of 2.5 cm: [0, 2.5), [2.5, 5), [5, 7.5), [7.5, 10]
    df = pd.DataFrame(
        {
            "srs_1": [0.0, 2.4, 2.5, 10.0, 9.9],
            "srs_2": [5.0, 7.5, 7.4, None, 0.1],
            "srs_3": [1.0, 1.0, 1.0, 1.0, 1.0],
            "srs_4": [10.0, 10.0, 10.0, 10.0, 3.3],
        }
    )
    found = am.item_distributions(df, "srs", columns="srs_{n}", bins=4)
    counts = found.counts["count"].to_numpy().reshape(4, 4)
    assert counts.tolist() == [[2, 1, 0, 2], [1, 0, 2, 1], [5, 0, 0, 0], [0, 1, 0, 4]]
    assert found.counts["label"].tolist()[:4] == ["0–2.5", "2.5–5", "5–7.5", "7.5–10"]
    np.testing.assert_allclose(found.items["pct_floor"], [20.0, 0.0, 0.0, 0.0])
    np.testing.assert_allclose(found.items["pct_ceiling"], [20.0, 0.0, 0.0, 80.0])


def test_invalid_cells_raise_or_count_as_unanswered() -> None:
    df = pd.DataFrame({"wai_1": [4, 9, 5], "wai_2": [4, 4, "x"], "wai_3": [5, 5, 5]})
    with pytest.raises(am.ResponseValidationError) as caught:
        am.item_distributions(df, "wai-b3")
    assert caught.value.report.n_invalid_cells == 2
    found = am.item_distributions(df, "wai-b3", on_invalid="missing")
    assert found.items["n_invalid"].tolist() == [1, 1, 0]
    assert found.items["n_answered"].tolist() == [2, 2, 3]


def test_missing_values_are_unanswered() -> None:
    df = pd.DataFrame({"wai_1": ["-99", "4"], "wai_2": ["4", "4"], "wai_3": ["5", "5"]})
    found = am.item_distributions(df, "wai-b3", missing_values=["-99"])
    assert found.items["n_answered"].tolist() == [1, 2, 2]
    assert found.items["n_invalid"].tolist() == [0, 0, 0]


def test_an_item_without_answers_has_no_shares() -> None:
    df = pd.DataFrame({"wai_1": [None, None], "wai_2": [4, 4], "wai_3": [5, 5]})
    found = am.item_distributions(df, "wai-b3")
    assert found.counts.loc[found.counts["item"] == "item1", "percent"].isna().all()
    assert found.items.loc[0, ["pct_floor", "pct_ceiling"]].isna().all()
    assert not found.items.loc[0, "floor_flag"]


def test_scale_summary_and_histogram_match_r(example: pd.DataFrame) -> None:
    found = am.scale_distributions(am.score_frame(example, "wai-sr"), "wai-sr")
    reference = pd.read_csv(GOLDEN / "total_summary.csv").iloc[0]
    total = found.summary.set_index("scale").loc["total"]
    for name in ("n", "n_missing"):
        assert total[name] == reference[name]
    for name in ("mean", "sd", "min", "q1", "median", "q3", "max", "pct_floor", "pct_ceiling"):
        np.testing.assert_allclose(total[name], reference[name], rtol=1e-12, err_msg=name)
    assert (total["low"], total["high"], total["aggregate"]) == (1.0, 5.0, "mean")
    bins = found.histogram[found.histogram["scale"] == "total"]
    histogram = pd.read_csv(GOLDEN / "total_histogram.csv")
    np.testing.assert_allclose(bins[["left", "right"]], histogram[["left", "right"]], atol=1e-12)
    assert bins["count"].tolist() == histogram["count"].tolist()
    np.testing.assert_allclose(bins["percent"], 100 * histogram["count"] / 240, rtol=1e-12)


def test_sum_scores_use_the_sum_range_and_one_bin_per_score() -> None:
    df = pd.DataFrame({"wai_1": [1, 5, 3], "wai_2": [1, 5, 3], "wai_3": [1, 5, 4]})
    scored = am.score_frame(df, "wai-b3", aggregate="sum")
    found = am.scale_distributions(scored, "wai-b3")  # the aggregate comes from attrs
    total = found.summary.set_index("scale").loc["total"]
    assert (total["low"], total["high"], total["aggregate"]) == (3.0, 15.0, "sum")
    np.testing.assert_allclose([total["pct_floor"], total["pct_ceiling"]], [100 / 3, 100 / 3])
    bins = found.histogram[found.histogram["scale"] == "total"]
    assert len(bins) == 13  # the sums 3..15, one bin each, centred
    np.testing.assert_allclose(bins["left"].iloc[:2], [2.5, 3.5])
    assert bins["count"].tolist() == [1] + [0] * 6 + [1] + [0] * 4 + [1]
    plain = scored.copy()
    plain.attrs = {}
    mean_range = am.scale_distributions(plain, "wai-b3").summary.set_index("scale")
    assert mean_range.loc["total", "high"] == 5.0  # no record: the instrument's default
    assert am.scale_distributions(plain, "wai-b3", aggregate="sum").summary["high"].max() == 15.0


def test_scale_distributions_of_a_visual_analogue_total() -> None:
    df = pd.DataFrame({f"srs_{n}": [10.0, 8.0, 0.0] for n in range(1, 5)})
    found = am.scale_distributions(am.score_frame(df, "srs", columns="srs_{n}"), "srs")
    bins = found.histogram
    assert len(bins) == 20
    np.testing.assert_allclose(bins[["left", "right"]].iloc[-1], [38.0, 40.0])
    assert bins["count"].iloc[[0, 16, 19]].tolist() == [1, 1, 1]  # 0, 32 and 40 (last bin closed)
    assert found.summary.loc[0, "floor_flag"]
    assert found.summary.loc[0, "ceiling_flag"]


def test_empty_scales_give_nan_and_zero_counts() -> None:
    df = pd.DataFrame({"wai_1": [None], "wai_2": [None], "wai_3": [None]})
    found = am.scale_distributions(am.score_frame(df, "wai-b3"), "wai-b3")
    assert found.summary["n"].tolist() == [0, 0, 0, 0]
    assert found.summary[["mean", "sd", "median", "pct_floor"]].isna().all().all()
    assert found.histogram["count"].sum() == 0
    assert found.histogram["percent"].isna().all()


def test_scale_distributions_needs_the_score_columns() -> None:
    df = pd.DataFrame({"wai_1": [4], "wai_2": [4], "wai_3": [5]})
    with pytest.raises(am.InputFormatError, match="'wai_b3_goal'"):
        am.scale_distributions(df, "wai-b3")
    scored = am.score_frame(df, "wai-b3", prefix="x_")
    assert am.scale_distributions(scored, "wai-b3", prefix="x_").summary["n"].tolist() == [1] * 4


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda df: am.item_distributions(df, "wai-b3", bins=0), "bins"),
        (lambda df: am.item_distributions(df, "wai-b3", flag_percent=101), "flag_percent"),
        (lambda df: am.item_distributions(df, "wai-b3", on_invalid="skip"), "on_invalid"),
        (lambda df: am.item_distributions(df.to_numpy(), "wai-b3"), "df"),
        (lambda df: am.scale_distributions(df, "wai-b3", prefix=3), "prefix"),
        (lambda df: am.scale_distributions(df, "wai-b3", aggregate="avg"), "aggregate"),
        (lambda df: am.scale_distributions(df, "wai-b3", flag_percent=-1), "flag_percent"),
        (lambda df: am.scale_distributions([1], "wai-b3"), "scored"),
        (lambda df: am.scale_distributions(df, 42), "instrument"),
    ],
)
def test_bad_arguments_name_the_parameter(call: object, parameter: str) -> None:
    df = am.score_frame(pd.DataFrame({"wai_1": [4], "wai_2": [4], "wai_3": [5]}), "wai-b3")
    with pytest.raises(am.InvalidParameterError) as caught:
        call(df)  # type: ignore[operator]
    assert caught.value.parameter == parameter
