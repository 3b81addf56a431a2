"""Benchmark: a full `storywatch run` over ~1,000 real pages against bare trafilatura on the same pages.

Serves the 990 real pages of trafilatura's evaluation set ($STORYWATCH_EVAL_DATA/trafilatura-eval)
behind RSS feeds on ten loopback hosts, then prints, in one run:
  - bare single-process `trafilatura.extract(page, include_comments=False)` time,
  - the wall time of `storywatch run` as a subprocess (Python and Prefect start-up included),
  - their ratio, the idle pass (every feed answers 304), and peak RSS of the process tree,
twice: with Prefect's temporary per-process server (a plain `storywatch run`), and against a
running `prefect server` (how `serve` and work-pool deployments run, start-up paid once).

    .venv/bin/python bench/pipeline.py [--pages N] [--feeds K]
"""

from __future__ import annotations

import argparse
import gzip
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import duckdb
import httpx
import trafilatura

from eval_data import EVAL_DATA, require
from storywatch.demo.server import LoopbackSite
from storywatch.flows import prefect_environment

PAGES = require(EVAL_DATA, "trafilatura-eval/html") / "trafilatura-eval" / "html"


def load_pages(limit: int) -> list[bytes]:
    return [gzip.decompress(path.read_bytes()) for path in sorted(PAGES.glob("*.html.gz"))[:limit]]


def bare_extraction_seconds(pages: list[bytes]) -> float:
    started = time.perf_counter()
    for page in pages:
        trafilatura.extract(page, include_comments=False)
    return time.perf_counter() - started


def rss(links: list[str], start: datetime) -> str:
    items = "".join(
        f"<item><title>Page {i}</title><link>{link}</link>"
        f"<pubDate>{format_datetime(start + timedelta(minutes=i))}</pubDate></item>"
        for i, link in enumerate(links)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>bench</title>{items}</channel></rss>'


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        children.setdefault(int(fields["PPid"]), []).append(int(entry.name))
        rss[int(entry.name)] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += rss.get(current, 0)
        stack += children.get(current, [])
    return total


BIN = Path(sys.executable).parent
QUIET = prefect_environment(quiet=True)


@contextmanager
def prefect_server(home: Path, port: int = 4299) -> Iterator[dict[str, str]]:
    """A local Prefect API server; yields the environment that points a run at it."""
    env = {**os.environ, **QUIET, "PREFECT_HOME": str(home)}
    server = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the Prefect server did not start")
            time.sleep(0.5)
        yield {"PREFECT_HOME": str(home), "PREFECT_API_URL": url}
    finally:
        server.terminate()
        server.wait(30)


def timed_run(config: Path, extra_env: dict[str, str]) -> tuple[float, int, str]:
    """Wall seconds, peak tree RSS and output of one `storywatch run`."""
    command = [str(BIN / "storywatch"), "run", "-c", str(config)]
    env = {**os.environ, **QUIET, **extra_env}
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    peak = 0
    sampler_done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not sampler_done.wait(0.2):
            peak = max(peak, tree_rss_bytes(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    elapsed = time.perf_counter() - started
    sampler_done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"storywatch run failed ({process.returncode}):\n{output}")
    return elapsed, peak, output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=990)
    parser.add_argument("--feeds", type=int, default=10)
    args = parser.parse_args()

    pages = load_pages(args.pages)
    print(f"pages: {len(pages)} real pages, {sum(map(len, pages)) / 1e6:.0f} MB, {args.feeds} feeds on loopback hosts")
    bare = bare_extraction_seconds(pages)
    print(f"bare trafilatura.extract, one process: {bare:.1f} s ({len(pages) / bare:.1f} pages/s)")

    with ExitStack() as stack, tempfile.TemporaryDirectory() as workdir:
        sites = [stack.enter_context(LoopbackSite(f"127.0.0.{k + 1}")) for k in range(args.feeds)]
        links: list[list[str]] = [[] for _ in sites]
        for i, page in enumerate(pages):
            site = sites[i % len(sites)]
            site.route(f"/article/{i}.html", page, content_type="text/html")
            links[i % len(sites)].append(site.url(f"/article/{i}.html"))
        start = datetime(2026, 1, 1, tzinfo=UTC)
        feeds = ""
        for k, site in enumerate(sites):
            site.route("/rss.xml", rss(links[k], start), content_type="application/rss+xml", conditional=True)
            feeds += f"  - name: feed-{k}\n    url: {site.url('/rss.xml')}\n"

        def measure(label: str, name: str, extra_env: dict[str, str]) -> None:
            config = Path(workdir) / name / "storywatch.yaml"
            config.parent.mkdir()
            config.write_text(f"database: bench.duckdb\nfeeds:\n{feeds}")
            full, peak, _ = timed_run(config, extra_env)
            idle, _, _ = timed_run(config, extra_env)
            con = duckdb.connect(str(config.parent / "bench.duckdb"), read_only=True)
            stored, failed = con.execute(
                "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM internal.page_failures)"
            ).fetchone()
            con.close()
            print(f"{label}:")
            print(f"  full pass:   {full:5.1f} s wall, {full / bare:.2f}x bare ({stored} articles stored, {failed} failed)")
            print(f"  idle pass:   {idle:5.1f} s wall (all feeds 304)")
            print(f"  peak RSS:    {peak / 2**20:5.0f} MiB (process tree)")

        measure("storywatch run, temporary Prefect server", "ephemeral", {})
        with prefect_server(Path(workdir) / "prefect-home") as server_env:
            measure("storywatch run, against a running Prefect server", "server", server_env)


if __name__ == "__main__":
    main()
