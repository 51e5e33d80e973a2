"""Each check passes on the seeds and fails, naming the offending rows, on data broken in its own way."""

import shutil

import duckdb
import pytest

from newsassets.cleaning import leakage_in
from newsassets.definitions import CHECKS
from newsassets.pipeline.raw_documents import every_raw_file_accounted_for
from newsassets.pipeline.resources import NewsStore

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
    database = tmp_path / "broken.duckdb"
    shutil.copy(seeded["store"].database, database)
    store = NewsStore(database=str(database))

    def apply(sql: str) -> dict[str, object]:
        with duckdb.connect(str(database)) as conn:
            conn.execute(sql)
        return {"raw_folder": seeded["raw_folder"], "store": store}

    return apply


def run(check, resources):
    wanted = {name: resources[name] for name in ("raw_folder", "store") if name in check.required_resource_keys}
    return check(**wanted)


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.check_key.name)
def test_every_check_passes_on_the_seeds(check, seeded):
    result = run(check, seeded)
    assert result.passed, result.metadata


CASES = {
    "every_raw_file_accounted_for": "DELETE FROM raw_documents WHERE source_path LIKE '003%'",
    "raw_rows_valid": "UPDATE raw_documents SET status = 'rejected', error = NULL, content = NULL WHERE source_path LIKE '001%'",
    "one_article_per_ok_document": "INSERT INTO articles SELECT * FROM articles LIMIT 1",
    "article_bodies_non_empty": "UPDATE articles SET body = '', word_count = 0 WHERE title LIKE 'Lavrov%'",
    "no_boilerplate_or_teaser_leakage": "UPDATE articles SET body = body || '\n\nMeer uit Buitenland\n\nKYIV (ANP/RTR) - Bijna 6000 gebouwen.' WHERE title LIKE 'Russen%'",
    "teaser_positions_contiguous": "UPDATE teasers SET position = 9 WHERE position = 3 AND dateline = 'TEHERAN'",
    "teasers_complete": "UPDATE teasers SET age_minutes = NULL, agencies = [] WHERE position = 2",
    "every_item_clustered_once": "DELETE FROM dedup_clusters WHERE item_id = (SELECT min(item_id) FROM dedup_clusters WHERE cluster_size = 1)",
    "clusters_well_formed": "UPDATE dedup_clusters SET is_representative = true, similarity = 1.5 WHERE cluster_size = 2",
}


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.check_key.name)
def test_every_check_fails_on_bad_data_and_names_the_rows(check, broken):
    result = run(check, broken(CASES[check.check_key.name]))
    assert not result.passed
    assert result.metadata["problems"].value > 0
    assert "|" in result.metadata["examples"].value  # a Markdown table of the offending rows


def test_a_new_file_on_disk_is_reported_as_not_read(seeded, broken, tmp_path):
    from newsassets.pipeline.resources import RawFolder

    raw = tmp_path / "raw"
    shutil.copytree(seeded["raw_folder"].path, raw)
    (raw / "late.txt").write_text("nieuw")
    resources = broken("SELECT 1")
    result = every_raw_file_accounted_for(raw_folder=RawFolder(path=str(raw)), store=resources["store"])
    assert not result.passed and "late.txt" in result.metadata["examples"].value


def test_teaser_completeness_only_warns_the_others_block():
    assert {c.check_key.name for c in CHECKS if not c.check_specs_by_output_name} == set()
    blocking = {spec.name: spec.blocking for c in CHECKS for spec in c.check_specs}
    assert not blocking.pop("teasers_complete")
    assert all(blocking.values())


def test_leakage_in_recognises_each_kind():
    assert leakage_in("Kies je webmail") == "boilerplate"
    assert leakage_in("Meer uit Buitenland") == "teaser rail heading"
    assert leakage_in("1 uur geledenKYIV (ANP/RTR) - Bijna") == "teaser age"
    assert leakage_in("de stad is -12 graden gemeten. 1 uur geleden") == "teaser age"
    assert leakage_in("KYIV (ANP/RTR) - Bijna 6000 gebouwen") == "teaser dateline"
    assert leakage_in("Twee dagen geleden zei hij dat het goed ging.") is None
