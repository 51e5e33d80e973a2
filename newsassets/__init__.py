"""newsassets: raw scraped news pages → cleaned articles → teasers → near-duplicate clusters, in DuckDB.

Importing the package (or any core module: `newsassets.cleaning`, `newsassets.dedup`, …) loads neither Dagster
nor the definitions and reads no environment variable. `defs` is built on first access, which is what
`dagster … -m newsassets` does.
"""

from __future__ import annotations

__all__ = ["defs"]


def __getattr__(name: str):
    if name == "defs":
        from newsassets.definitions import defs

        return defs
    raise AttributeError(f"module 'newsassets' has no attribute {name!r}")


def __dir__() -> list[str]:  # Dagster finds `defs` among the module's members
    return sorted([*globals(), "defs"])
