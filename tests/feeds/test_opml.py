"""OPML in and out through the CLI: a reader's export (nested folders, categories) round-trips whole."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storywatch.cli import app
from storywatch.config import load_settings
from storywatch.errors import OpmlError
from storywatch.feed_list import Subscription
from storywatch.opml import read_opml, write_opml

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "subscriptions.opml"
EXAMPLE_CONFIG = Path(__file__).resolve().parents[2] / "storywatch.example.yaml"
ENVIRONMENT = {"STORYWATCH_EMAIL_URL": "json://127.0.0.1:9/a", "SLACK_WEBHOOK_URL": "json://127.0.0.1:9/b",
               "OPERATOR_ALERT_URL": "json://127.0.0.1:9/c"}
runner = CliRunner(env=ENVIRONMENT)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """The example config with its feed list emptied down to one feed the fixture does not hold."""
    path = tmp_path / "storywatch.yaml"
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8")
    start, end = text.index("feeds:\n"), text.index("storylines:\n")
    path.write_text(text[:start] + "feeds:\n  - name: Local Paper   # kept\n    url: https://paper.example/rss\n"
                    + text[end:], encoding="utf-8")
    return path


def test_the_fixture_reads_as_the_reader_shows_it():
    found = read_opml(FIXTURE.read_bytes())
    assert found.title == "Subscriptions of desk@example.org"
    assert [(s.folder, s.name) for s in found.subscriptions] == [
        (("World",), "BBC News - World"),
        (("World",), "TASS World"),
        (("World", "Europe"), "Le Monde – International"),
        (("World", "Europe"), "DW – Europe"),
        ((), 'Reuters & Friends: <Top> "Wire"'),
        (("Analysis", "Long reads"), "The Conversation – Politics"),
        (("Analysis",), "WSWS"),
        ((), "Al Jazeera – All"),
    ]
    bbc = found.subscriptions[0]
    assert bbc.categories == ("/World", "/Broadcasters/UK") and bbc.site_url == "https://www.bbc.co.uk/news/world"
    assert found.subscriptions[4].url == "https://news.example.com/wire/top.xml?format=rss&edition=intl"
    assert found.subscriptions[6].url == "https://www.wsws.org/en/rss.xml"  # lower-case xmlurl


def test_import_then_export_gives_back_every_feed_in_its_folder(config, tmp_path):
    imported = runner.invoke(app, ["feeds", "import", str(FIXTURE), "-c", str(config)])
    assert imported.exit_code == 0, imported.output
    assert "added 8 feeds" in imported.output
    exported = runner.invoke(app, ["feeds", "export", "-c", str(config)])
    assert exported.exit_code == 0, exported.output
    original = read_opml(FIXTURE.read_bytes()).subscriptions
    local = Subscription("Local Paper", "https://paper.example/rss")
    assert read_opml(exported.stdout.encode()).subscriptions == (local, *original)
    # And the exported file imports into a fresh config as the same list again.
    again = tmp_path / "again.yaml"
    again.write_text(config.read_text(encoding="utf-8").split("feeds:\n")[0]
                     + "feeds:\n  - name: Local Paper\n    url: https://paper.example/rss\n", encoding="utf-8")
    (tmp_path / "out.opml").write_text(exported.stdout, encoding="utf-8")
    assert runner.invoke(app, ["feeds", "import", str(tmp_path / "out.opml"), "-c", str(again)]).exit_code == 0
    assert load_settings(again, ENVIRONMENT).feeds == load_settings(config, ENVIRONMENT).feeds


def test_import_keeps_every_line_of_the_config_and_appends_after_the_last_feed(config):
    before = config.read_text(encoding="utf-8")
    assert runner.invoke(app, ["feeds", "import", str(FIXTURE), "-c", str(config)]).exit_code == 0
    after = config.read_text(encoding="utf-8")
    head, tail = before.split("storylines:\n")
    assert after.startswith(head) and after.endswith("storylines:\n" + tail)
    added = after[len(head):-len("storylines:\n" + tail)]
    assert added.startswith("  - name: BBC News - World\n    url: https://feeds.bbci.co.uk/news/world/rss.xml\n")
    assert "    folder: [World, Europe]\n" in added
    assert "    categories: [/World, /Broadcasters/UK]\n" in added
    assert load_settings(config, ENVIRONMENT).feeds[5].name == 'Reuters & Friends: <Top> "Wire"'


def test_a_second_import_reports_every_feed_as_a_duplicate_and_writes_nothing(config):
    runner.invoke(app, ["feeds", "import", str(FIXTURE), "-c", str(config)])
    written = config.read_text(encoding="utf-8")
    again = runner.invoke(app, ["feeds", "import", str(FIXTURE), "-c", str(config)])
    assert again.exit_code == 0
    assert again.output.count("duplicate") == 8
    assert "is already in the config as 'TASS World'" in again.output
    assert "no feeds added" in again.output
    assert config.read_text(encoding="utf-8") == written


def test_bad_urls_and_empty_folders_are_reported_and_the_good_feeds_still_added(config, tmp_path):
    opml = tmp_path / "mixed.opml"
    opml.write_text("""<?xml version="1.0"?><opml version="1.0"><head><title>t</title></head><body>
      <outline text="Podcasts"/>
      <outline text="Private" xmlUrl="feed://example.org/rss"/>
      <outline text="Script" xmlUrl="javascript:alert(1)"/>
      <outline text="Good" xmlUrl="https://good.example/feed.xml"/>
      <outline text="Good again" xmlUrl="https://GOOD.example/feed.xml"/>
      <outline text="Local Paper" xmlUrl="https://other-paper.example/rss"/>
    </body></opml>""", encoding="utf-8")
    result = runner.invoke(app, ["feeds", "import", str(opml), "-c", str(config)])
    assert result.exit_code == 0, result.output
    assert "skipped outline Podcasts: no xmlUrl and nothing inside" in result.output
    assert "not added Private: url must be an http:// or https:// URL (got 'feed://example.org/rss')" in result.output
    assert "not added Script" in result.output
    assert "duplicate Good again: https://GOOD.example/feed.xml is already in the config as 'Good'" in result.output
    assert "renamed 'Local Paper' to 'Local Paper (2)'" in result.output
    names = [feed.name for feed in load_settings(config, ENVIRONMENT).feeds]
    assert names == ["Local Paper", "Good", "Local Paper (2)"]


@pytest.mark.parametrize("source, message", [
    (b"<opml><body><outline", "not well-formed XML"),
    (b"<rss version='2.0'><channel/></rss>", "not an OPML document (root element <rss>)"),
    (b"<opml version='2.0'><head/></opml>", "needs a <body>"),
])
def test_a_file_that_is_not_opml_is_a_one_line_error_and_the_config_is_untouched(config, tmp_path, source, message):
    bad = tmp_path / "bad.opml"
    bad.write_bytes(source)
    before = config.read_text(encoding="utf-8")
    result = runner.invoke(app, ["feeds", "import", str(bad), "-c", str(config)])
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert config.read_text(encoding="utf-8") == before
    with pytest.raises(OpmlError):
        read_opml(source)


def test_export_to_a_file_nests_folders(config, tmp_path):
    shutil.copy(FIXTURE, tmp_path / "in.opml")
    runner.invoke(app, ["feeds", "import", str(tmp_path / "in.opml"), "-c", str(config)])
    out = tmp_path / "out.opml"
    assert runner.invoke(app, ["feeds", "export", "-o", str(out), "-c", str(config)]).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert text.index('<outline text="World" title="World">') < text.index('<outline text="Europe" title="Europe">')
    assert 'category="/World,/Broadcasters/UK"' in text


def test_written_names_are_escaped_xml():
    document = write_opml([Subscription('A & <B> "C"', "https://x.example/?a=1&b=2", folder=("F & G",))])
    assert read_opml(document).subscriptions == (Subscription('A & <B> "C"', "https://x.example/?a=1&b=2",
                                                              folder=("F & G",)),)
