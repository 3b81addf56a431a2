"""Fixtures for storyline tracking: the labelled corpus articles, a migrated DuckDB file and an article writer."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest

from storywatch.config import StorylineSettings
from storywatch.warehouse.db import connect
from tests.alerts.conftest import receiver  # noqa: F401  (the JSON webhook the hard cases deliver to)
from tests.builders import GROUNDING, IMPOUNDING, PIPELINE, REFLOATING, SEEDS  # noqa: F401  (for the tests)
from tests.fixtures import CorpusArticle, corpus_articles, corpus_storylines

# Written queries for the tests that build their own articles.
AMBASSADOR = StorylineSettings(
    id="ambassador-recall",
    title="Russian ambassador to the US recalled",
    query="Antonov AND (ambassador OR envoy) AND (recall* OR Moscow OR consultations)",
)
NATO = StorylineSettings(id="nato-mission", title="Russia ends its NATO mission", query="NATO AND mission")

# The corpus's storylines, for the tests on its labelled articles (tests/fixtures).
EVER_GIVEN, COLONIAL = (StorylineSettings(**{key: storyline[key] for key in ("id", "title", "query")})
                        for storyline in (corpus_storylines()["ever-given"], corpus_storylines()["colonial-pipeline"]))


@pytest.fixture(scope="session")
def corpus() -> dict[str, CorpusArticle]:
    return corpus_articles()


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


def store_corpus_article(con: duckdb.DuckDBPyConnection, article: CorpusArticle, **overrides) -> str:
    values = {"source": article.outlet, "published_at": article.published_at} | overrides
    return store_article(con, article.id, article.title, article.text, **values)
