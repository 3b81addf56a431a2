"""Benchmark: one `storywatch run` over the whole hostile set, beside good feeds, measured.

Serves the hostile set of tests/security/hostile.py (compression bombs, an entity-expansion
feed, absurd dates and Retry-After, DNS-rebinding and IDNA hosts behind a scripted attacker
resolver, a cross-site canonical, Slack markup, a 60,000-item feed) on loopback hosts, runs
`storywatch run` in a child process whose resolver is the attacker's, and prints its exit
status, the good articles stored, the requests the internal host got, the failure kinds and
the peak RSS of the largest process of the pass.

    .venv/bin/python -m bench.hostile      (from the repository root)
"""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import duckdb

from storywatch.demo.server import LoopbackSite
from tests.security.hostile import AttackerDNS, HostileSet

LIMIT_MIB = 500


def child(config: str, script: str) -> None:
    """The pass itself, with the attacker's DNS answering every lookup it scripts."""
    socket.getaddrinfo = AttackerDNS(json.loads(script))
    from storywatch.cli import main

    sys.argv = ["storywatch", "run", "-c", config]
    main()


def main() -> None:
    with ExitStack() as stack, tempfile.TemporaryDirectory() as workdir:
        site, internal, publisher, busy = (
            stack.enter_context(LoopbackSite(f"127.0.0.{n}")) for n in (1, 2, 3, 4))
        hostile = HostileSet(site=site, publisher=publisher, busy=busy, internal=internal).serve()
        config = Path(workdir) / "storywatch.yaml"
        config.write_text(hostile.config())
        env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING"}
        started = time.perf_counter()
        run = subprocess.run([sys.executable, "-m", "bench.hostile", "--child", str(config), json.dumps(hostile.dns)],
                             env=env, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        con = duckdb.connect(str(Path(workdir) / "hostile.duckdb"), read_only=True)
        stored = {url for (url,) in con.execute("SELECT url FROM articles").fetchall()}
        kinds = dict(con.execute("SELECT kind, count(*) FROM internal.page_failures GROUP BY kind ORDER BY kind")
                     .fetchall())
        feed_errors = con.execute("SELECT count(*) FROM feeds WHERE last_error IS NOT NULL").fetchone()[0]
        con.close()

    good = sum(url in stored for url in hostile.good_urls)
    print(f"storywatch run over the hostile set: exit {run.returncode} in {elapsed:.1f} s")
    print(f"good articles stored: {good} of {len(hostile.good_urls)}")
    print(f"requests to the internal host: {len(internal.requests)}")
    print(f"feeds with an error: {feed_errors} of {len(hostile.feeds)}; page failures by kind: {kinds}")
    print(f"peak RSS of the largest process: {peak_mib:.0f} MiB (limit {LIMIT_MIB})")
    healthy = (run.returncode == 0 and good == len(hostile.good_urls) and not internal.requests
               and peak_mib < LIMIT_MIB)
    if not healthy:
        sys.exit(f"the hostile set got through:\n{run.stdout}\n{run.stderr}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(*sys.argv[2:4])
    else:
        main()
