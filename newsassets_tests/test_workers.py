"""The worker pool: results in order whatever the worker count, a dying worker costs one item, the time limit holds
in a worker, items are streamed; and the pipeline writes the same tables with one worker and with two."""

import json
import os
import shutil
import time
from itertools import count

import duckdb
import pytest

from newsassets.limits import DocumentTimeout, time_limit
from newsassets.schema import TABLES
from newsassets.workers import WAITING_PER_WORKER, Crashed, Done, map_in_order

from .conftest import PROJECT_ROOT, materialise, materialization, require_shared


def square_unless_seven(number: int) -> int:
    if number == 7:
        os._exit(3)  # what a segfault in a parser looks like to the pool: the process is gone
    return number * number


def sleep_under_limit(seconds: float) -> tuple[str, float]:
    """What became of a sleep under a 0.3 s limit, and how long it took inside the worker."""
    started = time.monotonic()
    try:
        with time_limit(0.3):
            time.sleep(seconds)
            return "done", time.monotonic() - started
    except DocumentTimeout:
        return "timeout", time.monotonic() - started


def worker_pid(_: object) -> int:
    return os.getpid()


@pytest.mark.parametrize("workers", [1, 2])
def test_results_come_back_in_order_with_known_results_in_their_place(workers):
    items = [3, Done("known"), 1, 2, Done(None), *range(10, 40)]
    results = list(map_in_order(square_unless_seven, items, workers, chunk_size=3))
    assert results == [9, "known", 1, 4, None, *(n * n for n in range(10, 40))]


def test_the_work_runs_in_other_processes():
    assert os.getpid() not in set(map_in_order(worker_pid, range(20), 2))
    assert set(map_in_order(worker_pid, range(5), 1)) == {os.getpid()}


def test_a_worker_that_dies_costs_only_its_own_item():
    results = list(map_in_order(square_unless_seven, [*range(1, 20), 7, 2], 2, chunk_size=4))
    crashed = [i for i, r in enumerate(results) if isinstance(r, Crashed)]
    assert crashed == [6, 19]  # the two sevens
    assert "died" in results[6].reason
    assert [r for r in results if not isinstance(r, Crashed)] == [n * n for n in [*range(1, 20), 2] if n != 7]


def test_the_time_limit_holds_inside_a_worker():
    results = list(map_in_order(sleep_under_limit, [5, 0, 5], 2))
    assert [outcome for outcome, _ in results] == ["timeout", "done", "timeout"]
    # the limit cuts the sleep short, not after it: timed inside the worker, where starting processes costs nothing
    assert all(seconds < 2.5 for _, seconds in results)


def test_items_are_pulled_as_the_workers_need_them_not_all_at_once():
    pulled = count()

    def items():
        for number in range(10_000):
            next(pulled)
            yield number

    results = map_in_order(abs, items(), 2, chunk_size=2)
    assert next(results) == 0
    waiting = next(pulled)
    assert waiting <= 2 * (1 + WAITING_PER_WORKER) * 2 + 2  # a bounded window of chunks, not the folder
    assert sum(1 for _ in results) == 9_999


# ------------------------------------------------------------------------------------------------ the pipeline


def _mixed_folder(raw_dir):
    """The seeds (already there), the hand-made HTML fixtures and, where ../shared is present, a few real pages of
    every kind: fundus articles, a Zyte page, fronts."""
    for page in sorted((PROJECT_ROOT / "newsassets_tests" / "fixtures" / "html").glob("*.html")):
        shutil.copyfile(page, raw_dir / page.name)
    try:
        realdata = require_shared("realdata")
    except pytest.skip.Exception:
        return
    from newsassets.evaluate.realdata import front_pages, fundus_pages

    for page, meta in [*fundus_pages(realdata)[::15], *front_pages(realdata)[:4]]:
        copy = raw_dir / f"{page.parent.name}__{page.name}"
        shutil.copyfile(page, copy)
        sidecar = {"url": meta.get("url"), "fetched_at": meta.get("fetched_at") or meta.get("crawl_date")}
        copy.with_name(copy.name + ".meta.json").write_text(json.dumps(sidecar))


_VARYING = {"judge_seconds", "written_in"}


def _tables(database) -> dict[str, list]:
    """Every table's rows in stored order (judge_seconds, a time, and written_in, the run that wrote a row, aside)."""
    with duckdb.connect(str(database), read_only=True) as conn:
        return {
            table: conn.execute(f"SELECT {', '.join(c for c in columns if c not in _VARYING)} FROM {table}").fetchall()
            for table, columns in TABLES.items()
            if conn.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [table]).fetchone()[0]
        }


def test_the_pipeline_writes_the_same_rows_in_the_same_order_with_one_and_two_workers(
    tmp_path, raw_dir, resources, monkeypatch
):
    _mixed_folder(raw_dir)
    tables = {}
    for workers in (1, 2):
        monkeypatch.setenv("NEWSASSETS_WORKERS", str(workers))
        store = type(resources["store"])(database=str(tmp_path / f"news-{workers}.duckdb"))
        result = materialise({**resources, "store": store})
        assert result.success
        assert materialization(result, "raw_documents").metadata["workers"].value == workers
        articles = materialization(result, "articles").metadata
        # every article page was cleaned once, by the raw stage's screening
        assert articles["cleaned_by_raw_stage"].value == articles["dagster/row_count"].value > 5
        tables[workers] = _tables(store.work_path())
    assert tables[1].keys() == tables[2].keys()
    for table in tables[1]:
        assert tables[1][table] == tables[2][table], table
    assert len(tables[2]["raw_documents"]) >= 13 and len(tables[2]["teasers"]) > 28


def test_articles_clean_the_pages_themselves_when_the_raw_stage_kept_no_article(tmp_path, raw_dir, resources):
    _mixed_folder(raw_dir)
    assert materialise(resources).success
    database = resources["store"].work_path()
    before = _tables(database)["articles"]
    with duckdb.connect(str(database)) as conn:
        conn.execute("DELETE FROM cleaned_articles")
    from newsassets.definitions import build_definitions

    job = build_definitions(resources).resolve_job_def("refresh_news")
    result = job.execute_in_process(run_config={"ops": {"articles": {"config": {"full_refresh": True}}}})
    assert result.success
    assert materialization(result, "articles").metadata["cleaned_by_raw_stage"].value == 0
    assert _tables(database)["articles"] == before
