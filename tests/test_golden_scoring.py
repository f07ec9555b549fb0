"""Golden parity with R psych::scoreItems(impute = "none") (files in tests/golden/)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import alliance_metrics as am

GOLDEN = Path(__file__).parent / "golden"
CASES = {"wai-s": "wai_s", "wai-sr": "wai_sr", "wai-c": "wai_c"}
QUIET = pytest.mark.filterwarnings("ignore::alliance_metrics.AllianceMetricsWarning")


def _read(instrument_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    stem = CASES[instrument_id]
    items = pd.read_csv(GOLDEN / f"{stem}_items.csv")
    scores = pd.read_csv(GOLDEN / f"{stem}_scores.csv")
    return items, scores


def test_golden_files_are_present_and_shaped() -> None:
    for instrument_id in CASES:
        items, scores = _read(instrument_id)
        inst = am.get_instrument(instrument_id)
        assert list(items.columns) == [f"item{n}" for n in range(1, inst.n_items + 1)]
        assert len(items) == len(scores)
        assert set(scores.columns) == {s.id for s in inst.scales}
        assert items.isna().to_numpy().any()  # the fixtures exercise missing data


@QUIET
@pytest.mark.parametrize("instrument_id", list(CASES))
def test_mean_of_answered_items_matches_psych(instrument_id: str) -> None:
    items, golden = _read(instrument_id)
    out = am.score_frame(items, instrument_id, aggregate="mean", min_answered=1, prefix="")
    assert len(out) == len(golden)
    for scale in golden.columns:
        np.testing.assert_allclose(
            out[scale].to_numpy(),
            golden[scale].to_numpy(),
            rtol=0,
            atol=1e-12,
            equal_nan=True,
            err_msg=f"{instrument_id} {scale}",
        )
        nothing = out[f"{scale}_answered"].to_numpy() == 0
        np.testing.assert_array_equal(golden[scale].isna().to_numpy(), nothing)
        np.testing.assert_array_equal(out[scale].isna().to_numpy(), nothing)
    # with min_answered=1 a row is insufficient only when some scale has no answer at all
    empty_scale = np.column_stack([out[f"{s}_answered"].to_numpy() == 0 for s in golden.columns])
    expected = np.where(
        empty_scale.any(axis=1),
        "insufficient",
        np.where(items.isna().any(axis=1), "prorated", "ok"),
    )
    np.testing.assert_array_equal(out["status"].astype(str).to_numpy(), expected)


@QUIET
@pytest.mark.parametrize("instrument_id", list(CASES))
def test_default_rule_agrees_with_psych_where_scored(instrument_id: str) -> None:
    items, golden = _read(instrument_id)
    inst = am.get_instrument(instrument_id)
    out = am.score_frame(items, instrument_id, aggregate="mean", prefix="")
    for scale in golden.columns:
        members = list(inst.scale(scale).items)
        answered = items[members].notna().sum(axis=1).to_numpy()
        needed = math.ceil(0.75 * len(members))
        too_few = answered < needed
        ours = out[scale].to_numpy()
        np.testing.assert_array_equal(np.isnan(ours), too_few, err_msg=f"{instrument_id} {scale}")
        np.testing.assert_array_equal(out[f"{scale}_answered"].to_numpy(), answered)
        np.testing.assert_allclose(
            ours[~too_few],
            golden[scale].to_numpy()[~too_few],
            rtol=0,
            atol=1e-12,
            err_msg=f"{instrument_id} {scale}",
        )
    row_scored = out["status"].isin(["ok", "prorated"]).to_numpy()
    scored_everywhere = np.column_stack([~out[s].isna().to_numpy() for s in golden.columns]).all(
        axis=1
    )
    np.testing.assert_array_equal(row_scored, scored_everywhere)


def test_default_rule_thresholds() -> None:
    # 3 of 4 for a WAI-SR subscale, 6 of 8 for goal_task, 9 of 12 for the total and WAI-C subscales
    items, _ = _read("wai-sr")
    row = items.iloc[[0]].copy()
    row.loc[:, ["item3", "item5"]] = np.nan  # bond: 2 of 4
    out = am.score_frame(row, "wai-sr", prefix="")
    assert np.isnan(out["bond"].iloc[0])
    assert out["status"].iloc[0] == "insufficient"
    row.loc[:, "item5"] = 4
    out = am.score_frame(row, "wai-sr", prefix="")
    assert out["bond"].iloc[0] == pytest.approx(
        row[["item5", "item7", "item9"]].iloc[0].mean(), rel=1e-15
    )


def test_sum_is_prorated_mean_times_items_on_golden_data() -> None:
    items, golden = _read("wai-sr")
    out = am.score_frame(items, "wai-sr", aggregate="sum", min_answered=1, prefix="")
    inst = am.get_instrument("wai-sr")
    for scale in golden.columns:
        n = len(inst.scale(scale).items)
        np.testing.assert_allclose(
            out[scale], golden[scale] * n, rtol=1e-14, atol=0, equal_nan=True
        )


def test_wai_c_matches_without_warning() -> None:
    items, golden = _read("wai-c")
    out = am.score_frame(items, "wai-c", aggregate="mean", min_answered=1, prefix="")
    np.testing.assert_allclose(out["total"], golden["total"], rtol=0, atol=1e-12, equal_nan=True)
    again = am.score_frame(items, "wai-c", aggregate="mean", min_answered=1, prefix="")
    pd.testing.assert_frame_equal(out, again)
