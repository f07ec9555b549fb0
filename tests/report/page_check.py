"""Parse a report page and list everything that could make a browser fetch or run something."""

from __future__ import annotations

import re
from html.parser import HTMLParser

FORBIDDEN_TAGS = {
    "script",
    "link",
    "iframe",
    "object",
    "embed",
    "img",
    "base",
    "form",
    "frame",
    "audio",
    "video",
    "source",
    "track",
    "applet",
    "portal",
}
URL_ATTRIBUTES = {
    "src",
    "srcset",
    "href",
    "xlink:href",
    "action",
    "formaction",
    "poster",
    "data",
    "background",
    "ping",
    "cite",
    "longdesc",
    "manifest",
}
_EXTERNAL = re.compile(r"(?i)(https?:|file:|ftp:|data:|javascript:|//)")
_CSS_URL = re.compile(r"(?i)url\(\s*['\"]?([^'\")]*)")
_CSS_IMPORT = re.compile(r"(?i)@import")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.ids: list[str] = []
        self.tags: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        self._in_style = tag == "style"
        for name, value in attrs:
            value = value or ""
            if name == "id":
                self.ids.append(value)
            if name.startswith("on"):
                self.problems.append(f"event handler {name}")
            if name in URL_ATTRIBUTES and not value.startswith("#"):
                self.problems.append(f"{name}={value!r}")
            if _EXTERNAL.search(value) and name != "content":
                self.problems.append(f"{name}={value!r}")
            for target in _CSS_URL.findall(value):
                if not target.startswith("#"):
                    self.problems.append(f"url({target})")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._in_style = False

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            if _CSS_IMPORT.search(data) or _EXTERNAL.search(data):
                self.problems.append("external reference in CSS")
            for target in _CSS_URL.findall(data):
                if not target.startswith("#"):
                    self.problems.append(f"url({target}) in CSS")


def inspect_page(page: str) -> tuple[list[str], list[str], list[str]]:
    """Return (problems, element ids, tags) of an HTML page."""
    collector = _Collector()
    collector.feed(page)
    collector.close()
    return collector.problems, collector.ids, collector.tags
