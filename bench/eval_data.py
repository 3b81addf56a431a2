"""Where the benchmarks find the large public evaluation sets: $STORYWATCH_EVAL_DATA, else ../shared/data.

They are third-party data too large (and not ours) to ship in the repository; tests never read them.
"""

from __future__ import annotations

import os
from pathlib import Path

# ../shared/data beside the checkout, the layout the figures in the README were measured in.
EVAL_DATA = Path(os.environ.get("STORYWATCH_EVAL_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data")


def require(root: Path, *sets: str, fix: str = "set STORYWATCH_EVAL_DATA to the folder holding them") -> Path:
    """`root`, once it holds every named set; else exit with one line saying what is missing."""
    if not root.is_dir():
        raise SystemExit(f"missing evaluation data: no folder {root} ({fix})")
    missing = [name for name in sets if not (root / name).exists()]
    if missing:
        raise SystemExit(f"missing evaluation data: {', '.join(missing)} in {root} ({fix})")
    return root
