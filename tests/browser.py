"""Headless Chromium for the tests: render a file, or drive a page over the DevTools protocol.

- :func:`render` opens an HTML file, takes a screenshot and reads the net log (the HTML report's
  test). Chromium runs with no network at all (every host name resolves to nothing); the
  requests *of the page* are those whose network isolation key is the file's (browser
  housekeeping such as update checks has no page origin and is ignored — it fails to resolve
  too).
- :class:`DevTools` starts Chromium with ``--remote-debugging-pipe`` and speaks the DevTools
  protocol over that pipe (no port, no extra package): open a URL, evaluate JavaScript, type
  text, and collect the page's console errors, uncaught exceptions and requests (the
  documentation site's test). Host names resolve to nothing here too.
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


@dataclass
class PageEvents:
    """What a page did while it was open: errors, console messages and requests."""

    errors: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


class DevTools:
    """One headless Chromium driven over ``--remote-debugging-pipe`` (use as a context manager).

    Messages are JSON objects separated by a NUL byte: commands go to the browser's fd 3, replies
    and events come from its fd 4. One page target is attached in flat mode; its console errors,
    uncaught exceptions, log entries of level error and every request it starts are collected in
    :attr:`events`.
    """

    def __init__(
        self, folder: Path, *, width: int = 1280, height: int = 900, local_server: bool = False
    ) -> None:
        self.folder = folder
        self.local_server = local_server
        self.width, self.height = width, height
        self.events = PageEvents()
        self._next_id = 0
        self._buffer = b""
        self._session: str | None = None

    def __enter__(self) -> DevTools:
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()

        def child_fds() -> None:  # runs in the child: the protocol's fds 3 and 4
            read_end = fcntl.fcntl(to_browser_read, fcntl.F_DUPFD, 10)  # out of the way of 3, 4
            write_end = fcntl.fcntl(from_browser_write, fcntl.F_DUPFD, 10)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        flags = FLAGS
        if self.local_server:  # a site served on 127.0.0.1 is reachable; every name is not
            flags = [f for f in FLAGS if not f.startswith("--host-resolver-rules")]
            flags.append("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1")
        command = [
            chromium(),
            *flags,
            "--remote-debugging-pipe",
            f"--user-data-dir={self.folder / 'profile'}",
            f"--window-size={self.width},{self.height}",
            "about:blank",
        ]
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=child_fds,
            close_fds=False,  # else the fds 3 and 4 made by child_fds would be closed
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        attached = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})
        self._session = attached["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False},
        )
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._session = None
            self.send("Browser.close", timeout=10)
        except (OSError, TimeoutError, RuntimeError):
            pass
        finally:
            try:
                self._process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=20)
            os.close(self._to_browser)
            os.close(self._from_browser)

    def send(
        self, method: str, params: dict[str, Any] | None = None, *, timeout: float = 30
    ) -> dict[str, Any]:
        """Send one command and return its result (events that arrive meanwhile are kept)."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if self._session is not None and not method.startswith(("Target.", "Browser.")):
            message["sessionId"] = self._session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self._event(reply)

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from Chromium")
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if ready:
                chunk = os.read(self._from_browser, 1 << 16)
                if not chunk:
                    raise RuntimeError("Chromium closed the DevTools pipe")
                self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        parsed: dict[str, Any] = json.loads(raw)
        return parsed

    def _event(self, message: dict[str, Any]) -> None:
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text", "")
            self.events.errors.append(f"uncaught: {text}")
        elif method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
            self.events.console.append(f"{params['type']}: {text}")
            if params["type"] in ("error", "assert"):
                self.events.errors.append(f"console.{params['type']}: {text}")
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            entry = params["entry"]
            self.events.errors.append(f"log: {entry.get('text', '')} {entry.get('url', '')}")
        elif method == "Network.requestWillBeSent":
            self.events.requests.append(params["request"]["url"])

    def wait_events(self, seconds: float) -> None:
        """Collect events for ``seconds`` (a page's late scripts and requests)."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                self._event(self._read(deadline))
            except TimeoutError:
                return

    def open(self, url: str, *, settle: float = 1.5) -> None:
        """Navigate to ``url``, wait for its load event, then let it settle."""
        self.send("Page.navigate", {"url": url})
        deadline = time.monotonic() + 60
        while True:
            message = self._read(deadline)
            self._event(message)
            if message.get("method") == "Page.loadEventFired":
                break
        self.wait_events(settle)

    def evaluate(self, expression: str) -> Any:
        """Evaluate JavaScript in the page and return its value (awaiting a promise)."""
        reply = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in reply:
            raise RuntimeError(f"{expression!r}: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def type_text(self, text: str) -> None:
        """Type ``text`` into the focused element, one key at a time (as a person would)."""
        for character in text:
            self.send("Input.dispatchKeyEvent", {"type": "keyDown", "text": character})
            self.send("Input.dispatchKeyEvent", {"type": "keyUp", "text": character})

    def screenshot(self, path: Path) -> Path:
        """Save a PNG of the viewport."""
        import base64

        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        path.write_bytes(base64.b64decode(data))
        return path
