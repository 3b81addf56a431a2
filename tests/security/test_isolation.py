"""Finding 2: a feed with absurd values fails alone (or loses only the absurd value); the pass goes on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storywatch.demo.server import LoopbackSite
from tests.security.conftest import run_pass, write_config
from tests.security.hostile import atom_dated


def test_absurd_dates_and_retry_after_fail_nothing_but_themselves(tmp_path, site: LoopbackSite, publisher: LoopbackSite, news) -> None:
    stories = [news.story(f"s{n}", subject) for n, subject in enumerate(["ferry", "dam", "port", "rail"])]
    for story in stories:
        site.route(f"/news/{story.slug}", news.article(story))
    site.route("/good.xml", news.rss(stories[:2], lambda s: f"/news/{s.slug}"), content_type="application/rss+xml")
    site.route("/future.xml", atom_dated({"/news/s2": "9999-12-31T23:59:59-05:00"}),
               content_type="application/atom+xml")
    site.route("/ancient.xml", atom_dated({"/news/s3": "0001-01-01T00:00:00+01:00"}),
               content_type="application/atom+xml")
    publisher.route("/busy.xml", "slow down", status=429, headers={"Retry-After": "99999999999999999"})
    feeds = {name: site.url(f"/{name}.xml") for name in ("good", "future", "ancient")}
    config = write_config(tmp_path, feeds | {"busy": publisher.url("/busy.xml")})

    result = run_pass(config)

    stored = {url for (url,) in result.rows("SELECT url FROM articles")}
    assert stored == {site.url(f"/news/{story.slug}") for story in stories}
    assert result.rows("SELECT count(*) FROM articles WHERE year(published_at) IN (1, 9999, 10000)") == [(0,)]
    assert result.collected.feed_errors == {"busy": f"{publisher.url('/busy.xml')}: HTTP 429"}
    ((not_before,),) = result.rows("SELECT retry_not_before FROM internal.feed_state WHERE feed = 'busy'")
    assert datetime.now(UTC) < not_before <= datetime.now(UTC) + timedelta(days=1)
