"""A warehouse with rows in every analyst view, built by the real store and tracking steps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storywatch.config import load_settings
from storywatch.flows.steps import track_storylines
from storywatch.warehouse import store
from storywatch.warehouse.db import open_warehouse, transaction
from storywatch.warehouse.records import FeedPoll
from tests.builders import make_article

NOW = datetime.now(UTC).replace(microsecond=0)
DAYS_AGO = (40, 31, 1, 0)  # when each seed article was fetched and its feed polled
RETENTION_DAYS = 30


@pytest.fixture
def config_path(tmp_path, seed_texts) -> Path:
    """A config whose database holds the seed articles, their polls, developments and alerts."""
    config = tmp_path / "storywatch.yaml"
    config.write_text(
        "database: sw.duckdb\n"
        "feeds:\n  - name: wire\n    url: https://wire.example/rss.xml\n"
        "storylines:\n  - id: ever-given\n    title: Ever Given blocks the Suez Canal\n"
        "    query: '\"Ever Given\" AND Suez'\n"
        "notify:\n  - url: json://127.0.0.1:9/hook\n"
        f"maintenance:\n  raw_html_retention_days: {RETENTION_DAYS}\n"
    )
    settings = load_settings(config)
    with open_warehouse(settings.database) as con, transaction(con):
        articles = [make_article(f"https://wire.example/{i}", text, fetched_at=NOW - timedelta(days=days))
                    for i, (text, days) in enumerate(zip(seed_texts, DAYS_AGO, strict=True))]
        store.store_articles(con, "p1", articles)
        polls = [FeedPoll("wire", "https://wire.example/rss.xml", NOW - timedelta(days=days), status_code=200)
                 for days in DAYS_AGO]
        store.record_feed_polls(con, "p1", polls, {"wire": len(articles)})
    track_storylines(settings, now=NOW)
    return config
