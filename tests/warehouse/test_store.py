"""Storing articles: identity by canonical URL, revisions, syndicated copies, links and failures."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta

from storywatch.warehouse import store
from storywatch.warehouse.db import transaction
from storywatch.warehouse.fingerprint import SCHEME, band_keys
from storywatch.warehouse.records import FeedItem, FeedPoll, PageFailure
from tests.builders import make_article

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def stored(con, sql: str, *params):
    return con.execute(sql, list(params)).fetchall()


def test_rerun_stores_each_canonical_url_once(con, seed_texts):
    articles = [make_article(f"https://a.example/{i}", text) for i, text in enumerate(seed_texts)]
    first = store.store_articles(con, "p1", articles)
    second = store.store_articles(con, "p2", articles)
    assert len(first.new) == 4 and first.unchanged == 0
    assert second.new == [] and second.unchanged == 4
    assert stored(con, "SELECT count(*), count(DISTINCT canonical_url) FROM articles") == [(4, 4)]


def test_two_links_to_one_canonical_url_make_one_article(con, seed_texts):
    a = make_article("https://a.example/x?utm_source=rss", seed_texts[0], canonical_url="https://a.example/x")
    b = make_article("https://a.example/x", seed_texts[0])
    result = store.store_articles(con, "p1", [a, b])
    assert len(result.new) == 1
    assert stored(con, "SELECT count(*) FROM articles") == [(1,)]
    assert {url for (url,) in stored(con, "SELECT url FROM internal.links")} == {a.url, b.url}


def test_changed_text_at_same_url_is_a_revision(con, seed_texts):
    original = make_article("https://a.example/story", seed_texts[1])
    store.store_articles(con, "p1", [original])
    assert "on Monday" in seed_texts[1]
    corrected_text = (seed_texts[1].replace("on Monday", "on Monday afternoon", 1)
                      + "\n\nCorrection: an earlier version misdated the refloating.")
    corrected = make_article("https://a.example/story", corrected_text)
    result = store.store_articles(con, "p2", [corrected])
    assert len(result.updated) == 1 and not result.new
    assert stored(con, "SELECT revision, text FROM articles") == [(2, corrected_text)]
    assert stored(con, "SELECT revision, text FROM article_revisions") == [(1, seed_texts[1])]


def test_syndicated_copy_points_at_first_copy(con, seed_texts):
    text = seed_texts[0]
    original = make_article("https://wsws.example/antonov", text, source="WSWS")
    # Another outlet runs the same story with its own intro and without the last paragraph.
    edited = "From our wire partners: " + text.rsplit("\n", 2)[0]
    copy = make_article("https://mirror.example/antonov", edited, source="Mirror")
    copy_of_copy = make_article("https://third.example/antonov", edited + " Updated.", source="Third")
    store.store_articles(con, "p1", [original])
    result = store.store_articles(con, "p2", [copy, copy_of_copy])
    rows = dict(stored(con, "SELECT canonical_url, duplicate_of FROM articles"))
    original_id = store.article_id_for(original.canonical_url)
    assert rows[copy.canonical_url] == original_id
    assert rows[copy_of_copy.canonical_url] == original_id  # the first copy, not the copy's copy
    assert rows[original.canonical_url] is None
    assert len(result.duplicates) == 2


def test_signatures_of_an_earlier_minhash_scheme_are_recomputed_before_copies_are_sought(con, seed_texts):
    original = make_article("https://wsws.example/antonov", seed_texts[0])
    store.store_articles(con, "p1", [original])
    # What a database upgraded through migration 005 holds: datasketch signatures (scheme 1).
    original_id, old_signature = store.article_id_for(original.canonical_url), bytes(range(256)) * 2
    con.execute("UPDATE internal.fingerprints SET signature = ?, scheme = 1", [old_signature])
    con.execute("DELETE FROM internal.fingerprint_bands")
    con.execute("INSERT INTO internal.fingerprint_bands SELECT unnest(?::UBIGINT[]), ?",
                [band_keys(old_signature), original_id])

    copy = make_article("https://mirror.example/antonov", "From our wire partners: " + seed_texts[0])
    result = store.store_articles(con, "p2", [copy])

    assert result.duplicates == [store.article_id_for(copy.canonical_url)]
    assert stored(con, "SELECT DISTINCT scheme FROM internal.fingerprints") == [(SCHEME,)]
    assert stored(con, "SELECT signature FROM internal.fingerprints WHERE article_id = ?", original_id) == [
        (original.fingerprint,)]


def test_different_reports_are_not_copies(con, seed_texts):
    articles = [make_article(f"https://a.example/{i}", text) for i, text in enumerate(seed_texts)]
    result = store.store_articles(con, "p1", articles)
    assert result.duplicates == []
    assert stored(con, "SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL") == [(0,)]


def test_copies_within_one_batch(con, seed_texts):
    first = make_article("https://a.example/1", seed_texts[2])
    second = make_article("https://b.example/1", seed_texts[2] + " (Reporting by the desk.)")
    store.store_articles(con, "p1", [first, second])
    assert stored(con, "SELECT duplicate_of FROM articles WHERE url = ?", second.url) == [
        (store.article_id_for(first.canonical_url),)
    ]


def test_in_one_batch_the_first_published_is_the_original_whichever_came_first(con, seed_texts):
    original = make_article("https://wire.example/1", seed_texts[2])
    copy = make_article("https://paper.example/1", seed_texts[2] + " (Wire copy.)",
                        published_at=original.published_at + timedelta(hours=3))
    store.store_articles(con, "p1", [copy, original])  # the copy's page happened to be fetched first
    assert stored(con, "SELECT url, duplicate_of FROM articles ORDER BY url") == [
        (copy.url, store.article_id_for(original.canonical_url)), (original.url, None)]


def test_raw_html_is_kept_compressed(con, seed_texts):
    article = make_article("https://a.example/1", seed_texts[3])
    store.store_articles(con, "p1", [article])
    (blob, size), = stored(con, "SELECT raw_html_z, raw_bytes FROM internal.pages")
    assert zlib.decompress(blob) == article.raw_html and size == len(article.raw_html)


def test_items_to_fetch_skips_stored_and_refetches_updated(con, seed_texts):
    article = make_article("https://a.example/1", seed_texts[0], item_updated_at=NOW)
    store.store_articles(con, "p1", [article])
    listed = [
        FeedItem(feed="wire", link="https://a.example/1", updated_at=NOW),
        FeedItem(feed="wire", link="https://a.example/2"),
        FeedItem(feed="other", link="https://a.example/2"),
    ]
    assert [i.link for i in store.items_to_fetch(con, listed)] == ["https://a.example/2"]
    newer = [FeedItem(feed="wire", link="https://a.example/1", updated_at=NOW + timedelta(hours=1))]
    assert [i.link for i in store.items_to_fetch(con, newer)] == ["https://a.example/1"]


def test_failed_pages_are_retried_only_when_retryable(con):
    failures = [
        PageFailure("https://a.example/slow", "wire", "timeout", "timed out after 20 s", True, NOW),
        PageFailure("https://a.example/huge", "wire", "too_large", "body exceeds 5000000 bytes", False, NOW),
    ]
    store.record_page_failures(con, "p1", failures)
    store.record_page_failures(con, "p2", failures[:1])
    listed = [FeedItem(feed="wire", link=f.url) for f in failures]
    assert [i.link for i in store.items_to_fetch(con, listed)] == ["https://a.example/slow"]
    assert stored(con, "SELECT url, attempts FROM internal.page_failures ORDER BY url") == [
        ("https://a.example/huge", 1), ("https://a.example/slow", 2)]
    assert stored(con, "SELECT count(*) FROM page_errors") == [(3,)]


def test_success_clears_page_failure(con, seed_texts):
    url = "https://a.example/slow"
    store.record_page_failures(con, "p1", [PageFailure(url, "wire", "timeout", "timed out", True, NOW)])
    store.store_articles(con, "p2", [make_article(url, seed_texts[0])])
    assert stored(con, "SELECT count(*) FROM internal.page_failures") == [(0,)]


def test_feed_health_and_validators(con):
    ok = FeedPoll(feed="wire", url="https://a.example/rss", fetched_at=NOW, status_code=200, etag='"v1"')
    broken = FeedPoll(feed="wire", url="https://a.example/rss", fetched_at=NOW, status_code=500, error="HTTP 500")
    with transaction(con):
        store.record_feed_polls(con, "p1", [ok], {"wire": 3})
    for pass_id in ("p2", "p3"):
        store.record_feed_polls(con, pass_id, [broken], {})
    assert stored(con, "SELECT consecutive_failures, last_error FROM feeds") == [(2, "HTTP 500")]
    assert store.feed_validators(con)["wire"].etag == '"v1"'  # an error keeps the last validators
    store.record_feed_polls(con, "p4", [ok], {})
    assert stored(con, "SELECT consecutive_failures FROM feeds") == [(0,)]
    assert stored(con, "SELECT new_articles, error FROM feed_fetches ORDER BY fetched_at, pass_id") == [
        (3, None), (0, "HTTP 500"), (0, "HTTP 500"), (0, None)]


def test_validators_withheld_while_pages_wait_for_retry(con):
    poll = FeedPoll(feed="wire", url="https://a.example/rss", fetched_at=NOW, status_code=200, etag='"v1"')
    store.record_feed_polls(con, "p1", [poll], {})
    store.record_page_failures(con, "p1", [PageFailure("https://a.example/1", "wire", "http_status", "HTTP 503", True, NOW)])
    assert store.feed_validators(con)["wire"].etag is None


def test_untracked_articles_until_marked(con, seed_texts):
    store.store_articles(con, "p1", [make_article("https://a.example/1", seed_texts[0])])
    ids = store.untracked_article_ids(con, limit=100)
    assert len(ids) == 1
    store.mark_tracked(con, ids, NOW)
    assert store.untracked_article_ids(con, limit=100) == []


def test_untracked_articles_come_in_the_order_they_were_published_not_fetched(con, seed_texts):
    """Of the reports one pass brings, the first published opens the development, whatever the network did."""
    early, late, undated = (make_article(f"https://a.example/{n}", seed_texts[n], published_at=published, fetched_at=fetched)
                            for n, published, fetched in ((0, NOW - timedelta(days=2), NOW + timedelta(seconds=2)),
                                                          (1, NOW - timedelta(days=1), NOW),
                                                          (2, None, NOW + timedelta(seconds=1))))
    store.store_articles(con, "p1", [late, undated, early])
    order = [store.article_id_for(a.canonical_url) for a in (early, late, undated)]
    assert store.untracked_article_ids(con, limit=100) == order
