"""The memory a stage holds at once across its process tree: its own RSS plus its worker processes', sampled."""

from __future__ import annotations

import os
import resource
import threading
from pathlib import Path

PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024 if hasattr(os, "sysconf") else 4


class TreePeak:
    """Samples the RSS of this process and all its descendants every `interval` seconds (Linux `/proc`) and
    keeps the largest sum: what the stage held at one moment, workers included. Where `/proc` is missing, the
    peak is the sum of this process's and its largest child's own peaks (an upper bound)."""

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._proc = Path("/proc/self/stat").exists()

    def __enter__(self) -> TreePeak:
        self._thread.start()
        return self

    def __exit__(self, *_) -> None:
        self._stop.set()
        self._thread.join()
        if not self._proc:
            own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            self.peak_kib = own + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        else:
            self.peak_kib = max(self.peak_kib, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)

    @property
    def peak_mib(self) -> float:
        return self.peak_kib / 1024

    def _sample(self) -> None:
        while self._proc and not self._stop.wait(self.interval):
            self.peak_kib = max(self.peak_kib, sum(_rss_kib(pid) for pid in _tree(os.getpid())))


def _tree(root: int) -> list[int]:
    """`root` and its descendants, by the parent pid each process's `stat` names."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue  # gone meanwhile
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _rss_kib(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_KIB
    except (OSError, IndexError, ValueError):
        return 0
