"""Storyline tracking: which articles belong to which storyline, and which report a new development.

The public surface is re-exported here; the modules behind it follow the data's path:
`query` (the operator's query) → `matching` (does an article belong?) → `features` and
`developments` (which development is it, and is it new?) → `tracker` (the pipeline's entry
points) → `store` (the storyline tables' SQL, through the warehouse's connection).
"""

from storywatch.storylines.model import Assignment, Development, StoredArticle
from storywatch.storylines.query import Query, QuerySyntaxError, parse_query
from storywatch.storylines.tracker import TrackingResult, backfill, track

__all__ = [
    "Assignment",
    "Development",
    "Query",
    "QuerySyntaxError",
    "StoredArticle",
    "TrackingResult",
    "backfill",
    "parse_query",
    "track",
]
