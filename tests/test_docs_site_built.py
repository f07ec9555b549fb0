"""The built documentation site: it asks no other host for anything, its search works offline,
and its pages open in headless Chromium without console errors.

The site is the one ``.ci/run`` built (``AM_SITE_DIR``); without that variable the tests build
their own into a temporary folder with ``mkdocs build --strict`` (about half a minute, tutorials
included). The browser tests serve it on 127.0.0.1 with ``http.server`` (the search runs in a web
worker, which needs http) and are marked ``browser``: under CI a missing Chromium fails them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest

from browser import DevTools

ROOT = Path(__file__).resolve().parents[1]
ASSET_TAGS = {"script": "src", "link": "href", "img": "src", "source": "src", "iframe": "src"}
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built site: AM_SITE_DIR, or a fresh strict build."""
    given = os.environ.get("AM_SITE_DIR")
    if given:
        folder = Path(given)
        assert (folder / "index.html").is_file(), f"AM_SITE_DIR={given} holds no built site"
        return folder
    folder = tmp_path_factory.mktemp("site") / "site"
    env = {**os.environ, "DISABLE_MKDOCS_2_WARNING": "true", "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(folder)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    return folder


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Log nothing."""


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    """The site served on 127.0.0.1 (a free port); yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# ---- the built files -------------------------------------------------------------------------


class _Assets(HTMLParser):
    """Every URL a page's script, link, img, source and iframe tags load."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = ASSET_TAGS.get(tag)
        for name, value in attrs:
            if name == wanted and value:
                self.urls.append(value)


def external_assets(html: str) -> list[str]:
    """The asset URLs of a page that point at another host."""
    parser = _Assets()
    parser.feed(html)
    found = []
    for url in parser.urls:
        parsed = urlparse(url)
        if (parsed.scheme in ("http", "https") or url.startswith("//")) and (
            parsed.hostname not in LOCAL_HOSTS
        ):
            found.append(url)
    return found


def test_the_asset_check_sees_an_external_script() -> None:
    page = (
        '<script src="https://cdn.example.org/x.js"></script><link href="//fonts.example/f.css">'
        '<img src="data:image/png;base64,AA"><script src="../assets/a.js"></script>'
        '<a href="https://doi.org/10.1/x">a link is not an asset</a>'
    )
    assert external_assets(page) == ["https://cdn.example.org/x.js", "//fonts.example/f.css"]


def test_no_built_page_loads_anything_from_another_host(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 100  # the API reference, the catalogue and the tutorials are there
    offending = {}
    for page in pages:
        html = page.read_text(encoding="utf-8")
        found = external_assets(html)
        if found:
            offending[str(page.relative_to(site))] = found
        assert "fonts.googleapis" not in html, page
    assert offending == {}


def test_search_index_holds_the_reference_the_catalogue_and_the_tutorials(site: Path) -> None:
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    locations = {doc["location"].split("#")[0] for doc in index["docs"]}
    for expected in (
        "reference/score/",
        "reference/reliable_change/",
        "reference/plot/plot_trajectory/",
        "instruments/wai-sr/",
        "tutorials/01-redcap-export/",
        "for-r-users/",
    ):
        assert expected in locations, expected


def _links(html: str) -> list[str]:
    return re.findall(r'<a [^>]*href="([^"#?]+)[^"]*"', html)


@pytest.mark.parametrize(
    "name",
    [
        "01-redcap-export",
        "02-reliability-vs-r",
        "03-one-therapy",
        "04-embedding-json",
        "05-scaling-out-dask",
    ],
)
def test_tutorial_pages_show_their_outputs_and_their_links_resolve(site: Path, name: str) -> None:
    page = site / "tutorials" / name / "index.html"
    html = page.read_text(encoding="utf-8")
    assert html.count("jp-OutputArea-output") >= 3, "outputs missing: was the notebook executed?"
    assert "Traceback" not in html
    if name in ("02-reliability-vs-r", "03-one-therapy"):
        assert "data:image/png;base64," in html  # the plot
    for link in _links(html):
        if urlparse(link).scheme or link.startswith(("mailto:", "data:")):
            continue
        target = (page.parent / unquote(link)).resolve()
        assert target.exists() or (target / "index.html").exists(), f"{name}: broken link {link}"


# ---- in the browser --------------------------------------------------------------------------


def _foreign(requests: list[str], base: str) -> list[str]:
    return [u for u in requests if u.startswith(("http:", "https:")) and not u.startswith(base)]


@pytest.mark.browser
def test_landing_page_opens_without_console_errors(served: str, tmp_path: Path) -> None:
    with DevTools(tmp_path, local_server=True) as browser:
        browser.open(served)
        assert browser.evaluate("document.title").startswith("alliance_metrics")
        heading = browser.evaluate("document.querySelector('article h1').textContent")
        assert "alliance_metrics" in heading
        links = browser.evaluate(
            "Array.from(document.querySelectorAll('article a')).map(a => a.href)"
        )
        assert urljoin(served, "getting-started/") in links
        browser.open(urljoin(served, "tutorials/03-one-therapy/"))
        assert browser.evaluate("document.querySelectorAll('.jp-OutputArea-output').length") > 3
        errors, requests = browser.events.errors, browser.events.requests
    assert errors == []
    assert _foreign(requests, served) == []
    assert urljoin(served, "search/search_index.json") in requests  # the search loaded, locally


def _search(browser: DevTools, query: str) -> list[str]:
    browser.evaluate("document.querySelector('.md-search__input').value = ''")
    browser.evaluate("document.querySelector('.md-search__input').focus()")
    browser.type_text(query)
    browser.wait_events(1.5)
    hrefs: list[str] = browser.evaluate(
        "Array.from(document.querySelectorAll('.md-search-result__item a'))"
        ".map(a => a.getAttribute('href'))"
    )
    return [urlparse(h).path for h in hrefs]


@pytest.mark.browser
def test_search_finds_api_pages_and_instruments_offline(served: str, tmp_path: Path) -> None:
    with DevTools(tmp_path, local_server=True) as browser:
        browser.open(served)
        found = _search(browser, "reliable_change")
        assert "/reference/reliable_change/" in found, found
        browser.open(served)
        found = _search(browser, "WAI-SR")
        assert "/instruments/wai-sr/" in found, found
        errors, requests = browser.events.errors, browser.events.requests
    assert errors == []
    assert _foreign(requests, served) == []
