"""The web pages over the analyst copy of a database built by real passes, through the ASGI app."""

from __future__ import annotations

import re
from html import unescape

import httpx
import pytest

from storywatch.config import parse_settings
from storywatch.web.server import WebSite

from .conftest import HOSTILE_TITLE, STRIKE

pytestmark = pytest.mark.prefect


def texts(html: str, css_class: str) -> list[str]:
    """The text of every element carrying `css_class`, tags stripped, in page order."""
    found = re.findall(rf'<(\w+) class="[^"]*\b{css_class}\b[^"]*"[^>]*>(.*?)</\1>', html, flags=re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", inner)).split()) for _, inner in found]


def test_the_front_page_lists_every_storyline_with_its_latest_development(watched):
    page = watched.client().get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page.text
    latest = [watched.developments(storyline.id)[-1][1] for storyline in watched.settings.storylines]
    assert texts(page.text, "latest") == latest


def test_a_timeline_shows_each_development_in_order_with_its_first_report_and_corroboration(watched):
    page = watched.client().get(f"/storylines/{STRIKE}")
    assert page.status_code == 200
    expected = watched.developments(STRIKE)
    assert len(expected) >= 3
    assert texts(page.text, "headline") == [headline for _, headline, _ in expected]
    assert [int(t.split()[0]) for t in texts(page.text, "corroboration")] == [count for *_, count in expected]
    assert all(t.startswith("First report: ") for t in texts(page.text, "first-report"))
    assert len(texts(page.text, "first-report")) == len(expected)


def test_markup_in_a_reported_title_is_shown_as_text_never_run(watched):
    page = watched.client().get(f"/storylines/{STRIKE}").text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;" in page
    assert HOSTILE_TITLE in [unescape(t) for t in re.findall(r'class="report"[^>]*>([^<]*)</a>', page)]


def test_feed_health_shows_the_feed_that_is_gone(watched):
    page = watched.client().get("/feeds").text
    gone = page[page.index("<h2>Gone Daily</h2>"):].split("</section>")[0]
    assert "HTTP 404" in gone and "Consecutive failures: 3" in gone and "Last success: never" in gone
    herald = page[page.index("<h2>Calderport Harbour Herald</h2>"):].split("</section>")[0]
    assert "Consecutive failures: 0" in herald and "Last error" not in herald
    assert "<h2>The &lt;Gazette&gt;</h2>" in page


def test_the_outbox_lists_one_sent_alert_per_development(watched):
    page = watched.client().get("/alerts").text
    headlines = {headline for s in watched.settings.storylines for _, headline, _ in watched.developments(s.id)}
    shown = texts(page, "alert")
    assert len(shown) == len(headlines)
    assert all(" sent " in f" {t} " for t in shown)
    assert {t.split(" sent ")[0] for t in shown} == headlines


def test_an_unknown_storyline_is_a_404_page(watched):
    page = watched.client().get("/storylines/no-such-story")
    assert page.status_code == 404 and "no storyline &#39;no-such-story&#39; in the config" in page.text


def test_before_the_first_pass_the_pages_say_what_to_do(tmp_path):
    settings = parse_settings(f"database: {tmp_path / 'sw.duckdb'}\nfeeds:\n  - name: W\n    url: https://w.example/\n"
                              "storylines:\n  - id: s\n    title: S\n    query: s\n", {})
    with WebSite(settings, port=0) as web:
        for path in ("/", "/storylines/s", "/storylines/s/atom.xml", "/feeds", "/alerts"):
            page = httpx.get(web.url + path)
            assert page.status_code == 503, path
            assert "does not exist yet (run `storywatch run` first)" in page.text
    assert not (tmp_path / "sw.duckdb").exists()  # the web app never creates or opens the live file
