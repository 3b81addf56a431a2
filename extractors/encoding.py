"""Content-Encoding, decoded by us from the raw stream with a bound on every layer's output.

httpx decodes a whole network read at once, so a 3 KB `gzip, gzip` response becomes
gigabytes before any size check can run. Here each layer inflates at most `max_bytes + 1`
bytes per call (zlib's `max_length`), so memory stays near the limit whatever the ratio.
"""

from __future__ import annotations

import zlib

from storywatch.errors import BodyTooLarge, UnsupportedContent

ACCEPT_ENCODING = "gzip, deflate"  # what we decode; brotli and zstd are not installed, hence not asked for
_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
_MAX_LAYERS = 2


class _Layer:
    """One bounded inflater; `deflate` also accepts the raw (headerless) form some servers send."""

    def __init__(self, coding: str, limit: int, url: str):
        self._coding, self._limit, self._url = coding, limit, url
        self._inflater = zlib.decompressobj(_WBITS[coding])
        self._produced = 0
        self._started = False

    def inflate(self, data: bytes) -> bytes:
        pieces = []
        while data and not self._inflater.eof:
            try:
                piece = self._inflater.decompress(data, self._limit - self._produced + 1)
            except zlib.error:
                if self._coding != "deflate" or self._started:
                    raise UnsupportedContent(self._url, f"body is not valid {self._coding} data") from None
                self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                self._started = True
                continue
            self._started = True
            self._produced += len(piece)
            if self._produced > self._limit:
                raise BodyTooLarge(self._url, f"body decodes to more than max_bytes {self._limit}")
            pieces.append(piece)
            data = self._inflater.unconsumed_tail
        return b"".join(pieces)


class BoundedBody:
    """Collects a body from raw chunks, decoding its Content-Encoding; refuses it beyond `limit` bytes."""

    def __init__(self, content_encoding: str | None, limit: int, url: str):
        codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
        codings = [c for c in codings if c and c != "identity"]
        unknown = [c for c in codings if c not in _WBITS]
        if unknown:
            raise UnsupportedContent(url, f"content encoding {unknown[0]!r} is not supported")
        if len(codings) > _MAX_LAYERS:
            raise UnsupportedContent(url, f"{len(codings)} stacked content encodings are refused")
        # Listed in the order they were applied: undo the last one first.
        self._layers = [_Layer(coding, limit, url) for coding in reversed(codings)]
        self._limit, self._url = limit, url
        self._chunks: list[bytes] = []
        self._size = 0

    def add(self, raw: bytes) -> None:
        data = raw
        for layer in self._layers:
            data = layer.inflate(data)
        self._size += len(data)
        if self._size > self._limit:
            raise BodyTooLarge(self._url, f"body exceeds max_bytes {self._limit}")
        self._chunks.append(data)

    def body(self) -> bytes:
        return b"".join(self._chunks)
