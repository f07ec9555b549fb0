"""Render an HTML file in headless Chromium: a screenshot and the requests its page made.

Chromium runs with no network at all (every host name resolves to nothing) and writes a net
log; the requests *of the page* are those whose network isolation key is the file's (browser
housekeeping such as update checks has no page origin and is ignored — it fails to resolve too).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND",
]


@dataclass(frozen=True)
class Rendering:
    """What the browser made of a page."""

    screenshot: Path
    page_requests: list[str]
    log: dict[str, object]


def chromium() -> str:
    """The Chromium executable; fail under CI (it must be installed), else skip."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    message = "headless Chromium is needed (Debian package chromium; .ci/run installs it)"
    if os.environ.get("CI") or os.environ.get("AM_REQUIRE_BROWSER"):
        pytest.fail(message)
    pytest.skip(message)


def page_requests(log: dict[str, object]) -> list[str]:
    """URLs of the requests started by a page loaded from a file."""
    constants = log["constants"]
    assert isinstance(constants, dict)
    start = constants["logEventTypes"]["URL_REQUEST_START_JOB"]
    urls = []
    for event in log["events"]:  # type: ignore[attr-defined]
        params = event.get("params") or {}
        if event["type"] == start and "url" in params:
            from_page = "file://" in params.get("network_isolation_key", "") or params.get(
                "initiator"
            ) not in (None, "not an origin")
            if from_page:
                urls.append(params["url"])
    return urls


def render(page: Path, folder: Path, *, width: int = 1280, height: int = 2400) -> Rendering:
    """Open ``page`` in headless Chromium, take a screenshot, and read the net log."""
    screenshot = folder / "screenshot.png"
    net_log = folder / "net-log.json"
    command = [
        chromium(),
        *FLAGS,
        f"--user-data-dir={folder / 'profile'}",
        f"--log-net-log={net_log}",
        f"--window-size={width},{height}",
        f"--screenshot={screenshot}",
        page.resolve().as_uri(),
    ]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert screenshot.exists(), proc.stderr[-2000:]
    log = json.loads(net_log.read_text(encoding="utf-8"))
    return Rendering(screenshot, page_requests(log), log)
