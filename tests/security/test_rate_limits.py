"""Finding 13: user-info in a link is the same host for Retry-After and the per-host limits."""

from __future__ import annotations

from storywatch.demo.server import LoopbackSite
from tests.security.conftest import run_pass, write_config


def test_userinfo_does_not_bypass_a_hosts_retry_after(tmp_path, site: LoopbackSite, news) -> None:
    site.route("/news/busy", "slow down", status=429, headers={"Retry-After": "600"})
    site.route("/news/other", news.article(news.story("other", "ferry timetable")))
    links = {"busy": "/news/busy", "other": f"http://anyone@127.0.0.1:{site.port}/news/other"}
    listed = [news.story(slug, "item") for slug in links]
    site.route("/rss.xml", news.rss(listed, lambda s: links[s.slug]), content_type="application/rss+xml")

    result = run_pass(write_config(tmp_path, {"Gazette": site.url("/rss.xml")}, per_host_concurrency=1))

    assert [r.path for r in site.requests] == ["/rss.xml", "/news/busy"]
    assert result.collected.page_failures == {"http_status": 1, "rate_limited": 1}
