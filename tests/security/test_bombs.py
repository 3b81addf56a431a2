"""Finding 1: compression bombs are refused after inflating no more than max_bytes, and never retried."""

from __future__ import annotations

import resource

from storywatch.demo.server import LoopbackSite
from tests.security.conftest import run_pass, write_config


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_gzip_bombs_are_too_large_and_not_retried(tmp_path, site: LoopbackSite, news, bombs) -> None:
    good = news.story("good", "harbour dredging")
    site.route("/news/good", news.article(good))
    site.route("/news/bomb", bombs[1], headers={"Content-Encoding": "gzip"})
    site.route("/news/stacked", bombs[2], headers={"Content-Encoding": "gzip, gzip"})
    listed = [good, news.story("bomb", "x"), news.story("stacked", "y")]
    site.route("/rss.xml", news.rss(listed, lambda s: f"/news/{s.slug}"), content_type="application/rss+xml")
    site.route("/bomb.xml", bombs[2], content_type="application/rss+xml", headers={"Content-Encoding": "gzip, gzip"})
    config = write_config(tmp_path, {"Gazette": site.url("/rss.xml"), "Bomb": site.url("/bomb.xml")})

    before = peak_rss_mib()
    result = run_pass(config)

    assert peak_rss_mib() - before < 200  # a GiB inflated at once would show here
    assert result.rows("SELECT url FROM articles") == [(site.url("/news/good"),)]
    assert sorted(result.rows("SELECT url, kind, retryable FROM internal.page_failures")) == [
        (site.url("/news/bomb"), "too_large", False),
        (site.url("/news/stacked"), "too_large", False),
    ]
    assert "decodes to more than max_bytes 200000" in result.collected.feed_errors["Bomb"]

    site.requests.clear()
    run_pass(config)
    assert site.requests_for("/news/bomb") == site.requests_for("/news/stacked") == []
