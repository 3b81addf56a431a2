"""The config file: SPEC keys, ${VAR} expansion, and errors that name the key and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from storywatch.config import load_settings, parse_settings
from storywatch.errors import ConfigError

MINIMAL = """\
feeds:
  - name: Example Wire
    url: https://example.org/rss.xml
"""


def error_of(source: str, environ: dict | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_settings(source, environ or {}, "sw.yaml")
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_defaults_follow_the_spec():
    settings = parse_settings(MINIMAL, {})
    assert settings.database == Path("data/storywatch.duckdb")
    assert settings.schedule.interval_minutes == 15
    assert (settings.fetch.timeout_seconds, settings.fetch.max_bytes) == (20, 5_000_000)
    assert (settings.fetch.concurrency, settings.fetch.per_host_concurrency) == (16, 2)


def test_bad_value_names_key_line_and_value():
    source = "fetch:\n  timeout_seconds: soon\n" + MINIMAL
    assert error_of(source).startswith("sw.yaml line 2: fetch.timeout_seconds: ")
    assert "'soon'" in error_of(source)


def test_unknown_key_is_an_error():
    source = MINIMAL + "    colour: red\n"
    assert error_of(source) == "sw.yaml line 4: feeds[0].colour: unknown key (check its spelling and indentation) (got 'red')"


def test_missing_required_key():
    assert error_of("feeds:\n  - name: x\n") == "sw.yaml line 2: feeds[0].url: required key is missing"


def test_yaml_syntax_error_has_a_line():
    assert error_of("feeds: [\n  - x: 1\n").startswith("sw.yaml line ")


def test_environment_expansion_and_missing_variable():
    source = MINIMAL + 'notify:\n  - url: "json://u:${HOOK_PASSWORD}@127.0.0.1:9/x"\n'
    settings = parse_settings(source, {"HOOK_PASSWORD": "s3cret-token"})
    assert settings.notify[0].url.get_secret_value() == "json://u:s3cret-token@127.0.0.1:9/x"
    assert "s3cret" not in repr(settings)
    assert error_of(source) == "sw.yaml line 5: notify[0].url: environment variable HOOK_PASSWORD is not set"


def test_secret_values_never_echoed():
    source = MINIMAL + "notify:\n  - url: json://u:topsecret@h/\n    storylines: 7\n"
    message = error_of(source)
    assert "topsecret" not in message and "notify[0].storylines" in message


def test_notify_storylines_must_exist():
    source = MINIMAL + "notify:\n  - url: json://h/\n    storylines: [nope]\n"
    assert "unknown storylines: nope" in error_of(source)


def test_duplicate_feed_names():
    assert "appears twice" in error_of(MINIMAL + "  - name: Example Wire\n    url: https://other.org/rss\n")


def test_non_http_feed_url():
    assert "http:// or https://" in error_of("feeds:\n  - name: f\n    url: file:///etc/passwd\n")


def test_database_is_relative_to_the_config_file(tmp_path, monkeypatch):
    path = tmp_path / "conf" / "storywatch.yaml"
    path.parent.mkdir()
    path.write_text("database: db/sw.duckdb\n" + MINIMAL)
    monkeypatch.chdir(tmp_path)
    assert load_settings(path).database == path.parent / "db" / "sw.duckdb"


def test_config_path_from_environment(tmp_path, monkeypatch):
    path = tmp_path / "elsewhere.yaml"
    path.write_text(MINIMAL)
    monkeypatch.setenv("STORYWATCH_CONFIG", str(path))
    assert load_settings().feeds[0].name == "Example Wire"


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.yaml")
