"""Everything that touches the web: feeds, fetching, the address guard, charsets, extraction. No SQL."""

from .crawl import Crawler, FeedRequest
from .extract import extract_article
from .feeds import parse_feed, poll_feed
from .guard import AddressGuard
from .urls import canonicalize
from .values import Article, FeedItem, FeedPoll, Page, PageFailure

__all__ = [
    "AddressGuard",
    "Article",
    "Crawler",
    "FeedItem",
    "FeedPoll",
    "FeedRequest",
    "Page",
    "PageFailure",
    "canonicalize",
    "extract_article",
    "parse_feed",
    "poll_feed",
]
