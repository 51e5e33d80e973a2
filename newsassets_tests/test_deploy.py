"""The deployment on paper (deploy/) holds together: its instance file loads, on a real Postgres server, into the
run launcher, queue and pools it describes, and the compose file gives the containers every variable it names."""

import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from .postgres_server import postgres_server

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def test_every_variable_the_instance_and_the_runs_read_is_set_by_the_compose_file():
    instance_file = (DEPLOY / "dagster.yaml").read_text()
    compose = yaml.safe_load((DEPLOY / "docker-compose.yaml").read_text())
    given = set(compose["x-newsassets-env"])
    read = set(re.findall(r"\{env: (\w+)\}", instance_file))
    forwarded = set(yaml.safe_load(instance_file)["run_launcher"]["config"]["env_vars"])
    assert read <= given and forwarded <= given, (read | forwarded) - given
    for service in ("code", "webserver", "daemon"):
        environment = compose["services"][service]["environment"]
        assert given <= set(environment), service
    assert (
        compose["networks"]["newsassets"]["name"] == yaml.safe_load(instance_file)["run_launcher"]["config"]["network"]
    )


@pytest.mark.slow
@pytest.mark.lake
def test_the_deployments_instance_loads_on_postgres_with_its_launcher_queue_and_pool(tmp_path, monkeypatch):
    pytest.importorskip("dagster_docker", reason="needs dagster-docker (the [lake-test] extra)")
    import dagster as dg

    with postgres_server("dagster") as url:
        server = urlsplit(url)
        for variable, value in {
            "NEWSASSETS_DAGSTER_PG_HOST": server.hostname,
            "NEWSASSETS_DAGSTER_PG_PORT": str(server.port),
            "NEWSASSETS_DAGSTER_PG_USER": server.username,
            "NEWSASSETS_DAGSTER_PG_PASSWORD": "",
            "NEWSASSETS_DAGSTER_PG_DB": "dagster",
        }.items():
            monkeypatch.setenv(variable, value)
        shutil.copy(DEPLOY / "dagster.yaml", tmp_path / "dagster.yaml")
        with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
            assert type(instance.run_launcher).__name__ == "DockerRunLauncher"
            assert instance.run_launcher.networks == ["newsassets"]
            assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
            concurrency = instance.get_concurrency_config()
            compose = yaml.safe_load((DEPLOY / "docker-compose.yaml").read_text())
            shards = int(compose["x-newsassets-env"]["NEWSASSETS_SHARDS"])
            # every shard's run and the dedup run at once, one run per shard, a pool slot per shard
            assert concurrency.run_queue_config.max_concurrent_runs == shards + 1
            (limit,) = concurrency.run_queue_config.tag_concurrency_limits
            assert limit == {"key": "dagster/partition", "value": {"applyLimitPerUniqueValue": True}, "limit": 1}
            assert concurrency.pool_config.default_pool_limit == shards
            assert instance.get_runs() == []  # its storage is the server's, and answers
