"""The stories stage: articles, teasers and their clusters → `teaser_links`, `story_members` and `stories`, and their
checks. The linking and grouping is `newsassets.stories`, the state `newsassets.stories_state`. As the last stage of
a pass it publishes the snapshot."""

import time

import dagster as dg

from newsassets.stories_state import run_stories

from .metadata import (
    AFTER_PAGES_STAGE,
    POOL,
    markdown_preview,
    once_each_check,
    rows_as_dicts,
    sql_check,
    table_metadata,
)
from .refresh import RefreshConfig
from .resources import NewsStore

TOP_STORIES = 10


@dg.asset(
    deps=["dedup_clusters"],
    **AFTER_PAGES_STAGE,
    metadata=table_metadata("stories"),
    description=(
        "One row per story: an article cluster with the teaser clusters that promote its articles (linked by url, "
        "else by their words against the article's title and lede within a week), or a teaser cluster that links "
        "to no article. Who published first and where, every site, the articles and teaser sightings, first and "
        "last seen on a front, the best position, and a timeline in time order. Also writes `teaser_links` "
        "(how each teaser was linked) and `story_members`. Story ids survive reruns and merges. Incremental: "
        "only the stories that new, changed or removed items touch are grouped again. This last stage publishes "
        "the snapshot."
    ),
)
def stories(context: dg.AssetExecutionContext, config: RefreshConfig, store: NewsStore) -> dg.MaterializeResult:
    started = time.monotonic()
    run = run_stories(store.connect, context.log.info, full=config.full_refresh)
    grouped = time.monotonic() - started
    with store.connect(read_only=True) as conn:
        metadata = story_figures(conn)
    # the last stage of a pass: publish one consistent snapshot of every table for readers
    published = store.publish({"run_id": context.run.run_id})
    context.log.info(f"published {', '.join(published)} to {store.location()}")
    return dg.MaterializeResult(
        metadata={
            **metadata,
            "mode": run.mode,
            "items_changed": run.changed_items,
            "items_regrouped": run.regrouped_items,
            "stories_rewritten": run.stories_written,
            "stories_replaced": run.stories_removed,
            "teasers_linked_again": run.relinked_teasers,
            "new_links_by_url": run.links["url"],
            "new_links_by_text": run.links["text"],
            "seconds_grouping": round(grouped, 3),
            "seconds": round(time.monotonic() - started, 3),
        }
    )


def story_figures(conn) -> dict[str, object]:
    """Row count, the figures the UI plots over time, and the top stories by spread (sites × sightings)."""
    counts = conn.execute(
        """
        SELECT count(*), count(*) FILTER (WHERE n_sites > 1), count(*) FILTER (WHERE n_articles = 0),
               count(*) FILTER (WHERE first_seen_on_front IS NOT NULL),
               median(epoch(list_filter(timeline, lambda e: e.site <> first_site)[1].time - first_published_at) / 3600)
                   FILTER (WHERE n_sites > 1),
               (SELECT count(*) FROM teaser_links),
               (SELECT count(*) FROM teaser_links WHERE method = 'text')
        FROM stories
        """
    ).fetchone()
    top = rows_as_dicts(
        conn,
        f"""SELECT story_id, title, first_site, n_sites, n_articles, n_teaser_sightings, first_published_at
            FROM stories ORDER BY n_sites * greatest(n_teaser_sightings, 1) DESC, n_articles DESC, story_id
            LIMIT {TOP_STORIES}""",
    )
    columns = ["story_id", "title", "first_site", "n_sites", "n_articles", "n_teaser_sightings", "first_published_at"]
    return {
        "dagster/row_count": counts[0],
        "stories": counts[0],
        "multi_site_stories": counts[1],
        "teaser_only_stories": counts[2],
        "stories_seen_on_fronts": counts[3],
        "median_hours_to_second_site": round(counts[4], 2) if counts[4] is not None else 0.0,
        "teaser_links": counts[5],
        "teaser_links_by_text": counts[6],
        "top_stories": markdown_preview(top, columns, limit=TOP_STORIES),
    }


@dg.asset_check(
    pool=POOL,
    asset=stories,
    blocking=True,
    description="Every article and every teaser is in exactly one story, and every story has members.",
)
def every_item_in_one_story(store: NewsStore) -> dg.AssetCheckResult:
    return once_each_check(
        store,
        "story_members",
        "story_id",
        "story",
        """
        UNION ALL SELECT story_id, item_kind, item_id, NULL, 'in a story with no row' FROM story_members
        WHERE story_id NOT IN (SELECT story_id FROM stories)
        UNION ALL SELECT story_id, NULL, NULL, NULL, 'a story with no members' FROM stories
        WHERE story_id NOT IN (SELECT story_id FROM story_members)
        """,
    )


@dg.asset_check(
    pool=POOL,
    asset=stories,
    blocking=True,
    description=(
        "Timelines are in time order and hold every member once; first_published_at is the earliest article's "
        "date (the earliest teaser's for a teaser-only story); counts and sites agree with the members."
    ),
)
def stories_agree_with_their_members(store: NewsStore) -> dg.AssetCheckResult:
    return sql_check(
        store,
        """
            WITH member_facts AS (
                SELECT m.story_id,
                       min(coalesce(a.published_at, ra.fetched_at)) FILTER (WHERE m.item_kind = 'article') AS first_article,
                       min(coalesce(t.published_at, rt.fetched_at)) FILTER (WHERE m.item_kind = 'teaser') AS first_teaser,
                       count(*) FILTER (WHERE m.item_kind = 'article') AS n_articles,
                       count(*) FILTER (WHERE m.item_kind = 'teaser') AS n_teasers,
                       count(*) AS n_members
                FROM story_members m
                LEFT JOIN articles a ON m.item_kind = 'article' AND a.article_id = m.item_id
                LEFT JOIN raw_documents ra ON ra.doc_id = a.doc_id
                LEFT JOIN teasers t ON m.item_kind = 'teaser' AND t.teaser_id = m.item_id
                LEFT JOIN raw_documents rt ON rt.doc_id = t.doc_id
                GROUP BY 1),
            times AS (SELECT story_id, list_transform(timeline, lambda e: e.time) AS t FROM stories)
            SELECT s.story_id, s.title, s.timeline[1].doc_id AS doc_id, r.source_path, concat_ws(', ',
                CASE WHEN times.t IS DISTINCT FROM list_sort(times.t, 'ASC', 'NULLS LAST')
                     THEN 'timeline out of time order' END,
                CASE WHEN len(s.timeline) <> f.n_members THEN 'timeline of ' || len(s.timeline) || ' entries for '
                     || f.n_members || ' members' END,
                CASE WHEN s.first_published_at IS DISTINCT FROM
                          (CASE WHEN f.n_articles > 0 THEN f.first_article ELSE f.first_teaser END)
                     THEN 'first_published_at is not the earliest member''s' END,
                CASE WHEN s.n_articles <> f.n_articles OR s.n_teaser_sightings <> f.n_teasers
                     THEN 'counts differ from the members' END,
                CASE WHEN s.n_sites <> len(s.sites) THEN 'n_sites differs from sites' END) AS problem
            FROM stories s JOIN member_facts f USING (story_id) JOIN times USING (story_id)
            LEFT JOIN raw_documents r ON r.doc_id = s.timeline[1].doc_id
            WHERE problem <> '' ORDER BY s.story_id
            """,
        ["story_id", "title", "doc_id", "source_path", "problem"],
    )


@dg.asset_check(
    pool=POOL,
    asset=stories,
    blocking=True,
    description="Every teaser link points to an article in the tables, from a teaser in the tables, once per teaser.",
)
def links_point_to_articles(store: NewsStore) -> dg.AssetCheckResult:
    return sql_check(
        store,
        """
            SELECT l.teaser_id, l.article_id, t.doc_id, r.source_path, CASE
                WHEN a.article_id IS NULL THEN 'links to a missing article'
                WHEN t.teaser_id IS NULL THEN 'link from a missing teaser'
                ELSE 'linked ' || count(*) OVER (PARTITION BY l.teaser_id) || ' times' END AS problem
            FROM teaser_links l LEFT JOIN articles a USING (article_id) LEFT JOIN teasers t USING (teaser_id)
            LEFT JOIN raw_documents r ON r.doc_id = t.doc_id
            QUALIFY a.article_id IS NULL OR t.teaser_id IS NULL OR count(*) OVER (PARTITION BY l.teaser_id) > 1
            ORDER BY ALL
            """,
        ["teaser_id", "article_id", "doc_id", "source_path", "problem"],
    )


CHECKS = [every_item_in_one_story, stories_agree_with_their_members, links_point_to_articles]
