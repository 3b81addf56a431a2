"""Message content: what an alert says, rendered per format from templates an operator can change.

Bundled templates live in `alerts/templates/`; a file of the same name in
`alerts.templates_dir` overrides one. Each template sets `title` (email subject, Slack
and JSON title) and renders the body. Formats: `txt` (plain text, JSON and most
targets), `slack` (Slack mrkdwn) and `html` (email; Apprise adds the plain-text part).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Literal

import jinja2
import markupsafe

from storywatch.errors import TemplateProblem
from storywatch.storylines.model import Development

Format = Literal["txt", "slack", "html"]


@dataclass(frozen=True)
class ArticleLink:
    url: str
    source: str
    title: str
    syndicated: bool  # a copy of another article's text: listed, not counted as corroboration


@dataclass(frozen=True)
class DevelopmentNotice:
    storyline_id: str
    storyline_title: str
    headline: str
    explanation: str  # why it counts as new
    first_seen_at: datetime
    articles: tuple[ArticleLink, ...]

    kind = "development"

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(sorted({a.source for a in self.articles if not a.syndicated}))

    @property
    def corroboration(self) -> int:
        """Distinct outlets among the articles that are not syndicated copies."""
        return len(self.sources)

    @property
    def timeline_command(self) -> str:
        return f"storywatch timeline {self.storyline_id}"


@dataclass(frozen=True)
class FeedHealthNotice:
    feed: str
    url: str
    failing: bool  # False: it recovered
    consecutive_failures: int
    last_error: str | None

    kind = "feed_health"


Notice = DevelopmentNotice | FeedHealthNotice


@dataclass(frozen=True)
class AlertContent:
    """An outbox row with what its message is made of, read at send time."""

    alert_id: str
    kind: str
    facts: Mapping[str, object]  # stored with the alert when it was queued
    development: Development | None  # None for feed-health alerts, or once the development is gone
    articles: tuple[ArticleLink, ...]


def notice(content: AlertContent) -> Notice | None:
    """What the alert's message says; None when there is nothing left to say (its development is gone)."""
    if content.kind == "feed_health":
        return FeedHealthNotice(**content.facts)
    development = content.development
    if development is None:
        return None
    return DevelopmentNotice(
        storyline_id=development.storyline_id,
        storyline_title=str(content.facts.get("storyline_title") or development.storyline_id),
        headline=development.headline,
        explanation=development.explanation,
        first_seen_at=development.first_seen_at,
        articles=content.articles,
    )


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str


class Templates:
    """The bundled templates, each overridable by a same-named file in `override_dir`."""

    def __init__(self, override_dir: Path | None = None):
        bundled = str(resources.files("storywatch.alerts").joinpath("templates"))
        search = [str(override_dir), bundled] if override_dir else [bundled]
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(search),
            autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
            undefined=jinja2.StrictUndefined,  # a typo in an operator's template fails loudly
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._env.filters["when"] = lambda moment: moment.strftime("%Y-%m-%d %H:%M UTC")
        # Slack links are <url|label>; these characters would end the label early.
        self._env.filters["slack_label"] = lambda text: text.translate(str.maketrans("<>|", "‹›¦"))

    def render(self, notices: Sequence[Notice], fmt: Format) -> Rendered:
        """One notice renders its kind's template; several render the digest."""
        if len(notices) == 1:
            name, context = f"{notices[0].kind}.{fmt}", {"alert": notices[0]}
        else:
            name, context = f"digest.{fmt}", {"alerts": list(notices)}
        try:
            module = self._env.get_template(name).make_module(context)
            title = getattr(module, "title", "storywatch alert")
            if isinstance(title, markupsafe.Markup):  # HTML templates escape it; a subject is plain text
                title = title.unescape()
            title = " ".join(str(title).split())
            return Rendered(title=title, body=str(module).strip() + "\n")
        except jinja2.TemplateError as error:
            raise TemplateProblem(f"template {name}: {error}") from None
