"""Finding 14: a SIGKILLed `storywatch run` leaves neither Prefect's temporary server nor extraction workers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from storywatch.demo.server import LoopbackSite


def descendants(pid: int) -> set[int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def test_a_killed_pass_takes_its_server_and_workers_with_it(tmp_path, site: LoopbackSite, news) -> None:
    fast, stuck = news.story("fast", "harbour dredging"), news.story("stuck", "ferry timetable")
    site.route("/news/fast", news.article(fast))
    site.route("/news/stuck", news.article(stuck), delay=120)  # keeps the pass mid-crawl
    site.route("/rss.xml", news.rss([fast, stuck], lambda s: f"/news/{s.slug}"), content_type="application/rss+xml")
    config = tmp_path / "storywatch.yaml"
    config.write_text(f"database: sw.duckdb\nfetch:\n  timeout_seconds: 300\n  allow_internal: [127.0.0.1]\n"
                      f"feeds:\n  - name: Gazette\n    url: {site.url('/rss.xml')}\n")
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    run = subprocess.Popen([str(Path(sys.executable).parent / "storywatch"), "run", "-c", str(config)], env=env,
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_until(lambda: site.requests_for("/news/stuck") and len(descendants(run.pid)) >= 4, 180)
        children = descendants(run.pid)
    finally:
        os.kill(run.pid, signal.SIGKILL)
        run.wait()

    try:
        assert wait_until(lambda: not any(alive(pid) for pid in children), 30), [
            (Path("/proc") / str(pid) / "cmdline").read_bytes()[:80] for pid in children if alive(pid)]
    finally:
        for pid in filter(alive, children):  # a failing run's children are this test's to stop
            os.kill(pid, signal.SIGKILL)


ENDING = """
import atexit, sys
from storywatch.cli.lifetime import end_without_teardown
ending = end_without_teardown()
atexit.register(lambda: open(sys.argv[1], "w").write("ran"))  # registered later: runs first
sys.stdout.write("x" * 200_000)  # buffered when stdout is a pipe: must still arrive
try:
    raise SystemExit({code!r})
except SystemExit as done:
    ending.record(done)
    raise
"""


def test_the_command_ends_without_teardown_but_keeps_its_status_output_and_exit_handlers(tmp_path):
    for code, status in ((3, 3), (None, 0), ("a message", 1)):
        marker = tmp_path / f"handler-{status}"
        done = subprocess.run([sys.executable, "-c", ENDING.format(code=code), str(marker)],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == status, done.stderr
        assert done.stdout == "x" * 200_000
        assert marker.read_text() == "ran"
