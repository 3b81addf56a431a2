"""Hostile publishers against the real pipeline: a loopback site, the collect and track steps, a DuckDB file."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from storywatch.config import Settings, load_settings
from storywatch.demo.server import LoopbackSite
from storywatch.flows import steps
from tests.security.hostile import gzip_bomb


def rows(database: Path, sql: str, parameters: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(sql, parameters or []).fetchall()
    finally:
        con.close()


@dataclass(frozen=True)
class PassResult:
    settings: Settings
    collected: steps.CollectSummary

    def rows(self, sql: str, parameters: list | None = None) -> list[tuple]:
        return rows(self.settings.database, sql, parameters)


def write_config(
    directory: Path, feeds: dict[str, str], *, allow: str = "[127.0.0.1, 127.0.0.3]", extra: str = "", **fetch: object
) -> Path:
    """A config over `feeds` (name -> URL) with `fetch` settings; loopback publishers are allowed explicitly,
    as an operator would."""
    fetch = {"timeout_seconds": 2, "max_bytes": 200_000, "allow_internal": allow, **fetch}
    listed = "".join(f"  - name: {name}\n    url: \"{url}\"\n" for name, url in feeds.items())
    path = directory / "storywatch.yaml"
    path.write_text(
        "database: sw.duckdb\nfetch:\n"
        + "".join(f"  {key}: {value}\n" for key, value in fetch.items())
        + f"feeds:\n{listed}{extra}"
    )
    return path


@pytest.fixture
def publisher() -> Iterator[LoopbackSite]:
    """A second, independent publisher (127.0.0.3), allowed like the first: one host misbehaving must not stop it."""
    with LoopbackSite("127.0.0.3") as running:
        yield running


def run_pass(config: Path, environ: dict[str, str] | None = None) -> PassResult:
    """One monitoring pass without Prefect's server: collect, then track (the steps the flow's tasks call)."""
    settings = load_settings(config, environ)
    collected = steps.collect(settings, steps.new_pass_id(datetime.now(UTC)))
    steps.track_storylines(settings)
    return PassResult(settings, collected)


@pytest.fixture(scope="session")
def bombs() -> Iterator[dict[int, bytes]]:
    """One GiB of zeros behind one and two gzip layers."""
    yield {layers: gzip_bomb(1 << 30, layers) for layers in (1, 2)}
