"""Benchmark: what publishing the analyst copy costs a pass, as the warehouse grows.

Stores N synthetic articles (about 5 KB of text and 6 KB of raw HTML each) through the
product's store, then times `publish_analyst_copy` twice and prints the file sizes.

    .venv/bin/python bench/analyst_copy.py [--articles 10000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from storywatch.extractors.extract import content_hash
from storywatch.warehouse import store
from storywatch.warehouse.analyst import publish_analyst_copy
from storywatch.warehouse.db import connect, transaction
from storywatch.warehouse.fingerprint import fingerprint
from storywatch.warehouse.records import Article

BATCH = 500


def synthetic_articles(first: int, count: int, vocabulary: list[str], rng: random.Random) -> list[Article]:
    now = datetime.now(UTC)
    articles = []
    for i in range(first, first + count):
        text = " ".join(rng.choices(vocabulary, k=800))
        url = f"https://news.example/{i}"
        articles.append(Article(url, url, url, "wire", "Example Wire", text[:60], None, now, now, "en", text,
                                content_hash(text), fingerprint(text),
                                raw_html=f"<html><body><p>{text}</p></body></html>".encode()))
    return articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    args = parser.parse_args()
    rng = random.Random(1)
    vocabulary = ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(3, 9))) for _ in range(5000)]
    with tempfile.TemporaryDirectory() as scratch:
        database = Path(scratch) / "storywatch.duckdb"
        con = connect(database)
        for start in range(0, args.articles, BATCH):
            with transaction(con):
                articles = synthetic_articles(start, min(BATCH, args.articles - start), vocabulary, rng)
                store.store_articles(con, "bench", articles)
        con.execute("CHECKPOINT")
        timings = []
        for _ in range(2):
            began = time.perf_counter()
            published = publish_analyst_copy(con, database)
            timings.append(time.perf_counter() - began)
        con.close()
        print(f"{args.articles:,} articles: live file {database.stat().st_size / 1e6:.0f} MB, analyst copy "
              f"{published.stat().st_size / 1e6:.0f} MB, publish {timings[0]:.1f} s then {timings[1]:.1f} s")


if __name__ == "__main__":
    main()
