"""A lone `storywatch run` (no Prefect server configured) starts its own temporary API server.

The command starts the server before the pass loads (flows/api_server.py); the flow run must
still be recorded in PREFECT_HOME's database as Prefect's own temporary server records it,
and the server must be gone when the command returns.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import duckdb

from storywatch.flows import prefect_environment

STORYWATCH = Path(sys.executable).parent / "storywatch"


def test_a_lone_run_records_its_flow_run_and_stops_its_server(tmp_path, site, news):
    story = news.story("dredging", "harbour dredging")
    site.route("/news/dredging", news.article(story))
    site.route("/rss.xml", news.rss([story], lambda s: f"/news/{s.slug}"), content_type="application/rss+xml")
    config = tmp_path / "storywatch.yaml"
    config.write_text(f"database: sw.duckdb\nfetch:\n  allow_internal: [127.0.0.1]\n"
                      f"feeds:\n  - name: Gazette\n    url: {site.url('/rss.xml')}\n")
    home = tmp_path / "prefect"
    environment = {name: value for name, value in os.environ.items() if name != "PREFECT_API_URL"}
    environment |= {**prefect_environment(quiet=True), "PREFECT_HOME": str(home), "COLUMNS": "200"}

    run = subprocess.run([str(STORYWATCH), "run", "-c", str(config)], env=environment, capture_output=True,
                         text=True, timeout=300, stdin=subprocess.DEVNULL)

    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"new articles\s*│\s*1 ", run.stdout), run.stdout
    with duckdb.connect(str(tmp_path / "sw.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone() == (1,)
    with sqlite3.connect(home / "prefect.db") as prefect_db:
        runs = prefect_db.execute("SELECT f.name, r.state_type FROM flow_run r JOIN flow f ON f.id = r.flow_id").fetchall()
        events = {event for (event,) in prefect_db.execute("SELECT DISTINCT event FROM events")}
    assert runs == [("storywatch-pass", "COMPLETED")]
    assert "prefect.flow-run.Completed" in events
    assert "prefect.flow-run.heartbeat" not in events  # no operator asked for them (flows.pass_heartbeats)
    assert _servers_under(home) == []


def _servers_under(home: Path) -> list[int]:
    """Processes running a Prefect API server app with this PREFECT_HOME."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if (entry.name.isdigit() and b"prefect.server.api.server:create_app" in (entry / "cmdline").read_bytes()
                    and f"PREFECT_HOME={home}".encode() in (entry / "environ").read_bytes()):
                found.append(int(entry.name))
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


def test_a_temporary_server_that_does_not_answer_in_time_is_one_line_and_exit_2(tmp_path):
    config = tmp_path / "storywatch.yaml"
    config.write_text("database: sw.duckdb\nfeeds:\n  - name: Gazette\n    url: http://127.0.0.1:9/rss.xml\n")
    environment = {name: value for name, value in os.environ.items() if name != "PREFECT_API_URL"}
    environment |= {**prefect_environment(quiet=True), "PREFECT_HOME": str(tmp_path / "prefect"),
                    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "0", "COLUMNS": "300"}

    run = subprocess.run([str(STORYWATCH), "run", "-c", str(config)], env=environment, capture_output=True,
                         text=True, timeout=120, stdin=subprocess.DEVNULL)

    assert run.returncode == 2, run.stdout + run.stderr
    assert run.stderr.strip().splitlines() == [
        "error: Prefect's temporary API server did not start within 0 s: raise "
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, or run `prefect server start` and set PREFECT_API_URL"]
    assert _servers_under(tmp_path / "prefect") == []
