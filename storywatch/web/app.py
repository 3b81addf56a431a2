"""The read-only web site: storylines, each storyline's timeline and Atom feed, feed health, the outbox.

Every request opens the analyst copy (never the pipeline's live file, so a page view can
never hold the pipeline's lock) read-only, and closes it before answering. Pages are
server-rendered HTML with Jinja's autoescaping on: every headline, title and error shown
comes from the web and is escaped; links are shown only for http(s) addresses.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
from jinja2 import Environment, PackageLoader
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from storywatch.config import Settings, StorylineSettings
from storywatch.errors import DatabaseError
from storywatch.warehouse.analyst import analyst_copy_path
from storywatch.warehouse.db import open_warehouse
from storywatch.web import atom, reading


def create_app(settings: Settings) -> Starlette:
    """The site over the analyst copy of `settings.database`."""
    site = _Site(settings, analyst_copy_path(settings.database))
    return Starlette(routes=[
        Route("/", site.index, name="index"),
        Route("/storylines/{storyline_id}", site.timeline, name="timeline"),
        Route("/storylines/{storyline_id}/atom.xml", site.atom_feed, name="atom"),
        Route("/feeds", site.feeds, name="feeds"),
        Route("/alerts", site.alerts, name="alerts"),
    ])


def _templates() -> Jinja2Templates:
    environment = Environment(loader=PackageLoader("storywatch.web", "templates"), autoescape=True)
    environment.filters["when"] = _when
    environment.filters["web_link"] = _web_link
    return Jinja2Templates(env=environment)


class _Site:
    """The pages. Endpoints are plain functions: Starlette runs them in its thread pool, so a
    DuckDB query never stalls the event loop."""

    def __init__(self, settings: Settings, copy: Path):
        self.settings = settings
        self.copy = copy
        self.templates = _templates()

    def index(self, request: Request) -> Response:
        return self._page(request, "index.html", lambda con: {
            "storylines": reading.storylines(con, self.settings.storylines)})

    def timeline(self, request: Request) -> Response:
        storyline = self._storyline(request)
        if storyline is None:
            return self._not_found(request)
        return self._page(request, "timeline.html", lambda con: {
            "storyline": storyline, "developments": reading.timeline(con, storyline.id)})

    def atom_feed(self, request: Request) -> Response:
        storyline = self._storyline(request)
        if storyline is None:
            return self._not_found(request)
        try:
            with self._copy() as con:
                developments = reading.timeline(con, storyline.id)
        except DatabaseError as error:
            return self._unavailable(request, error)
        document = atom.storyline_feed(
            storyline, developments,
            page_url=str(request.url_for("timeline", storyline_id=storyline.id)),
            self_url=str(request.url_for("atom", storyline_id=storyline.id)),
        )
        return Response(document, media_type=atom.MEDIA_TYPE)

    def feeds(self, request: Request) -> Response:
        return self._page(request, "feeds.html", lambda con: {"feeds": reading.feed_health(con)})

    def alerts(self, request: Request) -> Response:
        return self._page(request, "alerts.html", lambda con: {"alerts": reading.outbox(con)})

    def _storyline(self, request: Request) -> StorylineSettings | None:
        wanted = request.path_params["storyline_id"]
        return next((s for s in self.settings.storylines if s.id == wanted), None)

    def _copy(self):
        return open_warehouse(self.copy, read_only=True)

    def _page(self, request: Request, template: str, read: Callable[[duckdb.DuckDBPyConnection], dict]) -> Response:
        try:
            with self._copy() as con:
                context = read(con)
        except DatabaseError as error:
            return self._unavailable(request, error)
        return self.templates.TemplateResponse(request, template, {**context, "copy_updated": self._copy_time()})

    def _copy_time(self) -> datetime | None:
        try:
            return datetime.fromtimestamp(self.copy.stat().st_mtime, UTC)
        except OSError:
            return None

    def _unavailable(self, request: Request, error: DatabaseError) -> Response:
        return self.templates.TemplateResponse(request, "unavailable.html", {"reason": str(error)}, status_code=503)

    def _not_found(self, request: Request) -> Response:
        return self.templates.TemplateResponse(
            request, "unavailable.html", {"reason": f"no storyline {request.path_params['storyline_id']!r} "
                                                    "in the config"}, status_code=404)


def _when(moment: datetime | None) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if moment else "never"


def _web_link(url: str | None) -> str | None:
    """The URL if it is safe to link (http or https), else None: a feed can carry `javascript:` links."""
    return url if url and urlsplit(url).scheme.lower() in ("http", "https") else None
