"""Define your own instrument in JSON, load it, register it and score with it.

The instrument below is invented for this example (a 4-item in-house form, 0–6 scale, one
reverse-keyed item). Run from anywhere:  python examples/custom_instrument.py
"""

import json
import tempfile
from pathlib import Path

import pandas as pd

import alliance_metrics as am

DEFINITION = {
    "id": "clinic-pulse",
    "name": "Clinic Pulse (invented example form)",
    "short_name": "Pulse",
    "version": "1.0.0",
    "rater": "client",
    "citations": [{"text": "In-house form of an example clinic; not a published instrument."}],
    "response_scale": {
        "min": 0,
        "max": 6,
        "step": 1,
        "anchors": [{"value": 0, "label": "Not at all"}, {"value": 6, "label": "Completely"}],
    },
    "items": [
        {"id": "heard", "number": 1},
        {"id": "agreed_goals", "number": 2},
        {"id": "useful_methods", "number": 3},
        {"id": "wasted_time", "number": 4, "reverse": True},
    ],
    "scales": [
        {"id": "relationship", "name": "Relationship", "items": ["heard"]},
        {
            "id": "work",
            "name": "Shared work",
            "items": ["agreed_goals", "useful_methods", "wasted_time"],
        },
        {
            "id": "total",
            "name": "Total",
            "kind": "total",
            "items": ["heard", "agreed_goals", "useful_methods", "wasted_time"],
        },
    ],
    "default_aggregate": "sum",
    # Score a scale when at least 60 % of its items are answered (2 of 3 for "work").
    "missing_policy": {"min_answered": 0.6},
    # "verified": we wrote the key ourselves. A "provisional" status (which needs a "reason")
    # makes scoring issue an AllianceMetricsWarning once per session.
    "status": {"level": "verified"},
    "licence": "Example definition; free to copy.",
}


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clinic-pulse.json"
        path.write_text(json.dumps(DEFINITION, indent=2), encoding="utf-8")
        pulse = am.load_instrument(path)  # validated against the same model as built-ins

    am.register(pulse, replace=True)  # now every function accepts the id "clinic-pulse"
    print(f"Registered {pulse.id!r}: {pulse.n_items} items, scales {[s.id for s in pulse.scales]}")

    # The item "wasted_time" is reverse-keyed: 0 + 6 − 1 = 5 enters the sum.
    result = am.score(
        {"heard": 6, "agreed_goals": 5, "useful_methods": "Completely", "wasted_time": 1},
        "clinic-pulse",
    )
    for scale_id, scale in result.scales.items():
        counts = f"{scale.answered}/{scale.n_items} answered"
        print(f"  {scale_id:<13} {scale.value:>5}  ({counts}, {scale.status})")
    print("JSON:", result.model_dump_json(include={"instrument_id", "aggregate", "status"}))

    sessions = pd.DataFrame(
        {
            "heard": [5, 6, 4],
            "agreed_goals": [4, None, 3],
            "useful_methods": [5, 6, 2],
            "wasted_time": [2, 0, 4],
        }
    )
    scored = am.score_frame(sessions, "clinic-pulse", prefix="")
    print(scored.to_string())


if __name__ == "__main__":
    main()
