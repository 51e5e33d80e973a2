"""The raw stage: every file under the raw folder → `raw_documents`, and its checks."""

import time
from dataclasses import asdict, replace

import dagster as dg

from newsassets import settings
from newsassets.changes import plan_refresh
from newsassets.cleaning import Article
from newsassets.page_tasks import FileTask, Verdict, crashed_file, screen_file, teasers_as_json
from newsassets.progress import Progress
from newsassets.reading import RawDocument, file_signature, find_raw_files, source_path_for
from newsassets.schema import CLEANED_FIELDS
from newsassets.screening import RULES_VERSION, Judgement, needs_rejudging
from newsassets.shards import path_in_shard_sql
from newsassets.store import changing, commit_staged, needs_rebuild, replace_table, transaction
from newsassets.teasers import Teaser
from newsassets.workers import Crashed, map_in_order

from .metadata import (
    LOG_EVERY,
    PER_PAGE_STAGE,
    POOL,
    counts_markdown,
    rows_as_dicts,
    sql_check,
    table_metadata,
    table_preview,
)
from .refresh import RefreshConfig, refresh_metadata, sharded_tables
from .resources import NewsStore, RawFolder


@dg.asset(
    **PER_PAGE_STAGE,
    metadata=table_metadata("raw_documents"),
    description=(
        "One row per page found under the raw folder (per HTML response record for a WARC file): its stable "
        "`doc_id`, format, SHA-256, size, capture time, url, site, decoded content and `page_kind` ('article', "
        "or 'front' for a homepage or section front of teaser cards), or status 'rejected' with a readable "
        "`error`. Every file has at least one row: nothing is dropped silently."
    ),
)
def raw_documents(
    context: dg.AssetExecutionContext, config: RefreshConfig, raw_folder: RawFolder, store: NewsStore
) -> dg.MaterializeResult:
    started = time.monotonic()
    root = raw_folder.root()
    if not root.is_dir():
        raise dg.Failure(f"The raw folder {root} does not exist: create it or set NEWSASSETS_RAW_DIR")
    judgement = raw_folder.judgement()
    # the folder as this run sees it: the check judges the table against this listing, not against files that
    # arrive while the run goes on (the next run picks those up)
    paths = {source_path_for(path, root): path for path in find_raw_files(root)}
    shard = store.shard()
    with store.connect() as conn:
        if shard is None:
            rebuild = config.full_refresh or needs_rebuild(conn, "raw_documents")
            known = [] if rebuild else rows_as_dicts(conn, KNOWN_ROWS.format(sizes=_sizes_if(conn, judgement)))
        else:  # this shard's files and rows only; a full refresh reads every one of them again
            context.log.info(f"shard {shard.index} of {shard.count} (0-based)")
            paths = {p: path for p, path in paths.items() if shard.holds_file(p)}
            sharded_tables(conn, RAW_TABLES)
            rebuild = False
            query = KNOWN_ROWS.format(sizes=_sizes_if(conn, judgement))
            known = rows_as_dicts(conn, f"{query} WHERE {path_in_shard_sql('source_path', shard)}")
    signatures = {p: file_signature(path) for p, path in paths.items()}
    everything = shard is not None and config.full_refresh
    rejudged = {
        row["source_path"]
        for row in known
        if row["source_path"] in signatures
        and (
            everything
            or needs_rejudging(
                row["status"],
                row["error"],
                row["largest_bytes"],
                row["judge_seconds"],
                Judgement.parse(row["judged_under"]),
                judgement,
            )
        )
    }
    # a file to re-judge counts as changed: read again, its old rows replaced
    previous_files = {
        row["source_path"]: None if row["source_path"] in rejudged else row["file_signature"] for row in known
    }
    previous_pages: dict[str, set] = {}
    kept: dict[str, dict[str, Verdict]] = {}
    for row in known:
        previous_pages.setdefault(row["source_path"], set()).add((row["doc_id"], row["content_sha256"]))
        if row["source_path"] not in rejudged:
            kept.setdefault(row["source_path"], {})[row["doc_id"]] = Verdict(
                row["content_sha256"], row["status"], row["error"], row["page_kind"], row["judge_seconds"]
            )
    plan = plan_refresh(signatures, previous_files)
    allowed = tuple(str(p) for p in raw_folder.allowed_root_paths())
    tasks = [
        FileTask(
            str(paths[p]), str(root), judgement.max_file_bytes, judgement.timeout_seconds, allowed, kept.get(p, {})
        )
        for p in plan.todo
    ]
    workers = settings.workers()
    context.log.info(f"reading and screening {len(tasks)} files with {workers} worker process(es)")

    progress = Progress(len(plan.todo), context.log.info, "raw files", LOG_EVERY)
    same_content = set()
    staged = shard is not None  # a shard writes the lake in one short step at the end (`commit_staged`)
    with store.connect() as conn:
        with transaction(conn):  # the rows and the listing they account for change together
            documents = changing(
                conn, "raw_documents", remove=plan.stale, key="source_path", rebuild=rebuild, staged=staged
            )
            cleaned = changing(conn, "cleaned_articles", rebuild=rebuild, replacing="doc_id", staged=staged)
            read = changing(conn, "screened_teasers", rebuild=rebuild, replacing="doc_id", staged=staged)
            screening = map_in_order(screen_file, tasks, workers, chunk_size=2)
            for source_path, task, screened in zip(plan.todo, tasks, screening, strict=True):
                if isinstance(screened, Crashed):
                    screened = crashed_file(task, screened.reason)
                for page in screened:
                    documents.add(
                        {
                            **asdict(page.document),
                            "judged_under": judgement.label(),
                            "judge_seconds": page.judge_seconds,
                        }
                    )
                    if page.article is not None:
                        cleaned.add(cleaned_row(page.document, page.article))
                    if page.teasers is not None:
                        read.add(teasers_row(page.document, *page.teasers))
                pages_now = {(p.document.doc_id, p.document.content_sha256) for p in screened}
                if previous_pages.get(source_path) == pages_now:
                    same_content.add(source_path)  # touched or re-judged, with the same pages
                progress.advance()
            documents.close()
            cleaned.close()
            read.close()
            if shard is None:
                # what the workers read from a page outlives neither the page nor its verdict
                conn.execute(
                    "DELETE FROM cleaned_articles WHERE doc_id NOT IN "
                    "(SELECT doc_id FROM raw_documents WHERE status = 'ok' AND page_kind = 'article')"
                )
                conn.execute(
                    "DELETE FROM screened_teasers WHERE doc_id NOT IN "
                    "(SELECT doc_id FROM raw_documents WHERE status = 'ok')"
                )
                replace_table(conn, "raw_listing", [{"source_path": path} for path in paths])
            else:  # the listing gains the shard's new files (its removed ones go with their rows, below)
                listing = changing(conn, "raw_listing", staged=True)
                for path in plan.new:
                    listing.add({"source_path": path})
                listing.close()
        if staged:
            commit_staged(conn, RAW_TABLES, _shard_deletions(plan, known))
        totals = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE status = 'ok'), sum(size_bytes), "
            "count(*) FILTER (WHERE page_kind = 'front') FROM raw_documents"
        ).fetchone()
        preview = table_preview(
            conn,
            "raw_documents",
            ["doc_id", "source_path", "source_format", "page_kind", "status", "error"],
            "source_path",
        )
        reasons = dict(
            conn.execute(
                "SELECT split_part(error, ':', 1), count(*) FROM raw_documents WHERE status <> 'ok' GROUP BY 1"
            ).fetchall()
        )
    plan = replace(
        plan,
        changed=[p for p in plan.changed if p not in same_content],
        unchanged=sorted([*plan.unchanged, *same_content]),
    )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": totals[0],
            "ok": totals[1],
            "fronts": totals[3],
            **refresh_metadata(plan, time.monotonic() - started, rejected=totals[0] - totals[1]),
            "rejudged": len(rejudged),
            "workers": workers,
            "bytes": int(totals[2] or 0),
            "rejected_by_reason": counts_markdown(reasons, "reason"),
            "raw_folder": dg.MetadataValue.path(str(root)),
            "preview": preview,
        }
    )


# The tables the raw stage writes; a shard run creates those that are missing
RAW_TABLES = ["raw_documents", "cleaned_articles", "screened_teasers", "raw_listing"]


def _shard_deletions(plan, known: list[dict]) -> dict[str, dict[str, list]]:
    """What a shard run deletes as it writes: the rows of its changed and removed files, with all that later stages
    made of them (so no row outlives its page while other shards run; the later stages see those pages as new),
    and the listing's entries of its removed files."""
    stale = set(plan.stale)
    documents = sorted({row["doc_id"] for row in known if row["source_path"] in stale})
    deletions = {"raw_documents": {"source_path": sorted(stale)}, "raw_listing": {"source_path": plan.deleted}}
    for table in ("cleaned_articles", "screened_teasers", "articles", "teasers", "teaser_pages"):
        deletions[table] = {"doc_id": documents}
    return deletions


def cleaned_row(document: RawDocument, article: Article) -> dict[str, object]:
    """A `cleaned_articles` row: the article screening cleaned, with what it was cleaned from."""
    fields = asdict(article)
    return {
        "doc_id": document.doc_id,
        "content_sha256": document.content_sha256,
        "url": document.url,
        "rules": RULES_VERSION,
        **{k: fields[k] for k in CLEANED_FIELDS},
        "page_url": article.url,
        "page_site": article.site,
    }


def teasers_row(document: RawDocument, teasers: list[Teaser], error: str | None) -> dict[str, object]:
    """A `screened_teasers` row: the page's teasers, with what they were read from."""
    return {
        "doc_id": document.doc_id,
        "content_sha256": document.content_sha256,
        "fetched_at": document.fetched_at,
        "url": document.url,
        "page_kind": document.page_kind,
        "rules": RULES_VERSION,
        "teasers": teasers_as_json(teasers),
        "error": error,
    }


KNOWN_ROWS = (
    "SELECT source_path, file_signature, doc_id, content_sha256, status, error, page_kind, judged_under, "
    "judge_seconds, {sizes} AS largest_bytes FROM raw_documents"
)


def _sizes_if(conn, judgement: Judgement) -> str:
    """The most bytes each page was seen with, read (from its content) only when some row was judged under a
    larger size cap than now: a cap that falls re-judges the pages it now excludes. (Called only when the table
    is there with the current columns.)"""
    caps = conn.execute("SELECT DISTINCT judged_under FROM raw_documents").fetchall()
    if any((j := Judgement.parse(label)) and j.max_file_bytes > judgement.max_file_bytes for (label,) in caps):
        return "greatest(coalesce(size_bytes, 0), coalesce(strlen(content), 0))"
    return "coalesce(size_bytes, 0)"


@dg.asset_check(
    pool=POOL,
    asset=raw_documents,
    blocking=True,
    description=(
        "Every file the run listed under the raw folder has a row (one per page, one per record of a WARC), no "
        "page has two, and the table has no row for a file the run did not list. Judged against the run's own "
        "listing, so files that arrive while a run goes on wait for the next run instead of failing this one."
    ),
)
def every_raw_file_accounted_for(store: NewsStore) -> dg.AssetCheckResult:
    return sql_check(
        store,
        """
            WITH counted AS (
                SELECT source_path, count(*) - count(DISTINCT coalesce(source_record, '')) + 1 AS n
                FROM raw_documents GROUP BY 1)
            SELECT coalesce(l.source_path, c.source_path) AS source_path, CASE
                WHEN c.source_path IS NULL THEN 'file listed by the run but not in raw_documents'
                WHEN l.source_path IS NULL THEN 'row for a file the run did not list'
                WHEN c.n > 1 THEN c.n || ' rows for one page'
            END AS problem
            FROM raw_listing l FULL JOIN counted c USING (source_path) WHERE problem IS NOT NULL ORDER BY 1
            """,
        ["source_path", "problem"],
    )


@dg.asset_check(
    pool=POOL,
    asset=raw_documents,
    blocking=True,
    description="doc_ids are unique; an ok row has content, a hash and a page_kind; a rejected row says why.",
)
def raw_rows_valid(store: NewsStore) -> dg.AssetCheckResult:
    return sql_check(
        store,
        """
            SELECT doc_id, source_path, url, CASE
                WHEN count(*) OVER (PARTITION BY doc_id) > 1 THEN 'duplicate doc_id'
                WHEN status NOT IN ('ok', 'rejected') THEN 'unknown status ' || status
                WHEN status = 'ok' AND (content IS NULL OR content_sha256 IS NULL) THEN 'ok without content'
                WHEN status = 'rejected' AND coalesce(trim(error), '') = '' THEN 'rejected without a reason'
                WHEN status = 'ok' AND page_kind NOT IN ('article', 'front') THEN 'ok without a page_kind'
            END AS problem
            FROM raw_documents QUALIFY problem IS NOT NULL ORDER BY source_path
            """,
        ["doc_id", "source_path", "url", "problem"],
    )


CHECKS = [every_raw_file_accounted_for, raw_rows_valid]
