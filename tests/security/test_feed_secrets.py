"""Findings 8 and 16: a `${VAR}` in a feed URL is a secret wherever the URL goes; config errors never echo one."""

from __future__ import annotations

import base64

import pytest

from storywatch.config import parse_settings
from storywatch.demo.server import LoopbackSite
from storywatch.errors import ConfigError
from tests.security.conftest import rows, run_pass, write_config

SECRETS = {"FEED_USER": "FeedUser", "FEED_PASS": "S3cret-Pass", "FEED_TOKEN": "Tok3n-Value"}


def every_stored_text(database) -> str:
    """Every VARCHAR value of every table and view, as one string to search for leaks."""
    columns = rows(database, "SELECT table_schema, table_name, column_name FROM information_schema.columns"
                             " WHERE data_type = 'VARCHAR'")
    return "\n".join(str(rows(database, f'SELECT list("{c}") FROM {s}.{t}')) for s, t, c in columns)


def test_feed_url_secrets_are_never_stored_and_credentials_stay_on_their_origin(
    tmp_path, site: LoopbackSite, publisher: LoopbackSite, news
) -> None:
    here, there = news.story("here", "harbour dredging"), news.story("there", "ferry timetable")
    site.route("/news/here", news.article(here))
    publisher.route("/news/there", news.article(there))
    links = {"here": "/news/here", "there": publisher.url("/news/there")}
    site.route("/private/rss.xml", news.rss([here, there], lambda s: links[s.slug]), content_type="application/rss+xml")
    template = f"http://${{FEED_USER}}:${{FEED_PASS}}@127.0.0.1:{site.port}/private/rss.xml?t=${{FEED_TOKEN}}"
    config = write_config(tmp_path, {"Private": template})

    first = run_pass(config, SECRETS)
    site.route("/private/rss.xml", "down", status=500)
    second = run_pass(config, SECRETS)

    basic = "Basic " + base64.b64encode(b"FeedUser:S3cret-Pass").decode()  # case as configured
    assert [r.headers.get("authorization") for r in site.requests] == [basic, basic, basic]
    assert [r.headers.get("authorization") for r in publisher.requests] == [None]
    assert first.rows("SELECT url FROM articles ORDER BY url") == [
        (site.url("/news/here"),), (publisher.url("/news/there"),)]
    assert second.collected.feed_errors == {"Private": f"{site.url('/private/rss.xml')}?t=${{FEED_TOKEN}}: HTTP 500"}
    assert first.rows("SELECT DISTINCT url FROM feed_fetches") == [(template,)]
    stored = every_stored_text(first.settings.database)
    for value in SECRETS.values():
        assert value not in stored and value.lower() not in stored


def test_config_errors_never_echo_an_expanded_value() -> None:
    source = "feeds:\n  - name: Wire\n    url: ftps://user:${FEED_PASS}@wire.example/rss\n"
    with pytest.raises(ConfigError) as refused:
        parse_settings(source, SECRETS)
    assert "S3cret-Pass" not in str(refused.value)
    assert "ftps://user:${FEED_PASS}@wire.example/rss" in str(refused.value)
