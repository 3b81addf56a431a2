"""A small news site on a loopback address, for the tests and the offline demo.

Routes are mutable while it runs (publish a new feed between passes) and can misbehave on
purpose: any status, slow answers, redirects, raw bytes in any charset, huge bodies,
Retry-After. Routes may opt in to ETag/Last-Modified validators and answer 304. Every
request is recorded for assertions.
"""

from __future__ import annotations

import hashlib
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self


@dataclass(frozen=True)
class Route:
    body: bytes
    status: int = 200
    content_type: str | None = "text/html; charset=utf-8"
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0          # seconds before answering
    conditional: bool = False   # send ETag/Last-Modified and honour conditional GETs
    declare_length: bool = True  # False: no Content-Length, the body ends when the connection closes
    etag: str = ""
    last_modified: str = ""


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    headers: Mapping[str, str]  # lower-case names


class LoopbackServer:
    """A threaded HTTP server on a loopback address and a free port, run as a context manager."""

    def __init__(self, host: str, handler: type[BaseHTTPRequestHandler]):
        self.host = host
        self._server = _Server((host, 0), handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"http-{host}", daemon=True
        )

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()


class LoopbackSite(LoopbackServer):
    """Serves routes on `host` (a loopback address) at a free port."""

    def __init__(self, host: str = "127.0.0.1"):
        self.requests: list[RecordedRequest] = []
        self._routes: dict[str, Route] = {}
        self._lock = threading.Lock()
        self._closing = threading.Event()  # cuts short the delays of slow routes on close
        super().__init__(host, _handler_for(self))

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def route(
        self,
        path: str,
        body: bytes | str = b"",
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        delay: float = 0.0,
        content_type: str | None = "text/html; charset=utf-8",
        conditional: bool = False,
        declare_length: bool = True,
    ) -> None:
        """Publish (or replace) what `path` answers; `str` bodies are sent as UTF-8."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        with self._lock:
            previous = self._routes.get(path)
            unchanged = previous is not None and previous.body == data
            self._routes[path] = Route(
                body=data,
                status=status,
                content_type=content_type,
                headers=dict(headers or {}),
                delay=delay,
                conditional=conditional,
                declare_length=declare_length,
                etag=f'"{hashlib.sha1(data).hexdigest()[:16]}"',
                # Republishing the same bytes keeps the old date, as a real server would.
                last_modified=previous.last_modified if unchanged else formatdate(usegmt=True),
            )

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        self.route(path, status=status, headers={"Location": location}, content_type=None)

    def requests_for(self, path: str) -> list[RecordedRequest]:
        with self._lock:
            return [request for request in self.requests if request.path == path]

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._closing.set()
        super().__exit__(kind, error, trace)

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        headers = {name.lower(): value for name, value in handler.headers.items()}
        with self._lock:
            self.requests.append(RecordedRequest(handler.path, headers))
            route = self._routes.get(handler.path.split("?", 1)[0])
        if route is None:
            route = Route(body=b"not found", status=404, content_type="text/plain")
        if route.delay:
            self._closing.wait(route.delay)
        status, body = route.status, route.body
        if route.conditional and _not_modified(route, headers):
            status, body = 304, b""
        handler.send_response(status)
        if route.content_type and status != 304:
            handler.send_header("Content-Type", route.content_type)
        if route.conditional:
            handler.send_header("ETag", route.etag)
            handler.send_header("Last-Modified", route.last_modified)
        for name, value in route.headers.items():
            handler.send_header(name, value)
        if route.declare_length:
            handler.send_header("Content-Length", str(len(body)))
        else:
            handler.send_header("Connection", "close")
            handler.close_connection = True
        handler.end_headers()
        handler.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # a client hanging up early (timeouts, size limits) is expected here
        super().handle_error(request, client_address)


def _not_modified(route: Route, headers: Mapping[str, str]) -> bool:
    if "if-none-match" in headers:
        return route.etag in [tag.strip() for tag in headers["if-none-match"].split(",")]
    if "if-modified-since" in headers:
        try:
            return parsedate_to_datetime(headers["if-modified-since"]) >= parsedate_to_datetime(route.last_modified)
        except (TypeError, ValueError):
            return False
    return False


def _handler_for(site: LoopbackSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real sites do

        def do_GET(self) -> None:
            site._answer(self)

        def log_message(self, format: str, *args: object) -> None:
            pass  # the recorded requests are the log

    return Handler


__all__ = ["LoopbackServer", "LoopbackSite", "RecordedRequest", "Route"]
