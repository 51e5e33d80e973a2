"""The stories stage on a store: read what changed since the last run, regroup only the stories it touches, write.

State kept in the working database (internal, never published): each member's dedup cluster and a hash of the
fields a story reads from it (`story_members.cluster_id`, `.version`), every teaser's link (`teaser_links`) and
every article's link key (`story_article_keys`). A run:

1. finds the items whose cluster or fields changed, or that came or went (one SQL diff over all items);
2. links again the teasers that changed, those whose article changed or went, and those that may now link to a
   changed article (its link key, or seen within the text-link window of it), against exactly the articles
   that can be their link (`newsassets.stories.link_teasers` needs only the articles near a teaser);
3. closes the affected items over what ties stories together: whole clusters, whole earlier stories, teasers
   linked to their articles and the articles their teasers link to;
4. regroups that closure with `newsassets.stories.build_stories` (earlier ids kept, the other stories' ids
   reserved) and replaces its earlier stories in one transaction.

A first run, a full refresh, a changed schema or a change touching most items regroups everything. Both paths
give the same tables (tested).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from newsassets.dedup import link_key
from newsassets.store import apply_changes, needs_rebuild, transaction
from newsassets.stories import (
    TEXT_LINK_WINDOW,
    Story,
    StoryArticle,
    StoryTeaser,
    TeaserLink,
    build_stories,
    link_teasers,
)

ARTICLES_SQL = """
    SELECT a.article_id, a.doc_id, c.cluster_id, a.title, a.lede, coalesce(a.url, r.url) AS url,
           coalesce(a.site, r.site) AS site, coalesce(a.published_at, r.fetched_at) AS dated,
           coalesce(r.url, r.source_path) AS page
    FROM articles a JOIN raw_documents r USING (doc_id)
    JOIN dedup_clusters c ON c.item_kind = 'article' AND c.item_id = a.article_id
"""
TEASERS_SQL = """
    SELECT t.teaser_id, t.doc_id, c.cluster_id, t.title, t.text, t.url, r.site, r.fetched_at AS seen_at,
           t.published_at, t.position, t.page_kind, coalesce(r.url, r.source_path) AS page
    FROM teasers t JOIN raw_documents r USING (doc_id)
    JOIN dedup_clusters c ON c.item_kind = 'teaser' AND c.item_id = t.teaser_id
"""
# every item with its cluster and a hash of the fields a story reads: a change of either regroups its story
CURRENT_SQL = f"""
    SELECT 'article' AS item_kind, article_id AS item_id, cluster_id,
           md5(row(doc_id, title, lede, url, site, dated, page)::VARCHAR) AS version
    FROM ({ARTICLES_SQL})
    UNION ALL
    SELECT 'teaser', teaser_id, cluster_id,
           md5(row(doc_id, title, text, url, site, seen_at, published_at, position, page_kind, page)::VARCHAR)
    FROM ({TEASERS_SQL})
"""
STATE_TABLES = ["stories", "story_members", "teaser_links", "story_article_keys"]
# a change touching more than this share of the items regroups everything: the closure would be most of it anyway
FULL_SHARE = 0.5


@dataclass
class StoriesRun:
    mode: str  # 'full' or 'incremental'
    changed_items: int  # items new, changed or gone since the last run (all of them in a full run)
    regrouped_items: int  # items whose stories were built again
    stories_written: int
    stories_removed: int
    relinked_teasers: int
    links: dict[str, int]  # new links of this run by method


def run_stories(connect: Callable, log: Callable[[str], object] = print, full: bool = False) -> StoriesRun:
    """The stage on a store: `connect()` opens a DuckDB connection (read-write) as a context manager."""
    with connect() as conn:
        total = conn.execute("SELECT (SELECT count(*) FROM articles) + (SELECT count(*) FROM teasers)").fetchone()[0]
        if not full and not any(needs_rebuild(conn, table) for table in STATE_TABLES):
            changed = _changed(conn)
            if len(changed) <= FULL_SHARE * max(total, 1):
                try:
                    return _incremental(conn, changed, log)
                except _Clash as clash:  # a new story's id is another's (a hash collision): regroup everything
                    log(f"regrouping everything: {clash}")
        return _full(conn, total, log)


def _full(conn, total: int, log: Callable[[str], object]) -> StoriesRun:
    articles = [StoryArticle(*row) for row in conn.execute(ARTICLES_SQL).fetchall()]
    teasers = [StoryTeaser(*row) for row in conn.execute(TEASERS_SQL).fetchall()]
    previous = _previous(conn, None)
    links = link_teasers(articles, teasers)
    built = build_stories(articles, teasers, links, previous)
    log(f"full: {len(built):,} stories from {len(articles):,} articles and {len(teasers):,} teasers")
    versions = {(kind, item): version for kind, item, _, version in conn.execute(CURRENT_SQL).fetchall()}
    with transaction(conn):
        written = _write_stories(conn, built, versions, articles, teasers, remove=None)
        apply_changes(conn, "teaser_links", _link_rows(links), rebuild=True)
        apply_changes(conn, "story_article_keys", _key_rows(articles), rebuild=True)
    return StoriesRun("full", total, total, written, 0, len(teasers), _by_method(links))


def _incremental(conn, changed: list[tuple[str, str, bool]], log: Callable[[str], object]) -> StoriesRun:
    if not changed:
        return StoriesRun("incremental", 0, 0, 0, 0, 0, {"url": 0, "text": 0})
    changed_articles = [item for kind, item, _ in changed if kind == "article"]
    present_articles = [item for kind, item, present in changed if kind == "article" and present]
    present_teasers = [item for kind, item, present in changed if kind == "teaser" and present]
    gone_teasers = [item for kind, item, present in changed if kind == "teaser" and not present]
    new_articles = _articles(conn, _ids("article_id"), [present_articles])
    with transaction(conn):
        # 2. the article keys first: the teasers linked again below find the articles of their key through them
        apply_changes(conn, "story_article_keys", _key_rows(new_articles), remove=changed_articles, key="article_id")
        relink = _teasers_to_relink(conn, present_teasers, changed_articles, new_articles)
        before = dict(
            conn.execute(
                "SELECT teaser_id, article_id FROM teaser_links WHERE teaser_id IN (SELECT unnest($1::VARCHAR[]))",
                [[t.teaser_id for t in relink] + gone_teasers],
            ).fetchall()
        )
        links = link_teasers(_link_candidates(conn, relink), relink)
        apply_changes(conn, "teaser_links", _link_rows(links), remove=[t.teaser_id for t in relink] + gone_teasers,
                      key="teaser_id")  # fmt: skip
        after = {link.teaser_id: link.article_id for link in links}
        moved = {t.teaser_id for t in relink if before.get(t.teaser_id) != after.get(t.teaser_id)}
        # 3. the closure of what changed
        seed_articles = set(present_articles) | {a for t in moved for a in (before.get(t), after.get(t)) if a}
        seed_teasers = set(present_teasers) | moved
        gone_stories = _stories_of(conn, [(kind, item) for kind, item, present in changed if not present])
        articles, teasers, stories = _closure(conn, seed_articles, seed_teasers, gone_stories)
        # 4. regroup it
        closure_articles = _articles(conn, _ids("article_id"), [sorted(articles)])
        closure_teasers = _teasers(conn, _ids("teaser_id"), [sorted(teasers)])
        closure_links = _stored_links(conn, sorted(teasers))
        previous = _previous(conn, stories)
        built = build_stories(closure_articles, closure_teasers, closure_links, previous)
        clash = _taken_elsewhere(conn, [s.story_id for s in built], stories)
        if clash:  # a new story's id is another story's (a hash collision): regroup everything instead
            raise _Clash(clash)
        versions = _versions(conn, articles, teasers)
        written = _write_stories(conn, built, versions, closure_articles, closure_teasers, remove=sorted(stories))
    log(
        f"incremental: {len(changed):,} items changed, {len(relink):,} teasers linked again, "
        f"{len(articles) + len(teasers):,} items regrouped into {len(built):,} stories (were {len(stories):,})"
    )
    return StoriesRun(
        "incremental", len(changed), len(articles) + len(teasers), written, len(stories), len(relink), _by_method(links)
    )


class _Clash(RuntimeError):
    pass


def _changed(conn) -> list[tuple[str, str, bool]]:
    """(item_kind, item_id, still there) of every item whose cluster or fields changed, or that came or went."""
    return conn.execute(
        f"""
        SELECT coalesce(c.item_kind, m.item_kind), coalesce(c.item_id, m.item_id), c.item_id IS NOT NULL
        FROM ({CURRENT_SQL}) c FULL JOIN story_members m USING (item_kind, item_id)
        WHERE c.cluster_id IS DISTINCT FROM m.cluster_id OR c.version IS DISTINCT FROM m.version
        ORDER BY ALL
        """
    ).fetchall()


def _articles(conn, where: str, params: list) -> list[StoryArticle]:
    """The articles (with their cluster) that meet `where`, a condition on `ARTICLES_SQL`'s columns."""
    return [
        StoryArticle(*row) for row in conn.execute(f"SELECT * FROM ({ARTICLES_SQL}) WHERE {where}", params).fetchall()
    ]


def _teasers(conn, where: str, params: list) -> list[StoryTeaser]:
    """The teasers (with their cluster) that meet `where`, a condition on `TEASERS_SQL`'s columns."""
    return [
        StoryTeaser(*row) for row in conn.execute(f"SELECT * FROM ({TEASERS_SQL}) WHERE {where}", params).fetchall()
    ]


def _ids(column: str) -> str:
    return f"{column} IN (SELECT unnest(?::VARCHAR[]))"


def _teasers_to_relink(conn, present: list[str], changed_articles: list[str], new_articles: list[StoryArticle]):
    """The teasers whose link may differ from the stored one: changed ones, those linked to a changed article,
    those with a changed article's link key, and those within the text-link window of a changed article."""
    keys = sorted({key for a in new_articles if (key := link_key(a.url))})
    windows = _windows(a.dated for a in new_articles if a.dated is not None)
    near = " OR ".join("coalesce(published_at, seen_at) BETWEEN ? AND ?" for _ in windows) or "false"
    return _teasers(
        conn,
        f"""{_ids("teaser_id")}
            OR teaser_id IN (SELECT teaser_id FROM teaser_links WHERE {_ids("article_id")})
            OR teaser_id IN (SELECT item_id FROM dedup_items WHERE item_kind = 'teaser' AND {_ids("link_key")})
            OR {near}""",
        [present, changed_articles, keys, *[bound for window in windows for bound in window]],
    )


def _link_candidates(conn, teasers: list[StoryTeaser]) -> list[StoryArticle]:
    """Every article that can be the link of one of `teasers`: those of their link keys, those within the
    text-link window of them, and undated ones (all of them for an undated teaser)."""
    if not teasers:
        return []
    if any(t.dated is None for t in teasers):
        return _articles(conn, "true", [])
    keys = sorted({key for t in teasers if (key := link_key(t.url))})
    windows = _windows(t.dated for t in teasers)
    near = " OR ".join("dated BETWEEN ? AND ?" for _ in windows)
    return _articles(
        conn,
        f"article_id IN (SELECT article_id FROM story_article_keys WHERE {_ids('link_key')}) OR {near} OR dated IS NULL",
        [keys, *[bound for window in windows for bound in window]],
    )


def _windows(moments: Iterable) -> list[tuple]:
    """The text-link windows around `moments`, merged where they overlap (a day's items make one window)."""
    merged: list[list] = []
    for moment in sorted(moments):
        low, high = moment - TEXT_LINK_WINDOW - timedelta(seconds=1), moment + TEXT_LINK_WINDOW + timedelta(seconds=1)
        if merged and low <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    return [tuple(window) for window in merged]


def _closure(conn, articles: set[str], teasers: set[str], stories: set[str]) -> tuple[set, set, set]:
    """Articles, teasers and earlier stories closed over clusters, earlier stories and links."""
    while True:
        found = conn.execute(
            """
            WITH seed AS (SELECT 'article' AS item_kind, unnest($1::VARCHAR[]) AS item_id
                          UNION ALL SELECT 'teaser', unnest($2::VARCHAR[])),
                 clusters AS (SELECT DISTINCT c.cluster_id FROM dedup_clusters c JOIN seed USING (item_kind, item_id)),
                 earlier AS (SELECT DISTINCT story_id FROM story_members JOIN seed USING (item_kind, item_id)
                             UNION SELECT unnest($3::VARCHAR[])),
                 items AS (SELECT item_kind, item_id FROM dedup_clusters WHERE cluster_id IN (SELECT * FROM clusters)
                           UNION SELECT item_kind, item_id FROM story_members WHERE story_id IN (SELECT * FROM earlier)
                           UNION SELECT * FROM seed),
                 linked AS (SELECT 'teaser' AS item_kind, l.teaser_id AS item_id FROM teaser_links l
                            JOIN items i ON i.item_kind = 'article' AND i.item_id = l.article_id
                            UNION SELECT 'article', l.article_id FROM teaser_links l
                            JOIN items i ON i.item_kind = 'teaser' AND i.item_id = l.teaser_id)
            SELECT item_kind, item_id, NULL FROM (SELECT * FROM items UNION SELECT * FROM linked)
            UNION ALL SELECT NULL, NULL, story_id FROM earlier
            """,
            [sorted(articles), sorted(teasers), sorted(stories)],
        ).fetchall()
        grown_articles = {item for kind, item, _ in found if kind == "article"}
        grown_teasers = {item for kind, item, _ in found if kind == "teaser"}
        grown_stories = {story for kind, _, story in found if kind is None}
        if (grown_articles, grown_teasers, grown_stories) == (articles, teasers, stories):
            return articles, teasers, stories
        articles, teasers, stories = grown_articles, grown_teasers, grown_stories


def _stories_of(conn, items: list[tuple[str, str]]) -> set[str]:
    """The earlier stories of `items` ((item_kind, item_id))."""
    rows = conn.execute(
        """SELECT DISTINCT m.story_id FROM story_members m
           JOIN (SELECT unnest($1::VARCHAR[]) AS item_kind, unnest($2::VARCHAR[]) AS item_id) i
           USING (item_kind, item_id)""",
        [[k for k, _ in items], [i for _, i in items]],
    ).fetchall()
    return {story for (story,) in rows}


def _stored_links(conn, teasers: list[str]) -> list[TeaserLink]:
    rows = conn.execute(
        "SELECT teaser_id, article_id, method, score FROM teaser_links WHERE teaser_id IN (SELECT unnest($1::VARCHAR[]))",
        [teasers],
    ).fetchall()
    return [TeaserLink(*row) for row in rows]


def _previous(conn, stories: set[str] | None) -> dict[tuple[str, str], str]:
    """(item_kind, item_id) → story_id of the last run, for ids that survive (of `stories` only, when given)."""
    if needs_rebuild(conn, "story_members"):
        return {}
    if stories is None:
        rows = conn.execute("SELECT item_kind, item_id, story_id FROM story_members").fetchall()
    else:
        rows = conn.execute(
            "SELECT item_kind, item_id, story_id FROM story_members WHERE story_id IN (SELECT unnest($1::VARCHAR[]))",
            [sorted(stories)],
        ).fetchall()
    return {(kind, item): story for kind, item, story in rows}


def _taken_elsewhere(conn, story_ids: list[str], replaced: set[str]) -> list[str]:
    rows = conn.execute(
        "SELECT story_id FROM stories WHERE story_id IN (SELECT unnest($1::VARCHAR[])) "
        "AND story_id NOT IN (SELECT unnest($2::VARCHAR[]))",
        [story_ids, sorted(replaced)],
    ).fetchall()
    return [story for (story,) in rows]


def _versions(conn, articles: set[str], teasers: set[str]) -> dict[tuple[str, str], str]:
    rows = conn.execute(
        f"""SELECT item_kind, item_id, version FROM ({CURRENT_SQL})
            WHERE (item_kind = 'article' AND item_id IN (SELECT unnest($1::VARCHAR[])))
               OR (item_kind = 'teaser' AND item_id IN (SELECT unnest($2::VARCHAR[])))""",
        [sorted(articles), sorted(teasers)],
    ).fetchall()
    return {(kind, item): version for kind, item, version in rows}


def _write_stories(conn, built: list[Story], versions, articles, teasers, remove: list[str] | None) -> int:
    """`built` into `stories` and `story_members` (replacing the stories `remove`, or everything when None)."""
    cluster_of = {("article", a.article_id): a.cluster_id for a in articles} | {
        ("teaser", t.teaser_id): t.cluster_id for t in teasers
    }
    members = [
        {"story_id": s.story_id, "item_kind": kind, "item_id": item, "cluster_id": cluster_of[kind, item],
         "version": versions[kind, item]}
        for s in built
        for kind, item in s.members
    ]  # fmt: skip
    rebuild = remove is None
    apply_changes(conn, "stories", [story_row(s) for s in built], remove=remove or (), key="story_id", rebuild=rebuild)
    apply_changes(conn, "story_members", members, remove=remove or (), key="story_id", rebuild=rebuild)
    return len(built)


def story_row(story: Story) -> dict[str, object]:
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


def _link_rows(links) -> list[dict]:
    return [{"teaser_id": k.teaser_id, "article_id": k.article_id, "method": k.method, "score": k.score} for k in links]


def _key_rows(articles: Iterable[StoryArticle]) -> list[dict]:
    return [{"article_id": a.article_id, "link_key": key} for a in articles if (key := link_key(a.url))]


def _by_method(links) -> dict[str, int]:
    return {method: sum(1 for link in links if link.method == method) for method in ("url", "text")}
