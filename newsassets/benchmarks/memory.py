"""The memory a stage holds at once across its process tree: its own RSS plus its worker processes', sampled."""

from __future__ import annotations

import os
import resource
import threading
from pathlib import Path

PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024 if hasattr(os, "sysconf") else 4


class TreePeak:
    """Samples the RSS of this process and all its descendants every `interval` seconds (Linux `/proc`) and
    keeps the largest sum: what the stage held at one moment, workers included; and each process's own peak
    (`VmHWM`, which starts afresh at exec, where `getrusage`'s maximum keeps the forking parent's). Where
    `/proc` is missing, the peak is the sum of this process's and its largest child's `getrusage` peaks."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak_kib = 0
        self.own_kib = 0  # this process's peak
        self.workers_kib = 0  # the largest peak of a descendant
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
            self.own_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            self.workers_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            self.peak_kib = self.own_kib + self.workers_kib
        else:
            self.own_kib = _status_kib(os.getpid(), "VmHWM")
            self.peak_kib = max(self.peak_kib, self.own_kib)

    @property
    def peak_mib(self) -> float:
        return self.peak_kib / 1024

    def _sample(self) -> None:
        while self._proc and not self._stop.wait(self.interval):
            me, *descendants = _tree(os.getpid())
            self.peak_kib = max(self.peak_kib, _rss_kib(me) + sum(_rss_kib(pid) for pid in descendants))
            for pid in descendants:
                self.workers_kib = max(self.workers_kib, _status_kib(pid, "VmHWM"))


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


def _status_kib(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, IndexError, ValueError):
        pass
    return 0


def _rss_kib(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_KIB
    except (OSError, IndexError, ValueError):
        return 0
