"""Adding feeds to a hand-written config: comments, blank lines and layout kept, or nothing written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from storywatch.errors import ConfigError
from storywatch.feed_list import Subscription, add_feeds

NEW = Subscription("Harbour Herald", "https://herald.example/rss.xml", site_url="https://herald.example/",
                   folder=("Local",))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "storywatch.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_comment_introducing_the_next_section_stays_above_that_section(tmp_path):
    path = write(tmp_path, "feeds:\n  - name: Wire   # the agency\n    url: https://wire.example/rss  # RSS 2.0\n"
                           "\n# What we follow:\nstorylines: []\n")
    add_feeds(path, [NEW])
    assert path.read_text(encoding="utf-8") == (
        "feeds:\n  - name: Wire   # the agency\n    url: https://wire.example/rss  # RSS 2.0\n"
        "  - name: Harbour Herald\n    url: https://herald.example/rss.xml\n    site_url: https://herald.example/\n"
        "    folder: [Local]\n"
        "\n# What we follow:\nstorylines: []\n")


def test_an_unindented_list_and_a_last_section_keep_their_layout(tmp_path):
    path = write(tmp_path, "database: sw.duckdb\nfeeds:\n- name: Wire\n  url: https://wire.example/rss\n# end\n")
    add_feeds(path, [Subscription("Herald", "https://herald.example/rss.xml")])
    assert path.read_text(encoding="utf-8") == ("database: sw.duckdb\nfeeds:\n- name: Wire\n  url: https://wire.example/rss\n"
                                                "- name: Herald\n  url: https://herald.example/rss.xml\n# end\n")


def test_a_layout_that_would_be_rewritten_is_refused_and_left_as_it_was(tmp_path):
    text = ("feeds:\n  - name: Wire\n    url: https://wire.example/rss\n"
            "storylines:\n- id: strike\n  title: Port strike\n  query: strike\n")
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match="cannot add feeds without reformatting the file"):
        add_feeds(path, [NEW])
    assert path.read_text(encoding="utf-8") == text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["storywatch.yaml"]  # no temporary file left behind


def test_the_file_is_replaced_whole_with_its_mode_kept(tmp_path):
    path = write(tmp_path, "feeds:\n  - name: Wire\n    url: https://wire.example/rss\n")
    os.chmod(path, 0o640)
    inode = path.stat().st_ino
    change = add_feeds(path, [NEW])
    assert [feed.name for feed in change.added] == ["Harbour Herald"]
    assert path.stat().st_ino != inode  # a new file renamed over the old: never written in place
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["storywatch.yaml"]


def test_an_empty_feed_list_gets_its_first_feed(tmp_path):
    path = write(tmp_path, "database: sw.duckdb  # local\nfeeds:\n")
    add_feeds(path, [Subscription("Herald", "https://herald.example/rss.xml")])
    assert path.read_text(encoding="utf-8") == ("database: sw.duckdb  # local\nfeeds:\n"
                                                "  - name: Herald\n    url: https://herald.example/rss.xml\n")


def test_a_missing_config_is_a_one_line_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        add_feeds(tmp_path / "nope.yaml", [NEW])
