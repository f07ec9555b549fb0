"""The instrument catalogue: one page per registered instrument, from the registry alone.

A page shows what the definition holds — the key table by scale, reversed items, the response
scale and its anchors, cut-offs with their kind, the reliable-change value, the status and its
reason, citations, the licence note and items taken from other instruments — and never item
wording (the registry has none: it is copyrighted). The site's ``instruments.md`` is the page
``docs/_make_instrument_table.py`` writes, with each id linked to its page here.
``tests/test_docs_site.py`` parses the key tables back and compares them with the registry.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import alliance_metrics as am

DOCS = Path(__file__).resolve().parents[1]
KEY_HEADER = "| scale | id | kind | items | reversed items | n items |"


def _table_script() -> ModuleType:
    path = DOCS / "_make_instrument_table.py"
    spec = importlib.util.spec_from_file_location("_make_instrument_table", path)
    if spec is None or spec.loader is None:  # pragma: no cover - the file is in the repository
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _number(value: float) -> str:
    return f"{value:g}"


def _numbers(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers) or "none"


def page_path(instrument_id: str) -> str:
    """Where the page of an instrument is, under docs/."""
    return f"instruments/{instrument_id}.md"


def _key_table(inst: am.Instrument) -> list[str]:
    by_id = {item.id: item for item in inst.items}
    lines = [KEY_HEADER, "|---|---|---|---|---|---|"]
    for scale in inst.scales:
        items = [by_id[i] for i in scale.items]
        cells = [
            scale.name,
            f"`{scale.id}`",
            scale.kind,
            _numbers([i.number for i in items]),
            _numbers([i.number for i in items if i.reverse]),
            str(len(items)),
        ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return lines


def _item_table(inst: am.Instrument) -> list[str]:
    scales_of: dict[str, list[str]] = {item.id: [] for item in inst.items}
    for scale in inst.scales:
        for item_id in scale.items:
            scales_of[item_id].append(f"`{scale.id}`")
    lines = [
        "| number | id | scales | reversed | printed on the form | taken from |",
        "|---|---|---|---|---|---|",
    ]
    for item in inst.items:
        origin = f"`{item.origin.instrument}` item {item.origin.number}" if item.origin else ""
        cells = [
            str(item.number),
            f"`{item.id}`",
            ", ".join(scales_of[item.id]),
            "yes" if item.reverse else "",
            item.printed_order,
            origin,
        ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return lines


def _response_scale(inst: am.Instrument) -> list[str]:
    scale = inst.response_scale
    if scale.step is None:
        kind = "continuous (any value within the bounds)"
    elif scale.is_integer:
        kind = "integers (3.5 on a 1–5 scale is invalid, never rounded)"
    else:
        kind = f"steps of {_number(scale.step)}"
    lines = [
        f"From {_number(scale.min)} to {_number(scale.max)}, {kind}. Reversed items are scored "
        f"as {_number(scale.min)} + {_number(scale.max)} − x.",
        "",
    ]
    if scale.anchors:
        lines += ["| value | anchor |", "|---|---|"]
        lines += [f"| {_number(a.value)} | {_cell(a.label)} |" for a in scale.anchors]
    else:
        lines.append("The definition names no anchors.")
    return lines


def _cutoffs(inst: am.Instrument) -> list[str]:
    if not inst.cutoffs:
        return ["None in the definition."]
    sign = {
        ("below", "exclusive"): "<",
        ("below", "inclusive"): "≤",
        ("above", "exclusive"): ">",
        ("above", "inclusive"): "≥",
    }
    lines = ["| id | flags | label | kind | note |", "|---|---|---|---|---|"]
    for c in inst.cutoffs:
        rule = f"{c.scale} ({c.aggregate}) {sign[(c.direction, c.boundary)]} {_number(c.value)}"
        cells = [f"`{c.id}`", rule, c.label, c.kind, c.note or ""]
        lines.append("| " + " | ".join(_cell(x) for x in cells) + " |")
    lines += [
        "",
        "Kind `published`: from a paper; `convention`: a custom of vendors or clinics, not "
        "evidence.",
    ]
    return lines


def _reliable_change(inst: am.Instrument) -> list[str]:
    rc = inst.reliable_change
    if rc is None:
        return [
            "None in the definition: pass `reliability=` (and an SD) to `am.reliable_change`, "
            "which computes the Jacobson–Truax index from them."
        ]
    return [
        f"A change of {_number(rc.points)} points on `{rc.scale}` ({rc.aggregate}) counts as "
        f"reliable (kind `{rc.kind}`). {rc.note} `am.reliable_change(..., instrument="
        f'"{inst.id}")` uses it.'
    ]


def _citations(inst: am.Instrument) -> list[str]:
    lines = []
    for citation in inst.citations:
        doi = f" [doi:{citation.doi}](https://doi.org/{citation.doi})" if citation.doi else ""
        lines.append(f"- {citation.text}{doi}")
    return lines


def instrument_page(inst: am.Instrument) -> str:
    """Return the Markdown page of one instrument."""
    table = _table_script()
    status = inst.status
    lines = [
        f"# `{inst.id}` — {inst.short_name}",
        "",
        "<!-- Generated by docs/_generate/catalogue.py from the registry. -->",
        "",
        f"**{inst.name}**, rated by the {inst.rater}; definition version {inst.version}. "
        "Scoring keys, anchors and sources only: item wording is not distributed.",
        "",
        "| property | value |",
        "|---|---|",
        f"| id | `{inst.id}` |",
        f"| items | {inst.n_items} |",
        f"| default aggregate | {inst.default_aggregate} |",
        f"| missing data | {_cell(table._missing_rule(inst))} |",
        f"| status | **{status.level}** |",
        "",
        "## Status",
        "",
        f"**{status.level}** — {status.reason or 'no reason recorded in the definition'}",
        "",
        "## Key by scale",
        "",
        *_key_table(inst),
        "",
        f"Reversed items: {_numbers([i.number for i in inst.items if i.reverse])}.",
        "",
        "## Items",
        "",
        *_item_table(inst),
        "",
        "## Response scale",
        "",
        *_response_scale(inst),
        "",
        "## Cut-offs",
        "",
        *_cutoffs(inst),
        "",
        "## Reliable change",
        "",
        *_reliable_change(inst),
        "",
    ]
    if inst.notes:
        lines += ["## Notes", "", *(f"- {_cell(n)}" for n in inst.notes), ""]
    lines += [
        "## Citations",
        "",
        *_citations(inst),
        "",
        "## Licence",
        "",
        inst.licence,
        "",
        "## Use it",
        "",
        "```python",
        "import alliance_metrics as am",
        "",
        f'instrument = am.get_instrument("{inst.id}")',
        f'scored = am.score_frame(df, "{inst.id}")',
        "```",
        "",
        "```bash",
        f"alliance-metrics score export.csv -i {inst.id}",
        "```",
        "",
    ]
    return "\n".join(lines)


def comparison_page() -> str:
    """Return the site's instruments.md: the generated page, each id linked to its page."""
    text: str = _table_script().render()

    def link(match: re.Match[str]) -> str:
        return f"| [`{match[1]}`]({page_path(match[1])}) |"

    ids = "|".join(re.escape(i) for i in am.list_instruments())
    text = re.sub(rf"^\| `({ids})` \|", link, text, flags=re.M)
    intro = (
        "Each instrument has its own page (its id in the table): the key table by scale, every "
        "item's scale and keying, anchors, cut-offs, reliable change, status, citations and "
        "licence.\n\n"
    )
    return text.replace("| id | name |", intro + "| id | name |", 1)


def pages() -> dict[str, str]:
    """Every catalogue page: path under docs/ → Markdown."""
    instruments = [am.get_instrument(i) for i in am.list_instruments()]
    out = {page_path(inst.id): instrument_page(inst) for inst in instruments}
    out["instruments/SUMMARY.md"] = (
        "* [All instruments](../instruments.md)\n* [Writing your own](../instrument-format.md)\n"
        + "".join(f"* [{inst.short_name} (`{inst.id}`)]({inst.id}.md)\n" for inst in instruments)
    )
    out["instruments.md"] = comparison_page()
    return out


def parse_key_table(page: str) -> dict[str, tuple[list[int], list[int]]]:
    """Read a page's key table back: scale id → (item numbers, reversed item numbers)."""
    start = page.index(KEY_HEADER)
    rows = page[start:].split("\n\n", 1)[0].splitlines()[2:]
    table: dict[str, tuple[list[int], list[int]]] = {}
    for row in rows:
        cells = [c.strip() for c in row.strip().strip("|").split(" | ")]
        numbers = [int(n) for n in cells[3].split(", ")] if cells[3] != "none" else []
        reversed_ = [int(n) for n in cells[4].split(", ")] if cells[4] != "none" else []
        table[cells[1].strip("`")] = (numbers, reversed_)
    return table
