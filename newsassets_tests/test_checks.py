"""Each structural check passes on the seeds and fails, naming the offending rows, on data broken in its own way;
the content-quality checks warn on flagged rows and block only at a rate that means broken code."""

import shutil
from pathlib import Path

import duckdb
import pytest

from newsassets.definitions import CHECKS
from newsassets.pipeline.articles import article_quality
from newsassets.pipeline.raw_documents import every_raw_file_accounted_for
from newsassets.pipeline.resources import NewsStore, QualityLimits
from newsassets.pipeline.teasers import teaser_quality

from .conftest import materialise


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """Resources over a materialised copy of the seeds, made once for this module."""
    from newsassets.pipeline.resources import RawFolder

    from .conftest import SEED_DIR

    root = tmp_path_factory.mktemp("seeded")
    shutil.copytree(SEED_DIR, root / "raw")
    resources = {
        "raw_folder": RawFolder(path=str(root / "raw")),
        "store": NewsStore(database=str(root / "news.duckdb")),
    }
    assert materialise(resources).success
    return resources


@pytest.fixture
def broken(seeded, tmp_path):
    """A private copy of the seeded database and a way to break it with SQL."""
    database = tmp_path / "broken.work.duckdb"  # the checks read the working database, with its internal tables
    shutil.copy(seeded["store"].work_path(), database)
    store = NewsStore(database=str(tmp_path / "broken.duckdb"), work_database=str(database))

    def apply(sql: str) -> dict[str, object]:
        with duckdb.connect(str(database)) as conn:
            conn.execute(sql)
        return {"raw_folder": seeded["raw_folder"], "store": store}

    return apply


def run(check, resources, quality: QualityLimits | None = None):
    available = {**resources, "quality": quality or QualityLimits()}
    return check(**{name: available[name] for name in check.required_resource_keys if name in available})


QUALITY_CHECKS = [article_quality, teaser_quality]
STRUCTURAL_CHECKS = [c for c in CHECKS if c not in QUALITY_CHECKS]


@pytest.mark.parametrize("check", STRUCTURAL_CHECKS, ids=lambda c: c.check_key.name)
def test_every_structural_check_passes_on_the_seeds(check, seeded):
    result = run(check, seeded)
    assert result.passed, result.metadata


CASES = {
    "every_raw_file_accounted_for": "DELETE FROM raw_documents WHERE source_path LIKE '003%'",
    "raw_rows_valid": "UPDATE raw_documents SET status = 'rejected', error = NULL, content = NULL WHERE source_path LIKE '001%'",
    "one_article_per_ok_document": "INSERT INTO articles SELECT * FROM articles LIMIT 1",
    "article_bodies_non_empty": "UPDATE articles SET body = '', word_count = 0 WHERE title LIKE 'Lavrov%'",
    "teaser_positions_contiguous": "UPDATE teasers SET position = 9 WHERE position = 3 AND dateline = 'TEHERAN'",
    "every_item_clustered_once": "DELETE FROM dedup_clusters WHERE item_id = (SELECT min(item_id) FROM dedup_clusters WHERE cluster_size = 1)",
    "edges_explain_every_merge": "DELETE FROM dedup_edges WHERE item_kind = 'article'",
    "clusters_well_formed": "UPDATE dedup_clusters SET is_representative = true, similarity = 1.5 WHERE cluster_size = 2",
    "every_item_in_one_story": "DELETE FROM story_members WHERE item_kind = 'article'",
    "stories_agree_with_their_members": "UPDATE stories SET n_articles = 5, timeline = list_reverse(timeline) WHERE n_articles = 2",
    "links_point_to_articles": "INSERT INTO teaser_links SELECT teaser_id, 'no-such-article', 'url', 1.0 FROM teasers LIMIT 1",
}


@pytest.mark.parametrize("check", STRUCTURAL_CHECKS, ids=lambda c: c.check_key.name)
def test_every_structural_check_fails_on_bad_data_and_names_the_rows_files(check, broken):
    result = run(check, broken(CASES[check.check_key.name]))
    assert not result.passed and result.severity.value == "ERROR"
    assert result.metadata["problems"].value > 0
    examples = result.metadata["examples"].value  # a Markdown table of the offending rows, with their files
    assert "| source_path |" in examples.splitlines()[0].replace("source_path | url", "source_path |")
    assert ".txt" in examples or check.check_key.name == "every_item_clustered_once"


def test_article_quality_warns_on_the_seeds_untitled_page_and_names_it(seeded):
    result = run(article_quality, seeded)
    assert not result.passed and result.severity.value == "WARN"  # seed 001 is a dump without a title line
    assert result.metadata["flagged_no_title"].value == 1 and result.metadata["flagged_teaser_age"].value == 0
    assert "001_df3f7d5a196ad195.txt" in result.metadata["examples"].value


def test_teaser_quality_passes_on_the_seeds(seeded):
    result = run(teaser_quality, seeded)
    assert result.passed, result.metadata
    assert result.metadata["rows"].value == 28


def test_a_quality_rule_over_its_rate_blocks(seeded, broken):
    """A rule flagging most rows is a broken extractor: ERROR, blocking. Below the row floor it only warns."""
    resources = broken("UPDATE articles SET quality_flags = ['rail_heading'] WHERE title IS NOT NULL")
    result = run(article_quality, resources, QualityLimits(flag_rate_limit=0.02, flag_min_rows=4))
    assert not result.passed and result.severity.value == "ERROR"
    assert result.metadata["broken_rules"].value == "rail_heading"
    assert result.metadata["rate_rail_heading"].value == 0.8
    result = run(article_quality, resources, QualityLimits(flag_rate_limit=0.02, flag_min_rows=5))
    assert not result.passed and result.severity.value == "WARN"


def test_input_rules_never_block_whatever_their_rate(broken):
    """A corpus of dumps without title lines is no broken code: `no_title` on every row only warns."""
    resources = broken("UPDATE articles SET quality_flags = ['no_title', 'short_body']")
    result = run(article_quality, resources, QualityLimits(flag_rate_limit=0.02, flag_min_rows=1))
    assert not result.passed and result.severity.value == "WARN"
    assert result.metadata["rate_no_title"].value == 1.0


def test_a_file_that_arrives_after_the_run_listed_the_folder_waits_for_the_next_run(seeded, broken):
    """The check judges the listing the raw stage used: a scraper adding files during a run never fails it."""
    resources = broken("SELECT 1")
    late = Path(seeded["raw_folder"].path) / "late.txt"
    late.write_text("Nieuw bericht\n\nDAN HAAG (ANP) - Een bericht dat tijdens de run binnenkwam.")
    try:
        assert run(every_raw_file_accounted_for, resources).passed
    finally:
        late.unlink()


def test_a_listed_file_without_a_row_names_the_file(broken):
    result = run(every_raw_file_accounted_for, broken("DELETE FROM raw_documents WHERE source_path LIKE '003%'"))
    assert not result.passed
    assert "003_eab8592e6b0748d9.txt" in result.metadata["examples"].value
    assert "listed by the run but not in raw_documents" in result.metadata["examples"].value


def test_every_check_is_blocking_so_a_broken_rate_stops_dedup():
    assert all(spec.blocking for c in CHECKS for spec in c.check_specs)
