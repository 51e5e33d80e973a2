"""Asset checks: each reads the store read-only and names the offending rows in its metadata.

Checks on raw documents, articles and teasers are blocking: dedup never runs on data that failed them.
Missing teaser fields only warn, because a page with an unreadable age is still worth clustering.
"""

from collections.abc import Sequence

import dagster as dg
import duckdb

from newsassets.reading import find_raw_files
from newsassets.vocabulary import AGE_AT_LINE_START, BOILERPLATE_LINE, RAIL_HEADING, TRAILING_AGE, parse_dateline

from .assets import articles, dedup_clusters, raw_documents, teasers
from .metadata import markdown_preview
from .resources import NewsStore, RawFolder


def _result(
    problems: Sequence[dict], columns: Sequence[str], severity: dg.AssetCheckSeverity = dg.AssetCheckSeverity.ERROR
) -> dg.AssetCheckResult:
    metadata: dict[str, object] = {"problems": len(problems)}
    if problems:
        metadata["examples"] = markdown_preview(problems, columns, limit=10)
    return dg.AssetCheckResult(passed=not problems, severity=severity, metadata=metadata)


def _dicts(conn: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] = ()) -> list[dict]:
    cursor = conn.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@dg.asset_check(
    asset=raw_documents,
    blocking=True,
    description="Every file under the raw folder has exactly one row, and the table has no row for a file that is not there.",
)
def every_raw_file_accounted_for(raw_folder: RawFolder, store: NewsStore) -> dg.AssetCheckResult:
    root = raw_folder.root()
    on_disk = {p.relative_to(root).as_posix() for p in find_raw_files(root)} if root.is_dir() else set()
    with store.connect(read_only=True) as conn:
        counted = _dicts(conn, "SELECT source_path, count(*) AS n FROM raw_documents GROUP BY 1")
    in_table = {row["source_path"]: row["n"] for row in counted}
    problems = [{"source_path": p, "problem": "file not in raw_documents"} for p in sorted(on_disk - in_table.keys())]
    problems += [
        {"source_path": p, "problem": "row for a file that is not there"} for p in sorted(in_table.keys() - on_disk)
    ]
    problems += [{"source_path": p, "problem": f"{n} rows for one file"} for p, n in sorted(in_table.items()) if n > 1]
    return _result(problems, ["source_path", "problem"])


@dg.asset_check(
    asset=raw_documents,
    blocking=True,
    description="doc_ids are unique; an ok row has content and a hash; a rejected row says why.",
)
def raw_rows_valid(store: NewsStore) -> dg.AssetCheckResult:
    with store.connect(read_only=True) as conn:
        problems = _dicts(
            conn,
            """
            SELECT doc_id, source_path, CASE
                WHEN count(*) OVER (PARTITION BY doc_id) > 1 THEN 'duplicate doc_id'
                WHEN status NOT IN ('ok', 'rejected') THEN 'unknown status ' || status
                WHEN status = 'ok' AND (content IS NULL OR content_sha256 IS NULL) THEN 'ok without content'
                WHEN status = 'rejected' AND coalesce(trim(error), '') = '' THEN 'rejected without a reason'
            END AS problem
            FROM raw_documents QUALIFY problem IS NOT NULL ORDER BY source_path
            """,
        )
    return _result(problems, ["doc_id", "source_path", "problem"])


@dg.asset_check(
    asset=articles,
    blocking=True,
    description="Exactly one article per ok raw document, unique article_ids, and no article without a document.",
)
def one_article_per_ok_document(store: NewsStore) -> dg.AssetCheckResult:
    with store.connect(read_only=True) as conn:
        problems = _dicts(
            conn,
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
        )
    return _result(problems, ["doc_id", "problem"])


@dg.asset_check(asset=articles, blocking=True, description="Every article has a body with words in it.")
def article_bodies_non_empty(store: NewsStore) -> dg.AssetCheckResult:
    with store.connect(read_only=True) as conn:
        problems = _dicts(
            conn,
            "SELECT doc_id, title, 'empty body' AS problem FROM articles "
            "WHERE coalesce(word_count, 0) = 0 OR trim(coalesce(body, '')) = '' ORDER BY doc_id",
        )
    return _result(problems, ["doc_id", "title", "problem"])


@dg.asset_check(
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
    return _result(problems, ["doc_id", "problem", "paragraph"])


def leakage_in(paragraph: str) -> str | None:
    """What kind of leaked page furniture a body paragraph is, or None for article text."""
    if BOILERPLATE_LINE.match(paragraph):
        return "boilerplate"
    if RAIL_HEADING.match(paragraph):
        return "teaser rail heading"
    if AGE_AT_LINE_START.match(paragraph) or TRAILING_AGE.search(paragraph):
        return "teaser age"
    if parse_dateline(paragraph):
        return "teaser dateline"
    return None


@dg.asset_check(
    asset=teasers,
    blocking=True,
    description="Positions run 1, 2, … without gaps or repeats on every page, and teaser_ids are unique.",
)
def teaser_positions_contiguous(store: NewsStore) -> dg.AssetCheckResult:
    with store.connect(read_only=True) as conn:
        problems = _dicts(
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
    return _result(problems, ["doc_id", "problem"])


@dg.asset_check(
    asset=teasers,
    description="Every teaser has a dateline, its agencies and an age read into minutes (warns: dedup still runs).",
)
def teasers_complete(store: NewsStore) -> dg.AssetCheckResult:
    with store.connect(read_only=True) as conn:
        problems = _dicts(
            conn,
            """
            SELECT doc_id, position, age_text, concat_ws(', ',
                CASE WHEN dateline IS NULL THEN 'no dateline' END,
                CASE WHEN coalesce(len(agencies), 0) = 0 THEN 'no agencies' END,
                CASE WHEN age_minutes IS NULL THEN 'no parsed age' END) AS problem
            FROM teasers WHERE problem <> '' ORDER BY doc_id, position
            """,
        )
    return _result(problems, ["doc_id", "position", "age_text", "problem"], dg.AssetCheckSeverity.WARN)


@dg.asset_check(
    asset=dedup_clusters,
    blocking=True,
    description="Every article and every teaser is in exactly one cluster, and the table holds nothing else.",
)
def every_item_clustered_once(store: NewsStore) -> dg.AssetCheckResult:
    with store.connect(read_only=True) as conn:
        problems = _dicts(
            conn,
            """
            WITH items AS (SELECT 'article' AS item_kind, article_id AS item_id FROM articles
                           UNION ALL SELECT 'teaser', teaser_id FROM teasers),
                 c AS (SELECT item_kind, item_id, count(*) AS n FROM dedup_clusters GROUP BY ALL)
            SELECT item_kind, item_id, CASE
                WHEN c.n IS NULL THEN 'in no cluster'
                WHEN items.item_id IS NULL THEN 'clustered but not an article or teaser'
                WHEN c.n > 1 THEN 'in ' || c.n || ' clusters'
            END AS problem
            FROM items FULL JOIN c USING (item_kind, item_id) WHERE problem IS NOT NULL ORDER BY ALL
            """,
        )
    return _result(problems, ["item_kind", "item_id", "problem"])


@dg.asset_check(
    asset=dedup_clusters,
    blocking=True,
    description=(
        "Each cluster has exactly one representative (similarity 1), one kind of item, a cluster_size equal "
        "to its membership, and similarities within [0, 1]."
    ),
)
def clusters_well_formed(store: NewsStore) -> dg.AssetCheckResult:
    with store.connect(read_only=True) as conn:
        problems = _dicts(
            conn,
            """
            SELECT cluster_id, concat_ws(', ',
                CASE WHEN count(*) FILTER (WHERE is_representative) <> 1
                     THEN count(*) FILTER (WHERE is_representative) || ' representatives' END,
                CASE WHEN count(DISTINCT item_kind) > 1 THEN 'mixed item kinds' END,
                CASE WHEN min(cluster_size) <> count(*) OR max(cluster_size) <> count(*)
                     THEN 'cluster_size differs from membership ' || count(*) END,
                CASE WHEN min(similarity) < 0 OR max(similarity) > 1 OR bool_or(similarity IS NULL)
                     THEN 'similarity outside [0, 1]' END,
                CASE WHEN bool_or(is_representative AND similarity <> 1)
                     THEN 'representative similarity is not 1' END) AS problem
            FROM dedup_clusters GROUP BY cluster_id HAVING problem <> '' ORDER BY cluster_id
            """,
        )
    return _result(problems, ["cluster_id", "problem"])


ALL_CHECKS = [
    every_raw_file_accounted_for,
    raw_rows_valid,
    one_article_per_ok_document,
    article_bodies_non_empty,
    no_boilerplate_or_teaser_leakage,
    teaser_positions_contiguous,
    teasers_complete,
    every_item_clustered_once,
    clusters_well_formed,
]
