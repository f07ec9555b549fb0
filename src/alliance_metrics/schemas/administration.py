"""One filled-in questionnaire, as a developer embedding the library receives it."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, Field, ValidationError

from alliance_metrics.errors import InputFormatError
from alliance_metrics.schemas._base import FROZEN, Count, InstrumentId

__all__ = ["Administration"]


class Administration(BaseModel):
    """One filled-in questionnaire: an instrument id and the answers given.

    ``responses`` maps item ids (or item numbers as strings) to a value, an anchor label, or
    ``None`` for an unanswered item. A value is kept as given — a JSON ``true`` stays a boolean,
    and scoring rejects it like any value that is not a response. ``respondent`` and ``session``
    are the caller's own identifiers; scoring echoes them in the result and never logs them.

    Examples
    --------
    >>> import alliance_metrics as am
    >>> adm = am.Administration(instrument="wai-b3", responses={"item1": 4, "item2": 5,
    ...                         "item3": "Always"})
    >>> am.score(adm).scales["total"].value
    4.666666666666667
    """

    model_config = FROZEN

    instrument: InstrumentId
    responses: Mapping[str, int | float | str | bool | None] = Field(
        description="Item id (or number as text) → value, anchor label, or null (unanswered)."
    )
    respondent: str | None = None
    session: Count | None = None

    @classmethod
    def from_json(cls, payload: str | bytes | bytearray) -> Administration:
        """Read an administration from a JSON payload, with the library's errors.

        Raises
        ------
        InputFormatError
            (code ``"input_format"``) when the payload is not JSON or does not fit the model; the
            message names each offending field, and ``error.details`` lists them as
            ``{"field": ..., "problem": ...}`` for an API response.

        Examples
        --------
        >>> import alliance_metrics as am
        >>> payload = '{"instrument": "wai-b3", "responses": {"1": 4}}'
        >>> am.Administration.from_json(payload).instrument
        'wai-b3'
        >>> try:
        ...     am.Administration.from_json('{"instrument": "WAI SR", "responses": []}')
        ... except am.InputFormatError as error:
        ...     print(error.code, [d["field"] for d in error.details])
        input_format ['instrument', 'responses']
        """
        try:
            return cls.model_validate_json(payload)
        except ValidationError as error:
            details = [
                {
                    "field": ".".join(str(p) for p in problem["loc"]) or "payload",
                    "problem": problem["msg"],
                }
                for problem in error.errors(include_input=False, include_url=False)
            ]
            text = "; ".join(f"{d['field']}: {d['problem']}" for d in details)
            failure = InputFormatError(f"The administration payload is not valid: {text}.")
            failure.details = details
            raise failure from None
        except RecursionError:
            raise InputFormatError("The administration payload is nested too deeply.") from None
