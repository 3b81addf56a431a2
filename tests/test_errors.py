"""The exception hierarchy drawn in `storywatch.errors` is the one the classes have, and each says what it means."""

from __future__ import annotations

import inspect
import re

from storywatch import errors

CLASSES = {name: cls for name, cls in vars(errors).items() if inspect.isclass(cls) and cls.__module__ == errors.__name__}


def drawn_tree() -> dict[str, str | None]:
    """class name → its parent as the module docstring draws it (indentation is depth)."""
    parents: dict[str, str | None] = {}
    stack: list[tuple[int, str]] = []
    for indent, name in re.findall(r"^( *)[*+\-·] (\w+)", errors.__doc__, flags=re.M):
        while stack and stack[-1][0] >= len(indent):
            stack.pop()
        parents[name] = stack[-1][1] if stack else None
        stack.append((len(indent), name))
    return parents


def test_the_drawn_hierarchy_is_the_real_one():
    real = {name: next((base.__name__ for base in cls.__bases__ if base.__name__ in CLASSES), None)
            for name, cls in CLASSES.items()}
    assert drawn_tree() == real


def test_every_error_says_what_it_means():
    assert [name for name, cls in CLASSES.items() if not cls.__doc__] == []


def test_fetch_and_extraction_failures_share_the_page_error_base():
    assert issubclass(errors.ExtractionError, errors.PageError)
    assert not issubclass(errors.ExtractionError, errors.FetchError)
    assert issubclass(errors.HTTPStatusError, errors.PageError)
    assert issubclass(errors.QuerySyntaxError, ValueError)  # pydantic reports it against the config key
