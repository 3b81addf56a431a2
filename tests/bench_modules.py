"""The bench's scripts as modules, for the tests that check and drive them (bench/ is no package)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[1] / "bench"


def on_path() -> None:
    """Put bench/ on the import path, as running a script from it does (they import each other by name)."""
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))


def load(name: str) -> ModuleType:
    """bench/<name>.py as the module `name`."""
    on_path()
    return importlib.import_module(name)
