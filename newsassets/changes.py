"""What changed since the last run, by comparing each key's fingerprint with the one stored then.

Keys are file paths (fingerprint: size and mtime, so an unchanged file is not even read) or document ids
(fingerprint: the content's SHA-256, so an unchanged page is not cleaned again).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class RefreshPlan:
    new: list[str]  # keys seen for the first time
    changed: list[str]  # keys whose fingerprint differs (or is unknown)
    unchanged: list[str]
    deleted: list[str]  # keys that are gone

    @property
    def todo(self) -> list[str]:
        """The keys to (re)process: new and changed."""
        return self.new + self.changed

    @property
    def stale(self) -> list[str]:
        """The keys whose stored rows must go: changed and deleted."""
        return self.changed + self.deleted


def plan_refresh(current: Mapping[str, str | None], previous: Mapping[str, str | None]) -> RefreshPlan:
    """Sorted lists of new, changed, unchanged and deleted keys. A fingerprint of None never matches."""
    new, changed, unchanged = [], [], []
    for key in sorted(current):
        if key not in previous:
            new.append(key)
        elif current[key] is None or current[key] != previous[key]:
            changed.append(key)
        else:
            unchanged.append(key)
    return RefreshPlan(new, changed, unchanged, sorted(previous.keys() - current.keys()))
