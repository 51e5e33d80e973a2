"""Incremental runs: unchanged files are not read again, changes replace their rows, and the tables always
equal those of a full run over the same folder."""

import os
import shutil

import duckdb
import pytest

from newsassets.changes import plan_refresh
from newsassets.pipeline.resources import NewsStore

from .conftest import materialise, materialization

STAGES = ["raw_documents", "articles", "teasers"]
TABLES = ["raw_documents", "articles", "teasers", "dedup_clusters"]  # clusters last


def test_plan_refresh_sorts_keys_into_new_changed_unchanged_deleted():
    plan = plan_refresh({"a": "1", "b": "2", "c": None, "e": "5"}, {"a": "1", "b": "x", "c": None, "d": "4"})
    assert (plan.new, plan.changed, plan.unchanged, plan.deleted) == (["e"], ["b", "c"], ["a"], ["d"])
    assert (plan.todo, plan.stale) == (["e", "b", "c"], ["b", "c", "d"])


def counts(result):
    figures = {}
    for stage in STAGES:
        (event,) = result.asset_materializations_for_node(stage)
        figures[stage] = tuple(event.metadata[k].value for k in ("new", "changed", "unchanged", "deleted"))
    return figures


def snapshot(database):
    """Every table's rows; for clusters the partition only, since ids that survive incremental runs may
    differ from those a run from scratch would mint."""
    with duckdb.connect(str(database), read_only=True) as conn:
        tables = {table: conn.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall() for table in TABLES[:-1]}
        tables["clusters"] = conn.execute(
            "SELECT list_sort(list(item_kind || ':' || item_id)) AS members FROM dedup_clusters "
            "GROUP BY cluster_id ORDER BY members"
        ).fetchall()
    return tables


def full_run_snapshot(raw_dir, tmp_path):
    resources = {"raw_folder": __import__("newsassets").pipeline.resources.RawFolder(path=str(raw_dir))}
    resources["store"] = NewsStore(database=str(tmp_path / "full.duckdb"))
    assert materialise(resources).success
    return snapshot(tmp_path / "full.duckdb")


def test_a_rerun_without_changes_reads_and_cleans_nothing(resources):
    assert materialise(resources).success
    before = snapshot(resources["store"].database)
    result = materialise(resources)
    assert result.success
    assert counts(result) == {"raw_documents": (0, 0, 5, 0), "articles": (0, 0, 5, 0), "teasers": (0, 0, 5, 0)}
    # the previews show the tables as they are, not what this run changed (nothing)
    assert "Russen boos" in materialization(result, "articles").metadata["preview"].value
    assert "23 more rows" in materialization(result, "teasers").metadata["preview"].value
    assert "003_eab8592e6b0748d9.txt" in materialization(result, "raw_documents").metadata["preview"].value
    dedup = materialization(result, "dedup_clusters")
    assert [dedup.metadata[k].value for k in ("new", "changed", "unchanged", "deleted", "mode")] == [
        0,
        0,
        33,
        0,
        "unchanged",
    ]
    assert snapshot(resources["store"].database) == before


def test_added_changed_touched_and_deleted_files(resources, raw_dir, tmp_path):
    assert materialise(resources).success
    seeds = {path.name[:3]: path for path in raw_dir.glob("*.txt")}
    shutil.copy(seeds["003"], raw_dir / "005_new.txt")  # added
    seeds["004"].write_text(seeds["004"].read_text().replace("Kremlin", "Kreml"))  # changed
    stat = seeds["002"].stat()
    os.utime(seeds["002"], ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # touched, same content
    seeds["001"].unlink()  # deleted
    result = materialise(resources)
    assert result.success
    assert counts(result) == {
        "raw_documents": (1, 1, 3, 1),
        # the touched page's capture time is its sidecar's, so nothing downstream of it moves
        "articles": (1, 1, 3, 1),
        "teasers": (1, 1, 3, 1),
    }
    assert snapshot(resources["store"].database) == full_run_snapshot(raw_dir, tmp_path)


def test_a_touched_page_without_a_sidecar_is_dated_anew(resources, raw_dir):
    """Without a sidecar the capture time is the file's mtime: touching the page moves its teasers' dates, and
    its article's date is judged again against it."""
    page = next(raw_dir.glob("002_*.txt"))
    page.with_name(page.name + ".meta.json").unlink()
    assert materialise(resources).success
    stat = page.stat()
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    result = materialise(resources)
    # raw_documents counts a touched page with the same content as unchanged; what reads its capture time redoes it
    assert counts(result) == {"raw_documents": (0, 0, 5, 0), "articles": (0, 1, 4, 0), "teasers": (0, 1, 4, 0)}


def test_full_refresh_reprocesses_everything(resources):
    assert materialise(resources).success
    from newsassets.definitions import build_definitions

    job = build_definitions(resources).resolve_job_def("refresh_news")
    config = {"ops": {stage: {"config": {"full_refresh": True}} for stage in STAGES}}
    result = job.execute_in_process(run_config=config)
    assert result.success
    assert counts(result) == dict.fromkeys(STAGES, (5, 0, 0, 0))


@pytest.mark.parametrize("stage", STAGES)
def test_a_table_written_by_an_older_version_is_rebuilt(resources, stage):
    assert materialise(resources).success
    with duckdb.connect(str(resources["store"].work_path())) as conn:  # runs write the working database
        conn.execute(
            f"ALTER TABLE {stage} DROP COLUMN {'file_signature' if stage == 'raw_documents' else 'source_version'}"
        )
    result = materialise(resources)
    assert result.success
    assert counts(result)[stage][0] == 5
