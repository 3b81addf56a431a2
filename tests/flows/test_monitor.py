"""The monitoring pass end to end: a real Prefect flow run over a loopback news site into DuckDB."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from storywatch.flows.monitor import monitor_pass

pytestmark = pytest.mark.prefect
T0 = datetime(2026, 11, 20, 9, tzinfo=UTC)


def write_config(path, site, *, extra_feeds: str = "") -> str:
    path.write_text(
        f"""\
database: sw.duckdb
fetch:
  timeout_seconds: 2
  max_bytes: 200000
  allow_internal: [127.0.0.1]  # the loopback site is an internal host, allowed on purpose
feeds:
  - name: Gazette
    url: {site.url("/rss.xml")}
  - name: Gazette Atom
    url: {site.url("/atom.xml")}
{extra_feeds}"""
    )
    return str(path)


def rows(tmp_path, sql: str):
    con = duckdb.connect(str(tmp_path / "sw.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_passes_store_each_article_once_and_recover_failures(prefect_api, tmp_path, site, other_host, news):
    stories = [news.story(f"s{i}", subject, T0 + timedelta(hours=i))
               for i, subject in enumerate(["harbor strike", "dam inquiry", "rail tender", "school budget"])]
    flaky, elsewhere = news.story("flaky", "water rates", T0), news.story("private", "secret plans", T0)
    for story in stories[:3]:
        site.route(f"/news/{story.slug}.html", news.article(story, canonical=site.url(f"/news/{story.slug}.html")))
    site.route("/news/flaky.html", "upstream broke", status=500)
    other_host.route("/news/private.html", news.article(elsewhere))
    # The same story is listed by both feeds; the RSS feed also lists a page on another host.
    rss_links = {"private": other_host.url("/news/private.html")}
    site.route("/rss.xml", news.rss(stories[:2] + [flaky, elsewhere],
                                    lambda s: rss_links.get(s.slug, f"/news/{s.slug}.html?utm_source=rss")),
               content_type="application/rss+xml", conditional=True)
    site.route("/atom.xml", news.atom(stories[1:3], lambda s: site.url(f"/news/{s.slug}.html")),
               content_type="application/atom+xml", conditional=True)
    config = write_config(tmp_path / "storywatch.yaml", site)

    first = monitor_pass(config_path=config)
    assert first.collected.new_articles == 3
    assert first.collected.page_failures == {"http_status": 1, "blocked": 1}
    assert other_host.requests == []  # the guard refused it before connecting
    assert rows(tmp_path, "SELECT count(*), count(DISTINCT canonical_url) FROM articles") == [(3, 3)]
    assert rows(tmp_path, "SELECT kind FROM page_errors ORDER BY kind") == [("blocked",), ("http_status",)]
    stored = dict(rows(tmp_path, "SELECT title, published_at FROM articles"))
    assert stored[stories[0].title] == stories[0].published  # the feed's date wins
    assert rows(tmp_path, "SELECT feed, items, error FROM feed_fetches ORDER BY feed") == [
        ("Gazette", 4, None), ("Gazette Atom", 2, None)]
    assert rows(tmp_path, "SELECT sum(new_articles) FROM feed_fetches") == [(3,)]
    # Where the time went, per stage in this process and per extraction step in the workers (for `make bench`).
    (recorded,) = rows(tmp_path, "SELECT summary->'collected'->'worker_times'->'cpu' FROM internal.passes")[0]
    assert set(json.loads(recorded)) == {"decode", "parse", "metadata", "extraction", "language", "fingerprint"}
    assert {"collect", "poll feeds", "fetch pages", "store articles"} <= set(first.collected.main_times.wall)
    assert set(first.task_times.wall) == {"collect-articles", "track-storylines", "deliver-alerts"}

    # Nothing new: the Atom feed answers 304; RSS is asked unconditionally while a page waits for retry.
    site.route("/news/flaky.html", news.article(flaky))
    second = monitor_pass(config_path=config)
    assert second.collected.feeds_not_modified == 1
    assert second.collected.new_articles == 1 and second.collected.pages_requested == 1
    assert rows(tmp_path, "SELECT count(*) FROM internal.page_failures WHERE retryable") == [(0,)]

    third = monitor_pass(config_path=config)
    assert third.collected.feeds_not_modified == 2 and third.collected.pages_requested == 0
    assert rows(tmp_path, "SELECT count(*) FROM articles") == [(4,)]
    assert other_host.requests == []


def test_broken_feed_is_recorded_and_comes_back(prefect_api, tmp_path, site, news):
    story = news.story("a", "port strike", T0)
    site.route("/news/a.html", news.article(story))
    site.route("/rss.xml", "<html><body>Please log in to continue</body></html>", content_type="text/html")
    site.route("/atom.xml", "gateway timeout", status=504)
    config = write_config(tmp_path / "storywatch.yaml", site)

    first = monitor_pass(config_path=config)
    assert set(first.collected.feed_errors) == {"Gazette", "Gazette Atom"}
    assert rows(tmp_path, "SELECT feed, consecutive_failures FROM feeds ORDER BY feed") == [
        ("Gazette", 1), ("Gazette Atom", 1)]

    site.route("/rss.xml", news.rss([story], lambda s: f"/news/{s.slug}.html"), content_type="application/rss+xml")
    second = monitor_pass(config_path=config)
    assert second.collected.new_articles == 1
    assert rows(tmp_path, "SELECT feed, consecutive_failures, last_success_at IS NOT NULL FROM feeds ORDER BY feed") == [
        ("Gazette", 0, True), ("Gazette Atom", 2, False)]
