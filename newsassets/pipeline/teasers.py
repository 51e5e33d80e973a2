"""The teasers stage: the rails of ok raw pages → `teasers`, and their checks."""

import time
from collections.abc import Iterator
from dataclasses import asdict

import dagster as dg
import duckdb

from newsassets import settings
from newsassets.ids import stable_id
from newsassets.page_tasks import TeaserTask, teasers_from_json, timed_page_teasers
from newsassets.progress import Progress
from newsassets.quality import TEASER_RULES, rule_names, teaser_flags
from newsassets.screening import RULES_VERSION
from newsassets.store import changing, commit_staged, next_write_stamp, transaction
from newsassets.workers import Crashed, Done, map_in_order

from .metadata import LOG_EVERY, PER_PAGE_STAGE, POOL, counts_markdown, sql_check, table_metadata, table_preview
from .quality import flag_rate_check
from .raw_documents import raw_documents
from .refresh import (
    TEASER_INPUTS,
    RefreshConfig,
    by_rowid,
    page_facts,
    refresh_metadata,
    start_stage,
)
from .resources import NewsStore, RawFolder


@dg.asset(
    deps=[raw_documents],
    **PER_PAGE_STAGE,
    metadata=table_metadata("teasers"),
    description=(
        "One row per teaser: every card of a front (homepage, section front) and every item of an article "
        "page's `Meer uit …` rail, in page order (`position` from 1): title, dateline, agencies, text, the "
        "card's absolute `url` where the page links it, the age as printed and in minutes, and `published_at` "
        "(from the card's `<time>`, else the page's `fetched_at` minus the age). Ages that cannot be read stay "
        "null, never guessed. `quality_flags` lists the content-quality rules the row breaks."
    ),
)
def teasers(
    context: dg.AssetExecutionContext, config: RefreshConfig, raw_folder: RawFolder, store: NewsStore
) -> dg.MaterializeResult:
    started = time.monotonic()
    workers = settings.workers()
    timeout_seconds = raw_folder.judgement().timeout_seconds
    with store.connect() as conn:
        shard = store.shard()
        plan, rebuild, rejected = start_stage(conn, config, ["teasers", "teaser_pages"], TEASER_INPUTS, shard=shard)
        progress = Progress(len(plan.todo), context.log.info, "pages", LOG_EVERY)
        context.log.info(f"reading the teasers of {len(plan.todo)} pages with {workers} worker process(es)")
        pages = page_facts(
            conn, plan.todo, f"r.doc_id, r.fetched_at, r.page_kind, {TEASER_INPUTS}", "screened_teasers", _CACHED
        )
        reused = sum(cached is not None for *_, cached in pages)
        context.log.info(
            f"{len(pages)} pages: {reused} read by the raw stage's workers already, the rest by {workers} "
            "worker process(es)"
        )
        stamp = next_write_stamp(conn)
        staged = shard is not None  # a shard writes the lake in one short step at the end (`commit_staged`)
        with transaction(conn):  # the teasers and the record of which pages were read change together
            written = changing(conn, "teasers", remove=plan.stale, rebuild=rebuild, staged=staged)
            read = changing(conn, "teaser_pages", remove=plan.stale, rebuild=rebuild, staged=staged)
            work = _reading_work(conn, pages, timeout_seconds)
            for (_, doc_id, fetched_at, kind, version, _), outcome in zip(
                pages, map_in_order(timed_page_teasers, work, workers, chunk_size=2), strict=True
            ):
                found, error = ([], f"teasers failed: {outcome.reason}") if isinstance(outcome, Crashed) else outcome
                for t in found:
                    written.add(
                        {
                            "teaser_id": stable_id("teaser", doc_id, t.position),
                            "doc_id": doc_id,
                            **asdict(t),
                            "page_kind": kind,
                            "quality_flags": rule_names(
                                teaser_flags(t.title, t.text, t.age_text, t.age_minutes, t.published_at, fetched_at)
                            ),
                            "source_version": version,
                            "written_in": stamp,
                        }
                    )
                read.add({"doc_id": doc_id, "source_version": version, "teasers": len(found), "error": error})
                progress.advance()
            written.close()
            read.close()
        if staged:
            stale = {"doc_id": plan.stale}
            commit_staged(conn, ["teasers", "teaser_pages"], {"teasers": stale, "teaser_pages": stale})
        summary = conn.execute(
            "SELECT count(*), count(DISTINCT doc_id), count(*) FILTER (WHERE age_minutes IS NULL), "
            "count(*) FILTER (WHERE len(quality_flags) > 0), count(url) FROM teasers"
        ).fetchone()
        preview = table_preview(
            conn, "teasers", ["doc_id", "position", "title", "dateline", "age_text", "text", "url"], "doc_id, position"
        )
        failed_pages = dict(
            conn.execute(
                "SELECT split_part(error, ':', 1), count(*) FROM teaser_pages WHERE error IS NOT NULL GROUP BY 1"
            ).fetchall()
        )
        sections = dict(
            conn.execute("SELECT coalesce(section, '(front card)'), count(*) FROM teasers GROUP BY 1").fetchall()
        )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": summary[0],
            **refresh_metadata(plan, time.monotonic() - started, rejected),
            "pages_with_teasers": summary[1],
            "without_age": summary[2],
            "with_url": summary[4],
            "flagged_rows": summary[3],
            "pages_timed_out": failed_pages.get("timeout", 0),
            "pages_failed": sum(failed_pages.values()),
            "read_by_raw_stage": reused,
            "workers": workers,
            "sections": counts_markdown(sections, "section"),
            "preview": preview,
        }
    )


# the raw stage's reading of a page, where it read what the page is now
_CACHED = (
    "c.content_sha256 IS NOT DISTINCT FROM r.content_sha256 AND c.fetched_at IS NOT DISTINCT FROM r.fetched_at "
    "AND c.url IS NOT DISTINCT FROM r.url AND c.page_kind IS NOT DISTINCT FROM r.page_kind "
    f"AND c.rules = '{RULES_VERSION}'"
)


def _reading_work(
    conn: duckdb.DuckDBPyConnection, pages: list[tuple], timeout_seconds: float
) -> Iterator[TeaserTask | Done]:
    """For each page: what the raw stage's workers read (`Done`), else the page to read. Both are read from the
    store a batch at a time, the content only of the pages that need it."""
    contents = by_rowid(
        conn,
        "raw_documents",
        [None if cached is not None else raw for raw, *_, cached in pages],
        "content, source_format, fetched_at, page_kind, url",
    )
    known = by_rowid(conn, "screened_teasers", [cached for *_, cached in pages], "teasers, error")
    for page, reading in zip(contents, known, strict=True):
        if reading is not None:
            found, error = reading
            yield Done((teasers_from_json(found), error))
        else:
            yield TeaserTask(*page[:4], page[4], timeout_seconds)


@dg.asset_check(
    pool=POOL,
    asset=teasers,
    blocking=True,
    description="Positions run 1, 2, … without gaps or repeats on every page, and teaser_ids are unique.",
)
def teaser_positions_contiguous(store: NewsStore) -> dg.AssetCheckResult:
    return sql_check(
        store,
        """
            WITH problems AS (
                SELECT doc_id, 'positions ' || string_agg(position::VARCHAR, ',' ORDER BY position) AS problem
                FROM teasers GROUP BY doc_id
                HAVING min(position) <> 1 OR max(position) <> count(*) OR count(DISTINCT position) <> count(*)
                UNION ALL
                SELECT any_value(doc_id), 'teaser_id ' || teaser_id || ' used ' || count(*) || ' times'
                FROM teasers GROUP BY teaser_id HAVING count(*) > 1)
            SELECT p.doc_id, r.source_path, r.url, p.problem
            FROM problems p LEFT JOIN raw_documents r USING (doc_id) ORDER BY r.source_path, p.doc_id
            """,
        ["doc_id", "source_path", "url", "problem"],
    )


teaser_quality = flag_rate_check(
    teasers,
    "teaser_quality",
    "teasers",
    "an age printed but unreadable, a card with neither title nor text, an implausible date",
    TEASER_RULES,
    "t.doc_id, t.title, t.text, t.age_text, t.age_minutes, t.published_at, r.fetched_at",
    lambda row: teaser_flags(
        row["title"], row["text"], row["age_text"], row["age_minutes"], row["published_at"], row["fetched_at"]
    ),
)


CHECKS = [teaser_positions_contiguous, teaser_quality]
