from datetime import datetime

import duckdb
import pytest

from newsassets.store import TABLES, replace_table, replace_table_columns, table_exists

ROW = {
    "cluster_id": "c1",
    "item_kind": "article",
    "item_id": "a1",
    "is_representative": True,
    "similarity": 1.0,
    "cluster_size": 1,
}


def test_replace_table_writes_rows_in_schema_order(tmp_path):
    with duckdb.connect(str(tmp_path / "t.duckdb")) as conn:
        assert not table_exists(conn, "dedup_clusters")
        assert (
            replace_table(
                conn, "dedup_clusters", [ROW, {**ROW, "item_id": "a2", "is_representative": False, "similarity": 0.5}]
            )
            == 2
        )
        assert conn.execute("SELECT item_id, similarity FROM dedup_clusters ORDER BY 1").fetchall() == [
            ("a1", 1.0),
            ("a2", 0.5),
        ]
        assert replace_table(conn, "dedup_clusters", [ROW]) == 1  # replaces, never appends
        assert conn.execute("SELECT count(*) FROM dedup_clusters").fetchone() == (1,)


def test_lists_and_timestamps_round_trip(tmp_path):
    row = dict.fromkeys(TABLES["teasers"])
    row.update(teaser_id="t", doc_id="d", position=1, agencies=["ANP", "AFP"], published_at=datetime(2026, 1, 24, 11))
    with duckdb.connect(str(tmp_path / "t.duckdb")) as conn:
        replace_table(conn, "teasers", [row])
        assert conn.execute("SELECT agencies, published_at FROM teasers").fetchone() == (
            ["ANP", "AFP"],
            datetime(2026, 1, 24, 11),
        )


def test_a_failed_write_leaves_the_previous_table_intact(tmp_path):
    path = str(tmp_path / "t.duckdb")
    with duckdb.connect(path) as conn:
        replace_table(conn, "dedup_clusters", [ROW])
        bad = [{**ROW, "item_id": f"x{i}"} for i in range(50)] + [{**ROW, "cluster_size": "not a number"}]
        with pytest.raises(duckdb.Error):
            replace_table(conn, "dedup_clusters", bad)
    with duckdb.connect(path, read_only=True) as conn:  # also after reopening the file
        assert conn.execute("SELECT item_id FROM dedup_clusters").fetchall() == [("a1",)]


def test_a_missing_column_fails_before_touching_the_table(tmp_path):
    with duckdb.connect(str(tmp_path / "t.duckdb")) as conn:
        replace_table(conn, "dedup_clusters", [ROW])
        with pytest.raises(KeyError):
            replace_table(conn, "dedup_clusters", [{"cluster_id": "c2"}])
        assert conn.execute("SELECT count(*) FROM dedup_clusters").fetchone() == (1,)


def test_plain_columns_round_trip_with_nulls_blobs_and_64_bit_keys(tmp_path):
    """The dedup tables go in as numpy arrays: NULLs in numeric columns, bytes and the full UBIGINT range
    survive, and the rows keep their order."""
    edges = {
        "item_kind": ["article", "teaser", "teaser"],
        "item_a": ["a1", "t1", "t2"],
        "item_b": ["a2", "t3", "t4"],
        "similarity": [0.5, 1.0, 0.75],
        "reason": ["rewrite", "exact text", "same link"],
        "content_similarity": [0.81, None, None],
    }
    items = {
        "item_kind": ["article", "article"],
        "item_id": ["a1", "a2"],
        "text_hash": [7, 2**64 - 2],
        "text_key": [2**64 - 1, None],
        "link_key": ["nu.nl/6123456", None],
        "dated": [datetime(2026, 1, 1, 8, 30), None],
        "captured_only": [True, None],
        "clustered_under": ["window_days=30", "window_days=30"],
        "written_in": [3, None],
    }
    signatures = {"item_kind": ["teaser"], "text_key": [0], "version": ["v"], "signature": [b"\x00\xff\x01"]}
    with duckdb.connect(str(tmp_path / "t.duckdb")) as conn:
        replace_table_columns(conn, "dedup_edges", edges)
        replace_table_columns(conn, "dedup_items", items)
        replace_table_columns(conn, "dedup_signatures", signatures)
        assert conn.execute("SELECT * FROM dedup_edges").fetchall() == list(zip(*edges.values(), strict=True))
        assert conn.execute("SELECT * FROM dedup_items").fetchall() == list(zip(*items.values(), strict=True))
        assert conn.execute("SELECT signature, text_key FROM dedup_signatures").fetchone() == (b"\x00\xff\x01", 0)


def test_the_pipelines_connections_keep_to_the_memory_limit(tmp_path, monkeypatch):
    """A stage writes a folder's pages in one transaction: DuckDB keeps them within its memory limit and spills
    the rest, where its default would let it take 80% of the machine's memory."""
    from newsassets import settings
    from newsassets.pipeline.resources import NewsStore

    store = NewsStore(database=str(tmp_path / "news.duckdb"))
    monkeypatch.delenv(settings.DUCKDB_MEMORY_LIMIT_VAR, raising=False)
    with store.connect() as conn:
        assert conn.execute("SELECT current_setting('memory_limit')").fetchone()[0] in ("1.8 GiB", "1.9 GiB")
    monkeypatch.setenv(settings.DUCKDB_MEMORY_LIMIT_VAR, "512MiB")
    with store.connect() as conn:
        assert conn.execute("SELECT current_setting('memory_limit')").fetchone()[0] == "512.0 MiB"
    monkeypatch.setenv(settings.DUCKDB_MEMORY_LIMIT_VAR, "lots")
    with pytest.raises(Exception, match=settings.DUCKDB_MEMORY_LIMIT_VAR), store.connect():
        pass
