"""The sample newsroom: three fictional outlets whose articles appear in waves, as pages and feeds.

The content lives in `site/`: `newsroom.yaml` names the outlets and the waves, `chrome/` holds
each outlet's page template, and `waveN/<slug>.md` holds one article (YAML front matter, then
paragraphs). `Newsroom.publish(site, n)` serves every article of waves 1..n on a LoopbackSite,
each in its outlet's chrome, and each outlet's feed listing what it has published so far.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from importlib import resources
from importlib.resources.abc import Traversable
from string import Template
from typing import Literal

import yaml

from storywatch.demo.server import LoopbackSite

Role = Literal["new-development", "second-source", "rehash", "syndicated-copy", "passing-mention", "unrelated"]
UrlOf = Callable[[str], str]  # a site path -> the absolute URL it is served at

SITE: Traversable = resources.files("storywatch.demo") / "site"
RELATED_LINKS = 4
ATOM = "http://www.w3.org/2005/Atom"
DC = "http://purl.org/dc/elements/1.1/"
FEED_CONTENT_TYPES = {"rss": "application/rss+xml; charset=utf-8", "atom": "application/atom+xml; charset=utf-8"}
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.DOTALL)

ET.register_namespace("dc", DC)
ET.register_namespace("atom", ATOM)


@dataclass(frozen=True)
class Outlet:
    key: str                  # URL prefix: /<key>/...
    name: str                 # as the outlet prints it (og:site_name)
    tagline: str
    feed_format: Literal["rss", "atom"]
    feed_path: str
    chrome: Template          # the outlet's page, with $title, $paragraphs, $related, ...

    @property
    def home(self) -> str:
        return f"/{self.key}/"


@dataclass(frozen=True)
class SampleArticle:
    key: str                  # "wave1/<slug>"
    wave: int
    outlet: str
    title: str
    author: str
    published_at: datetime
    paragraphs: tuple[str, ...]
    role: Role                # what the demo expects storywatch to make of it
    storyline: str | None = None   # the storyline it reports (or, for a passing mention, mentions)
    copy_of: str | None = None     # syndicated copy: key of the original
    rehash_of: str | None = None   # rehash: key of the article whose development it retells
    updated_at: datetime | None = None  # a page changed since publication (a live blog's update)

    @property
    def path(self) -> str:
        return f"/{self.outlet}/news/{self.key.split('/', 1)[1]}"

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True)
class Newsroom:
    outlets: Mapping[str, Outlet]
    articles: tuple[SampleArticle, ...]   # by wave, then publication time
    waves: Mapping[int, str]              # wave number -> what it shows

    @classmethod
    def load(cls, root: Traversable = SITE) -> Newsroom:
        meta = yaml.safe_load(root.joinpath("newsroom.yaml").read_text(encoding="utf-8"))
        outlets = {key: _outlet(root, key, spec) for key, spec in meta["outlets"].items()}
        raw = [_article(wave, entry) for wave in meta["waves"] for entry in _markdown(root / f"wave{wave}")]
        by_key = {article.key: article for article in raw}
        # A syndicated copy holds only its rewritten intro; the rest is the original's text.
        articles = [
            _syndicated(article, by_key[article.copy_of]) if article.copy_of else article for article in raw
        ]
        articles.sort(key=lambda a: (a.wave, a.published_at))
        return cls(outlets, tuple(articles), dict(meta["waves"]))

    def article(self, key: str) -> SampleArticle:
        return next(article for article in self.articles if article.key == key)

    def wave(self, wave: int) -> tuple[SampleArticle, ...]:
        return tuple(a for a in self.articles if a.wave == wave)

    def published(self, wave: int, outlet: str | None = None) -> tuple[SampleArticle, ...]:
        """Everything out by the end of `wave` (of one outlet, if given), newest first."""
        chosen = [a for a in self.articles if a.wave <= wave and outlet in (None, a.outlet)]
        return tuple(sorted(chosen, key=lambda a: a.published_at, reverse=True))

    def publish(self, site: LoopbackSite, wave: int) -> tuple[SampleArticle, ...]:
        """Serve waves 1..`wave` on `site`; returns the articles that are new in this wave."""
        for article in self.published(wave):
            site.route(article.path, self.page(article, wave, site.url))
        for outlet in self.outlets.values():
            # Conditional GETs, as real feeds answer them: an unchanged feed costs a 304.
            site.route(outlet.feed_path, self.feed(outlet, wave, site.url),
                       content_type=FEED_CONTENT_TYPES[outlet.feed_format], conditional=True)
        return self.wave(wave)

    def page(self, article: SampleArticle, wave: int, url: UrlOf) -> str:
        outlet = self.outlets[article.outlet]
        others = [a for a in self.published(wave, outlet.key) if a.key != article.key][:RELATED_LINKS]
        return outlet.chrome.substitute(
            site_name=escape(outlet.name),
            title=escape(article.title),
            description=escape(article.paragraphs[0]),
            author=escape(article.author),
            canonical=escape(url(article.path)),
            published_iso=article.published_at.isoformat(),
            published_display=f"{article.published_at:%A} {article.published_at.day} {article.published_at:%B %Y, %H:%M}",
            paragraphs="\n".join(f"<p>{escape(p)}</p>" for p in article.paragraphs),
            related="\n".join(f'<li><a href="{other.path}">{escape(other.title)}</a></li>' for other in others),
            home=outlet.home,
            feed_url=escape(url(outlet.feed_path)),
            feed_type=FEED_CONTENT_TYPES[outlet.feed_format].split(";")[0],
        )

    def feed(self, outlet: Outlet, wave: int, url: UrlOf) -> str:
        items = self.published(wave, outlet.key)
        render = _rss if outlet.feed_format == "rss" else _atom
        return '<?xml version="1.0" encoding="utf-8"?>\n' + render(outlet, items, url)


def _outlet(root: Traversable, key: str, spec: dict) -> Outlet:
    chrome = Template(root.joinpath("chrome", f"{key}.html").read_text(encoding="utf-8"))
    feed = spec["feed"]
    return Outlet(key, spec["name"], spec["tagline"], feed["format"], f"/{key}/{feed['path']}", chrome)


def _markdown(folder: Traversable) -> list[tuple[str, str]]:
    return sorted((entry.name.removesuffix(".md"), entry.read_text(encoding="utf-8"))
                  for entry in folder.iterdir() if entry.name.endswith(".md"))


def _article(wave: int, entry: tuple[str, str]) -> SampleArticle:
    slug, source = entry
    match = _FRONT_MATTER.match(source)
    if match is None:
        raise ValueError(f"wave{wave}/{slug}.md: expected YAML front matter between --- lines")
    meta = yaml.safe_load(match.group(1))
    published = meta.pop("published")
    if isinstance(published, str):
        published = datetime.fromisoformat(published)
    paragraphs = tuple(" ".join(p.split()) for p in match.group(2).split("\n\n") if p.strip())
    return SampleArticle(key=f"wave{wave}/{slug}", wave=wave, published_at=published.astimezone(UTC),
                         paragraphs=paragraphs, **meta)


def _syndicated(copy: SampleArticle, original: SampleArticle) -> SampleArticle:
    return SampleArticle(**{**copy.__dict__, "paragraphs": copy.paragraphs[:1] + original.paragraphs[1:]})


def _rss(outlet: Outlet, items: tuple[SampleArticle, ...], url: UrlOf) -> str:
    rss = ET.Element("rss", version="2.0")
    channel = ET.SubElement(rss, "channel")
    _add(channel, "title", outlet.name)
    _add(channel, "link", url(outlet.home))
    _add(channel, "description", outlet.tagline)
    _add(channel, "language", "en-gb")
    ET.SubElement(channel, f"{{{ATOM}}}link", href=url(outlet.feed_path), rel="self", type="application/rss+xml")
    if items:
        _add(channel, "lastBuildDate", format_datetime(items[0].published_at))
    for article in items:
        item = ET.SubElement(channel, "item")
        _add(item, "title", article.title)
        _add(item, "link", url(article.path))
        _add(item, "guid", url(article.path)).set("isPermaLink", "true")
        _add(item, "pubDate", format_datetime(article.published_at))
        if article.updated_at:
            _add(item, f"{{{ATOM}}}updated", article.updated_at.isoformat())
        _add(item, f"{{{DC}}}creator", article.author)
        _add(item, "description", article.paragraphs[0])
    return ET.tostring(rss, encoding="unicode")


def _atom(outlet: Outlet, items: tuple[SampleArticle, ...], url: UrlOf) -> str:
    feed = ET.Element("feed", xmlns=ATOM)  # unprefixed, as Atom feeds are written
    _add(feed, "title", outlet.name)
    _add(feed, "subtitle", outlet.tagline)
    _add(feed, "id", url(outlet.home))
    ET.SubElement(feed, "link", rel="self", href=url(outlet.feed_path))
    ET.SubElement(feed, "link", rel="alternate", type="text/html", href=url(outlet.home))
    if items:
        _add(feed, "updated", items[0].published_at.isoformat())
    for article in items:
        entry = ET.SubElement(feed, "entry")
        _add(entry, "title", article.title)
        _add(entry, "id", url(article.path))
        ET.SubElement(entry, "link", rel="alternate", type="text/html", href=url(article.path))
        _add(entry, "published", article.published_at.isoformat())
        _add(entry, "updated", (article.updated_at or article.published_at).isoformat())
        _add(ET.SubElement(entry, "author"), "name", article.author)
        _add(entry, "summary", article.paragraphs[0])
    return ET.tostring(feed, encoding="unicode")


def _add(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = text
    return element
