"""Every AllianceMetricsWarning points at the user's line, however deep it is raised.

Filters by module and the file and line a warning shows are the caller's: the warning is
attributed to the first frame outside the package (``errors.warn_user``), through decorators,
the frames dispatch and the file pipeline alike.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
import pandas as pd
import pytest

import alliance_metrics as am
from alliance_metrics.scoring import kernel

HERE = __file__


def _caught(call: object) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()  # type: ignore[operator]
    return [w for w in caught if issubclass(w.category, am.AllianceMetricsWarning)]


def _provisional() -> am.Instrument:
    found = map(am.get_instrument, am.list_instruments())
    return next(i for i in found if i.status.level == "provisional")


@pytest.fixture(autouse=True)
def _forget_warned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kernel, "_warned", set())


def test_a_provisional_key_warns_at_the_callers_line() -> None:
    inst = _provisional()
    frame = pd.DataFrame([[inst.response_scale.min] * inst.n_items],
                         columns=[f"item{n}" for n in range(1, inst.n_items + 1)])  # fmt: skip
    calls = {
        "score_frame": lambda: am.score_frame(frame, inst, columns="item{n}"),
        "score_csv": lambda: am.score_csv(
            io.BytesIO(frame.to_csv(index=False).encode()), io.BytesIO(), inst, columns="item{n}"
        ),
    }
    for name, call in calls.items():
        kernel._warned.clear()
        found = _caught(call)
        assert found, name
        assert all(w.filename == HERE for w in found), (name, [w.filename for w in found])


def test_reliability_notes_warn_at_the_callers_line() -> None:
    rng = np.random.default_rng(0)
    items = pd.DataFrame(rng.integers(1, 6, (30, 4)), columns=["a", "b", "c", "d"])
    items["d"] = 3  # no variance: left out with a warning, as psych does
    found = _caught(
        lambda: am.reliability_report(items, "wai-b3", columns={1: "a", 2: "b", 3: "d"})
    )
    found += _caught(lambda: am.cronbach_alpha(items))
    assert found
    assert all(w.filename == HERE for w in found), [w.filename for w in found]


def test_warnings_through_the_frames_decorator_point_at_the_caller() -> None:
    pl = pytest.importorskip("polars")
    rng = np.random.default_rng(0)
    items = pl.DataFrame({"a": rng.integers(1, 6, 30), "b": rng.integers(1, 6, 30), "c": [3] * 30})
    found = _caught(lambda: am.cronbach_alpha(items))
    assert found
    assert all(w.filename == HERE for w in found), [w.filename for w in found]
