"""Figures of the HTML report: matplotlib figures made without pyplot, inlined as SVG.

Every figure is a :class:`matplotlib.figure.Figure` of its own (no pyplot state, nothing left
open), drawn by the functions of :mod:`alliance_metrics.plot` and written as SVG with text kept
as text (searchable, read by screen readers), no metadata (no date, no creator URL) and a fixed
hash salt, so the same data give the same bytes. The SVG is then made fit to inline: no XML
prolog or DOCTYPE, no namespace URLs, ids prefixed per figure so that figures never share one.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from alliance_metrics._optional import import_optional

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["FigureMaker", "inline_svg"]

_TAG = re.compile(r"<[^<>]*>")
_NO_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}


def _rewrite_tag(tag: str, prefix: str) -> str:
    if tag.startswith("<svg"):
        return re.sub(r'\s(?:xmlns(?::\w+)?|version|width|height)="[^"]*"', "", tag)
    tag = re.sub(r'\bid="([^"]*)"', lambda m: f'id="{prefix}{m[1]}"', tag)
    tag = re.sub(r'xlink:href="#([^"]*)"', lambda m: f'href="#{prefix}{m[1]}"', tag)
    return re.sub(r"url\(#([^)]*)\)", lambda m: f"url(#{prefix}{m[1]})", tag)


def inline_svg(svg: str, prefix: str, title: str) -> str:
    r"""Make matplotlib's SVG document fit to inline in HTML.

    Drops everything before ``<svg`` (XML prolog, DOCTYPE), the namespace and size attributes
    (the ``viewBox`` stays; CSS sizes the picture), matplotlib's default ``<style>``, and
    prefixes every id and reference with ``prefix``. Adds ``role="img"`` and a ``<title>``.

    Examples
    --------
    >>> svg = ('<?xml version="1.0"?>\\n<svg xmlns="http://www.w3.org/2000/svg" '
    ...        'viewBox="0 0 9 9"><defs><style type="text/css">*{}</style></defs>'
    ...        '<g id="a"><use xlink:href="#m1" clip-path="url(#p1)"/></g></svg>')
    >>> inline_svg(svg, "f1-", "A <plot>")  # doctest: +NORMALIZE_WHITESPACE
    '<svg viewBox="0 0 9 9" role="img" aria-labelledby="f1-title"><title id="f1-title">A
    &lt;plot&gt;</title><defs></defs><g id="f1-a"><use href="#f1-m1"
    clip-path="url(#f1-p1)"/></g></svg>'
    """
    body = svg[svg.index("<svg") :]
    body = re.sub(r'<style type="text/css">[^<]*</style>', "", body, count=1)
    body = _TAG.sub(lambda m: _rewrite_tag(m[0], prefix), body)
    head_end = body.index(">")
    caption = f'<title id="{prefix}title">{html.escape(title)}</title>'
    opening = body[:head_end] + f' role="img" aria-labelledby="{prefix}title">'
    return opening + caption + body[head_end + 1 :].strip()


class FigureMaker:
    """Make the report's figures: new ``Figure`` objects, written as numbered inline SVG."""

    def __init__(self) -> None:
        self._count = 0
        self._matplotlib = import_optional("matplotlib", "plot", "the HTML report's figures")
        self._figure_class: type[Figure] = import_optional(
            "matplotlib.figure", "plot", "the HTML report's figures"
        ).Figure

    def new(self, width: float, height: float) -> Figure:
        """Return a new figure of ``width`` × ``height`` inches with a constrained layout."""
        return self._figure_class(figsize=(width, height), layout="constrained")

    def svg(self, figure: Figure, title: str) -> str:
        """Write ``figure`` as inline SVG titled ``title`` (for screen readers), then drop it."""
        self._count += 1
        prefix = f"f{self._count}-"
        buffer = io.StringIO()
        settings = {"svg.hashsalt": f"alliance-metrics-{self._count}", "svg.fonttype": "none"}
        with self._matplotlib.rc_context(settings):
            figure.savefig(buffer, format="svg", metadata=_NO_METADATA)
        figure.clear()
        return inline_svg(buffer.getvalue(), prefix, title)

    def draw(
        self, size: tuple[float, float], title: str, painter: Callable[[Figure], object]
    ) -> str:
        """Make a figure of ``size``, let ``painter`` draw on it, and return its SVG."""
        figure = self.new(*size)
        painter(figure)
        return self.svg(figure, title)
