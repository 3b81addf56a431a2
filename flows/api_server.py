"""Prefect's temporary API server for a lone `storywatch run`, started before the pass loads.

With no API URL configured, Prefect starts a temporary server on the first API call: the run
imports the server's whole code (FastAPI app, ORM, migrations: a core for 2-3 s) only to
learn how to start it, then waits for the server to import the same code again in its own
process. Started here, as soon as Prefect's settings say there is no server, the server's
start overlaps the pass's own imports and the pass never imports the server at all.

The server is the one Prefect would start: the same app factory, its ephemeral mode (no UI,
only the services ephemeral servers run), this process's Prefect settings, so its flow runs
land in the same database under PREFECT_HOME.
"""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import time

import httpx
from prefect.context import refresh_global_settings_context
from prefect.settings import PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, get_current_settings

from storywatch.errors import PrefectServerError

# What Prefect's own temporary server is told (prefect.server.api.server.SubprocessASGIServer).
EPHEMERAL_ENVIRONMENT = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
STOP_WAIT_SECONDS = 5
UVICORN_STARTUP_FAILURE = 3  # uvicorn's exit status when it cannot bind its port or start the app


class TemporaryAPIServer:
    """Prefect's temporary API server, started when made; `use()` waits for it and points this process at it.

    It stops when this process exits, in the order Prefect keeps: Prefect's event and log
    workers drain first (they hook thread shutdown, which runs before `atexit`), then the server.
    """

    def __init__(self) -> None:
        self.process, self.api_url = _launch()
        atexit.register(self._stop)

    def use(self) -> None:
        """Wait until the server answers, then make it this process's API, for every thread."""
        self._wait()
        os.environ["PREFECT_API_URL"] = self.api_url
        refresh_global_settings_context()

    def _wait(self) -> None:
        timeout = PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value()
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=2) as client:
            while time.monotonic() < deadline:
                status = self.process.poll()
                if status == UVICORN_STARTUP_FAILURE:
                    # The free port was taken meanwhile (or the app failed to start): as
                    # Prefect does, start again on another one until the deadline.
                    self.process, self.api_url = _launch()
                elif status is not None:
                    raise PrefectServerError(f"Prefect's temporary API server exited with code {status}")
                try:
                    if client.get(f"{self.api_url}/health").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
        raise PrefectServerError(
            f"Prefect's temporary API server did not start within {timeout:.0f} s: raise "
            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, or run `prefect server start` and set PREFECT_API_URL"
        )

    def _stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(STOP_WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _launch() -> tuple[subprocess.Popen, str]:
    """The server process on a free port, and its API URL."""
    port = _free_port()
    environment = {
        **get_current_settings().to_environment_variables(exclude_unset=True),
        **EPHEMERAL_ENVIRONMENT,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "prefect.server.api.server:create_app",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "error", "--lifespan", "on"],
        env={**os.environ, **environment},
    )
    return process, f"http://127.0.0.1:{port}/api"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]

