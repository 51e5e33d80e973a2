"""Shards of the raw folder (`newsassets.shards`) and the store's conflict retries they rely on."""

import duckdb
import pytest

from newsassets import settings
from newsassets.shards import SHARDED_BY_DOC, SHARDED_BY_PATH, Shard, path_in_shard_sql, scoped_views_sql, shard_keys
from newsassets.store import retrying_conflicts

PATHS = [f"site-{i % 7}/page-{i}.html" for i in range(400)] + ["crawl.warc.gz", "dutch_articles/ö.txt"]


def test_every_file_is_in_exactly_one_shard_and_the_sql_agrees_with_python():
    shards = [Shard(index, 4) for index in range(4)]
    owners = [[s.index for s in shards if s.holds_file(path)] for path in PATHS]
    assert all(len(found) == 1 for found in owners)
    sizes = [sum(found == [index] for found in owners) for index in range(4)]
    assert min(sizes) > 60  # 402 files spread over four shards, none starved
    with duckdb.connect() as conn:
        for shard in shards:
            selected = conn.execute(
                f"SELECT p FROM unnest(?::VARCHAR[]) t(p) WHERE {path_in_shard_sql('p', shard)} ORDER BY p", [PATHS]
            ).fetchall()
            assert [p for (p,) in selected] == sorted(p for p in PATHS if shard.holds_file(p))


def test_rows_whose_page_is_gone_have_one_owner_too():
    doc_ids = [f"{i:016x}" for i in range(0, 2**40, 2**32 + 12345)]
    for doc_id in [*doc_ids, "not-hex-at-all"]:
        assert sum(Shard(index, 3).holds_orphan(doc_id) for index in range(3)) == 1


def test_shard_keys_and_their_limits():
    assert shard_keys(4) == ["0", "1", "2", "3"]
    assert Shard.from_key("3", 4) == Shard(3, 4)
    with pytest.raises(ValueError, match="0 to count - 1"):
        Shard.from_key("4", 4)


def test_a_shard_runs_checks_see_only_its_rows(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        conn.execute("CREATE TABLE raw_documents AS SELECT 'd' || i AS doc_id, p AS source_path "
                     "FROM (SELECT unnest(?::VARCHAR[]) AS p, generate_subscripts(?::VARCHAR[], 1) AS i)", [PATHS, PATHS])  # fmt: skip
        conn.execute("CREATE TABLE articles AS SELECT doc_id FROM raw_documents")
        shard = Shard(1, 4)
        for statement in scoped_views_sql(
            shard, "w.main", {"raw_documents", "articles"}
        ):  # qualified: temp is main too
            conn.execute(statement)
        expected = sum(shard.holds_file(p) for p in PATHS)
        assert conn.execute("SELECT count(*) FROM raw_documents").fetchone()[0] == expected
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == expected
        assert conn.execute("SELECT count(*) FROM w.main.articles").fetchone()[0] == len(PATHS)
    assert set(SHARDED_BY_PATH) | set(SHARDED_BY_DOC) >= {"raw_documents", "articles", "teasers"}


def test_a_write_conflict_is_retried_and_anything_else_is_not():
    attempts = []

    def conflicting_twice() -> None:
        attempts.append(1)
        if len(attempts) < 3:
            raise duckdb.TransactionException("Transaction conflict - another transaction has deleted from it")

    with duckdb.connect() as conn:
        retrying_conflicts(conn, conflicting_twice, "a test")
        assert len(attempts) == 3

        def broken() -> None:
            raise duckdb.TransactionException("Failed to commit: disk full")

        with pytest.raises(duckdb.TransactionException, match="disk full"):
            retrying_conflicts(conn, broken, "a test")


def test_shards_need_a_lake_on_postgres(monkeypatch):
    monkeypatch.setenv(settings.SHARDS_VAR, "4")
    monkeypatch.delenv(settings.STORE_VAR, raising=False)
    with pytest.raises(ValueError, match="needs NEWSASSETS_STORE=ducklake with a Postgres catalog"):
        settings.shards()
    monkeypatch.setenv(settings.STORE_VAR, "ducklake")
    monkeypatch.setenv(settings.LAKE_CATALOG_VAR, "sqlite:data/lake/catalog.sqlite")
    with pytest.raises(ValueError, match="Postgres catalog"):
        settings.shards()
    monkeypatch.setenv(settings.LAKE_CATALOG_VAR, "postgres:dbname=news host=db")
    assert settings.shards() == 4
    monkeypatch.setenv(settings.SHARDS_VAR, "0")
    with pytest.raises(ValueError, match="from 1 to 256"):
        settings.shards()
