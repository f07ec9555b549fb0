"""Every script in examples/ runs from an unrelated working directory and exits 0."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SCRIPTS = sorted(EXAMPLES.glob("*.py"))

# Text each script must print (a script without an entry only has to exit 0).
EXPECTED: dict[str, list[str]] = {
    "score_dataframe.py": [
        "Scored 240 administrations of WAI-SR (40 clients)",
        "Mean scores by session",
        "wai_sr_total",
        "C0001",
    ],
    "validate_messy.py": [
        "4 invalid cells in 4 of 12 rows",
        "out_of_range",
        "not_on_step",
        "not_a_number",
        "row 5, column 'WAI_04': response must be an integer from 1 to 5. Got 7.",
        "score_frame raised ResponseValidationError (4 cells)",
        "0042",
        "invalid",
    ],
    "custom_instrument.py": [
        "Registered 'clinic-pulse': 4 items",
        "22.0  (4/4 answered, ok)",
        '"instrument_id":"clinic-pulse"',
        "prorated",
    ],
}


def test_examples_exist() -> None:
    assert {p.name for p in SCRIPTS} >= set(EXPECTED)


@pytest.mark.slow
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_example_runs(script: Path, tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-W", "error", str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "Traceback" not in completed.stderr
    for text in EXPECTED.get(script.name, []):
        assert text in completed.stdout, f"{text!r} not in output of {script.name}"
    assert list(tmp_path.iterdir()) == [], "examples must not write into the working directory"
