"""Message content per format, from bundled templates or an operator's overrides."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from storywatch.alerts.render import ArticleLink, DevelopmentNotice, FeedHealthNotice, Templates
from storywatch.errors import TemplateProblem

NOTICE = DevelopmentNotice(
    storyline_id="ambassador-recall",
    storyline_title="Ambassador recalled",
    headline="Antonov <leaves> Washington & flies home",
    explanation="First report that he left; earlier ones only said he was summoned.",
    first_seen_at=datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc),
    articles=(
        ArticleLink("https://reuters.com/a", "Reuters", "Antonov leaves", False),
        ArticleLink("https://apnews.com/b", "AP", "Envoy departs | update", False),
        ArticleLink("https://yahoo.com/c", "Yahoo", "Envoy departs", True),
        ArticleLink("https://reuters.com/d", "Reuters", "Antonov leaves, more", False),
    ),
)


@pytest.mark.parametrize("fmt", ["txt", "slack", "html"])
def test_a_development_message_says_what_why_where_and_how_to_follow(fmt: str) -> None:
    message = Templates().render([NOTICE], fmt)
    assert "Ambassador recalled" in message.title
    for url in ("https://reuters.com/a", "https://apnews.com/b", "https://yahoo.com/c", "https://reuters.com/d"):
        assert url in message.body
    assert "earlier ones only said he was summoned" in message.body
    assert "AP, Reuters" in message.body  # sources: distinct, syndicated copy not counted
    assert "storywatch timeline ambassador-recall" in message.body
    assert "syndicated copy" in message.body


def test_corroboration_counts_distinct_outlets_among_originals() -> None:
    assert NOTICE.corroboration == 2 and NOTICE.sources == ("AP", "Reuters")


def test_html_escapes_content_and_keeps_the_subject_plain() -> None:
    message = Templates().render([NOTICE], "html")
    assert "Antonov &lt;leaves&gt; Washington &amp; flies home" in message.body
    assert message.title == "[storywatch] Ambassador recalled: Antonov <leaves> Washington & flies home"


def test_slack_links_keep_their_label_intact() -> None:
    body = Templates().render([NOTICE], "slack").body
    assert "<https://apnews.com/b|Envoy departs ¦ update>" in body


def test_several_notices_render_one_digest() -> None:
    feed = FeedHealthNotice("Example Wire", "https://wire/rss", True, 3, "HTTP 503")
    for fmt in ("txt", "slack", "html"):
        message = Templates().render([NOTICE, feed], fmt)
        assert "2 alerts" in message.title
        assert "Example Wire" in message.body and "https://reuters.com/a" in message.body


def test_feed_health_messages_name_the_feed_and_the_error() -> None:
    failing = Templates().render([FeedHealthNotice("Example Wire", "https://wire/rss", True, 3, "HTTP 503")], "txt")
    assert failing.title == "[storywatch] feed failing: Example Wire"
    assert "3 times in a row" in failing.body and "HTTP 503" in failing.body
    recovered = Templates().render([FeedHealthNotice("Example Wire", "https://wire/rss", False, 0, None)], "txt")
    assert recovered.title == "[storywatch] feed recovered: Example Wire"


def test_an_operator_template_overrides_one_file_and_a_broken_one_is_reported(tmp_path: Path) -> None:
    (tmp_path / "development.txt").write_text('{% set title = "NEWS: " ~ alert.headline %}{{ alert.headline }}!')
    templates = Templates(tmp_path)
    assert templates.render([NOTICE], "txt").title == "NEWS: Antonov <leaves> Washington & flies home"
    assert "Ambassador recalled" in templates.render([NOTICE], "slack").title  # others stay bundled
    (tmp_path / "development.txt").write_text("{{ alert.no_such_field }}")
    with pytest.raises(TemplateProblem, match="development.txt"):
        Templates(tmp_path).render([NOTICE], "txt")
