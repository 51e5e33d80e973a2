"""The Dagster instance on Postgres (`NEWSASSETS_DAGSTER_STORAGE=postgres`): a real server, the whole job, and
the run history where every webserver, daemon and run worker of a team would find it."""

from urllib.parse import urlsplit

import dagster as dg
import pytest
import yaml

from newsassets import instance

from .conftest import materialise
from .postgres_server import postgres_server, query


@pytest.fixture
def postgres_home(tmp_path, monkeypatch):
    with postgres_server("dagster") as url:
        server = urlsplit(url)
        monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
        monkeypatch.setenv("NEWSASSETS_DAGSTER_STORAGE", "postgres")
        monkeypatch.setenv("NEWSASSETS_DAGSTER_PG_HOST", server.hostname)
        monkeypatch.setenv("NEWSASSETS_DAGSTER_PG_PORT", str(server.port))
        monkeypatch.setenv("NEWSASSETS_DAGSTER_PG_USER", server.username)
        monkeypatch.delenv("NEWSASSETS_DAGSTER_PG_PASSWORD", raising=False)  # trust on loopback: the default, none
        monkeypatch.setenv("NEWSASSETS_DAGSTER_PG_DB", server.path.strip("/"))
        yield instance.ensure_dagster_home(), url


@pytest.mark.slow
def test_the_whole_job_runs_on_a_postgres_instance_and_its_history_lives_there(postgres_home, resources):
    home, url = postgres_home
    config = yaml.safe_load((home / "dagster.yaml").read_text())
    assert config["storage"]["postgres"]["postgres_db"]["hostname"] == {"env": "NEWSASSETS_DAGSTER_PG_HOST"}
    assert not list(home.glob("**/*.db"))  # no SQLite storage beside it

    with dg.DagsterInstance.from_config(str(home)) as dagster_instance:
        # the run queue and the `duckdb` pool work as on the embedded instance
        concurrency = dagster_instance.get_concurrency_config()
        assert concurrency.run_queue_config.max_concurrent_runs == 1
        assert concurrency.pool_config.default_pool_limit == 1
        assert dagster_instance.event_log_storage.supports_global_concurrency_limits
        result = materialise(resources, dagster_instance)
    assert result.success

    # the run, its events and the assets' materialisations are rows in Postgres
    assert query(url, "SELECT run_id, status FROM runs") == [(result.run_id, "SUCCESS")]
    events = dict(query(url, "SELECT dagster_event_type, count(*) FROM event_logs GROUP BY 1"))
    assert events["ASSET_MATERIALIZATION"] >= 4 and events["ASSET_CHECK_EVALUATION"] >= 4
    keys = {row[0] for row in query(url, "SELECT asset_key FROM asset_keys")}
    assert {'["raw_documents"]', '["articles"]', '["teasers"]', '["dedup_clusters"]'} <= keys
    # schedule and sensor state (ticks, cursors) live there too
    tables = {row[0] for row in query(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert {"jobs", "job_ticks", "instigators"} <= tables

    # another process's instance (a webserver, the daemon) reads the same history
    with dg.DagsterInstance.from_config(str(home)) as other:
        (record,) = other.get_run_records()
        assert record.dagster_run.run_id == result.run_id and record.dagster_run.is_success
        assert other.get_latest_materialization_event(dg.AssetKey("articles")) is not None
