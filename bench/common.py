"""What the benches share: the evaluation pages, a Prefect server, and a measured `storywatch run`."""

from __future__ import annotations

import gzip
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx

from eval_data import EVAL_DATA, require
from storywatch.flows import prefect_environment

BIN = Path(sys.executable).parent
QUIET = prefect_environment(quiet=True)
_TICKS = os.sysconf("SC_CLK_TCK")


def eval_pages_dir() -> Path:
    """trafilatura's evaluation pages; exits with one line saying what is missing (see eval_data)."""
    return require(EVAL_DATA, "trafilatura-eval/html") / "trafilatura-eval" / "html"


def load_pages(limit: int) -> list[bytes]:
    return [gzip.decompress(path.read_bytes()) for path in sorted(eval_pages_dir().glob("*.html.gz"))[:limit]]


def rss(links: list[str], start: datetime) -> str:
    items = "".join(
        f"<item><title>Page {i}</title><link>{link}</link>"
        f"<pubDate>{format_datetime(start + timedelta(minutes=i))}</pubDate></item>"
        for i, link in enumerate(links)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>bench</title>{items}</channel></rss>'


@dataclass
class TreeSample:
    """Peak resident memory of a process tree, and CPU seconds per kind of process in it.

    RSS counts the pages forked workers share with their fork server once per process; PSS
    (proportional set size) splits them among the sharers, so its sum is what the tree uses.
    """

    peak_rss: int = 0
    peak_pss: int = 0
    peak_rss_by_kind: dict[str, int] = field(default_factory=dict)
    cpu_by_pid: dict[int, float] = field(default_factory=dict)
    kind_by_pid: dict[int, str] = field(default_factory=dict)

    def cpu(self, kind: str) -> float:
        return sum(cpu for pid, cpu in self.cpu_by_pid.items() if self.kind_by_pid[pid] == kind)

    def take(self, root: int) -> None:
        children: dict[int, list[int]] = {}
        status: dict[int, tuple[int, float, str]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                rss_pages = int((entry / "statm").read_text().split()[1])
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            parent, cpu = int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICKS
            children.setdefault(parent, []).append(int(entry.name))
            status[int(entry.name)] = (rss_pages * os.sysconf("SC_PAGE_SIZE"), cpu, command)
        by_kind: dict[str, int] = {}
        pss, stack = 0, [root]
        while stack:
            pid = stack.pop()
            if pid in status:
                rss, cpu, command = status[pid]
                kind = self.kind_by_pid.setdefault(pid, _kind(pid, root, command))
                by_kind[kind] = by_kind.get(kind, 0) + rss
                self.cpu_by_pid[pid] = max(cpu, self.cpu_by_pid.get(pid, 0.0))
                pss += _pss(pid)
            stack += children.get(pid, [])
        self.peak_rss = max(self.peak_rss, sum(by_kind.values()))
        self.peak_pss = max(self.peak_pss, pss)
        for kind, rss in by_kind.items():
            self.peak_rss_by_kind[kind] = max(rss, self.peak_rss_by_kind.get(kind, 0))


def _pss(pid: int) -> int:
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    line = next((line for line in rollup.splitlines() if line.startswith("Pss:")), "Pss: 0 kB")
    return int(line.split()[1]) * 1024


def _kind(pid: int, root: int, command: str) -> str:
    if pid == root:
        return "main"
    if "uvicorn" in command:
        return "prefect server"
    if "multiprocessing" in command or "forkserver" in command:
        return "workers"
    return "other"


@dataclass(frozen=True)
class Run:
    wall: float
    tree: TreeSample
    launched_at: float   # time.time() at launch
    exited_at: float


def timed_run(config: Path, extra_env: dict[str, str]) -> Run:
    """One `storywatch run` as a subprocess: wall time, peak tree RSS and CPU per process kind."""
    command = [str(BIN / "storywatch"), "run", "-c", str(config)]
    env = {**os.environ, **QUIET, **extra_env}
    launched_at, started = time.time(), time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    tree = TreeSample()
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            tree.take(process.pid)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"storywatch run failed ({process.returncode}):\n{output}")
    return Run(elapsed, tree, launched_at, launched_at + elapsed)


@dataclass(frozen=True)
class PrefectServer:
    env: dict[str, str]   # points a run at the server
    pid: int

    def cpu_seconds(self) -> float:
        tree = TreeSample()
        tree.take(self.pid)
        return sum(tree.cpu_by_pid.values())


@contextmanager
def prefect_server(home: Path) -> Iterator[PrefectServer]:
    """A local Prefect API server on a free port, started and ready."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, **QUIET, "PREFECT_HOME": str(home)}
    server = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the Prefect server did not start")
            time.sleep(0.5)
        yield PrefectServer({"PREFECT_HOME": str(home), "PREFECT_API_URL": url}, server.pid)
    finally:
        server.terminate()
        server.wait(30)
