"""The exception hierarchy: every error a user can cause says what to fix in one line."""


class StorywatchError(Exception):
    """Base class; `str(error)` is a one-line message fit for the terminal."""


class ConfigError(StorywatchError):
    """The config file is missing, malformed, or names a bad value (message gives key and line)."""


class DatabaseError(StorywatchError):
    """The DuckDB file cannot be used."""


class DatabaseBusy(DatabaseError):
    """Another process holds the DuckDB lock longer than we are willing to wait."""


class FetchError(StorywatchError):
    """A feed or page could not be fetched; `kind` is a stable short name stored with the failure."""

    kind = "fetch"
    retryable = True  # whether the next pass should try the URL again

    def __init__(self, url: str, reason: str):
        self.url = url
        self.reason = reason
        super().__init__(f"{url}: {reason}")


class BlockedAddress(FetchError):
    """The URL's scheme or resolved address is not allowed (SSRF guard)."""

    kind = "blocked"
    retryable = False


class BodyTooLarge(FetchError):
    kind = "too_large"
    retryable = False


class UnsupportedContent(FetchError):
    """Not an HTML (or feed) body; never sent to extraction."""

    kind = "unsupported_content"
    retryable = False


class HTTPStatusError(FetchError):
    kind = "http_status"

    def __init__(self, url: str, status_code: int, retry_after_seconds: float | None = None):
        self.status_code = status_code
        self.retry_after_seconds = retry_after_seconds
        super().__init__(url, f"HTTP {status_code}")
        # Client errors other than rate limiting will not fix themselves on the next pass.
        self.retryable = status_code >= 500 or status_code in (408, 429)


class RateLimited(FetchError):
    """Not sent: earlier in this pass the host answered 429/503 with a Retry-After still running."""

    kind = "rate_limited"

    def __init__(self, url: str, retry_after_seconds: float):
        self.retry_after_seconds = retry_after_seconds
        super().__init__(url, f"not sent: the host asked to wait {retry_after_seconds:.0f} s more (Retry-After)")


class FetchTimeout(FetchError):
    kind = "timeout"


class TooManyRedirects(FetchError):
    kind = "too_many_redirects"
    retryable = False


class ConnectionFailed(FetchError):
    kind = "connection"


class ExtractionError(FetchError):
    """The page was fetched but yielded no article text."""

    kind = "extraction"
    retryable = False


class OpmlError(StorywatchError):
    """An OPML file is not a readable subscription list."""
