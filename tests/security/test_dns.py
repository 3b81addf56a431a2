"""Findings 4 and 5: the address checked is the address connected to, whatever DNS answers next."""

from __future__ import annotations

import socket

import pytest

from storywatch.demo.server import LoopbackSite
from tests.security.conftest import run_pass, write_config
from tests.security.hostile import PUBLIC, AttackerDNS

@pytest.fixture
def attacker_dns(monkeypatch):
    def install(script: dict[str, list[str]]) -> AttackerDNS:
        dns = AttackerDNS(script)
        monkeypatch.setattr(socket, "getaddrinfo", dns)
        return dns

    return install


def test_rebinding_host_is_connected_only_to_the_address_checked(
    tmp_path, site: LoopbackSite, other_host: LoopbackSite, news, attacker_dns
) -> None:
    attacker_dns({"rebind.test": [PUBLIC, "127.0.0.2"]})
    secret = news.story("secret", "internal payroll")
    other_host.route("/admin", news.article(secret))
    links = {"secret": f"http://rebind.test:{other_host.port}/admin"}
    site.route("/rss.xml", news.rss([secret], lambda s: links[s.slug]), content_type="application/rss+xml")

    result = run_pass(write_config(tmp_path, {"Gazette": site.url("/rss.xml")}))

    assert other_host.requests == []
    assert result.rows("SELECT count(*) FROM articles") == [(0,)]
    assert result.collected.page_failures.keys() <= {"timeout", "connection"}  # the public address is unreachable


def test_idna_host_is_checked_as_httpx_encodes_it(
    tmp_path, site: LoopbackSite, other_host: LoopbackSite, news, attacker_dns
) -> None:
    # IDNA 2003 (the resolver's codec) maps ß to ss; IDNA 2008 (httpx) keeps it as xn--zca.
    attacker_dns({"ss.evil.test": [PUBLIC], "xn--zca.evil.test": ["127.0.0.2"]})
    secret = news.story("secret", "internal payroll")
    other_host.route("/admin", news.article(secret))
    site.redirect("/moved", f"http://ß.evil.test:{other_host.port}/admin")
    links = {"secret": f"http://ß.evil.test:{other_host.port}/admin", "moved": "/moved"}
    listed = [secret, news.story("moved", "anything")]
    site.route("/rss.xml", news.rss(listed, lambda s: links[s.slug]), content_type="application/rss+xml")

    result = run_pass(write_config(tmp_path, {"Gazette": site.url("/rss.xml")}))

    assert other_host.requests == []
    assert result.collected.page_failures == {"blocked": 2}
    assert result.rows("SELECT count(*) FROM articles") == [(0,)]


def test_pinned_connection_keeps_the_host_name(tmp_path, site: LoopbackSite, news, attacker_dns) -> None:
    dns = attacker_dns({"news.test": ["127.0.0.1", "127.0.0.2"]})
    story = news.story("story", "harbour dredging")
    site.route("/news/story", news.article(story))
    site.route("/rss.xml", news.rss([story], lambda s: "/news/story"), content_type="application/rss+xml")

    result = run_pass(write_config(tmp_path, {"Gazette": f"http://news.test:{site.port}/rss.xml"}))

    assert result.rows("SELECT url FROM articles") == [(f"http://news.test:{site.port}/news/story",)]
    assert {r.headers["host"] for r in site.requests} == {f"news.test:{site.port}"}
    assert dns.queries == ["news.test"]  # one lookup per pass; every connection went to its answer


def test_a_feed_host_resolving_inside_is_refused_unless_allowed(tmp_path, site: LoopbackSite, news, attacker_dns) -> None:
    attacker_dns({"publisher.test": ["127.0.0.1"]})  # the publisher points its own name at our loopback
    site.route("/rss.xml", news.rss([news.story("a", "anything")], lambda s: "/a"), content_type="application/rss+xml")
    feed = {"Publisher": f"http://publisher.test:{site.port}/rss.xml"}

    refused = run_pass(write_config(tmp_path, feed, allow="[]"))
    assert "resolves to non-public address 127.0.0.1" in refused.collected.feed_errors["Publisher"]
    assert site.requests == []

    allowed = run_pass(write_config(tmp_path, feed, allow="[publisher.test]"))
    assert allowed.collected.feed_errors == {}
    assert [r.path for r in site.requests][:1] == ["/rss.xml"]
