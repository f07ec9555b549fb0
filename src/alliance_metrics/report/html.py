"""The HTML of the report: one self-contained page, inline CSS, no script, no URL of any kind.

Every text that comes from the data or the caller (file name, instrument names, client keys,
column names) is escaped here. The page declares a Content-Security-Policy that forbids every
fetch, so even a browser that found a reference would not follow it.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Section", "definition_list", "page", "table"]

_CSS = """
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", Verdana, "Segoe UI", Arial, sans-serif; font-size: 15px;
  line-height: 1.45; color: #1a1a1a; background: #ffffff; max-width: 64rem; margin: 0 auto;
  padding: 1.5rem; }
h1 { font-size: 1.7rem; margin: 0 0 .3rem; }
h2 { font-size: 1.3rem; margin-top: 2.2rem; border-bottom: 2px solid #0072B2;
  padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin-top: 1.4rem; }
nav ol { columns: 2; padding-left: 1.2rem; }
a { color: #0050a0; }
p.note { color: #444444; font-size: .93rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1.2rem; }
dt { font-weight: bold; }
dd { margin: 0; }
div.wide { overflow-x: auto; }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: .9rem; }
caption { text-align: left; font-weight: bold; padding-bottom: .3rem; }
th, td { border-bottom: 1px solid #d0d0d0; padding: .25rem .6rem; text-align: left; }
th { background: #f2f2f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.flag { font-weight: bold; }
figure { margin: 1rem 0; }
figure svg { width: 100%; height: auto; max-width: 56rem; display: block; }
figcaption { font-size: .9rem; color: #333333; margin-top: .3rem; }
@media print { body { max-width: none; padding: 0; } h2 { break-after: avoid; }
  figure, table { break-inside: avoid; } nav { display: none; } }
"""
_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'"


@dataclass(frozen=True)
class Section:
    """One section of the page: an anchor id, a heading and its HTML body."""

    anchor: str
    heading: str
    body: str


def text(value: object) -> str:
    """Escape ``value`` as HTML text."""
    return html.escape(str(value), quote=True)


def _cell(value: object, digits: int) -> tuple[str, str]:
    """Return the shown text of a cell and its CSS class."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "NA", "num"
    if isinstance(value, bool | np.bool_):
        return ("yes" if value else "no"), ("flag" if value else "")
    if isinstance(value, int | np.integer):
        return f"{int(value):,}", "num"
    if isinstance(value, float | np.floating):
        return f"{float(value):,.{digits}f}", "num"
    return text(value), ""


def table(
    frame: pd.DataFrame,
    *,
    caption: str,
    headers: Mapping[str, str] | None = None,
    digits: Mapping[str, int] | None = None,
) -> str:
    """Render ``frame`` as an HTML table (numbers right-aligned, NaN as ``NA``, flags bold).

    Examples
    --------
    >>> import pandas as pd
    >>> print(table(pd.DataFrame({"scale": ["<total>"], "alpha": [0.91234]}), caption="Alpha",
    ...             headers={"alpha": "α"}))
    <div class="wide">
    <table>
    <caption>Alpha</caption>
    <thead><tr><th scope="col">scale</th><th scope="col">α</th></tr></thead>
    <tbody>
    <tr><td>&lt;total&gt;</td><td class="num">0.912</td></tr>
    </tbody>
    </table>
    </div>
    """
    names = headers or {}
    places = digits or {}
    head = "".join(f'<th scope="col">{text(names.get(str(c), c))}</th>' for c in frame.columns)
    rows = []
    columns = [frame[c].astype(object).tolist() for c in frame.columns]
    for values in zip(*columns, strict=True):  # a shown table: capped by its caller
        cells = []
        for name, value in zip(frame.columns, values, strict=True):
            shown, css = _cell(value, places.get(str(name), 3))
            attribute = f' class="{css}"' if css else ""
            cells.append(f"<td{attribute}>{shown}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return "\n".join(
        [
            '<div class="wide">',
            "<table>",
            f"<caption>{text(caption)}</caption>",
            f"<thead><tr>{head}</tr></thead>",
            "<tbody>",
            *rows,
            "</tbody>",
            "</table>",
            "</div>",
        ]
    )


def definition_list(items: Sequence[tuple[str, str]]) -> str:
    """Render ``(term, description)`` pairs (both plain text) as a ``<dl>``."""
    body = "".join(f"<dt>{text(term)}</dt><dd>{text(value)}</dd>" for term, value in items)
    return f"<dl>{body}</dl>"


def figure(svg: str, caption: str) -> str:
    """Wrap an inline SVG (already safe) and its caption (plain text)."""
    return f"<figure>{svg}<figcaption>{text(caption)}</figcaption></figure>"


def page(title: str, intro: str, sections: Sequence[Section]) -> str:
    """Assemble the page: head with CSS and policy, title, contents, sections.

    ``title`` and ``intro`` are plain text; each section's body is HTML built by this module.
    """
    contents = "".join(f'<li><a href="#{s.anchor}">{text(s.heading)}</a></li>' for s in sections)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{text(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f'<header><h1>{text(title)}</h1><p class="note">{text(intro)}</p></header>',
        f'<nav aria-label="Contents"><ol>{contents}</ol></nav>',
        "<main>",
    ]
    for s in sections:
        parts.append(f'<section id="{s.anchor}" aria-labelledby="{s.anchor}-h">')
        parts.append(f'<h2 id="{s.anchor}-h">{text(s.heading)}</h2>')
        parts.append(s.body)
        parts.append("</section>")
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)
