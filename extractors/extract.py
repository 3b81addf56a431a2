"""Article extraction: a fetched page plus the feed item that listed it become an `Article`.

Pure and CPU-bound, so it runs in worker processes. The HTML is parsed once; trafilatura
works on that tree for text and metadata (htmldate for the page's date).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from urllib.parse import urljoin, urlsplit

import py3langid
from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.metadata import extract_metadata
from trafilatura.utils import load_html

from storywatch.errors import ExtractionError
from storywatch.timings import StageTimes
from storywatch.warehouse.fingerprint import fingerprint
from storywatch.warehouse.records import Article, FeedItem

from .page import Page
from .urls import canonicalize, display_url

_LANGUAGE_SAMPLE_CHARS = 600  # a paragraph is enough for a stable guess; py3langid's cost grows with length
_PAGE_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"  # htmldate gives the time and offset when the page has them
_DATE_SEARCH = {
    "original_date": True,
    # The extensive search guesses from free text ("Copyright 2025" -> 1 January); a wrong
    # date misplaces a development, a missing one falls back to the feed's date.
    "extensive_search": False,
    "outputformat": _PAGE_DATE_FORMAT,
}


def extract_article(page: Page, item: FeedItem, times: StageTimes | None = None) -> Article:
    """Extract the article in `page`; raise ExtractionError when it holds no article text.

    `times`, when given, receives the wall and CPU seconds of each step.
    """
    times = times if times is not None else StageTimes()
    with times.measure("decode"):
        html, encoding = page.decode()
    with times.measure("parse"):
        tree = load_html(html)
    if tree is None:
        raise ExtractionError(display_url(page.final_url), "empty or unparseable HTML")
    with times.measure("metadata"):
        canonical_url = canonicalize(declared_canonical(tree, page.final_url) or page.final_url)
        described = _metadata(tree, item, canonical_url, page.fetched_at)  # before extraction prunes the tree
    with times.measure("extraction"):
        document = bare_extraction(
            tree,
            url=canonical_url,
            include_comments=False,  # trafilatura keeps reader comments by default
            deduplicate=False,  # its process-wide cache drops text on the 4th re-extraction of a page
        )
    text = (document.text or "").strip() if document is not None else ""
    if not text:
        raise ExtractionError(display_url(page.final_url), "no article text found")
    with times.measure("language"):
        language = py3langid.classify(text[:_LANGUAGE_SAMPLE_CHARS])[0]
    with times.measure("fingerprint"):
        signature = fingerprint(text)
        digest = content_hash(text)
    return Article(
        url=page.url,
        final_url=page.final_url,
        canonical_url=canonical_url,
        feed=item.feed,
        source=item.feed,  # the outlet as the operator named its feed: what subscribers and source counts read
        title=described.title or item.title,
        author=described.author or item.author,
        published_at=item.published_at or _page_date(described.date) or item.updated_at,
        fetched_at=page.fetched_at,
        language=language,
        text=text,
        content_hash=digest,
        fingerprint=signature,
        status_code=page.status_code,
        content_type=page.content_type,
        encoding=encoding,
        raw_html=page.body,
        item_updated_at=item.updated_at,
    )


@dataclass(frozen=True)
class _Described:
    title: str | None = None
    author: str | None = None
    date: str | None = None


def _metadata(
    tree: HtmlElement, item: FeedItem, canonical_url: str, page_fetched_at: datetime | None
) -> _Described:
    """What the page says about itself, for whatever the feed item left out.

    trafilatura's metadata pass (htmldate, author and category heuristics) costs up to a third
    of an extraction, so it runs only when the feed gave no date; otherwise title, author and
    author come from the page's meta tags and first heading.
    """
    if item.published_at:
        return _Described(
            title=_meta(tree, './/meta[@property="og:title"]') or _first_heading(tree),
            author=_meta(tree, './/meta[@name="author"]'),
        )
    found = extract_metadata(tree, default_url=canonical_url, date_config=date_search(page_fetched_at))
    return _Described(found.title, found.author, found.date)


def date_search(fetched_at: datetime | None) -> dict:
    """htmldate's settings for a page fetched at `fetched_at`: no page is dated after its fetch.

    The bound follows each page, not the process: workers live as long as `storywatch serve`,
    and a bound fixed when they started would drop the date of every later article. It ends a
    day after the fetch day, since a page in UTC+14 may already be dated tomorrow; a bound
    that moves once a day also keeps htmldate's validation caches warm.
    """
    fetch_day = (fetched_at or datetime.now(UTC)).astimezone(UTC).date()
    return {**_DATE_SEARCH, "max_date": datetime.combine(fetch_day + timedelta(days=1), time.max)}


def _first_heading(tree: HtmlElement) -> str | None:
    heading = tree.find(".//h1")
    text = " ".join(heading.text_content().split()) if heading is not None else ""
    return text or None


def _meta(tree: HtmlElement, path: str) -> str | None:
    element = tree.find(path)
    content = element.get("content", "").strip() if element is not None else ""
    return content or None


def declared_canonical(tree: HtmlElement, base_url: str) -> str | None:
    """The page's own absolute http(s) identity: rel=canonical, else og:url (resolved against `base_url`)."""
    declared = [
        element.get("href", "")
        for element in tree.iterfind(".//link[@rel]")
        if "canonical" in element.get("rel", "").lower().split()
    ]
    declared += [element.get("content", "") for element in tree.iterfind('.//meta[@property="og:url"]')]
    for href in declared:
        url = urljoin(base_url, href.strip())
        parts = urlsplit(url)
        # Some sites stamp their home page as every page's canonical; that would merge all articles.
        if parts.scheme in ("http", "https") and parts.netloc and not _is_home_page_of_other(parts.path, base_url):
            return url
    return None


def content_hash(text: str) -> str:
    """sha256 of the text with whitespace runs collapsed, so re-wrapping does not change it."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def _is_home_page_of_other(path: str, base_url: str) -> bool:
    return path in ("", "/") and urlsplit(base_url).path not in ("", "/")


def _page_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
