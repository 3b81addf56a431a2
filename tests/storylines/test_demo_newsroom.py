"""The demo newsroom's articles through track(), one pass per wave: each article that the content
labels a new development opens one, and copies, second sources and rehashes join the development
they repeat, even when a new development shares most of its storyline's vocabulary."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from storywatch.config import StorylineSettings, load_settings
from storywatch.demo.newsroom import Newsroom, SampleArticle
from storywatch.demo.runner import write_config
from storywatch.storylines import TrackingResult, track
from storywatch.warehouse.db import transaction

from .conftest import store_article


@pytest.fixture(scope="module")
def newsroom() -> Newsroom:
    return Newsroom.load()


@pytest.fixture
def storylines(tmp_path: Path) -> tuple[StorylineSettings, ...]:
    return tuple(load_settings(write_config(tmp_path, "http://127.0.0.1:8000", "json://127.0.0.1:9000/a")).storylines)


def _id(article: SampleArticle) -> str:
    return article.key.replace("/", "-")


def _pass(con: duckdb.DuckDBPyConnection, storylines, newsroom: Newsroom, wave: int) -> TrackingResult:
    """Store a wave as the pipeline would (copies marked) and track it in one pass."""
    articles = newsroom.wave(wave)
    for article in articles:
        copy_of = newsroom.article(article.copy_of) if article.copy_of else None
        store_article(con, _id(article), article.title, article.text, source=article.outlet,
                      published_at=article.published_at, duplicate_of=copy_of and _id(copy_of))
    with transaction(con):
        return track(con, storylines, [_id(a) for a in articles], now=max(a.published_at for a in articles))


def _development_of(con: duckdb.DuckDBPyConnection, article: SampleArticle) -> str | None:
    row = con.execute("SELECT development_id FROM storyline_articles WHERE article_id = ? AND storyline_id = ?",
                      [_id(article), article.storyline]).fetchone()
    return row[0] if row else None


def _opener(con: duckdb.DuckDBPyConnection, development_id: str) -> str:
    return con.execute("SELECT first_article_id FROM developments WHERE development_id = ?",
                       [development_id]).fetchone()[0]


def test_every_wave_opens_exactly_the_new_developments_and_repeats_join_what_they_repeat(db, storylines, newsroom):
    for wave in sorted(newsroom.waves):
        articles = newsroom.wave(wave)
        result = _pass(db, storylines, newsroom, wave)
        new = {_id(a) for a in articles if a.role == "new-development"}
        assert {d.first_article_id for d in result.opened} == new, f"wave {wave}"
        for article in articles:
            development = _development_of(db, article)
            if article.role in ("rehash", "syndicated-copy"):
                repeated = newsroom.article(article.rehash_of or article.copy_of)
                assert development == _development_of(db, repeated), article.key
            elif article.role == "second-source":
                opener = newsroom.article(_opener(db, development).replace("-", "/", 1))
                assert (opener.role, opener.storyline) == ("new-development", article.storyline), article.key
            elif article.role == "passing-mention":
                assert development is None, article.key


def test_the_strike_ending_is_new_although_it_shares_the_walkout_s_background(db, storylines, newsroom):
    *earlier, last = sorted(newsroom.waves)
    for wave in earlier:
        _pass(db, storylines, newsroom, wave)
    result = _pass(db, storylines, newsroom, last)
    ending = next(d for d in result.opened if d.first_article_id == "wave3-dockworkers-vote-to-accept-deal")
    mediator = newsroom.article("wave2/mediator-appointed-in-calderport-strike")
    assert ending.nearest_development_id == _development_of(db, mediator)  # the latest the strike had
    ending_article = newsroom.article("wave3/dockworkers-vote-to-accept-deal")
    assert ending.explanation == (
        f"New since {mediator.title!r} ({_day(mediator.published_at)}): "
        f"{ending_article.title.rstrip('.')} ({_day(ending.reported_on)})."
    )
    assert {"vote", "deal", "6.5 percent"} <= set(ending.new_facts)


def _day(moment) -> str:
    return f"{moment.day} {moment:%b %Y}"
