"""A plain progress bar for long operations: events done, rate, time left."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """Redraws one line on ``stream``: ``[#####.....] 500/1000 events  812/s  0:00:01 left``."""

    def __init__(
        self, label: str, stream: TextIO = sys.stderr, width: int = 30, unit: str = "events"
    ) -> None:
        self.label = label
        self.unit = unit
        self.stream = stream
        self.width = width
        self.started = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = done / elapsed
        left = (total - done) / rate if rate > 0 else 0.0
        filled = int(self.width * done / total) if total else self.width
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(
            f"\r{self.label} [{bar}] {done}/{total} {self.unit}  {rate:,.0f}/s  {_clock(left)} left"
        )
        if done >= total:
            self.stream.write(f"\n{self.label}: {done} {self.unit} in {_clock(elapsed)}\n")
        self.stream.flush()


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
