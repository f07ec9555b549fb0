"""Column resolution: explicit mappings, templates, auto-detection and its error messages."""

from __future__ import annotations

import re
from collections.abc import Hashable

import pandas as pd
import pytest

import alliance_metrics as am
from alliance_metrics.columns import resolve_columns

WAI_SR = am.get_instrument("wai-sr")
SRS = am.get_instrument("srs")
EXTRA = ["id", "age", "session2", "date"]


def _resolve(
    columns: list[Hashable], spec: object = None, instrument: am.Instrument = WAI_SR
) -> list[Hashable]:
    return resolve_columns(columns, instrument, spec)  # type: ignore[arg-type]


# --- explicit ------------------------------------------------------------------------------------


def test_mapping_by_item_id() -> None:
    available = [f"col_{c}" for c in "abcdefghijkl"] + EXTRA
    mapping = {f"item{n}": f"col_{c}" for n, c in enumerate("abcdefghijkl", 1)}
    assert _resolve(available, mapping) == available[:12]


def test_mapping_by_item_number_and_mixed() -> None:
    available = [f"v{n}" for n in range(12, 0, -1)]
    mapping: dict[str | int, str] = {n: f"v{n}" for n in range(1, 13)}
    assert _resolve(available, mapping) == [f"v{n}" for n in range(1, 13)]
    mapping.pop(5)
    mapping["item5"] = "v5"
    assert _resolve(available, mapping) == [f"v{n}" for n in range(1, 13)]


def test_mapping_to_non_string_column_labels() -> None:
    available: list[Hashable] = list(range(100, 112))
    assert _resolve(available, {n: 99 + n for n in range(1, 13)}) == available


def test_mapping_missing_an_item() -> None:
    mapping = {n: f"v{n}" for n in range(1, 12)}
    with pytest.raises(
        am.InvalidParameterError,
        match=re.escape("must give a column for every item; missing: ['item12']"),
    ):
        _resolve([f"v{n}" for n in range(1, 13)], mapping)


def test_mapping_unknown_item() -> None:
    mapping = {n: f"v{n}" for n in range(1, 14)}
    with pytest.raises(
        am.InvalidParameterError, match="names item 13, which 'wai-sr' does not have"
    ):
        _resolve([f"v{n}" for n in range(1, 14)], mapping)


def test_mapping_item_twice() -> None:
    mapping: dict[str | int, str] = {n: f"v{n}" for n in range(1, 13)}
    mapping["item3"] = "v3"
    with pytest.raises(am.InvalidParameterError, match="names item 'item3' twice"):
        _resolve([f"v{n}" for n in range(1, 13)], mapping)


def test_mapping_to_absent_column_names_the_item() -> None:
    mapping = {n: f"v{n}" for n in range(1, 13)}
    with pytest.raises(
        am.InputFormatError,
        match=re.escape("Missing item column(s) for 'wai-sr' (columns mapping): item 7 ('v7')."),
    ):
        _resolve([f"v{n}" for n in range(1, 13) if n != 7], mapping)


def test_mapping_two_items_one_column() -> None:
    mapping = {n: f"v{n}" for n in range(1, 13)}
    mapping[2] = "v1"
    with pytest.raises(am.InputFormatError, match="Two items of 'wai-sr' map to the same column"):
        _resolve([f"v{n}" for n in range(1, 13)], mapping)


@pytest.mark.parametrize(
    ("template", "names"),
    [
        ("wai_{n}", [f"wai_{n}" for n in range(1, 13)]),
        ("item{n:02d}", [f"item{n:02d}" for n in range(1, 13)]),
        ("T1 {id}", [f"T1 item{n}" for n in range(1, 13)]),
    ],
)
def test_template(template: str, names: list[str]) -> None:
    available = EXTRA + names[::-1]
    assert _resolve(available, template) == names


def test_template_with_item_ids() -> None:
    ids = ["relationship", "goals_topics", "approach_method", "overall"]
    assert _resolve([f"srs_{i}" for i in ids], "srs_{id}", SRS) == [f"srs_{i}" for i in ids]


def test_template_missing_column_names_the_item() -> None:
    available = [f"wai_{n}" for n in range(1, 12)]
    with pytest.raises(
        am.InputFormatError, match=re.escape("(template 'wai_{n}'): item 12 ('wai_12')")
    ):
        _resolve(available, "wai_{n}")


@pytest.mark.parametrize(
    "template", ["wai_{x}", "wai_{0}", "wai_{n:q}", "wai_{n.x}", "wai_{n[0]}", "wai_{n", "{}"]
)
def test_bad_template(template: str) -> None:
    with pytest.raises(
        am.InvalidParameterError, match=r"The 'columns' parameter of score_frame must (use|be)"
    ):
        _resolve([f"wai_{n}" for n in range(1, 13)], template)


def test_constant_template() -> None:
    with pytest.raises(am.InvalidParameterError, match="give each item its own column"):
        _resolve(["wai"], "wai")


@pytest.mark.parametrize("spec", [["wai_1"], 3, ("a", "b")])
def test_columns_of_wrong_type(spec: object) -> None:
    with pytest.raises(
        am.InvalidParameterError, match="The 'columns' parameter of score_frame must be a mapping"
    ):
        _resolve([f"wai_{n}" for n in range(1, 13)], spec)


# --- auto-detection ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "names",
    [
        [f"wai_{n}" for n in range(1, 13)],
        [f"wai{n}" for n in range(1, 13)],
        [f"WAI_{n:02d}" for n in range(1, 13)],
        [f"q{n}" for n in range(1, 13)],
        [f"Q{n}" for n in range(1, 13)],
        [f"Q5_{n}" for n in range(1, 13)],
        [f"item{n}" for n in range(1, 13)],
        [f"wai_sr_{n}" for n in range(1, 13)],
        [f"WAI-SR.{n}" for n in range(1, 13)],
        [str(n) for n in range(1, 13)],
        list(range(1, 13)),
    ],
    ids=lambda names: repr(names[0]),
)
def test_auto_detect_common_spellings(names: list[Hashable]) -> None:
    shuffled = names[6:] + EXTRA + names[:6]
    assert _resolve(shuffled) == names


def test_auto_detect_item_ids() -> None:
    ids = ["relationship", "goals_topics", "approach_method", "overall"]
    assert _resolve(["client", *ids[::-1]], None, SRS) == ids


def test_auto_detect_item_ids_case_insensitively() -> None:
    names = ["Relationship", "GOALS_TOPICS", " approach_method ", "Overall"]
    assert _resolve(names, None, SRS) == names


def test_auto_detect_item_ids_differing_only_in_case() -> None:
    names = ["relationship", "Relationship", "goals_topics", "approach_method", "overall"]
    with pytest.raises(am.InputFormatError, match="differ only in case or spacing"):
        _resolve(names, None, SRS)


def test_auto_detect_numbered_columns_for_named_items() -> None:
    assert _resolve(["srs_1", "srs_2", "srs_3", "srs_4"], None, SRS) == [
        "srs_1",
        "srs_2",
        "srs_3",
        "srs_4",
    ]


def test_two_families_are_ambiguous() -> None:
    available = [f"wai_{n}" for n in range(1, 13)] + [f"q{n}" for n in range(1, 13)]
    with pytest.raises(
        am.InputFormatError,
        match=r"ambiguous: several families.*'q1', 'wai_1'.*columns='<prefix>\{n\}'",
    ):
        _resolve(available)


def test_same_item_spelled_twice_is_ambiguous() -> None:
    available = [f"wai_{n}" for n in range(1, 13)] + ["wai1"]
    with pytest.raises(
        am.InputFormatError, match=r"ambiguous: 'wai_1', 'wai1' all look like the same item"
    ):
        _resolve(available)


def test_missing_item_column_is_named() -> None:
    available = [f"wai_{n}" for n in range(1, 13) if n != 8] + EXTRA
    with pytest.raises(
        am.InputFormatError,
        match=re.escape("the columns named 'wai…' lack item(s) 8 (11 of 12 found)"),
    ):
        _resolve(available)


def test_missing_bare_numbers_are_named() -> None:
    with pytest.raises(am.InputFormatError, match="bare item numbers lack item\\(s\\) 11, 12"):
        _resolve(list(range(1, 11)))


def test_no_item_columns() -> None:
    with pytest.raises(
        am.InputFormatError, match="No item columns found for 'wai-sr' \\(12 items\\)"
    ) as info:
        _resolve(["id", "age"])
    assert "'wai_sr_1'" in str(info.value)
    assert "the 2 columns of the input" in str(info.value)
    assert "'id'" not in str(info.value)  # column names may be data (a headerless file)


def test_longer_form_is_detected() -> None:
    available = [f"wai_{n}" for n in range(1, 37)]
    with pytest.raises(
        am.InputFormatError,
        match="run to item 36, but 'wai-sr' has 12 items: is this a longer form",
    ):
        _resolve(available)


def test_explicit_columns_allow_a_longer_form() -> None:
    available = [f"wai_{n}" for n in range(1, 37)]
    assert _resolve(available, "wai_{n}") == available[:12]


def test_duplicate_column_names() -> None:
    available = [f"wai_{n}" for n in range(1, 13)] + ["wai_3", "age"]
    with pytest.raises(
        am.InputFormatError, match=re.escape("Column names must be unique; repeated: 'wai_3'.")
    ):
        _resolve(available)
    with pytest.raises(am.InputFormatError, match="Column names must be unique"):
        _resolve(available, "wai_{n}")


def test_duplicate_columns_in_a_frame() -> None:
    df = pd.DataFrame([[1] * 13], columns=[f"wai_{n}" for n in range(1, 13)] + ["wai_12"])
    with pytest.raises(am.InputFormatError, match="Column names must be unique"):
        am.score_frame(df, "wai-sr")


def test_bool_and_other_labels_are_ignored() -> None:
    available: list[Hashable] = [True, 2.5, ("a", 1), *[f"q{n}" for n in range(1, 13)]]
    assert _resolve(available) == [f"q{n}" for n in range(1, 13)]


def test_score_frame_uses_resolution() -> None:
    df = pd.DataFrame([[5, 1] + [3] * 10], columns=[f"Q5_{n}" for n in range(1, 13)])
    out = am.score_frame(df, "wai-sr", prefix="")
    assert out.loc[0, "task"] == (5 + 1 + 3 + 3) / 4
    by_template = am.score_frame(df, "wai-sr", columns="Q5_{n}", prefix="")
    pd.testing.assert_frame_equal(out, by_template)


def test_item_ids_found_among_non_string_labels() -> None:
    ids = ["relationship", "goals_topics", "approach_method", "overall"]
    assert _resolve([0, *ids, 1.5], None, SRS) == ids


def test_mapping_with_bool_key_is_rejected() -> None:
    mapping: dict[object, str] = {n: f"v{n}" for n in range(2, 13)}
    mapping[True] = "v1"
    with pytest.raises(am.InvalidParameterError, match="names item True"):
        _resolve([f"v{n}" for n in range(1, 13)], mapping)
