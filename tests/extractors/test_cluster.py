"""Extraction fanned out to a real (local, two-worker) Dask cluster through its executor."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from distributed import default_client, get_task_stream

from storywatch.config import FeedSettings, FetchSettings
from storywatch.extractors import Crawler, FeedRequest
from storywatch.extractors.cluster import extraction_executor
from storywatch.warehouse.records import Article


def test_pages_are_extracted_on_the_cluster(site, news):
    stories = [news.story(f"s{n}", subject, datetime(2025, 6, 10, n, tzinfo=UTC))
               for n, subject in enumerate(["port strike", "bridge repair", "school budget"])]
    for story in stories:
        site.route(f"/news/{story.slug}", news.article(story))
    site.route("/rss.xml", news.rss(stories, lambda s: f"/news/{s.slug}"), content_type="application/rss+xml")
    feed = FeedSettings(name="Gazette", url=site.url("/rss.xml"))

    async def crawl(executor):
        async with Crawler(FetchSettings(timeout_seconds=5, allow_internal=["127.0.0.1"]), [feed], executor=executor) as crawler:
            (poll,) = await crawler.poll_feeds([FeedRequest(feed)])
            return [outcome async for outcome in crawler.articles(poll.items)]

    with extraction_executor("local") as executor:
        with get_task_stream() as stream:
            outcomes = asyncio.run(crawl(executor))
        assert len(default_client().scheduler_info()["workers"]) == 2
        ran = [task["key"] for task in stream.data]

    assert sorted(o.title for o in outcomes if isinstance(o, Article)) == sorted(s.title for s in stories)
    assert sum("extract_in_worker" in str(key) for key in ran) == len(stories)


def test_no_address_means_the_local_process_pool():
    with extraction_executor(None) as executor:
        assert executor is None
