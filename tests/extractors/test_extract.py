"""extract_article on pages with real-world chrome and on real benchmark pages."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest

from storywatch.errors import ExtractionError
from storywatch.extractors.extract import content_hash, extract_article
from storywatch.extractors.page import Page
from storywatch.extractors.urls import canonicalize
from storywatch.warehouse.records import FeedItem

URL = "https://www.harbor.example/world/port-strike?utm_source=rss&utm_medium=feed"
FETCHED = datetime(2025, 6, 12, 8, 0, tzinfo=UTC)


def page(html: str | bytes, url: str = URL, final_url: str | None = None) -> Page:
    body = html.encode("utf-8") if isinstance(html, str) else html
    return Page(url, final_url or url, 200, "text/html", body, FETCHED, "text/html; charset=utf-8")


def item(**fields) -> FeedItem:
    return FeedItem(**{"feed": "Harbor", "link": URL, **fields})


@pytest.fixture
def strike(news):
    return news.story("port-strike", "port strike")


def test_article_text_without_page_chrome(news, strike) -> None:
    article = extract_article(page(news.article(strike)), item())
    assert article.text == "\n".join([strike.title, *strike.paragraphs])
    for chrome in ("cookies", "Subscribe today", "Related stories", "Markets rally", "reader thinks", "Privacy policy"):
        assert chrome not in article.text
    assert article.title == "Update on the port strike"
    assert article.author == "Dana Reporter"
    assert article.source == "Harbor"  # the feed's name as the operator wrote it, not the page's og:site_name
    assert article.language == "en"
    assert article.feed == "Harbor"
    assert article.fetched_at == FETCHED
    assert article.content_hash == hashlib.sha256(" ".join(article.text.split()).encode()).hexdigest()
    assert len(article.fingerprint) == 128 * 4
    assert article.raw_html == news.article(strike).encode()


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        (
            {"canonical": "https://WWW.Harbor.example/world/port-strike?id=7&utm_campaign=x&fbclid=abc#comments"},
            "https://www.harbor.example/world/port-strike?id=7",
        ),
        ({"canonical": "/world/port-strike-full?gclid=1"}, "https://www.harbor.example/world/port-strike-full"),
        ({"og_url": "https://harbor.example/p/123"}, "https://harbor.example/p/123"),
        ({"canonical": "https://harbor.example/"}, "https://www.harbor.example/world/port-strike"),  # home page: ignored
        ({"canonical": "javascript:void(0)"}, "https://www.harbor.example/world/port-strike"),
        ({}, "https://www.harbor.example/world/port-strike"),
    ],
)
def test_canonical_url(news, strike, declared: dict, expected: str) -> None:
    article = extract_article(page(news.article(strike, **declared)), item())
    assert article.canonical_url == expected
    assert article.url == URL


def test_canonical_falls_back_to_the_final_url_after_redirects(news, strike) -> None:
    final = "https://www.harbor.example/2025/06/port-strike.html?utm_source=rss"
    article = extract_article(page(news.article(strike), final_url=final), item())
    assert article.canonical_url == "https://www.harbor.example/2025/06/port-strike.html"
    assert article.final_url == final


def test_published_date_comes_from_the_feed_first(news, strike) -> None:
    html = news.article(strike, meta_published="2025-06-09T18:30:00+02:00")
    from_feed = datetime(2025, 6, 10, 7, 41, tzinfo=UTC)
    assert extract_article(page(html), item(published_at=from_feed)).published_at == from_feed


def test_published_date_from_the_page_in_utc(news, strike) -> None:
    html = news.article(strike, meta_published="2025-06-09T18:30:00+02:00")
    published = extract_article(page(html), item()).published_at
    assert published == datetime(2025, 6, 9, 16, 30, tzinfo=UTC)
    assert published.utcoffset() == timedelta(0)


def test_page_date_bound_follows_the_fetch_not_the_process_start(news, strike) -> None:
    # A worker started today still extracts under `serve` weeks later: a page dated on the day
    # it was fetched keeps that date, while from an earlier fetch that date is still in the future.
    later = datetime.now(UTC).replace(microsecond=0) + timedelta(days=40)
    html = news.article(strike, meta_published=later.isoformat())
    fetched_later = Page(URL, URL, 200, "text/html", html.encode(), later + timedelta(hours=1))
    assert extract_article(fetched_later, item()).published_at == later
    fetched_before = Page(URL, URL, 200, "text/html", html.encode(), later - timedelta(days=3))
    assert extract_article(fetched_before, item()).published_at != later


def test_feed_updated_date_is_the_last_resort(news, strike) -> None:
    updated = datetime(2025, 6, 11, 1, 0, tzinfo=timezone.utc)
    article = extract_article(page(news.article(strike)), item(updated_at=updated))
    assert article.published_at == updated
    assert article.item_updated_at == updated


def test_source_is_the_feed_name_never_a_host_name(news, strike) -> None:
    article = extract_article(page(news.article(strike, site_name=None)), item(feed="Harbor Gazette"))
    assert article.source == "Harbor Gazette"


def test_title_and_author_fall_back_to_the_feed(news) -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in news.story("x", "flood").paragraphs)
    html = f"<html><body><article>{paragraphs}</article></body></html>"
    article = extract_article(page(html), item(title="Flood warning", author="Sam Writer"))
    assert (article.title, article.author) == ("Flood warning", "Sam Writer")


@pytest.mark.parametrize("html", ["", "<html><body><script>var a = 1;</script><img src='/a.png'></body></html>"])
def test_page_without_article_text_is_an_extraction_error(html: str) -> None:
    with pytest.raises(ExtractionError) as failed:
        extract_article(page(html), item())
    assert failed.value.kind == "extraction"
    assert "\n" not in str(failed.value)


def test_repeated_extraction_keeps_the_text(news, strike) -> None:
    # trafilatura's deduplicate cache would blank the text on the fourth sighting.
    texts = {extract_article(page(news.article(strike)), item()).text for _ in range(5)}
    assert len(texts) == 1 and strike.paragraphs[0] in texts.pop()


def test_content_hash_ignores_whitespace_layout() -> None:
    assert content_hash("Port strike\n\nenters  day two") == content_hash("Port strike enters day two")
    assert content_hash("Port strike enters day two") != content_hash("Port strike enters day three")


def test_canonicalize_feed_links() -> None:
    messy = " HTTP://News.Example.org:80/a/b?b=2&utm_source=x&a=1#frag "
    assert canonicalize(messy) == "http://news.example.org/a/b?a=1&b=2"
    assert canonicalize("ftp://example.org/x") == "ftp://example.org/x"


def test_pages_with_real_site_chrome_give_the_body_a_reader_sees(news) -> None:
    for real in news.real_pages():
        article = extract_article(page(real.html, url=real.url), item(link=real.url))
        truth_words = real.body_text.split()
        found = set(article.text.split())
        recall = sum(word in found for word in truth_words) / len(truth_words)
        assert recall > 0.9, (real.name, recall)
        assert not [chrome for chrome in real.chrome if chrome in article.text], real.name
        assert article.language == "en"
        assert article.title == real.title
        assert article.canonical_url == real.url
