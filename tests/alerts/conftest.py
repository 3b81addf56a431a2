"""Real receivers on loopback (JSON webhook, Slack, SMTP) and a warehouse with test developments."""

from __future__ import annotations

import email
import email.message
import hashlib
import http.server
import json
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from apprise.plugins.slack import NotifySlack

from storywatch.alerts import enqueue_development_alerts
from storywatch.config import NotifyTarget
from storywatch.storylines.model import Development
from storywatch.warehouse.db import open_warehouse, transaction

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
SMTP_PASSWORD = "smtp-Pw-4815162342"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict


@dataclass
class Receiver:
    """A webhook endpoint: records every POST, answers `ok` (what Slack answers) or 503 while told to."""

    port: int = 0
    received: list[Received] = field(default_factory=list)
    failures_left: int = 0
    delay_seconds: float = 0.0  # wait after recording, before answering

    def json_url(self, path: str = "hook", credentials: str = "") -> str:
        return f"json://{credentials}127.0.0.1:{self.port}/{path}"

    def wait_for(self, count: int, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            assert time.monotonic() < deadline, f"only {len(self.received)} of {count} requests arrived"
            time.sleep(0.01)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.received.append(Received(self.path, dict(self.headers), json.loads(raw or b"{}")))
            time.sleep(state.delay_seconds)
            status = 200
            if state.failures_left > 0:
                state.failures_left -= 1
                status = 503
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"ok" if status == 200 else b"down for maintenance")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def slack(receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> Receiver:
    """Slack's webhook host retargeted to the loopback receiver (the only patched part)."""
    monkeypatch.setattr(NotifySlack, "webhook_url", f"http://127.0.0.1:{receiver.port}/services")
    return receiver


@dataclass
class MailSink:
    port: int
    messages: list[email.message.Message] = field(default_factory=list)

    def url(self, credentials: str = "") -> str:
        mode = "mode=insecure&" if credentials else ""
        return f"mailto://{credentials}127.0.0.1:{self.port}?{mode}from=storywatch@example.org&to=desk@example.org"


@pytest.fixture
def smtp() -> Iterator[MailSink]:
    """A real SMTP server on loopback; accepts anonymous mail and the login bob / SMTP_PASSWORD."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = MailSink(port)

    class Handler:
        async def handle_DATA(self, server, session, envelope) -> str:
            sink.messages.append(email.message_from_bytes(envelope.content))
            return "250 OK"

    def authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
        return AuthResult(success=(auth_data.login, auth_data.password) == (b"bob", SMTP_PASSWORD.encode()))

    controller = Controller(
        Handler(), hostname="127.0.0.1", port=port, authenticator=authenticate, auth_require_tls=False
    )
    controller.start()
    yield sink
    controller.stop()


class Newsroom:
    """A warehouse file with developments written the way storyline tracking writes them."""

    def __init__(self, path: Path):
        self.path = path
        with open_warehouse(path):
            pass  # create and migrate

    def develop(
        self,
        development_id: str,
        *,
        storyline_id: str = "ambassador-recall",
        headline: str = "Antonov recalled to Moscow for consultations",
        articles: Sequence[tuple[str, str, str | None]] = (("Reuters", "reuters.com", None),),
        at: datetime = NOW,
    ) -> Development:
        """Insert a development and its articles: (source, host, duplicate_of source) each."""
        ids = [self._article_id(development_id, source) for source, _, _ in articles]
        development = Development(
            development_id=development_id,
            storyline_id=storyline_id,
            headline=headline,
            first_article_id=ids[0],
            first_seen_at=at,
            explanation=f"No earlier development mentions this ({development_id}).",
        )
        with open_warehouse(self.path) as con, transaction(con):
            for article_id, (source, host, copy_of) in zip(ids, articles):
                url = f"https://{host}/{development_id}/{article_id}"
                con.execute(
                    "INSERT INTO internal.articles (article_id, canonical_url, url, final_url, feed, source, title,"
                    " published_at, fetched_at, updated_at, text, content_hash, duplicate_of, pass_id)"
                    " VALUES (?, ?, ?, ?, 'wire', ?, ?, ?, ?, ?, 'text', 'hash', ?, 'p1')",
                    [article_id, url, url, url, source, f"{source}: {headline}", at, at, at,
                     self._article_id(development_id, copy_of) if copy_of else None],
                )
                con.execute(
                    "INSERT INTO internal.storyline_articles (storyline_id, article_id, development_id, score,"
                    " explanation, assigned_at) VALUES (?, ?, ?, 1.0, 'matched', ?)",
                    [storyline_id, article_id, development_id, at],
                )
            con.execute(
                "INSERT INTO internal.developments (development_id, storyline_id, headline, first_article_id,"
                " first_seen_at, explanation) VALUES (?, ?, ?, ?, ?, ?)",
                [development_id, storyline_id, headline, ids[0], at, development.explanation],
            )
        return development

    def enqueue(self, developments: Sequence[Development], targets: Sequence[NotifyTarget], now: datetime = NOW) -> int:
        with open_warehouse(self.path) as con, transaction(con):
            return enqueue_development_alerts(
                con, developments, targets, now=now, storyline_titles={"ambassador-recall": "Ambassador recalled"}
            )

    def alerts(self) -> list[dict]:
        with open_warehouse(self.path) as con:
            cursor = con.execute("SELECT * FROM alerts ORDER BY created_at, alert_id")
            names = [c[0] for c in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]

    @staticmethod
    def _article_id(development_id: str, source: str) -> str:
        return hashlib.sha1(f"{development_id}/{source}".encode()).hexdigest()[:16]


@pytest.fixture
def newsroom(tmp_path: Path) -> Newsroom:
    return Newsroom(tmp_path / "storywatch.duckdb")


@pytest.fixture
def now() -> datetime:
    """The fixed clock every alert test runs on (a Monday, 09:30 UTC)."""
    return NOW
