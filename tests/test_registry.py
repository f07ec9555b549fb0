"""Registry: listing, lookup, user definitions from files and registration."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import alliance_metrics as am
from alliance_metrics.instruments import registry
from helpers import definition

BUILTIN = [
    "haq-ii",
    "ors",
    "sai",
    "srs",
    "tasc",
    "wai-b3",
    "wai-c",
    "wai-o-s",
    "wai-s",
    "wai-sr",
    "wai-t",
]


def _user_instrument(instrument_id: str = "my-inst", name: str = "Mine") -> am.Instrument:
    return am.Instrument.model_validate(definition(id=instrument_id, name=name))


def test_list_instruments_is_sorted_and_complete() -> None:
    ids = am.list_instruments()
    assert ids == sorted(ids)
    assert ids == BUILTIN
    assert "wai-o" not in ids  # the 36-item observer form is deliberately not shipped


def test_list_returns_a_fresh_list() -> None:
    am.list_instruments().append("junk")
    assert "junk" not in am.list_instruments()


@pytest.mark.parametrize("spelling", ["wai-sr", "WAI-SR", "wai_sr", "Wai_Sr", "  wai-sr "])
def test_get_instrument_is_case_insensitive(spelling: str) -> None:
    inst = am.get_instrument(spelling)
    assert inst.id == "wai-sr"
    assert inst is am.get_instrument("wai-sr")  # served from one cache


def test_get_instrument_multi_dash() -> None:
    assert am.get_instrument("WAI_O_S").id == "wai-o-s"
    assert am.get_instrument("haq_ii").id == "haq-ii"


def test_unknown_instrument_suggests_close_match() -> None:
    with pytest.raises(am.UnknownInstrumentError) as info:
        am.get_instrument("wai-rs")
    message = str(info.value)
    assert message.startswith(
        "The 'instrument_id' parameter of get_instrument: unknown instrument 'wai-rs'. "
        "Did you mean "
    )
    assert (info.value.parameter, info.value.function) == ("instrument_id", "get_instrument")
    assert "'wai-sr'" in message.split("Available:")[0]
    assert message.endswith("Available: " + ", ".join(BUILTIN) + ".")


def test_unknown_instrument_without_close_match() -> None:
    with pytest.raises(
        am.UnknownInstrumentError,
        match=r"get_instrument: unknown instrument 'zzzzzz'\. Available: ",
    ):
        am.get_instrument("zzzzzz")


def test_unknown_instrument_error_is_lookup_error() -> None:
    with pytest.raises(LookupError):
        am.get_instrument("phq-9")
    with pytest.raises(am.InstrumentError):
        am.get_instrument("phq-9")


def test_get_instrument_rejects_non_string() -> None:
    with pytest.raises(
        am.InvalidParameterError,
        match=re.escape(
            "The 'instrument_id' parameter of get_instrument must be an instrument id (str) or "
            "an Instrument. Got int instead."
        ),
    ):
        am.get_instrument(3)  # type: ignore[arg-type]


def test_load_instrument_valid(tmp_path: Path) -> None:
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(definition(id="my-form")), encoding="utf-8")
    inst = am.load_instrument(path)
    assert inst.id == "my-form"
    assert am.load_instrument(str(path)) == inst
    assert "my-form" not in am.list_instruments()  # loading does not register


def test_load_instrument_round_trips_a_builtin(tmp_path: Path) -> None:
    path = tmp_path / "copy.json"
    path.write_text(am.get_instrument("wai-c").model_dump_json(indent=2), encoding="utf-8")
    assert am.load_instrument(path) == am.get_instrument("wai-c")


def test_load_instrument_keeps_item_origins(tmp_path: Path) -> None:
    data = definition()
    for item, number in zip(data["items"], (6, 7, 5, 8), strict=True):
        item["origin"] = {"instrument": "wai-sr", "number": number}
    path = tmp_path / "short.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    inst = am.load_instrument(path)
    assert [(i.origin.instrument, i.origin.number) for i in inst.items if i.origin] == [
        ("wai-sr", 6),
        ("wai-sr", 7),
        ("wai-sr", 5),
        ("wai-sr", 8),
    ]
    assert am.Instrument.model_validate_json(inst.model_dump_json()) == inst


def test_origin_is_optional_and_none_by_default() -> None:
    inst = am.get_instrument("wai-sr")
    assert all(item.origin is None for item in inst.items)
    assert "origin" not in am.Item.model_json_schema()["required"]


@pytest.mark.parametrize(
    "instrument_id", [i for i in BUILTIN if any(it.origin for it in am.get_instrument(i).items)]
)
def test_builtin_origins_name_registered_items_of_the_same_dimension(instrument_id: str) -> None:
    # Checks the registry against itself (the facts themselves are pinned in
    # test_instrument_facts.py): a source item exists, and a derived subscale draws only on
    # source subscales of the same name (`goal_task` on `goal` and `task`).
    inst = am.get_instrument(instrument_id)
    assert all(item.origin is not None for item in inst.items)  # all or none, for a short form
    for scale in (s for s in inst.scales if s.kind == "subscale"):
        for item_id in scale.items:
            origin = inst.item(item_id).origin
            assert origin is not None
            source = am.get_instrument(origin.instrument)
            source_item = source.item(origin.number).id
            (source_scale,) = (
                s.id for s in source.scales if s.kind == "subscale" and source_item in s.items
            )
            assert source_scale in scale.id.split("_"), (item_id, origin)


def test_load_instrument_invalid_json(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"id": "x",', encoding="utf-8")
    with pytest.raises(am.InstrumentError, match=re.escape(f"'{path}' is not valid JSON: ")):
        am.load_instrument(path)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.pop("licence"), "licence: Field required"),
        (
            lambda d: d["response_scale"].update(min=9),
            "response_scale: response scale min (9) must be below max (5)",
        ),
        (
            lambda d: d["items"][1].update(wording="How often…"),
            "items.1.wording: Extra inputs are not permitted",
        ),
        (
            lambda d: d.update(rater="parent"),
            "rater: Input should be 'client', 'therapist' or 'observer'",
        ),
        (
            lambda d: d["scales"][0].update(items=["item1", "item7"]),
            "definition: scale 'a' names unknown items: ['item7']",
        ),
        (
            lambda d: d["items"][0].update(origin={"instrument": "wai-sr", "number": 0}),
            "items.0.origin.number: Input should be greater than or equal to 1",
        ),
        (
            lambda d: d["items"][0].update(origin={"instrument": "WAI SR", "number": 3}),
            "items.0.origin.instrument: String should match pattern",
        ),
        (
            lambda d: d["items"][0].update(origin={"instrument": "wai-sr", "item": 3}),
            "items.0.origin.item: Extra inputs are not permitted",
        ),
        (
            lambda d: d["items"][2].update(origin={"instrument": "test-inst", "number": 1}),
            "definition: item 'item3' names its own instrument as its origin",
        ),
        (
            lambda d: [
                d["items"][n].update(origin={"instrument": "wai-sr", "number": 9}) for n in (0, 3)
            ],
            "definition: items 'item1' and 'item4' both come from item 9 of 'wai-sr'",
        ),
    ],
)
def test_load_instrument_invalid_definition_names_the_field(
    tmp_path: Path, change: object, expected: str
) -> None:
    data = definition()
    change(data)  # type: ignore[operator]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(am.InstrumentError) as info:
        am.load_instrument(path)
    message = str(info.value)
    assert message.startswith(f"'{path}' is not a valid instrument definition: ")
    assert expected in message
    assert info.value.__cause__ is None  # no pydantic traceback chained for users


def test_load_instrument_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.json"
    with pytest.raises(
        am.InputFormatError, match=re.escape(f"Cannot read instrument file '{path}'")
    ):
        am.load_instrument(path)


def test_load_instrument_directory(tmp_path: Path) -> None:
    with pytest.raises(am.InputFormatError, match="Cannot read instrument file"):
        am.load_instrument(tmp_path)


def test_load_instrument_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"name": "\xe9"}')
    with pytest.raises(am.InputFormatError, match="Cannot read instrument file"):
        am.load_instrument(path)


def test_load_instrument_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.json"
    path.write_text("{}", encoding="utf-8")

    def deny(file: object, *args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied", str(file))

    # root reads any file whatever its mode: deny the open itself
    from alliance_metrics.instruments import registry

    monkeypatch.setattr(registry, "open", deny, raising=False)
    with pytest.raises(
        am.InputFormatError, match=r"Cannot read instrument file .*Permission denied"
    ):
        am.load_instrument(path)


def test_register_then_get_and_list() -> None:
    inst = _user_instrument()
    am.register(inst)
    assert am.get_instrument("MY_INST") == inst
    assert "my-inst" in am.list_instruments()
    assert am.list_instruments() == sorted(am.list_instruments())


def test_registered_instrument_is_usable_by_id() -> None:
    am.register(_user_instrument())
    assert am.score([1, 2, 3, 4], "my-inst").scales["total"].value == 2.5


def test_register_refuses_builtin_id() -> None:
    clash = _user_instrument("wai-sr")
    with pytest.raises(
        am.InstrumentError, match="'wai-sr' is a built-in instrument and cannot be replaced"
    ):
        am.register(clash)
    with pytest.raises(am.InstrumentError, match="built-in"):
        am.register(clash, replace=True)
    assert am.get_instrument("wai-sr").name != clash.name


def test_register_refuses_duplicate_unless_replace() -> None:
    first, second = _user_instrument(name="First"), _user_instrument(name="Second")
    am.register(first)
    with pytest.raises(
        am.InstrumentError,
        match=re.escape(
            "An instrument 'my-inst' is already registered; pass replace=True to replace it."
        ),
    ):
        am.register(second)
    assert am.get_instrument("my-inst").name == "First"
    am.register(second, replace=True)
    assert am.get_instrument("my-inst").name == "Second"


def test_register_revalidates_unvalidated_copies() -> None:
    # model_copy(update=...) skips validation; register must not share a broken definition.
    broken = am.get_instrument("wai-b3").model_copy(
        update={"id": "my-b3", "items": am.get_instrument("wai-b3").items[:2]}
    )
    with pytest.raises(
        am.InstrumentError,
        match=r"instrument 'my-b3' is not a valid instrument definition: "
        r".*names unknown items: \['item3'\]",
    ):
        am.register(broken)
    assert "my-b3" not in am.list_instruments()


def test_registered_definition_is_independent_of_caller_copy() -> None:
    inst = _user_instrument()
    am.register(inst)
    assert am.get_instrument("my-inst") == inst


def test_register_rejects_non_instrument() -> None:
    with pytest.raises(am.InvalidParameterError, match="register\\(\\) takes an Instrument"):
        am.register(definition())  # type: ignore[arg-type]


def test_fixture_cleans_user_registry_between_tests() -> None:
    assert registry._user == {}


def test_resolve_instrument_passes_objects_through() -> None:
    inst = _user_instrument()
    assert registry.resolve_instrument(inst) is inst
    assert registry.resolve_instrument("wai-s") is am.get_instrument("wai-s")
