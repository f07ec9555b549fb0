"""Validate a messy export, show every rejected cell, then score it anyway.

The file mixes numbers, anchor labels ("Very Often"), numeric strings with spaces, blanks and a few
invalid cells (a 7 on the 1–5 scale, a 3.5, junk text). Run from anywhere:
python examples/validate_messy.py
"""

from pathlib import Path

import pandas as pd

import alliance_metrics as am

DATA = Path(__file__).resolve().parent / "data" / "wai_sr_messy.csv"


def main() -> None:
    # dtype=str keeps every cell as written: ids keep their leading zeros ("0042") and the
    # library, not pandas, decides what counts as a valid answer. Blank cells are read as missing.
    export = pd.read_csv(DATA, dtype=str)

    report = am.validate_frame(export, "wai-sr")
    affected = f"{report.n_rows_affected} of {report.n_rows} rows"
    print(f"{report.n_invalid_cells} invalid cells in {affected}")
    print(report.failure_cases[["row", "column", "value", "code"]].to_string(index=False))
    print("\nMessages:")
    for message in report.failure_cases["message"]:
        print(" ", message)

    # The default on_invalid="raise" refuses to score data with invalid cells ...
    try:
        am.score_frame(export, "wai-sr")
    except am.ResponseValidationError as error:
        print(
            f"\nscore_frame raised ResponseValidationError ({error.report.n_invalid_cells} cells)"
        )

    # ... on_invalid="missing" treats them as unanswered and marks their rows "invalid".
    scored = am.score_frame(export, "wai-sr", on_invalid="missing")
    columns = ["ClientID", "Session", "wai_sr_total", "wai_sr_total_answered", "wai_sr_status"]
    print("\nScored with on_invalid='missing':")
    print(scored[columns].round(2).to_string(index=False))


if __name__ == "__main__":
    main()
