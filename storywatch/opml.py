"""OPML subscription lists, the file every feed reader imports and exports (Miniflux, FreshRSS, rss2email).

A feed is an `<outline>` with an `xmlUrl`; an outline without one that holds others is a
folder. Reading keeps each feed's folder path, site URL (`htmlUrl`) and `category` values, and
writing nests the feeds back into their folders in the order given, so a list read and written
again holds the same feeds in the same folders.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from storywatch.errors import OpmlError
from storywatch.feed_list import Subscription


@dataclass(frozen=True)
class SubscriptionList:
    title: str | None
    subscriptions: tuple[Subscription, ...]
    skipped: tuple[str, ...] = ()  # outlines that are neither a feed nor a folder of feeds, named


def read_opml(source: bytes) -> SubscriptionList:
    """The feeds of an OPML 1.0/2.0 document, in document order."""
    # expat (in the standard library) expands no external entities and caps entity growth.
    try:
        root = ET.fromstring(source)
    except ET.ParseError as error:
        raise OpmlError(f"not well-formed XML ({error})") from None
    if root.tag.lower() != "opml":
        raise OpmlError(f"not an OPML document (root element <{root.tag}>)")
    body = _child(root, "body")
    if body is None:
        raise OpmlError("an OPML document needs a <body>")
    head = _child(root, "head")
    title = _child(head, "title") if head is not None else None
    subscriptions: list[Subscription] = []
    skipped: list[str] = []
    _walk(body, (), subscriptions, skipped)
    heading = (title.text or "").strip() if title is not None else ""
    return SubscriptionList(heading or None, tuple(subscriptions), tuple(skipped))


def write_opml(subscriptions: Iterable[Subscription], title: str = "storywatch feeds") -> bytes:
    """An OPML 2.0 document: folders as nested outlines, each feed in its folder, order kept."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC), usegmt=True)
    body = ET.SubElement(root, "body")
    folders: dict[tuple[str, ...], ET.Element] = {(): body}
    for subscription in subscriptions:
        parent = _folder(folders, subscription.folder)
        attributes = {"type": "rss", "text": subscription.name, "title": subscription.name,
                      "xmlUrl": subscription.url}
        if subscription.site_url:
            attributes["htmlUrl"] = subscription.site_url
        if subscription.categories:
            attributes["category"] = ",".join(subscription.categories)
        ET.SubElement(parent, "outline", attributes)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _walk(parent: ET.Element, folder: tuple[str, ...], found: list[Subscription], skipped: list[str]) -> None:
    for outline in parent:
        if outline.tag.lower() != "outline":
            continue
        attributes = {name.lower(): value.strip() for name, value in outline.attrib.items()}
        label = attributes.get("text") or attributes.get("title") or ""
        url = attributes.get("xmlurl")
        if url is not None:
            found.append(Subscription(
                name=label or url,
                url=url,
                site_url=attributes.get("htmlurl") or None,
                folder=folder,
                categories=tuple(c.strip() for c in attributes.get("category", "").split(",") if c.strip()),
            ))
        elif len(outline):
            _walk(outline, (*folder, label), found, skipped)
        else:
            skipped.append(f"{'/'.join((*folder, label or '(untitled)'))}: no xmlUrl and nothing inside")


def _folder(folders: dict[tuple[str, ...], ET.Element], path: tuple[str, ...]) -> ET.Element:
    if path not in folders:
        parent = _folder(folders, path[:-1])
        folders[path] = ET.SubElement(parent, "outline", text=path[-1], title=path[-1])
    return folders[path]


def _child(element: ET.Element, name: str) -> ET.Element | None:
    return next((child for child in element if child.tag.lower() == name), None)
