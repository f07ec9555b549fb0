"""Instrument definition models: consistency checks with precise messages, frozen, strict."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
from pydantic import ValidationError

import alliance_metrics as am
from helpers import definition


def _invalid(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        am.Instrument.model_validate(data)


def _with_scales(*scales: dict[str, Any]) -> dict[str, Any]:
    return definition(scales=list(scales))


def _scale(sid: str, items: list[str], kind: str = "subscale") -> dict[str, Any]:
    return {"id": sid, "name": sid.title(), "kind": kind, "items": items}


ALL = ["item1", "item2", "item3", "item4"]


def test_minimal_definition_is_valid() -> None:
    inst = am.Instrument.model_validate(definition())
    assert inst.n_items == 4
    assert inst.slug == "test_inst"
    assert [s.id for s in inst.scales] == ["a", "b", "total"]
    assert inst.missing_policy.min_answered == 0.75
    assert inst.default_aggregate == "mean"


def test_unknown_item_in_scale() -> None:
    data = _with_scales(
        _scale("a", ["item1", "item2", "item9"]),
        _scale("b", ["item3", "item4"]),
        _scale("t", ALL, "total"),
    )
    _invalid(data, "scale 'a' names unknown items: ['item9']")


def test_item_listed_twice_in_one_scale() -> None:
    data = _with_scales(_scale("a", ["item1", "item2", "item1"]), _scale("b", ["item3", "item4"]))
    _invalid(data, "scale 'a' lists items more than once: ['item1']")


def test_item_in_two_subscales() -> None:
    data = _with_scales(_scale("a", ["item1", "item2", "item3"]), _scale("b", ["item3", "item4"]))
    _invalid(data, "items belong to more than one subscale: ['item3']")


def test_item_in_no_subscale() -> None:
    data = _with_scales(_scale("a", ["item1", "item2"]), _scale("b", ["item4"]))
    _invalid(data, "items belong to no subscale: ['item3']")


def test_item_only_in_composite_is_still_orphan() -> None:
    data = _with_scales(
        _scale("a", ["item1", "item2"]), _scale("b", ["item4"]), _scale("c", ["item3"], "composite")
    )
    _invalid(data, "items belong to no subscale: ['item3']")


def test_total_lacking_items() -> None:
    data = _with_scales(
        _scale("a", ["item1", "item2"]),
        _scale("b", ["item3", "item4"]),
        _scale("total", ALL[:3], "total"),
    )
    _invalid(data, "total scale 'total' lacks items: ['item4']")


def test_total_only_instrument_is_valid() -> None:
    inst = am.Instrument.model_validate(_with_scales(_scale("total", ALL, "total")))
    assert [s.kind for s in inst.scales] == ["total"]


def test_composite_only_instrument_is_rejected() -> None:
    data = _with_scales(_scale("c", ALL, "composite"))
    _invalid(data, "an instrument needs at least one subscale or a total scale")


def test_duplicate_item_ids() -> None:
    items = [{"id": "aa", "number": 1}, {"id": "bb", "number": 2}, {"id": "aa", "number": 3}]
    data = definition(items=items, scales=[_scale("t", ["aa", "bb"], "composite")])
    _invalid(data, "item ids are declared more than once: ['aa']")


def test_duplicate_scale_ids() -> None:
    data = _with_scales(_scale("a", ["item1", "item2"]), _scale("a", ["item3", "item4"]))
    _invalid(data, "scale ids are declared more than once: ['a']")


def test_numbering_gap() -> None:
    items = [{"id": f"q_{n}", "number": n} for n in (1, 2, 4, 5)]
    scales = [_scale("total", [i["id"] for i in items], "total")]
    _invalid(
        definition(items=items, scales=scales),
        "items must be listed in form order and numbered 1..4 without gaps; "
        "got numbers [1, 2, 4, 5]",
    )


def test_numbering_out_of_order() -> None:
    items = [{"id": f"q_{n}", "number": n} for n in (2, 1, 3, 4)]
    scales = [_scale("total", [i["id"] for i in items], "total")]
    _invalid(definition(items=items, scales=scales), "got numbers [2, 1, 3, 4]")


def test_item_id_contradicting_number() -> None:
    items = [{"id": "item1", "number": 1}, {"id": "item3", "number": 2}]
    scales = [_scale("total", ["item1", "item3"], "total")]
    _invalid(definition(items=items, scales=scales), "item id 'item3' contradicts its number 2")


def test_item_number_must_be_positive() -> None:
    data = definition(items=[{"id": "zero", "number": 0}], scales=[_scale("t", ["zero"], "total")])
    with pytest.raises(ValidationError, match=r"items\.0\.number"):
        am.Instrument.model_validate(data)


@pytest.mark.parametrize(
    ("scale", "message"),
    [
        ({"min": 5, "max": 1}, "response scale min (5) must be below max (1)"),
        ({"min": 3, "max": 3}, "response scale min (3) must be below max (3)"),
        (
            {"min": 1, "max": 5.5, "step": 1},
            "response scale max (5.5) is not reachable from min (1) in steps of 1",
        ),
        ({"min": 0, "max": 1, "step": 0.3}, "is not reachable from min (0) in steps of 0.3"),
        ({"min": 0, "max": float("inf")}, "response scale bounds must be finite numbers"),
    ],
)
def test_response_scale_bounds(scale: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        am.ResponseScale.model_validate(scale)
    _invalid(definition(response_scale=scale), message)


def test_step_must_be_positive() -> None:
    with pytest.raises(ValidationError, match="greater than 0"):
        am.ResponseScale(min=0, max=4, step=0)


def test_non_integer_step_scale_is_valid_and_described() -> None:
    half = am.ResponseScale(min=0, max=4, step=0.5)
    assert not half.is_integer
    assert half.describe() == "a number from 0 to 4 in steps of 0.5"
    assert am.ResponseScale(min=1, max=5).describe() == "an integer from 1 to 5"
    assert am.ResponseScale(min=0, max=10, step=None).describe() == "a number from 0 to 10"


def test_anchor_out_of_range() -> None:
    scale = {"min": 1, "max": 5, "anchors": [{"value": 6, "label": "Beyond"}]}
    _invalid(
        definition(response_scale=scale), "anchor 'Beyond' has value 6, outside the scale 1 to 5"
    )


def test_anchor_off_the_scale_steps() -> None:
    scale = {"min": 1, "max": 5, "anchors": [{"value": 2.5, "label": "Between"}]}
    _invalid(
        definition(response_scale=scale),
        "anchor 'Between' has value 2.5, which is not on the scale's steps of 1 from 1",
    )


def test_anchor_label_duplicated_case_and_space_insensitively() -> None:
    anchors = [{"value": 1, "label": "Very Often"}, {"value": 2, "label": " very   often "}]
    scale = {"min": 1, "max": 5, "anchors": anchors}
    _invalid(definition(response_scale=scale), "anchor label 'very   often' is declared twice")


def test_anchor_label_must_not_be_blank() -> None:
    with pytest.raises(ValidationError, match=r"label"):
        am.Anchor(value=1, label="   ")


def _cutoff(**overrides: Any) -> dict[str, Any]:
    base = {
        "id": "low",
        "scale": "total",
        "aggregate": "sum",
        "value": 10,
        "direction": "below",
        "boundary": "exclusive",
        "kind": "convention",
        "label": "low",
    }
    base.update(overrides)
    return base


def test_cutoff_on_unknown_scale() -> None:
    _invalid(
        definition(cutoffs=[_cutoff(scale="nope")]), "cut-off 'low' names unknown scale 'nope'"
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"value": 21},
            "cut-off 'low' value 21 lies outside the sum range of scale 'total' (4 to 20)",
        ),
        (
            {"value": 3},
            "cut-off 'low' value 3 lies outside the sum range of scale 'total' (4 to 20)",
        ),
        (
            {"aggregate": "mean", "value": 6},
            "value 6 lies outside the mean range of scale 'total' (1 to 5)",
        ),
        ({"scale": "a", "value": 11}, "value 11 lies outside the sum range of scale 'a' (2 to 10)"),
    ],
)
def test_cutoff_out_of_range(overrides: dict[str, Any], message: str) -> None:
    _invalid(definition(cutoffs=[_cutoff(**overrides)]), message)


@pytest.mark.parametrize("value", [4, 20, 12.5])
def test_cutoff_at_range_edges_is_valid(value: float) -> None:
    inst = am.Instrument.model_validate(definition(cutoffs=[_cutoff(value=value)]))
    assert inst.cutoffs[0].value == value


@pytest.mark.parametrize("level", ["provisional", "derived"])
def test_status_without_reason(level: str) -> None:
    _invalid(definition(status={"level": level}), f"a '{level}' status needs a reason")
    _invalid(
        definition(status={"level": level, "reason": ""}), f"a '{level}' status needs a reason"
    )


def test_status_with_reason_is_valid() -> None:
    inst = am.Instrument.model_validate(
        definition(status={"level": "provisional", "reason": "one source"})
    )
    assert inst.status.reason == "one source"


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ((), "license"),
        (("response_scale",), "maximum"),
        (("items", 0), "wording"),
        (("scales", 0), "item"),
        (("status",), "note"),
        (("citations", 0), "url"),
    ],
)
def test_extra_fields_are_rejected(path: tuple[str | int, ...], key: str) -> None:
    data = definition()
    target: Any = data
    for step in path:
        target = target[step]
    target[key] = "typo"
    with pytest.raises(ValidationError, match="Extra inputs are not permitted") as info:
        am.Instrument.model_validate(data)
    assert info.value.errors()[0]["loc"] == (*path, key)


@pytest.mark.parametrize(
    ("field", "value"),
    [("id", "Test_Inst"), ("id", "wai--sr"), ("rater", "parent"), ("default_aggregate", "median")],
)
def test_field_constraints(field: str, value: str) -> None:
    with pytest.raises(ValidationError) as info:
        am.Instrument.model_validate(definition(**{field: value}))
    assert info.value.errors()[0]["loc"] == (field,)


def test_item_id_pattern() -> None:
    with pytest.raises(ValidationError):
        am.Item(id="Item 1", number=1)


def test_citations_and_items_must_not_be_empty() -> None:
    for field in ("citations", "items", "scales"):
        with pytest.raises(ValidationError) as info:
            am.Instrument.model_validate(definition(**{field: []}))
        assert info.value.errors()[0]["loc"] == (field,)


def test_models_are_frozen() -> None:
    inst = am.Instrument.model_validate(definition())
    with pytest.raises(ValidationError, match="frozen"):
        inst.id = "other"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="frozen"):
        inst.items[0].reverse = True  # type: ignore[misc]
    with pytest.raises(ValidationError, match="frozen"):
        inst.response_scale.max = 9  # type: ignore[misc]
    assert isinstance(inst.items, tuple)
    assert isinstance(inst.scales[0].items, tuple)


def test_validation_does_not_mutate_input() -> None:
    data = definition()
    snapshot = copy.deepcopy(data)
    am.Instrument.model_validate(data)
    assert data == snapshot


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        (1, True),
        (4, True),
        (0.5, True),
        (1.0, True),
        (0, False),
        (1.5, False),
        (0.0, False),
        (-2, False),
        (True, False),
    ],
)
def test_missing_policy_values(value: float, valid: bool) -> None:
    if valid:
        assert am.MissingPolicy(min_answered=value).min_answered == value
    else:
        with pytest.raises(ValidationError):
            am.MissingPolicy(min_answered=value)


def test_missing_policy_keeps_int_and_float_apart() -> None:
    assert type(am.MissingPolicy(min_answered=1).min_answered) is int
    assert type(am.MissingPolicy(min_answered=1.0).min_answered) is float


@pytest.mark.parametrize(
    ("direction", "boundary", "expected"),
    [
        ("below", "exclusive", {35.9: True, 36: False, 36.1: False}),
        ("below", "inclusive", {35.9: True, 36: True, 36.1: False}),
        ("above", "exclusive", {35.9: False, 36: False, 36.1: True}),
        ("above", "inclusive", {35.9: False, 36: True, 36.1: True}),
    ],
)
def test_cutoff_flags(direction: str, boundary: str, expected: dict[float, bool]) -> None:
    cut = am.Cutoff.model_validate(_cutoff(value=36, direction=direction, boundary=boundary))
    assert {score: cut.flags(score) for score in expected} == expected


def test_item_and_scale_lookup() -> None:
    inst = am.get_instrument("wai-sr")
    assert inst.item("item7") is inst.item(7)
    assert inst.item(7).number == 7
    assert inst.scale("bond").items == ("item3", "item5", "item7", "item9")
    with pytest.raises(KeyError, match="instrument 'wai-sr' has no item 13"):
        inst.item(13)
    with pytest.raises(KeyError, match="instrument 'wai-sr' has no scale 'alliance'"):
        inst.scale("alliance")


def test_json_schema_export() -> None:
    schema = am.Instrument.model_json_schema()
    json.dumps(schema)  # serialisable
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) >= {
        "id",
        "items",
        "scales",
        "response_scale",
        "status",
        "licence",
    }
    assert {"Item", "Scale", "ResponseScale", "Cutoff", "MissingPolicy"} <= set(schema["$defs"])
    assert set(schema["$defs"]["Item"]["properties"]) == {
        "id",
        "number",
        "reverse",
        "printed_order",
        "origin",
    }
    for model in (am.Administration, am.ScoreResult, am.ScaleScore):
        json.dumps(model.model_json_schema())


@pytest.mark.parametrize("instrument_id", am.list_instruments())
def test_json_round_trip(instrument_id: str) -> None:
    inst = am.get_instrument(instrument_id)
    again = am.Instrument.model_validate_json(inst.model_dump_json())
    assert again == inst
    assert again.model_dump() == inst.model_dump()


def test_round_trip_of_user_definition() -> None:
    inst = am.Instrument.model_validate(definition(cutoffs=[_cutoff()]))
    assert am.Instrument.model_validate_json(inst.model_dump_json()) == inst


def test_administration_model() -> None:
    adm = am.Administration(
        instrument="wai-b3", responses={"item1": 4, "2": "Always", "item3": None}
    )
    assert adm.respondent is None
    with pytest.raises(ValidationError):
        am.Administration(instrument="wai-b3", responses={}, extra=1)  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        am.Administration(instrument="WAI SR", responses={})
    again = am.Administration.model_validate_json(adm.model_dump_json())
    assert again == adm


def _set(data: dict[str, Any], path: tuple[str | int, ...], value: object) -> dict[str, Any]:
    copy = json.loads(json.dumps(data))
    target: Any = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copy


_WITH_EXTRAS = definition(
    missing_policy={"min_answered": 2},
    cutoffs=[
        {
            "id": "low",
            "scale": "total",
            "aggregate": "sum",
            "value": 8,
            "direction": "below",
            "boundary": "exclusive",
            "kind": "convention",
            "label": "low",
        }
    ],
    reliable_change={
        "scale": "total",
        "aggregate": "sum",
        "points": 3,
        "kind": "secondary",
        "note": "x",
    },
)
_NUMBER_FIELDS = [
    ("response_scale", "min"),
    ("response_scale", "max"),
    ("response_scale", "step"),
    ("response_scale", "anchors", 0, "value"),
    ("items", 0, "number"),
    ("missing_policy", "min_answered"),
    ("cutoffs", 0, "value"),
    ("reliable_change", "points"),
]


@pytest.mark.parametrize("path", _NUMBER_FIELDS, ids=lambda p: ".".join(map(str, p)))
@pytest.mark.parametrize("value", [True, False, "5", "1.0", None, [1]], ids=repr)
def test_numbers_of_a_definition_are_json_numbers(
    path: tuple[str | int, ...], value: object
) -> None:
    """`true` is not 1 and `"5"` is not 5 in a definition (the JSON Schema says `number`)."""
    assert am.Instrument.model_validate(_WITH_EXTRAS)  # the base is valid
    data = _set(_WITH_EXTRAS, path, value)
    if value is None and path[-1] == "step":
        return  # a continuous scale
    with pytest.raises(ValidationError):
        am.Instrument.model_validate(data)
    with pytest.raises(ValidationError):
        am.Instrument.model_validate_json(json.dumps(data))


@pytest.mark.parametrize("value", [1, 0, "true", "yes", None])
def test_reverse_is_a_json_boolean(value: object) -> None:
    with pytest.raises(ValidationError):
        am.Instrument.model_validate(_set(definition(), ("items", 0, "reverse"), value))


def test_administration_session_is_an_integer() -> None:
    for session in (True, "3", 3.0):
        with pytest.raises(am.InputFormatError):
            am.Administration.from_json(
                json.dumps({"instrument": "wai-b3", "responses": {}, "session": session})
            )
    assert am.Administration.from_json('{"instrument": "wai-b3", "responses": {}, "session": 3}')


def test_missing_policy_rejects_bool() -> None:
    with pytest.raises(ValidationError, match="min_answered"):
        am.MissingPolicy(min_answered=True)


def test_missing_policy_count_larger_than_smallest_scale() -> None:
    _invalid(
        definition(missing_policy={"min_answered": 3}),
        "missing_policy.min_answered (3 items) exceeds the 2 item(s) of scale 'a'; "
        "use a proportion",
    )
    inst = am.Instrument.model_validate(definition(missing_policy={"min_answered": 2}))
    assert inst.missing_policy.min_answered == 2


@pytest.mark.parametrize("key", [True, False, 1.0, 7.0, None])
def test_item_lookup_rejects_non_item_keys(key: object) -> None:
    with pytest.raises(KeyError, match="has no item"):
        am.get_instrument("wai-sr").item(key)  # type: ignore[arg-type]
