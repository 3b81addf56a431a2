"""Benchmark: a full `storywatch run` over ~1,000 real pages against bare trafilatura on the same pages.

Serves the 990 real pages of trafilatura's evaluation set ($STORYWATCH_EVAL_DATA/trafilatura-eval)
behind RSS feeds on ten loopback hosts, then prints, in one run:
  - bare single-process `trafilatura.extract(page, include_comments=False)` time (wall and CPU),
  - the wall time of `storywatch run` as a subprocess (Python and Prefect start-up included),
    its ratio to bare extraction, the idle pass (every feed answers 304), peak RSS of the
    process tree, and where the time went: wall and CPU per stage in the main process, CPU
    per step in the extraction workers, CPU per kind of process, Prefect's own share,
  - the share of pages whose stored text differs from bare `trafilatura.extract`,
twice: with Prefect's temporary per-process server (a plain `storywatch run`), and against a
running `prefect server` (how `serve` and work-pool deployments run, start-up paid once).

Each gets a Prefect home of its own under the scratch folder. The lone runs' home is first
used by one pass over a feed that answers 404, timed and printed apart: an installation's
first pass creates Prefect's database (migrations, 6-9 s of CPU here) and no pass after it
does, so charging that once-only cost to the measured pass would measure a fresh machine.

    .venv/bin/python bench/pipeline.py [--pages N] [--feeds K]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
import zlib
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import trafilatura

from common import PrefectServer, Run, load_pages, prefect_server, rss, timed_run
from storywatch.demo.server import LoopbackSite
from storywatch.extractors.charset import decode_body


@dataclass(frozen=True)
class Bare:
    wall: float
    cpu: float
    texts: dict[int, str]  # page number -> extracted text


def bare_extraction(pages: list[bytes]) -> Bare:
    started, cpu = time.perf_counter(), time.process_time()
    texts = {i: (trafilatura.extract(page, include_comments=False) or "").strip() for i, page in enumerate(pages)}
    return Bare(time.perf_counter() - started, time.process_time() - cpu, texts)


def cpu_ms_per_page(pages: list[bytes], work) -> float:
    """CPU milliseconds a page of `work` in this process: the cost of one main-process step."""
    started = time.process_time()
    for page in pages:
        work(page)
    return (time.process_time() - started) * 1000 / len(pages)


@dataclass(frozen=True)
class Pass:
    run: Run
    summary: dict

    def stage(self, where: str, name: str) -> tuple[float, float]:
        times = self.summary["collected"][where] if where != "task_times" else self.summary["task_times"]
        return times["wall"].get(name, 0.0), times["cpu"].get(name, 0.0)


def passes(database: Path) -> list[dict]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        rows = con.execute("SELECT summary FROM internal.passes ORDER BY started_at").fetchall()
    finally:
        con.close()
    return [json.loads(summary) for (summary,) in rows]


def print_breakdown(label: str, measured: Pass, server_cpu: float | None) -> None:
    summary, run, tree = measured.summary, measured.run, measured.run.tree
    flow_start = datetime.fromisoformat(summary["started_at"]).timestamp() - run.launched_at
    flow_end = run.exited_at - datetime.fromisoformat(summary["finished_at"]).timestamp()
    print(f"  {label} — wall s / CPU s:")
    print(f"    launch to flow start (Python, imports, Prefect start)  {flow_start:6.1f}")
    for name, what in (("collect", "collect step, whole"),
                       ("poll feeds", "  poll feeds"),
                       ("fetch pages", "  fetch pages (pipelined with extraction; httpx, charset, hand-off)"),
                       ("store articles", "  store articles (DuckDB writes, raw HTML zlib; in a thread)")):
        wall, cpu = measured.stage("main_times", name)
        print(f"    main: {what:68s} {wall:6.1f} / {cpu:5.1f}")
    task_wall, _ = measured.stage("task_times", "collect-articles")
    step_wall, _ = measured.stage("main_times", "collect")
    print(f"    collect-articles task around the step (Prefect task states, pool start)  {task_wall - step_wall:6.1f}")
    for name in ("track-storylines", "deliver-alerts"):
        wall, cpu = measured.stage("task_times", name)
        print(f"    task {name:30s} (Prefect task states included)   {wall:6.1f} / {cpu:5.1f}")
    print(f"    flow end to exit (record pass, artifact, Prefect shutdown)     {flow_end:6.1f}")
    workers = summary["collected"]["worker_times"]["cpu"]
    if workers:
        steps_cpu = ", ".join(f"{name} {cpu:.1f}" for name, cpu in workers.items())
        print(f"    workers, CPU s per step: {steps_cpu}")
    kinds = ", ".join(f"{kind} {tree.cpu(kind):.1f}" for kind in ("main", "workers", "prefect server", "other")
                      if tree.cpu(kind) > 0.05)
    server = f", running prefect server {server_cpu:.1f}" if server_cpu is not None else ""
    print(f"    CPU s per process: {kinds}{server}")


def quality(database: Path, bare: Bare) -> tuple[int, int]:
    """Stored articles, and how many of them hold a text other than bare trafilatura.extract's."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        rows = con.execute("SELECT url, text FROM articles").fetchall()
    finally:
        con.close()
    differ = sum(text.strip() != bare.texts[int(url.rsplit("/", 1)[1].split(".")[0])] for url, text in rows)
    return len(rows), differ


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=990)
    parser.add_argument("--feeds", type=int, default=10)
    args = parser.parse_args()

    pages = load_pages(args.pages)
    load = os.getloadavg()[0]
    print(f"pages: {len(pages)} real pages, {sum(map(len, pages)) / 1e6:.0f} MB, {args.feeds} feeds on loopback hosts "
          f"(load average {load:.1f} on {os.cpu_count()} cores: wall times are noisy when it is high, CPU is not)")
    bare = bare_extraction(pages)
    print(f"bare trafilatura.extract, one process: {bare.wall:.1f} s wall, {bare.cpu:.1f} s CPU "
          f"({bare.cpu * 1000 / len(pages):.0f} ms CPU a page)")
    print(f"main-process steps, CPU ms a page: charset decoding {cpu_ms_per_page(pages, decode_body):.2f}, "
          f"raw HTML zlib level 1 {cpu_ms_per_page(pages, lambda p: zlib.compress(p, 1)):.2f} "
          f"(level 6 {cpu_ms_per_page(pages, lambda p: zlib.compress(p, 6)):.2f})")

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

        def measure(label: str, name: str, server: PrefectServer | None, home: dict[str, str] | None = None) -> None:
            config = Path(workdir) / name / "storywatch.yaml"
            config.parent.mkdir()
            config.write_text(f"database: bench.duckdb\nfetch:\n  allow_internal: [127.0.0.0/8]\nfeeds:\n{feeds}")
            env = server.env if server else home or {}
            server_cpu = [server.cpu_seconds() if server else 0.0]
            full = timed_run(config, env)
            server_cpu.append(server.cpu_seconds() if server else 0.0)
            idle = timed_run(config, env)
            server_cpu.append(server.cpu_seconds() if server else 0.0)
            database = config.parent / "bench.duckdb"
            full_summary, idle_summary = passes(database)
            stored, differ = quality(database, bare)
            failed = sum(full_summary["collected"]["page_failures"].values())
            print(f"{label}:")
            print(f"  full pass:   {full.wall:5.1f} s wall, {full.wall / bare.wall:.2f}x bare "
                  f"({stored} articles stored, {failed} failed)")
            print(f"  idle pass:   {idle.wall:5.1f} s wall (all feeds 304)")
            kinds = ", ".join(f"{kind} {rss / 2**20:.0f}" for kind, rss in full.tree.peak_rss_by_kind.items())
            print(f"  peak RSS:    {full.tree.peak_rss / 2**20:5.0f} MiB (process tree, full pass; peak MiB by kind: "
                  f"{kinds}); PSS {full.tree.peak_pss / 2**20:.0f} MiB (shared pages counted once)")
            size = database.stat().st_size
            print(f"  database:    {size / 1e6:5.0f} MB for {stored} articles with their raw HTML "
                  f"(~{size / max(stored, 1) * 100_000 / 1e9:.1f} GB per 100k articles)")
            print(f"  quality:     {differ} of {stored} stored texts ({differ / max(stored, 1):.1%}) "
                  "differ from bare trafilatura.extract")
            print_breakdown("full pass", Pass(full, full_summary),
                            server_cpu[1] - server_cpu[0] if server else None)
            print_breakdown("idle pass", Pass(idle, idle_summary),
                            server_cpu[2] - server_cpu[1] if server else None)

        lone_home = {"PREFECT_HOME": str(Path(workdir) / "prefect-lone")}
        first = Path(workdir) / "first-use" / "storywatch.yaml"
        first.parent.mkdir()
        first.write_text("database: first.duckdb\nfetch:\n  allow_internal: [127.0.0.0/8]\nfeeds:\n"
                         f"  - name: nothing\n    url: {sites[0].url('/not-a-feed.xml')}\n")
        print(f"first pass on a new Prefect home (creates Prefect's database, once per installation): "
              f"{timed_run(first, lone_home).wall:.1f} s wall, one feed that answers 404")
        measure("storywatch run, temporary Prefect server", "ephemeral", None, lone_home)
        with prefect_server(Path(workdir) / "prefect-home") as server:
            measure("storywatch run, against a running Prefect server", "server", server)


if __name__ == "__main__":
    main()
