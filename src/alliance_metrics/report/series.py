"""The session-series section of the report: alerts, ruptures per client, trajectories.

Tables are capped (:data:`MAX_ALERT_ROWS`, :data:`MAX_CLIENT_ROWS`) and so are the pictures
(``max_trajectories`` flagged clients, ``max_clients`` lines in the spaghetti plot), so a
report on a million administrations stays a page one can read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from alliance_metrics.longitudinal.alerts import session_alerts
from alliance_metrics.longitudinal.ruptures import detect_ruptures, rupture_summary
from alliance_metrics.plot import plot_trajectories, plot_trajectory
from alliance_metrics.report.figures import FigureMaker
from alliance_metrics.report.html import Section, definition_list, figure, table, text
from alliance_metrics.report.options import ReportOptions
from alliance_metrics.schemas import Instrument

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["MAX_ALERT_ROWS", "MAX_CLIENT_ROWS", "flagged_clients", "series_section"]

MAX_ALERT_ROWS = 100
"""Most alert rows shown (the count of all is given)."""
MAX_CLIENT_ROWS = 50
"""Most clients shown in the table of ruptures and alerts per client."""


def _alert_rule(options: ReportOptions) -> tuple[Instrument | None, float | None, str]:
    """Choose the instrument and cut-off for ``session_alerts``, and say how the page names them."""
    inst = options.instrument
    if options.cutoff is not None:
        return inst, options.cutoff, f"below {options.cutoff:g}"
    below = [c for c in inst.cutoffs if c.direction == "below" and c.kind == "published"]
    if below and below[0].scale == options.scale and below[0].aggregate == inst.default_aggregate:
        return inst, None, f"below {below[0].value:g} (published cut-off {below[0].id!r})"
    return None, None, "none (no published cut-off of this scale: only drops alert)"


def flagged_clients(courses: pd.DataFrame, alerts: pd.DataFrame, client: Any) -> pd.DataFrame:
    """Clients with a rupture or an alert, most severe first.

    Severity: unrepaired ruptures, then ruptures, then alerts (all descending); ties keep the
    order of the client keys.

    Examples
    --------
    >>> import pandas as pd
    >>> courses = pd.DataFrame({"c": ["a", "b", "d"], "n_ruptures": [1, 2, 0],
    ...                         "n_unrepaired": [0, 0, 0]})
    >>> alerts = pd.DataFrame({"c": ["a", "b", "d", "d"],
    ...                        "alert": pd.array([True, False, True, None], dtype="boolean")})
    >>> flagged_clients(courses, alerts, "c")[["c", "n_ruptures", "n_alerts"]]
       c  n_ruptures  n_alerts
    1  b           2         0
    0  a           1         1
    2  d           0         1
    """
    counts = alerts.groupby(client, sort=False, observed=True)["alert"].sum()
    merged = courses.assign(n_alerts=courses[client].map(counts).fillna(0).to_numpy(dtype=np.int64))
    flagged = merged.loc[(merged["n_ruptures"] > 0) | (merged["n_alerts"] > 0)]
    return flagged.sort_values(
        ["n_unrepaired", "n_ruptures", "n_alerts"], ascending=False, kind="mergesort"
    )


def _numbers(values: list[float]) -> str:
    return " or ".join(f"{v:g}" for v in values)


def _overview(
    options: ReportOptions,
    data: pd.DataFrame,
    alerts: pd.DataFrame,
    ruptures: pd.DataFrame,
    flagged: pd.DataFrame,
    rule: str,
) -> str:
    settings: dict[str, Any] = ruptures.attrs.get("alliance_metrics", {})
    facts = [
        ("scale", options.scale),
        ("clients", f"{data[options.client].nunique():,}"),
        ("administrations", f"{len(data):,}"),
        ("alert: low score", rule),
        ("alert: drop from the previous session", f"{options.drop_points:g} points or more"),
        (
            "rupture rule (provisional)",
            f"drop of {_numbers(settings['k'])} × the client's SD "
            f"({settings['sd_source']}) below the {settings['baseline']} score; repaired "
            f"within {settings['repair_window']} sessions; clients with ≥ "
            f"{settings['min_sessions']} scores",
        ),
        ("alerts", f"{int(alerts['alert'].sum()):,}"),
        ("ruptures", f"{len(ruptures):,}"),
        ("clients with a rupture or an alert", f"{len(flagged):,}"),
    ]
    return definition_list(facts)


def series_section(
    options: ReportOptions, scored: pd.DataFrame, score: str, maker: FigureMaker
) -> Section:
    """Alerts, ruptures per client, the spaghetti plot and the flagged clients' trajectories."""
    client: Any = options.client
    session: Any = options.session
    data = scored[[client, session, score]]
    instrument, cutoff, rule = _alert_rule(options)
    names: dict[str, Any] = {"score": score, "client": client, "session": session}
    alerts = session_alerts(
        data, instrument, cutoff=cutoff, drop_points=options.drop_points, **names
    )
    ruptures = detect_ruptures(data, **names)
    courses = rupture_summary(data, **names)
    flagged = flagged_clients(courses, alerts, client)
    shown_alerts = alerts.loc[alerts["alert"].fillna(False).astype(bool)]
    shown_alerts = shown_alerts.sort_values([client, session], kind="mergesort")
    columns = [client, session, score, "change", "below_cutoff", "drop_from_last"]
    per_client = flagged[
        [
            client,
            "n_sessions",
            "n_ruptures",
            "n_repaired",
            "n_unrepaired",
            "n_censored",
            "course",
            "n_alerts",
        ]
    ]
    inst = options.instrument
    common: dict[str, Any] = {"instrument": inst, "scale": options.scale}
    spaghetti = maker.draw(
        (7.0, 3.8),
        f"Trajectories of {options.scale} scores with the mean and its 95 % interval",
        lambda canvas: plot_trajectories(
            data,
            max_clients=options.max_clients,
            seed=options.seed,
            ax=canvas.subplots(),
            **names,
            **common,
        ),
    )
    body = [
        _overview(options, data, alerts, ruptures, flagged, rule),
        figure(
            spaghetti,
            "Each thin line is one client (gaps: sessions without a score); the "
            "thick line is the mean of the clients attending each session.",
        ),
        f"<h3>Alerts ({len(shown_alerts):,})</h3>",
        _capped(shown_alerts[columns], MAX_ALERT_ROWS, "Alerts, by client and session", "alerts")
        if len(shown_alerts)
        else '<p class="note">No session alerts.</p>',
        f"<h3>Ruptures and alerts per client ({len(flagged):,} clients)</h3>",
        _capped(
            per_client,
            MAX_CLIENT_ROWS,
            "Clients with a rupture or an alert, most severe first",
            "clients",
        ),
        "<h3>Trajectories of the flagged clients</h3>",
    ]
    chosen = flagged[client].head(options.max_trajectories).tolist()
    for key in chosen:  # at most max_trajectories pictures

        def draw_client(canvas: Figure, key: object = key) -> None:
            plot_trajectory(
                data,
                key,
                ruptures=ruptures,
                alerts=alerts,
                cutoff=cutoff,
                ax=canvas.subplots(),
                **names,
                **common,
            )

        svg = maker.draw((7.0, 3.2), f"Trajectory of client {key}", draw_client)
        body.append(figure(svg, f"Client {key}: ▼ rupture, ▲ repair, ○ alert, × no score."))
    if len(flagged) > len(chosen):
        body.append(
            f'<p class="note">{len(flagged) - len(chosen):,} more flagged clients are '
            "not drawn (see the table above).</p>"
        )
    if not len(flagged):
        body.append('<p class="note">No client has a rupture or an alert.</p>')
    return Section("series", "Session series", "\n".join(body))


def _capped(frame: pd.DataFrame, limit: int, caption: str, noun: str) -> str:
    shown = table(
        frame.head(limit),
        caption=caption,
        headers={"below_cutoff": "below cut-off", "drop_from_last": "drop"},
    )
    if len(frame) > limit:
        shown += f'\n<p class="note">First {limit} of {len(frame):,} {text(noun)} shown.</p>'
    return shown
