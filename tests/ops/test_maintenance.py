"""`storywatch maintain`: raw HTML past retention is dropped, text stays, and the space is reused."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from storywatch.cli import app
from storywatch.config import load_settings
from storywatch.flows.maintenance import maintain as maintain_flow
from storywatch.warehouse import store
from storywatch.warehouse.db import open_warehouse
from storywatch.warehouse.maintenance import file_bytes, maintain
from tests.builders import make_article
from tests.ops.conftest import NOW, RETENTION_DAYS


def pages(database) -> dict[str, tuple[bool, str]]:
    """url -> (raw HTML kept, article text)."""
    with open_warehouse(database, read_only=True) as con:
        return {url: (kept, text) for url, kept, text in con.execute(
            "SELECT a.url, p.raw_html_z IS NOT NULL, a.text FROM internal.pages p JOIN articles a USING (article_id)"
        ).fetchall()}


def test_retention_drops_old_raw_html_and_keeps_the_text(config_path):
    database = load_settings(config_path).database
    before = pages(database)
    with open_warehouse(database, read_only=True) as con:
        (old_bytes,) = con.execute("SELECT sum(octet_length(raw_html_z)) FROM internal.pages "
                                   "WHERE fetched_at < ?", [NOW - timedelta(days=RETENTION_DAYS)]).fetchone()

    summary = maintain(database, RETENTION_DAYS, now=NOW)

    assert (summary.pages_pruned, summary.bytes_freed_estimate) == (2, old_bytes)
    after = pages(database)
    # Fetched 40 and 31 days ago: pruned; 1 day ago and today: kept. Every text is intact.
    assert {url: kept for url, (kept, _) in after.items()} == {
        "https://wire.example/0": False, "https://wire.example/1": False,
        "https://wire.example/2": True, "https://wire.example/3": True}
    assert {url: text for url, (_, text) in after.items()} == {url: text for url, (_, text) in before.items()}
    assert maintain(database, RETENTION_DAYS, now=NOW).pages_pruned == 0


def test_checkpoint_frees_the_pruned_blocks_for_new_pages(tmp_path):
    database = tmp_path / "sw.duckdb"
    noise = random.Random(7)

    def batch(name: str, days_ago: int):
        # Random bytes do not compress, so each page really occupies its 40 KB in the file.
        return [make_article(f"https://wire.example/{name}/{i}", f"Report {name} {i} on the harbor strike.",
                             fetched_at=NOW - timedelta(days=days_ago), raw_html=noise.randbytes(40_000))
                for i in range(100)]

    with open_warehouse(database) as con:
        store.store_articles(con, "old", batch("old", 60))
    summary = maintain(database, RETENTION_DAYS, now=NOW)
    assert summary.pages_pruned == 100 and summary.bytes_freed_estimate > 4_000_000
    assert summary.free_bytes_after > summary.bytes_freed_estimate // 2
    assert summary.file_bytes_after == file_bytes(database)

    with open_warehouse(database) as con:
        store.store_articles(con, "new", batch("new", 0))
    # The new pages fill the freed blocks: the file grows by less than the 4 MB they hold
    # (without the pruning it grows by about 10 MB).
    assert file_bytes(database) < summary.file_bytes_after + 3_000_000


@pytest.mark.prefect
def test_flow_run_prunes_and_leaves_an_artifact(prefect_api, config_path):
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    summary = maintain_flow(config_path=str(config_path))

    assert summary.pages_pruned == 2
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["storywatch-maintain"])))
    assert any("| pages pruned | 2 |" in artifact.data for artifact in artifacts)


@pytest.mark.prefect
def test_cli_runs_the_flow_and_prints_the_summary(prefect_api, config_path):
    result = CliRunner().invoke(app, ["maintain", "-c", str(config_path)])
    assert result.exit_code == 0, result.output
    assert "pages pruned" in result.output and "30 days" in result.output
    assert all(not kept for url, (kept, _) in pages(load_settings(config_path).database).items()
               if url in ("https://wire.example/0", "https://wire.example/1"))
