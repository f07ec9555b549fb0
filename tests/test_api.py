"""Public API surface, import-time behaviour, error hierarchy and the package's doctests."""

from __future__ import annotations

import doctest
import importlib
import io
import pkgutil
import subprocess
import sys
import textwrap
from importlib.metadata import version

import pytest

import alliance_metrics as am

REQUIRED = {
    # functions
    "list_instruments",
    "get_instrument",
    "load_instrument",
    "register",
    "score",
    "score_frame",
    "validate_frame",
    "score_csv",  # DESIGN.md lists it in the public API
    # models
    "Administration",
    "Anchor",
    "Citation",
    "Cutoff",
    "Instrument",
    "InstrumentStatus",
    "Item",
    "MissingPolicy",
    "ResponseScale",
    "Scale",
    "ScaleScore",
    "ScoreResult",
    "ValidationReport",
    # errors and codes
    "AllianceMetricsError",
    "AllianceMetricsWarning",
    "InputFormatError",
    "InstrumentError",
    "InvalidParameterError",
    "IssueCode",
    "ResponseValidationError",
    "UnknownInstrumentError",
    "__version__",
}


def test_all_is_sorted_and_unique() -> None:
    assert am.__all__ == sorted(am.__all__)
    assert len(set(am.__all__)) == len(am.__all__)


def test_all_is_complete() -> None:
    missing = REQUIRED - set(am.__all__)
    assert not missing, f"missing from __all__: {sorted(missing)}"


def test_every_public_name_is_importable() -> None:
    for name in am.__all__:
        assert getattr(am, name) is not None, name
    namespace: dict[str, object] = {}
    exec("from alliance_metrics import *", namespace)
    assert set(am.__all__) <= set(namespace)


def test_no_public_name_left_out_of_all() -> None:
    for name in am.__all__:  # load every lazy export
        getattr(am, name)
    public = {
        name
        for name, value in vars(am).items()
        if not name.startswith("_")
        and getattr(value, "__module__", "").startswith("alliance_metrics")
    }
    assert public <= set(am.__all__), sorted(public - set(am.__all__))


def test_dir_lists_the_public_api() -> None:
    assert set(am.__all__) <= set(dir(am))


def test_unknown_attribute() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        am.no_such_name  # type: ignore[attr-defined]  # noqa: B018


def test_version_comes_from_metadata() -> None:
    assert am.__version__ == version("alliance-metrics")


def _run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_import_reads_no_instrument_files_and_prints_nothing() -> None:
    proc = _run_python(
        """
        import sys

        opened = []

        def hook(event, args):
            if event == "open" and str(args[0]).endswith(".json"):
                opened.append(str(args[0]))

        sys.addaudithook(hook)
        import alliance_metrics
        from alliance_metrics.instruments import registry

        if opened:
            sys.exit(3)
        if registry._builtin is not None:
            sys.exit(4)
        alliance_metrics.get_instrument("wai-sr")
        if registry._builtin is None or not opened:
            sys.exit(5)  # the audit hook works, so the checks above mean something
        """
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


def test_plain_import_is_silent_even_with_warnings_as_errors() -> None:
    proc = subprocess.run(
        [sys.executable, "-W", "error", "-c", "import alliance_metrics"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


def test_library_does_not_print(capsys: pytest.CaptureFixture[str]) -> None:
    import pandas as pd

    am.score([4] * 12, "wai-sr")
    df = pd.DataFrame({f"wai_{n}": [4, 9] for n in range(1, 13)})
    am.validate_frame(df, "wai-sr")
    am.score_frame(df, "wai-sr", on_invalid="missing")
    with pytest.raises(am.ResponseValidationError):
        am.score_frame(df, "wai-sr")
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize(
    ("error", "bases"),
    [
        (am.AllianceMetricsError, (Exception,)),
        (am.InvalidParameterError, (am.AllianceMetricsError, ValueError, TypeError)),
        (am.InstrumentError, (am.AllianceMetricsError, ValueError)),
        (am.UnknownInstrumentError, (am.InstrumentError, LookupError, am.AllianceMetricsError)),
        (am.ResponseValidationError, (am.AllianceMetricsError, ValueError)),
        (am.InputFormatError, (am.AllianceMetricsError, ValueError)),
        (am.AllianceMetricsWarning, (UserWarning,)),
    ],
)
def test_error_hierarchy(error: type, bases: tuple[type, ...]) -> None:
    for base in bases:
        assert issubclass(error, base), (error, base)


def test_error_hierarchy_is_not_wider_than_designed() -> None:
    assert not issubclass(am.AllianceMetricsWarning, am.AllianceMetricsError)
    assert not issubclass(am.InstrumentError, LookupError)
    assert not issubclass(am.ResponseValidationError, am.InstrumentError)
    assert not issubclass(am.InputFormatError, am.InstrumentError)
    assert not issubclass(am.InvalidParameterError, am.InstrumentError)


def test_response_validation_error_carries_report() -> None:
    report = am.ValidationReport(n_rows=0)
    error = am.ResponseValidationError("bad", report)
    assert error.report is report
    assert str(error) == "bad"


def test_issue_codes() -> None:
    values = [c.value for c in am.IssueCode]
    assert {"not_a_number", "out_of_range", "not_on_step"} <= set(values)
    assert am.IssueCode.OUT_OF_RANGE == "out_of_range"


def _package_modules() -> list[str]:
    names = [am.__name__]
    for info in pkgutil.walk_packages(am.__path__, prefix=f"{am.__name__}."):
        if info.name.split(".")[-1] != "__main__":  # running it would start the CLI
            names.append(info.name)
    return sorted(names)


@pytest.mark.parametrize("module_name", _package_modules())
def test_doctests(module_name: str) -> None:
    module = importlib.import_module(module_name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    out = io.StringIO()
    for test in finder.find(module, module_name):
        runner.run(test, out=out.write)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, out.getvalue()


def test_doctests_exist_for_core_modules() -> None:
    finder = doctest.DocTestFinder(exclude_empty=True)
    for name in (
        "alliance_metrics",
        "alliance_metrics.scoring",
        "alliance_metrics.batch",
        "alliance_metrics.schemas.instrument",
        "alliance_metrics.schemas.administration",
    ):
        module = importlib.import_module(name)
        assert any(t.examples for t in finder.find(module, name)), name
