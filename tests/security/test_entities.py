"""Finding 3: an entity declared in a feed's DTD is never expanded (strict parser or loose)."""

from __future__ import annotations

import resource

from storywatch.demo.server import LoopbackSite
from storywatch.extractors.feeds import parse_feed
from tests.security.conftest import run_pass, write_config
from tests.security.hostile import entity_feed


def test_entity_expansion_feed_is_read_without_expanding(tmp_path, site: LoopbackSite, news) -> None:
    story = news.story("beside", "lighthouse repairs")
    site.route("/news/beside", news.article(story))
    site.route("/entities.xml", entity_feed("/news/beside"), content_type="application/rss+xml")
    config = write_config(tmp_path, {"Entities": site.url("/entities.xml")})

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = run_pass(config)

    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before < 100
    assert result.collected.feed_errors == {}
    assert result.rows("SELECT url FROM articles") == [(site.url("/news/beside"),)]


def test_no_charset_smuggles_a_dtd_past_the_strip() -> None:
    for charset in ("utf-8", "utf-16", "utf-16-be", "windows-1252"):
        (item,) = parse_feed("Entities", entity_feed("http://example.org/a", charset=charset), "http://example.org/")
        assert len(item.summary or "") < 40_000, charset
        assert item.link == "http://example.org/a"
