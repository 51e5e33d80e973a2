"""The dedup stage: articles and teasers → `dedup_clusters` and `dedup_edges` (two assets of one step), and
their checks. The state handling is `newsassets.dedup_state`; the clustering `newsassets.dedup`."""

import time

import dagster as dg

from newsassets import settings
from newsassets.dedup_state import EDGE_COLUMNS, MEMBER_COLUMNS, run_dedup

from .articles import articles
from .metadata import (
    AFTER_PAGES_STAGE,
    FRESHNESS,
    GROUP,
    KINDS,
    OWNERS,
    POOL,
    markdown_preview,
    once_each_check,
    rows_as_dicts,
    sql_check,
    table_metadata,
)
from .refresh import RefreshConfig, rejected_raw_documents
from .resources import NewsStore
from .teasers import teasers

CLUSTERS_DESCRIPTION = (
    "Near-duplicate clusters: every article and every teaser exactly once (singletons included), one "
    "representative per cluster (earliest publication, then the longest text), and each item's shingle "
    "Jaccard to its representative. Exact copies first, teasers linking to one article next, then MinHash LSH "
    "candidates verified on hashed shingles, refusing template siblings (names and numbers swapped in one "
    "context, or too little shared content by TF-IDF), teasers a day apart and any items further apart than "
    "the time window (NEWSASSETS_DEDUP_WINDOW_DAYS, 30 days; dated by publication, else capture). Cluster ids "
    "survive reruns: a cluster keeps its members' earlier id (the oldest one when clusters merge). New items "
    "only: incremental, looking only at the stored texts within the time window of the new ones."
)
EDGES_DESCRIPTION = (
    "Why items share a cluster: one row per merge (item_b, and its cluster, joined item_a's), with the pair's "
    "similarity, the reason (`exact text`, `same link`, `near copy`, `rewrite`, `contained`) and, for articles, "
    "the content similarity that was checked. Written with dedup_clusters."
)
_SPEC = {
    "deps": [articles, teasers],
    "group_name": GROUP,
    "kinds": KINDS,
    "owners": OWNERS,
    "freshness_policy": FRESHNESS,
    "automation_condition": AFTER_PAGES_STAGE["automation_condition"],
}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            "dedup_clusters", description=CLUSTERS_DESCRIPTION, metadata=table_metadata("dedup_clusters"), **_SPEC
        ),
        dg.AssetSpec("dedup_edges", description=EDGES_DESCRIPTION, metadata=table_metadata("dedup_edges"), **_SPEC),
    ],
    pool=POOL,
    can_subset=False,  # one clustering writes both tables
)
def dedup_clusters(context: dg.AssetExecutionContext, config: RefreshConfig, store: NewsStore):
    started = time.monotonic()
    window_days = settings.dedup_window_days()
    mode, result, changes = run_dedup(
        store.connect, context.log.info, full=config.full_refresh, window_days=window_days
    )
    with store.connect(read_only=True) as conn:
        metadata = cluster_figures(conn)
        edges = rows_as_dicts(conn, f"SELECT {', '.join(EDGE_COLUMNS)} FROM dedup_edges ORDER BY ALL LIMIT 6")
        edge_count = conn.execute("SELECT count(*) FROM dedup_edges").fetchone()[0]
        reasons = dict(conn.execute("SELECT reason, count(*) FROM dedup_edges GROUP BY 1").fetchall())
        rejected = rejected_raw_documents(conn)
    yield dg.MaterializeResult(
        asset_key="dedup_clusters",
        metadata={
            **metadata,
            "new": changes.new if changes.usable else len(result.members),
            "changed": changes.changed,
            "unchanged": changes.unchanged,
            "deleted": changes.deleted,
            "rejected": rejected,
            "seconds": round(time.monotonic() - started, 3),
            "mode": mode,
            "items_reclustered": len(result.members),
            "signatures_computed": result.hashed,
            "candidate_pairs": result.candidates,
            "refused_as_template_siblings": result.refused_templates,
            "refused_outside_time_window": result.refused_window,
            "window_days": window_days,
            "refused_for_different_links": result.refused_links,
        },
    )
    yield dg.MaterializeResult(
        asset_key="dedup_edges",
        metadata={
            "dagster/row_count": edge_count,
            **{f"reason_{reason.replace(' ', '_')}": n for reason, n in sorted(reasons.items())},
            "preview": markdown_preview(edges, EDGE_COLUMNS),
        },
    )


def cluster_figures(conn) -> dict[str, object]:
    counts = conn.execute(
        """
        SELECT count(*), count(DISTINCT cluster_id),
               count(DISTINCT cluster_id) FILTER (WHERE item_kind = 'article'),
               count(DISTINCT cluster_id) FILTER (WHERE item_kind = 'teaser'),
               count(*) FILTER (WHERE cluster_size > 1), coalesce(max(cluster_size), 0)
        FROM dedup_clusters
        """
    ).fetchone()
    shared = rows_as_dicts(
        conn,
        f"SELECT {', '.join(MEMBER_COLUMNS)} FROM dedup_clusters WHERE cluster_size > 1 "
        "ORDER BY cluster_id, NOT is_representative, item_id LIMIT 11",
    )
    return {
        "dagster/row_count": counts[0],
        "clusters": counts[1],
        "article_clusters": counts[2],
        "teaser_clusters": counts[3],
        "items_in_shared_clusters": counts[4],
        "largest_cluster": counts[5],
        "edges": conn.execute("SELECT count(*) FROM dedup_edges").fetchone()[0],
        "preview": markdown_preview(shared, MEMBER_COLUMNS, limit=10),
    }


@dg.asset_check(
    pool=POOL,
    asset="dedup_clusters",
    blocking=True,
    description="Every article and every teaser is in exactly one cluster, and the table holds nothing else.",
)
def every_item_clustered_once(store: NewsStore) -> dg.AssetCheckResult:
    return once_each_check(store, "dedup_clusters", "cluster_id", "cluster")


@dg.asset_check(
    pool=POOL,
    asset="dedup_clusters",
    blocking=True,
    description=(
        "Each cluster has exactly one representative (similarity 1), one kind of item, a cluster_size equal "
        "to its membership, and similarities within [0, 1]."
    ),
)
def clusters_well_formed(store: NewsStore) -> dg.AssetCheckResult:
    return sql_check(
        store,
        """
            WITH members AS (
                SELECT c.*, coalesce(a.doc_id, t.doc_id) AS doc_id FROM dedup_clusters c
                LEFT JOIN articles a ON c.item_kind = 'article' AND a.article_id = c.item_id
                LEFT JOIN teasers t ON c.item_kind = 'teaser' AND t.teaser_id = c.item_id)
            SELECT cluster_id, first(m.doc_id ORDER BY is_representative DESC) AS doc_id,
                first(r.source_path ORDER BY is_representative DESC) AS source_path,
                first(r.url ORDER BY is_representative DESC) AS url, concat_ws(', ',
                CASE WHEN count(*) FILTER (WHERE is_representative) <> 1
                     THEN count(*) FILTER (WHERE is_representative) || ' representatives' END,
                CASE WHEN count(DISTINCT item_kind) > 1 THEN 'mixed item kinds' END,
                CASE WHEN min(cluster_size) <> count(*) OR max(cluster_size) <> count(*)
                     THEN 'cluster_size differs from membership ' || count(*) END,
                CASE WHEN min(similarity) < 0 OR max(similarity) > 1 OR bool_or(similarity IS NULL)
                     THEN 'similarity outside [0, 1]' END,
                CASE WHEN bool_or(is_representative AND similarity <> 1)
                     THEN 'representative similarity is not 1' END) AS problem
            FROM members m LEFT JOIN raw_documents r USING (doc_id)
            GROUP BY cluster_id HAVING problem <> '' ORDER BY cluster_id
            """,
        ["cluster_id", "doc_id", "source_path", "url", "problem"],
    )


@dg.asset_check(
    pool=POOL,
    asset="dedup_edges",
    blocking=True,
    description=(
        "Every edge joins two items of one cluster, and a cluster of n items is explained by exactly n - 1 edges "
        "(a tree of merges: nothing merged without a reason, no reason without a merge)."
    ),
)
def edges_explain_every_merge(store: NewsStore) -> dg.AssetCheckResult:
    return sql_check(
        store,
        """
            WITH ends AS (
                SELECT e.item_kind, e.item_a, e.item_b, a.cluster_id AS cluster_a, b.cluster_id AS cluster_b
                FROM dedup_edges e
                LEFT JOIN dedup_clusters a ON a.item_kind = e.item_kind AND a.item_id = e.item_a
                LEFT JOIN dedup_clusters b ON b.item_kind = e.item_kind AND b.item_id = e.item_b),
            inside AS (  -- counted per cluster before joining: a cluster of 40,000 must not join 40,000 × 40,000
                SELECT cluster_a AS cluster_id, count(DISTINCT item_a || '|' || item_b) AS edges
                FROM ends WHERE cluster_a = cluster_b GROUP BY 1),
            per_cluster AS (
                SELECT cluster_id, any_value(cluster_size) AS size, coalesce(any_value(i.edges), 0) AS edges
                FROM dedup_clusters LEFT JOIN inside i USING (cluster_id) GROUP BY 1),
            problems AS (
                SELECT coalesce(cluster_a, cluster_b) AS cluster_id, item_a || ' – ' || item_b AS items,
                    'edge across clusters or to a missing item' AS problem
                FROM ends WHERE cluster_a IS DISTINCT FROM cluster_b OR cluster_a IS NULL
                UNION ALL
                SELECT cluster_id, NULL, size || ' items but ' || edges || ' edges' FROM per_cluster
                WHERE edges <> size - 1),
            representatives AS (
                SELECT c.cluster_id, coalesce(a.doc_id, t.doc_id) AS doc_id FROM dedup_clusters c
                LEFT JOIN articles a ON c.item_kind = 'article' AND a.article_id = c.item_id
                LEFT JOIN teasers t ON c.item_kind = 'teaser' AND t.teaser_id = c.item_id
                WHERE c.is_representative)
            SELECT p.cluster_id, rep.doc_id, r.source_path, r.url, p.items, p.problem FROM problems p
            LEFT JOIN representatives rep USING (cluster_id) LEFT JOIN raw_documents r USING (doc_id) ORDER BY ALL
            """,
        ["cluster_id", "doc_id", "source_path", "url", "items", "problem"],
    )


CHECKS = [every_item_clustered_once, clusters_well_formed, edges_explain_every_merge]
