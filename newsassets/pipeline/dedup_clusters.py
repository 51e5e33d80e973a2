"""The dedup stage: articles and teasers → `dedup_clusters`, and its checks."""

from dataclasses import asdict
from datetime import datetime

import dagster as dg

from newsassets.dedup import DedupItem, cluster_items
from newsassets.store import replace_table

from .articles import articles
from .metadata import GROUP, KINDS, check_result, markdown_preview, rows_as_dicts
from .resources import NewsStore
from .teasers import teasers


@dg.asset(
    deps=[articles, teasers],
    group_name=GROUP,
    kinds=KINDS,
    description=(
        "Near-duplicate clusters: every article and every teaser exactly once (singletons included), one "
        "representative per cluster (earliest publication, then the longest text), and each item's exact "
        "shingle Jaccard to its representative. Candidates from MinHash LSH, verified on exact shingle sets."
    ),
)
def dedup_clusters(context: dg.AssetExecutionContext, store: NewsStore) -> dg.MaterializeResult:
    with store.connect(read_only=True) as conn:
        article_rows = conn.execute(
            "SELECT a.article_id, a.body, coalesce(a.published_at, r.fetched_at) "
            "FROM articles a JOIN raw_documents r USING (doc_id) ORDER BY a.article_id"
        ).fetchall()
        teaser_rows = conn.execute("SELECT teaser_id, text, published_at FROM teasers ORDER BY teaser_id").fetchall()
    items = [_dedup_item("article", *row) for row in article_rows] + [
        _dedup_item("teaser", *row) for row in teaser_rows
    ]
    context.log.info(f"clustering {len(article_rows)} articles and {len(teaser_rows)} teasers")
    members = [asdict(member) for member in cluster_items(items)]
    with store.connect() as conn:
        replace_table(conn, "dedup_clusters", members)
    # the last stage of a pass: publish one consistent snapshot of every table for readers
    context.log.info(f"published {', '.join(store.publish())} to {store.path()}")
    clusters = {m["cluster_id"]: m for m in members if m["is_representative"]}
    shared = [m for m in members if m["cluster_size"] > 1]
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": len(members),
            "clusters": len(clusters),
            "article_clusters": sum(m["item_kind"] == "article" for m in clusters.values()),
            "teaser_clusters": sum(m["item_kind"] == "teaser" for m in clusters.values()),
            "items_in_shared_clusters": len(shared),
            "largest_cluster": max((m["cluster_size"] for m in members), default=0),
            "preview": markdown_preview(
                sorted(shared, key=lambda m: (m["cluster_id"], not m["is_representative"])),
                ["cluster_id", "item_kind", "item_id", "is_representative", "similarity", "cluster_size"],
                limit=10,
            ),
        }
    )


def _dedup_item(kind: str, item_id: str, text: str | None, dated: datetime | None) -> DedupItem:
    text = text or ""
    return DedupItem(kind, item_id, text, seniority=(dated is None, dated or datetime.min, -len(text)))


@dg.asset_check(
    asset=dedup_clusters,
    blocking=True,
    description="Every article and every teaser is in exactly one cluster, and the table holds nothing else.",
)
def every_item_clustered_once(store: NewsStore) -> dg.AssetCheckResult:
    with store.connect(read_only=True) as conn:
        problems = rows_as_dicts(
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
    return check_result(problems, ["item_kind", "item_id", "problem"])


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
        problems = rows_as_dicts(
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
    return check_result(problems, ["cluster_id", "problem"])


CHECKS = [every_item_clustered_once, clusters_well_formed]
