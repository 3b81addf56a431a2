"""URL forms: the canonical identity of an article link, its site, and the form safe to show in a message."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from courlan import normalize_url
from tld import get_fld

_WEB_SCHEMES = ("http", "https")
_SECRET_PARAMETER = re.compile(r"token|key|secret|sig|pass|auth|session|credential", re.IGNORECASE)


def canonicalize(url: str) -> str:
    """Normalise an http(s) URL for identity: lower-case host, default port, sorted query without
    tracking parameters (utm_*, fbclid, gclid, ...), no fragment. Other URLs come back stripped."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in _WEB_SCHEMES or not parts.netloc:
        return url
    try:
        return normalize_url(urlunsplit(parts._replace(fragment="")))
    except ValueError:  # courlan refuses malformed ports and the like; keep the URL as given
        return urlunsplit(parts._replace(fragment=""))


def site_of(url: str) -> str:
    """The registrable domain of the URL's host (amp.news.example.co.uk -> example.co.uk, by the public
    suffix list); the host itself for addresses and names under no known suffix."""
    host = (urlsplit(url).hostname or "").lower()
    return get_fld(host, fix_protocol=True, fail_silently=True) or host


def same_site(url: str, other: str) -> bool:
    return site_of(url) == site_of(other)


def without_userinfo(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def display_url(url: str) -> str:
    """`url` without credentials: user-info dropped and secret-looking query values masked."""
    parts = urlsplit(without_userinfo(url))
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if any(_SECRET_PARAMETER.search(name) for name, _ in pairs):
        query = urlencode([(name, "***" if _SECRET_PARAMETER.search(name) else value) for name, value in pairs])
    else:
        query = parts.query
    return urlunsplit(parts._replace(query=query))
