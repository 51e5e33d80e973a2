"""The DuckDB tables: their schema and one-transaction replacement, so a failed write changes nothing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import duckdb

TABLES: dict[str, dict[str, str]] = {
    "raw_documents": {
        "doc_id": "VARCHAR NOT NULL",
        "source_path": "VARCHAR NOT NULL",
        "source_record": "VARCHAR",  # the record inside a multi-document file (WARC), else NULL
        "source_format": "VARCHAR NOT NULL",
        "content_sha256": "VARCHAR",
        "size_bytes": "BIGINT",
        "fetched_at": "TIMESTAMP",
        "status": "VARCHAR NOT NULL",
        "error": "VARCHAR",
        "content": "VARCHAR",
        "url": "VARCHAR",
        "site": "VARCHAR",
    },
    "articles": {
        "article_id": "VARCHAR NOT NULL",
        "doc_id": "VARCHAR NOT NULL",
        "title": "VARCHAR",
        "dateline": "VARCHAR",
        "agencies": "VARCHAR[]",
        "published_at": "TIMESTAMP",
        "language": "VARCHAR",
        "lede": "VARCHAR",
        "body": "VARCHAR",
        "word_count": "INTEGER",
        "url": "VARCHAR",
        "site": "VARCHAR",
    },
    "teasers": {
        "teaser_id": "VARCHAR NOT NULL",
        "doc_id": "VARCHAR NOT NULL",
        "section": "VARCHAR",
        "position": "INTEGER NOT NULL",
        "title": "VARCHAR",
        "dateline": "VARCHAR",
        "agencies": "VARCHAR[]",
        "text": "VARCHAR",
        "age_text": "VARCHAR",
        "age_minutes": "INTEGER",
        "published_at": "TIMESTAMP",
    },
    "dedup_clusters": {
        "cluster_id": "VARCHAR NOT NULL",
        "item_kind": "VARCHAR NOT NULL",
        "item_id": "VARCHAR NOT NULL",
        "is_representative": "BOOLEAN NOT NULL",
        "similarity": "DOUBLE NOT NULL",
        "cluster_size": "INTEGER NOT NULL",
    },
}


def columns(table: str) -> list[str]:
    return list(TABLES[table])


def replace_table(conn: duckdb.DuckDBPyConnection, table: str, rows: Iterable[Mapping[str, object]]) -> int:
    """Replace `table` with `rows` (mappings from column name to value) in one transaction.

    Readers see the old table until the commit; if anything fails midway, the rollback leaves the
    old table exactly as it was.
    """
    schema = TABLES[table]
    rows = [tuple(row[column] for column in schema) for row in rows]
    conn.execute("BEGIN TRANSACTION")
    try:
        conn.execute(f"CREATE OR REPLACE TABLE {table} ({', '.join(f'{c} {t}' for c, t in schema.items())})")
        if rows:
            conn.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(schema))})", rows)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return len(rows)


def table_exists(conn: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(conn.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [table]).fetchone()[0])
