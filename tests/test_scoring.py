"""score(): input shapes, value parsing, prorating, missing-data rule, errors, provenance."""

from __future__ import annotations

import json
import math
import re
import warnings
from importlib.metadata import version

import pytest

import alliance_metrics as am
from helpers import PROVISIONAL, quiet

# Keys written out by hand (INSTRUMENTS.md), independent of the library's definitions.
WAI_SR_KEY = {
    "task": [1, 2, 10, 12],
    "bond": [3, 5, 7, 9],
    "goal": [4, 6, 8, 11],
    "total": list(range(1, 13)),
    "goal_task": [1, 2, 4, 6, 8, 10, 11, 12],
}
WAI_S_KEY = {
    "task": [1, 2, 8, 12],
    "bond": [3, 5, 7, 9],
    "goal": [4, 6, 10, 11],
    "total": list(range(1, 13)),
}
WAI_S_REVERSED = frozenset({4, 10})

SR = [4, 5, 3, 2, 5, 4, 3, 1, 5, 2, 4, 3]  # WAI-SR answers to items 1..12


def _values(result: am.ScoreResult) -> dict[str, float | None]:
    return {sid: s.value for sid, s in result.scales.items()}


def _expected(
    answers: dict[int, float | None],
    key: dict[str, list[int]],
    agg: str,
    reversed_items: frozenset[int] = frozenset(),
    lo: float = 1,
    hi: float = 5,
) -> dict[str, float]:
    """Scale scores computed by hand from a key (mean of answered; prorated or plain sum)."""
    out = {}
    for sid, numbers in key.items():
        answered = [(n, v) for n in numbers if (v := answers[n]) is not None]
        keyed = [(lo + hi - v) if n in reversed_items else v for n, v in answered]
        mean = sum(keyed) / len(keyed)
        out[sid] = (
            mean
            if agg == "mean"
            else (sum(keyed) if len(keyed) == len(numbers) else mean * len(numbers))
        )
    return out


# --- input shapes --------------------------------------------------------------------------------


def test_sequence_in_item_order() -> None:
    result = am.score(SR, "wai-sr")
    assert _values(result) == pytest.approx(_expected(dict(enumerate(SR, 1)), WAI_SR_KEY, "mean"))
    assert result.scales["task"].value == (4 + 5 + 2 + 3) / 4
    assert result.status == "ok"


def test_tuple_sequence() -> None:
    assert am.score(tuple(SR), "wai-sr") == am.score(SR, "wai-sr")


def test_mapping_by_id_number_and_numeric_string() -> None:
    reference = am.score(SR, "wai-sr")
    by_id = {f"item{n}": v for n, v in enumerate(SR, 1)}
    by_number = dict(enumerate(SR, 1))
    by_text = {str(n): v for n, v in enumerate(SR, 1)}
    mixed = {("item1" if n == 1 else n if n % 2 else f" {n} "): v for n, v in enumerate(SR, 1)}
    for mapping in (by_id, by_number, by_text, mixed):
        assert am.score(mapping, "wai-sr") == reference  # type: ignore[arg-type]


def test_mapping_order_does_not_matter() -> None:
    reversed_order = {n: SR[n - 1] for n in range(12, 0, -1)}
    assert am.score(reversed_order, "wai-sr") == am.score(SR, "wai-sr")


def test_mapping_may_omit_items_they_are_unanswered() -> None:
    answers = {n: v for n, v in enumerate(SR, 1) if n != 3}
    result = am.score(answers, "wai-sr")
    assert result.scales["bond"].answered == 3
    assert result.scales["bond"].value == (5 + 3 + 5) / 3


def test_mapping_with_srs_item_ids() -> None:
    answers = {"relationship": 9.5, "goals_topics": 8, "approach_method": 7.2, "overall": 10}
    assert am.score(answers, "srs").scales["total"].value == pytest.approx(
        9.5 + 8 + 7.2 + 10, rel=1e-15
    )


def test_unknown_items_in_mapping() -> None:
    with pytest.raises(
        am.InvalidParameterError,
        match=r"names items that 'wai-sr' does not have: 'item13', 0\.",
    ):
        am.score({"item13": 4, 0: 1}, "wai-sr")


def test_same_item_by_id_and_by_number_is_an_error() -> None:
    with pytest.raises(am.InvalidParameterError, match="'item1' twice"):
        am.score({"item1": 4, 1: 5}, "wai-sr")


@pytest.mark.parametrize("length", [0, 11, 13])
def test_sequence_of_wrong_length(length: int) -> None:
    with pytest.raises(
        am.InvalidParameterError,
        match=re.escape(
            "The 'responses' parameter of score must hold one value per item of 'wai-sr' (12). "
            f"Got {length} instead."
        ),
    ):
        am.score([3] * length, "wai-sr")


@pytest.mark.parametrize("responses", ["4" * 12, b"444", 4, None])
def test_responses_of_wrong_type(responses: object) -> None:
    with pytest.raises(
        am.InvalidParameterError, match="The 'responses' parameter of score must be"
    ):
        am.score(responses, "wai-sr")  # type: ignore[arg-type]


def test_administration() -> None:
    adm = am.Administration(
        instrument="wai-sr", responses={f"item{n}": v for n, v in enumerate(SR, 1)}, respondent="p7"
    )
    echoed = am.score(SR, "wai-sr").model_copy(update={"respondent": "p7"})
    assert am.score(adm) == echoed
    assert am.score(adm, "wai-sr") == echoed
    assert am.score(adm, am.get_instrument("wai-sr")) == echoed
    assert am.score(adm).respondent == "p7"
    assert am.score(adm.model_copy(update={"session": 4})).session == 4


def test_administration_with_numeric_string_keys() -> None:
    adm = am.Administration(instrument="wai-b3", responses={"1": 4, "2": 5, "3": "Always"})
    assert am.score(adm).scales["total"].value == (4 + 5 + 5) / 3


def test_administration_instrument_mismatch() -> None:
    adm = am.Administration(instrument="wai-sr", responses={"item1": 4})
    with pytest.raises(
        am.InvalidParameterError,
        match=re.escape(
            "The 'instrument' parameter of score is 'wai-s', but the administration is of "
            "instrument 'wai-sr'."
        ),
    ):
        am.score(adm, "wai-s")


def test_instrument_required_without_administration() -> None:
    with pytest.raises(
        am.InvalidParameterError, match="The 'instrument' parameter of score is required"
    ):
        am.score(SR)


def test_unknown_instrument() -> None:
    with pytest.raises(am.UnknownInstrumentError):
        am.score(SR, "wai-xx")


def test_instrument_object_and_id_agree() -> None:
    assert am.score(SR, am.get_instrument("wai-sr")) == am.score(SR, "WAI_SR")


def test_caller_objects_are_not_mutated() -> None:
    answers = dict(enumerate(SR, 1))
    snapshot = dict(answers)
    seq = list(SR)
    am.score(answers, "wai-sr")
    am.score(seq, "wai-sr")
    assert answers == snapshot
    assert seq == SR


# --- values --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "label", ["Very Often", "very often", " Very  Often ", "VERY OFTEN", "very\toften"]
)
def test_anchor_labels(label: str) -> None:
    answers: list[object] = [4] * 12
    answers[0] = label
    assert am.score(answers, "wai-sr").scales["total"].value == 4.0


@pytest.mark.parametrize("text", [" 4 ", "4", "4.0", "\t4\n"])
def test_numeric_strings(text: str) -> None:
    answers: list[object] = [4] * 12
    answers[5] = text
    assert am.score(answers, "wai-sr") == am.score([4] * 12, "wai-sr")


@pytest.mark.parametrize("blank", [None, "", "   ", float("nan")])
def test_blank_values_are_unanswered(blank: object) -> None:
    answers: list[object] = list(SR)
    answers[2] = blank
    result = am.score(answers, "wai-sr")
    assert result.scales["bond"].answered == 3
    assert result.status == "prorated"
    assert result.invalid_items == ()


def test_float_integer_values_on_integer_scale() -> None:
    assert am.score([float(v) for v in SR], "wai-sr") == am.score(SR, "wai-sr")


def test_hand_computed_wai_s_with_reversed_items() -> None:
    answers = [7, 6, 5, 2, 4, 3, 6, 5, 7, 1, 2, 3]
    by_number = dict(enumerate(answers, 1))
    result = am.score(answers, "wai-s", aggregate="sum")
    # task 7+6+5+3; bond 5+4+6+7; goal (8-2)+3+(8-1)+2; total is their sum
    assert _values(result) == {"task": 21, "bond": 22, "goal": 18, "total": 61}
    assert _values(result) == _expected(by_number, WAI_S_KEY, "sum", WAI_S_REVERSED, 1, 7)
    mean = am.score(answers, "wai-s", aggregate="mean")
    assert _values(mean) == pytest.approx(
        _expected(by_number, WAI_S_KEY, "mean", WAI_S_REVERSED, 1, 7), rel=1e-15
    )


def test_default_aggregate_comes_from_instrument() -> None:
    assert am.score(SR, "wai-sr").aggregate == "mean"
    assert am.score([4] * 12, "wai-s").aggregate == "sum"
    assert am.score([4] * 12, "wai-s").scales["total"].value == 48


# --- missing data --------------------------------------------------------------------------------


def test_prorated_mean_is_mean_of_answered() -> None:
    answers: dict[int, float | None] = dict(enumerate(SR, 1))
    answers[5] = None
    result = am.score(answers, "wai-sr")
    bond = result.scales["bond"]
    assert bond.value == (3 + 3 + 5) / 3
    assert (bond.answered, bond.n_items, bond.prorated, bond.status) == (3, 4, True, "prorated")
    task = result.scales["task"]
    assert (task.answered, task.prorated, task.status) == (4, False, "ok")
    assert result.scales["total"].value == pytest.approx((sum(SR) - 5) / 11, rel=1e-15)
    assert result.status == "prorated"


def test_prorated_sum_is_mean_times_n() -> None:
    answers: dict[int, float | None] = dict(enumerate(SR, 1))
    answers[5] = None
    result = am.score(answers, "wai-sr", aggregate="sum")
    assert result.scales["bond"].value == pytest.approx((3 + 3 + 5) / 3 * 4, rel=1e-15)
    assert result.scales["total"].value == pytest.approx((sum(SR) - 5) / 11 * 12, rel=1e-15)
    assert result.scales["task"].value == 4 + 5 + 2 + 3  # complete: plain sum
    expected = _expected(answers, WAI_SR_KEY, "sum")
    assert _values(result) == pytest.approx(expected, rel=1e-15)


def test_complete_sum_is_plain_sum() -> None:
    result = am.score(SR, "wai-sr", aggregate="sum")
    assert _values(result) == _expected(dict(enumerate(SR, 1)), WAI_SR_KEY, "sum")
    assert result.scales["total"].value == sum(SR)
    assert all(not s.prorated for s in result.scales.values())


def test_default_rule_needs_three_of_four() -> None:
    answers: dict[int, float | None] = dict(enumerate(SR, 1))
    answers[3] = answers[5] = None  # bond: 2 of 4 answered
    result = am.score(answers, "wai-sr")
    bond = result.scales["bond"]
    assert (bond.value, bond.answered, bond.prorated, bond.status) == (
        None,
        2,
        False,
        "insufficient",
    )
    assert result.scales["total"].status == "prorated"  # 10 of 12 ≥ ceil(9)
    assert result.status == "insufficient"
    assert result.min_answered == 0.75


@pytest.mark.parametrize(
    ("rule", "bond_status"),
    [
        (3, "prorated"),
        (4, "insufficient"),
        (1, "prorated"),
        (0.75, "prorated"),
        (1.0, "insufficient"),
        (0.5, "prorated"),
        (0.76, "insufficient"),
    ],
)
def test_min_answered_int_and_float(rule: float, bond_status: str) -> None:
    answers: dict[int, float | None] = dict(enumerate(SR, 1))
    answers[9] = None  # bond 3 of 4
    result = am.score(answers, "wai-sr", min_answered=rule)
    assert result.scales["bond"].status == bond_status
    assert result.min_answered == rule
    assert type(result.min_answered) is type(rule)


def test_min_answered_one_scores_any_answer() -> None:
    answers: list[object] = [None] * 12
    answers[2] = 5
    result = am.score(answers, "wai-sr", min_answered=1)
    assert result.scales["bond"].value == 5
    assert result.scales["task"].value is None
    assert result.scales["total"].value == 5


def test_nothing_answered() -> None:
    result = am.score([None] * 12, "wai-sr")
    assert all(
        s.value is None and s.answered == 0 and s.status == "insufficient"
        for s in result.scales.values()
    )
    assert result.status == "insufficient"


def test_min_answered_larger_than_a_scale() -> None:
    with pytest.raises(
        am.InvalidParameterError,
        match=re.escape(
            "asks for 5 answered items, more than scale(s) 'task', 'bond', 'goal' of 'wai-sr' have"
        ),
    ):
        am.score(SR, "wai-sr", min_answered=5)


@pytest.mark.parametrize("rule", [0, -1, 0.0, 1.5, -0.2, True, "3", [3]])
def test_min_answered_invalid(rule: object) -> None:
    with pytest.raises(
        am.InvalidParameterError, match="The 'min_answered' parameter of score must"
    ):
        am.score(SR, "wai-sr", min_answered=rule)  # type: ignore[arg-type]


def test_instrument_missing_policy_is_used() -> None:
    strict = am.get_instrument("wai-sr").model_copy(
        update={"missing_policy": am.MissingPolicy(min_answered=4)}
    )
    answers: dict[int, float | None] = dict(enumerate(SR, 1))
    answers[3] = None
    assert am.score(answers, strict).scales["bond"].status == "insufficient"
    assert am.score(answers, strict).min_answered == 4
    assert am.score(answers, strict, min_answered=3).scales["bond"].status == "prorated"


# --- invalid responses ---------------------------------------------------------------------------


def test_invalid_response_raises_with_report() -> None:
    answers: list[object] = list(SR)
    answers[6] = 7
    answers[1] = "sometimes?"
    with pytest.raises(am.ResponseValidationError) as info:
        am.score(answers, "wai-sr")
    cases = info.value.report.failure_cases
    assert cases[["row", "column", "code"]].to_dict("records") == [
        {"row": 0, "column": "item2", "code": "not_a_number"},
        {"row": 0, "column": "item7", "code": "out_of_range"},
    ]
    assert (
        cases.loc[1, "message"]
        == "row 0, column 'item7': response must be an integer from 1 to 5. Got 7."
    )
    assert str(info.value).startswith("2 invalid cell(s) in 1 of 1 row(s): ")


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        (0, "out_of_range"),
        (6, "out_of_range"),
        (3.5, "not_on_step"),
        (float("inf"), "out_of_range"),
        ("Nie", "not_a_number"),
        ("3.5", "not_on_step"),
        ("9", "out_of_range"),
        (True, "not_a_number"),
    ],
)
def test_on_invalid_missing(bad: object, code: str) -> None:
    answers: list[object] = list(SR)
    answers[2] = bad
    with pytest.raises(am.ResponseValidationError) as info:
        am.score(answers, "wai-sr")
    assert list(info.value.report.failure_cases["code"]) == [code]
    result = am.score(answers, "wai-sr", on_invalid="missing")
    assert result.status == "invalid"
    assert result.invalid_items == ("item3",)
    bond = result.scales["bond"]
    assert (bond.answered, bond.value, bond.status) == (3, (5 + 3 + 5) / 3, "prorated")
    assert result.scales["task"].status == "ok"


def test_on_invalid_bad_value() -> None:
    with pytest.raises(
        am.InvalidParameterError,
        match=re.escape(
            "The 'on_invalid' parameter of score must be one of {'missing', 'raise'}. "
            "Got 'ignore' instead."
        ),
    ):
        am.score(SR, "wai-sr", on_invalid="ignore")


def test_srs_accepts_decimals_and_rejects_out_of_range() -> None:
    assert am.score([9.5, 8.25, 10, 0], "srs").scales["total"].value == 27.75
    with pytest.raises(am.ResponseValidationError, match=r"'goals_topics': out_of_range") as info:
        am.score([9.5, 10.5, 10, 0], "srs")
    assert "10.5" not in str(info.value)  # the summary never holds a response
    message = info.value.report.failure_cases.loc[0, "message"]
    assert message.endswith("response must be a number from 0 to 10. Got 10.5.")


@pytest.mark.parametrize("aggregate", ["avg", "total", "Mean", 1])
def test_aggregate_errors_have_house_message(aggregate: object) -> None:
    with pytest.raises(am.InvalidParameterError) as info:
        am.score(SR, "wai-sr", aggregate=aggregate)  # type: ignore[arg-type]
    assert str(info.value) == (
        "The 'aggregate' parameter of score must be one of {'mean', 'sum'}. "
        f"Got {aggregate!r} instead."
    )


def test_aggregate_error_exact_example() -> None:
    with pytest.raises(am.InvalidParameterError) as info:
        am.score(SR, "wai-sr", aggregate="avg")  # type: ignore[arg-type]
    assert (
        str(info.value)
        == "The 'aggregate' parameter of score must be one of {'mean', 'sum'}. Got 'avg' instead."
    )
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, TypeError)


# --- result object -------------------------------------------------------------------------------


def test_result_provenance() -> None:
    result = am.score(SR, "wai-sr")
    assert result.instrument_id == "wai-sr"
    assert result.instrument_version == am.get_instrument("wai-sr").version
    assert result.library_version == version("alliance-metrics") == am.__version__
    assert list(result.scales) == ["task", "bond", "goal", "total", "goal_task"]


def test_result_json_serialisation() -> None:
    answers: list[object] = list(SR)
    answers[2] = answers[4] = None
    result = am.score(answers, "wai-sr", aggregate="sum")
    data = json.loads(result.model_dump_json())
    assert data["instrument_id"] == "wai-sr"
    assert data["aggregate"] == "sum"
    assert data["status"] == "insufficient"
    assert data["scales"]["bond"] == {
        "value": None,
        "answered": 2,
        "n_items": 4,
        "prorated": False,
        "status": "insufficient",
    }
    assert data["scales"]["task"]["value"] == 14.0
    assert am.ScoreResult.model_validate_json(result.model_dump_json()) == result
    assert all(v is None or math.isfinite(v) for v in _values(result).values())


def test_result_is_frozen() -> None:
    result = am.score(SR, "wai-sr")
    with pytest.raises(Exception, match="frozen"):
        result.status = "ok"  # type: ignore[misc]


# --- provisional warning -------------------------------------------------------------------------


@pytest.mark.parametrize("instrument_id", PROVISIONAL)
def test_provisional_warning_once_per_instrument(instrument_id: str) -> None:
    inst = am.get_instrument(instrument_id)
    answers = [inst.response_scale.min] * inst.n_items
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        am.score(answers, inst)
        am.score(answers, instrument_id)
    relevant = [w for w in caught if issubclass(w.category, am.AllianceMetricsWarning)]
    assert len(relevant) == 1
    message = str(relevant[0].message)
    assert message.startswith(f"The scoring key of {instrument_id!r} is provisional: ")
    assert inst.status.reason in message  # type: ignore[operator]
    assert relevant[0].filename == __file__  # points at the caller, not the library


def test_provisional_warnings_are_per_instrument() -> None:
    with pytest.warns(am.AllianceMetricsWarning, match="'haq-ii'"):
        am.score([4] * 19, "haq-ii")
    with pytest.warns(am.AllianceMetricsWarning, match="'tasc'"):
        am.score([4] * 12, "tasc")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        am.score([4] * 19, "haq-ii")  # second time: silent


@pytest.mark.parametrize(
    "instrument_id", ["wai-sr", "wai-s", "srs", "ors", "wai-b3", "wai-c", "wai-t"]
)
def test_no_warning_for_settled_instruments(instrument_id: str) -> None:
    inst = am.get_instrument(instrument_id)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        am.score([inst.response_scale.max] * inst.n_items, inst)


def test_no_warning_when_scoring_fails() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(am.ResponseValidationError):
            am.score([9] * 19, "haq-ii")
    with pytest.warns(am.AllianceMetricsWarning):
        am.score([4] * 19, "haq-ii")


def test_quiet_helper_silences_only_provisional_warning() -> None:
    with quiet():
        am.score([4] * 19, "haq-ii")


@pytest.mark.parametrize("key", [True, 1.0])
def test_bool_and_float_keys_are_not_item_numbers(key: object) -> None:
    with pytest.raises(am.InvalidParameterError, match="does not have"):
        am.score({key: 4}, "wai-sr")  # type: ignore[dict-item]


def test_numpy_integer_keys_and_values() -> None:
    import numpy as np

    answers = {np.int64(n): np.int64(v) for n, v in enumerate(SR, 1)}
    assert am.score(answers, "wai-sr") == am.score(SR, "wai-sr")  # type: ignore[arg-type]


def test_numpy_array_and_series_responses_score_like_a_list() -> None:
    import numpy as np
    import pandas as pd

    expected = am.score([4, 4, 5], "wai-b3").scales["total"].value
    assert am.score(np.array([4, 4, 5]), "wai-b3").scales["total"].value == expected
    series = pd.Series({"item3": 5, "item1": 4, "item2": 4})
    assert am.score(series, "wai-b3").scales["total"].value == expected
    with pytest.raises(am.InvalidParameterError, match="one-dimensional"):
        am.score(np.array([[4, 4, 5]]), "wai-b3")


def test_numpy_integer_min_answered_counts_items() -> None:
    import numpy as np

    result = am.score([4, None, 5, 4, 5, 4, 4, 5, 3, 4, 5, 4], "wai-sr", min_answered=np.int64(3))
    assert result.min_answered == 3
    assert isinstance(result.min_answered, int)
    assert result.scales["task"].status == "prorated"
