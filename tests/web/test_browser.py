"""The web pages in a real headless Chromium, at a phone's size, over a database built by real passes."""

from __future__ import annotations

import struct

import httpx
import pytest

from .browser import Browser, needs_chromium
from .conftest import HOSTILE_TITLE, STRIKE

pytestmark = [pytest.mark.prefect, needs_chromium]

VISIBLE_HEADLINES = """[...document.querySelectorAll('.development .headline')]
    .filter(e => e.getBoundingClientRect().height > 0)
    .map(e => ({text: e.innerText, top: e.getBoundingClientRect().top + window.scrollY}))"""


@pytest.fixture
def browser(tmp_path):
    with Browser(tmp_path / "chromium-profile") as running:
        yield running


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_timeline_reads_in_order_on_a_phone_and_every_link_resolves(watched, browser, tmp_path):
    browser.open(f"{watched.web.url}/storylines/{STRIKE}")
    headlines = browser.evaluate(VISIBLE_HEADLINES)
    expected = [headline for _, headline, _ in watched.developments(STRIKE)]
    assert [h["text"] for h in headlines] == expected
    assert [h["top"] for h in headlines] == sorted(h["top"] for h in headlines)  # top to bottom, oldest first
    # Usable on a phone: nothing wider than the screen, text at a readable size.
    assert browser.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert browser.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 16
    # The hostile title is on screen as text; the page holds no script or injected element.
    assert HOSTILE_TITLE in browser.evaluate("document.body.innerText")
    assert browser.evaluate("document.scripts.length + document.querySelectorAll('img').length") == 0
    links = browser.evaluate("[...document.links].map(a => a.href)")
    assert len(links) > len(expected)
    for url in sorted(set(links)):
        answer = httpx.get(url.split("#")[0])
        assert answer.status_code == 200, url
    shot = browser.screenshot(tmp_path / "timeline.png")
    width, height = png_size(shot.read_bytes())
    assert width == 390 * 2 and height > 844 * 2  # the full page, taller than one screen
    assert shot.stat().st_size > 20_000  # rendered text, not a blank image


def test_the_front_page_links_each_storyline_to_its_timeline(watched, browser):
    browser.open(watched.web.url + "/")
    titles = browser.evaluate("[...document.querySelectorAll('.storyline h2 a')].map(a => a.innerText)")
    assert titles == [storyline.title for storyline in watched.settings.storylines]
    browser.open(browser.evaluate("document.querySelector('.storyline h2 a').href"))
    assert browser.evaluate("document.querySelector('h1').innerText") == watched.settings.storylines[0].title
    assert browser.evaluate("document.querySelector('link[rel=alternate]').type") == "application/atom+xml"
