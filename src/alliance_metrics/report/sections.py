"""The sections of the report about the whole batch: the run, scales, reliability, items.

Each takes checked values and returns a :class:`~alliance_metrics.report.html.Section`; the
numbers come from the analysis functions, the figures from :mod:`alliance_metrics.plot`.
"""

from __future__ import annotations

import warnings

import pandas as pd

from alliance_metrics._version import library_version
from alliance_metrics.columns import ColumnSpec
from alliance_metrics.distributions import item_distributions, scale_distributions
from alliance_metrics.io.exports import ExportData
from alliance_metrics.plot import plot_item_distributions, plot_reliability
from alliance_metrics.plot import plot_scale_distributions as draw_scales
from alliance_metrics.psychometrics import reliability_report
from alliance_metrics.report.figures import FigureMaker
from alliance_metrics.report.html import Section, definition_list, figure, table, text
from alliance_metrics.results import ROW_STATUSES, ScoreColumns, ValidationReport
from alliance_metrics.schemas import Instrument
from alliance_metrics.scoring.request import ScoreRequest

__all__ = ["items_section", "reliability_section", "run_section", "scales_section"]


_FLAG_HEADERS = {
    "pct_floor": "% floor",
    "pct_ceiling": "% ceiling",
    "floor_flag": "floor flag",
    "ceiling_flag": "ceiling flag",
}


def _rule(request: ScoreRequest) -> str:
    needed = request.min_answered
    share = f"{needed:.0%} of" if isinstance(needed, float) else f"{needed} of"
    return (
        f"{request.aggregate} of the answered items (a sum is prorated); a scale is scored when "
        f"at least {share} its items are answered"
    )


def run_section(
    inst: Instrument,
    request: ScoreRequest,
    shown: str,
    data: ExportData,
    scored: pd.DataFrame,
    validation: ValidationReport,
) -> Section:
    """Describe the run: instrument, version, rule, library, file, rows and their statuses."""
    status = scored[ScoreColumns.for_instrument(inst, request.prefix).status]
    counts = status.value_counts().reindex(list(ROW_STATUSES), fill_value=0)
    facts = [
        ("instrument", f"{inst.name} ({inst.id})"),
        ("definition version", inst.version),
        ("status of the definition", inst.status.level),
        ("scoring rule", _rule(request)),
        ("library", f"alliance-metrics {library_version()}"),
        ("input", f"{shown} ({data.source})"),
        ("rows scored", f"{len(scored):,}"),
        ("invalid cells", f"{validation.n_invalid_cells:,} in {validation.n_rows_affected:,} rows"),
    ]
    facts += [(f"left out: {reason}", f"{n:,} rows") for reason, n in data.excluded.items()]
    statuses = pd.DataFrame(
        {
            "status": counts.index.astype(str),
            "rows": counts.to_numpy(),
            "percent": 100.0 * counts.to_numpy() / max(len(scored), 1),
        }
    )
    body = [
        definition_list(facts),
        table(statuses, caption="Rows by scoring status", digits={"percent": 1}),
        '<p class="note">ok: every scale scored from all its items; prorated: some items '
        "unanswered but enough answered; insufficient: too few answered for some scale; "
        "invalid: a cell outside the response scale (counted as unanswered).</p>",
    ]
    body += [f'<p class="note">Reader: {text(note)}</p>' for note in data.notes]
    return Section("run", "The run", "\n".join(body))


def scales_section(inst: Instrument, scored: pd.DataFrame, maker: FigureMaker) -> Section:
    """Distributions of the scale scores: a summary table and one histogram per scale."""
    found = scale_distributions(scored, inst)
    summary = found.summary
    scale_range = summary["low"].map("{:g}".format) + "–" + summary["high"].map("{:g}".format)
    shown = summary[
        [
            "scale",
            "n",
            "n_missing",
            "mean",
            "sd",
            "min",
            "q1",
            "median",
            "q3",
            "max",
            "pct_floor",
            "pct_ceiling",
            "floor_flag",
            "ceiling_flag",
        ]
    ].copy()
    shown.insert(1, "range", scale_range)
    n_scales = len(shown)
    size = (3.3 * min(3, n_scales), 2.6 * -(-n_scales // 3))
    svg = maker.draw(
        size,
        f"Histograms of the {n_scales} scale scores of {inst.short_name}",
        lambda canvas: draw_scales(found, inst, figure=canvas),
    )
    body = [
        table(
            shown,
            caption="Scale scores",
            headers={**_FLAG_HEADERS, "n_missing": "missing"},
            digits={"pct_floor": 1, "pct_ceiling": 1},
        ),
        f'<p class="note">Floor and ceiling: scores at the lowest and highest possible value; '
        f"flagged from {found.flag_percent:g} % (McHorney &amp; Tarlov 1995; Terwee et al. "
        "2007).</p>",
        figure(svg, "Distribution of each scale's scores over its possible range."),
    ]
    return Section("scales", "Scale distributions", "\n".join(body))


def reliability_section(
    inst: Instrument,
    frame: pd.DataFrame,
    columns: ColumnSpec,
    request: ScoreRequest,
    maker: FigureMaker,
) -> Section:
    """Reliability per scale: alpha with its Feldt interval, omega, SEM; table and plot.

    Warnings from the analysis (too few rows, a scale without variance) become notes on the
    page rather than lines on the console, so the reader of the report sees them.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = reliability_report(
            frame,
            inst,
            columns=columns,
            on_invalid=request.on_invalid,
            missing_values=request.missing_values,
        )
    notes = list(dict.fromkeys(str(w.message) for w in caught))
    svg = maker.draw(
        (7.0, 0.45 * len(report) + 1.8),
        f"Alpha with Feldt intervals and omega total for the scales of {inst.short_name}",
        lambda canvas: plot_reliability(report, ax=canvas.subplots()),
    )
    shown = report[
        [
            "scale",
            "n_items",
            "n",
            "alpha",
            "alpha_ci_lower",
            "alpha_ci_upper",
            "omega_total",
            "average_r",
            "sem",
            "sd",
        ]
    ]
    body = [
        table(
            shown,
            caption="Reliability in this sample (alpha: pairwise, as R psych::alpha)",
            headers={
                "alpha_ci_lower": "alpha 95 % CI low",
                "alpha_ci_upper": "alpha 95 % CI high",
                "omega_total": "omega total",
                "average_r": "mean r",
            },
        ),
        figure(svg, "Alpha (dot, with its 95 % Feldt interval) and omega total (diamond)."),
    ]
    body += [f'<p class="note">Note: {text(note)}</p>' for note in notes]
    return Section("reliability", "Reliability", "\n".join(body))


def items_section(
    inst: Instrument,
    frame: pd.DataFrame,
    columns: ColumnSpec,
    request: ScoreRequest,
    maker: FigureMaker,
) -> Section:
    """Answers per item, in form order, with floor and ceiling flags."""
    found = item_distributions(
        frame,
        inst,
        columns=columns,
        on_invalid=request.on_invalid,
        missing_values=request.missing_values,
    )
    n_items = len(found.items)
    svg = maker.draw(
        (7.5, 0.32 * n_items + 2.4),
        f"Stacked shares of the answers to each of the {n_items} items of {inst.short_name}",
        lambda canvas: plot_item_distributions(found, inst, ax=canvas.subplots()),
    )
    body = [
        table(
            found.items,
            caption="Items (as answered on the form, in form order)",
            headers={
                **_FLAG_HEADERS,
                "n_answered": "answered",
                "n_missing": "unanswered",
                "n_invalid": "invalid",
            },
            digits={"pct_floor": 1, "pct_ceiling": 1},
        ),
        figure(
            svg,
            "Share of each response per item; floor and ceiling shares at the sides, "
            f"bold from {found.flag_percent:g} %.",
        ),
    ]
    return Section("items", "Item distributions", "\n".join(body))
