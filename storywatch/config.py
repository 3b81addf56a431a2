"""The config file: read once at the boundary, validated, then trusted everywhere else.

Errors name the key and the line (`fetch.timeout_seconds (line 6): ...`); values of
secret keys (notify URLs) never appear in a message, nor does any value expanded from
`${VAR}`. Such values are secrets wherever they go: a feed URL is stored and shown as
written (`FeedSettings.shown_url`), never expanded.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PositiveFloat,
    PositiveInt,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from storywatch.errors import ConfigError
from storywatch.query_syntax import parse_syntax

CONFIG_ENV = "STORYWATCH_CONFIG"
DEFAULT_CONFIG = Path("storywatch.yaml")
_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_HOST_NAME = re.compile(r"^(?=.{1,253}$)[\w-]+(\.[\w-]+)*\.?$")
_SECRET_KEYS = {"notify"}  # subtrees whose values are never echoed in errors
_SHORTEST_SECRET = 3  # shorter expanded values are not masked in text: every "1" would be


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScheduleSettings(_Section):
    interval_minutes: PositiveInt = 15


class FetchSettings(_Section):
    timeout_seconds: PositiveFloat = 20
    max_bytes: PositiveInt = 5_000_000
    concurrency: PositiveInt = 16
    per_host_concurrency: PositiveInt = 2
    user_agent: str = "storywatch/0.1 (+https://github.com/storywatch/storywatch)"
    max_redirects: int = Field(default=5, ge=0, le=20)
    max_items_per_feed: PositiveInt = 200  # a feed lists its newest first; beyond this, items wait for later passes
    max_requests_per_host: PositiveInt = 1000  # per pass: no feed turns storywatch into a flood of one host
    # Hosts (names) or networks (CIDR) that may resolve to private addresses: for operators who
    # really poll internal hosts. Everything else must resolve to public addresses only.
    allow_internal: list[str] = []

    @field_validator("allow_internal")
    @classmethod
    def _hosts_or_networks(cls, entries: list[str]) -> list[str]:
        for entry in entries:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                if not _HOST_NAME.match(entry):
                    raise ValueError(f"{entry!r} is neither a host name nor an IP network") from None
        return [entry.lower() for entry in entries]


class FeedSettings(_Section):
    name: str = Field(min_length=1)
    url: str  # as fetched: `${VAR}` expanded (credentials, tokens)
    # What feed readers keep beside the URL, so OPML goes in and comes out whole.
    site_url: str | None = None            # the outlet's web page (OPML htmlUrl)
    folder: tuple[str, ...] = ()           # the reader folders it sits in, outermost first
    categories: tuple[str, ...] = ()       # OPML category attribute values, e.g. "/World/Europe"
    _secrets: tuple[tuple[str, str], ...] = PrivateAttr(default=())  # (variable, value) expanded into `url`

    @property
    def shown_url(self) -> str:
        """`url` as the config writes it, each `${VAR}` unexpanded: the only form stored, shown or sent."""
        return self.redact(self.url)

    def redact(self, text: str) -> str:
        return redact(text, self._secrets)

    @field_validator("url", "site_url")
    @classmethod
    def _http_url(cls, url: str | None) -> str | None:
        if url is not None and not re.match(r"^https?://[^/\s]+", url):
            raise ValueError("must be an http:// or https:// URL")
        return url


class StorylineSettings(_Section):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str = Field(min_length=1)
    query: str = Field(min_length=1)
    description: str = ""

    @field_validator("query")
    @classmethod
    def _query_parses(cls, query: str) -> str:
        parse_syntax(query)  # raises QuerySyntaxError (a ValueError) naming the position and what was expected
        return query


class NotifyTarget(_Section):
    url: SecretStr
    storylines: list[str] | None = None  # None: every storyline
    max_per_hour: PositiveInt = 10  # beyond this, alerts fold into one digest
    digest: Literal["off", "hourly", "daily"] = "off"
    feed_health: bool = False  # operator target: feed failure / recovery messages


class AlertSettings(_Section):
    max_attempts: PositiveInt = 8  # then the alert is `failed` (resend with `storywatch alerts resend`)
    retry_base_seconds: PositiveFloat = 60  # exponential backoff base between attempts
    feed_failure_threshold: PositiveInt = 3  # consecutive failures before a feed-health alert
    templates_dir: Path | None = None  # operator overrides of the bundled templates


class MaintenanceSettings(_Section):
    raw_html_retention_days: PositiveInt = 30


class WebSettings(_Section):
    enabled: bool = False  # also serve the web page from `storywatch serve`
    host: str = "127.0.0.1"  # loopback unless the operator opens it up on purpose
    port: int = Field(default=8080, ge=1, le=65535)


class Settings(_Section):
    database: Path = Path("data/storywatch.duckdb")
    schedule: ScheduleSettings = ScheduleSettings()
    fetch: FetchSettings = FetchSettings()
    feeds: list[FeedSettings] = Field(min_length=1)
    storylines: list[StorylineSettings] = []
    notify: list[NotifyTarget] = []
    alerts: AlertSettings = AlertSettings()
    maintenance: MaintenanceSettings = MaintenanceSettings()
    web: WebSettings = WebSettings()

    @model_validator(mode="after")
    def _names_unique_and_known(self) -> Settings:
        _require_unique([f.name for f in self.feeds], "feeds", "name")
        _require_unique([s.id for s in self.storylines], "storylines", "id")
        known = {s.id for s in self.storylines}
        for target in self.notify:
            unknown = sorted(set(target.storylines or ()) - known)
            if unknown:
                raise ValueError(f"notify target lists unknown storylines: {', '.join(unknown)}")
        return self

    def storyline(self, storyline_id: str) -> StorylineSettings:
        for storyline in self.storylines:
            if storyline.id == storyline_id:
                return storyline
        raise ConfigError(f"no storyline with id {storyline_id!r} in the config")


def _require_unique(values: list[str], section: str, key: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{section}: {key} {value!r} appears twice")
        seen.add(value)


def resolve_config_path(path: Path | None) -> Path:
    """`-c PATH`, else `$STORYWATCH_CONFIG`, else `./storywatch.yaml`."""
    if path is not None:
        return path
    return Path(os.environ[CONFIG_ENV]) if os.environ.get(CONFIG_ENV) else DEFAULT_CONFIG


def load_settings(path: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Read, expand `${VAR}` and validate the config; relative paths are relative to the file."""
    path = resolve_config_path(path)
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file {path} not found (use -c PATH or ${CONFIG_ENV})") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"config file {path} cannot be read: {error}") from None
    settings = parse_settings(source, environ if environ is not None else dict(os.environ), str(path))
    if not settings.database.is_absolute():
        settings = settings.model_copy(update={"database": path.parent / settings.database})
    return settings


def parse_settings(source: str, environ: dict[str, str], name: str = "config") -> Settings:
    try:
        root = yaml.compose(source, Loader=yaml.SafeLoader)
        data = yaml.safe_load(source)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = getattr(error, "problem", None) or "invalid YAML"
        raise ConfigError(f"{name}{where}: {problem}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{name}: expected a mapping of keys (database, feeds, storylines, ...)")
    lines = _key_lines(root)
    expanded: dict[tuple, list[tuple[str, str]]] = {}
    data = _expand_environment(data, environ, lines, name, expanded)
    try:
        settings = Settings.model_validate(data)
    except ValidationError as error:
        every = [pair for pairs in expanded.values() for pair in pairs]
        raise ConfigError(redact(_describe(error.errors()[0], lines, name), every)) from None
    for index, feed in enumerate(settings.feeds):
        feed._secrets = tuple(expanded.get(("feeds", index, "url"), ()))
    return settings


def redact(text: str, expansions: Iterable[tuple[str, str]]) -> str:
    """`text` with each expanded value put back as its `${VAR}`, also in the URL-quoted and
    lower-cased forms URL tools print it in."""
    forms: dict[str, str] = {}
    for variable, value in expansions:
        if len(value) >= _SHORTEST_SECRET:
            for form in (value, quote(value, safe=""), quote(value), value.lower()):
                forms.setdefault(form, "${" + variable + "}")
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, forms[form])
    return text


def _key_lines(node: yaml.Node | None, path: tuple = ()) -> dict[tuple, int]:
    """Map each key path, e.g. ('feeds', 0, 'url'), to its 1-based line in the file."""
    lines: dict[tuple, int] = {}
    if node is None:
        return lines
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = (*path, key_node.value)
            lines.update(_key_lines(value_node, child))
            lines[child] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines.update(_key_lines(item, (*path, index)))
    return lines


def _line_of(path: tuple, lines: dict[tuple, int]) -> int | None:
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path)


def _dotted(path: tuple) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text or "(top level)"


def _expand_environment(
    value: Any, environ: dict[str, str], lines: dict, name: str, expanded: dict[tuple, list], path: tuple = ()
) -> Any:
    """`value` with `${VAR}` references replaced; `expanded` collects (variable, value) pairs by key path."""
    if isinstance(value, dict):
        return {k: _expand_environment(v, environ, lines, name, expanded, (*path, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand_environment(v, environ, lines, name, expanded, (*path, i)) for i, v in enumerate(value)]
    if isinstance(value, str):

        def substitute(match: re.Match) -> str:
            variable = match.group(1)
            if variable not in environ:
                line = _line_of(path, lines)
                raise ConfigError(
                    f"{name} line {line}: {_dotted(path)}: environment variable {variable} is not set"
                )
            expanded.setdefault(path, []).append((variable, environ[variable]))
            return environ[variable]

        return _ENV_REFERENCE.sub(substitute, value)
    return value


def _describe(error: dict, lines: dict[tuple, int], name: str) -> str:
    location = tuple(part for part in error["loc"] if not str(part).startswith("function-"))
    line = _line_of(location, lines)
    where = f"{name} line {line}" if line else name
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key (check its spelling and indentation)"
    elif error["type"] == "missing":
        message = "required key is missing"
    secret = bool(location) and location[0] in _SECRET_KEYS
    shown = error.get("input")
    if not secret and isinstance(shown, (str, int, float)) and error["type"] != "missing":
        message += f" (got {shown!r})"
    return f"{where}: {_dotted(location)}: {message}"
