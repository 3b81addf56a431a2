"""Finding 7: a page cannot claim another site's article as its canonical identity."""

from __future__ import annotations

from storywatch.demo.server import LoopbackSite
from storywatch.warehouse.store import site_of
from tests.security.conftest import run_pass, write_config


def test_canonical_on_another_site_does_not_overwrite_that_sites_article(
    tmp_path, site: LoopbackSite, publisher: LoopbackSite, news
) -> None:
    original = news.story("original", "harbour dredging")
    victim_url = publisher.url("/news/original")
    publisher.route("/news/original", news.article(original, canonical=victim_url))
    publisher.route("/rss.xml", news.rss([original], lambda s: "/news/original"), content_type="application/rss+xml")
    config = write_config(tmp_path, {"Victim": publisher.url("/rss.xml"), "Hostile": site.url("/rss.xml")})
    run_pass(config)

    forged = news.story("forged", "fabricated scandal")
    site.route("/news/forged", news.article(forged, canonical=victim_url, og_url=victim_url))
    site.route("/rss.xml", news.rss([forged], lambda s: "/news/forged"), content_type="application/rss+xml")
    result = run_pass(config)

    assert result.collected.updated_articles == 0
    assert sorted(result.rows("SELECT canonical_url, title, revision FROM internal.articles")) == sorted([
        (victim_url, original.title, 1), (site.url("/news/forged"), forged.title, 1)])


def test_a_site_is_its_registrable_domain() -> None:
    assert site_of("https://amp.news.example.co.uk/a") == site_of("https://www.example.co.uk/a") == "example.co.uk"
    assert site_of("https://example.co.uk/a") != site_of("https://other.co.uk/a")
    assert site_of("https://alice.github.io/a") != site_of("https://bob.github.io/a")  # a public suffix, not a site
    assert site_of("http://127.0.0.1:8080/a") == "127.0.0.1"
