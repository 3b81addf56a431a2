"""Apprise targets: one configured notify URL, its redacted name and key, and sending one message.

Each target is notified on its own (never through a shared `Apprise.notify()`), so one
failing target neither blocks nor hides another, and its refusal reason is captured from
Apprise's log. That log never reaches ours (see `_apprise_log`): we report a reason with
the URL's secrets scrubbed instead.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from io import StringIO
from urllib.parse import parse_qsl, unquote, urlsplit

import apprise
from apprise import NotifyFormat
from apprise.logger import LOGGER_NAME
from apprise.plugins.slack import NotifySlack

from storywatch.alerts.outbox import target_key
from storywatch.alerts.render import Format, Rendered
from storywatch.config import NotifyTarget

_BODY_FORMATS = {"txt": NotifyFormat.TEXT, "slack": NotifyFormat.MARKDOWN, "html": NotifyFormat.HTML}
_URL_PARTS = re.compile(r"[/:@?&=#]+")


@dataclass(frozen=True)
class Endpoint:
    """A configured target, ready to send to; `redacted` is the only name that leaves this module."""

    target: NotifyTarget
    key: str
    redacted: str
    fmt: Format
    usable: bool  # False: Apprise does not understand the URL

    def subscribes_to(self, storyline_id: str) -> bool:
        return self.target.storylines is None or storyline_id in self.target.storylines


@dataclass(frozen=True)
class SendResult:
    accepted: bool
    error: str | None = None


def endpoints(targets: Sequence[NotifyTarget], hmac_key: str) -> list[Endpoint]:
    return [_endpoint(target, hmac_key) for target in targets]


def _endpoint(target: NotifyTarget, hmac_key: str) -> Endpoint:
    secret = target.url.get_secret_value()
    plugin = _instantiate(secret)
    if plugin is None:
        scheme = secret.split("://", 1)[0] if re.match(r"^[A-Za-z0-9+.-]+://", secret) else "unknown"
        return Endpoint(target, target_key(secret, hmac_key), f"{scheme}://(invalid URL)", "txt", usable=False)
    # The query string only repeats Apprise defaults (and any secret there is masked anyway).
    redacted = plugin.url(privacy=True).split("?", 1)[0]
    return Endpoint(target, target_key(secret, hmac_key), redacted, _format_of(plugin), usable=True)


def _format_of(plugin: apprise.plugins.NotifyBase) -> Format:
    if isinstance(plugin, NotifySlack):
        return "slack"
    return "html" if plugin.notify_format == NotifyFormat.HTML else "txt"


def send(endpoint: Endpoint, message: Rendered, idempotency_key: str) -> SendResult:
    """Deliver one message; never raises. Accepted means the target said so."""
    if not endpoint.usable:
        return SendResult(False, "not a notify URL Apprise understands; fix it in the config's notify list")
    secret = endpoint.target.url.get_secret_value()
    with _apprise_log() as log:
        try:
            plugin = _instantiate(secret)
            # HTTP targets send it as a header, email as a mail header: a receiver can drop a resend.
            if isinstance(getattr(plugin, "headers", None), dict):
                plugin.headers["Idempotency-Key"] = idempotency_key
            body_format = _BODY_FORMATS[endpoint.fmt]
            accepted = bool(plugin.notify(body=message.body, title=message.title, body_format=body_format))
            reason = log.getvalue().strip().splitlines()
        except Exception as error:  # a plugin bug must not stop the other targets
            accepted, reason = False, [f"{type(error).__name__}: {error}"]
    if accepted:
        return SendResult(True)
    reason_text = "; ".join(reason[-2:]) or "the target refused the message"
    return SendResult(False, scrub(reason_text, secret, endpoint.redacted))


def scrub(text: str, secret_url: str, redacted: str) -> str:
    """Mask every part of the secret URL that can hold a secret and that its redacted form does not show."""
    try:
        parts = urlsplit(secret_url)
        candidates = {parts.hostname, parts.username, parts.password, parts.fragment}
        candidates |= set(parts.path.split("/")) | {value for _, value in parse_qsl(parts.query)}
    except ValueError:
        candidates = set()
    public = set(_URL_PARTS.split(unquote(redacted)))
    fragments = {unquote(c) for c in candidates if c} | {c for c in candidates if c}
    masked = [secret_url, *sorted((f for f in fragments if len(f) >= 3 and f not in public), key=len, reverse=True)]
    for fragment in masked:
        text = text.replace(fragment, "****")
    return text


def _instantiate(secret_url: str) -> apprise.plugins.NotifyBase | None:
    with _apprise_log():  # "Unparseable URL ..." messages quote the URL
        return apprise.Apprise.instantiate(secret_url)


@contextmanager
def _apprise_log() -> Iterator[StringIO]:
    """Capture Apprise's warnings for this call and keep its and urllib3's records out of every other log.

    Both can quote what they were given: the URL with its password, or a request line
    whose path is a Slack webhook token.
    """
    quieted = [logging.getLogger(name) for name in (LOGGER_NAME, "urllib3")]
    propagates = [logger.propagate for logger in quieted]
    for logger in quieted:
        logger.propagate = False
    try:
        with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:
            yield captured
    finally:
        for logger, propagate in zip(quieted, propagates):
            logger.propagate = propagate
