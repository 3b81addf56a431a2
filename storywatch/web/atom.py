"""A storyline as an Atom 1.0 feed (RFC 4287), so subscribers follow it in the reader they already use.

One entry per development. Its id never changes; its `updated` moves when another article joins
the development, and its content (why it is new, the corroboration, each source's articles)
grows with it, so readers show it again instead of a second entry.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape

from storywatch.config import StorylineSettings
from storywatch.web.reading import Development

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
# Characters XML 1.0 forbids even escaped; feed text is untrusted and may carry them.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def storyline_feed(
    storyline: StorylineSettings, developments: Sequence[Development], *, page_url: str, self_url: str
) -> bytes:
    """The Atom document of a storyline's developments, newest first; `page_url` is its timeline page."""
    feed = ET.Element("feed", xmlns=ATOM)
    _text(feed, "id", f"urn:storywatch:storyline:{storyline.id}")
    _text(feed, "title", storyline.title)
    if storyline.description:
        _text(feed, "subtitle", storyline.description)
    newest = max((d.updated_at for d in developments), default=datetime.now(UTC))
    _text(feed, "updated", _timestamp(newest))
    ET.SubElement(ET.SubElement(feed, "author"), "name").text = "storywatch"
    _text(feed, "generator", "storywatch")
    ET.SubElement(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    ET.SubElement(feed, "link", rel="alternate", type="text/html", href=page_url)
    for development in sorted(developments, key=lambda d: (d.first_seen_at, d.development_id), reverse=True):
        _entry(feed, development, page_url)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _entry(feed: ET.Element, development: Development, page_url: str) -> None:
    entry = ET.SubElement(feed, "entry")
    _text(entry, "id", f"urn:storywatch:development:{development.development_id}")
    _text(entry, "title", development.headline)
    _text(entry, "published", _timestamp(development.first_seen_at))
    _text(entry, "updated", _timestamp(development.updated_at))
    ET.SubElement(entry, "link", rel="alternate", type="text/html",
                  href=f"{page_url}#development-{development.development_id}")
    for report in development.reports:
        ET.SubElement(entry, "link", rel="related", type="text/html", href=_clean(report.url),
                      title=_clean(f"{report.source}: {report.title or report.url}"))
    if development.explanation:
        _text(entry, "summary", development.explanation)
    content = _text(entry, "content", _content_html(development))
    content.set("type", "html")


def _content_html(development: Development) -> str:
    """The entry body as HTML (Atom carries it escaped): why new, corroboration, sources and articles."""
    sources = "source" if development.source_count == 1 else "sources"
    parts = [f"<p>{escape(development.explanation)}</p>" if development.explanation else "",
             f"<p>{development.source_count} independent {sources}, {development.article_count} articles.</p><ul>"]
    for source, reports in development.by_source:
        links = ", ".join(
            f'<a href="{escape(report.url)}">{escape(report.title or report.url)}</a>'
            + (" (syndicated copy)" if report.duplicate_of else "")
            for report in reports
        )
        parts.append(f"<li>{escape(source)}: {links}</li>")
    return "".join(parts) + "</ul>"


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = _clean(text)
    return element


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC, as Atom requires."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
