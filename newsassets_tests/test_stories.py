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


FIXTURES = Path(__file__).parent / "fixtures" / "html"
FRONT_URL = "https://www.nieuwsblad.example/"
ARTICLE_PAGE = """<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:type" content="article"><meta property="og:title" content="{title}">
<meta property="article:published_time" content="{published}"></head>
<body><article><h1>{title}</h1><p>{lede}</p><p>{more}</p></article></body></html>"""


def add_page(raw_dir: Path, name: str, content: str, url: str, fetched_at: str) -> None:
    (raw_dir / name).write_text(content, encoding="utf-8")
    (raw_dir / f"{name}.meta.json").write_text(f'{{"url": "{url}", "fetched_at": "{fetched_at}"}}')


def stories_tables(database: Path) -> dict[str, list]:
    with duckdb.connect(str(database), read_only=True) as conn:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
            for table in ("stories", "story_members", "teaser_links")
        }


def test_incremental_stories_equal_a_full_regrouping_after_every_change(resources, raw_dir):
    """Fronts captured twice, the articles their cards link to arriving later, a page removed: after each change
    the incremental stage's tables are the ones a full regrouping of everything gives."""
    from newsassets.definitions import build_definitions

    def regroup_fully() -> dict[str, list]:
        job = build_definitions(resources).resolve_job_def("refresh_news")
        assert job.execute_in_process(run_config={"ops": {"stories": {"config": {"full_refresh": True}}}}).success
        return stories_tables(resources["store"].path())

    front = (FIXTURES / "front_list_nl.html").read_text()
    add_page(raw_dir, "front1.html", front, FRONT_URL, "2026-01-24T12:00:00Z")
    steps = [
        lambda: add_page(raw_dir, "front2.html", front.replace("Ajax wint ruim", "Ajax wint overtuigend"),
                         FRONT_URL, "2026-01-24T15:00:00Z"),
        lambda: add_page(
            raw_dir, "dijken.html",
            ARTICLE_PAGE.format(title="Kabinet presenteert plan voor versterking van dijken in Zeeland",
                                published="2026-01-24T09:30:00Z", lede="Het kabinet wil 600 kilometer dijk versterken.",
                                more="Zeeland krijgt het meeste geld, zegt de minister in Den Haag."),
            "https://www.nieuwsblad.example/binnenland/6310001/kabinet-presenteert-plan-voor-dijkversterking.html",
            "2026-01-24T16:00:00Z",
        ),
        lambda: add_page(
            raw_dir, "inflatie.html",
            ARTICLE_PAGE.format(title="Inflatie daalt in december naar twee procent, meldt het CBS",
                                published="2026-01-24T08:00:00Z", lede="De inflatie kwam in december uit op twee procent.",
                                more="Vooral energie werd goedkoper, meldt het Centraal Bureau voor de Statistiek."),
            "https://www.andere-krant.example/economie/inflatie-daalt", "2026-01-24T16:05:00Z",
        ),
        lambda: [(raw_dir / name).unlink() for name in ("front1.html", "front1.html.meta.json")],
    ]  # fmt: skip
    assert materialise(resources).success
    for step in steps:
        step()
        result = materialise(resources)
        assert result.success
        (event,) = [
            e.event_specific_data.materialization
            for e in result.all_events
            if e.event_type_value == "ASSET_MATERIALIZATION" and e.asset_key.path == ["stories"]
        ]
        assert event.metadata["mode"].value == "incremental"
        incremental = stories_tables(resources["store"].path())
        assert regroup_fully() == incremental
    final = stories_tables(resources["store"].path())
    by_method = {method for _, _, method, _ in final["teaser_links"]}
    assert by_method == {"url", "text"}  # the dijken page by its link, the inflation page by its words
