"""The records of a pass that the warehouse keeps: what a feed listed, how a poll went, an extracted article, a page that failed.

Written by the web stage (`extractors`) and stored here, so they live with the tables they
fill; every later stage reads them. Plain frozen values: no I/O, nothing of the web stage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class FeedItem:
    feed: str                          # configured feed name
    link: str                          # absolute URL as listed (relative links resolved)
    title: str | None = None
    published_at: datetime | None = None   # tz-aware UTC
    updated_at: datetime | None = None     # tz-aware UTC
    author: str | None = None
    summary: str | None = None
    content: str | None = None         # full text the feed carries (content:encoded, Atom content), as plain text


@dataclass(frozen=True)
class FeedPoll:
    """One conditional GET of one feed."""

    feed: str
    url: str
    fetched_at: datetime
    status_code: int | None = None
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    items: tuple[FeedItem, ...] = ()
    error: str | None = None                   # one line; None when the poll worked
    retry_not_before: datetime | None = None   # from Retry-After on 429/503
    duration_ms: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class Article:
    """An extracted article, ready for dedupe and storage."""

    url: str                       # the feed's link (fetch URL)
    final_url: str
    canonical_url: str             # identity: rel=canonical / og:url, normalised, tracking params removed
    feed: str
    source: str                    # outlet name (site name, else host)
    title: str | None
    author: str | None
    published_at: datetime | None  # feed first, then the page
    fetched_at: datetime
    language: str | None
    text: str
    content_hash: str              # sha256 of the normalised text
    fingerprint: bytes = field(repr=False)  # MinHash signature (see warehouse.fingerprint)
    status_code: int = 200
    content_type: str = "text/html"
    encoding: str = "utf-8"
    raw_html: bytes = field(repr=False, default=b"")
    item_updated_at: datetime | None = None


@dataclass(frozen=True)
class PageFailure:
    """A listed link that could not become an article this pass."""

    url: str
    feed: str
    kind: str        # PageError.kind
    error: str       # one line, no secrets
    retryable: bool
    attempted_at: datetime
