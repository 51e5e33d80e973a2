"""The persistent instance (newsassets.instance) and the launcher's arguments and signal handling (newsassets.dev)."""

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import dagster as dg
import pytest
import yaml

from newsassets import dev, instance

from .conftest import PROJECT_ROOT


@pytest.fixture
def home(tmp_path, monkeypatch):
    target = tmp_path / "dagster_home"
    monkeypatch.setenv("DAGSTER_HOME", str(target))
    monkeypatch.delenv("NEWSASSETS_TELEMETRY", raising=False)
    monkeypatch.delenv("NEWSASSETS_DAGSTER_STORAGE", raising=False)
    return target


def test_the_default_home_is_dot_dagster_home_in_the_project_root(monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    assert instance.dagster_home() == PROJECT_ROOT / ".dagster_home"
    assert instance.dagster_home("elsewhere") == PROJECT_ROOT / "elsewhere"
    assert instance.dagster_home().is_absolute()


def test_ensure_creates_the_home_with_the_projects_settings(home):
    assert instance.ensure_dagster_home() == home
    config = yaml.safe_load((home / "dagster.yaml").read_text())
    assert config["concurrency"] == {"runs": {"max_concurrent_runs": 1}, "pools": {"default_limit": 1}}
    assert config["telemetry"] == {"enabled": False}
    assert config["nux"] == {"enabled": False}
    assert config["run_monitoring"]["enabled"] is True


def test_dagster_accepts_the_settings(home):
    instance.ensure_dagster_home()
    with dg.DagsterInstance.from_config(str(home)) as dagster_instance:
        concurrency = dagster_instance.get_concurrency_config()
        assert concurrency.pool_config.default_pool_limit == 1
        assert concurrency.run_queue_config.max_concurrent_runs == 1
        assert dagster_instance.run_monitoring_enabled
        assert dagster_instance.event_log_storage.supports_global_concurrency_limits
        assert not dagster_instance.get_settings("telemetry")["enabled"]


def test_a_users_config_is_never_overwritten(home):
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: true\n")
    instance.ensure_dagster_home()
    assert (home / "dagster.yaml").read_text() == "telemetry:\n  enabled: true\n"


def test_a_dagster_yml_counts_as_the_users_config(home):
    home.mkdir()
    (home / "dagster.yml").write_text("nux:\n  enabled: true\n")
    instance.ensure_dagster_home()
    assert not (home / "dagster.yaml").exists()


@pytest.mark.parametrize(("value", "enabled"), [("1", True), ("yes", True), ("0", False), ("", False)])
def test_telemetry_is_the_users_choice(home, monkeypatch, value, enabled):
    monkeypatch.setenv("NEWSASSETS_TELEMETRY", value)
    instance.ensure_dagster_home()
    assert yaml.safe_load((home / "dagster.yaml").read_text())["telemetry"] == {"enabled": enabled}


def test_an_unclear_telemetry_choice_is_an_error(home, monkeypatch):
    monkeypatch.setenv("NEWSASSETS_TELEMETRY", "maybe")
    with pytest.raises(ValueError, match="NEWSASSETS_TELEMETRY"):
        instance.ensure_dagster_home()
    assert not (home / "dagster.yaml").exists()


def test_arguments_default_to_localhost_3000_with_a_refresh():
    args = dev.parse_args([])
    assert (args.host, args.port, args.no_refresh) == ("127.0.0.1", 3000, False)
    args = dev.parse_args(["--host", "0.0.0.0", "--port", "3111", "--no-refresh"])
    assert (args.host, args.port, args.no_refresh) == ("0.0.0.0", 3111, True)


@pytest.mark.parametrize("port", ["0", "65536", "http"])
def test_a_bad_port_is_refused(port, capsys):
    with pytest.raises(SystemExit):
        dev.parse_args(["--port", port])
    assert "port" in capsys.readouterr().err


def test_the_commands():
    assert dev.refresh_command()[1:] == ["launch", "--job", "refresh_news"]
    assert dev.dev_command("127.0.0.1", 3111)[1:] == ["dev", "--host", "127.0.0.1", "--port", "3111"]
    assert Path(dev.dg_executable()).is_file()  # dagster-dg-cli comes with the install
    assert dev.ui_url("0.0.0.0", 3000) == "http://127.0.0.1:3000"
    assert dev.ui_url("::1", 3000) == "http://[::1]:3000"


class Recorder:
    def __init__(self, refresh_status=0):
        self.calls = []
        self.refresh_status = refresh_status

    def refresh(self, command, env, cwd):
        self.calls.append(("refresh", list(command), dict(env), cwd))
        return self.refresh_status

    def supervised(self, command, env, cwd):
        self.calls.append(("dev", list(command), dict(env), cwd))
        return 0


@pytest.fixture
def port_free(monkeypatch):
    monkeypatch.setattr(dev, "port_in_use", lambda host, port: None)


@pytest.mark.usefixtures("port_free")
@pytest.mark.parametrize("refresh_status", [0, 1])
def test_main_refreshes_then_starts_dagster_dev_on_the_instance(home, monkeypatch, refresh_status):
    recorder = Recorder(refresh_status)
    monkeypatch.setattr(dev, "run_refresh", recorder.refresh)
    monkeypatch.setattr(dev, "run_supervised", recorder.supervised)
    assert dev.main(["--port", "3111"]) == 0
    # a failed refresh still starts the UI: the failed run is in its history
    assert [call[0] for call in recorder.calls] == ["refresh", "dev"]
    for _, _, env, cwd in recorder.calls:
        assert env["DAGSTER_HOME"] == str(home)
        assert cwd == PROJECT_ROOT  # where workspace.yaml is
    assert recorder.calls[0][1] == dev.refresh_command()
    assert recorder.calls[1][1] == dev.dev_command("127.0.0.1", 3111)
    assert (home / "dagster.yaml").is_file()


@pytest.mark.usefixtures("port_free")
def test_sharded_the_sensor_starts_the_shards_so_no_refresh_runs_first(home, monkeypatch, capsys):
    recorder = Recorder()
    monkeypatch.setattr(dev, "run_refresh", recorder.refresh)
    monkeypatch.setattr(dev, "run_supervised", recorder.supervised)
    monkeypatch.setenv("NEWSASSETS_SHARDS", "4")
    monkeypatch.setenv("NEWSASSETS_STORE", "ducklake")
    monkeypatch.setenv("NEWSASSETS_LAKE_CATALOG", "postgres:dbname=news host=db")
    assert dev.main([]) == 0
    assert [call[0] for call in recorder.calls] == ["dev"]
    assert "one run per shard" in capsys.readouterr().err
    monkeypatch.delenv("NEWSASSETS_STORE")  # shards on the DuckDB file: refused before anything starts
    assert dev.main([]) == 2
    assert "needs NEWSASSETS_STORE=ducklake" in capsys.readouterr().err


@pytest.mark.usefixtures("port_free")
def test_no_refresh_starts_dagster_dev_straight_away(home, monkeypatch):
    recorder = Recorder()
    monkeypatch.setattr(dev, "run_refresh", recorder.refresh)
    monkeypatch.setattr(dev, "run_supervised", recorder.supervised)
    assert dev.main(["--no-refresh"]) == 0
    assert [call[0] for call in recorder.calls] == ["dev"]


def test_a_port_in_use_stops_the_launcher_before_anything_starts(home, monkeypatch, capsys):
    recorder = Recorder()
    monkeypatch.setattr(dev, "run_refresh", recorder.refresh)
    monkeypatch.setattr(dev, "run_supervised", recorder.supervised)
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        assert dev.port_in_use("127.0.0.1", port) is not None
        assert dev.main(["--port", str(port)]) == 1
    assert recorder.calls == []
    assert f"cannot serve the UI on 127.0.0.1:{port}" in capsys.readouterr().err
    assert dev.port_in_use("127.0.0.1", port) is None  # free again


# A stand-in for `dagster dev`: it leaves a child behind that ignores SIGINT (as the code server outlives
# dagster dev), and on SIGINT writes down that it got it and exits cleanly.
FAKE_DAGSTER_DEV = textwrap.dedent(
    """
    import signal, subprocess, sys, time
    from pathlib import Path
    out = Path(sys.argv[1])
    straggler = subprocess.Popen([sys.executable, "-c", "import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN)"
                                  + (";signal.signal(signal.SIGTERM, signal.SIG_IGN)" if sys.argv[2] == "stubborn" else "")
                                  + ";time.sleep(300)"])
    (out / "straggler").write_text(str(straggler.pid))
    try:
        (out / "ready").write_text("")
        time.sleep(300)
    except KeyboardInterrupt:
        (out / "interrupted").write_text("")
    """
)

LAUNCHER = textwrap.dedent(
    """
    import signal, sys
    from pathlib import Path
    from newsassets import dev
    dev.GROUP_GRACE_SECONDS = 2
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # as for `cmd &` in a script: the child must not inherit this
    command = [sys.executable, sys.argv[1], sys.argv[2], sys.argv[3]]
    sys.exit(dev.run_supervised(command, {}, Path(sys.argv[2])))
    """
)


def alive(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def wait_until(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.mark.skipif(not Path("/proc").is_dir() or os.name != "posix", reason="needs POSIX process groups and /proc")
@pytest.mark.parametrize("straggler", ["polite", "stubborn"])
def test_sigterm_stops_dagster_dev_cleanly_and_leaves_no_process_behind(tmp_path, straggler):
    (tmp_path / "fake_dagster_dev.py").write_text(FAKE_DAGSTER_DEV)
    (tmp_path / "launcher.py").write_text(LAUNCHER)
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    launcher = subprocess.Popen(
        [
            sys.executable,
            str(tmp_path / "launcher.py"),
            str(tmp_path / "fake_dagster_dev.py"),
            str(tmp_path),
            straggler,
        ],
        env=env,
        start_new_session=True,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert wait_until(lambda: (tmp_path / "ready").exists(), 30), "the stand-in never started"
        straggler_pid = int((tmp_path / "straggler").read_text())
        launcher.send_signal(signal.SIGTERM)
        assert launcher.wait(timeout=30) == 0
        stderr = launcher.stderr.read()
        assert (tmp_path / "interrupted").exists(), "dagster dev did not get SIGINT: " + stderr
        assert "SIGTERM received" in stderr and "left running" in stderr
        assert wait_until(lambda: not alive(straggler_pid), 5), f"process {straggler_pid} survived the launcher"
    finally:
        if launcher.poll() is None:
            os.killpg(launcher.pid, signal.SIGKILL)
            launcher.wait()


def _postgres_env(monkeypatch, **values):
    settings = {"STORAGE": "postgres", "PG_HOST": "db.internal", "PG_USER": "dagster", "PG_DB": "dagster"}
    for name, value in {**settings, **values}.items():
        monkeypatch.setenv(f"NEWSASSETS_DAGSTER_{name}", value)
    for name in ("PG_PORT", "PG_PASSWORD"):
        if name not in values:  # unset, and unset again after the test (the defaults are written into os.environ)
            monkeypatch.setenv(f"NEWSASSETS_DAGSTER_{name}", "")
            monkeypatch.delenv(f"NEWSASSETS_DAGSTER_{name}")


def test_postgres_storage_is_written_when_asked_for(home, monkeypatch):
    _postgres_env(monkeypatch, PG_PASSWORD="s3cret")
    instance.ensure_dagster_home()
    config = yaml.safe_load((home / "dagster.yaml").read_text())
    server = config["storage"]["postgres"]["postgres_db"]
    assert server["hostname"] == {"env": "NEWSASSETS_DAGSTER_PG_HOST"}
    assert server["password"] == {"env": "NEWSASSETS_DAGSTER_PG_PASSWORD"}
    assert server["scheme"] == "postgresql+psycopg2"
    assert config["concurrency"] == {"runs": {"max_concurrent_runs": 1}, "pools": {"default_limit": 1}}
    text = (home / "dagster.yaml").read_text()
    assert "db.internal" not in text and "s3cret" not in text  # the server and its password stay in the env
    assert os.environ["NEWSASSETS_DAGSTER_PG_PORT"] == "5432"  # the default, for Dagster started next


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"PG_HOST": ""}, "needs NEWSASSETS_DAGSTER_PG_HOST"),
        ({"PG_PORT": "five"}, "NEWSASSETS_DAGSTER_PG_PORT must be a port number"),
        ({"STORAGE": "mysql"}, "NEWSASSETS_DAGSTER_STORAGE must be one of"),
    ],
)
def test_an_unclear_storage_choice_is_an_error(home, monkeypatch, values, message):
    _postgres_env(monkeypatch, **values)
    with pytest.raises(ValueError, match=message):
        instance.ensure_dagster_home()
    assert not (home / "dagster.yaml").exists()


def test_postgres_asked_of_a_home_that_keeps_sqlite_is_an_error_not_a_silent_sqlite_instance(home, monkeypatch):
    instance.ensure_dagster_home()  # the default: SQLite
    _postgres_env(monkeypatch)
    with pytest.raises(ValueError, match="keeps its own storage"):
        instance.ensure_dagster_home()
