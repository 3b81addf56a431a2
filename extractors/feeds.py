"""Feeds: one conditional GET per feed, and the parsing of its body into `FeedItem`s.

feedparser reads RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom; it gets the raw bytes and the response
headers so it can honour the declared charset and resolve relative links against xml:base or
the feed's URL. A feed that is malformed but still yields entries is used; one that yields
nothing recognisable is an error. `poll_feed` never raises: errors go into `FeedPoll.error`.
"""

from __future__ import annotations

import asyncio
import calendar
import logging
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin

import feedparser
import lxml.html
from lxml.etree import ParserError

from storywatch.config import FeedSettings
from storywatch.errors import FetchError, UnsupportedContent
from storywatch.warehouse.records import FeedItem, FeedPoll

from .charset import decode_body
from .http import Fetcher, media_type
from .urls import canonicalize, display_url, without_userinfo

LOG = logging.getLogger(__name__)
_FIRST_ELEMENT = re.compile(r"<\w", re.ASCII)  # where feedparser, too, takes the prolog to end
_BLOCK_TAGS = ("p", "br", "div", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "tr")
_FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)


async def poll_feed(
    fetcher: Fetcher, feed: FeedSettings, etag: str | None = None, last_modified: str | None = None
) -> FeedPoll:
    """GET the feed with If-None-Match / If-Modified-Since and parse it; never raises."""
    started = time.monotonic()
    headers = {"Accept": _FEED_ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified

    def elapsed_ms() -> int:
        return round((time.monotonic() - started) * 1000)

    try:
        download = await fetcher.fetch(feed.url, headers)
        # Parsing is CPU work (seconds for a huge feed): off the event loop, other feeds' reads go on.
        items = () if download.status_code == 304 else await asyncio.to_thread(
            parse_feed, feed.name, download.body, download.final_url, download.headers,
            fetcher.settings.max_items_per_feed,
        )
    except Exception as error:  # one hostile or broken feed fails alone, never the pass
        if not isinstance(error, FetchError):
            LOG.exception("polling feed %s failed unexpectedly", feed.name)
            error = FetchError(display_url(feed.url), f"unexpected {type(error).__name__}")
        wait = getattr(error, "retry_after_seconds", None)
        now = datetime.now(UTC)
        return FeedPoll(
            feed=feed.name,
            url=feed.shown_url,
            fetched_at=now,
            status_code=getattr(error, "status_code", None),
            etag=etag,
            last_modified=last_modified,
            error=feed.redact(str(error).splitlines()[0]),
            retry_not_before=None if wait is None else now + timedelta(seconds=wait),
            duration_ms=elapsed_ms(),
        )
    return FeedPoll(
        feed=feed.name,
        url=feed.shown_url,
        fetched_at=download.fetched_at,
        status_code=download.status_code,
        not_modified=download.status_code == 304,
        # A 304 need not repeat the validators; the ones we sent stay valid then.
        etag=download.headers.get("etag", etag),
        last_modified=download.headers.get("last-modified", last_modified),
        items=items,
        duration_ms=elapsed_ms(),
    )


def parse_feed(
    feed_name: str, body: bytes, url: str, headers: Mapping[str, str] | None = None, max_items: int | None = None
) -> tuple[FeedItem, ...]:
    """The first `max_items` items of a feed body fetched from `url`, links absolute and canonical, dates in UTC.

    Raises UnsupportedContent when the body is not a feed at all.
    """
    response_headers = {name.lower(): value for name, value in (headers or {}).items()}
    # feedparser takes the base URI for relative links from Content-Location. Credentials in
    # the feed's URL never ride along into its links (they go by origin; see extractors.http).
    url = without_userinfo(url)
    response_headers["content-location"] = urljoin(url, response_headers.get("content-location", url))
    document, response_headers["content-type"] = without_prolog(body, response_headers.get("content-type"))
    parsed = feedparser.parse(document, response_headers=response_headers)
    if not parsed.entries and not parsed.feed.get("title") and (parsed.bozo or not parsed.get("version")):
        problem = str(parsed.get("bozo_exception") or "no feed elements").splitlines()[0]
        raise UnsupportedContent(display_url(url), f"not a readable feed ({problem})")
    items: dict[str, FeedItem] = {}
    for entry in parsed.entries:
        try:
            item = _feed_item(feed_name, entry, url)
        except Exception:  # an entry feedparser let through but we cannot read: skip it, keep the rest
            LOG.warning("feed %s: skipped an unreadable entry", feed_name, exc_info=True)
            continue
        if item is not None and item.link not in items:  # some feeds list a story twice
            items[item.link] = item
            if len(items) == max_items:
                break
    return tuple(items.values())


def without_prolog(body: bytes, content_type: str | None) -> tuple[bytes, str]:
    """The document as UTF-8 from its first element on, and the Content-Type that says so.

    The prolog is where a DTD declares entities. feedparser keeps "safe" ones, and when the
    strict parser gives up (expat's amplification limit) its loose parser expands them
    without limit: one 40 KB entity named 5,000 times is a 200 MB summary. A feed needs
    nothing from its prolog, so none of it reaches feedparser, in any charset.
    """
    text, _ = decode_body(body, content_type)
    first_element = _FIRST_ELEMENT.search(text)
    if first_element:
        text = text[first_element.start():]
    kind = media_type(content_type) or "application/xml"
    return text.encode("utf-8"), f"{kind}; charset=utf-8"


def _feed_item(feed_name: str, entry: feedparser.FeedParserDict, url: str) -> FeedItem | None:
    link = entry.get("link") or _url_like(entry.get("id"))
    if not link:
        return None
    content = entry.get("content") or ()
    return FeedItem(
        feed=feed_name,
        link=canonicalize(without_userinfo(urljoin(url, link))),
        title=_plain_text(entry.get("title")),
        published_at=_utc(entry.get("published_parsed")),
        updated_at=_utc(entry.get("updated_parsed")),
        author=_plain_text(entry.get("author")),
        summary=_plain_text(entry.get("summary")),
        content=_plain_text(content[0].get("value")) if content else None,
    )


def _url_like(value: str | None) -> str | None:
    """Atom ids and RSS guids are often the permalink; accept them only when they look like one."""
    return value if value and value.startswith(("http://", "https://")) else None


def _utc(moment: time.struct_time | None) -> datetime | None:
    """feedparser's parsed dates are UTC struct_times; one no datetime can hold is dropped."""
    if moment is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(moment), UTC)
    except (ValueError, OverflowError, OSError):  # 9999-12-31T23:59:59-05:00 is year 10000 in UTC
        return None


def _plain_text(markup: str | None) -> str | None:
    """Text of an HTML fragment with whitespace collapsed; None when empty."""
    if not markup:
        return None
    text = markup
    if "<" in markup or "&" in markup:
        try:
            root = lxml.html.fragment_fromstring(markup, create_parent="div")
        except (ParserError, ValueError):
            root = None
        if root is not None:
            for block in root.iter(*_BLOCK_TAGS):  # keep "end.</p><p>Next" from fusing into "end.Next"
                block.tail = " " + (block.tail or "")
            text = root.text_content()
    text = " ".join(text.split())
    return text or None
