"""Decoding a fetched body to text: declared charsets first, detection last.

Sources in order: byte-order mark, the Content-Type header, the document's own declaration
(`<meta charset>`, `http-equiv`, `<?xml encoding?>`), valid UTF-8, then charset_normalizer. A declaration
the bytes do not satisfy (a header claiming utf-8 over windows-1251 bytes) is skipped.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator

import charset_normalizer

_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
# Covers <meta charset=...>, <meta http-equiv content="...; charset=..."> and <?xml encoding=...?>.
_DOCUMENT_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""",
    re.IGNORECASE,
)
_PRESCAN_BYTES = 4096
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_XML_STARTS = ((b"\x00<\x00?", "utf-16-be"), (b"<\x00?\x00", "utf-16-le"))
# Browsers read these labels as windows-1252 (WHATWG Encoding); pages rely on its curly quotes.
_WINDOWS_1252_LABELS = frozenset({"iso8859-1", "latin-1", "ascii"})
_WIDE_ENCODINGS = frozenset({"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"})


def header_charset(content_type: str | None) -> str | None:
    match = _HEADER_CHARSET.search(content_type or "")
    return match.group(1) if match else None


def document_charset(body: bytes) -> str | None:
    match = _DOCUMENT_CHARSET.search(body[:_PRESCAN_BYTES])
    if not match:
        return None
    return (match.group(1) or match.group(2)).decode("ascii")


def decode_body(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode `body` to (text, encoding name used)."""
    for encoding in _candidates(body, content_type):
        try:
            return body.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    best = charset_normalizer.from_bytes(body).best()
    if best is not None:
        return str(best), codecs.lookup(best.encoding).name
    return body.decode("utf-8", errors="replace"), "utf-8"


def _candidates(body: bytes, content_type: str | None) -> Iterator[str]:
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            yield encoding
    for start, encoding in _XML_STARTS:  # XML 1.0 Appendix F: "<?" in UTF-16 without a BOM
        if body.startswith(start):
            yield encoding
    declared = _codec_name(document_charset(body))
    if declared in _WIDE_ENCODINGS:
        declared = "utf-8"  # a declaration readable as ASCII cannot be UTF-16 (WHATWG prescan rule)
    for encoding in (_codec_name(header_charset(content_type)), declared):
        if encoding in _WINDOWS_1252_LABELS:
            yield "cp1252"  # bytes 0x81, 0x8d... are undefined there: then plain latin-1
            yield "latin-1"
        elif encoding is not None:
            yield encoding
    # Undeclared bytes that are valid UTF-8 are UTF-8 in practice, and this is far cheaper than detection.
    yield "utf-8"


def _codec_name(label: str | None) -> str | None:
    """Python's canonical codec name for a declared label, or None when unknown."""
    if not label:
        return None
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None
