"""The teasers stage: the rails of ok raw pages → `teasers`, and their checks."""

import time
from dataclasses import asdict
from datetime import datetime

import dagster as dg

from newsassets.html import extract_html_teasers
from newsassets.ids import stable_id
from newsassets.progress import Progress
from newsassets.reading import HTML
from newsassets.store import apply_changes, transaction
from newsassets.teasers import Teaser, extract_teasers

from .metadata import LOG_EVERY, POOL, STAGE, counts_markdown, markdown_preview, sql_check
from .raw_documents import raw_documents
from .refresh import TEASER_INPUTS, RefreshConfig, fetch_raw_documents, refresh_metadata, start_stage
from .resources import NewsStore


@dg.asset(
    deps=[raw_documents],
    **STAGE,
    description=(
        "One row per item of a page's `Meer uit …` teaser rail, in page order (`position` from 1): title where "
        "the layout has one, dateline, agencies, text, the age as printed and in minutes, and `published_at` = "
        "the page's `fetched_at` minus the age. Ages that cannot be read stay null, never guessed."
    ),
)
def teasers(context: dg.AssetExecutionContext, config: RefreshConfig, store: NewsStore) -> dg.MaterializeResult:
    started = time.monotonic()
    with store.connect() as conn:
        plan, rebuild, rejected = start_stage(conn, config, ["teasers", "teaser_pages"], TEASER_INPUTS)
        progress = Progress(len(plan.todo), context.log.info, "pages", LOG_EVERY)
        rows, pages = [], []
        columns = f"doc_id, source_format, content, fetched_at, {TEASER_INPUTS}"
        for doc_id, source_format, content, fetched_at, version in fetch_raw_documents(conn, plan.todo, columns):
            found = page_teasers(content, source_format, fetched_at)
            rows += [
                {
                    "teaser_id": stable_id("teaser", doc_id, t.position),
                    "doc_id": doc_id,
                    **asdict(t),
                    "source_version": version,
                }
                for t in found
            ]
            pages.append({"doc_id": doc_id, "source_version": version, "teasers": len(found)})
            progress.advance()
        with transaction(conn):  # the teasers and the record of which pages were read change together
            apply_changes(conn, "teasers", rows, remove=plan.stale, rebuild=rebuild)
            apply_changes(conn, "teaser_pages", pages, remove=plan.stale, rebuild=rebuild)
        summary = conn.execute(
            "SELECT count(*), count(DISTINCT doc_id), count(*) FILTER (WHERE age_minutes IS NULL) FROM teasers"
        ).fetchone()
        sections = dict(conn.execute("SELECT section, count(*) FROM teasers GROUP BY 1").fetchall())
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": summary[0],
            **refresh_metadata(plan, time.monotonic() - started, rejected),
            "pages_with_teasers": summary[1],
            "unparsed_ages": summary[2],
            "sections": counts_markdown(sections, "section"),
            "preview": markdown_preview(rows, ["doc_id", "position", "dateline", "agencies", "age_text", "text"]),
        }
    )


def page_teasers(content: str, source_format: str, fetched_at: datetime | None) -> list[Teaser]:
    if source_format == HTML:
        return extract_html_teasers(content, fetched_at)
    return extract_teasers(content, fetched_at)


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
            SELECT doc_id, 'positions ' || string_agg(position::VARCHAR, ',' ORDER BY position) AS problem
            FROM teasers GROUP BY doc_id
            HAVING min(position) <> 1 OR max(position) <> count(*) OR count(DISTINCT position) <> count(*)
            UNION ALL
            SELECT any_value(doc_id), 'teaser_id ' || teaser_id || ' used ' || count(*) || ' times'
            FROM teasers GROUP BY teaser_id HAVING count(*) > 1
            ORDER BY 1
            """,
        ["doc_id", "problem"],
    )


@dg.asset_check(
    pool=POOL,
    asset=teasers,
    description="Every teaser has a dateline, its agencies and an age read into minutes (warns: dedup still runs).",
)
def teasers_complete(store: NewsStore) -> dg.AssetCheckResult:
    return sql_check(
        store,
        """
            SELECT doc_id, position, age_text, concat_ws(', ',
                CASE WHEN dateline IS NULL THEN 'no dateline' END,
                CASE WHEN coalesce(len(agencies), 0) = 0 THEN 'no agencies' END,
                CASE WHEN age_minutes IS NULL THEN 'no parsed age' END) AS problem
            FROM teasers WHERE problem <> '' ORDER BY doc_id, position
            """,
        ["doc_id", "position", "age_text", "problem"],
        dg.AssetCheckSeverity.WARN,
    )


CHECKS = [teaser_positions_contiguous, teasers_complete]
