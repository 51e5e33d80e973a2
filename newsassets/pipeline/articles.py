"""The articles stage: ok raw documents → cleaned `articles`, and their checks."""

import time
from dataclasses import asdict

import dagster as dg

from newsassets import settings
from newsassets.cleaning import Article, clean_page, leakage_in
from newsassets.ids import stable_id
from newsassets.limits import DocumentTimeout, time_limit
from newsassets.progress import Progress
from newsassets.store import apply_changes

from .metadata import LOG_EVERY, POOL, STAGE, check_result, counts_markdown, markdown_preview, sql_check
from .raw_documents import raw_documents
from .refresh import ARTICLE_INPUTS, RefreshConfig, fetch_raw_documents, refresh_metadata, start_stage
from .resources import NewsStore


@dg.asset(
    deps=[raw_documents],
    **STAGE,
    description=(
        "One cleaned article per ok raw document: title, dateline and agencies of `PLACE (ANP/…) - `, "
        "publication date, language and a body without site chrome, repeated titles or captions, metadata "
        "prefixes or the teaser rail. Paragraphs are separated by blank lines."
    ),
)
def articles(context: dg.AssetExecutionContext, config: RefreshConfig, store: NewsStore) -> dg.MaterializeResult:
    started = time.monotonic()
    with store.connect() as conn:
        plan, rebuild, rejected = start_stage(conn, config, ["articles"], ARTICLE_INPUTS)
        progress = Progress(len(plan.todo), context.log.info, "articles", LOG_EVERY)
        rows = []
        columns = f"doc_id, source_format, content, url, site, {ARTICLE_INPUTS}"
        for doc_id, source_format, content, url, site, version in fetch_raw_documents(conn, plan.todo, columns):
            article = asdict(clean_article(content, source_format, url))
            # the capture's own url and site win over what the page says about itself
            article["url"], article["site"] = url or article["url"], site or article["site"]
            rows.append(
                {"article_id": stable_id("article", doc_id), "doc_id": doc_id, **article, "source_version": version}
            )
            progress.advance()
        apply_changes(conn, "articles", rows, remove=plan.stale, rebuild=rebuild)
        summary = conn.execute(
            "SELECT count(*), count(title), count(dateline), count(published_at), coalesce(avg(word_count), 0) "
            "FROM articles"
        ).fetchone()
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
            "mean_word_count": round(float(summary[4]), 1),
            "languages": counts_markdown(languages, "language"),
            "preview": markdown_preview(rows, ["doc_id", "title", "dateline", "agencies", "word_count", "lede"]),
        }
    )


def clean_article(content: str, source_format: str, url: str | None) -> Article:
    """The raw stage already rejected pages that time out or hold no article; the limit here only guards
    against a page that behaves differently the second time."""
    try:
        with time_limit(settings.doc_timeout_seconds()):
            return clean_page(content, source_format, url)
    except DocumentTimeout:
        return Article(title=None, dateline=None)


@dg.asset_check(
    pool=POOL,
    asset=articles,
    blocking=True,
    description="Exactly one article per ok raw document, unique article_ids, and no article without a document.",
)
def one_article_per_ok_document(store: NewsStore) -> dg.AssetCheckResult:
    return sql_check(
        store,
        """
            WITH a AS (SELECT doc_id, count(*) AS n, count(DISTINCT article_id) AS ids FROM articles GROUP BY 1),
                 d AS (SELECT doc_id FROM raw_documents WHERE status = 'ok')
            SELECT coalesce(a.doc_id, d.doc_id) AS doc_id, CASE
                WHEN a.doc_id IS NULL THEN 'ok document without an article'
                WHEN d.doc_id IS NULL THEN 'article without an ok document'
                WHEN a.n > 1 THEN a.n || ' articles for one document'
            END AS problem
            FROM a FULL JOIN d USING (doc_id) WHERE problem IS NOT NULL
            UNION ALL
            SELECT any_value(doc_id), 'article_id ' || article_id || ' used ' || count(*) || ' times'
            FROM articles GROUP BY article_id HAVING count(*) > 1
            ORDER BY 1
            """,
        ["doc_id", "problem"],
    )


@dg.asset_check(pool=POOL, asset=articles, blocking=True, description="Every article has a body with words in it.")
def article_bodies_non_empty(store: NewsStore) -> dg.AssetCheckResult:
    return sql_check(
        store,
        "SELECT doc_id, title, 'empty body' AS problem FROM articles "
        "WHERE coalesce(word_count, 0) = 0 OR trim(coalesce(body, '')) = '' ORDER BY doc_id",
        ["doc_id", "title", "problem"],
    )


@dg.asset_check(
    pool=POOL,
    asset=articles,
    blocking=True,
    description=(
        "No article title or body paragraph is site boilerplate (webmail, cookies, share bars), a teaser-rail "
        "heading (`Meer uit …`), a teaser's age (`… geleden`) or a teaser's dateline paragraph."
    ),
)
def no_boilerplate_or_teaser_leakage(store: NewsStore) -> dg.AssetCheckResult:
    with store.connect(read_only=True) as conn:
        rows = conn.execute("SELECT doc_id, title, body FROM articles ORDER BY doc_id").fetchall()
    problems = []
    for doc_id, title, body in rows:
        for paragraph in [title or "", *(body or "").split("\n\n")]:
            if problem := leakage_in(paragraph.strip()):
                problems.append({"doc_id": doc_id, "problem": problem, "paragraph": paragraph})
    return check_result(problems, ["doc_id", "problem", "paragraph"])


CHECKS = [one_article_per_ok_document, article_bodies_non_empty, no_boilerplate_or_teaser_leakage]
