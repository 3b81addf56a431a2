"""Feed autodiscovery over loopback sites: `<link rel="alternate">` read, each feed checked, the guard applied."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storywatch.cli import app
from storywatch.cli.app import console
from storywatch.config import FetchSettings, load_settings
from storywatch.demo.newsroom import Newsroom
from storywatch.extractors.discovery import discover_feeds, feed_links

runner = CliRunner()
SETTINGS = FetchSettings(timeout_seconds=5)
RSS = "application/rss+xml"


def discover(url: str):
    return asyncio.run(discover_feeds(url, SETTINGS, ["https://wire.example/rss"]))


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "storywatch.yaml"
    path.write_text("feeds:\n  - name: Wire\n    url: https://wire.example/rss\n", encoding="utf-8")
    return path


def page(head: str) -> str:
    return f"<!DOCTYPE html><html><head><title>Harbor  Gazette\n</title>{head}</head><body><p>News</p></body></html>"


def test_every_feed_a_page_names_is_listed_with_its_own_title_and_items(site, news):
    stories = [news.story("a", "harbor strike"), news.story("b", "dam inquiry")]
    site.route("/news/rss.xml", news.rss(stories, lambda s: f"/news/{s.slug}.html", title="Gazette — Top stories"),
               content_type=RSS)
    site.route("/atom.xml", news.atom(stories[:1], lambda s: site.url(f"/news/{s.slug}.html")),
               content_type="application/atom+xml")
    site.route("/", page('<base href="/news/">'
                         '<link rel="stylesheet alternate" type="text/css" href="/alt.css">'
                         f'<link rel="alternate" type="{RSS}" title="Top stories" href="rss.xml">'
                         f'<link rel="Alternate" type="{RSS}; charset=utf-8" href="{site.url("/news/rss.xml")}">'
                         '<link rel="alternate" type="application/atom+xml" href="/atom.xml">'
                         '<link rel="alternate" hreflang="fr" href="/fr/">'))
    found = discover(site.url("/"))
    assert found.page_title == "Harbor Gazette"
    assert [(f.url, f.kind, f.title, f.site_url, f.items) for f in found.feeds] == [
        (site.url("/news/rss.xml"), "rss", "Gazette — Top stories", "http://example.invalid/", 2),
        (site.url("/atom.xml"), "atom", "Harbor Gazette", None, 1),
    ]
    assert site.requests_for("/alt.css") == [] and site.requests_for("/fr/") == []


def test_a_page_cannot_point_discovery_at_a_private_address_of_another_host(site, other_host, news):
    other_host.route("/internal/rss.xml", news.rss([news.story("x", "secret")], lambda s: "/x"), content_type=RSS)
    site.route("/", page(f'<link rel="alternate" type="{RSS}" href="{other_host.url("/internal/rss.xml")}">'))
    (feed,) = discover(site.url("/")).feeds
    assert not feed.readable and "non-public address 127.0.0.2" in feed.error
    assert other_host.requests == []  # refused before connecting


def test_a_feed_url_given_directly_is_its_own_discovery(site, news):
    site.route("/feed", news.atom([news.story("a", "harbor strike")], lambda s: "/a"),
               content_type="application/atom+xml")
    found = discover(site.url("/feed"))
    assert [(f.url, f.kind, f.title, f.items) for f in found.feeds] == [(site.url("/feed"), "atom", "Harbor Gazette", 1)]


def test_a_named_feed_that_is_not_a_feed_is_listed_with_the_reason(site):
    site.route("/broken.xml", "<html><body>Moved</body></html>", content_type=RSS)
    site.route("/gone.xml", "gone", status=404)
    site.route("/", page(f'<link rel="alternate" type="{RSS}" href="/broken.xml">'
                         f'<link rel="alternate" type="{RSS}" href="/gone.xml">'))
    broken, gone = discover(site.url("/")).feeds
    assert "not a readable feed" in broken.error
    assert gone.error.endswith("HTTP 404")


def test_links_resolve_against_the_page_and_skip_what_is_not_http():
    _, links = feed_links(page(f'<link rel="alternate" type="{RSS}" href=" ../feed ">'
                               f'<link rel="alternate" type="{RSS}" href="javascript:alert(1)">'),
                          "https://outlet.example/world/today.html")
    assert [link.url for link in links] == ["https://outlet.example/feed"]


def test_feeds_add_lists_the_demo_outlet_s_feed_and_adds_the_chosen_one(site, config, monkeypatch):
    monkeypatch.setattr(console, "width", 250)  # one table row per feed, whatever the test terminal
    newsroom = Newsroom.load()
    newsroom.publish(site, 1)
    article = newsroom.wave(1)[0]
    outlet = newsroom.outlets[article.outlet]
    result = runner.invoke(app, ["feeds", "add", site.url(article.path), "-c", str(config)], input="1\n")
    assert result.exit_code == 0, result.output
    assert outlet.name in result.output and site.url(outlet.feed_path) in result.output
    added = load_settings(config, {}).feeds[-1]
    assert (added.name, added.url, added.site_url) == (outlet.name, site.url(outlet.feed_path), site.url(outlet.home))


def test_feeds_add_on_a_page_without_feeds_says_so_in_one_line(site, config):
    site.route("/", page(""))
    result = runner.invoke(app, ["feeds", "add", site.url("/"), "-c", str(config)])
    assert result.exit_code == 2
    assert "names no RSS or Atom feed" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Harbor" not in config.read_text(encoding="utf-8")


def test_feeds_add_of_an_unreachable_page_is_a_one_line_error(config):
    result = runner.invoke(app, ["feeds", "add", "http://127.0.0.1:9/", "-c", str(config)])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: http://127.0.0.1:9/") and len(result.stderr.strip().splitlines()) == 1
