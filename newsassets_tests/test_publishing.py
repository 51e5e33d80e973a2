"""Readers never break writers, writers never break readers, and a killed run changes nothing published."""

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from newsassets.benchmarks.refresh import write_pages
from newsassets.pipeline.resources import NewsStore, RawFolder
from newsassets.store import PUBLISHED_TABLES

from .conftest import materialise

DUCKDB_CLI = Path(sys.executable).with_name("duckdb")
READER = textwrap.dedent(
    """
    import sys, time, duckdb
    database, stop = sys.argv[1], sys.argv[2]
    conn = duckdb.connect(database, read_only=True)
    seen = set()
    while True:
        seen.add(conn.execute("SELECT (SELECT count(*) FROM raw_documents), (SELECT count(*) FROM articles), "
                              "(SELECT count(*) FROM dedup_clusters)").fetchone())
        if __import__("os").path.exists(stop):
            break
        time.sleep(0.02)
    print(sorted(seen))
    """
)


def counts(database):
    with duckdb.connect(str(database), read_only=True) as conn:
        return conn.execute(
            "SELECT (SELECT count(*) FROM raw_documents), (SELECT count(*) FROM articles), (SELECT count(*) FROM dedup_clusters)"
        ).fetchone()


def test_the_published_snapshot_holds_the_public_tables_only(resources):
    assert materialise(resources).success
    with duckdb.connect(resources["store"].database, read_only=True) as conn:
        tables = {name for (name,) in conn.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert tables == set(PUBLISHED_TABLES)  # and none of the stages' bookkeeping
    assert resources["store"].work_path().exists()
    assert not list(Path(resources["store"].database).parent.glob(".*.publishing"))


def test_a_run_succeeds_while_a_reader_holds_the_published_file(resources, raw_dir, tmp_path):
    assert materialise(resources).success
    database = resources["store"].database
    before = counts(database)
    stop = tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", READER, database, str(stop)], stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(1)  # the reader has the file open
        shutil.copy(next(raw_dir.glob("003_*.txt")), raw_dir / "005_extra.txt")
        result = materialise(resources)
        assert result.success
    finally:
        stop.touch()
        out, _ = reader.communicate(timeout=30)
    assert reader.returncode == 0
    assert out.strip() == str([before])  # the whole time: the old snapshot, never a mix
    after = counts(database)
    assert after == (before[0] + 1, before[1] + 1, before[2] + 1 + 7)


@pytest.mark.skipif(not DUCKDB_CLI.exists(), reason="duckdb-cli is part of the test extra")
def test_the_published_file_opens_with_the_duckdb_cli_1_5(resources):
    assert materialise(resources).success
    version = subprocess.run([str(DUCKDB_CLI), "--version"], capture_output=True, text=True, check=True).stdout
    assert version.startswith("v1.5")
    out = subprocess.run(
        [
            str(DUCKDB_CLI),
            "-readonly",
            "-csv",
            resources["store"].database,
            "-c",
            "SELECT count(*) FROM dedup_clusters",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["count_star()", "33"]


def file_digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def tables(database):
    with duckdb.connect(str(database), read_only=True) as conn:
        found = {
            t: conn.execute(f"SELECT * EXCLUDE (cluster_id) FROM {t} ORDER BY ALL").fetchall()
            for t in ["dedup_clusters"]
        }
        for t in ["raw_documents", "articles", "teasers"]:
            found[t] = conn.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
    return found


def materialise_command() -> list[str]:
    return [str(Path(sys.executable).with_name("dagster")), "asset", "materialize", "--select", "*", "-m", "newsassets"]


def run_environment(state: Path) -> dict[str, str]:
    return {
        **os.environ,
        "NEWSASSETS_RAW_DIR": str(state / "raw"),
        "NEWSASSETS_DB_PATH": str(state / "news.duckdb"),
        "DAGSTER_HOME": str(state / "dagster_home"),  # a run history of its own: nothing left behind in the project
    }


@pytest.fixture(scope="module")
def published_then_changed(tmp_path_factory) -> tuple[Path, dict]:
    """400 pages published by one `dagster asset materialize`, then every tenth page edited for the next run to
    be in the middle of; and the tables one clean run makes of the edited folder. Made once for the kill tests,
    each of which works on its own copy of the folder."""
    state = tmp_path_factory.mktemp("published")
    raw = state / "raw"
    raw.mkdir()
    write_pages(raw, 400)
    (state / "dagster_home").mkdir()
    first = subprocess.run(
        materialise_command(), env=run_environment(state), cwd=state, capture_output=True, text=True, timeout=600
    )
    assert first.returncode == 0, first.stderr[-3000:]
    for path in sorted(raw.rglob("*.txt"))[::10]:
        path.write_text(path.read_text(encoding="utf-8").replace("Bericht", "Gewijzigd bericht"), encoding="utf-8")
    reference = tmp_path_factory.mktemp("reference") / "news.duckdb"
    assert materialise({"raw_folder": RawFolder(path=str(raw)), "store": NewsStore(database=str(reference))}).success
    return state, tables(reference)


@pytest.mark.slow
@pytest.mark.parametrize("kill_at", ["raw_documents", "articles", "teasers", "dedup_clusters"])
def test_kill_9_during_a_stage_changes_nothing_published_and_the_next_run_recovers(
    tmp_path, kill_at, published_then_changed
):
    original, reference = published_then_changed
    state = tmp_path / "state"
    shutil.copytree(original, state)
    database, env, command = state / "news.duckdb", run_environment(state), materialise_command()
    published = file_digest(database)

    run = subprocess.Popen(command, env=env, cwd=state, stderr=subprocess.PIPE, text=True, start_new_session=True)
    marker = f'Started execution of step "{kill_at}"'
    try:
        for line in run.stderr:
            if marker in line:
                time.sleep(0.2)  # into the stage's work
                os.killpg(run.pid, signal.SIGKILL)
                break
    finally:
        run.wait(timeout=60)
    assert run.returncode == -signal.SIGKILL, f"the run ended before {kill_at} started"
    assert file_digest(database) == published  # not a byte changed for readers

    recovery = subprocess.run(command, env=env, cwd=state, capture_output=True, text=True, timeout=600)
    assert recovery.returncode == 0, recovery.stderr[-3000:]
    assert tables(database) == reference
