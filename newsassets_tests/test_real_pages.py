"""Real pages never stop the pipeline: the whole graph over real news (a sample of ../shared/realdata's Dutch
articles, every fundus page, the Zyte benchmark, the German fronts and the seeds) runs green and publishes; and
a broken extractor, not a few odd pages, is what makes a quality check block."""

import shutil

import duckdb
import pytest

from newsassets import cleaning
from newsassets.pipeline.resources import NewsStore, QualityLimits, RawFolder
from newsassets.quality import ARTICLE_RULES, TEASER_RULES
from newsassets.teasers import RailSplit

from .conftest import SEED_DIR, materialise, require_shared, warnings_and_failures


def query(database, sql):
    with duckdb.connect(str(database), read_only=True) as conn:
        return conn.execute(sql).fetchall()


@pytest.mark.slow
def test_a_real_mixed_folder_runs_green_and_publishes(tmp_path):
    from newsassets.evaluate.realdata import write_mixed_folder

    require_shared("realdata", "dutch_articles", "articles.jsonl.gz")
    require_shared("extraction", "zyte", "ground-truth.json")
    counts = write_mixed_folder(tmp_path / "raw", dutch=500)
    assert counts == {"dutch_articles": 500, "fundus_pages": 149, "zyte": 181, "fronts": 27, "seeds": 5}
    database = tmp_path / "news.duckdb"
    resources = {"raw_folder": RawFolder(path=str(tmp_path / "raw")), "store": NewsStore(database=str(database))}

    result = materialise(resources)

    assert result.success and database.exists()
    _, failed = warnings_and_failures(result)
    assert failed == {}
    assert {m.asset_key.to_user_string() for m in result.get_asset_materialization_events()} >= {
        "raw_documents", "articles", "teasers", "dedup_clusters"
    }  # fmt: skip
    kinds = dict(query(database, "SELECT coalesce(page_kind, status), count(*) FROM raw_documents GROUP BY 1"))
    assert kinds["front"] == 27 and kinds["article"] >= 830 and kinds.get("rejected", 0) <= 3
    assert query(database, "SELECT count(*) FROM articles a JOIN raw_documents r USING (doc_id) "
                           "WHERE r.page_kind = 'front'") == [(0,)]  # fmt: skip
    cards, with_url = query(database, "SELECT count(*), count(t.url) FROM teasers t JOIN raw_documents r "
                                      "USING (doc_id) WHERE r.page_kind = 'front'")[0]  # fmt: skip
    assert cards > 2000 and with_url == cards
    # the standfirsts of the HTML article pages (47 of fundus's 149 and 31 of Zyte's 181), never twice in a row
    summaries, doubled = query(database, "SELECT count(summary), count(*) FILTER (WHERE contains(body, summary)) "
                                         "FROM articles")[0]  # fmt: skip
    assert summaries >= 60 and doubled == 0
    print("\nflagged rows per rule over the real mixed folder:")
    for table, rules in (("articles", ARTICLE_RULES), ("teasers", TEASER_RULES)):
        total = query(database, f"SELECT count(*) FROM {table}")[0][0]
        flagged = dict(
            query(database, f"SELECT f, count(*) FROM (SELECT unnest(quality_flags) f FROM {table}) GROUP BY 1")
        )
        for rule in rules:
            print(f"  {table}.{rule}: {flagged.get(rule, 0)} of {total}")
        for rule in ("boilerplate", "rail_heading", "teaser_age", "teaser_dateline"):
            assert flagged.get(rule, 0) <= 0.005 * total, (table, rule)


def test_a_broken_extractor_makes_the_rate_check_block(tmp_path, monkeypatch):
    """An extractor that leaves the teaser rail in every body: most articles are flagged, the check fails as a
    blocking ERROR, dedup_clusters does not run and nothing is published."""
    raw = tmp_path / "raw"
    for copy in ("a", "b", "c"):
        shutil.copytree(SEED_DIR, raw / copy)
    monkeypatch.setenv("NEWSASSETS_WORKERS", "1")  # the broken extractor is patched into this process only
    monkeypatch.setattr(cleaning, "split_rail", lambda text: RailSplit(text, None, ""))
    database = tmp_path / "news.duckdb"
    resources = {"raw_folder": RawFolder(path=str(raw)), "store": NewsStore(database=str(database))}

    result = materialise(resources)

    assert not result.success
    _, failed = warnings_and_failures(result)
    assert list(failed) == ["article_quality"]
    metadata = failed["article_quality"].metadata
    assert "rail_heading" in metadata["broken_rules"].value and metadata["flagged_rail_heading"].value == 12
    assert (
        "Meer uit Buitenland" in metadata["examples"].value
        and "a/000_beb3d9466c74ae58.txt" in metadata["examples"].value
    )
    assert result.asset_materializations_for_node("dedup_clusters") == []
    assert not database.exists()  # the published snapshot is only written by a pass that got through


def test_a_few_odd_pages_only_warn(tmp_path, monkeypatch):
    """The same broken pages, but a table where they are fewer than the row floor: flagged and counted, no block."""
    raw = tmp_path / "raw"
    shutil.copytree(SEED_DIR, raw)
    monkeypatch.setenv("NEWSASSETS_WORKERS", "1")  # the broken extractor is patched into this process only
    monkeypatch.setattr(cleaning, "split_rail", lambda text: RailSplit(text, None, ""))
    database = tmp_path / "news.duckdb"
    resources = {
        "raw_folder": RawFolder(path=str(raw)),
        "store": NewsStore(database=str(database)),
        "quality": QualityLimits(flag_rate_limit=0.02, flag_min_rows=5),
    }
    result = materialise(resources)
    assert result.success and database.exists()
    warned, failed = warnings_and_failures(result)
    assert failed == {} and warned["article_quality"].metadata["flagged_rail_heading"].value == 4
    flagged = query(database, "SELECT count(*) FROM articles WHERE list_contains(quality_flags, 'rail_heading')")
    assert flagged == [(4,)]
