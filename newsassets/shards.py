"""Shards of the raw folder: disjoint parts that runs of the per-page stages can work on at once.

A file belongs to shard `md5(source_path) mod N`, so a WARC file's records stay together and a file keeps its
shard for life. The rows of the per-page tables belong to the shard of their raw document's file; a row whose
raw document is gone belongs to `doc_id mod N` (doc ids are hex), so every row has exactly one owner.

Plain Python, no Dagster import.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass


@dataclass(frozen=True)
class Shard:
    index: int  # 0 … count - 1
    count: int

    def __post_init__(self) -> None:
        if not (self.count >= 1 and 0 <= self.index < self.count):
            raise ValueError(f"a shard is 0 to count - 1 of count >= 1, got {self.index} of {self.count}")

    @classmethod
    def from_key(cls, key: str, count: int) -> Shard:
        """The shard of a partition key (`"0"` … `"N-1"`)."""
        return cls(int(key), count)

    def holds_file(self, source_path: str) -> bool:
        return shard_of_path(source_path, self.count) == self.index

    def holds_orphan(self, doc_id: str) -> bool:
        """Whether this shard owns the rows of a raw document that no longer exists."""
        return int(doc_id[:8], 16) % self.count == self.index if _is_hex(doc_id[:8]) else self.index == 0


def shard_of_path(source_path: str, count: int) -> int:
    return int(hashlib.md5(source_path.encode("utf-8")).hexdigest()[:8], 16) % count


def _is_hex(text: str) -> bool:
    return bool(text) and all(c in "0123456789abcdef" for c in text.lower())


def shard_keys(count: int) -> list[str]:
    """The partition keys of `count` shards."""
    return [str(index) for index in range(count)]


def path_in_shard_sql(column: str, shard: Shard) -> str:
    """SQL that is true where `column` (a source path) is in `shard`, as `Shard.holds_file` computes it."""
    return f"(('0x' || left(md5({column}), 8))::UBIGINT % {shard.count} = {shard.index})"


# The per-page tables as a shard sees them: its raw documents' rows. Keyed by source path or by doc id.
SHARDED_BY_PATH = ("raw_documents", "raw_listing")
SHARDED_BY_DOC = ("articles", "teasers", "teaser_pages", "cleaned_articles", "screened_teasers")


def scoped_views_sql(shard: Shard, schema: str, present: Collection[str]) -> list[str]:
    """`CREATE TEMP VIEW`s that shadow the per-page tables of `schema` (those `present`) with their rows of
    `shard` only: a check of a shard run judges its own rows, never another shard's half-done work. `schema` is
    qualified by its database (`lake.work`): the temporary catalog's schema is `main` too."""
    statements = [
        f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT * FROM {schema}.{table} "
        f"WHERE {path_in_shard_sql('source_path', shard)}"
        for table in SHARDED_BY_PATH
        if table in present
    ]
    statements += [
        f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT * FROM {schema}.{table} "
        f"WHERE doc_id IN (SELECT doc_id FROM raw_documents)"
        for table in SHARDED_BY_DOC
        if table in present and "raw_documents" in present
    ]
    return statements
