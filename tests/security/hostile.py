"""The hostile set: what a malicious publisher (and its DNS) serves, alone and all at once.

Used by the per-finding tests, by `test_hostile_pass` (one real `storywatch run` over everything)
and by `bench/hostile.py` (the same pass as a subprocess, measured).
"""

from __future__ import annotations

import functools
import gzip
import socket
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape

from storywatch.demo.server import LoopbackSite
from tests.conftest import News

PUBLIC = "93.184.215.14"


class AttackerDNS:
    """A resolver that answers each name from a script, the next answer on every query, as a rebinding
    attacker's DNS does; other names go to the system resolver. Installed as `socket.getaddrinfo`."""

    def __init__(self, script: dict[str, list[str]]):
        self.script = script
        self.queries: list[str] = []
        self._system = socket.getaddrinfo

    def __call__(self, host, port, family=0, type=0, proto=0, flags=0):
        name = host.decode() if isinstance(host, bytes) else host
        name = name.encode("idna").decode() if not name.isascii() else name  # what the C resolver is given
        if name not in self.script:
            return self._system(host, port, family, type, proto, flags)
        self.queries.append(name)
        answers = self.script[name]
        address = answers[min(self.queries.count(name), len(answers)) - 1]
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, int(port)))]


@functools.cache  # 10 s of CPU per GiB: built once per session
def gzip_bomb(decoded_bytes: int, layers: int) -> bytes:
    """`decoded_bytes` zeros, gzipped `layers` times, built in chunks (never the whole bomb in memory)."""
    if layers > 1:
        return gzip.compress(gzip_bomb(decoded_bytes, layers - 1), 9)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1 << 20)
    parts = [compressor.compress(zeros) for _ in range(decoded_bytes >> 20)]
    return b"".join(parts) + compressor.flush()


def entity_feed(link: str, *, charset: str = "utf-8", references: int = 5_000) -> bytes:
    """50 KB of feed that a loose parser expands into a 200 MB summary."""
    text = (
        f'<?xml version="1.0" encoding="{charset}"?>\n'
        f'<!DOCTYPE rss [\n<!ENTITY big "{"A" * 40_000}">\n]>\n'
        '<rss version="2.0"><channel><title>Entities</title>'
        f"<item><title>Listed beside the bomb</title><link>{link}</link>"
        f"<description>{'&big;' * references}</description></item></channel></rss>"
    )
    return text.encode(charset)


def atom_dated(entries: dict[str, str]) -> str:
    """An Atom feed whose entries (link -> date string) carry the date exactly as given."""
    items = "".join(
        f'<entry><title>Story {n}</title><link href="{escape(link)}"/><id>urn:x:{n}</id>'
        f"<published>{date}</published><updated>{date}</updated></entry>"
        for n, (link, date) in enumerate(entries.items())
    )
    return f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>{items}</feed>'


def flood_feed(base: str, items: int) -> str:
    """An RSS feed of `items` distinct links (60,000 of them is 3.4 MB)."""
    entries = "".join(f"<item><title>Item {n}</title><link>{base}/flood/{n}</link></item>" for n in range(items))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Flood</title>{entries}</channel></rss>'




@dataclass
class HostileSet:
    """Everything at once on loopback hosts, beside good feeds whose every article must be stored.

    `site` (127.0.0.1) is a hostile publisher that also runs a good feed; `publisher` (127.0.0.3)
    is an honest outlet; `busy` (127.0.0.4) answers 429 with an absurd Retry-After; `internal`
    (127.0.0.2) is an internal service that must never get a request.
    """

    site: LoopbackSite
    publisher: LoopbackSite
    busy: LoopbackSite
    internal: LoopbackSite
    news: type[News] = News
    good_urls: list[str] = field(default_factory=list)
    feeds: dict[str, str] = field(default_factory=dict)
    dns: dict[str, list[str]] = field(default_factory=dict)
    victim_url: str = ""

    ALLOW = "[127.0.0.1, 127.0.0.3, 127.0.0.4]"
    SLACK_STORYLINE = "  - id: lighthouse\n    title: Lighthouse\n    query: 'lighthouse'\n"

    def serve(self) -> HostileSet:
        news, site, internal = self.news, self.site, self.internal
        published = datetime(2026, 11, 30, 8, tzinfo=UTC)
        honest = [news.story(f"honest-{n}", s, published) for n, s in enumerate(["ferry", "dam", "port"])]
        for story in honest:
            url = self.publisher.url(f"/news/{story.slug}")
            self.publisher.route(f"/news/{story.slug}", news.article(story, canonical=url, site_name="Honest Wire"))
        self.victim_url = self.publisher.url("/news/honest-0")
        self.publisher.route("/rss.xml", news.rss(honest, lambda s: f"/news/{s.slug}"), content_type="application/rss+xml")
        own = [news.story(f"own-{n}", s, published) for n, s in enumerate(["rail tender", "school budget"])]
        for story in own:
            site.route(f"/news/{story.slug}", news.article(story))
        site.route("/good.xml", news.rss(own, lambda s: f"/news/{s.slug}"), content_type="application/rss+xml")
        self.good_urls = [self.publisher.url(f"/news/{s.slug}") for s in honest] + [
            site.url(f"/news/{s.slug}") for s in own]

        internal.route("/admin", news.article(news.story("admin", "internal payroll")))
        stacked = gzip_bomb(1 << 30, 2)
        site.route("/hostile/bomb", gzip_bomb(1 << 30, 1), headers={"Content-Encoding": "gzip"})
        site.route("/hostile/stacked", stacked, headers={"Content-Encoding": "gzip, gzip"})
        forged = news.story("forged", "fabricated scandal")
        site.route("/hostile/forged", news.article(forged, canonical=self.victim_url, og_url=self.victim_url))
        markup = news.story("markup", "lighthouse keeper")
        markup = markup.__class__(markup.slug, "<!channel> Lighthouse keeper <https://evil.example|says> @here>",
                                  markup.paragraphs, published)
        site.route("/hostile/markup", news.article(markup, site_name="!channel"))
        site.redirect("/hostile/redirect", f"http://ß.evil.test:{internal.port}/admin")
        links = {
            "bomb": "/hostile/bomb", "stacked": "/hostile/stacked", "forged": "/hostile/forged",
            "markup": "/hostile/markup", "redirect": "/hostile/redirect",
            "rebind": f"http://rebind.test:{internal.port}/admin", "idna": f"http://ß.evil.test:{internal.port}/admin",
            "direct": internal.url("/admin"),
        }
        listed = [news.story(slug, "hostile item", published) for slug in links]
        site.route("/hostile.xml", news.rss(listed, lambda s: links[s.slug]), content_type="application/rss+xml")
        site.route("/bomb.xml", stacked, content_type="application/rss+xml",
                   headers={"Content-Encoding": "gzip, gzip"})
        site.route("/entities.xml", entity_feed("/news/own-0"), content_type="application/rss+xml")
        site.route("/dated.xml", atom_dated({"/news/own-1": "9999-12-31T23:59:59-05:00",
                                             "/news/own-0": "0001-01-01T00:00:00+01:00"}),
                   content_type="application/atom+xml")
        site.route("/flood.xml", flood_feed("", 60_000), content_type="application/rss+xml")
        self.busy.route("/rss.xml", "slow down", status=429, headers={"Retry-After": "99999999999999999"})

        self.dns = {"rebind.test": [PUBLIC, "127.0.0.2"], "ss.evil.test": [PUBLIC], "xn--zca.evil.test": ["127.0.0.2"],
                    "inside.test": ["127.0.0.2"]}
        self.feeds = {
            "Honest Wire": self.publisher.url("/rss.xml"), "Own Good": site.url("/good.xml"),
            "Hostile Pages": site.url("/hostile.xml"), "Bomb Feed": site.url("/bomb.xml"),
            "Entities": site.url("/entities.xml"), "Dated": site.url("/dated.xml"), "Flood": site.url("/flood.xml"),
            "Busy": self.busy.url("/rss.xml"), "Inside": f"http://inside.test:{internal.port}/rss.xml",
        }
        return self

    def config(self, slack_url: str = "") -> str:
        """The config of a pass over the set (YAML); `slack_url` adds a Slack target."""
        feeds = "".join(f"  - name: {name}\n    url: \"{url}\"\n" for name, url in self.feeds.items())
        notify = f"notify:\n  - url: \"{slack_url}\"\n    max_per_hour: 100\n" if slack_url else ""
        return (f"database: hostile.duckdb\nfetch:\n  timeout_seconds: 3\n  allow_internal: {self.ALLOW}\n"
                f"feeds:\n{feeds}storylines:\n{self.SLACK_STORYLINE}{notify}")
