"""Benchmark: one pass over 2,000 feeds on 200 loopback hosts, then an idle pass.

Each host (127.0.1.1 ... 127.0.1.200) serves 10 feeds of one short article each, so the
per-host limit (`fetch.per_host_concurrency`) is in play. On the idle pass three feeds in
four answer 304 and the fourth answers 200 with the items already stored (a server that
ignores validators). Runs against a running Prefect server (how `serve` runs) and prints
wall time, CPU per kind of process and peak memory of each pass.

    .venv/bin/python bench/scale_feeds.py [--hosts 200] [--feeds-per-host 10]
"""

from __future__ import annotations

import argparse
import tempfile
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from common import Run, prefect_server, rss, timed_run
from storywatch.demo.server import LoopbackSite

PARAGRAPH = (
    "The council of {town} approved the {n}th budget amendment on Tuesday after a debate that ran past midnight, "
    "with members split over the cost of repairing the harbour wall and the timetable for the new ferry service. "
)


def article(town: str, n: int) -> str:
    body = "".join(f"<p>{PARAGRAPH.format(town=town, n=n + k)}</p>" for k in range(6))
    return (f"<html><head><title>{town} budget {n}</title></head><body><nav>Home | News</nav>"
            f"<article><h1>{town} budget, part {n}</h1>{body}</article><footer>Contact</footer></body></html>")


def describe(label: str, run: Run, server_cpu: float) -> str:
    kinds = ", ".join(f"{kind} {run.tree.cpu(kind):.1f}" for kind in ("main", "workers")
                      if run.tree.cpu(kind) > 0.05) + f", running prefect server {server_cpu:.1f}"
    return (f"  {label}: {run.wall:5.1f} s wall; CPU s {kinds}; peak RSS {run.tree.peak_rss / 2**20:.0f} MiB, "
            f"PSS {run.tree.peak_pss / 2**20:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=200)
    parser.add_argument("--feeds-per-host", type=int, default=10)
    args = parser.parse_args()
    feeds = args.hosts * args.feeds_per_host
    print(f"feeds: {feeds} feeds on {args.hosts} loopback hosts, one article each")
    with ExitStack() as stack, tempfile.TemporaryDirectory() as workdir:
        config = Path(workdir) / "storywatch.yaml"
        # Loopback hosts are internal: allowed explicitly, as an operator would for a local feed.
        lines = ["database: bench.duckdb", "fetch:", "  allow_internal: [127.0.0.0/8]", "feeds:"]
        for h in range(args.hosts):
            site = stack.enter_context(LoopbackSite(f"127.0.1.{h + 1}"))
            for f in range(args.feeds_per_host):
                n = h * args.feeds_per_host + f
                site.route(f"/news/{f}.html", article(f"Town {h}", f))
                site.route(f"/feed/{f}.xml", rss([site.url(f"/news/{f}.html")], datetime(2026, 1, 1, tzinfo=UTC)),
                           content_type="application/rss+xml", conditional=n % 4 != 0)
                lines += [f"  - name: feed-{n}", f"    url: {site.url(f'/feed/{f}.xml')}"]
        config.write_text("\n".join(lines) + "\n")
        with prefect_server(Path(workdir) / "prefect-home") as server:
            server_cpu = [server.cpu_seconds()]
            first = timed_run(config, server.env)
            server_cpu.append(server.cpu_seconds())
            idle = timed_run(config, server.env)
            server_cpu.append(server.cpu_seconds())
            stored, failing = outcome(Path(workdir) / "bench.duckdb")
        if stored != feeds or failing:
            raise SystemExit(f"the first pass stored {stored} of {feeds} articles and {failing} feeds failed: "
                             "the figures would not measure a pass")
        print(describe("first pass", first, server_cpu[1] - server_cpu[0]) + f"; {stored} articles stored")
        print(describe("idle pass ", idle, server_cpu[2] - server_cpu[1]))


def outcome(database: Path) -> tuple[int, int]:
    """Articles stored, and feeds whose last poll failed."""
    with duckdb.connect(str(database), read_only=True) as con:
        stored = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        failing = con.execute("SELECT count(*) FROM feeds WHERE consecutive_failures > 0").fetchone()[0]
    return stored, failing


if __name__ == "__main__":
    main()
