"""newsassets: raw scraped news pages → cleaned articles → teasers → near-duplicate clusters, in DuckDB."""

from newsassets.definitions import defs

__all__ = ["defs"]
