"""`storywatch web` as a user starts it: a real process on a loopback port, stopped with Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from storywatch.warehouse.analyst import analyst_copy_path

STORYWATCH = Path(sys.executable).parent / "storywatch"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "storywatch.yaml"
    path.write_text("database: sw.duckdb\nfeeds:\n  - name: Wire\n    url: https://wire.example/rss\n"
                    "storylines:\n  - id: strike\n    title: Port strike\n    query: strike\n", encoding="utf-8")
    return path


def test_web_serves_on_loopback_until_interrupted(config):
    web = subprocess.Popen([str(STORYWATCH), "web", "--port", "0", "-c", str(config)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        announced = web.stdout.readline()
        assert announced.startswith("storywatch web on http://127.0.0.1:"), announced + web.stderr.read()
        assert str(analyst_copy_path(config.parent / "sw.duckdb")) in announced
        url = announced.split()[3]
        page = httpx.get(url + "storylines/strike", timeout=10)
        assert page.status_code == 503 and "run `storywatch run` first" in page.text
        web.send_signal(signal.SIGINT)
        assert web.wait(timeout=30) == 0
    finally:
        web.kill()
        web.wait()


def test_a_taken_port_is_a_one_line_error(config):
    with subprocess.Popen([str(STORYWATCH), "web", "--port", "0", "-c", str(config)], stdout=subprocess.PIPE,
                          text=True) as first:
        try:
            port = first.stdout.readline().split()[3].rstrip("/").rsplit(":", 1)[1]
            second = subprocess.run([str(STORYWATCH), "web", "--port", port, "-c", str(config)],
                                    capture_output=True, text=True, timeout=60)
            assert second.returncode == 2
            assert second.stderr.startswith(f"error: web: cannot listen on 127.0.0.1:{port} (Address already in use)")
            assert len(second.stderr.strip().splitlines()) == 1
        finally:
            first.send_signal(signal.SIGINT)
            first.wait(timeout=30)
