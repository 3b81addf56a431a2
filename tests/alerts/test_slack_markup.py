"""Finding 9: attacker-chosen headlines, sources and URLs reach Slack as text, never as mentions or links.

Sent through Apprise's real Slack plugin, which undoes plain escaping (FACTS.md).
"""

from __future__ import annotations

import re

from storywatch.alerts import deliver_pending
from storywatch.config import AlertSettings, NotifyTarget

HOSTILE_HEADLINES = ["<!channel> dam breaks", "&lt;!here&gt; evacuate", "Read !everyone> now",
                     "Call <@U024BE7LH> or @U024BE7LH|boss>", "<https://evil.example|Official statement>"]


def test_hostile_text_cannot_mention_or_link_through_the_slack_plugin(newsroom, slack, now) -> None:
    targets = [NotifyTarget(url="slack://T0AAAA/B0BBBB/C0cccccc/#news", max_per_hour=100)]
    developments = [
        newsroom.develop(f"d{n}", headline=headline,
                         articles=[("!channel", "evil.example/!here|x", None), ("@U1|pwn", "wire.example", None)])
        for n, headline in enumerate(HOSTILE_HEADLINES)
    ]
    newsroom.enqueue(developments, targets)

    assert deliver_pending(newsroom.path, targets, AlertSettings(), now=now).sent == len(HOSTILE_HEADLINES)

    for post in slack.received:
        text = post.body["attachments"][0]["text"]
        markup = re.findall(r"<[^<>]*>", text)
        assert markup and all(re.fullmatch(r"<https://(evil|wire)\.example/[^|<>! @]+\|[^<>|]+>", m) for m in markup), text
        assert "<!" not in text and "<@" not in text


def test_a_digest_is_neutralised_the_same_way(newsroom, slack, now) -> None:
    targets = [NotifyTarget(url="slack://T0AAAA/B0BBBB/C0cccccc/#news", max_per_hour=1)]
    newsroom.enqueue([newsroom.develop(f"d{n}", headline=h) for n, h in enumerate(HOSTILE_HEADLINES)], targets)

    assert deliver_pending(newsroom.path, targets, AlertSettings(), now=now).digests == 1

    (post,) = slack.received
    text = post.body["attachments"][0]["text"]
    assert "<!" not in text and "<@" not in text
    assert all(m.startswith("<https://reuters.com/") for m in re.findall(r"<[^<>]*>", text)), text
