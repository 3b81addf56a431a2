"""Writing a pass into DuckDB: feed state, listed links, articles (with revisions and copies), failures.

Each function writes one batch inside the caller's transaction, with bulk statements, so a
pass killed halfway keeps every batch it committed and the next pass continues from there.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from urllib.parse import urlsplit

import duckdb
from tld import get_fld

from storywatch.warehouse.db import insert_all, unnested
from storywatch.warehouse.dedupe import CopyFinder, refresh_stale_fingerprints, sql_strings
from storywatch.warehouse.fingerprint import SCHEME, band_keys
from storywatch.warehouse.records import Article, FeedItem, FeedPoll, PageFailure


def article_id_for(canonical_url: str) -> str:
    """Stable id from the identity URL: a re-run derives the same id, so no row is stored twice."""
    return hashlib.sha256(canonical_url.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class FeedValidators:
    """What the last poll left for the next one: conditional-GET headers and a back-off time."""

    etag: str | None = None
    last_modified: str | None = None
    retry_not_before: datetime | None = None


@dataclass
class StoreResult:
    new: list[str] = field(default_factory=list)         # article ids stored for the first time
    updated: list[str] = field(default_factory=list)     # text changed at the same URL
    unchanged: int = 0
    duplicates: list[str] = field(default_factory=list)  # new articles that copy an earlier one

    def merge(self, other: StoreResult) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.duplicates += other.duplicates


# -- feeds -----------------------------------------------------------------------------------


def feed_validators(con: duckdb.DuckDBPyConnection) -> dict[str, FeedValidators]:
    """Validators per feed, withheld while the feed has pages to retry: a 304 would hide its items."""
    rows = con.execute(
        """
        SELECT s.feed,
               CASE WHEN r.feed IS NULL THEN s.etag END,
               CASE WHEN r.feed IS NULL THEN s.last_modified END,
               s.retry_not_before
        FROM internal.feed_state s
        LEFT JOIN (SELECT DISTINCT feed FROM internal.page_failures WHERE retryable) r USING (feed)
        """
    ).fetchall()
    return {feed: FeedValidators(etag, modified, not_before) for feed, etag, modified, not_before in rows}


def record_feed_polls(
    con: duckdb.DuckDBPyConnection, pass_id: str, polls: Sequence[FeedPoll], new_articles: dict[str, int]
) -> None:
    """Log every poll in feed_fetches and fold it into the feed's health and validators."""
    insert_all(con, "internal.feed_fetches", [
        {"pass_id": pass_id, "feed": p.feed, "url": p.url, "fetched_at": p.fetched_at, "status_code": p.status_code,
         "not_modified": p.not_modified, "error": p.error, "items": len(p.items),
         "new_articles": new_articles.get(p.feed, 0), "duration_ms": p.duration_ms}
        for p in polls
    ])
    # A poll succeeded when it carries no error; only then may it touch the validators.
    insert_all(
        con,
        "internal.feed_state",
        [
            {"feed": p.feed, "url": p.url, "etag": p.etag, "last_modified": p.last_modified,
             "last_success_at": p.fetched_at if p.ok else None, "last_error_at": None if p.ok else p.fetched_at,
             "last_error": p.error, "consecutive_failures": 0 if p.ok else 1, "retry_not_before": p.retry_not_before}
            for p in polls
        ],
        on_conflict="""
        ON CONFLICT (feed) DO UPDATE SET
            url = excluded.url,
            etag = CASE WHEN excluded.last_error IS NULL THEN coalesce(excluded.etag, feed_state.etag)
                        ELSE feed_state.etag END,
            last_modified = CASE WHEN excluded.last_error IS NULL
                                 THEN coalesce(excluded.last_modified, feed_state.last_modified)
                                 ELSE feed_state.last_modified END,
            last_success_at = coalesce(excluded.last_success_at, feed_state.last_success_at),
            -- A success clears the error: it is the current state, feed_fetches keeps the history.
            last_error_at = excluded.last_error_at,
            last_error = excluded.last_error,
            consecutive_failures = CASE WHEN excluded.last_error IS NULL THEN 0
                                        ELSE feed_state.consecutive_failures + 1 END,
            retry_not_before = excluded.retry_not_before
        """,
    )


# -- links -----------------------------------------------------------------------------------


def items_to_fetch(con: duckdb.DuckDBPyConnection, items: Iterable[FeedItem]) -> list[FeedItem]:
    """The listed links that need a fetch: never stored, updated since, or failed in a retryable way.

    A link listed by several feeds is fetched once.
    """
    unique: dict[str, FeedItem] = {}
    for item in items:
        unique.setdefault(item.link, item)
    if not unique:
        return []
    stored: dict[str, datetime] = {}
    refused: set[str] = set()
    for url, seen_at, is_refused in con.execute(
        """
        SELECT url, coalesce(item_updated_at, first_seen_at), false FROM internal.links
        WHERE url IN (SELECT unnest(?::VARCHAR[]))
        UNION ALL
        SELECT url, NULL, true FROM internal.page_failures
        WHERE NOT retryable AND url IN (SELECT unnest(?::VARCHAR[]))
        """,
        [list(unique), list(unique)],
    ).fetchall():
        if is_refused:
            refused.add(url)
        else:
            stored[url] = seen_at
    return [
        item
        for link, item in unique.items()
        if link not in refused
        and (link not in stored or (item.updated_at is not None and item.updated_at > stored[link]))
    ]


# -- articles --------------------------------------------------------------------------------


def untracked_article_ids(con: duckdb.DuckDBPyConnection, limit: int) -> list[str]:
    """The first `limit` stored articles tracking has not seen yet (also those of a pass killed before it).

    In the order they were published, not fetched: of the reports a pass brings, the first
    published is the one that opens a development, whatever order the network delivered them
    in. (Which page of a syndicated pair is stored as the original still follows fetch order
    across write batches.)
    """
    rows = con.execute(
        "SELECT article_id FROM internal.articles WHERE tracked_at IS NULL "
        "ORDER BY coalesce(published_at, fetched_at), article_id LIMIT ?",
        [limit],
    ).fetchall()
    return [article_id for (article_id,) in rows]


def mark_tracked(con: duckdb.DuckDBPyConnection, article_ids: Sequence[str], tracked_at: datetime) -> None:
    con.execute(
        "UPDATE internal.articles SET tracked_at = ? WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
        [tracked_at, list(article_ids)],
    )


def trusted_identity(article: Article) -> Article:
    """The article under an identity the store may trust: its canonical URL only when on the fetched page's site.

    Any page can declare any URL canonical; another outlet's would make this page a "revision" of
    that outlet's article, its title and text replaced. Such a page keeps its feed link (already
    canonical) as identity.
    """
    if site_of(article.canonical_url) == site_of(article.final_url):
        return article
    return replace(article, canonical_url=article.url)


def site_of(url: str) -> str:
    """The registrable domain of the URL's host (amp.news.example.co.uk -> example.co.uk, by the public
    suffix list); the host itself for addresses and names under no known suffix."""
    host = (urlsplit(url).hostname or "").lower()
    return get_fld(host, fix_protocol=True, fail_silently=True) or host


def store_articles(con: duckdb.DuckDBPyConnection, pass_id: str, articles: Sequence[Article]) -> StoreResult:
    """Insert new articles, revise changed ones, mark copies, and remember which link led where."""
    result = StoreResult()
    by_id: dict[str, Article] = {}
    for article in articles:
        by_id.setdefault(article_id_for(article.canonical_url), article)
    stored = _stored_hashes(con, list(by_id))

    fresh, revised = [], []
    for article_id, article in by_id.items():
        if article_id not in stored:
            fresh.append((article_id, article))
        elif stored[article_id] != article.content_hash:
            revised.append((article_id, article))
        else:
            result.unchanged += 1

    refresh_stale_fingerprints(con)
    # The first published of two copies in one batch is the original, whichever was fetched first.
    fresh.sort(key=lambda pair: pair[1].published_at or pair[1].fetched_at)  # stable: ties keep the batch order
    finder = CopyFinder(con, [article.fingerprint for _, article in fresh])
    rows = []
    for article_id, article in fresh:
        copy = finder.find(article_id, article.fingerprint)
        rows.append(_article_row(article_id, article, pass_id, copy.duplicate_of if copy else None,
                                 copy.similarity if copy else None))
        result.new.append(article_id)
        if copy:
            result.duplicates.append(article_id)
    insert_all(con, "internal.articles", rows)
    _revise(con, pass_id, revised)
    result.updated = [article_id for article_id, _ in revised]

    changed = fresh + revised
    _store_pages(con, changed)
    _store_fingerprints(con, changed, revised)
    _remember_links(con, [(article_id_for(a.canonical_url), a) for a in articles])
    con.execute(
        "DELETE FROM internal.page_failures WHERE url IN (SELECT unnest(?::VARCHAR[]))",
        [[a.url for a in articles]],
    )
    return result


def _stored_hashes(con: duckdb.DuckDBPyConnection, article_ids: list[str]) -> dict[str, str]:
    if not article_ids:
        return {}
    # A constant list, so DuckDB can answer from the primary key (see dedupe.band_lookup_sql).
    return dict(
        con.execute(
            f"SELECT article_id, content_hash FROM internal.articles WHERE article_id IN ({sql_strings(article_ids)})"
        ).fetchall()
    )


def _article_row(
    article_id: str, a: Article, pass_id: str, duplicate_of: str | None, similarity: float | None
) -> dict[str, object]:
    return {"article_id": article_id, "canonical_url": a.canonical_url, "url": a.url, "final_url": a.final_url,
            "feed": a.feed, "source": a.source, "title": a.title, "author": a.author,
            "published_at": a.published_at, "fetched_at": a.fetched_at, "updated_at": a.fetched_at,
            "language": a.language, "text": a.text, "content_hash": a.content_hash,
            "duplicate_of": duplicate_of, "similarity": similarity, "pass_id": pass_id}


def _revise(con: duckdb.DuckDBPyConnection, pass_id: str, revised: Sequence[tuple[str, Article]]) -> None:
    """Keep the earlier version in article_revisions, then update the row in place."""
    if not revised:
        return
    ids = [article_id for article_id, _ in revised]
    con.execute(
        """
        INSERT INTO internal.article_revisions (article_id, revision, fetched_at, title, text, content_hash)
        SELECT article_id, revision, updated_at, title, text, content_hash
        FROM internal.articles WHERE article_id IN (SELECT unnest(?::VARCHAR[]))
        ON CONFLICT DO NOTHING
        """,
        [ids],
    )
    revisions, parameters = unnested(con, "internal.articles", [
        {"article_id": article_id, "title": a.title, "author": a.author, "text": a.text,
         "content_hash": a.content_hash, "language": a.language, "fetched_at": a.fetched_at, "pass_id": pass_id}
        for article_id, a in revised
    ])
    con.execute(
        f"""
        UPDATE internal.articles AS a
        SET title = r.title, author = r.author, text = r.text, content_hash = r.content_hash,
            language = r.language, updated_at = r.fetched_at, fetched_at = r.fetched_at,
            revision = a.revision + 1, pass_id = r.pass_id,
            tracked_at = NULL  -- storyline tracking reads what the change adds (a live page's update)
        FROM ({revisions}) AS r
        WHERE a.article_id = r.article_id
        """,
        parameters,
    )


def _store_pages(con: duckdb.DuckDBPyConnection, changed: Sequence[tuple[str, Article]]) -> None:
    insert_all(con, "internal.pages", [
        {"article_id": article_id, "final_url": a.final_url, "status_code": a.status_code,
         "content_type": a.content_type, "encoding": a.encoding, "fetched_at": a.fetched_at,
         "raw_bytes": len(a.raw_html), "raw_html_z": zlib.compress(a.raw_html, 1)}
        for article_id, a in changed
    ], replace=True)


def _store_fingerprints(con: duckdb.DuckDBPyConnection, changed: Sequence[tuple[str, Article]],
                        revised: Sequence[tuple[str, Article]]) -> None:
    # Only revised articles have bands to drop; the delete reads the whole band table (32 rows an article).
    if revised:
        ids = [article_id for article_id, _ in revised]
        con.execute("DELETE FROM internal.fingerprint_bands WHERE article_id IN (SELECT unnest(?::VARCHAR[]))", [ids])
    insert_all(con, "internal.fingerprints", [
        {"article_id": article_id, "signature": a.fingerprint, "scheme": SCHEME}
        for article_id, a in changed if a.fingerprint
    ], replace=True)
    insert_all(con, "internal.fingerprint_bands", [
        {"band_key": key, "article_id": article_id} for article_id, a in changed for key in band_keys(a.fingerprint)
    ])


def _remember_links(con: duckdb.DuckDBPyConnection, links: Sequence[tuple[str, Article]]) -> None:
    by_url = {
        a.url: {"url": a.url, "article_id": article_id, "feed": a.feed, "first_seen_at": a.fetched_at,
                "item_updated_at": a.item_updated_at}
        for article_id, a in links
    }
    insert_all(
        con,
        "internal.links",
        list(by_url.values()),
        on_conflict="""
        ON CONFLICT (url) DO UPDATE SET
            article_id = excluded.article_id,
            item_updated_at = greatest(links.item_updated_at, excluded.item_updated_at)
        """,
    )


# -- failures and passes ---------------------------------------------------------------------


def record_page_failures(con: duckdb.DuckDBPyConnection, pass_id: str, failures: Sequence[PageFailure]) -> None:
    insert_all(con, "internal.page_errors", [
        {"pass_id": pass_id, "url": f.url, "feed": f.feed, "attempted_at": f.attempted_at, "kind": f.kind,
         "error": f.error}
        for f in failures
    ])
    insert_all(
        con,
        "internal.page_failures",
        [
            {"url": f.url, "feed": f.feed, "first_failed_at": f.attempted_at, "last_failed_at": f.attempted_at,
             "attempts": 1, "kind": f.kind, "error": f.error, "retryable": f.retryable}
            for f in failures
        ],
        on_conflict="""
        ON CONFLICT (url) DO UPDATE SET
            last_failed_at = excluded.last_failed_at, attempts = page_failures.attempts + 1,
            kind = excluded.kind, error = excluded.error, retryable = excluded.retryable
        """,
    )


def record_pass(
    con: duckdb.DuckDBPyConnection, pass_id: str, started_at: datetime, finished_at: datetime, summary_json: str
) -> None:
    con.execute(
        "INSERT INTO internal.passes (pass_id, started_at, finished_at, summary) VALUES (?, ?, ?, ?)",
        [pass_id, started_at, finished_at, summary_json],
    )
