"""The demo's sample newsroom: its content parses, renders to valid feeds and extractable pages,
and each article is what the demo says it is (a copy, a rehash, a passing mention). No Prefect."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import feedparser
import pytest
import trafilatura

from storywatch.config import Settings, load_settings
from storywatch.demo.newsroom import Newsroom, SampleArticle
from storywatch.demo.runner import write_config
from storywatch.warehouse.fingerprint import fingerprint, similarity

BASE = "http://127.0.0.1:8000"
COPY_THRESHOLD = 0.5  # warehouse.dedupe calls texts at or above this estimated Jaccard copies
FEED_VERSIONS = {"rss": "rss20", "atom": "atom10"}
needs_query_language = pytest.mark.skipif(
    importlib.util.find_spec("storywatch.storylines.query") is None,
    reason="storywatch.storylines.query (the storyline query parser) is not written yet;"
    " the config validates every query with it",
)


def url(path: str) -> str:
    return BASE + path


@pytest.fixture(scope="module")
def newsroom() -> Newsroom:
    return Newsroom.load()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The demo config as `storywatch demo` writes it, with made-up loopback ports."""
    return load_settings(write_config(tmp_path, BASE, "json://127.0.0.1:9000/alerts"))


@pytest.fixture(scope="module")
def last_wave(newsroom: Newsroom) -> int:
    return max(newsroom.waves)


def extracted(newsroom: Newsroom, article: SampleArticle, wave: int) -> str:
    text = trafilatura.extract(newsroom.page(article, wave, url), url=url(article.path), include_comments=False)
    assert text, f"{article.key}: trafilatura found no text"
    return text


def with_role(newsroom: Newsroom, role: str) -> list[SampleArticle]:
    found = [article for article in newsroom.articles if article.role == role]
    assert found, f"the demo has no {role} article"
    return found


def test_content_is_a_modest_newsroom_in_three_waves(newsroom: Newsroom):
    assert sorted(newsroom.waves) == [1, 2, 3]
    assert {newsroom.outlets[key].feed_format for key in newsroom.outlets} == {"rss", "atom"}
    assert 15 <= len(newsroom.articles) <= 20
    for wave in newsroom.waves:
        assert newsroom.wave(wave), f"wave {wave} publishes nothing"
    for article in newsroom.articles:
        assert article.outlet in newsroom.outlets, article.key
        assert 250 <= len(article.text.split()) <= 500, f"{article.key}: {len(article.text.split())} words"


def test_copies_and_rehashes_point_at_earlier_articles(newsroom: Newsroom):
    for article in newsroom.articles:
        for earlier_key in filter(None, (article.copy_of, article.rehash_of)):
            earlier = newsroom.article(earlier_key)
            assert earlier.published_at < article.published_at, article.key
            assert earlier.outlet != article.outlet, f"{article.key}: a copy or rehash comes from another outlet"


def test_every_wave_renders_valid_feeds_of_what_is_published_so_far(newsroom: Newsroom):
    for wave in newsroom.waves:
        for outlet in newsroom.outlets.values():
            parsed = feedparser.parse(newsroom.feed(outlet, wave, url))
            assert not parsed.bozo, f"{outlet.key} wave {wave}: {parsed.get('bozo_exception')}"
            assert parsed.version == FEED_VERSIONS[outlet.feed_format]
            published = newsroom.published(wave, outlet.key)
            assert [entry.link for entry in parsed.entries] == [url(a.path) for a in published]
            assert [entry.title for entry in parsed.entries] == [a.title for a in published]
            assert all(entry.get("published_parsed") and entry.get("author") for entry in parsed.entries)


def test_pages_extract_to_the_written_body_without_the_chrome(newsroom: Newsroom, last_wave: int):
    for article in newsroom.articles:
        lines = [" ".join(line.split()) for line in extracted(newsroom, article, last_wave).splitlines()]
        assert [line for line in lines if line in article.paragraphs] == list(article.paragraphs), article.key
        # Some chrome lets trafilatura keep the headline; nothing else may come along.
        assert set(lines) - set(article.paragraphs) <= {article.title}, article.key


def test_pages_carry_the_metadata_storywatch_reads(newsroom: Newsroom, last_wave: int):
    for article in newsroom.articles:
        found = trafilatura.bare_extraction(
            newsroom.page(article, last_wave, url), url=url(article.path), with_metadata=True
        )
        assert found.url == url(article.path)
        assert found.sitename == newsroom.outlets[article.outlet].name
        assert found.title == article.title
        assert found.date == article.published_at.date().isoformat()


def test_syndicated_copy_differs_in_bytes_but_not_in_text(newsroom: Newsroom, last_wave: int):
    for copy in with_role(newsroom, "syndicated-copy"):
        original = newsroom.article(copy.copy_of)
        assert newsroom.page(copy, last_wave, url) != newsroom.page(original, last_wave, url)
        assert copy.paragraphs[0] != original.paragraphs[0], "the copy's intro is edited"
        score = similarity(fingerprint(extracted(newsroom, copy, last_wave)),
                           fingerprint(extracted(newsroom, original, last_wave)))
        assert score >= COPY_THRESHOLD, f"{copy.key}: similarity {score:.2f}"


def test_rehash_tells_the_same_facts_in_other_words(newsroom: Newsroom, last_wave: int):
    for rehash in with_role(newsroom, "rehash"):
        retold = newsroom.article(rehash.rehash_of)
        score = similarity(fingerprint(extracted(newsroom, rehash, last_wave)),
                           fingerprint(extracted(newsroom, retold, last_wave)))
        assert score < COPY_THRESHOLD, f"{rehash.key}: similarity {score:.2f} would make it a copy"


@needs_query_language
def test_demo_config_lists_every_outlet_feed(tmp_path: Path, settings: Settings, newsroom: Newsroom):
    assert sorted(feed.url for feed in settings.feeds) == sorted(url(o.feed_path) for o in newsroom.outlets.values())
    assert settings.database == tmp_path / "storywatch.duckdb"
    storylines = {storyline.id for storyline in settings.storylines}
    assert {a.storyline for a in newsroom.articles if a.storyline} == storylines


@needs_query_language
def test_storyline_queries_parse(settings: Settings):
    from storywatch.storylines.query import parse_query

    for storyline in settings.storylines:
        parse_query(storyline.query)


@needs_query_language
def test_queries_pick_the_articles_the_demo_says_they_pick(settings: Settings, newsroom: Newsroom):
    from storywatch.storylines.matching import relevance
    from storywatch.storylines.query import Document, parse_query

    for storyline in settings.storylines:
        query = parse_query(storyline.query)
        for article in newsroom.articles:
            verdict = relevance(query, Document(article.title, article.text))
            reports_it = article.storyline == storyline.id and article.role != "passing-mention"
            assert verdict.belongs == reports_it, f"{storyline.id} / {article.key}: {verdict.explanation}"
            if article.role == "passing-mention" and article.storyline == storyline.id:
                assert verdict.in_passing, f"{article.key} should match {storyline.id} only in passing"
