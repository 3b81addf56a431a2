"""The operator's way in: prefect.yaml deployed to a process work pool on a local Prefect server, a
worker running a pass from it, and `storywatch serve` stopped with SIGTERM, all as real processes."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import httpx
import pytest

from storywatch.flows import prefect_environment

pytestmark = pytest.mark.prefect
REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the venv's bin: prefect and storywatch live beside python


@dataclass(frozen=True)
class LocalPrefect:
    api_url: str
    env: dict[str, str]
    logs: Path

    def get(self, path: str) -> httpx.Response:
        return httpx.get(f"{self.api_url}{path}", timeout=10)

    def deployment(self, name: str) -> dict | None:
        response = self.get(f"/deployments/name/{name}")
        return response.json() if response.status_code == 200 else None

    def cli(self, *args: str, timeout: float = 120) -> str:
        done = subprocess.run([str(BIN / "prefect"), *args], cwd=REPO, env=self.env, capture_output=True,
                              text=True, timeout=timeout)
        assert done.returncode == 0, f"prefect {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def start(self, name: str, command: list[str], **env: str) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("wb")
        # Its own session, so the cleanup can stop it with everything it spawned.
        return subprocess.Popen(command, cwd=REPO, env={**self.env, **env}, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)

    def log_tail(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")[-3000:]


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_for(what: str, check, timeout: float, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory) -> Iterator[LocalPrefect]:
    home = tmp_path_factory.mktemp("prefect-home")
    api_url = f"http://127.0.0.1:{free_port()}/api"
    env = {
        **os.environ,
        **prefect_environment(),
        "PREFECT_HOME": str(home),
        "PREFECT_API_URL": api_url,
        # Runs happen only when a test asks: a scheduled pass would collide with it (CANCEL_NEW).
        "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
    }
    server = LocalPrefect(api_url, env, home)
    process = server.start("server", [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1",
                                      "--port", api_url.split(":")[-1].split("/")[0]])
    try:
        def healthy() -> bool:
            assert process.poll() is None, f"prefect server exited:\n{server.log_tail('server')}"
            try:
                return server.get("/health").status_code == 200
            except httpx.TransportError:
                return False

        wait_for("the Prefect server's /api/health", healthy, timeout=120)
        yield server
    finally:
        stop(process)


def write_config(tmp_path: Path, site, news) -> Path:
    story = news.story("harbor", "harbor strike")
    site.route("/news/harbor.html", news.article(story, canonical=site.url("/news/harbor.html")))
    site.route("/rss.xml", news.rss([story], lambda s: f"/news/{s.slug}.html"), content_type="application/rss+xml")
    config = tmp_path / "storywatch.yaml"
    config.write_text(f"database: sw.duckdb\nfetch:\n  timeout_seconds: 5\n"
                      f"feeds:\n  - name: Gazette\n    url: {site.url('/rss.xml')}\n")
    return config


def test_prefect_yaml_deploys_both_flows_and_a_worker_runs_a_pass(prefect_server, tmp_path, site, news):
    prefect_server.cli("work-pool", "create", "storywatch", "--type", "process")
    prefect_server.cli("deploy", "--all", "--no-prompt")

    monitor = prefect_server.deployment("storywatch-pass/monitor")
    maintain = prefect_server.deployment("storywatch-maintain/maintain")
    assert monitor and maintain
    assert [s["schedule"]["interval"] for s in monitor["schedules"]] == [900.0]
    assert [(s["schedule"]["cron"], s["schedule"]["timezone"]) for s in maintain["schedules"]] == [("7 3 * * *", "UTC")]
    for deployment in (monitor, maintain):
        assert deployment["work_pool_name"] == "storywatch" and deployment["paused"] is False
        assert all(s["active"] for s in deployment["schedules"])
        assert deployment["global_concurrency_limit"]["limit"] == 1
        assert deployment["concurrency_options"]["collision_strategy"] == "CANCEL_NEW"
        # `{{ $PWD }}` is resolved at deploy time: the worker runs flows in this checkout.
        assert deployment["pull_steps"] == [
            {"prefect.deployments.steps.set_working_directory": {"directory": str(REPO)}}]

    config = write_config(tmp_path, site, news)
    worker = prefect_server.start("worker", [str(BIN / "prefect"), "worker", "start", "--pool", "storywatch"],
                                  STORYWATCH_CONFIG=str(config))
    try:
        created = prefect_server.cli("deployment", "run", "storywatch-pass/monitor")
        flow_run_id = re.search(r"UUID: ([0-9a-f-]{36})", created).group(1)

        def finished() -> dict | None:
            state = prefect_server.get(f"/flow_runs/{flow_run_id}").json()["state"]
            return state if state["type"] in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"} else None

        state = wait_for("the worker's flow run", finished, timeout=180, interval=1)
        assert state["type"] == "COMPLETED", f"{state}\n{prefect_server.log_tail('worker')}"
    finally:
        stop(worker)
    con = duckdb.connect(str(tmp_path / "sw.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT feed, title FROM articles").fetchall() == [("Gazette", "Update on the harbor strike")]
    finally:
        con.close()


def test_serve_stopped_with_sigterm_leaves_its_deployment_unpaused(prefect_server, tmp_path, site, news):
    config = write_config(tmp_path, site, news)
    web = f"http://127.0.0.1:{free_port()}"
    config.write_text(config.read_text() + f"web:\n  enabled: true\n  port: {web.rsplit(':', 1)[1]}\n")
    serve = prefect_server.start("serve", [str(BIN / "storywatch"), "serve", "-c", str(config)])
    try:
        def polling() -> dict | None:
            assert serve.poll() is None, f"storywatch serve exited:\n{prefect_server.log_tail('serve')}"
            deployment = prefect_server.deployment("storywatch-pass/storywatch")
            # last_polled is set once the runner loop runs, after it installed its SIGTERM handler.
            return deployment if deployment and deployment["last_polled"] else None

        served = wait_for("storywatch serve to poll for runs", polling, timeout=90)
        assert served["paused"] is False and [s["active"] for s in served["schedules"]] == [True]
        # web.enabled: the same process serves the web pages (before the first pass: a page saying so).
        front = httpx.get(web + "/feeds", timeout=10)
        assert front.status_code in (200, 503) and "storywatch" in front.text
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=30)
    finally:
        stop(serve)
    with pytest.raises(httpx.ConnectError):
        httpx.get(web + "/", timeout=10)  # the web pages stopped with it
    stopped = prefect_server.deployment("storywatch-pass/storywatch")
    assert stopped["paused"] is False
    assert [s["active"] for s in stopped["schedules"]] == [True]
