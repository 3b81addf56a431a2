"""Articles built from the seed texts, for tests that start at the warehouse stage."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime

from storywatch.warehouse.fingerprint import fingerprint
from storywatch.warehouse.records import Article
from tests.fixtures import corpus_articles

# One report of each of three Ever Given developments, in order, and the first Colonial Pipeline report.
GROUNDING, REFLOATING, IMPOUNDING, PIPELINE = "eg1-lakeside", "eg3-northgate", "eg4-northgate", "cp1-northgate"
SEEDS = (GROUNDING, REFLOATING, IMPOUNDING, PIPELINE)


def seed_texts() -> list[str]:
    """The four seed articles' bodies: distinct reports, none a copy of another."""
    articles = corpus_articles()
    return [articles[key].text for key in SEEDS]


def make_article(url: str, text: str, *, feed: str = "wire", source: str = "Example Wire", **changes) -> Article:
    article = Article(
        url=url,
        final_url=url,
        canonical_url=url,
        feed=feed,
        source=source,
        title=text.split(".")[0][:80],
        author=None,
        published_at=datetime(2021, 3, 22, 12, tzinfo=UTC),
        fetched_at=datetime.now(UTC),
        language="en",
        text=text,
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
        fingerprint=fingerprint(text),
        raw_html=f"<html><body><p>{text}</p></body></html>".encode(),
    )
    return replace(article, **changes)
