"""The whole web stage over real HTTP: feeds polled, pages fetched and extracted in worker processes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from storywatch.config import FeedSettings, FetchSettings
from storywatch.demo.server import LoopbackSite
from storywatch.extractors import Crawler, FeedRequest, canonicalize
from storywatch.warehouse.records import Article, PageFailure


def crawl(feeds: list[FeedSettings], **settings) -> tuple[list, list[Article | PageFailure]]:
    """Poll `feeds`, then crawl every listed item; returns (polls, outcomes in yield order)."""

    async def main():
        async with Crawler(FetchSettings(**{"timeout_seconds": 2, "allow_internal": ["127.0.0.1"], **settings}), feeds, workers=2) as crawler:
            polls = await crawler.poll_feeds([FeedRequest(feed) for feed in feeds])
            items = [item for poll in polls for item in poll.items]
            return polls, [outcome async for outcome in crawler.articles(items)]

    return asyncio.run(main())


def test_crawl_yields_every_article_and_every_failure(site: LoopbackSite, other_host: LoopbackSite, news) -> None:
    published = datetime(2025, 6, 10, 7, 0, tzinfo=UTC)
    good = [news.story(f"story-{n}", subject, published) for n, subject in enumerate(
        ["port strike", "bridge repair", "school budget", "harbour dredging", "ferry timetable"]
    )]
    slow = news.story("slow-story", "council election", published)
    for entry in good:
        site.route(f"/news/{entry.slug}", news.article(entry))
    site.route("/news/slow-story", news.article(slow), delay=1.0)
    site.route("/news/broken", "oops", status=500)
    site.route("/news/report.pdf", b"%PDF-1.7", content_type="application/pdf")
    site.route("/news/empty", "<html><body><script>track()</script></body></html>")
    site.route("/news/stuck", news.article(good[0]), delay=5.0)
    site.redirect("/news/moved", other_host.url("/internal"))
    other_host.route("/internal", news.article(good[0]))
    links = {entry.slug: f"/news/{entry.slug}" for entry in [slow, *good]}
    links |= {"broken": "/news/broken", "pdf": "/news/report.pdf", "empty": "/news/empty", "stuck": "/news/stuck",
              "moved": "/news/moved", "elsewhere": other_host.url("/internal"), "ftp": "ftp://127.0.0.1/pub/x.html"}
    listed = [news.story(slug, "item", published) for slug in links]
    site.route("/feed.xml", news.rss(listed, lambda s: links[s.slug]), content_type="application/rss+xml")
    feed = FeedSettings(name="Harbor", url=site.url("/feed.xml"))

    polls, outcomes = crawl([feed], timeout_seconds=1.5)

    assert polls[0].ok and len(polls[0].items) == len(links)
    articles = {o.url: o for o in outcomes if isinstance(o, Article)}
    failures = {o.url: o for o in outcomes if isinstance(o, PageFailure)}
    assert len(outcomes) == len(links)
    assert set(articles) == {site.url(f"/news/{s.slug}") for s in [slow, *good]}
    for entry in [slow, *good]:
        article = articles[site.url(f"/news/{entry.slug}")]
        assert article.title == entry.title
        assert article.text == "\n".join([entry.title, *entry.paragraphs])
        assert article.published_at == published
        assert article.raw_html == news.article(entry).encode()
    kinds = {url.rsplit("/", 1)[-1]: (f.kind, f.retryable) for url, f in failures.items()}
    assert kinds == {
        "broken": ("http_status", True),
        "report.pdf": ("unsupported_content", False),
        "empty": ("extraction", False),
        "stuck": ("timeout", True),
        "moved": ("blocked", False),
        "internal": ("blocked", False),
        "x.html": ("blocked", False),
    }
    assert all("\n" not in f.error and f.feed == "Harbor" for f in failures.values())
    assert other_host.requests == []
    # Pipelined: fast pages come out while the slow one is still downloading.
    order = [o.url for o in outcomes]
    assert all(order.index(site.url(f"/news/{s.slug}")) < order.index(site.url("/news/slow-story")) for s in good)


def test_crawl_of_real_pages_served_over_http(site: LoopbackSite, news) -> None:
    pages = news.real_pages()  # each declares its canonical URL and its charset in a meta tag
    for n, real in enumerate(pages):
        site.route(f"/real/{n}", real.html, content_type="text/html")
    listed = [news.story(str(n), "real page") for n in range(len(pages))]
    site.route("/feed.xml", news.rss(listed, lambda s: f"/real/{s.slug}"), content_type="application/rss+xml")

    _, outcomes = crawl([FeedSettings(name="Bench", url=site.url("/feed.xml"))])

    assert all(isinstance(o, Article) for o in outcomes), [o for o in outcomes if isinstance(o, PageFailure)]
    by_url = {o.url: o for o in outcomes}
    for n, real in enumerate(pages):
        article = by_url[site.url(f"/real/{n}")]
        words = real.body_text.split()
        found = set(article.text.split())
        assert sum(word in found for word in words) / len(words) > 0.9
        assert not [chrome for chrome in real.chrome if chrome in article.text]
        assert article.canonical_url == canonicalize(real.url)  # the page's identity, not the loopback URL


def test_conditional_feed_polls_across_passes(site: LoopbackSite, news) -> None:
    site.route("/feed.xml", news.rss([news.story("a", "harbour")], lambda s: "/a"), conditional=True)
    feed = FeedSettings(name="Harbor", url=site.url("/feed.xml"))

    async def two_passes():
        async with Crawler(FetchSettings(allow_internal=["127.0.0.1"]), [feed], workers=1) as crawler:
            (first,) = await crawler.poll_feeds([FeedRequest(feed)])
            (second,) = await crawler.poll_feeds([FeedRequest(feed, first.etag, first.last_modified)])
            return first, second

    first, second = asyncio.run(two_passes())
    assert (first.status_code, len(first.items)) == (200, 1)
    assert (second.status_code, second.not_modified, second.items) == (304, True, ())


def test_retry_after_holds_back_the_rest_of_that_host(site: LoopbackSite, news) -> None:
    site.route("/news/busy", "slow down", status=429, headers={"Retry-After": "60"})
    listed = [news.story(slug, "item") for slug in ("busy", "a", "b", "c")]
    for entry in listed[1:]:
        site.route(f"/news/{entry.slug}", news.article(entry))
    site.route("/feed.xml", news.rss(listed, lambda s: f"/news/{s.slug}"), content_type="application/rss+xml")

    _, outcomes = crawl([FeedSettings(name="Harbor", url=site.url("/feed.xml"))], per_host_concurrency=1)

    kinds = {o.url.rsplit("/", 1)[-1]: o.kind for o in outcomes}
    assert kinds == {"busy": "http_status", "a": "rate_limited", "b": "rate_limited", "c": "rate_limited"}
    assert all(o.retryable for o in outcomes)
    assert [r.path for r in site.requests] == ["/feed.xml", "/news/busy"]
