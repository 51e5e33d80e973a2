"""Stories: teasers linked to their articles, article and teaser clusters grouped, ids kept; on hand-made items
and on the seeds through the whole job."""

from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from newsassets.stories import StoryArticle, StoryTeaser, build_stories, link_teasers

from .conftest import materialise

T0 = datetime(2026, 1, 24, 8, 0)
TITLE = "Kabinet presenteert plan voor versterking van dijken"
LEDE = "DEN HAAG (ANP) - Het kabinet wil ruim zeshonderd kilometer dijken versterken, waarvan veel in Zeeland."


def article(article_id, cluster_id, site, hours=0, url=None, title=TITLE, lede=LEDE):
    return StoryArticle(article_id, f"d-{article_id}", cluster_id, title, lede, url, site, T0 + timedelta(hours=hours))


def teaser(teaser_id, cluster_id, site, hours, url=None, title=TITLE, text="", position=1, kind="front"):
    seen = T0 + timedelta(hours=hours)
    return StoryTeaser(teaser_id, f"p-{teaser_id}", cluster_id, title, text, url, site, seen, None, position, kind)


def test_a_teaser_links_by_its_url_first_whatever_its_words():
    articles = [article("a1", "c1", "nos.nl", url="https://nos.nl/artikel/2500001-kabinet-dijken")]
    teasers = [teaser("t1", "k1", "nos.nl", 1, url="http://www.nos.nl/artikel/2500001-nieuwe-kop?utm=x", title="Iets")]
    (link,) = link_teasers(articles, teasers)
    assert (link.teaser_id, link.article_id, link.method, link.score) == ("t1", "a1", "url", 1.0)


def test_a_teaser_without_a_link_links_by_its_words_within_a_week():
    articles = [article("a1", "c1", "nos.nl"), article("a2", "c2", "nu.nl", title="Ajax wint van PSV", lede="Sport.")]
    seed_like = teaser("t1", "k1", None, 2, text=LEDE.split(" - ", 1)[1])  # title and dateline paragraph
    late = teaser("t2", "k2", None, 24 * 8, text=LEDE.split(" - ", 1)[1])  # eight days on: another story's rail
    other = teaser("t3", "k3", None, 2, title="Storm zorgt voor schade in Zeeland en Brabant", text="")
    links = link_teasers(articles, [seed_like, late, other])
    assert [(k.teaser_id, k.article_id, k.method) for k in links] == [("t1", "a1", "text")]
    assert links[0].score >= 0.8


def test_a_story_is_an_article_cluster_with_the_teaser_clusters_that_promote_it():
    articles = [article("a1", "c1", "nos.nl", hours=1), article("a2", "c1", "nu.nl", hours=0)]
    teasers = [
        teaser("t1", "k1", "nos.nl", 2, url="https://nos.nl/x/1", position=3),
        teaser("t2", "k1", "nos.nl", 5, position=1),  # same cluster as t1: it goes with it
        teaser("t3", "k2", "ad.nl", 3, title="Ajax wint van PSV in de Klassieker", position=2),
    ]
    articles[0] = article("a1", "c1", "nos.nl", hours=1, url="https://nos.nl/x/1")
    stories = build_stories(articles, teasers, link_teasers(articles, teasers))
    assert len(stories) == 2
    story, alone = stories
    assert sorted(story.members) == [("article", "a1"), ("article", "a2"), ("teaser", "t1"), ("teaser", "t2")]
    assert (story.first_site, story.first_published_at) == ("nu.nl", T0)  # nu.nl had it an hour before nos.nl
    assert (story.sites, story.n_sites, story.n_articles, story.n_teaser_sightings) == (["nos.nl", "nu.nl"], 2, 2, 2)
    assert (story.first_seen_on_front, story.last_seen_on_front, story.best_position) == (
        T0 + timedelta(hours=2),
        T0 + timedelta(hours=5),
        1,
    )
    assert [(e["kind"], e["site"]) for e in story.timeline] == [
        ("article", "nu.nl"),
        ("article", "nos.nl"),
        ("teaser", "nos.nl"),
        ("teaser", "nos.nl"),
    ]
    assert alone.members == [("teaser", "t3")] and alone.n_articles == 0 and alone.title.startswith("Ajax")


def test_story_ids_survive_reruns_and_a_merge_keeps_the_older_id():
    first = [article("a1", "c1", "nos.nl", hours=0), article("a2", "c2", "nu.nl", hours=5)]
    before = build_stories(first, [], [])
    previous = {member: s.story_id for s in before for member in s.members}
    assert [s.story_id for s in build_stories(first, [], [], previous)] == [s.story_id for s in before]
    merged = build_stories([article("a1", "c1", "nos.nl", 0), article("a2", "c1", "nu.nl", 5)], [], [], previous)
    assert [s.story_id for s in merged] == [before[0].story_id]  # the older story's id
    new = build_stories([*first, article("a3", "c3", "ad.nl", 9)], [], [], previous)
    assert [s.story_id for s in new][:2] == [s.story_id for s in before] and new[2].story_id not in previous.values()


def test_the_seeds_make_their_stories_and_a_rerun_keeps_them(resources):
    assert materialise(resources).success
    database = resources["store"].path()
    with duckdb.connect(str(database), read_only=True) as conn:
        docs = dict(
            conn.execute("SELECT left(source_path, 3), doc_id FROM raw_documents ORDER BY source_path").fetchall()
        )
        by_story = conn.execute(
            """
            SELECT s.story_id, s.n_articles, s.n_teaser_sightings,
                   list_sort(list(coalesce(a.doc_id, t.doc_id))) AS pages
            FROM stories s JOIN story_members m USING (story_id)
            LEFT JOIN articles a ON m.item_kind = 'article' AND a.article_id = m.item_id
            LEFT JOIN teasers t ON m.item_kind = 'teaser' AND t.teaser_id = m.item_id
            GROUP BY ALL ORDER BY ALL
            """
        ).fetchall()
        ids = {story_id for story_id, *_ in by_story}
    # 000 and 001 tell one story: one story with two articles
    assert [row[1:] for row in by_story if row[1] == 2] == [(2, 0, sorted([docs["000"], docs["001"]]))]
    # the four teasers 000 and 002 share: four teaser-only stories, each sighted on both pages
    shared = [row for row in by_story if row[2] == 2]
    assert len(shared) == 4 and all(row[3] == sorted([docs["000"], docs["002"]]) for row in shared)
    assert sum(row[1] for row in by_story) == 5 and sum(row[2] for row in by_story) == 28  # every item, once
    rerun = materialise(resources)
    assert rerun.success
    with duckdb.connect(str(database), read_only=True) as conn:
        assert {row[0] for row in conn.execute("SELECT story_id FROM stories").fetchall()} == ids
    (materialization,) = [
        e.event_specific_data.materialization
        for e in rerun.all_events
        if e.event_type_value == "ASSET_MATERIALIZATION" and e.asset_key.path == ["stories"]
    ]
    assert materialization.metadata["stories_rewritten"].value == 0  # nothing changed, nothing rewritten
    with duckdb.connect(str(database), read_only=True) as conn:
        for query in cookbook():  # the README's queries run on the published tables
            conn.execute(query.replace("'…'", "(SELECT min(story_id) FROM stories)")).fetchall()


def cookbook() -> list[str]:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme[readme.index("### SQL cookbook") :]
    start = section.index("```sql") + len("```sql")
    queries = [q.strip() for q in section[start : section.index("```", start)].split(";") if q.strip()]
    assert len(queries) >= 4
    return queries
