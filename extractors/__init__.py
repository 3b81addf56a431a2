"""Everything that touches the web: feeds, fetching, the address guard, charsets, extraction. No SQL."""

from .crawl import Crawler, FeedRequest
from .extract import extract_article
from .feeds import parse_feed, poll_feed
from .guard import AddressGuard
from .page import Page
from .urls import canonicalize

__all__ = [
    "AddressGuard",
    "Crawler",
    "FeedRequest",
    "Page",
    "canonicalize",
    "extract_article",
    "parse_feed",
    "poll_feed",
]
