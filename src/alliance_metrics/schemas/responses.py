"""The response scale of an instrument and its labelled anchors."""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import (
    BaseModel,
    Field,
    StringConstraints,
    model_validator,
)

from alliance_metrics._text import normalize_label
from alliance_metrics.schemas._base import FROZEN, Number

MAX_BOUND = 1e6
"""Largest absolute bound of a response scale (no questionnaire comes near it)."""
MAX_STEPS = 1e6
"""Most steps a response scale may have between its bounds."""

__all__ = ["Anchor", "ResponseScale"]


class Anchor(BaseModel):
    """A labelled point of a response scale (``4`` = ``"Very Often"``).

    Examples
    --------
    >>> import alliance_metrics as am
    >>> am.get_instrument("wai-sr").response_scale.anchors[3]
    Anchor(value=4.0, label='Very Often')
    """

    model_config = FROZEN

    value: Number
    label: Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]


class ResponseScale(BaseModel):
    """The values a respondent can give to every item of an instrument.

    ``step=1`` makes an integer-coded scale (3.5 on a 1–5 scale is invalid, never rounded);
    ``step=None`` makes a continuous scale such as a visual-analogue line measured in cm.

    Examples
    --------
    >>> import alliance_metrics as am
    >>> scale = am.get_instrument("srs").response_scale
    >>> scale.min, scale.max, scale.step
    (0.0, 10.0, None)
    >>> am.ResponseScale(min=1, max=5, step=1).is_integer
    True
    """

    model_config = FROZEN

    min: Number = Field(description="Lowest valid response (also the reverse-keying bound).")
    max: Number = Field(description="Highest valid response (also the reverse-keying bound).")
    step: Number | None = Field(
        default=1.0,
        gt=0,
        description="Spacing of valid values from `min`; null for a continuous scale.",
    )
    anchors: tuple[Anchor, ...] = Field(
        default=(), description="Labelled points; labels are accepted as responses."
    )

    @model_validator(mode="after")
    def _check_consistency(self) -> ResponseScale:
        if not (math.isfinite(self.min) and math.isfinite(self.max)):
            raise ValueError("response scale bounds must be finite numbers")
        if max(abs(self.min), abs(self.max)) > MAX_BOUND:
            raise ValueError(f"response scale bounds must lie within ±{MAX_BOUND:g}")
        if self.min >= self.max:
            raise ValueError(f"response scale min ({self.min:g}) must be below max ({self.max:g})")
        if self.step is not None:
            n_steps = (self.max - self.min) / self.step
            if n_steps > MAX_STEPS:
                raise ValueError(
                    f"response scale has more than {MAX_STEPS:g} steps of {self.step:g} from "
                    f"{self.min:g} to {self.max:g}; use a larger step, or null for a continuous "
                    "scale"
                )
            if abs(n_steps - round(n_steps)) > 1e-9:
                raise ValueError(
                    f"response scale max ({self.max:g}) is not reachable from min "
                    f"({self.min:g}) in steps of {self.step:g}"
                )
        seen: dict[str, float] = {}
        for anchor in self.anchors:
            if not self.min <= anchor.value <= self.max:
                raise ValueError(
                    f"anchor {anchor.label!r} has value {anchor.value:g}, outside the scale "
                    f"{self.min:g} to {self.max:g}"
                )
            if self.step is not None:
                position = (anchor.value - self.min) / self.step
                if abs(position - round(position)) > 1e-9:
                    raise ValueError(
                        f"anchor {anchor.label!r} has value {anchor.value:g}, which is not on the "
                        f"scale's steps of {self.step:g} from {self.min:g}"
                    )
            key = normalize_label(anchor.label)
            if key in seen:
                raise ValueError(f"anchor label {anchor.label!r} is declared twice")
            seen[key] = anchor.value
        return self

    @property
    def is_integer(self) -> bool:
        """Whether valid responses are whole numbers (integer bounds and step 1)."""
        return self.step == 1.0 and float(self.min).is_integer()

    def describe(self) -> str:
        """Describe the valid responses in words, as used in error messages."""
        kind = "an integer" if self.is_integer else "a number"
        text = f"{kind} from {self.min:g} to {self.max:g}"
        if self.step is not None and not self.is_integer:
            text += f" in steps of {self.step:g}"
        return text
