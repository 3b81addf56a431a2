"""Fixtures for storyline tracking: the seed articles, a migrated DuckDB file and an article writer."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest

from storywatch.config import StorylineSettings
from storywatch.warehouse.db import connect
from tests.alerts.conftest import receiver  # noqa: F401  (the JSON webhook the hard cases deliver to)
from tests.shared_data import SEEDS

AMBASSADOR = StorylineSettings(
    id="ambassador-recall",
    title="Russian ambassador to the US recalled",
    query="Antonov AND (ambassador OR envoy) AND (recall* OR Moscow OR consultations)",
)
NATO = StorylineSettings(id="nato-mission", title="Russia ends its NATO mission", query="NATO AND mission")


@dataclass(frozen=True)
class Seed:
    key: str        # file prefix: 000 … 003
    title: str
    text: str
    source: str
    published_at: datetime


_SEED_FACTS = {  # from seeds/README.md
    "003": ("2021-03-18", "Stephen Lendman blog"),
    "000": ("2021-03-22", "WSWS"),
    "001": ("2021-03-30", "TASS"),
    "002": ("2021-10-31", "WSWS"),
}


def load_seeds() -> dict[str, Seed]:
    seeds = {}
    for path in sorted(SEEDS.glob("0*.txt")):
        key = path.name[:3]
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        day, source = _SEED_FACTS[key]
        published = datetime.fromisoformat(day).replace(tzinfo=timezone.utc)
        seeds[key] = Seed(key, lines[0].strip(), "\n".join(lines[1:]), source, published)
    return seeds


@pytest.fixture(scope="session")
def seeds() -> dict[str, Seed]:
    return load_seeds()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(tmp_path / "storywatch.duckdb")
    yield con
    con.close()


def store_article(
    con: duckdb.DuckDBPyConnection,
    article_id: str,
    title: str,
    text: str,
    *,
    source: str = "Example Wire",
    published_at: datetime | None = None,
    duplicate_of: str | None = None,
    language: str | None = "en",
) -> str:
    """Insert one row into internal.articles the way the store would; returns the id."""
    url = f"https://news.example/{article_id}"
    fetched_at = published_at or datetime(2021, 11, 1, tzinfo=timezone.utc)
    con.execute(
        "INSERT INTO internal.articles (article_id, canonical_url, url, final_url, feed, source, title, "
        "published_at, fetched_at, updated_at, language, text, content_hash, duplicate_of, pass_id) "
        "VALUES (?, ?, ?, ?, 'wire', ?, ?, ?, ?, ?, ?, ?, ?, ?, 'test')",
        [article_id, url, url, url, source, title, published_at, fetched_at, fetched_at, language, text,
         hashlib.sha256(text.encode()).hexdigest(), duplicate_of],
    )
    return article_id


def store_seed(con: duckdb.DuckDBPyConnection, seed: Seed, **overrides) -> str:
    values = {"source": seed.source, "published_at": seed.published_at} | overrides
    return store_article(con, f"seed-{seed.key}", seed.title, seed.text, **values)
