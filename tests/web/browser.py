"""Headless Chromium from Debian's package, driven over the DevTools protocol to see what a person sees.

No browser is downloaded: the tests use /usr/bin/chromium (`apt-get install chromium`, as
.ci/run does) and skip, saying so, when it is absent. The flags keep it off the network.
"""

from __future__ import annotations

import base64
import itertools
import json
import subprocess
import time
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import pytest
from websockets.sync.client import ClientConnection, connect

CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (apt-get install chromium); browser test skipped")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync")
START_SECONDS = 60.0


class Browser:
    """One headless Chromium with one tab the size of a phone screen."""

    def __init__(self, profile: Path, width: int = 390, height: int = 844):
        self.profile = profile
        self.size = (width, height)
        self._ids = itertools.count(1)
        self._process: subprocess.Popen | None = None
        self._socket: ClientConnection | None = None
        self._session: str | None = None
        self._events: list[str] = []  # events that arrived while a reply was awaited

    def __enter__(self) -> Self:
        self._process = subprocess.Popen(
            [str(CHROMIUM), *FLAGS, f"--user-data-dir={self.profile}", "--remote-debugging-port=0", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # With port 0 Chromium picks a free port and writes it, with the browser's path, to this file.
        active = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + START_SECONDS
        while not (active.exists() and len(active.read_text().split()) == 2):
            assert self._process.poll() is None, f"chromium exited with {self._process.returncode}"
            assert time.monotonic() < deadline, "chromium did not open its DevTools port"
            time.sleep(0.05)
        port, path = active.read_text().split()
        self._socket = connect(f"ws://127.0.0.1:{port}{path}", max_size=None)
        target = self._call("Target.createTarget", url="about:blank")["targetId"]
        self._session = self._call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self._call("Page.enable")
        width, height = self.size
        self._call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=2, mobile=True)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._socket is not None:
            self._socket.close()
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=30)

    def open(self, url: str) -> None:
        """Navigate and return once the page's load event has fired."""
        self._events.clear()
        self._call("Page.navigate", url=url)
        self._wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        result = self._call("Runtime.evaluate", expression=expression, returnByValue=True)
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def screenshot(self, path: Path) -> Path:
        """The whole page, not only the first screen, as PNG."""
        image = self._call("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        path.write_bytes(base64.b64decode(image))
        return path

    def _call(self, method: str, **params: Any) -> dict:
        assert self._socket is not None
        message_id = next(self._ids)
        message = {"id": message_id, "method": method, "params": params}
        if self._session and not method.startswith("Target."):
            message["sessionId"] = self._session
        self._socket.send(json.dumps(message))
        while True:
            reply = json.loads(self._socket.recv(timeout=START_SECONDS))
            if reply.get("id") == message_id:
                assert "error" not in reply, f"{method}: {reply['error']}"
                return reply["result"]
            if "method" in reply:
                self._events.append(reply["method"])

    def _wait_for(self, event: str) -> None:
        assert self._socket is not None
        while event not in self._events:
            self._events.append(json.loads(self._socket.recv(timeout=START_SECONDS)).get("method", ""))
        self._events.clear()
