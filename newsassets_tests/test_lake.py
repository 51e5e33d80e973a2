"""The tables in a DuckLake (`NEWSASSETS_STORE=ducklake`): the extensions load signed, publishing is one snapshot
that readers see whole or not at all, and earlier passes stay queryable."""

import json
import os
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pytest

from newsassets import instance, settings
from newsassets.lake import Lake, LakeUnavailable, connect, publish, publish_snapshots, shell_command
from newsassets.pipeline.resources import NewsStore, RawFolder
from newsassets.schema import PUBLISHED_TABLES, SCHEMA, TABLES
from newsassets.store import next_write_stamp, replace_table_columns, table_exists

from .conftest import SEED_DIR, materialise
from .postgres_server import create_database, libpq, postgres_server, query

lake_marked = pytest.mark.lake


@pytest.fixture
def lake(tmp_path: Path, lake_extensions) -> Lake:
    return Lake(f"sqlite:{tmp_path / 'catalog.sqlite'}", f"{tmp_path / 'files'}/")


def links(rows: list[tuple[str, str, str, float]]) -> dict[str, list]:
    """`teaser_links` columns holding `rows` (teaser, article, method, score); its other columns filled alike."""
    values: dict[str, list] = {column: [] for column in TABLES["teaser_links"]}
    for teaser, article, method, score in rows:
        given = {"teaser_id": teaser, "article_id": article, "method": method, "score": score}
        for column, sql_type in TABLES["teaser_links"].items():
            values[column].append(given.get(column, _filler(sql_type, teaser)))
    return values


def _filler(sql_type: str, seed: str):
    kind = sql_type.split()[0]
    return {"VARCHAR": f"{seed}-x", "DOUBLE": 0.5, "BOOLEAN": True, "TIMESTAMP": datetime(2026, 1, 1)}.get(kind, 1)


def published(conn: duckdb.DuckDBPyConnection, version: int | None = None) -> list[tuple]:
    at = f" AT (VERSION => {version})" if version is not None else ""
    return sorted(conn.execute(f"SELECT teaser_id, method, score FROM lake.main.teaser_links{at}").fetchall())


@lake_marked
def test_the_extensions_load_signed_and_the_pipeline_writes_the_work_schema(lake):
    conn = connect(lake)
    try:
        assert conn.execute("SELECT current_setting('allow_unsigned_extensions')").fetchone() == (False,)
        loaded = {
            name for (name,) in conn.sql("SELECT extension_name FROM duckdb_extensions() WHERE loaded").fetchall()
        }
        assert {"ducklake", "sqlite_scanner"} <= loaded
        assert conn.execute("SELECT current_database(), current_schema()").fetchone() == ("lake", "work")
        replace_table_columns(conn, "teaser_links", links([("t1", "a1", "url", 1.0)]))
        assert table_exists(conn, "teaser_links")
        assert not conn.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main'").fetchone()[0]
        # no sequences in a lake: the stamps are a table's, still increasing
        first, second = next_write_stamp(conn), next_write_stamp(conn)
        assert second == first + 1
    finally:
        conn.close()


@lake_marked
def test_publishing_is_one_snapshot_of_only_the_changed_rows_and_earlier_passes_stay_queryable(lake):
    conn = connect(lake)
    try:
        first = [("t1", "a1", "url", 1.0), ("t2", "a2", "text", 0.8), ("t3", "a3", "text", 0.7)]
        replace_table_columns(conn, "teaser_links", links(first))
        assert publish(conn, {"run_id": "one"}) == ["teaser_links"]
        # one edited row, one gone, a duplicate and a value that only looks like NULL
        second = [("t1", "a1", "url", 1.0), ("t2", "a2", "text", 0.9), ("t4", "a4", "NULL", 0.6)]
        replace_table_columns(conn, "teaser_links", links([*second, second[0]]))
        before = conn.execute("SELECT max(snapshot_id) FROM lake.snapshots()").fetchone()[0]
        publish(conn, {"run_id": "two"})

        snapshots = publish_snapshots(conn)
        assert [extra for _, _, extra in snapshots] == ['{"run_id": "one"}', '{"run_id": "two"}']
        assert snapshots[-1][0] == before + 1  # the whole pass is the one snapshot after the work's
        assert published(conn) == sorted((t, m, s) for t, _, m, s in [*second, second[0]])
        assert published(conn, snapshots[0][0]) == sorted((t, m, s) for t, _, m, s in first)
        # rows that did not change were not written again: the unchanged row keeps its place in the table
        changes = conn.execute("SELECT changes FROM lake.snapshots() WHERE snapshot_id = ?", [snapshots[-1][0]])
        assert "tables_created" not in changes.fetchone()[0]
    finally:
        conn.close()


@lake_marked
def test_a_reader_never_waits_for_a_publish_and_sees_it_whole_or_not_at_all(lake):
    writer = connect(lake)
    try:
        replace_table_columns(writer, "teaser_links", links([("t1", "a1", "url", 1.0)]))
        publish(writer)
        reader = connect(lake, read_only=True)
        try:
            reader.execute("BEGIN TRANSACTION")
            assert len(published(reader)) == 1
            replace_table_columns(writer, "teaser_links", links([("t1", "a1", "url", 1.0), ("t2", "a2", "url", 1.0)]))
            publish(writer)  # while the reader's transaction is open: it does not wait for the reader
            assert len(published(reader)) == 1  # the reader's snapshot, to the end of its transaction
            reader.execute("COMMIT")
            assert len(published(reader)) == 2
        finally:
            reader.close()
    finally:
        writer.close()


@lake_marked
def test_reading_a_lake_nothing_has_written_says_what_to_do(lake):
    with pytest.raises(FileNotFoundError, match="materialise raw_documents first"):
        connect(lake, read_only=True)


def test_without_the_extensions_the_error_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setattr("newsassets.lake.extension_directory", lambda: tmp_path)  # an empty extension directory
    with pytest.raises(LakeUnavailable, match=r"pip install -e '\.\[lake\]'"):
        connect(Lake(f"sqlite:{tmp_path / 'c.sqlite'}", f"{tmp_path}/"))


def test_lake_settings_resolve_files_against_the_project_and_hide_passwords(monkeypatch):
    monkeypatch.delenv(settings.LAKE_CATALOG_VAR, raising=False)
    monkeypatch.delenv(settings.LAKE_DATA_PATH_VAR, raising=False)
    assert settings.lake_catalog() == f"sqlite:{settings.PROJECT_ROOT / 'data/lake/catalog.sqlite'}"
    assert settings.lake_data_path() == f"{settings.PROJECT_ROOT / 'data/lake/files'}/"
    monkeypatch.setenv(settings.LAKE_DATA_PATH_VAR, "s3://bucket/news")
    assert settings.lake_data_path() == "s3://bucket/news/"
    dsn = "postgres:dbname=news host=db user=etl password=s3cret"
    monkeypatch.setenv(settings.LAKE_CATALOG_VAR, dsn)
    assert settings.lake_catalog() == dsn
    assert Lake(dsn, "s3://bucket/news/").describe() == "ducklake:postgres:dbname=news host=db user=etl password=***"
    assert Lake(dsn, "").backend == "postgres" and Lake("sqlite:x", "").backend == "sqlite"
    monkeypatch.setenv(settings.STORE_VAR, "lake")
    with pytest.raises(ValueError, match="NEWSASSETS_STORE must be one of duckdb, ducklake"):
        settings.store_kind()


# --- the whole job on a lake, against the embedded default -------------------------------------------------------


def fill_two_passes(folder: Path) -> tuple[Path, Path]:
    """A raw folder for a first pass and the pages that arrive before a second: the seeds and, where ../shared is
    beside the checkout, a real sample (Dutch articles, fundus pages, Zyte pages, fronts) split in two; the
    second batch also gets the test fixtures' HTML pages (fronts and article pages with rails)."""
    from newsassets.evaluate.realdata import REALDATA, write_mixed_folder

    raw, later = folder / "raw", folder / "later"
    shutil.copytree(SEED_DIR, raw / "seeds")
    shutil.copytree(Path(__file__).parent / "fixtures" / "html", later / "fixtures")
    if REALDATA.exists():
        sample = folder / "sample"
        write_mixed_folder(sample, dutch=40, every=8)
        shutil.rmtree(sample / "seeds")
        pages = sorted(p for p in sample.rglob("*") if p.is_file() and not p.name.endswith(".meta.json"))
        for index, page in enumerate(pages):
            target = (later if index % 2 else raw) / page.relative_to(sample)
            target.parent.mkdir(parents=True, exist_ok=True)
            for path in (page, page.with_name(page.name + ".meta.json")):
                if path.exists():
                    path.rename(target.with_name(path.name))
    return raw, later


def add_later_pages(raw: Path, later: Path) -> None:
    shutil.copytree(later, raw, dirs_exist_ok=True)


def published_rows(conn: duckdb.DuckDBPyConnection, prefix: str = "", at: str = "") -> dict[str, list[str]]:
    """Every published table's rows (public columns), sorted: tables compared row for row, in any order."""
    rows = {}
    for table in PUBLISHED_TABLES:
        columns = ", ".join(c.name for c in SCHEMA[table].public_columns)
        rows[table] = sorted(map(repr, conn.execute(f"SELECT {columns} FROM {prefix}{table}{at}").fetchall()))
    return rows


def differences(found: dict[str, list[str]], expected: dict[str, list[str]]) -> dict[str, tuple]:
    """Per table that differs: its row counts and a few rows only one side has (an assertion that reads)."""
    differing = {}
    for table in expected:
        if found.get(table) != expected[table]:
            extra, missing = set(found.get(table, [])), set(expected[table])
            differing[table] = (len(found.get(table, [])), len(expected[table]), sorted(extra - missing)[:2],
                                sorted(missing - extra)[:2])  # fmt: skip
    return differing


def counts(conn: duckdb.DuckDBPyConnection, at: str = "") -> dict[str, int]:
    """Every published table's row count, read within the caller's transaction."""
    return {t: conn.execute(f"SELECT count(*) FROM lake.main.{t}{at}").fetchone()[0] for t in PUBLISHED_TABLES}


def counts_at_once(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """`counts` in one transaction of its own: one snapshot for all tables, as a reader's query would see them
    (eight statements on their own could straddle a publish)."""
    conn.execute("BEGIN TRANSACTION")
    try:
        return counts(conn)
    finally:
        conn.execute("COMMIT")


def embedded_passes(folder: Path) -> tuple[dict, dict]:
    """The embedded default's published tables after each of the two passes over the pages in `folder` (as
    `fill_two_passes` left them)."""
    raw, later = folder / "raw", folder / "later"
    store = NewsStore(database=str(folder / "news.duckdb"))
    resources = {"raw_folder": RawFolder(path=str(raw)), "store": store}
    passes = []
    for step in ("first", "second"):
        if step == "second":
            add_later_pages(raw, later)
        assert materialise(resources).success
        with duckdb.connect(str(store.path()), read_only=True) as conn:
            passes.append(published_rows(conn))
    return passes[0], passes[1]


def materialise_in_a_process(env: dict[str, str], cwd: Path) -> subprocess.Popen:
    """`dagster asset materialize --select '*'` in a process of its own, as a run worker on another machine."""
    return subprocess.Popen(
        [sys.executable, "-m", "dagster", "asset", "materialize", "--select", "*", "-m", "newsassets"],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(cwd / "run.log").open("a"),
    )


@pytest.mark.slow
@lake_marked
def test_the_whole_job_on_postgres_and_a_postgres_lake_publishes_what_the_embedded_store_does(
    tmp_path, monkeypatch, lake_extensions
):
    fill_two_passes(tmp_path / "pages")
    for copy in ("embedded", "lake"):  # the same files, their times included (a text file's capture time)
        shutil.copytree(tmp_path / "pages", tmp_path / copy)
    first_embedded, second_embedded = embedded_passes(tmp_path / "embedded")
    raw, later = tmp_path / "lake" / "raw", tmp_path / "lake" / "later"

    with postgres_server("dagster") as url:
        server = urlsplit(url)
        lake_url = create_database(url, "lake")
        home = tmp_path / "home"
        env = {
            **os.environ,
            "DAGSTER_HOME": str(home),
            "NEWSASSETS_DAGSTER_STORAGE": "postgres",
            "NEWSASSETS_DAGSTER_PG_HOST": server.hostname,
            "NEWSASSETS_DAGSTER_PG_PORT": str(server.port),
            "NEWSASSETS_DAGSTER_PG_USER": server.username,
            "NEWSASSETS_DAGSTER_PG_DB": "dagster",
            settings.RAW_DIR_VAR: str(raw),
            settings.STORE_VAR: "ducklake",
            settings.LAKE_CATALOG_VAR: f"postgres:{libpq(lake_url)}",
            settings.LAKE_DATA_PATH_VAR: str(tmp_path / "lake" / "files"),
        }
        env.pop("NEWSASSETS_DAGSTER_PG_PASSWORD", None)
        instance.with_postgres_defaults(env)  # as `newsassets-dev` does: port 5432, no password (trust on loopback)
        for variable in ("NEWSASSETS_DAGSTER_STORAGE", *instance.PG_VARS.values()):
            if variable in env:
                monkeypatch.setenv(variable, env[variable])
        monkeypatch.setenv("DAGSTER_HOME", str(home))
        instance.ensure_dagster_home()
        lake = Lake(env[settings.LAKE_CATALOG_VAR], env[settings.LAKE_DATA_PATH_VAR] + "/")

        assert materialise_in_a_process(env, tmp_path).wait(timeout=600) == 0, (tmp_path / "run.log").read_text()
        watcher, holder = connect(lake, read_only=True), connect(lake, read_only=True)
        try:
            diff = differences(published_rows(watcher, "lake.main."), first_embedded)
            assert not diff, json.dumps(diff, indent=1)
            first_counts = counts_at_once(watcher)
            holder.execute("BEGIN TRANSACTION")  # a reader in the middle of a long query
            assert counts(holder) == first_counts

            add_later_pages(raw, later)
            run = materialise_in_a_process(env, tmp_path)
            seen = [first_counts]
            while run.poll() is None:
                now = counts_at_once(watcher)
                if now != seen[-1]:
                    seen.append(now)
                time.sleep(0.2)
            assert run.returncode == 0, (tmp_path / "run.log").read_text()
            now = counts_at_once(watcher)
            if now != seen[-1]:
                seen.append(now)

            # the run never waited for the readers, and they saw the old tables, then the new, never a mix
            assert counts(holder) == first_counts
            holder.execute("COMMIT")
            assert differences(published_rows(watcher, "lake.main."), second_embedded) == {}
            assert seen == [first_counts, {t: len(rows) for t, rows in second_embedded.items()}]
            # the tables as the first pass published them, a snapshot ago
            (first_snapshot, _, first_run), (_, _, second_run) = publish_snapshots(watcher)
            earlier = published_rows(watcher, "lake.main.", f" AT (VERSION => {first_snapshot})")
            assert differences(earlier, first_embedded) == {}
        finally:
            watcher.close()
            holder.close()

        # both runs are in the Postgres instance, each named in the snapshot it published
        runs = dict(query(url, "SELECT run_id, status FROM runs"))
        assert list(runs.values()) == ["SUCCESS", "SUCCESS"]
        assert {json.loads(first_run)["run_id"], json.loads(second_run)["run_id"]} == set(runs)
        assert query(lake_url, "SELECT count(*) FROM ducklake_snapshot")[0][0] > 2  # the catalog lives in Postgres


@lake_marked
def test_the_shell_command_opens_the_published_tables_read_only(lake):
    with connect(lake) as conn:
        replace_table_columns(conn, "teaser_links", links([("t1", "a1", "url", 1.0)]))
        publish(conn)
    command = [*shell_command(lake), "-csv", "-c", "SELECT teaser_id FROM teaser_links"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["teaser_id", "t1"]
    refused = subprocess.run([*command[:-1], "DELETE FROM teaser_links"], capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0 and "read-only" in refused.stderr.lower()


@pytest.fixture
def s3_server(monkeypatch, tmp_path):
    """moto's S3 server on loopback with one bucket, and the `AWS_*` variables pointing at it."""
    import socket
    import urllib.request

    server = Path(sys.executable).with_name("moto_server")
    if not server.exists():
        message = "needs moto's S3 server (the [lake-test] extra, which the README's test command installs)"
        if os.environ.get("NEWSASSETS_EXPECT_LAKE"):
            pytest.fail(message)
        pytest.skip(message)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [str(server), "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/news", method="PUT"))
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        for variable, value in {
            "AWS_ACCESS_KEY_ID": "newsassets",
            "AWS_SECRET_ACCESS_KEY": "not-a-secret",
            "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        }.items():
            monkeypatch.setenv(variable, value)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


@lake_marked
def test_a_lake_keeps_its_files_in_object_storage_with_credentials_from_the_environment(
    tmp_path, lake_extensions, s3_server
):
    lake = Lake(f"sqlite:{tmp_path / 'catalog.sqlite'}", "s3://news/lake/")
    with connect(lake) as conn:
        replace_table_columns(conn, "teaser_links", links([(f"t{i}", f"a{i}", "url", 1.0) for i in range(3000)]))
        publish(conn)
        listed = "SELECT data_file FROM ducklake_list_files('lake', 'teaser_links', schema => ?)"
        for schema in ("work", "main"):
            files = [f for (f,) in conn.execute(listed, [schema]).fetchall()]
            assert files and all(f.startswith(f"s3://news/lake/{schema}/teaser_links/") for f in files)
        # the secret came from the environment and lives in this connection only
        assert (
            "newsassets"
            not in conn.execute("SELECT secret_string FROM duckdb_secrets()").fetchone()[0].split("secret=")[1]
        )
    command = [*shell_command(lake), "-csv", "-c", "SELECT count(*) AS n FROM teaser_links"]
    assert "not-a-secret" not in " ".join(command)  # the shell reads the keys with getenv
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["n", "3000"]


# --- sharded runs: four processes at once, as four machines would, then the dedup run ----------------------------


def materialise_shard_runs(env: dict[str, str], cwd: Path, shards: int) -> float:
    """`shards` runs of the per-page stages started at once, one process each, then the run of dedup and
    stories; their wall time in seconds."""
    started = time.monotonic()
    per_page = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dagster",
                "asset",
                "materialize",
                "-m",
                "newsassets",
                "--select",
                "raw_documents,articles,teasers",
                "--partition",
                str(shard),
            ],
            cwd=cwd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(cwd / f"shard-{shard}.log").open("w"),
        )
        for shard in range(shards)
    ]
    for shard, run in enumerate(per_page):
        assert run.wait(timeout=900) == 0, (cwd / f"shard-{shard}.log").read_text()[-5000:]
    after = subprocess.run(
        [sys.executable, "-m", "dagster", "asset", "materialize", "-m", "newsassets", "--select",
         "dedup_clusters,dedup_edges,stories"],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert after.returncode == 0, after.stderr[-5000:]
    return time.monotonic() - started


def change_the_folder(raw: Path, later: Path) -> None:
    """What a day brings: new pages, one page gone, one page edited."""
    add_later_pages(raw, later)
    texts = sorted(raw.rglob("*.txt"))
    texts[0].unlink()
    texts[1].write_text(texts[1].read_text() + "\nEen alinea die er later bij kwam, zoals redacties doen.\n")


@pytest.mark.slow
@lake_marked
def test_four_shard_runs_at_once_then_dedup_publish_what_one_run_does(tmp_path, lake_extensions):
    raw, later = fill_two_passes(tmp_path / "pages")
    with postgres_server("single") as url:
        sharded_url = create_database(url, "sharded")
        one = Lake(f"postgres:{libpq(url)}", f"{tmp_path / 'single-files'}/")
        unsharded_env = {
            **{k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"},
            settings.RAW_DIR_VAR: str(raw),
            settings.STORE_VAR: "ducklake",
            settings.LAKE_CATALOG_VAR: one.catalog,
            settings.LAKE_DATA_PATH_VAR: one.data_path,
        }
        sharded_env = {
            **unsharded_env,
            settings.LAKE_CATALOG_VAR: f"postgres:{libpq(sharded_url)}",
            settings.LAKE_DATA_PATH_VAR: str(tmp_path / "sharded-files"),
            settings.SHARDS_VAR: "4",
            "NEWSASSETS_WORKERS": "1",  # four processes on this machine's two cores already
        }
        shards = Lake(sharded_env[settings.LAKE_CATALOG_VAR], sharded_env[settings.LAKE_DATA_PATH_VAR] + "/")
        figures = []
        for step in ("first pass", "second pass: new pages, one removed, one edited"):
            if step != "first pass":
                change_the_folder(raw, later)
            started = time.monotonic()  # one run in a process of its own, as the shards' runs below
            run = materialise_in_a_process(unsharded_env, tmp_path)
            assert run.wait(timeout=900) == 0, (tmp_path / "run.log").read_text()[-5000:]
            one_run = time.monotonic() - started
            sharded_seconds = materialise_shard_runs(sharded_env, tmp_path, 4)
            with connect(one, read_only=True) as unsharded, connect(shards, read_only=True) as sharded:
                diff = differences(published_rows(sharded, "lake.main."), published_rows(unsharded, "lake.main."))
                assert not diff, (step, json.dumps(diff, indent=1)[:5000])
                # every shard wrote its own part: the files of the raw folder fall into all four
                owners = sharded.execute(
                    "SELECT count(DISTINCT ('0x' || left(md5(source_path), 8))::UBIGINT % 4) "
                    "FROM lake.work.raw_documents"
                ).fetchone()[0]
                assert owners == 4
            files = sum(1 for p in raw.rglob("*") if p.is_file() and not p.name.endswith(".meta.json"))
            figures.append(
                f"{step}: {files} files, one run {one_run:.1f} s, four shards then dedup {sharded_seconds:.1f} s"
            )
    print("\nsharded: " + "; ".join(figures))
