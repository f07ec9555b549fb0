"""Ready for workers: everything a worker process may receive or raise survives pickling, plans
are found again by content, and chunked scoring reports rows by their place in the whole input."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

import alliance_metrics as am
from alliance_metrics.scoring import compile_instrument
from alliance_metrics.scoring.request import ScoreRequest

B3 = pd.DataFrame({"id": ["a", "b", "c", "d"], "wai_1": [4, 9, 5, "x"], "wai_2": [4, 4, 3, 2],
                   "wai_3": [5, 5, 3.5, 1]})  # fmt: skip


def _round_trip(value: object) -> object:
    return pickle.loads(pickle.dumps(value))


def test_response_validation_error_and_its_report_pickle() -> None:
    with pytest.raises(am.ResponseValidationError) as caught:
        am.score_frame(B3, "wai-b3")
    copy = _round_trip(caught.value)
    assert isinstance(copy, am.ResponseValidationError)
    assert str(copy) == str(caught.value)
    pd.testing.assert_frame_equal(copy.report.failure_cases, caught.value.report.failure_cases)
    assert copy.report.n_rows == 4


@pytest.mark.parametrize(
    "error",
    [
        am.InvalidParameterError("bad", parameter="aggregate", function="score_frame"),
        am.UnknownInstrumentError("no such", parameter="instrument", function="score"),
        am.InstrumentError("broken"),
        am.InputFormatError("unreadable"),
        am.MissingDependencyError("pip install x"),
        am.AllianceMetricsError("base"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_every_error_pickles_with_its_attributes(error: am.AllianceMetricsError) -> None:
    copy = _round_trip(error)
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert vars(copy) == vars(error)
    assert copy.code == error.code


def test_truncated_report_pickles_with_its_counts() -> None:
    cases = am.validate_frame(B3, "wai-b3").failure_cases.head(1)
    report = am.ValidationReport(4, cases, n_invalid_cells=3, n_rows_affected=3)
    copy = _round_trip(report)
    assert (copy.n_invalid_cells, copy.n_rows_affected, copy.truncated) == (3, 3, True)
    with pytest.raises(AttributeError):
        copy.n_rows = 5  # type: ignore[misc]


def test_request_pickles_and_keeps_a_user_defined_instrument() -> None:
    mine = am.get_instrument("wai-b3").model_copy(update={"id": "my-b3"})
    request = ScoreRequest.resolve("score_frame", mine, aggregate="sum", min_answered=1)
    copy = _round_trip(request)
    assert copy == request
    assert copy.instrument.id == "my-b3"  # shipped whole: no registry lookup on the worker
    assert copy.required.tolist() == request.required.tolist()


def test_plan_cache_is_keyed_by_content_not_identity() -> None:
    instrument = am.get_instrument("wai-s")
    plan = compile_instrument(instrument)
    copy = _round_trip(instrument)
    assert copy is not instrument
    assert compile_instrument(copy) is plan  # an unpickled instrument finds its plan
    changed = instrument.model_copy(
        update={"items": tuple(i.model_copy(update={"reverse": False}) for i in instrument.items)}
    )
    assert changed.fingerprint != instrument.fingerprint
    assert not compile_instrument(changed).reverse.any()  # a changed key gets its own plan


def test_row_offset_reports_rows_in_the_whole_input() -> None:
    whole = am.validate_frame(B3, "wai-b3").failure_cases
    parts = [
        am.validate_frame(B3.iloc[start : start + 2], "wai-b3", row_offset=start).failure_cases
        for start in (0, 2)
    ]
    pd.testing.assert_frame_equal(pd.concat(parts, ignore_index=True), whole)
    assert whole["row"].tolist() == [1, 2, 3]
    assert whole["message"].str.startswith(("row 1,", "row 2,", "row 3,")).all()
    with pytest.raises(am.ResponseValidationError) as caught:
        am.score_frame(B3.iloc[2:], "wai-b3", row_offset=2)
    assert caught.value.report.failure_cases["row"].tolist() == [2, 3]


def test_chunked_scoring_equals_whole_scoring() -> None:
    whole = am.score_frame(B3, "wai-b3", on_invalid="missing")
    parts = pd.concat(
        [
            am.score_frame(B3.iloc[s : s + 1], "wai-b3", on_invalid="missing", row_offset=s)
            for s in range(len(B3))
        ]
    )
    parts["wai_b3_status"] = parts["wai_b3_status"].astype(whole["wai_b3_status"].dtype)
    pd.testing.assert_frame_equal(parts, whole)


@pytest.mark.parametrize("offset", [-1, 1.5, "2", True, None])
def test_row_offset_must_be_a_whole_number(offset: object) -> None:
    with pytest.raises(am.InvalidParameterError, match="'row_offset' parameter of score_frame"):
        am.score_frame(B3, "wai-b3", row_offset=offset)  # type: ignore[arg-type]


def test_scores_of_a_worker_are_those_of_the_caller() -> None:
    """What a worker does: unpickle the request and the data, score, send the result back."""
    request = ScoreRequest.resolve("score_frame", "wai-b3", on_invalid="missing")
    from alliance_metrics.batch import score_with_report

    payload = pickle.dumps((request, B3))
    worker_request, worker_frame = pickle.loads(payload)
    scored, report = pickle.loads(
        pickle.dumps(score_with_report(worker_frame, worker_request, None))
    )
    expected = am.score_frame(B3, "wai-b3", on_invalid="missing")
    pd.testing.assert_frame_equal(scored, expected)
    assert report.n_invalid_cells == 3
    assert np.isfinite(scored["wai_b3_total"]).sum() == 1  # rows 1-3 lose an item each
