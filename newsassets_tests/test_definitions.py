import json
from pathlib import Path

import dagster as dg

import newsassets
from newsassets.definitions import build_definitions
from newsassets.pipeline.automation import raw_folder_changed
from newsassets.pipeline.resources import RawFolder

ASSET_KEYS = {"raw_documents", "articles", "teasers", "dedup_clusters", "dedup_edges", "stories"}


def test_module_exposes_loadable_definitions():
    dg.Definitions.validate_loadable(newsassets.defs)
    graph = newsassets.defs.resolve_asset_graph()
    assert {key.to_user_string() for key in graph.get_all_asset_keys()} == ASSET_KEYS


def test_lineage_runs_raw_to_articles_and_teasers_to_clusters_to_stories():
    graph = newsassets.defs.resolve_asset_graph()
    parents = {
        key.to_user_string(): {p.to_user_string() for p in graph.get(key).parent_keys}
        for key in graph.get_all_asset_keys()
    }
    assert parents == {
        "raw_documents": set(),
        "articles": {"raw_documents"},
        "teasers": {"raw_documents"},
        "dedup_clusters": {"articles", "teasers"},
        "dedup_edges": {"articles", "teasers"},
        "stories": {"dedup_clusters"},
    }


def test_every_asset_and_check_is_described_and_kinded():
    graph = newsassets.defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.description and len(node.description) > 40
        assert {"python", "duckdb"} <= set(node.kinds)
        assert node.group_name == "news"
    check_keys = graph.asset_check_keys
    assert len(check_keys) == 13
    assert {k.asset_key.to_user_string() for k in check_keys} == ASSET_KEYS
    for key in check_keys:
        assert graph.get_check_spec(key).description


def test_the_catalog_documents_every_table_from_the_one_schema():
    """Columns tab, table name, owners and a link to the source on every asset; the same descriptions as the
    DuckDB COMMENTs and the README (all made from newsassets.schema)."""
    from newsassets.schema import SCHEMA, readme_table

    graph = newsassets.defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node, table = graph.get(key), SCHEMA[key.to_user_string()]
        schema = node.metadata["dagster/column_schema"]
        assert [(c.name, c.description) for c in schema.columns] == [
            (c.name, c.description) for c in table.public_columns
        ]
        assert node.metadata["dagster/table_name"].endswith(f".main.{table.name}")
        assert node.owners == ["team:newsassets"]
        assert "dagster/code_references" in node.metadata
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert readme_table() in readme


def test_job_schedule_and_sensor():
    job = newsassets.defs.resolve_job_def("refresh_news")
    assert len(job.asset_layer.asset_graph.asset_check_keys) == 13
    schedule = newsassets.defs.resolve_schedule_def("daily_refresh")
    assert schedule.cron_schedule == "0 6 * * *" and schedule.execution_timezone == "UTC"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    sensor = newsassets.defs.resolve_sensor_def("raw_folder_changed")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING


def test_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("NEWSASSETS_RAW_DIR", "elsewhere/raw")
    monkeypatch.setenv("NEWSASSETS_DB_PATH", str(tmp_path / "x.duckdb"))
    monkeypatch.delenv("NEWSASSETS_MAX_FILE_BYTES", raising=False)
    resources = build_definitions().resources
    # the launchpad shows the variables; their values (or defaults, put into the environment) resolve at run time
    assert resources["raw_folder"].path.env_var_name == "NEWSASSETS_RAW_DIR"
    assert resources["store"].database.env_var_name == "NEWSASSETS_DB_PATH"
    assert resources["raw_folder"].max_file_bytes.env_var_name == "NEWSASSETS_MAX_FILE_BYTES"
    import os

    assert os.environ["NEWSASSETS_MAX_FILE_BYTES"] == str(newsassets.settings.DEFAULT_MAX_FILE_BYTES)
    resolved = RawFolder(path=os.environ["NEWSASSETS_RAW_DIR"])
    assert resolved.root() == newsassets.settings.PROJECT_ROOT / "elsewhere" / "raw"


def test_sensor_runs_once_per_change_of_the_raw_folder(tmp_path):
    (tmp_path / "a.txt").write_text("een")
    raw_folder = RawFolder(path=str(tmp_path))

    def tick(cursor):
        with dg.build_sensor_context(cursor=cursor, resources={"raw_folder": raw_folder}) as context:
            return raw_folder_changed(context)

    first = tick(None)
    assert (
        len(first.run_requests) == 1
        and first.run_requests[0].run_key == "change-1-" + json.loads(first.cursor)["digest"]
    )
    assert isinstance(tick(first.cursor), dg.SkipReason)
    (tmp_path / "b.txt").write_text("twee")
    second = tick(first.cursor)
    assert len(second.run_requests) == 1 and second.cursor != first.cursor
    assert isinstance(tick(second.cursor), dg.SkipReason)
    missing = dg.build_sensor_context(resources={"raw_folder": RawFolder(path=str(tmp_path / "nope"))})
    assert isinstance(raw_folder_changed(missing), dg.SkipReason)


def test_sensor_cursor_stays_compact_for_many_files(tmp_path):
    for folder in range(20):
        (tmp_path / f"{folder:02d}").mkdir()
        for number in range(250):
            (tmp_path / f"{folder:02d}" / f"{number}.txt").write_text("x")
    with dg.build_sensor_context(cursor=None, resources={"raw_folder": RawFolder(path=str(tmp_path))}) as context:
        result = raw_folder_changed(context)
    assert len(result.cursor) < 100 and len(result.run_requests) == 1  # 5,000 files, one short cursor


def test_every_duckdb_step_is_in_the_duckdb_pool():
    from newsassets.definitions import ASSETS, CHECKS

    for asset in ASSETS:
        assert {node.pool for node in [asset.op]} == {"duckdb"}, asset.key
    for check in CHECKS:
        assert check.op.pool == "duckdb", check.check_key


def test_importing_a_core_module_loads_no_dagster_and_reads_no_setting():
    """Core modules are plain Python: no Dagster, no definitions, no environment read at import, so even a
    bad setting cannot break `import newsassets.cleaning` (or the evaluate and benchmark commands)."""
    import subprocess
    import sys

    code = (
        "import sys, newsassets, newsassets.vocabulary, newsassets.reading, newsassets.cleaning, newsassets.dedup, "
        "newsassets.quality, newsassets.pages, newsassets.evaluate.flags; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'dagster' or m == 'newsassets.definitions'))"
    )
    env = {**__import__("os").environ, "NEWSASSETS_MAX_FILE_BYTES": "abc", "NEWSASSETS_DOC_TIMEOUT_SECONDS": "nan"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.strip() == "[]"


def test_defs_is_built_on_first_access_for_dagster():
    assert "defs" in dir(newsassets)
    assert isinstance(newsassets.defs, dg.Definitions)


def test_tables_go_stale_when_the_schedule_breaks_its_promise(monkeypatch):
    from datetime import timedelta

    from newsassets.pipeline.metadata import refresh_freshness

    graph = newsassets.defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        policy = graph.get(key).freshness_policy
        windows = (policy.warn_window.to_timedelta(), policy.fail_window.to_timedelta())
        assert windows == (timedelta(days=1), timedelta(days=1, hours=1))
    monkeypatch.setenv("NEWSASSETS_SCHEDULE_CRON", "0 6 * * 1-5")  # weekdays: the weekend is the longest gap
    assert refresh_freshness().warn_window.to_timedelta() == timedelta(days=3)
