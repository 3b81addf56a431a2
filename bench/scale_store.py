"""Benchmark: what storing one more article costs with 10k, 100k and 1M articles already stored.

The stored part is synthetic rows written straight into the tables (ids, links, a short text,
a MinHash signature and its 32 LSH band keys per article); the new articles are real pages
of trafilatura's evaluation set (STORYWATCH_EVAL_DATA), extracted once. At each size the
same real articles (under new URLs) go through the pass's write path in batches of 100:
copy lookup + storage (`store.store_articles`), then storyline tracking. Prints the time
per article, the database size, and how DuckDB runs the copy lookup (index or full scan).

    .venv/bin/python bench/scale_store.py [--sizes 10000,100000,1000000] [--articles 200]
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import load_pages

from storywatch.config import StorylineSettings
from storywatch.extractors.extract import extract_article
from storywatch.extractors.page import Page
from storywatch.storylines import track
from storywatch.warehouse import store
from storywatch.warehouse.db import connect, transaction
from storywatch.warehouse.dedupe import band_lookup_sql
from storywatch.warehouse.fingerprint import band_keys
from storywatch.warehouse.records import Article, FeedItem

NOW = datetime(2026, 12, 1, tzinfo=UTC)
BATCH = 100  # flows.steps.BATCH_SIZE
STORYLINES = [
    StorylineSettings(id="government", title="Government", query="Regierung OR government OR gouvernement"),
    StorylineSettings(id="climate", title="Climate", query="Klima* OR climate"),
]


def real_articles(limit: int) -> list[Article]:
    item = FeedItem(feed="bench", link="https://bench.example/", published_at=NOW)
    found = []
    for i, body in enumerate(load_pages(limit * 2)):
        page = Page(f"https://bench.example/{i}", f"https://bench.example/{i}", 200, "text/html", body, NOW)
        try:
            found.append(extract_article(page, item))
        except Exception:  # pages without article text fail in the pipeline too
            continue
        if len(found) == limit:
            break
    return found


def grow(con, start: int, stop: int) -> None:
    """Synthetic stored articles number start..stop-1, as a pass would have left them."""
    rows = f"range({start}, {stop}) r(i)"
    con.execute(f"""
        INSERT INTO internal.articles (article_id, canonical_url, url, final_url, feed, source, title, published_at,
            fetched_at, updated_at, language, text, content_hash, pass_id, tracked_at)
        SELECT left(md5(i::VARCHAR), 16), 'https://stored.example/' || i, 'https://stored.example/' || i,
               'https://stored.example/' || i, 'feed-' || (i % 2000), 'source-' || (i % 500), 'Stored article ' || i,
               TIMESTAMPTZ '2026-01-01' + to_minutes(i), TIMESTAMPTZ '2026-01-01' + to_minutes(i),
               TIMESTAMPTZ '2026-01-01' + to_minutes(i), 'en', 'Stored text of article ' || i, md5(i::VARCHAR),
               'synthetic', TIMESTAMPTZ '2026-01-01' + to_minutes(i) FROM {rows}""")
    con.execute(f"""
        INSERT INTO internal.links (url, article_id, feed, first_seen_at)
        SELECT 'https://stored.example/' || i, left(md5(i::VARCHAR), 16), 'feed-' || (i % 2000),
               TIMESTAMPTZ '2026-01-01' + to_minutes(i) FROM {rows}""")
    con.execute(f"""
        INSERT INTO internal.fingerprints (article_id, signature, scheme)
        SELECT left(md5(i::VARCHAR), 16), unhex(repeat(md5(i::VARCHAR), 32)), 2 FROM {rows}""")
    con.execute(f"""
        INSERT INTO internal.fingerprint_bands (band_key, article_id)
        SELECT hash(i, band), left(md5(i::VARCHAR), 16) FROM {rows}, range(32) b(band)""")


def lookup_plan(con, articles: list[Article]) -> str:
    """How DuckDB runs the copy lookup of one batch: the scan type of the band table."""
    keys = sorted({key for article in articles[:BATCH] for key in band_keys(article.fingerprint)})
    plan = con.execute("EXPLAIN ANALYZE " + band_lookup_sql(keys)).fetchall()[0][1]
    scans = re.findall(r"Table: \S*fingerprint_bands.*?Type: ([A-Za-z ]+?) *│", plan, re.S)
    return ", ".join(sorted(set(scans))) or "no scan of fingerprint_bands"


def measure(con, articles: list[Article], size: int) -> tuple[float, float, float]:
    """Seconds per article for store (lookup + writes) and for tracking; CPU per article of both."""
    fresh = [replace(a, url=f"{a.url}?size={size}", canonical_url=f"{a.canonical_url}#size-{size}")
             for a in articles]
    stored = tracked = 0.0
    cpu = time.process_time()
    for start in range(0, len(fresh), BATCH):
        batch = fresh[start : start + BATCH]
        began = time.perf_counter()
        with transaction(con):
            store.store_articles(con, f"bench-{size}", batch)
        stored += time.perf_counter() - began
        began = time.perf_counter()
        with transaction(con):
            ids = store.untracked_article_ids(con, limit=len(batch))
            track(con, STORYLINES, ids, now=NOW + timedelta(hours=1))
            store.mark_tracked(con, ids, NOW)
        tracked += time.perf_counter() - began
    return stored / len(fresh), tracked / len(fresh), (time.process_time() - cpu) / len(fresh)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--articles", type=int, default=200)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    articles = real_articles(args.articles)
    print(f"stored articles: {len(articles)} real articles stored at each size, in batches of {BATCH}")
    with tempfile.TemporaryDirectory() as workdir:
        path = Path(workdir) / "scale.duckdb"
        con = connect(path)
        try:
            measure(con, articles[:BATCH], 0)  # warm-up: the first tracking call pays for its imports
            have, first = 0, None
            for size in sizes:
                began = time.perf_counter()
                grow(con, have, size)
                con.execute("CHECKPOINT")
                have = size
                filled = time.perf_counter() - began
                plan = lookup_plan(con, articles)
                per_store, per_track, cpu = measure(con, articles, size)
                first = first or (per_store, per_store + per_track)
                megabytes = path.stat().st_size / 1e6
                print(f"  {size:>9,} stored: store {per_store * 1000:6.2f} ms/article (copy lookup: {plan}), "
                      f"track {per_track * 1000:6.2f} ms/article, CPU {cpu * 1000:6.2f} ms/article; "
                      f"{per_store / first[0]:.2f}x the smallest (with tracking {(per_store + per_track) / first[1]:.2f}x); "
                      f"file {megabytes:,.0f} MB "
                      f"(synthetic rows; filled in {filled:.0f} s)")
        finally:
            con.close()


if __name__ == "__main__":
    main()
