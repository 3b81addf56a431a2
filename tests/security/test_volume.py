"""Finding 10: a feed cannot make one pass fetch without limit, nor flood a host, nor track everything at once."""

from __future__ import annotations

from storywatch.config import load_settings
from storywatch.demo.server import LoopbackSite
from storywatch.flows import steps
from storywatch.warehouse import store
from storywatch.warehouse.db import open_warehouse, transaction
from tests.builders import make_article
from tests.security.conftest import run_pass, write_config
from tests.security.hostile import flood_feed


def test_items_per_feed_and_requests_per_host_are_capped(
    tmp_path, site: LoopbackSite, publisher: LoopbackSite, news
) -> None:
    story = news.story("good", "ferry timetable")
    site.route("/news/good", news.article(story))
    site.route("/good.xml", news.rss([story], lambda s: "/news/good"), content_type="application/rss+xml")
    flood = flood_feed(publisher.url(""), 60_000)
    assert len(flood) > 3_000_000
    site.route("/flood.xml", flood, content_type="application/rss+xml")
    config = write_config(tmp_path, {"Good": site.url("/good.xml"), "Flood": site.url("/flood.xml")},
                          max_bytes=8_000_000, max_items_per_feed=100, max_requests_per_host=30)

    result = run_pass(config)

    assert result.collected.feed_errors == {}
    assert result.collected.items_listed == 101
    assert len(publisher.requests) == 30
    assert result.collected.page_failures == {"http_status": 30, "host_budget": 70}
    assert result.rows("SELECT url FROM articles") == [(site.url("/news/good"),)]
    assert result.rows("SELECT DISTINCT retryable FROM internal.page_failures WHERE kind = 'host_budget'") == [(True,)]


def test_tracking_goes_batch_by_batch(tmp_path, seed_texts) -> None:
    settings = load_settings(write_config(tmp_path, {"wire": "https://wire.example/rss.xml"}))
    articles = [make_article(f"https://wire.example/{n}", f"{seed_texts[n % 4]} ({n})") for n in range(250)]
    with open_warehouse(settings.database) as con, transaction(con):
        store.store_articles(con, "p1", articles)
        assert len(store.untracked_article_ids(con, limit=steps.BATCH_SIZE)) == steps.BATCH_SIZE

    assert steps.track_storylines(settings).articles_tracked == 250
    with open_warehouse(settings.database) as con:
        assert store.untracked_article_ids(con, limit=1) == []
