"""Score the synthetic WAI-SR example with pandas and summarise alliance by session.

Run from anywhere:  python examples/score_dataframe.py
"""

from pathlib import Path

import pandas as pd

import alliance_metrics as am

DATA = Path(__file__).resolve().parent / "data" / "wai_sr_example.csv"
SCALES = ["wai_sr_task", "wai_sr_bond", "wai_sr_goal", "wai_sr_total"]


def main() -> None:
    # Read ids as text so that leading zeros survive.
    responses = pd.read_csv(DATA, dtype={"client_id": str, "therapist_id": str})

    # Item columns wai_1 … wai_12 are found automatically; scores are means (the default).
    scored = am.score_frame(responses, "wai-sr")

    n_clients = responses["client_id"].nunique()
    print(f"Scored {len(scored)} administrations of WAI-SR ({n_clients} clients)")
    print("\nRow status:")
    print(scored["wai_sr_status"].value_counts().to_string())

    print("\nMean scores by session (1–5 scale):")
    by_session = scored.groupby("session")[SCALES].mean().round(2)
    print(by_session.to_string())

    print("\nSum scores (12–60) for the first client:")
    sums = am.score_frame(responses, "wai-sr", aggregate="sum", prefix="sum_")
    first = sums[sums["client_id"] == "C0001"]
    print(
        first[["client_id", "session", "sum_total", "sum_total_answered", "sum_status"]].to_string(
            index=False
        )
    )


if __name__ == "__main__":
    main()
