"""Serving the site with uvicorn: in the foreground (`storywatch web`) or beside the monitor (`storywatch serve`).

The listening socket is bound before uvicorn starts, so a taken port is a one-line error
naming the setting to change, and port 0 (tests) gives a free port known at once.
"""

from __future__ import annotations

import os
import socket
import threading
from contextlib import suppress
from types import TracebackType
from typing import Self

import uvicorn

from storywatch.config import Settings
from storywatch.errors import ConfigError
from storywatch.web.app import create_app

_SHUTDOWN_SECONDS = 10.0


class WebSite:
    """The site of `settings`, listening on `host`:`port` (default: the config's `web:`)."""

    def __init__(self, settings: Settings, host: str | None = None, port: int | None = None):
        self.host = host or settings.web.host
        wanted = settings.web.port if port is None else port
        try:
            self._socket = socket.create_server((self.host, wanted))
        except OSError as error:
            reason = os.strerror(error.errno) if error.errno else str(error)
            raise ConfigError(f"web: cannot listen on {self.host}:{wanted} ({reason}); "
                              "choose another address with --host/--port or web.host/web.port") from None
        self.port = self._socket.getsockname()[1]
        self._server = uvicorn.Server(uvicorn.Config(
            create_app(settings), host=self.host, port=self.port, log_level="warning", lifespan="off"))
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def run(self) -> None:
        """Serve until interrupted (Ctrl-C or SIGTERM)."""
        with self._socket, suppress(KeyboardInterrupt):  # uvicorn re-raises the Ctrl-C it shut down on
            self._server.run(sockets=[self._socket])

    def __enter__(self) -> Self:
        """Serve from a background thread (signals stay with the main thread's own server)."""
        self._thread = threading.Thread(target=self.run, name="storywatch-web", daemon=True)
        self._thread.start()
        while not self._server.started and self._thread.is_alive():
            self._thread.join(0.02)
        if not self._server.started:
            raise RuntimeError("the web server stopped while starting; see the log above")
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(_SHUTDOWN_SECONDS)
