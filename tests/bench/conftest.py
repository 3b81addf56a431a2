"""The benches are scripts run from bench/ (they import each other by module name): make them importable here."""

from tests import bench_modules

bench_modules.on_path()
