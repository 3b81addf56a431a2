"""Where a pass spends its time: wall and CPU seconds per stage.

Stages add to a `StageTimes`; extraction workers return theirs with each page and the
crawler folds them into its own, so a pass summary shows the main process and the workers
side by side (and `make bench` prints it).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class StageTimes:
    wall: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def measure(self, stage: str, cpu_clock: Callable[[], float] = time.thread_time) -> Iterator[None]:
        """Time the block. CPU is this thread's by default; pass `time.process_time` for a
        stage whose work spreads over the process's threads (httpx, the pool's queue feeders)."""
        wall, cpu = time.perf_counter(), cpu_clock()
        try:
            yield
        finally:
            self.add(stage, time.perf_counter() - wall, cpu_clock() - cpu)

    def add(self, stage: str, wall: float, cpu: float) -> None:
        self.wall[stage] = self.wall.get(stage, 0.0) + wall
        self.cpu[stage] = self.cpu.get(stage, 0.0) + cpu

    def merge(self, other: StageTimes) -> None:
        for stage, wall in other.wall.items():
            self.add(stage, wall, other.cpu.get(stage, 0.0))
