"""Every registered instrument: definition, key structure, extreme responses, published facts."""

from __future__ import annotations

import json
from collections import Counter
from importlib import resources

import numpy as np
import pandas as pd
import pytest

import alliance_metrics as am

IDS = am.list_instruments()
QUIET = pytest.mark.filterwarnings("ignore::alliance_metrics.AllianceMetricsWarning")
ITEM_FIELDS = {"id", "number", "reverse", "printed_order", "origin"}


def _raw_definitions() -> dict[str, dict[str, object]]:
    found = {}
    for entry in resources.files("alliance_metrics.instruments").iterdir():
        if entry.name.endswith(".json"):
            found[entry.name] = json.loads(entry.read_text(encoding="utf-8"))
    return found


RAW = _raw_definitions()


def _expected_extreme(inst: am.Instrument, response: float, aggregate: str) -> dict[str, float]:
    """Scale scores when every item gets ``response``, computed from the key by hand."""
    lo, hi = inst.response_scale.min, inst.response_scale.max
    out = {}
    for scale in inst.scales:
        keyed = [lo + hi - response if inst.item(i).reverse else response for i in scale.items]
        out[scale.id] = sum(keyed) / len(keyed) if aggregate == "mean" else float(sum(keyed))
    return out


def _scores(inst: am.Instrument, responses: list[float], aggregate: str) -> dict[str, float | None]:
    result = am.score(responses, inst, aggregate=aggregate)
    return {sid: s.value for sid, s in result.scales.items()}


def test_every_json_file_is_registered_under_its_file_name() -> None:
    assert sorted(name.removesuffix(".json") for name in RAW) == IDS
    for name, raw in RAW.items():
        assert raw["id"] == name.removesuffix(".json")


@pytest.mark.parametrize("instrument_id", IDS)
def test_definition_validates(instrument_id: str) -> None:
    raw = RAW[f"{instrument_id}.json"]
    inst = am.Instrument.model_validate(raw)
    assert inst == am.get_instrument(instrument_id)
    assert inst.citations
    assert inst.licence
    assert inst.name


@pytest.mark.parametrize("instrument_id", IDS)
def test_every_item_in_exactly_one_subscale(instrument_id: str) -> None:
    inst = am.get_instrument(instrument_id)
    subscales = [s for s in inst.scales if s.kind == "subscale"]
    totals = [s for s in inst.scales if s.kind == "total"]
    if subscales:
        membership = Counter(i for s in subscales for i in s.items)
        assert membership == Counter(item.id for item in inst.items)
    else:
        assert totals, "an instrument without subscales must have a total"
    for total in totals:
        assert list(total.items) == [item.id for item in inst.items]


@pytest.mark.parametrize("instrument_id", IDS)
def test_no_item_wording_is_shipped(instrument_id: str) -> None:
    raw = RAW[f"{instrument_id}.json"]
    for item in raw["items"]:  # type: ignore[union-attr]
        assert set(item) <= ITEM_FIELDS, item
    assert set(am.Item.model_fields) == ITEM_FIELDS


@QUIET
@pytest.mark.parametrize("aggregate", ["mean", "sum"])
@pytest.mark.parametrize("instrument_id", IDS)
def test_extremes_without_reversal_give_scale_bounds(instrument_id: str, aggregate: str) -> None:
    inst = am.get_instrument(instrument_id)
    unreversed = inst.model_copy(
        update={"items": tuple(i.model_copy(update={"reverse": False}) for i in inst.items)}
    )
    lo, hi = inst.response_scale.min, inst.response_scale.max
    factor = {s.id: (1 if aggregate == "mean" else len(s.items)) for s in inst.scales}
    low = _scores(unreversed, [lo] * inst.n_items, aggregate)
    high = _scores(unreversed, [hi] * inst.n_items, aggregate)
    assert low == {sid: lo * f for sid, f in factor.items()}
    assert high == {sid: hi * f for sid, f in factor.items()}


@QUIET
@pytest.mark.parametrize("aggregate", ["mean", "sum"])
@pytest.mark.parametrize("instrument_id", IDS)
def test_keyed_extremes_give_scale_bounds(instrument_id: str, aggregate: str) -> None:
    """Answering the keyed minimum (max on reversed items) gives each scale's minimum."""
    inst = am.get_instrument(instrument_id)
    lo, hi = inst.response_scale.min, inst.response_scale.max
    keyed_low = [hi if item.reverse else lo for item in inst.items]
    keyed_high = [lo if item.reverse else hi for item in inst.items]
    factor = {s.id: (1 if aggregate == "mean" else len(s.items)) for s in inst.scales}
    assert _scores(inst, keyed_low, aggregate) == {sid: lo * f for sid, f in factor.items()}
    assert _scores(inst, keyed_high, aggregate) == {sid: hi * f for sid, f in factor.items()}


@QUIET
@pytest.mark.parametrize("aggregate", ["mean", "sum"])
@pytest.mark.parametrize("instrument_id", IDS)
def test_all_minimum_with_reversed_items_gives_expected_mix(
    instrument_id: str, aggregate: str
) -> None:
    inst = am.get_instrument(instrument_id)
    lo, hi = inst.response_scale.min, inst.response_scale.max
    for response in (lo, hi):
        got = _scores(inst, [response] * inst.n_items, aggregate)
        expected = _expected_extreme(inst, response, aggregate)
        assert got == pytest.approx(expected, rel=1e-12, abs=0)


@QUIET
@pytest.mark.parametrize("instrument_id", IDS)
def test_reversing_twice_is_the_identity(instrument_id: str) -> None:
    inst = am.get_instrument(instrument_id)
    rs = inst.response_scale
    rng = np.random.default_rng(7)
    if rs.step is None:
        data = np.round(rng.uniform(rs.min, rs.max, size=(40, inst.n_items)), 1)
    else:
        data = rng.integers(int(rs.min), int(rs.max), size=(40, inst.n_items), endpoint=True)
        data = data.astype(np.float64)
    data[rng.random(data.shape) < 0.1] = np.nan

    def flip(instrument: am.Instrument) -> am.Instrument:
        items = tuple(i.model_copy(update={"reverse": not i.reverse}) for i in instrument.items)
        return am.Instrument.model_validate(instrument.model_dump() | {"items": items})

    columns = [item.id for item in inst.items]
    original = am.score_frame(pd.DataFrame(data, columns=columns), inst, prefix="")
    # Reversing every key twice is the identity, through the kernel: the same scores, exactly.
    twice = am.score_frame(pd.DataFrame(data, columns=columns), flip(flip(inst)), prefix="")
    pd.testing.assert_frame_equal(twice, original, check_exact=True)

    # Reversing the key once equals reversing the responses: flipped key, mirrored data.
    flipped = flip(inst)
    mirrored = am.score_frame(
        pd.DataFrame((rs.min + rs.max) - data, columns=columns), flipped, prefix=""
    )
    for scale in inst.scales:
        np.testing.assert_allclose(
            mirrored[scale.id], original[scale.id], rtol=1e-12, atol=1e-12, equal_nan=True
        )
    pd.testing.assert_series_equal(mirrored["status"], original["status"])


# --- facts from INSTRUMENTS.md -------------------------------------------------------------------


def _key(inst: am.Instrument) -> dict[str, list[int]]:
    return {s.id: sorted(inst.item(i).number for i in s.items) for s in inst.scales}


def _reversed(inst: am.Instrument) -> list[int]:
    return [i.number for i in inst.items if i.reverse]


def _scale_facts(inst: am.Instrument) -> tuple[float, float, float | None, list[str]]:
    rs = inst.response_scale
    return rs.min, rs.max, rs.step, [a.label for a in rs.anchors]


WAI_SR_LABELS = ["Seldom", "Sometimes", "Fairly Often", "Very Often", "Always"]
WAI_7_LABELS = ["Never", "Rarely", "Occasionally", "Sometimes", "Often", "Very Often", "Always"]
WAI_LONG_KEY = {
    "task": [2, 4, 7, 11, 13, 15, 16, 18, 24, 31, 33, 35],
    "bond": [1, 5, 8, 17, 19, 20, 21, 23, 26, 28, 29, 36],
    "goal": [3, 6, 9, 10, 12, 14, 22, 25, 27, 30, 32, 34],
    "total": list(range(1, 37)),
}
WAI_LONG_REVERSED = [1, 3, 7, 9, 10, 11, 12, 15, 20, 27, 29, 31, 33, 34]
WAI_S_KEY = {
    "task": [1, 2, 8, 12],
    "bond": [3, 5, 7, 9],
    "goal": [4, 6, 10, 11],
    "total": list(range(1, 13)),
}


def test_wai_sr_key() -> None:
    inst = am.get_instrument("wai-sr")
    assert inst.n_items == 12
    assert _key(inst) == {
        "task": [1, 2, 10, 12],
        "bond": [3, 5, 7, 9],
        "goal": [4, 6, 8, 11],
        "total": list(range(1, 13)),
        "goal_task": [1, 2, 4, 6, 8, 10, 11, 12],
    }
    assert inst.scale("goal_task").kind == "composite"
    assert _reversed(inst) == []
    descending = [i.number for i in inst.items if i.printed_order == "descending"]
    assert descending == [2, 5, 6, 8, 10, 11]
    assert _scale_facts(inst) == (1, 5, 1, WAI_SR_LABELS)
    assert [a.value for a in inst.response_scale.anchors] == [1, 2, 3, 4, 5]
    assert inst.default_aggregate == "mean"


def test_wai_sr_vendor_bands_are_conventions() -> None:
    bands = {c.id: c for c in am.get_instrument("wai-sr").cutoffs}
    assert {c.kind for c in bands.values()} == {"convention"}
    assert bands["band_low"].flags(35)
    assert not bands["band_low"].flags(36)
    assert bands["band_high"].flags(48)
    assert not bands["band_high"].flags(47)


@pytest.mark.parametrize("instrument_id", ["wai-s", "wai-o-s"])
def test_wai_s_key(instrument_id: str) -> None:
    inst = am.get_instrument(instrument_id)
    assert inst.n_items == 12
    assert _key(inst) == WAI_S_KEY
    assert _reversed(inst) == [4, 10]
    assert inst.response_scale.min == 1
    assert inst.response_scale.max == 7
    assert inst.response_scale.step == 1


def test_wai_s_anchors() -> None:
    assert _scale_facts(am.get_instrument("wai-s"))[3] == WAI_7_LABELS


def test_wai_o_s_evidence_anchors() -> None:
    anchors = {a.value: a.label for a in am.get_instrument("wai-o-s").response_scale.anchors}
    assert anchors[4] == "No evidence"
    assert am.get_instrument("wai-o-s").rater == "observer"


@pytest.mark.parametrize(("instrument_id", "rater"), [("wai-c", "client"), ("wai-t", "therapist")])
def test_wai_36_item_key(instrument_id: str, rater: str) -> None:
    inst = am.get_instrument(instrument_id)
    assert inst.n_items == 36
    assert inst.rater == rater
    assert _key(inst) == WAI_LONG_KEY
    assert _reversed(inst) == WAI_LONG_REVERSED
    assert len(_reversed(inst)) == 14
    assert _scale_facts(inst) == (1, 7, 1, WAI_7_LABELS)


@pytest.mark.parametrize(
    ("instrument_id", "items"),
    [
        ("srs", ["relationship", "goals_topics", "approach_method", "overall"]),
        ("ors", ["individually", "interpersonally", "socially", "overall"]),
    ],
)
def test_srs_ors_are_continuous_four_item_totals(instrument_id: str, items: list[str]) -> None:
    inst = am.get_instrument(instrument_id)
    assert [i.id for i in inst.items] == items
    assert inst.response_scale.min == 0
    assert inst.response_scale.max == 10
    assert inst.response_scale.step is None
    assert [(s.id, s.kind) for s in inst.scales] == [("total", "total")]
    assert _reversed(inst) == []
    assert inst.default_aggregate == "sum"


def test_srs_cutoff_is_strictly_below_36() -> None:
    (cut,) = am.get_instrument("srs").cutoffs
    assert (cut.scale, cut.aggregate, cut.value) == ("total", "sum", 36)
    assert (cut.direction, cut.boundary, cut.kind) == ("below", "exclusive", "published")
    assert cut.flags(35.9)
    assert not cut.flags(36)


def test_ors_adult_cutoff_is_25() -> None:
    cuts = {c.id: c for c in am.get_instrument("ors").cutoffs}
    adult = cuts["clinical_adult"]
    assert (adult.value, adult.direction, adult.kind) == (25, "below", "published")
    assert cuts["clinical_adolescent"].value == 28
    assert cuts["clinical_adolescent"].kind == "convention"


def test_haq_ii_key() -> None:
    inst = am.get_instrument("haq-ii")
    assert inst.n_items == 19
    assert _reversed(inst) == [4, 8, 11, 16, 19]
    assert (inst.response_scale.min, inst.response_scale.max) == (1, 6)
    assert "rheumatology" in inst.name.lower()  # trap 7: say which HAQ this is


def test_tasc_key() -> None:
    inst = am.get_instrument("tasc")
    assert inst.n_items == 12
    assert _reversed(inst) == [2, 5, 7, 8, 11]
    assert (inst.response_scale.min, inst.response_scale.max) == (1, 4)
    with pytest.warns(am.AllianceMetricsWarning):
        total = am.score([1] * 12, inst, aggregate="sum").scales["total"].value
    assert total == 7 * 1 + 5 * 4


def test_sai_key() -> None:
    inst = am.get_instrument("sai")
    assert inst.n_items == 6
    key = _key(inst)
    assert key["bond"] == [2, 3, 5]  # WAI-SR 7, 5, 9
    assert key["goal_task"] == [1, 4, 6]  # WAI-SR 6, 8, 12
    assert key["total"] == list(range(1, 7))


def test_wai_b3_key() -> None:
    inst = am.get_instrument("wai-b3")
    assert _key(inst) == {"goal": [1], "task": [2], "bond": [3], "total": [1, 2, 3]}
    assert _scale_facts(inst) == (1, 5, 1, WAI_SR_LABELS)


STATUS = {
    "wai-sr": "verified",
    "wai-b3": "verified",
    "srs": "verified",
    "ors": "verified",
    "wai-s": "verified",
    "wai-o-s": "provisional",
    "wai-c": "verified",
    "wai-t": "verified",
    "sai": "provisional",
    "haq-ii": "provisional",
    "tasc": "provisional",
}


@pytest.mark.parametrize(("instrument_id", "level"), sorted(STATUS.items()))
def test_status(instrument_id: str, level: str) -> None:
    status = am.get_instrument(instrument_id).status
    assert status.level == level
    if level != "verified":
        assert status.reason


def test_status_table_covers_every_instrument() -> None:
    assert sorted(STATUS) == IDS


@pytest.mark.parametrize("instrument_id", IDS)
def test_default_missing_policy_is_75_percent(instrument_id: str) -> None:
    assert am.get_instrument(instrument_id).missing_policy.min_answered == 0.75
