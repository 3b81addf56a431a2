"""The exception hierarchy: every error a user can cause says what to fix in one line.

Our exception hierarchy:

* StorywatchError
  + ConfigError
  + QuerySyntaxError (also a ValueError, so the config reports it against its key)
  + TemplateProblem
  + OpmlError
  + DatabaseError
    - DatabaseBusy
  + PrefectServerError
  + PageError (stored with the page's failure as `kind`, retried on the next pass if `retryable`)
    - FetchError
      · BlockedAddress
      · BodyTooLarge
      · UnsupportedContent
      · HTTPStatusError
      · RateLimited
      · HostBudgetSpent
      · FetchTimeout
      · TooManyRedirects
      · ConnectionFailed
    - ExtractionError
"""


class StorywatchError(Exception):
    """Base class; `str(error)` is a one-line message fit for the terminal."""


class ConfigError(StorywatchError):
    """The config file is missing, malformed, or names a bad value (message gives key and line)."""


class QuerySyntaxError(StorywatchError, ValueError):
    """A storyline query that does not parse; the message gives the 1-based position and what was expected."""

    def __init__(self, position: int, expected: str):
        self.position = position
        super().__init__(f"position {position}: {expected}")


class TemplateProblem(StorywatchError):
    """An operator's alert template does not render; the alert is retried after they fix it."""


class DatabaseError(StorywatchError):
    """The DuckDB file cannot be used."""


class DatabaseBusy(DatabaseError):
    """Another process holds the DuckDB lock longer than we are willing to wait."""


class PrefectServerError(StorywatchError):
    """The temporary Prefect API server a lone run starts exited or did not answer in time."""


class PageError(StorywatchError):
    """A feed or page failed; `kind` is a stable short name stored with the failure."""

    kind = "page"
    retryable = True  # whether the next pass should try the URL again

    def __init__(self, url: str, reason: str):
        self.url = url
        self.reason = reason
        super().__init__(f"{url}: {reason}")


class FetchError(PageError):
    """A feed or page could not be fetched (or its extraction worker died on it)."""

    kind = "fetch"


class BlockedAddress(FetchError):
    """The URL's scheme or resolved address is not allowed (SSRF guard)."""

    kind = "blocked"
    retryable = False


class BodyTooLarge(FetchError):
    """The body is larger than `fetch.max_bytes` (as declared, or as it streamed in); the page is refused."""

    kind = "too_large"
    retryable = False


class UnsupportedContent(FetchError):
    """Not an HTML (or feed) body; never sent to extraction."""

    kind = "unsupported_content"
    retryable = False


class HTTPStatusError(FetchError):
    """The server answered with an error status; 5xx, 408 and 429 are retried on the next pass."""

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


class HostBudgetSpent(FetchError):
    """Not sent: this pass already sent `fetch.max_requests_per_host` requests to the host; the next pass goes on."""

    kind = "host_budget"

    def __init__(self, url: str, budget: int):
        super().__init__(url, f"not sent: {budget} requests to this host in one pass (fetch.max_requests_per_host)")


class FetchTimeout(FetchError):
    """No complete response within `fetch.timeout_seconds` (a slow drip counts too)."""

    kind = "timeout"


class TooManyRedirects(FetchError):
    """More redirects than `fetch.max_redirects` (a redirect loop ends here too)."""

    kind = "too_many_redirects"
    retryable = False


class ConnectionFailed(FetchError):
    """The host does not resolve, or the connection or exchange failed below HTTP."""

    kind = "connection"


class ExtractionError(PageError):
    """The page was fetched but yielded no article text."""

    kind = "extraction"
    retryable = False


class OpmlError(StorywatchError):
    """An OPML file is not a readable subscription list."""
