"""The web stage's own value: a fetched HTML page, as the bytes it came in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .charset import decode_body


@dataclass(frozen=True)
class Page:
    """A fetched HTML page as the bytes it came in.

    Decoded where it is parsed, in an extraction worker: the bytes cross to the worker at
    the cost of a copy, while decoding in the fetching process would cost a decode there
    plus a re-encode and a decode to pickle the text across.
    """

    url: str             # the URL asked for
    final_url: str       # after redirects
    status_code: int
    content_type: str    # the media type
    body: bytes = field(repr=False)
    fetched_at: datetime = field(compare=False, default=None)  # type: ignore[assignment]
    declared_type: str | None = None  # the Content-Type header as sent, for its charset

    def decode(self) -> tuple[str, str]:
        """(text, name of the encoding used); see extractors.charset."""
        return decode_body(self.body, self.declared_type)
