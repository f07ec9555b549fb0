"""For developers embedding the library: JSON in, JSON out, errors with codes."""

from __future__ import annotations

import json

import numpy as np
import pytest

import alliance_metrics as am

GOOD = {"instrument": "wai-b3", "responses": {"1": 4, "item2": "Always", "3": None}}


def test_a_payload_scores_and_the_result_is_json() -> None:
    payload = json.dumps({**GOOD, "respondent": "p-17", "session": 3})
    result = am.score(am.Administration.from_json(payload), min_answered=1)
    out = json.loads(result.model_dump_json())
    assert (out["respondent"], out["session"], out["status"]) == ("p-17", 3, "insufficient")
    assert out["scales"]["total"]["value"] == 4.5


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ("{not json", ["payload"]),
        ('{"instrument": "wai-b3"}', ["responses"]),
        ('{"instrument": "WAI SR", "responses": {}}', ["instrument"]),
        ('{"instrument": "wai-b3", "responses": [4, 4, 4]}', ["responses"]),
        ('{"instrument": "wai-b3", "responses": {"1": [4]}}', ["responses.1.int"]),
        ('{"instrument": "wai-b3", "responses": {}, "extra": 1}', ["extra"]),
        ('{"instrument": "wai-b3", "responses": {}, "session": "three"}', ["session"]),
        ("[" * 5000 + "]" * 5000, None),
    ],
)
def test_a_bad_payload_is_a_library_error_with_a_code(
    payload: str, fields: list[str] | None
) -> None:
    with pytest.raises(am.InputFormatError) as caught:
        am.Administration.from_json(payload)
    error = caught.value
    assert error.code == "input_format"
    if fields is not None:
        assert [d["field"] for d in error.details][: len(fields)] == fields
    json.dumps(error.to_dict())  # ready for an API response


def test_a_json_true_is_rejected_as_score_rejects_true() -> None:
    adm = am.Administration.from_json(
        '{"instrument": "wai-b3", "responses": {"1": true, "2": 4, "3": 5}}'
    )
    assert adm.responses["1"] is True
    with pytest.raises(am.ResponseValidationError) as from_payload:
        am.score(adm)
    with pytest.raises(am.ResponseValidationError) as from_python:
        am.score([True, 4, 5], "wai-b3")
    assert (
        from_payload.value.report.failure_cases["code"].tolist()
        == from_python.value.report.failure_cases["code"].tolist()
        == ["not_a_number"]
    )


def test_numpy_numbers_are_kept_as_numbers() -> None:
    adm = am.Administration(
        instrument="wai-b3",
        responses={"1": np.int64(1), "2": np.float64(4.0), "3": 5},  # type: ignore[dict-item]
    )
    assert adm.responses["1"] == 1
    assert adm.responses["1"] is not True
    assert am.score(adm).scales["total"].value == pytest.approx(10 / 3)


def test_errors_are_json_with_their_details() -> None:
    with pytest.raises(am.ResponseValidationError) as caught:
        am.score({1: 9, 2: 4, 3: "x"}, "wai-b3")
    data = caught.value.to_dict()
    assert data["code"] == "invalid_responses"
    assert [c["code"] for c in data["failure_cases"]] == ["out_of_range", "not_a_number"]
    assert "9" not in data["message"]  # values only in the failure cases
    json.dumps(data)
    with pytest.raises(am.InvalidParameterError) as bad:
        am.score([4, 4, 4], "wai-b3", aggregate="avg")
    assert bad.value.to_dict() == {
        "code": "invalid_parameter",
        "message": str(bad.value),
        "parameter": "aggregate",
        "function": "score",
    }
