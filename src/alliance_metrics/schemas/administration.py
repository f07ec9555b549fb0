"""One filled-in questionnaire, as a developer embedding the library receives it."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import (
    BaseModel,
)

from alliance_metrics.schemas._base import FROZEN, InstrumentId

__all__ = ["Administration"]


class Administration(BaseModel):
    """One filled-in questionnaire: an instrument id and the answers given.

    ``responses`` maps item ids (or item numbers as strings) to a value, an anchor label, or
    ``None`` for an unanswered item. ``respondent`` and ``session`` are the caller's own
    identifiers; they are never logged.

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
    responses: Mapping[str, float | int | str | None]
    respondent: str | None = None
    session: int | None = None
