"""The stories stage: articles, teasers and their clusters → `teaser_links`, `story_members` and `stories`, and their
checks. The linking and grouping is `newsassets.stories`. As the last stage of a pass it publishes the snapshot."""

import statistics
import time
from collections.abc import Iterable

import dagster as dg

from newsassets.ids import stable_id
from newsassets.store import apply_changes, needs_rebuild, transaction
from newsassets.stories import FRONT, Story, StoryArticle, StoryTeaser, build_stories, link_teasers

from .metadata import POOL, STAGE, markdown_preview, once_each_check, sql_check, table_metadata
from .resources import NewsStore

ARTICLES_SQL = """
    SELECT a.article_id, a.doc_id, c.cluster_id, a.title, a.lede, coalesce(a.url, r.url), coalesce(a.site, r.site),
           coalesce(a.published_at, r.fetched_at), coalesce(r.url, r.source_path)
    FROM articles a JOIN raw_documents r USING (doc_id)
    JOIN dedup_clusters c ON c.item_kind = 'article' AND c.item_id = a.article_id
"""
TEASERS_SQL = """
    SELECT t.teaser_id, t.doc_id, c.cluster_id, t.title, t.text, t.url, r.site, r.fetched_at, t.published_at,
           t.position, t.page_kind, coalesce(r.url, r.source_path)
    FROM teasers t JOIN raw_documents r USING (doc_id)
    JOIN dedup_clusters c ON c.item_kind = 'teaser' AND c.item_id = t.teaser_id
"""
STORY_COLUMNS = [
    "story_id", "title", "lede", "first_published_at", "first_site", "sites", "n_sites", "n_articles",
    "n_teaser_sightings", "first_seen_on_front", "last_seen_on_front", "best_position", "timeline",
]  # fmt: skip
TOP_STORIES = 10


@dg.asset(
    deps=["dedup_clusters"],
    **STAGE,
    metadata=table_metadata("stories"),
    description=(
        "One row per story: an article cluster with the teaser clusters that promote its articles (linked by url, "
        "else by their words against the article's title and lede within a week), or a teaser cluster that links "
        "to no article. Who published first and where, every site, the articles and teaser sightings, first and "
        "last seen on a front, the best position, and a timeline in time order. Also writes `teaser_links` "
        "(how each teaser was linked) and `story_members`. Story ids survive reruns and merges. Only the stories "
        "that change are rewritten. This last stage publishes the snapshot."
    ),
)
def stories(context: dg.AssetExecutionContext, store: NewsStore) -> dg.MaterializeResult:
    started = time.monotonic()
    with store.connect(read_only=True) as conn:
        articles = [StoryArticle(*row) for row in conn.execute(ARTICLES_SQL).fetchall()]
        teasers = [StoryTeaser(*row) for row in conn.execute(TEASERS_SQL).fetchall()]
        previous = _previous(conn)
    loaded = time.monotonic()
    links = link_teasers(articles, teasers)
    built = build_stories(articles, teasers, links, previous)
    context.log.info(
        f"{len(built):,} stories from {len(articles):,} articles and {len(teasers):,} teasers "
        f"({len(links):,} teasers linked to their article) in {time.monotonic() - loaded:.1f} s"
    )
    with store.connect() as conn:
        rewritten = _write(conn, built, links)
        metadata = story_figures(conn, built)
    # the last stage of a pass: publish one consistent snapshot of every table for readers
    context.log.info(f"published {', '.join(store.publish())} to {store.path()}")
    by_method = {m: sum(1 for link in links if link.method == m) for m in ("url", "text")}
    return dg.MaterializeResult(
        metadata={
            **metadata,
            "stories_rewritten": rewritten,
            "teasers_linked_by_url": by_method["url"],
            "teasers_linked_by_text": by_method["text"],
            "teasers_unlinked": len(teasers) - len(links),
            "seconds": round(time.monotonic() - started, 3),
        }
    )


def _previous(conn) -> dict[tuple[str, str], str]:
    """(item_kind, item_id) → story_id of the last run, for ids that survive."""
    if needs_rebuild(conn, "story_members"):
        return {}
    rows = conn.execute("SELECT item_kind, item_id, story_id FROM story_members").fetchall()
    return {(kind, item): story for kind, item, story in rows}


def _write(conn, built: list[Story], links) -> int:
    """The three tables in one transaction, rewriting only the stories whose row or members changed (and their
    members), and the teasers whose link changed; returns the stories rewritten."""
    rows = {story.story_id: _story_row(story) for story in built}
    fingerprints = {story.story_id: _fingerprint(rows[story.story_id], story.members) for story in built}
    rebuild = any(needs_rebuild(conn, table) for table in ("stories", "story_members", "teaser_links"))
    stored = {} if rebuild else dict(conn.execute("SELECT story_id, fingerprint FROM stories").fetchall())
    changed = [story_id for story_id, fingerprint in fingerprints.items() if stored.get(story_id) != fingerprint]
    gone = [story_id for story_id in stored if story_id not in rows]
    rewritten = set(changed)
    members = [
        {"story_id": story.story_id, "item_kind": kind, "item_id": item}
        for story in built
        if story.story_id in rewritten
        for kind, item in story.members
    ]
    link_rows = [
        {"teaser_id": k.teaser_id, "article_id": k.article_id, "method": k.method, "score": k.score} for k in links
    ]
    with transaction(conn):
        remove = changed + gone
        apply_changes(
            conn,
            "stories",
            [{**rows[s], "fingerprint": fingerprints[s]} for s in changed],
            remove=remove,
            key="story_id",
            rebuild=rebuild,
        )
        apply_changes(conn, "story_members", members, remove=remove, key="story_id", rebuild=rebuild)
        apply_changes(conn, "teaser_links", link_rows, rebuild=True)
    return len(changed)


def _story_row(story: Story) -> dict[str, object]:
    return {
        "story_id": story.story_id,
        "title": story.title,
        "lede": story.lede,
        "first_published_at": story.first_published_at,
        "first_site": story.first_site,
        "sites": story.sites,
        "n_sites": story.n_sites,
        "n_articles": story.n_articles,
        "n_teaser_sightings": story.n_teaser_sightings,
        "first_seen_on_front": story.first_seen_on_front,
        "last_seen_on_front": story.last_seen_on_front,
        "best_position": story.best_position,
        "timeline": story.timeline,
    }


def _fingerprint(row: dict, members: Iterable) -> str:
    return stable_id(repr(sorted(row.items())), repr(sorted(members)))


def story_figures(conn, built: list[Story]) -> dict[str, object]:
    """Row count, the figures the UI plots over time, and the run's top stories by spread (sites × sightings)."""
    multi = [s for s in built if s.n_sites > 1]
    delays = [d for s in multi if (d := _hours_to_second_site(s)) is not None]
    top = sorted(built, key=lambda s: (-s.n_sites * max(s.n_teaser_sightings, 1), -s.n_articles, s.story_id))
    preview = [
        {
            "story_id": s.story_id,
            "title": s.title,
            "first_site": s.first_site,
            "n_sites": s.n_sites,
            "n_articles": s.n_articles,
            "n_teaser_sightings": s.n_teaser_sightings,
            "first_published_at": s.first_published_at,
        }
        for s in top[:TOP_STORIES]
    ]
    return {
        "dagster/row_count": len(built),
        "stories": len(built),
        "multi_site_stories": len(multi),
        "teaser_only_stories": sum(1 for s in built if s.n_articles == 0),
        "stories_seen_on_fronts": sum(1 for s in built if s.first_seen_on_front is not None),
        "median_hours_to_second_site": round(statistics.median(delays), 2) if delays else 0.0,
        "links_in_table": conn.execute("SELECT count(*) FROM teaser_links").fetchone()[0],
        "top_stories": markdown_preview(preview, list(preview[0]) if preview else ["story_id"], limit=TOP_STORIES),
    }


def _hours_to_second_site(story: Story) -> float | None:
    """Hours from the story's first appearance to its first appearance on another site."""
    dated = [e for e in story.timeline if e["time"] is not None and e["site"]]
    if not dated:
        return None
    first = dated[0]
    second = next((e for e in dated if e["site"] != first["site"]), None)
    return None if second is None else (second["time"] - first["time"]).total_seconds() / 3600


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
__all__ = ["CHECKS", "FRONT", "stories"]
