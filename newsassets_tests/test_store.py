from datetime import datetime

import duckdb
import pytest

from newsassets.store import TABLES, replace_table, table_exists

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
