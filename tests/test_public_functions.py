"""Every public function names itself and the parameter when given a bad argument.

Modelled on scikit-learn's ``test_public_functions``: for each public function of ``am.__all__``
that takes an instrument or an enumerated option, a table gives one valid call and bad values
for each such parameter; the error must be an ``InvalidParameterError`` whose ``function`` and
``parameter`` attributes, and message, name them.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import alliance_metrics as am

B3 = pd.DataFrame({"wai_1": [4, 5, 3, 4], "wai_2": [4, 4, 3, 2], "wai_3": [5, 5, 3, 1]})
ITEMS = B3.to_numpy(dtype=float)
BAD_INSTRUMENTS = [42, None, [], ["wai-b3", "wai-b3"], [42], "no-such-instrument"]
SERIES = pd.DataFrame(
    {"client_id": ["a"] * 6, "session": range(1, 7), "score": [4.0, 4.5, 4.0, 2.0, 2.5, 2.0]}
)
SRS_SERIES = SERIES.assign(score=[38.0, 39.2, 38.1, 35.0, None, 37.5])
DYADS = pd.DataFrame(
    {
        "outcome": np.linspace(1, 3, 12) ** 2 % 5,
        "c": np.tile([4.0, 5.0, 3.0, 4.5], 3),
        "t": np.repeat([3.0, 4.0, 5.0], 4),
    }
)
WIDE = pd.DataFrame({"pre": [3.0, 4.0, 2.5, 3.5], "post": [4.0, 4.5, 2.0, 3.5]})
BAD_CHOICE = ["nonsense", 1, True, None]
# keys: one sign per item (ITEMS has 3) or {item: sign}; bounds: (min, max), min < max, finite
BAD_KEYS = [[1, -1], [1, 2, 1], [True, 1, 1], "b", 1, {"nope": -1}, {0: 2}]
BAD_BOUNDS = [(1,), (5, 1), (3, 3), "1-5", 5, (1, float("nan")), (True, 5), {"min": 1}]


def _csv(tmp: Path) -> Path:
    path = tmp / "in.csv"
    if not path.exists():
        B3.to_csv(path, index=False)
    return path


# function name → (valid positional args builder, valid kwargs, {parameter: bad values})
CASES: dict[str, tuple[Callable[[Path], tuple[Any, ...]], dict[str, Any], dict[str, list[Any]]]]
CASES = {
    "score": (
        lambda t: ([4, 4, 5],),
        {"instrument": "wai-b3"},
        {
            "instrument": [42, ["wai-b3"], "no-such-instrument"],
            "aggregate": BAD_CHOICE[:3],
            "min_answered": [0, 1.5, "1", True, float("nan")],
            "on_invalid": BAD_CHOICE,
            "responses": [4, "444", b"444", [1, 2]],
        },
    ),
    "score_frame": (
        lambda t: (B3,),
        {"instrument": "wai-b3"},
        {
            "instrument": BAD_INSTRUMENTS,
            "aggregate": BAD_CHOICE[:3],
            "min_answered": [0, 2.5, "all"],
            "on_invalid": BAD_CHOICE,
            "prefix": [3, b"x"],
            "columns": [3, ["wai_1"], "wai_{x}", "wai_{n.x}", "wai_{n[0]}", "wai"],
            "row_offset": [-1, 0.5, "1"],
            "df": [ITEMS, None],
        },
    ),
    "validate_frame": (
        lambda t: (B3,),
        {"instrument": "wai-b3"},
        {"instrument": BAD_INSTRUMENTS, "columns": [3], "row_offset": [-3], "df": [[1, 2]]},
    ),
    "score_csv": (
        lambda t: (_csv(t), t / "out.csv"),
        {"instrument": "wai-b3"},
        {
            "instrument": BAD_INSTRUMENTS,
            "aggregate": BAD_CHOICE[:3],
            "min_answered": [0],
            "on_invalid": BAD_CHOICE,
            "output_format": ["xlsx", None],
            "source_format": ["excel", None],
            "coding": ["tick", None],
            "encoding": ["no-such-codec", "utf-16", "UTF_32_LE", 8],
            "delimiter": ["ab", '"', "\n", 1],
            "precision": [-1, 18, 99999999999, 2.5, "2", True],
            "missing_values": ["-99", 99, [None]],
            "sanitize": ["yes", 1],
            "include_previews": ["yes"],
            "use_import_ids": [1],
            "id_columns": [3, [1]],
            "prefix": [3],
            "progress": ["bar"],
            "destination": [3],
            "errors": [3],
            "source": [3, None],
        },
    ),
    "validate_csv": (
        lambda t: (_csv(t),),
        {"instrument": "wai-b3"},
        {
            "instrument": BAD_INSTRUMENTS,
            "source_format": ["excel"],
            "coding": ["tick"],
            "encoding": ["utf_16"],
            "delimiter": ["ab"],
            "missing_values": ["-99"],
        },
    ),
    "reliability_report": (
        lambda t: (pd.concat([B3] * 3, ignore_index=True),),
        {"instrument": "wai-b3"},
        {
            "instrument": BAD_INSTRUMENTS,
            "nan_policy": BAD_CHOICE,
            "ci": [0, 1, 1.5, "0.95", True],
            "aggregate": BAD_CHOICE[:3],
            "min_answered": [0],
            "on_invalid": BAD_CHOICE,
            "missing_values": ["-99"],
            "df": [ITEMS],
        },
    ),
    "item_statistics": (
        lambda t: (pd.concat([B3] * 3, ignore_index=True),),
        {"instrument": "wai-b3"},
        {
            "instrument": [42, ["wai-sr"], "no-such-instrument"],  # None: a plain item frame
            "nan_policy": BAD_CHOICE,
            "on_invalid": BAD_CHOICE,
            "keys": [[1, -1, 1], {"wai_1": -1}],  # with an instrument, its key decides
            "bounds": [(1, 5)],
        },
    ),
    "cronbach_alpha": (
        lambda t: (ITEMS,),
        {},
        {
            "nan_policy": BAD_CHOICE,
            "ci": [0, 1, "x"],
            "keys": BAD_KEYS,
            "bounds": BAD_BOUNDS,
        },
    ),
    "omega_total": (
        lambda t: (ITEMS,),
        {},
        {"nan_policy": BAD_CHOICE, "keys": BAD_KEYS, "bounds": BAD_BOUNDS},
    ),
    "icc": (lambda t: (ITEMS,), {}, {"ci": [0, 2, "x"]}),
    "apply_position_coding": (
        lambda t: (B3,),
        {"instrument": "wai-b3"},
        {"instrument": BAD_INSTRUMENTS, "frame": [ITEMS]},
    ),
    "get_instrument": (lambda t: (), {"instrument_id": "wai-b3"}, {"instrument_id": [42, "nope"]}),
    "sudden_changes": (
        lambda t: (SERIES,),
        {"score": "score", "cutoff": 1.0},
        {
            "direction": BAD_CHOICE,
            "compat": BAD_CHOICE,
            "cutoff": [-1, "7", True, float("nan")],
            "alpha": [0, 1, "0.05"],
            "stability": ["yes", 1],
            "score": ["absent", 3],
            "data": [ITEMS],
        },
    ),
    "sudden_change_events": (
        lambda t: (SERIES,),
        {"score": "score", "cutoff": 1.0},
        {"direction": BAD_CHOICE, "compat": BAD_CHOICE, "reversal_from": [1, 4, "2"]},
    ),
    "reliable_change": (
        lambda t: (WIDE,),
        {"pre": "pre", "post": "post", "reliability": 0.8},
        {
            "sd_source": BAD_CHOICE,
            "boundary": BAD_CHOICE,
            "reliability": [1.5, -0.1, "0.8"],
            "instrument": [42, "no-such-instrument"],
        },
    ),
    "session_alerts": (
        lambda t: (SRS_SERIES,),
        {"instrument": "srs", "score": "score"},
        {
            "instrument": [42, "no-such-instrument", ["srs"]],
            "cutoff": ["no-such-cutoff", True, float("inf")],
            "drop_points": [-1, "1", True],
            "score": ["absent"],
        },
    ),
    "detect_ruptures": (
        lambda t: (SERIES,),
        {"score": "score"},
        {
            "sd_source": BAD_CHOICE,
            "baseline": BAD_CHOICE,
            "k": [0, -1, (), (1, 1), "2", True],
            "max_gap": [-1, 1.5, True],
            "repair_window": [0],
            "min_sessions": [1],
            "sample_sd": [0, "1"],
            "threshold_points": [-2],
        },
    ),
    "rupture_summary": (
        lambda t: (SERIES,),
        {"score": "score"},
        {"sd_source": BAD_CHOICE, "baseline": BAD_CHOICE},
    ),
    "decompose": (lambda t: (SERIES,), {"score": "score"}, {"detrend": ["yes", 1]}),
    "trajectory_features": (
        lambda t: (SERIES,),
        {"score": "score"},
        {"early_session": [-1, 2.5, "3"]},
    ),
    "response_surface": (
        lambda t: (DYADS,),
        {"outcome": "outcome", "client_score": "c", "therapist_score": "t"},
        {"center": ["middle", True], "outcome": ["absent"]},
    ),
    "item_distributions": (
        lambda t: (B3,),
        {"instrument": "wai-b3"},
        {
            "instrument": BAD_INSTRUMENTS,
            "on_invalid": BAD_CHOICE,
            "bins": [0, 2.5, True],
            "flag_percent": [-1, 101, "15"],
            "missing_values": ["-99"],
            "df": [ITEMS],
        },
    ),
    "scale_distributions": (
        lambda t: (am.score_frame(B3, "wai-b3"),),
        {"instrument": "wai-b3"},
        {
            "instrument": BAD_INSTRUMENTS,
            "aggregate": BAD_CHOICE[:3],
            "prefix": [3],
            "flag_percent": [101],
            "scored": [ITEMS],
        },
    ),
    "build_report": (
        lambda t: (_csv(t),),
        {"instrument": "wai-b3", "output": None},
        {
            "instrument": BAD_INSTRUMENTS,
            "on_invalid": BAD_CHOICE,
            "source_format": ["excel"],
            "encoding": ["utf-16"],
            "delimiter": ["ab"],
            "missing_values": ["-99"],
            "ids": ["no", 0],
            "scale": ["goal_task", 3],
            "cutoff": ["36", True],
            "drop_points": [0, -1, "1"],
            "max_trajectories": [-1, 1.5],
            "max_clients": [-1],
            "seed": [-1, "0"],
            "output": [3],
            "source": [3, None],
        },
    ),
    "clinical_significance": (
        lambda t: (WIDE,),
        {"pre": "pre", "post": "post", "reliability": 0.8, "cutoff": 3.0},
        {"cutoff": ["d", True], "sd_source": BAD_CHOICE, "instrument": [42, "nope"]},
    ),
}


def _calls() -> list[tuple[str, str, Any]]:
    return [
        (name, parameter, bad)
        for name, (_, _, bad_values) in CASES.items()
        for parameter, values in bad_values.items()
        for bad in values
    ]


@pytest.mark.parametrize(("name", "parameter", "bad"), _calls(), ids=str)
def test_bad_value_names_function_and_parameter(
    name: str, parameter: str, bad: Any, tmp_path: Path
) -> None:
    make_args, kwargs, _ = CASES[name]
    function = getattr(am, name)
    signature = inspect.signature(function)
    bound = signature.bind_partial(*make_args(tmp_path), **kwargs)
    bound.arguments[parameter] = bad
    with pytest.raises(am.InvalidParameterError) as caught:
        function(*bound.args, **bound.kwargs)
    error = caught.value
    assert (error.function, error.parameter) == (name, parameter), str(error)
    assert f"{parameter!r} parameter of {name}" in str(error)
    assert sorted(p.name for p in tmp_path.iterdir()) in ([], ["in.csv"])  # nothing written


@pytest.mark.parametrize("name", sorted(CASES))
def test_valid_call_of_the_table_succeeds(name: str, tmp_path: Path) -> None:
    make_args, kwargs, _ = CASES[name]
    getattr(am, name)(*make_args(tmp_path), **kwargs)


def test_every_public_function_with_an_instrument_or_choice_is_in_the_table() -> None:
    watched = {"instrument", "aggregate", "on_invalid", "nan_policy", "coding", "source_format"}
    missing = []
    for name in am.__all__:
        value = getattr(am, name)
        if not inspect.isfunction(value):
            continue
        parameters = set(inspect.signature(value).parameters)
        if parameters & watched and name not in CASES and name not in _EXEMPT:
            missing.append(name)
    assert not missing, f"add these public functions to CASES: {missing}"


_EXEMPT: dict[str, str] = {
    "read_redcap": "reader; its options are checked in tests/test_io_redcap.py",
    "read_qualtrics": "reader; its options are checked in tests/test_io_qualtrics.py",
    "read_spss": "reader; needs a .sav file (tests/test_io_spss.py)",
    "register": "takes an Instrument object, not an id",
}


def test_table_parameters_exist() -> None:
    for name, (_, kwargs, bad_values) in CASES.items():
        parameters = set(inspect.signature(getattr(am, name)).parameters)
        assert set(kwargs) | set(bad_values) <= parameters, name
    assert np.isfinite(ITEMS).all()


# score_files (alliance_metrics.dask, extra [dask]): every argument is checked before anything is
# read, written or connected to, so the bad values below need no cluster.
SCORE_FILES_BAD: dict[str, list[Any]] = {
    "sources": [123, None, [1], b"x.csv"],
    "destination": [3, None, b"out", ["out"]],
    "instrument": BAD_INSTRUMENTS,
    "client": ["x", 3, True],
    "scheduler": [3, "nonsense", "", "http://[::1", "tcp://host:port"],
    "workers": [True, 0, -1, 1.5, "2"],
    "output_format": ["xlsx", 5, None],
    "on_invalid": BAD_CHOICE,
    "errors": [3],
    "aggregate": BAD_CHOICE[:3],
    "min_answered": [0, "all"],
    "prefix": [3],
}


@pytest.mark.parametrize(
    ("parameter", "bad"),
    [(parameter, bad) for parameter, values in SCORE_FILES_BAD.items() for bad in values],
    ids=str,
)
def test_score_files_names_itself_and_the_parameter(
    parameter: str, bad: Any, tmp_path: Path
) -> None:
    pytest.importorskip("distributed")
    from alliance_metrics.dask import score_files

    arguments: dict[str, Any] = {
        "sources": str(_csv(tmp_path)),
        "destination": tmp_path / "out",
        "instrument": "wai-b3",
        "workers": 1,
    }
    if parameter in ("client", "scheduler"):
        del arguments["workers"]
    arguments[parameter] = bad
    with pytest.raises(am.InvalidParameterError) as caught:
        score_files(**arguments)
    error = caught.value
    assert (error.function, error.parameter) == ("score_files", parameter), str(error)
    assert f"{parameter!r} parameter of score_files" in str(error)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]  # nothing written


def test_score_files_where_it_computes_is_given_once(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    from alliance_metrics.dask import score_files

    with (
        distributed.LocalCluster(
            n_workers=1, processes=False, threads_per_worker=1, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster, set_as_default=False) as client,
    ):
        common = {"sources": str(_csv(tmp_path)), "instrument": "wai-b3", "client": client}
        for parameter, value in (("scheduler", cluster.scheduler_address), ("workers", 2)):
            with pytest.raises(am.InvalidParameterError, match="left out when a client is given"):
                score_files(destination=tmp_path / "out", **common, **{parameter: value})
        summary = score_files(destination=tmp_path / "out", **common)
    assert summary.rows == len(B3)
