"""The teasers stage: the rails of ok raw pages → `teasers`, and their checks."""

from collections import Counter
from dataclasses import asdict

import dagster as dg

from newsassets.ids import stable_id
from newsassets.progress import Progress
from newsassets.reading import TEXT
from newsassets.store import replace_table
from newsassets.teasers import extract_teasers

from .metadata import GROUP, KINDS, LOG_EVERY, check_result, counts_markdown, markdown_preview, rows_as_dicts
from .raw_documents import raw_documents
from .resources import NewsStore


@dg.asset(
    deps=[raw_documents],
    group_name=GROUP,
    kinds=KINDS,
    description=(
        "One row per item of a page's `Meer uit …` teaser rail, in page order (`position` from 1): title where "
        "the layout has one, dateline, agencies, text, the age as printed and in minutes, and `published_at` = "
        "the page's `fetched_at` minus the age. Ages that cannot be read stay null, never guessed."
    ),
)
def teasers(context: dg.AssetExecutionContext, store: NewsStore) -> dg.MaterializeResult:
    with store.connect(read_only=True) as conn:
        documents = conn.execute(
            "SELECT doc_id, content, fetched_at FROM raw_documents WHERE status = 'ok' AND source_format = ? "
            "ORDER BY doc_id",
            [TEXT],
        ).fetchall()
    progress = Progress(len(documents), context.log.info, "pages", LOG_EVERY)
    rows = []
    for doc_id, content, fetched_at in documents:
        for teaser in extract_teasers(content, fetched_at):
            rows.append({"teaser_id": stable_id("teaser", doc_id, teaser.position), "doc_id": doc_id, **asdict(teaser)})
        progress.advance()
    with store.connect() as conn:
        replace_table(conn, "teasers", rows)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": len(rows),
            "pages_with_teasers": len({row["doc_id"] for row in rows}),
            "unparsed_ages": sum(row["age_minutes"] is None for row in rows),
            "sections": counts_markdown(Counter(row["section"] for row in rows), "section"),
            "preview": markdown_preview(rows, ["doc_id", "position", "dateline", "agencies", "age_text", "text"]),
        }
    )


@dg.asset_check(
    asset=teasers,
    blocking=True,
    description="Positions run 1, 2, … without gaps or repeats on every page, and teaser_ids are unique.",
)
def teaser_positions_contiguous(store: NewsStore) -> dg.AssetCheckResult:
    with store.connect(read_only=True) as conn:
        problems = rows_as_dicts(
            conn,
            """
            SELECT doc_id, 'positions ' || string_agg(position::VARCHAR, ',' ORDER BY position) AS problem
            FROM teasers GROUP BY doc_id
            HAVING min(position) <> 1 OR max(position) <> count(*) OR count(DISTINCT position) <> count(*)
            UNION ALL
            SELECT any_value(doc_id), 'teaser_id ' || teaser_id || ' used ' || count(*) || ' times'
            FROM teasers GROUP BY teaser_id HAVING count(*) > 1
            ORDER BY 1
            """,
        )
    return check_result(problems, ["doc_id", "problem"])


@dg.asset_check(
    asset=teasers,
    description="Every teaser has a dateline, its agencies and an age read into minutes (warns: dedup still runs).",
)
def teasers_complete(store: NewsStore) -> dg.AssetCheckResult:
    with store.connect(read_only=True) as conn:
        problems = rows_as_dicts(
            conn,
            """
            SELECT doc_id, position, age_text, concat_ws(', ',
                CASE WHEN dateline IS NULL THEN 'no dateline' END,
                CASE WHEN coalesce(len(agencies), 0) = 0 THEN 'no agencies' END,
                CASE WHEN age_minutes IS NULL THEN 'no parsed age' END) AS problem
            FROM teasers WHERE problem <> '' ORDER BY doc_id, position
            """,
        )
    return check_result(problems, ["doc_id", "position", "age_text", "problem"], dg.AssetCheckSeverity.WARN)


CHECKS = [teaser_positions_contiguous, teasers_complete]
