"""Feed parsing (RSS 2.0, Atom, RDF, content:encoded, bozo, relative links, dates) and polling."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest

from storywatch.config import FeedSettings, FetchSettings
from storywatch.demo.server import LoopbackSite
from storywatch.errors import UnsupportedContent
from storywatch.extractors.feeds import parse_feed, poll_feed
from storywatch.extractors.guard import AddressGuard
from storywatch.extractors.http import Fetcher

FEED_URL = "https://news.example.org/feeds/world.xml"
CEST = timezone(timedelta(hours=2))


def stories(news):
    return [
        news.story("port-strike", "port strike", datetime(2025, 6, 10, 9, 41, tzinfo=CEST)),
        news.story("bridge-repair", "bridge repair", datetime(2025, 6, 11, 23, 5, tzinfo=UTC)),
    ]


def test_rss2_items_with_utc_dates_and_authors(news) -> None:
    body = news.rss(stories(news), lambda s: f"https://news.example.org/world/{s.slug}?utm_source=rss").encode()
    items = parse_feed("World", body, FEED_URL, {"content-type": "application/rss+xml"})
    assert [item.link for item in items] == [
        "https://news.example.org/world/port-strike",
        "https://news.example.org/world/bridge-repair",
    ]
    assert items[0].published_at == datetime(2025, 6, 10, 7, 41, tzinfo=UTC)
    assert items[0].published_at.utcoffset() == timedelta(0)
    assert items[0].title == "Update on the port strike"
    assert items[0].author == "Dana Reporter"
    assert items[0].feed == "World"
    assert items[0].summary.startswith("Officials confirmed on Tuesday")
    assert items[0].content is None


def test_wordpress_content_encoded_is_kept_as_text(news) -> None:
    story = stories(news)[0]
    body = news.rss([story], lambda s: f"/world/{s.slug}", content_encoded=True).encode()
    (item,) = parse_feed("World", body, FEED_URL)
    assert item.content == " ".join(story.paragraphs)
    assert "<p>" not in item.content


def test_relative_rss_links_resolve_against_the_feed_url(news) -> None:
    body = news.rss(stories(news), lambda s: f"../world/{s.slug}").encode()
    items = parse_feed("World", body, FEED_URL)
    assert [item.link for item in items] == [
        "https://news.example.org/world/port-strike",
        "https://news.example.org/world/bridge-repair",
    ]


def test_atom_with_xml_base_and_published_updated(news) -> None:
    body = news.atom(stories(news), lambda s: f"stories/{s.slug}", xml_base="https://cdn.example.net/en/").encode()
    items = parse_feed("World", body, FEED_URL, {"content-type": "application/atom+xml"})
    assert [item.link for item in items] == [
        "https://cdn.example.net/en/stories/port-strike",
        "https://cdn.example.net/en/stories/bridge-repair",
    ]
    assert items[1].published_at == datetime(2025, 6, 11, 23, 5, tzinfo=UTC)
    assert items[0].updated_at == datetime(2025, 6, 10, 7, 41, tzinfo=UTC)
    assert items[0].author == "Dana Reporter"


def test_rdf_feed_dates_come_from_dc_date(news) -> None:
    body = news.rdf(stories(news), lambda s: f"https://news.example.org/{s.slug}.html").encode()
    items = parse_feed("World", body, FEED_URL)
    assert [item.link for item in items] == [
        "https://news.example.org/port-strike.html",
        "https://news.example.org/bridge-repair.html",
    ]
    assert items[0].updated_at == datetime(2025, 6, 10, 7, 41, tzinfo=UTC)
    assert items[0].title == "Update on the port strike"


def test_bozo_but_parseable_feed_is_used(news) -> None:
    # An unescaped ampersand makes the XML ill-formed; feedparser still recovers the items.
    body = news.rss(stories(news), lambda s: f"https://news.example.org/{s.slug}").replace(
        "<title>Harbor Gazette</title>", "<title>Harbor & Sons Gazette</title>"
    ).encode()
    items = parse_feed("World", body, FEED_URL)
    assert [item.title for item in items] == ["Update on the port strike", "Update on the bridge repair"]


@pytest.mark.parametrize("body", [b"<html><body><p>Not a feed</p>", b"\x00\x01garbage", b""])
def test_unparseable_body_is_an_error(body: bytes) -> None:
    with pytest.raises(UnsupportedContent, match="not a readable feed"):
        parse_feed("World", body, FEED_URL)


def test_windows_1251_feed_declared_in_header_only(news) -> None:
    story = news.story("vybory", "выборы", datetime(2025, 1, 2, tzinfo=UTC))
    xml = news.rss([story], lambda s: "https://news.example.org/a").replace(' encoding="UTF-8"', "")
    headers = {"content-type": "application/rss+xml; charset=windows-1251"}
    items = parse_feed("RU", xml.encode("cp1251"), FEED_URL, headers)
    assert items[0].title == "Update on the выборы"


def test_duplicate_links_are_listed_once(news) -> None:
    twice = [stories(news)[0], stories(news)[0]]
    items = parse_feed("World", news.rss(twice, lambda s: "https://news.example.org/a#top").encode(), FEED_URL)
    assert [item.link for item in items] == ["https://news.example.org/a"]


def poll(site: LoopbackSite, etag: str | None = None, last_modified: str | None = None, **settings):
    feed = FeedSettings(name="Harbor", url=site.url("/feed.xml"))

    async def main():
        guard = AddressGuard(["127.0.0.1"])
        async with Fetcher(FetchSettings(**{"timeout_seconds": 2, **settings}), guard) as fetcher:
            return await poll_feed(fetcher, feed, etag, last_modified)

    return asyncio.run(main())


def test_poll_then_conditional_poll_gets_304(site: LoopbackSite, news) -> None:
    rss = news.rss(stories(news), lambda s: f"/news/{s.slug}")
    site.route("/feed.xml", rss, content_type="application/rss+xml", conditional=True)
    first = poll(site)
    assert first.ok and first.status_code == 200 and not first.not_modified
    assert [item.link for item in first.items] == [site.url("/news/port-strike"), site.url("/news/bridge-repair")]
    assert first.etag and first.last_modified

    second = poll(site, first.etag, first.last_modified)
    assert (second.status_code, second.not_modified, second.items) == (304, True, ())
    assert (second.etag, second.last_modified) == (first.etag, first.last_modified)
    assert site.requests[1].headers["if-none-match"] == first.etag
    assert site.requests[1].headers["if-modified-since"] == first.last_modified


def test_poll_sees_newly_published_items(site: LoopbackSite, news) -> None:
    site.route("/feed.xml", news.rss(stories(news)[:1], lambda s: f"/news/{s.slug}"), conditional=True)
    first = poll(site)
    site.route("/feed.xml", news.rss(stories(news), lambda s: f"/news/{s.slug}"), conditional=True)
    second = poll(site, first.etag, None)
    assert (len(first.items), len(second.items), second.not_modified) == (1, 2, False)


def test_poll_failure_is_returned_not_raised(site: LoopbackSite) -> None:
    site.route("/feed.xml", "unavailable", status=503, headers={"Retry-After": "300"})
    result = poll(site, '"old-tag"')
    assert not result.ok
    assert result.error == f"{site.url('/feed.xml')}: HTTP 503"
    assert result.status_code == 503
    assert result.etag == '"old-tag"'  # validators survive a failed poll
    assert timedelta(seconds=290) < result.retry_not_before - result.fetched_at <= timedelta(seconds=300)


def test_poll_of_a_non_feed_is_an_error(site: LoopbackSite) -> None:
    site.route("/feed.xml", "<html><body>Moved to our new app!</body></html>")
    result = poll(site)
    assert result.status_code is None
    assert "not a readable feed" in result.error
    assert "\n" not in result.error


def test_poll_timeout_is_an_error(site: LoopbackSite) -> None:
    site.route("/feed.xml", "<rss/>", delay=2.0)
    result = poll(site, timeout_seconds=0.3)
    assert result.error.endswith("no complete response within 0.3 s")
    assert 250 <= result.duration_ms < 1500
