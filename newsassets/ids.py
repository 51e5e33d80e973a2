"""Stable identifiers: the same parts give the same id on every run and every machine."""

from __future__ import annotations

import hashlib


def stable_id(*parts: object) -> str:
    """16 hex characters of SHA-256 over the parts, joined by a separator no part contains."""
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:16]
