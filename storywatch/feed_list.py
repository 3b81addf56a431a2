"""The config file's feed list, edited in place: new feeds appended, everything else kept as written.

`storywatch feeds import` and `feeds add` go through `add_feeds`. The file keeps its comments,
order and quoting (ruamel.yaml round-trips it); a feed already in the list, or twice in the
input, is reported and skipped; an entry that is not a valid feed is reported and skipped; the
new file replaces the old in one rename, so a crash never leaves it half-written.
"""

from __future__ import annotations

import copy
import difflib
import io
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from storywatch.config import FeedSettings
from storywatch.errors import ConfigError

_FIRST_FEED_DASH = re.compile(r"^feeds:[ \t]*(?:#.*)?\n(?:[ \t]*(?:#.*)?\n)*( *)- ", re.M)


@dataclass(frozen=True)
class Subscription:
    """A feed someone wants to follow, as an OPML file or a web page offers it; not yet validated."""

    name: str
    url: str
    site_url: str | None = None
    folder: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    @classmethod
    def of(cls, feed: FeedSettings) -> Subscription:
        return cls(feed.name, feed.url, feed.site_url, feed.folder, feed.categories)


@dataclass(frozen=True)
class FeedListChange:
    """What `add_feeds` did with each subscription it was given."""

    added: tuple[FeedSettings, ...] = ()
    duplicates: tuple[tuple[Subscription, str], ...] = ()  # with the name of the feed it repeats
    invalid: tuple[tuple[Subscription, str], ...] = ()     # with the reason
    renamed: tuple[tuple[str, str], ...] = ()              # (name offered, name given): names are unique


def add_feeds(config_path: Path, subscriptions: Iterable[Subscription]) -> FeedListChange:
    """Append the new, valid subscriptions to the config's `feeds:`; the file is untouched if none are."""
    source = _read(config_path)
    yaml = _round_trip_yaml(source)
    try:
        document = yaml.load(source)
    except YAMLError as error:
        raise ConfigError(f"{config_path}: not valid YAML ({str(error).splitlines()[0]})") from None
    if not isinstance(document, CommentedMap):
        raise ConfigError(f"{config_path}: expected a mapping of keys (database, feeds, storylines, ...)")
    if document.get("feeds") is None:
        document["feeds"] = CommentedSeq()
    feeds = document["feeds"]
    if not isinstance(feeds, CommentedSeq):
        raise ConfigError(f"{config_path}: feeds: expected a list of feeds")

    known_urls = {_url_key(str(entry.get("url", ""))): str(entry.get("name")) for entry in feeds
                  if isinstance(entry, dict)}
    names = {str(entry.get("name")) for entry in feeds if isinstance(entry, dict)}
    added, duplicates, invalid, renamed = [], [], [], []
    for subscription in subscriptions:
        try:
            feed = FeedSettings.model_validate(_entry(subscription))
        except ValidationError as error:
            first = error.errors()[0]
            reason = first["msg"].removeprefix("Value error, ")
            invalid.append((subscription, f"{'.'.join(map(str, first['loc']))} {reason}"))
            continue
        if _url_key(feed.url) in known_urls:
            duplicates.append((subscription, known_urls[_url_key(feed.url)]))
            continue
        name = _unique(feed.name, names)
        if name != feed.name:
            renamed.append((feed.name, name))
            feed = feed.model_copy(update={"name": name})
        names.add(name)
        known_urls[_url_key(feed.url)] = name
        added.append(feed)

    if added:
        _append(feeds, [_mapping(feed) for feed in added])
        output = io.StringIO()
        yaml.dump(document, output)
        _require_only_additions(config_path, source, output.getvalue())
        _replace(config_path, output.getvalue())
    return FeedListChange(tuple(added), tuple(duplicates), tuple(invalid), tuple(renamed))


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file {path} not found (use -c PATH or $STORYWATCH_CONFIG)") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"config file {path} cannot be read: {error}") from None


def _round_trip_yaml(source: str) -> YAML:
    yaml = YAML()  # round-trip mode: comments, key order and quotes survive
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long query or URL
    dash = _FIRST_FEED_DASH.search(source)
    offset = len(dash.group(1)) if dash else 2
    yaml.indent(mapping=2, sequence=offset + 2, offset=offset)
    return yaml


def _entry(subscription: Subscription) -> dict:
    entry = {"name": subscription.name.strip(), "url": subscription.url.strip(), "site_url": subscription.site_url,
             "folder": subscription.folder, "categories": subscription.categories}
    return {key: value for key, value in entry.items() if value not in (None, ())}


def _mapping(feed: FeedSettings) -> CommentedMap:
    """The feed as the config writes it: only the keys it uses, lists on one line."""
    entry = CommentedMap(name=feed.name, url=feed.url)
    if feed.site_url:
        entry["site_url"] = feed.site_url
    for key in ("folder", "categories"):
        if getattr(feed, key):
            values = CommentedSeq(getattr(feed, key))
            values.fa.set_flow_style()
            entry[key] = values
    return entry


def _append(feeds: CommentedSeq, entries: list[CommentedMap]) -> None:
    """Append after the last feed, moving what follows that feed (blank lines, a comment that
    introduces the next section) below the new ones: ruamel hangs it on the last item."""
    tail = None
    if feeds and isinstance(feeds[-1], CommentedMap) and feeds[-1]:
        last = feeds[-1]
        key = list(last)[-1]
        comments = last.ca.items.get(key)
        if comments and len(comments) > 2 and comments[2] is not None:
            own_line, _, rest = comments[2].value.partition("\n")
            if rest:
                comments[2].value = own_line + "\n"
                tail = copy.copy(comments[2])
                tail.value = "\n" + rest
    feeds.extend(entries)
    if tail is not None:
        new_last = entries[-1]
        new_last.ca.items[list(new_last)[-1]] = [None, None, tail, None]


def _require_only_additions(path: Path, before: str, after: str) -> None:
    """Refuse to write a file in which any line of the original changed: adding feeds must not
    reformat a hand-written config (the indent guess can be wrong for unusual layouts)."""
    changes = difflib.SequenceMatcher(None, before.splitlines(), after.splitlines(), autojunk=False).get_opcodes()
    if any(tag not in ("equal", "insert") for tag, *_ in changes):
        raise ConfigError(
            f"{path}: cannot add feeds without reformatting the file; add them under feeds: by hand"
        )


def _replace(path: Path, text: str) -> None:
    """Write beside the file and rename over it: readers see the old file or the new, never half."""
    mode = path.stat().st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _url_key(url: str) -> str:
    """The form two URLs of one feed share: scheme and host are case-insensitive, fragments ignored."""
    parts = urlsplit(url.strip())
    return parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower(), fragment="").geturl()


def _unique(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    number = 2
    while f"{name} ({number})" in taken:
        number += 1
    return f"{name} ({number})"
