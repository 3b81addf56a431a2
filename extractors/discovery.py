"""Feed autodiscovery: the RSS, Atom and RDF feeds a web page names in `<link rel="alternate">`.

`storywatch feeds add https://outlet.example/` reads the page through the one guarded
`Fetcher` and checks each feed it names by fetching it: its title and how many items it lists,
or why it cannot be read. The page's own origin is allowed (the operator typed it, as they
would type a feed URL); the feeds the page points at pass the address guard like any link a
page gives, so a page cannot steer storywatch at a private address of another host.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import feedparser
import lxml.html
from lxml.etree import ParserError

from storywatch.config import FetchSettings
from storywatch.errors import FetchError

from .charset import decode_body
from .feeds import parse_feed
from .guard import AddressGuard, origin_of
from .http import HTML_MEDIA_TYPES, Download, Fetcher
from .urls import display_url

FEED_TYPES = {"application/rss+xml": "rss", "application/atom+xml": "atom", "application/rdf+xml": "rdf"}
_ACCEPT = "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml;q=0.9,*/*;q=0.1"


@dataclass(frozen=True)
class FeedLink:
    """A feed as a page's `<link rel="alternate" type=... href=... title=...>` names it."""

    url: str    # absolute
    kind: str   # rss, atom or rdf
    title: str | None = None


@dataclass(frozen=True)
class DiscoveredFeed:
    url: str
    kind: str
    title: str | None       # the feed's own title, else the page's name for it
    site_url: str | None = None  # the web site the feed says it belongs to (its <link>)
    items: int = 0
    error: str | None = None  # why it could not be read: such a feed is listed, never offered

    @property
    def readable(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class Discovery:
    page_url: str  # where the address ended up after redirects
    page_title: str | None
    feeds: tuple[DiscoveredFeed, ...]


async def discover_feeds(url: str, settings: FetchSettings, feed_urls: Iterable[str] = ()) -> Discovery:
    """The feeds `url` names (or `url` itself, when it is a feed), each checked by fetching it.

    Raises a FetchError when the page itself cannot be fetched.
    """
    try:
        origins = [origin_of(known) for known in (*feed_urls, url)]
    except ValueError as error:
        raise FetchError(display_url(url), str(error)) from None
    async with Fetcher(settings, AddressGuard(origins)) as fetcher:
        page = await fetcher.fetch(url, {"Accept": _ACCEPT})
        if page.media_type not in HTML_MEDIA_TYPES:
            # A feed URL given directly is its own (only) discovery.
            return Discovery(page.final_url, None, (_checked(FeedLink(page.final_url, "feed"), page),))
        html, _ = decode_body(page.body, page.headers.get("content-type"))
        title, links = feed_links(html, page.final_url)
        checked = await asyncio.gather(*(_check(fetcher, link) for link in links))
    return Discovery(page.final_url, title, tuple(checked))


def feed_links(html: str, page_url: str) -> tuple[str | None, tuple[FeedLink, ...]]:
    """The page's title and the feeds its `<link rel="alternate">` elements name, in page order."""
    try:
        document = lxml.html.document_fromstring(html)
    except (ParserError, ValueError):
        return None, ()
    base = urljoin(page_url, (document.xpath("string(//base/@href)") or "").strip())
    found: dict[str, FeedLink] = {}
    for link in document.xpath("//link[@href]"):
        relations = (link.get("rel") or "").lower().split()
        kind = FEED_TYPES.get((link.get("type") or "").split(";")[0].strip().lower())
        if "alternate" not in relations or kind is None:
            continue
        href = urljoin(base, link.get("href").strip())
        if urlsplit(href).scheme in ("http", "https") and href not in found:
            found[href] = FeedLink(href, kind, (link.get("title") or "").strip() or None)
    title = " ".join((document.findtext(".//title") or "").split()) or None
    return title, tuple(found.values())


async def _check(fetcher: Fetcher, link: FeedLink) -> DiscoveredFeed:
    try:
        download = await fetcher.fetch(link.url, {"Accept": _ACCEPT})
    except FetchError as error:
        return DiscoveredFeed(link.url, link.kind, link.title, error=str(error))
    return _checked(link, download)


def _checked(link: FeedLink, download: Download) -> DiscoveredFeed:
    try:
        items = parse_feed(link.url, download.body, download.final_url, download.headers)
    except FetchError as error:
        return DiscoveredFeed(link.url, link.kind, link.title, error=str(error))
    parsed = feedparser.parse(download.body)  # parse_feed keeps items only; the name comes from here
    kind = link.kind if link.kind != "feed" else _kind(parsed.get("version", ""))
    title = " ".join((parsed.feed.get("title") or "").split()) or link.title
    site = urljoin(download.final_url, parsed.feed.get("link") or "")
    site_url = site if site != download.final_url and urlsplit(site).scheme in ("http", "https") else None
    return DiscoveredFeed(link.url, kind, title, site_url, items=len(items))


def _kind(version: str) -> str:
    return "atom" if version.startswith("atom") else "rdf" if version in ("rss090", "rss10") else "rss"
