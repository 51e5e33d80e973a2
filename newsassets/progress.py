"""Progress lines for long loops: every N items, with rate and estimated time left."""

from __future__ import annotations

import time
from collections.abc import Callable


class Progress:
    def __init__(self, total: int, log: Callable[[str], object], label: str = "documents", every: int = 1000) -> None:
        self.total, self.log, self.label, self.every = total, log, label, max(1, every)
        self.done = 0
        self.started = time.monotonic()

    def advance(self, count: int = 1) -> None:
        before = self.done
        self.done += count
        if self.done // self.every > before // self.every or (self.done >= self.total > before):
            self.log(self.line())

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate else float("inf")
        return f"{self.label}: {self.done}/{self.total} in {elapsed:.1f} s ({rate:.0f}/s, ETA {left:.0f} s)"
