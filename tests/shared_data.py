"""Where the public evaluation data and seed articles live: ../shared beside the checkout."""

from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEEDS = SHARED / "seeds"
DATA = SHARED / "data"
