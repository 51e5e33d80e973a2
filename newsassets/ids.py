"""Stable identifiers: the same parts give the same id on every run and every machine."""

from __future__ import annotations

import hashlib


def stable_id(*parts: object) -> str:
    """16 hex characters of SHA-256 over the parts, joined by a separator no part contains."""
    return hashlib.sha256(utf8_bytes("\x1f".join(str(p) for p in parts))).hexdigest()[:16]


def utf8_bytes(text: str) -> bytes:
    """`text` as UTF-8. A file name that is not valid UTF-8 reaches Python with its bad bytes held as
    surrogate escapes (`os.fsdecode`): it gives back its real bytes, so two different names never share
    an id, and valid text gives exactly what `str.encode()` gives."""
    try:
        return text.encode()
    except UnicodeEncodeError:
        try:
            return text.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:  # a lone surrogate that no file name holds: still one distinct byte string
            return text.encode("utf-8", "surrogatepass")
