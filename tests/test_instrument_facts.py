"""Every registry instrument pinned to the scoring-facts file, so a JSON edit cannot drift silently.

``FACTS`` is a hand transcription of the project's facts file, ``INSTRUMENTS.md`` (scoring facts
from the official forms, validation papers and independent implementations). It is deliberately
*not* read from the JSON definitions: each test compares what the registry serves with what the
facts file states, so a change to a definition has to be matched here, on purpose, with the
evidence for it.

Where the facts file states a number only implicitly, the comment on the entry says how it was read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest

import alliance_metrics as am
from helpers import quiet

WAI_SR_LABELS = ("Seldom", "Sometimes", "Fairly Often", "Very Often", "Always")
WAI_7_LABELS = ("Never", "Rarely", "Occasionally", "Sometimes", "Often", "Very Often", "Always")
HAQ_LABELS = (
    "Strongly disagree",
    "Disagree",
    "Slightly disagree",
    "Slightly agree",
    "Agree",
    "Strongly agree",
)

WAI_SR_KEY = {"task": (1, 2, 10, 12), "bond": (3, 5, 7, 9), "goal": (4, 6, 8, 11)}
WAI_S_KEY = {"task": (1, 2, 8, 12), "bond": (3, 5, 7, 9), "goal": (4, 6, 10, 11)}
WAI_LONG_KEY = {
    "task": (2, 4, 7, 11, 13, 15, 16, 18, 24, 31, 33, 35),
    "bond": (1, 5, 8, 17, 19, 20, 21, 23, 26, 28, 29, 36),
    "goal": (3, 6, 9, 10, 12, 14, 22, 25, 27, 30, 32, 34),
}
WAI_LONG_REVERSED = (1, 3, 7, 9, 10, 11, 12, 15, 20, 27, 29, 31, 33, 34)


@dataclass(frozen=True)
class Facts:
    """What INSTRUMENTS.md states about one instrument."""

    rater: str
    n_items: int
    bounds: tuple[float, float]  # response-scale min and max (also the reverse-keying bounds)
    n_points: int | None  # number of response options; None for a continuous (VAS) scale
    anchors: dict[float, str]  # every labelled point the definition may carry, value -> label
    subscales: dict[str, tuple[int, ...]]  # subscale id -> item numbers (the partition)
    reversed: tuple[int, ...]
    status: str
    composites: dict[str, tuple[int, ...]] = field(default_factory=dict)
    printed_descending: tuple[int, ...] = ()
    origins: dict[int, tuple[str, int]] = field(default_factory=dict)  # item -> (source, number)
    sum_ranges: dict[str, tuple[float, float]] = field(default_factory=dict)  # stated sum ranges
    # Phrases the status reason, notes or citations must keep (caveats users must see).
    reason_says: tuple[str, ...] = ()
    notes_say: tuple[str, ...] = ()
    citations_say: tuple[str, ...] = ()


FACTS: dict[str, Facts] = {
    "wai-sr": Facts(
        rater="client",
        n_items=12,
        bounds=(1, 5),
        n_points=5,
        anchors=dict(zip(range(1, 6), WAI_SR_LABELS, strict=True)),
        subscales=WAI_SR_KEY,
        # "offer `bond` and `goal_task` as an alternate scale set": goal_task = Goal + Task.
        composites={"goal_task": (1, 2, 4, 6, 8, 10, 11, 12)},
        reversed=(),
        printed_descending=(2, 5, 6, 8, 10, 11),
        sum_ranges={"task": (4, 20), "bond": (4, 20), "goal": (4, 20), "total": (12, 60)},
        status="verified",
    ),
    "wai-s": Facts(
        rater="client",
        n_items=12,
        bounds=(1, 7),
        n_points=7,
        anchors=dict(zip(range(1, 8), WAI_7_LABELS, strict=True)),
        subscales=WAI_S_KEY,
        reversed=(4, 10),
        sum_ranges={"task": (4, 28), "bond": (4, 28), "goal": (4, 28), "total": (12, 84)},
        status="verified",
    ),
    "wai-o-s": Facts(
        rater="observer",
        n_items=12,
        bounds=(1, 7),
        n_points=7,
        anchors={1: "Very strong evidence against", 4: "No evidence", 7: "Very strong evidence"},
        subscales=WAI_S_KEY,
        reversed=(4, 10),
        status="provisional",
        reason_says=("authorship",),
        notes_say=("5-point", "range check cannot catch"),
    ),
    # "1–7 Never … Always", "consistent with wai-s": the seven WAI-S labels.
    "wai-c": Facts(
        rater="client",
        n_items=36,
        bounds=(1, 7),
        n_points=7,
        anchors=dict(zip(range(1, 8), WAI_7_LABELS, strict=True)),
        subscales=WAI_LONG_KEY,
        reversed=WAI_LONG_REVERSED,
        sum_ranges={"total": (36, 252)},
        status="verified",
        reason_says=("two independent implementations", "scoring sheet was not read"),
        citations_say=("scoring sheet was not read",),
    ),
    "wai-t": Facts(
        rater="therapist",
        n_items=36,
        bounds=(1, 7),
        n_points=7,
        anchors=dict(zip(range(1, 8), WAI_7_LABELS, strict=True)),
        subscales=WAI_LONG_KEY,
        reversed=WAI_LONG_REVERSED,
        sum_ranges={"total": (36, 252)},
        status="verified",
        reason_says=("scoring sheet was not read",),
        citations_say=("scoring sheet was not read",),
    ),
    "srs": Facts(
        rater="client",
        n_items=4,
        bounds=(0, 10),
        n_points=None,
        anchors={},  # licensed: no line labels shipped
        subscales={},
        reversed=(),
        sum_ranges={"total": (0, 40)},
        status="verified",
    ),
    "ors": Facts(
        rater="client",
        n_items=4,
        bounds=(0, 10),
        n_points=None,
        anchors={},
        subscales={},
        reversed=(),
        sum_ranges={"total": (0, 40)},
        status="verified",
    ),
    # Coding 1–6 is the library's: the one implementation found codes the six anchors 0–5, and the
    # definition must say so.
    "sai": Facts(
        rater="client",
        n_items=6,
        bounds=(1, 6),
        n_points=6,
        anchors={1: "Not at all", 6: "Completely"},
        subscales={"bond": (2, 3, 5), "goal_task": (1, 4, 6)},
        reversed=(),
        origins={
            1: ("wai-sr", 6),
            2: ("wai-sr", 7),
            3: ("wai-sr", 5),
            4: ("wai-sr", 8),
            5: ("wai-sr", 9),
            6: ("wai-sr", 12),
        },
        status="provisional",
        reason_says=("6, 7, 5, 8, 9, 12", "0–5"),
        notes_say=("0–5", "Definition 1.0.0"),
    ),
    "wai-b3": Facts(
        rater="client",
        n_items=3,
        bounds=(1, 5),
        n_points=5,
        anchors=dict(zip(range(1, 6), WAI_SR_LABELS, strict=True)),
        subscales={"goal": (1,), "task": (2,), "bond": (3,)},
        reversed=(),
        origins={1: ("wai-sr", 11), 2: ("wai-sr", 10), 3: ("wai-sr", 9)},
        status="verified",
    ),
    "haq-ii": Facts(
        rater="client",
        n_items=19,
        bounds=(1, 6),
        n_points=6,
        anchors=dict(zip(range(1, 7), HAQ_LABELS, strict=True)),
        subscales={},
        reversed=(4, 8, 11, 16, 19),
        status="provisional",
        reason_says=("two independent sources", "items 11 and 14", "17"),
    ),
    "tasc": Facts(
        rater="client",
        n_items=12,
        bounds=(1, 4),
        n_points=4,
        anchors={1: "Not true", 4: "Very much true"},
        subscales={},
        reversed=(2, 5, 7, 8, 11),
        sum_ranges={"total": (12, 48)},
        status="provisional",
        reason_says=("TASC-R", "one vendor"),
    ),
}

IDS = sorted(FACTS)


def _numbers(inst: am.Instrument, item_ids: tuple[str, ...]) -> tuple[int, ...]:
    return tuple(sorted(inst.item(i).number for i in item_ids))


def _scales_of_kind(inst: am.Instrument, kind: str) -> dict[str, tuple[int, ...]]:
    return {s.id: _numbers(inst, s.items) for s in inst.scales if s.kind == kind}


def _keyed_extreme(facts: Facts, low: bool) -> list[float]:
    """Answers that the stated key scores at the bottom (``low``) or top of every item."""
    lo, hi = facts.bounds
    bottom, top = (lo, hi) if low else (hi, lo)
    return [top if n in facts.reversed else bottom for n in range(1, facts.n_items + 1)]


def test_facts_cover_exactly_the_registry() -> None:
    assert am.list_instruments() == IDS
    assert "wai-o" not in FACTS  # the 36-item observer key contradicts the short forms


@pytest.mark.parametrize("instrument_id", IDS)
def test_items_and_rater(instrument_id: str) -> None:
    inst, facts = am.get_instrument(instrument_id), FACTS[instrument_id]
    assert inst.n_items == facts.n_items
    assert inst.rater == facts.rater


@pytest.mark.parametrize("instrument_id", IDS)
def test_response_scale(instrument_id: str) -> None:
    inst, facts = am.get_instrument(instrument_id), FACTS[instrument_id]
    scale = inst.response_scale
    assert (scale.min, scale.max) == facts.bounds
    if facts.n_points is None:
        assert scale.step is None
    else:
        assert scale.step == 1
        assert scale.max - scale.min + 1 == facts.n_points
    assert {a.value: a.label for a in scale.anchors} == facts.anchors


@pytest.mark.parametrize("instrument_id", IDS)
def test_subscale_memberships(instrument_id: str) -> None:
    inst, facts = am.get_instrument(instrument_id), FACTS[instrument_id]
    assert _scales_of_kind(inst, "subscale") == facts.subscales
    assert _scales_of_kind(inst, "composite") == facts.composites
    assert _scales_of_kind(inst, "total") == {"total": tuple(range(1, facts.n_items + 1))}


@pytest.mark.parametrize("instrument_id", IDS)
def test_reversed_items(instrument_id: str) -> None:
    inst, facts = am.get_instrument(instrument_id), FACTS[instrument_id]
    assert tuple(i.number for i in inst.items if i.reverse) == facts.reversed


@pytest.mark.parametrize("instrument_id", IDS)
def test_printed_order(instrument_id: str) -> None:
    inst, facts = am.get_instrument(instrument_id), FACTS[instrument_id]
    descending = tuple(i.number for i in inst.items if i.printed_order == "descending")
    assert descending == facts.printed_descending


@pytest.mark.parametrize("instrument_id", IDS)
def test_origins(instrument_id: str) -> None:
    inst, facts = am.get_instrument(instrument_id), FACTS[instrument_id]
    found = {
        i.number: (i.origin.instrument, i.origin.number) for i in inst.items if i.origin is not None
    }
    assert found == facts.origins


@pytest.mark.parametrize("instrument_id", IDS)
def test_status_level(instrument_id: str) -> None:
    assert am.get_instrument(instrument_id).status.level == FACTS[instrument_id].status


@pytest.mark.parametrize("instrument_id", IDS)
def test_caveats_are_kept(instrument_id: str) -> None:
    inst, facts = am.get_instrument(instrument_id), FACTS[instrument_id]
    reason = (inst.status.reason or "").casefold()
    notes = " ".join(inst.notes).casefold()
    citations = " ".join(c.text for c in inst.citations).casefold()
    for phrase in facts.reason_says:
        assert phrase.casefold() in reason, phrase
    for phrase in facts.notes_say:
        assert phrase.casefold() in notes, phrase
    for phrase in facts.citations_say:
        assert phrase.casefold() in citations, phrase


@pytest.mark.parametrize("instrument_id", [i for i in IDS if FACTS[i].sum_ranges])
def test_stated_sum_ranges_are_what_scoring_gives(instrument_id: str) -> None:
    # Answers chosen with the *stated* reversed items go through the registry's key and the
    # scoring kernel: they reach the stated lowest (highest) sums only if bounds and reversals
    # agree.
    inst, facts = am.get_instrument(instrument_id), FACTS[instrument_id]
    with quiet():
        low = am.score(_keyed_extreme(facts, low=True), inst, aggregate="sum")
        high = am.score(_keyed_extreme(facts, low=False), inst, aggregate="sum")
    for scale_id, (lo, hi) in facts.sum_ranges.items():
        assert (low.scales[scale_id].value, high.scales[scale_id].value) == (lo, hi), scale_id


def test_the_facts_table_agrees_with_itself() -> None:
    # Guards the transcription: each key is a partition of the items, and every item number named
    # anywhere exists.
    for instrument_id, facts in FACTS.items():
        every = tuple(range(1, facts.n_items + 1))
        members = sorted(n for items in facts.subscales.values() for n in items)
        assert not facts.subscales or members == list(every), instrument_id
        named = {*facts.reversed, *facts.printed_descending, *facts.origins}
        named |= {n for items in facts.composites.values() for n in items}
        assert named <= set(every), instrument_id


def test_origins_name_items_of_the_same_dimension() -> None:
    # Derived forms keep each source item's dimension: SAI bond items are WAI-SR bond items and SAI
    # goal/task items are WAI-SR goal or task items; WAI-B3 goal/task/bond are those of the WAI-SR.
    source_scale = {n: s for s, items in WAI_SR_KEY.items() for n in items}
    for instrument_id in ("sai", "wai-b3"):
        facts = FACTS[instrument_id]
        for scale_id, items in facts.subscales.items():
            for number in items:
                source, source_number = facts.origins[number]
                assert source == "wai-sr"
                assert source_scale[source_number] in scale_id.split("_"), (instrument_id, number)


# --- sai 2.0.0: what changed for data scored with definition 1.0.0 (the CHANGELOG's claims) -------

SAI_SCORES = ["bond", "bond_answered", "goal_task", "goal_task_answered", "total", "total_answered"]


def _sai_1_0_0() -> am.Instrument:
    """The sai definition 1.0.0 key (items in WAI-SR number order), rebuilt for comparison."""
    data = am.get_instrument("sai").model_dump(mode="json", exclude_none=True)
    data["version"] = "1.0.0"
    for item in data["items"]:
        item.pop("origin")
    scales = {s["id"]: s for s in data["scales"]}
    scales["bond"]["items"] = ["item1", "item3", "item5"]
    scales["goal_task"]["items"] = ["item2", "item4", "item6"]
    return am.Instrument.model_validate(data)


def _sai_answers(missing: bool) -> pd.DataFrame:
    rng = np.random.default_rng(14)
    values = rng.integers(1, 7, size=(60, 6)).astype(float)
    if missing:
        values[rng.random(values.shape) < 0.1] = np.nan
    return pd.DataFrame(values, columns=[f"item{n}" for n in range(1, 7)])


@pytest.mark.parametrize("aggregate", ["mean", "sum"])
def test_sai_rescoring_changes_only_bond_and_goal_task(aggregate: str) -> None:
    # Answers in the form's order: only SAI items 1 and 2 changed subscale, so bond moves by
    # (item2 − item1) and goal_task by the opposite (divided by 3 for means); totals are identical.
    answers = _sai_answers(missing=False)
    with quiet():
        old = am.score_frame(answers, _sai_1_0_0(), aggregate=aggregate, prefix="")
        new = am.score_frame(answers, "sai", aggregate=aggregate, prefix="")
    shift = (answers["item2"] - answers["item1"]) / (3 if aggregate == "mean" else 1)
    np.testing.assert_allclose(new["bond"] - old["bond"], shift, rtol=0, atol=1e-12)
    np.testing.assert_allclose(new["goal_task"] - old["goal_task"], -shift, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(new["total"], old["total"])
    assert (shift != 0).any()  # the seeded answers do exercise the change
    assert old.attrs["alliance_metrics"]["instrument_version"] == "1.0.0"
    assert new.attrs["alliance_metrics"]["instrument_version"] == "2.0.0"
    with quiet():
        assert am.score(answers.iloc[0].tolist(), "sai").instrument_version == "2.0.0"


def test_sai_totals_unchanged_with_missing_answers() -> None:
    answers = _sai_answers(missing=True)
    with quiet():
        old = am.score_frame(answers, _sai_1_0_0(), prefix="")
        new = am.score_frame(answers, "sai", prefix="")
    pd.testing.assert_series_equal(new["total"], old["total"])
    pd.testing.assert_series_equal(new["total_answered"], old["total_answered"])


def test_sai_data_laid_out_by_wai_sr_number_is_renamed_before_rescoring() -> None:
    # Data arranged as the 1.0.0 note said (item1..item6 = WAI-SR 5, 6, 7, 8, 9, 12) were scored
    # correctly by 1.0.0. Renamed item1 -> item3, item2 -> item1, item3 -> item2, they score the
    # same under 2.0.0, statuses and answered counts included.
    answers = _sai_answers(missing=True)
    renamed = answers.rename(columns={"item1": "item3", "item2": "item1", "item3": "item2"})
    with quiet():
        old = am.score_frame(answers, _sai_1_0_0(), prefix="")
        new = am.score_frame(renamed, "sai", prefix="")
    pd.testing.assert_frame_equal(new[[*SAI_SCORES, "status"]], old[[*SAI_SCORES, "status"]])
