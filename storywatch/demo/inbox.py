"""The demo's alert target: a loopback endpoint for Apprise's `json://` that files each alert.

Apprise has no plugin that writes to a local file, so the demo config notifies
`json://127.0.0.1:PORT/alerts` — a real HTTP target, delivered through the same outbox as
Slack or email would be — and this receiver appends every message it accepts to a JSON
Lines file. What the demo prints is what the target received, read back from that file.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from storywatch.demo.server import LoopbackServer


class AlertInbox(LoopbackServer):
    """Context manager: receives Apprise JSON posts on 127.0.0.1 and appends them to `path`."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._read = 0  # alerts already handed out by `new_alerts`
        super().__init__("127.0.0.1", _handler_for(self))

    @property
    def url(self) -> str:
        """The Apprise URL that notifies this inbox."""
        return f"json://{self.host}:{self.port}/alerts"

    def file(self, alert: dict) -> None:
        line = json.dumps({"received_at": datetime.now(UTC).isoformat(), **alert}, ensure_ascii=False)
        with self._lock, self.path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")

    def new_alerts(self) -> list[dict]:
        """Alerts received since the previous call, in arrival order."""
        with self._lock:
            lines = self.path.read_text(encoding="utf-8").splitlines() if self.path.exists() else []
            fresh, self._read = lines[self._read :], len(lines)
        return [json.loads(line) for line in fresh]


def _handler_for(inbox: AlertInbox) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            try:
                alert = json.loads(body)
            except json.JSONDecodeError:
                self.send_error(400, "expected an Apprise JSON message")
                return
            inbox.file(alert)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass  # the alerts file is the log

    return Handler
