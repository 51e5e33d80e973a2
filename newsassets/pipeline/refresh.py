"""Incremental refresh, shared by the stages: run config and the counts every stage reports."""

from collections.abc import Iterator, Sequence

import dagster as dg
import duckdb

from newsassets.changes import RefreshPlan, plan_refresh
from newsassets.screening import RULES_VERSION
from newsassets.shards import Shard, path_in_shard_sql
from newsassets.store import ensure_tables, needs_rebuild


class RefreshConfig(dg.Config):
    full_refresh: bool = False
    """Reprocess everything, as if the tables were empty (after changing cleaning rules, say)."""


def refresh_metadata(plan: RefreshPlan, seconds: float, rejected: int) -> dict[str, object]:
    """The counts the UI plots for every stage: what was new, changed, unchanged, deleted, rejected, and the time."""
    return {
        "new": len(plan.new),
        "changed": len(plan.changed),
        "unchanged": len(plan.unchanged),
        "deleted": len(plan.deleted),
        "rejected": rejected,
        "seconds": round(seconds, 3),
    }


def rejected_raw_documents(conn: duckdb.DuckDBPyConnection) -> int:
    """Raw documents a downstream stage skips because the raw stage rejected them."""
    return conn.execute("SELECT count(*) FROM raw_documents WHERE status <> 'ok'").fetchone()[0]


# What of a raw document each stage reads, hashed: a stage redoes a document when this changes.
# (fetched_at: an article's date is judged against its capture time.)
# (RULES_VERSION: new cleaning or page-kind rules redo every page.)
ARTICLE_INPUTS = f"md5(concat_ws('|', content_sha256, url, site, fetched_at, '{RULES_VERSION}'))"
TEASER_INPUTS = f"md5(concat_ws('|', content_sha256, fetched_at, url, page_kind, '{RULES_VERSION}'))"  # ages: capture
# Which raw documents each stage reads: articles come from article pages; teasers from every ok page.
ARTICLE_PAGES = "status = 'ok' AND page_kind = 'article'"
OK_PAGES = "status = 'ok'"


def start_stage(
    conn: duckdb.DuckDBPyConnection,
    config: RefreshConfig,
    tables: Sequence[str],
    inputs: str,
    pages: str = OK_PAGES,
    shard: Shard | None = None,
) -> tuple[RefreshPlan, bool, int]:
    """For a stage fed by the raw documents matching `pages`: its plan, whether its tables are rebuilt, and how
    many raw documents it skips as rejected. The last of `tables` is the stage's ledger of processed documents.

    In a shard run (`shard`), only the shard's documents, and tables are never rebuilt: created where missing, and
    a full refresh plans every stored row of the shard as stale instead (see `sharded_tables`)."""
    if shard is not None:
        sharded_tables(conn, tables)
        plan = plan_from_raw_documents(conn, tables[-1], inputs, False, pages, shard, forget=config.full_refresh)
        return plan, False, rejected_raw_documents(conn)
    rebuild = config.full_refresh or any(needs_rebuild(conn, table) for table in tables)
    return plan_from_raw_documents(conn, tables[-1], inputs, rebuild, pages), rebuild, rejected_raw_documents(conn)


def sharded_tables(conn: duckdb.DuckDBPyConnection, tables: Sequence[str]) -> None:
    """A shard run's tables: created where missing (shards may find one missing at once); never replaced, since
    that would drop the other shards' rows, so tables an older version wrote need one run without shards."""
    ensure_tables(conn, tables)
    if older := [table for table in tables if needs_rebuild(conn, table)]:
        raise dg.Failure(
            f"{', '.join(older)}: written by an older version of newsassets; run the job once without shards "
            "(NEWSASSETS_SHARDS=1) to rebuild them, then shard again"
        )


def plan_from_raw_documents(
    conn: duckdb.DuckDBPyConnection,
    ledger: str,
    inputs: str,
    rebuild: bool,
    pages: str = OK_PAGES,
    shard: Shard | None = None,
    forget: bool = False,
) -> RefreshPlan:
    """Which raw documents matching `pages` a stage must (re)process: those whose `inputs` differ from the
    version recorded in its `ledger` table (doc_id, source_version), and which recorded ones are gone. With a
    `shard`, only the documents of its files and the recorded ones it owns; `forget` plans them all anew."""
    in_shard = f" AND {path_in_shard_sql('source_path', shard)}" if shard else ""
    current = dict(conn.execute(f"SELECT doc_id, {inputs} FROM raw_documents WHERE {pages}{in_shard}").fetchall())
    if shard is None:
        previous = (
            {} if rebuild else dict(conn.execute(f"SELECT DISTINCT doc_id, source_version FROM {ledger}").fetchall())
        )
        return plan_refresh(current, previous)
    # the recorded documents of the shard's files, and those whose page is gone that the shard owns
    recorded = conn.execute(
        f"SELECT DISTINCT l.doc_id, l.source_version, r.doc_id IS NULL FROM {ledger} l "
        f"LEFT JOIN raw_documents r USING (doc_id) WHERE r.doc_id IS NULL OR {path_in_shard_sql('r.source_path', shard)}"
    ).fetchall()
    previous = {
        doc_id: None if forget else version
        for doc_id, version, gone in recorded
        if not gone or shard.holds_orphan(doc_id)
    }
    return plan_refresh(current, previous)


def page_facts(
    conn: duckdb.DuckDBPyConnection, doc_ids: Sequence[str], columns: str, cache: str, cached_when: str
) -> list[tuple]:
    """`(rowid, *columns, rowid in cache or None)` of the given raw documents (`r`) in storage order: the small
    columns a stage keeps for every page while it works, and where the raw stage's workers left what they read
    from the page (`cache` row `c` of the page, where `cached_when` holds; the content and what the workers read
    are fetched a batch at a time with `by_rowid`)."""
    cached = (
        "NULL"  # a store an older version wrote
        if needs_rebuild(conn, cache)
        else f"(SELECT max(c.rowid) FROM {cache} c WHERE c.doc_id = r.doc_id AND {cached_when})"
    )
    return conn.execute(
        f"SELECT r.rowid, {columns}, {cached} FROM raw_documents r "
        "WHERE r.doc_id IN (SELECT unnest($1::VARCHAR[])) ORDER BY r.rowid",
        [list(doc_ids)],
    ).fetchall()


def by_rowid(
    conn: duckdb.DuckDBPyConnection, table: str, rowids: Sequence[int | None], columns: str, batch: int = 500
) -> Iterator[tuple | None]:
    """`columns` of the rows of `table` with these rowids, in the order given (None for None), read a batch at a
    time. A rowid filter reads only the rows asked for: a batch costs the same in a table of ten thousand pages
    and of ten million (a filter on doc_id would read every page's content for each batch)."""
    for start in range(0, len(rowids), batch):
        wanted = rowids[start : start + batch]
        asked = [r for r in wanted if r is not None]
        found = (
            {
                row[0]: row[1:]
                for row in conn.execute(
                    f"SELECT rowid, {columns} FROM {table} WHERE rowid IN (SELECT unnest($1::BIGINT[]))", [asked]
                ).fetchall()
            }
            if asked  # (asking for no rowid would scan the whole table)
            else {}
        )
        yield from (None if r is None else found[r] for r in wanted)
