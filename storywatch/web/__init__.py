"""The read-only web site over the analyst copy: storylines, timelines, Atom feeds, feed health, alerts."""

from storywatch.web.app import create_app

__all__ = ["create_app"]
