"""URL forms: the canonical identity of an article link, and the form safe to show in a message."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from courlan import normalize_url

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
