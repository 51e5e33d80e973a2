"""The articles stage: ok raw documents → cleaned `articles`, and their checks."""

import time
from collections.abc import Iterator
from dataclasses import asdict

import dagster as dg
import duckdb

from newsassets import settings
from newsassets.cleaning import Article
from newsassets.ids import stable_id
from newsassets.page_tasks import CleanTask, clean_article
from newsassets.progress import Progress
from newsassets.quality import ARTICLE_RULES, article_flags, rule_names
from newsassets.schema import CLEANED_FIELDS
from newsassets.screening import RULES_VERSION
from newsassets.store import changing, commit_staged, next_write_stamp, transaction
from newsassets.workers import Crashed, Done, map_in_order

from .metadata import LOG_EVERY, PER_PAGE_STAGE, POOL, counts_markdown, sql_check, table_metadata, table_preview
from .quality import flag_rate_check
from .raw_documents import raw_documents
from .refresh import (
    ARTICLE_INPUTS,
    ARTICLE_PAGES,
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
    metadata=table_metadata("articles"),
    description=(
        "One cleaned article per ok article page (fronts have none): title, dateline and agencies of "
        "`PLACE (ANP/…) - `, authors, publication time (UTC), language, the standfirst (`summary`) and a body "
        "without site chrome, repeated titles or captions, metadata prefixes or the teaser rail. Paragraphs are "
        "separated by blank lines. "
        "`quality_flags` lists the content-quality rules the row breaks (newsassets.quality)."
    ),
)
def articles(
    context: dg.AssetExecutionContext, config: RefreshConfig, raw_folder: RawFolder, store: NewsStore
) -> dg.MaterializeResult:
    started = time.monotonic()
    workers = settings.workers()
    timeout_seconds = raw_folder.judgement().timeout_seconds
    with store.connect() as conn:
        shard = store.shard()
        plan, rebuild, rejected = start_stage(conn, config, ["articles"], ARTICLE_INPUTS, ARTICLE_PAGES, shard)
        progress = Progress(len(plan.todo), context.log.info, "articles", LOG_EVERY)
        pages = page_facts(
            conn, plan.todo, f"r.doc_id, r.url, r.site, r.fetched_at, {ARTICLE_INPUTS}", "cleaned_articles", _CACHED
        )
        reused = sum(cached is not None for *_, cached in pages)
        context.log.info(
            f"{len(pages)} articles to write: {reused} cleaned by the raw stage already, the rest cleaned by "
            f"{workers} worker process(es)"
        )
        stamp = next_write_stamp(conn)
        staged = shard is not None  # a shard writes the lake in one short step at the end (`commit_staged`)
        with transaction(conn):
            written = changing(conn, "articles", remove=plan.stale, rebuild=rebuild, staged=staged)
            work = _cleaning_work(conn, pages, timeout_seconds)
            for (_, doc_id, url, site, fetched_at, version, _), cleaned in zip(
                pages, map_in_order(clean_article, work, workers), strict=True
            ):
                if isinstance(cleaned, Crashed):
                    cleaned = Article(title=None, dateline=None)  # an empty body: the checks name the page
                flags = article_flags(cleaned.title, cleaned.body, cleaned.word_count, cleaned.published_at, fetched_at)
                article = asdict(cleaned)
                # the capture's own url and site win over what the page says about itself
                article["url"], article["site"] = url or article["url"], site or article["site"]
                written.add(
                    {
                        "article_id": stable_id("article", doc_id),
                        "doc_id": doc_id,
                        **article,
                        "quality_flags": rule_names(flags),
                        "source_version": version,
                        "written_in": stamp,
                    }
                )
                progress.advance()
            written.close()
        if staged:
            commit_staged(conn, ["articles"], {"articles": {"doc_id": plan.stale}})
        summary = conn.execute(
            "SELECT count(*), count(title), count(dateline), count(published_at), coalesce(avg(word_count), 0), "
            "count(*) FILTER (WHERE len(quality_flags) > 0), count(*) FILTER (WHERE len(authors) > 0), count(summary) "
            "FROM articles"
        ).fetchone()
        preview = table_preview(
            conn, "articles", ["doc_id", "title", "dateline", "agencies", "word_count", "quality_flags", "lede"]
        )
        fronts = conn.execute("SELECT count(*) FROM raw_documents WHERE page_kind = 'front'").fetchone()[0]
        languages = dict(
            conn.execute("SELECT coalesce(language, 'unknown'), count(*) FROM articles GROUP BY 1").fetchall()
        )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": summary[0],
            **refresh_metadata(plan, time.monotonic() - started, rejected),
            "with_title": summary[1],
            "with_dateline": summary[2],
            "with_published_at": summary[3],
            "with_authors": summary[6],
            "with_summary": summary[7],
            "mean_word_count": round(float(summary[4]), 1),
            "flagged_rows": summary[5],
            "fronts_skipped": fronts,
            "cleaned_by_raw_stage": reused,
            "workers": workers,
            "languages": counts_markdown(languages, "language"),
            "preview": preview,
        }
    )


# the raw stage's cleaned article, where it was cleaned from what the page is now
_CACHED = (
    f"c.content_sha256 IS NOT DISTINCT FROM r.content_sha256 AND c.url IS NOT DISTINCT FROM r.url "
    f"AND c.rules = '{RULES_VERSION}'"
)


def _cleaning_work(
    conn: duckdb.DuckDBPyConnection, pages: list[tuple], timeout_seconds: float
) -> Iterator[CleanTask | Done]:
    """For each page: the article the raw stage cleaned (`Done`), else the page to clean. Both are read a batch at
    a time, and the content only of the pages that need it."""
    contents = by_rowid(
        conn,
        "raw_documents",
        [None if cached is not None else raw for raw, *_, cached in pages],
        "content, source_format, url",
    )
    fields = ", ".join([*CLEANED_FIELDS, "page_url", "page_site"])
    known = by_rowid(conn, "cleaned_articles", [cached for *_, cached in pages], fields)
    for page, article in zip(contents, known, strict=True):
        if article is not None:
            *values, page_url, page_site = article
            yield Done(Article(**dict(zip(CLEANED_FIELDS, values, strict=True)), url=page_url, site=page_site))
        else:
            content, source_format, url = page
            yield CleanTask(content, source_format, url, timeout_seconds)


@dg.asset_check(
    pool=POOL,
    asset=articles,
    blocking=True,
    description=("Exactly one article per ok article page, unique article_ids, and no article without such a page."),
)
def one_article_per_ok_document(store: NewsStore) -> dg.AssetCheckResult:
    return sql_check(
        store,
        """
            WITH a AS (SELECT doc_id, count(*) AS n, count(DISTINCT article_id) AS ids FROM articles GROUP BY 1),
                 d AS (SELECT doc_id FROM raw_documents WHERE status = 'ok' AND page_kind = 'article'),
                 problems AS (
                    SELECT coalesce(a.doc_id, d.doc_id) AS doc_id, CASE
                        WHEN a.doc_id IS NULL THEN 'ok article page without an article'
                        WHEN d.doc_id IS NULL THEN 'article without an ok article page'
                        WHEN a.n > 1 THEN a.n || ' articles for one document'
                    END AS problem
                    FROM a FULL JOIN d USING (doc_id) WHERE problem IS NOT NULL
                    UNION ALL
                    SELECT any_value(doc_id), 'article_id ' || article_id || ' used ' || count(*) || ' times'
                    FROM articles GROUP BY article_id HAVING count(*) > 1)
            SELECT p.doc_id, r.source_path, r.url, p.problem
            FROM problems p LEFT JOIN raw_documents r USING (doc_id) ORDER BY r.source_path, p.doc_id
            """,
        ["doc_id", "source_path", "url", "problem"],
    )


@dg.asset_check(pool=POOL, asset=articles, blocking=True, description="Every article has a body with words in it.")
def article_bodies_non_empty(store: NewsStore) -> dg.AssetCheckResult:
    return sql_check(
        store,
        "SELECT doc_id, r.source_path, r.url, a.title, 'empty body' AS problem FROM articles a "
        "LEFT JOIN raw_documents r USING (doc_id) "
        "WHERE coalesce(a.word_count, 0) = 0 OR trim(coalesce(a.body, '')) = '' ORDER BY r.source_path, doc_id",
        ["doc_id", "source_path", "url", "title", "problem"],
    )


article_quality = flag_rate_check(
    articles,
    "article_quality",
    "articles",
    "leaked chrome, rail headings, teaser ages or teaser datelines in a body, a missing title, a body under 25 "
    "words, an implausible date",
    ARTICLE_RULES,
    "t.doc_id, t.title, t.body, t.word_count, t.published_at, r.fetched_at",
    lambda row: article_flags(
        row["title"], row["body"] or "", row["word_count"] or 0, row["published_at"], row["fetched_at"]
    ),
)


CHECKS = [one_article_per_ok_document, article_bodies_non_empty, article_quality]
