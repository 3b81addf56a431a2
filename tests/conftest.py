"""Shared fixtures: the Prefect API, loopback news sites and builders for realistic feeds and article pages."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from html import escape

import pytest

from storywatch.demo.server import LoopbackSite
from storywatch.flows import use_prefect_defaults
from storywatch.warehouse.db import connect
from tests import builders
from tests.fixtures import ArticlePage, article_pages


@pytest.fixture(scope="session")
def prefect_api():
    """The real Prefect API for flow tests: one temporary server for the whole session (it takes ~20 s)."""
    use_prefect_defaults()
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def site() -> Iterator[LoopbackSite]:
    """The monitored news site on 127.0.0.1; its feed's origin is allowed by the guard."""
    with LoopbackSite("127.0.0.1") as running:
        yield running


@pytest.fixture
def other_host() -> Iterator[LoopbackSite]:
    """A second loopback host (127.0.0.2) that is no feed's origin: it must never be requested."""
    with LoopbackSite("127.0.0.2") as running:
        yield running


@dataclass(frozen=True)
class Story:
    """One news story as a feed lists it and its page shows it."""

    slug: str
    title: str
    paragraphs: tuple[str, ...]
    published: datetime | None = None
    author: str = "Dana Reporter"

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


class News:
    """Builders for realistic feeds and pages; tests get this class as the `news` fixture."""

    @staticmethod
    def story(slug: str, subject: str, published: datetime | None = None, paragraphs: int = 5) -> Story:
        """A story about `subject` whose paragraphs are long and distinct, like real reporting."""
        sentences = (
            f"Officials confirmed on Tuesday that the {subject} had entered a new phase after weeks of talks.",
            f"Residents near the site said the {subject} had changed daily routines across the district.",
            f"According to documents seen by reporters, planning for the {subject} began two years ago.",
            f"Critics argue that the {subject} was rushed, while supporters point to early results.",
            f"A spokesperson declined to say when the next update on the {subject} would be published.",
            f"Independent analysts expect the {subject} to dominate the regional agenda until spring.",
        )
        body = tuple(
            " ".join(sentences[(start + shift) % len(sentences)] for shift in range(3)) + f" ({slug} part {start + 1})"
            for start in range(paragraphs)
        )
        return Story(slug=slug, title=f"Update on the {subject}", paragraphs=body, published=published)

    @staticmethod
    def article(
        story: Story,
        *,
        canonical: str | None = None,
        og_url: str | None = None,
        meta_published: str | None = None,
        charset: str = "utf-8",
        site_name: str | None = "Harbor Gazette",
        lang: str = "en",
    ) -> str:
        """An article page with the chrome real pages carry: cookie banner, nav, related links,
        comments and footer, so extraction has something to leave out."""
        head = [f'<meta charset="{charset}">', f"<title>{escape(story.title)}</title>"]
        if canonical:
            head.append(f'<link rel="canonical" href="{escape(canonical)}">')
        if og_url:
            head.append(f'<meta property="og:url" content="{escape(og_url)}">')
        if site_name:
            head.append(f'<meta property="og:site_name" content="{site_name}">')
        if meta_published:
            head.append(f'<meta property="article:published_time" content="{meta_published}">')
        paragraphs = "\n".join(f"<p>{escape(p)}</p>" for p in story.paragraphs)
        return f"""<!DOCTYPE html>
    <html lang="{lang}"><head>{"".join(head)}</head>
    <body>
    <div id="cookie-banner" class="cookie-consent">We use cookies to improve your experience. Accept all cookies?</div>
    <header><nav class="main-nav"><ul>
    <li><a href="/">Home</a></li><li><a href="/world">World</a></li><li><a href="/business">Business</a></li>
    <li><a href="/sport">Sport</a></li><li><a href="/subscribe">Subscribe today</a></li></ul></nav></header>
    <main><article>
    <h1>{escape(story.title)}</h1>
    <p class="byline">By {escape(story.author)}</p>
    {paragraphs}
    </article>
    <aside class="related"><h2>Related stories</h2><ul>
    <li><a href="/world/other-1">Markets rally as quarterly figures surprise traders</a></li>
    <li><a href="/world/other-2">Weather service warns of storms along the coast</a></li></ul></aside>
    <section id="comments" class="comments"><h3>Comments</h3>
    <div class="comment"><p>First comment: this reader thinks the coverage is biased.</p></div>
    <div class="comment"><p>Second comment: another reader disagrees strongly with the first.</p></div>
    </section></main>
    <footer class="site-footer"><p>Copyright 2025 the publishers. All rights reserved.</p>
    <a href="/privacy">Privacy policy</a> <a href="/terms">Terms of use</a></footer>
    </body></html>"""

    @staticmethod
    def rss(stories: Sequence[Story], link_of, *, content_encoded: bool = False, title: str = "Harbor Gazette") -> str:
        """RSS 2.0; `link_of(story)` gives each item's <link> (may be relative)."""
        items = []
        for entry in stories:
            date = f"<pubDate>{format_datetime(entry.published)}</pubDate>" if entry.published else ""
            full = f"<content:encoded><![CDATA[{''.join(f'<p>{p}</p>' for p in entry.paragraphs)}]]></content:encoded>"
            items.append(
                f"<item><title>{escape(entry.title)}</title><link>{escape(link_of(entry))}</link>"
                f"<guid isPermaLink=\"false\">{entry.slug}</guid>{date}"
                f"<description>{escape(entry.paragraphs[0][:80])}</description>"
                f"<dc:creator>{escape(entry.author)}</dc:creator>{full if content_encoded else ''}</item>"
            )
        return f"""<?xml version="1.0" encoding="UTF-8"?>
    <rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
    <channel><title>{escape(title)}</title><link>http://example.invalid/</link>
    <description>News</description>{"".join(items)}</channel></rss>"""

    @staticmethod
    def atom(stories: Sequence[Story], link_of, *, xml_base: str | None = None) -> str:
        """Atom 1.0 with published and updated; `xml_base` sets xml:base on the feed element."""
        base = f' xml:base="{escape(xml_base)}"' if xml_base else ""
        entries = "".join(
            f"<entry><title>{escape(s.title)}</title><link rel=\"alternate\" href=\"{escape(link_of(s))}\"/>"
            f"<id>urn:story:{s.slug}</id>"
            + (f"<published>{s.published.isoformat()}</published>" if s.published else "")
            + (f"<updated>{s.published.isoformat()}</updated>" if s.published else "")
            + f"<author><name>{escape(s.author)}</name></author>"
            f"<summary>{escape(s.paragraphs[0][:80])}</summary></entry>"
            for s in stories
        )
        return f"""<?xml version="1.0" encoding="utf-8"?>
    <feed xmlns="http://www.w3.org/2005/Atom"{base}><title>Harbor Gazette</title>
    <id>urn:feed:harbor</id><updated>2025-01-01T00:00:00Z</updated>{entries}</feed>"""

    @staticmethod
    def rdf(stories: Sequence[Story], link_of) -> str:
        """RSS 1.0 (RDF) with dc:date, as older CMSs still publish."""
        seq = "".join(f'<rdf:li rdf:resource="{escape(link_of(s))}"/>' for s in stories)
        items = "".join(
            f'<item rdf:about="{escape(link_of(s))}"><title>{escape(s.title)}</title><link>{escape(link_of(s))}</link>'
            + (f"<dc:date>{s.published.isoformat()}</dc:date>" if s.published else "")
            + "</item>"
            for s in stories
        )
        return f"""<?xml version="1.0" encoding="utf-8"?>
    <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
             xmlns:dc="http://purl.org/dc/elements/1.1/">
    <channel rdf:about="http://example.invalid/"><title>Harbor Gazette</title><link>http://example.invalid/</link>
    <description>News</description><items><rdf:Seq>{seq}</rdf:Seq></items></channel>{items}</rdf:RDF>"""

    @staticmethod
    def real_pages() -> list[ArticlePage]:
        """Article pages with the chrome of real sites and the body a reader sees (tests/fixtures/pages)."""
        return article_pages()


@pytest.fixture
def news() -> type[News]:
    return News


@pytest.fixture
def con(tmp_path):
    """A real, migrated DuckDB file."""
    connection = connect(tmp_path / "warehouse.duckdb")
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def seed_texts() -> list[str]:
    return builders.seed_texts()
