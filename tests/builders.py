"""Articles built from the seed texts, for tests that start at the warehouse stage."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime

from storywatch.extractors.fingerprint import fingerprint
from storywatch.extractors.values import Article
from tests.shared_data import SEEDS


def seed_texts() -> list[str]:
    """The four seed articles' bodies (title line dropped)."""
    return [path.read_text(encoding="utf-8").strip().split("\n", 1)[1] for path in sorted(SEEDS.glob("0*.txt"))]


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
