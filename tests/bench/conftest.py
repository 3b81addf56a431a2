"""The benches are scripts run from bench/ (they import each other by module name): make them importable here."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
