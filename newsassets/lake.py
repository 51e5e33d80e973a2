"""The tables in a DuckLake (`NEWSASSETS_STORE=ducklake`): a catalog in SQLite (several local processes) or
Postgres (several machines), the data as Parquet files under a folder or an object store's prefix.

The lake has two schemas. `work` holds what the stages write, their bookkeeping included, as the private working
database does in the default store; `main` holds the published tables, with their public columns only, which
readers query (`ATTACH 'ducklake:…' AS news (READ_ONLY)`, then `news.articles`). Publishing changes `main` in one
transaction, so one DuckLake snapshot per pass: readers never block the run and never see half of it, and
`news.articles AT (VERSION => n)` is the table as an earlier pass published it (`news.snapshots()` lists the
passes by their commit message).

DuckDB loads the `ducklake`, `sqlite` and `postgres` extensions by name. Where DuckDB's extension repository
cannot be reached, the `[lake]` extra's packages (`duckdb-extension-ducklake` and friends, signed binaries built
for one DuckDB version) provide them: they are linked under the names DuckDB looks for in an extension directory
of this environment, and loaded with signature checks on (`allow_unsigned_extensions` stays false).

A data path on S3 or another S3 API (`s3://bucket/prefix/`) is reached through `httpfs`, with a temporary secret
made from the standard `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION` and, for
MinIO and kin, `AWS_ENDPOINT_URL`.

Plain Python, no Dagster import.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import random
import re
import sqlite3
import sys
import tempfile
import time
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import duckdb

from newsassets.schema import PUBLISHED_TABLES, SCHEMA
from newsassets.store import comment_table, needs_rebuild, retrying_conflicts, transaction

ALIAS = "lake"  # the name the pipeline's connections attach the lake under
WORK_SCHEMA = "work"
PUBLIC_SCHEMA = "main"
PUBLISH_MESSAGE = "newsassets publish"  # the commit message of the snapshots that publish a pass

# extension → (the PyPI package that carries it, the file name DuckDB loads it by)
EXTENSIONS = {
    "ducklake": ("duckdb_extension_ducklake", "ducklake"),
    "sqlite": ("duckdb_extension_sqlite", "sqlite_scanner"),
    "postgres": ("duckdb_extension_postgres", "postgres_scanner"),
    "httpfs": ("duckdb_extension_httpfs", "httpfs"),
}
OBJECT_STORES = ("s3://", "s3a://", "s3n://", "r2://", "gcs://", "gs://")  # data paths DuckDB reaches by httpfs


class LakeUnavailable(RuntimeError):
    """DuckDB cannot load an extension the lake needs: neither installed nor downloadable."""


@dataclass(frozen=True)
class Lake:
    """Where a DuckLake lives. `catalog` is DuckLake's metadata database as it follows `ducklake:` in an ATTACH:
    `sqlite:<file>`, `postgres:<libpq connection string>` (the password from `PGPASSWORD` or `~/.pgpass`, never
    from here) or a DuckDB file (`<file>.ducklake`, one process at a time). `data_path` is the folder (or
    `s3://…` prefix) of its Parquet files, recorded in the catalog when the lake is created."""

    catalog: str
    data_path: str

    @property
    def backend(self) -> str:
        kind = self.catalog.split(":", 1)[0] if ":" in self.catalog else ""
        return kind if kind in ("sqlite", "postgres") else "duckdb"

    def describe(self) -> str:
        """The catalog for logs and metadata, with any password in it blanked."""
        return "ducklake:" + re.sub(r"(password\s*=\s*)(\S+)", r"\1***", self.catalog, flags=re.IGNORECASE)


@functools.cache
def extension_directory() -> Path | None:
    """A DuckDB extension directory holding the `[lake]` packages' binaries under the names DuckDB loads them by,
    or None when the packages are not installed (DuckDB's own repository is then the only source). Worked out
    once per process: every stage and check connects."""
    version = duckdb.__version__
    found = {}
    for package, name in EXTENSIONS.values():
        spec = importlib.util.find_spec(package)
        if spec is None or spec.origin is None:
            return None
        binary = (
            Path(spec.origin).parent / "extensions" / f"v{version}" / f"{package.rsplit('_', 1)[1]}.duckdb_extension"
        )
        if not binary.is_file():
            raise LakeUnavailable(
                f"{package.replace('_', '-')} carries no build for duckdb {version}: install the versions the "
                "[lake] extra pins (pip install -e '.[lake]')"
            )
        found[name] = binary
    for root in (Path(sys.prefix) / "share" / "newsassets", _user_cache()):
        folder = root / "duckdb-extensions"
        target = folder / f"v{version}" / _platform()
        try:
            target.mkdir(parents=True, exist_ok=True)
            for name, binary in found.items():
                link = target / f"{name}.duckdb_extension"
                if not (link.is_symlink() and link.resolve() == binary.resolve()):
                    # a new link moved into place: processes starting at once never see a missing or half link
                    staged = link.with_name(f".{name}.{os.getpid()}.link")
                    staged.unlink(missing_ok=True)
                    staged.symlink_to(binary)
                    os.replace(staged, link)
        except OSError:
            continue  # an environment that is not ours to write: the user's cache then
        return folder
    raise LakeUnavailable("no writable folder for DuckDB's extension directory (tried the environment and ~/.cache)")


def _user_cache() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newsassets"


def _platform() -> str:
    with duckdb.connect() as conn:
        return conn.execute("PRAGMA platform").fetchone()[0]


def connect(lake: Lake, memory_limit: str | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the lake attached as `lake` and its `work` schema in use, so the stages' SQL
    reads and writes the working tables by their plain names. Read-only attaches the lake read-only."""
    config: dict[str, object] = {
        "allow_unsigned_extensions": False,
        "autoinstall_known_extensions": False,
        # what a stage stages or sorts beyond the memory limit spills here, not into the working directory
        "temp_directory": os.path.join(tempfile.gettempdir(), f"newsassets-lake-{os.getpid()}"),
    }
    if memory_limit:
        config["memory_limit"] = memory_limit
    directory = extension_directory()
    if directory is not None:
        config["extension_directory"] = str(directory)
    conn = duckdb.connect(config=config)
    try:
        conn.execute("SET enable_progress_bar = false")
        _load(conn, "ducklake", directory)
        if lake.backend != "duckdb":
            _load(conn, lake.backend, directory)
        if lake.data_path.startswith(OBJECT_STORES):
            _load(conn, "httpfs", directory)
            conn.execute(s3_secret_sql())
        if lake.backend == "sqlite" and not read_only:
            _write_ahead_log(Path(lake.catalog.removeprefix("sqlite:")))
        options = [] if read_only else [f"DATA_PATH '{_text(lake.data_path)}'"]
        if read_only:
            options.append("READ_ONLY")
        empty = f"{lake.describe()} holds no tables yet: materialise raw_documents first"
        if read_only and lake.backend != "postgres" and not Path(lake.catalog.removeprefix("sqlite:")).exists():
            raise FileNotFoundError(empty)
        _attach(conn, f"ATTACH '{_text('ducklake:' + lake.catalog)}' AS {ALIAS} ({', '.join(options)})")
        if read_only:
            schemas = conn.execute(
                "SELECT count(*) FROM duckdb_schemas() WHERE database_name = ? AND schema_name = ?",
                [ALIAS, WORK_SCHEMA],
            ).fetchone()[0]
            if not schemas:
                raise FileNotFoundError(empty)
        else:
            retrying_conflicts(
                conn, lambda: conn.execute(f"CREATE SCHEMA IF NOT EXISTS {ALIAS}.{WORK_SCHEMA}"), "creating the schema"
            )
        conn.execute(f"USE {ALIAS}.{WORK_SCHEMA}")
    except BaseException:
        conn.close()
        raise
    return conn


# S3 settings from the environment, under the names AWS's own tools read: DuckDB secret option → variable
S3_VARIABLES = {
    "KEY_ID": "AWS_ACCESS_KEY_ID",
    "SECRET": "AWS_SECRET_ACCESS_KEY",
    "SESSION_TOKEN": "AWS_SESSION_TOKEN",
    "REGION": "AWS_REGION",
}
S3_ENDPOINT_VAR = "AWS_ENDPOINT_URL"  # another S3 (MinIO, Ceph, a cloud's S3 API): `http://minio:9000`


def s3_secret_sql(getenv: bool = False) -> str:
    """`CREATE SECRET` for a lake whose data path is on S3 or another S3 API, from the standard `AWS_*` variables
    (a temporary secret: it lives in the connection only). With `getenv`, the values are `getenv('AWS_…')` calls
    for DuckDB's shell to read, so no key stands in a command line."""
    options = {}
    for option, variable in S3_VARIABLES.items():
        value = os.environ.get(variable) or (os.environ.get("AWS_DEFAULT_REGION") if option == "REGION" else None)
        if value:
            options[option] = f"getenv('{variable}')" if getenv and option != "REGION" else f"'{_text(value)}'"
    endpoint = os.environ.get(S3_ENDPOINT_VAR, "").strip()
    if endpoint:
        scheme, _, host = endpoint.rpartition("://")
        options["ENDPOINT"] = f"'{_text(host.rstrip('/'))}'"
        options["URL_STYLE"] = "'path'"  # the bucket in the path, as MinIO and most self-hosted stores serve it
        options["USE_SSL"] = "false" if scheme == "http" else "true"
    return f"CREATE OR REPLACE SECRET newsassets_lake (TYPE s3{''.join(f', {k} {v}' for k, v in options.items())})"


def _attach(conn: duckdb.DuckDBPyConnection, statement: str) -> None:
    """ATTACH, again after a pause while it fails initialising a new catalog: processes that attach a new lake at
    the same moment (a sharded run's first shards) all try to create its metadata tables, and only one can."""
    for attempt in range(20):
        try:
            conn.execute(statement)
            return
        except duckdb.Error as exc:
            if "initialize ducklake" not in str(exc).lower() or attempt == 19:
                raise
            time.sleep(0.2 * (1 + attempt) * (0.5 + random.random()))


def _write_ahead_log(catalog: Path) -> None:
    """Put a SQLite catalog in write-ahead-log mode (once: the file keeps it). In SQLite's default mode a reader's
    open transaction holds a lock that makes every writer's commit fail ("database is locked"); with the log,
    readers and the one writer of the moment never wait for each other."""
    with closing(sqlite3.connect(catalog)) as database:
        if database.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            database.execute("PRAGMA journal_mode=WAL")


def _load(conn: duckdb.DuckDBPyConnection, extension: str, directory: Path | None) -> None:
    try:
        if directory is None:  # no [lake] packages: DuckDB's repository, where it can be reached
            conn.execute(f"INSTALL {extension}")
        conn.execute(f"LOAD {extension}")
    except duckdb.Error as exc:
        raise LakeUnavailable(
            f"DuckDB {duckdb.__version__} cannot load its {extension!r} extension ({str(exc).splitlines()[0]}). "
            "Where DuckDB's extension "
            "repository is out of reach, install the [lake] extra: pip install -e '.[lake]'"
        ) from exc


def _text(value: str) -> str:
    return value.replace("'", "''")


def publish(conn: duckdb.DuckDBPyConnection, run: Mapping[str, str] | None = None) -> list[str]:
    """Bring the lake's published tables (schema `main`) level with the working ones, in one transaction: one
    snapshot, its commit message `PUBLISH_MESSAGE` and `run` as extra info. Only rows that changed are deleted
    and inserted (matched on a hash of their public columns, duplicates counted), so each pass adds files for what
    it changed, not a copy of every table; a table whose columns changed is created again."""
    published = []
    with transaction(conn):
        conn.execute(
            f"CALL {ALIAS}.set_commit_message('newsassets', '{PUBLISH_MESSAGE}', extra_info => ?)",
            [json.dumps(dict(run or {}), sort_keys=True)],
        )
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {ALIAS}.{PUBLIC_SCHEMA}")
        for table in PUBLISHED_TABLES:
            if needs_rebuild(conn, table):
                continue  # no stage wrote it yet (or an older version did): nothing to publish
            columns = [c.name for c in SCHEMA[table].public_columns]
            target = f"{ALIAS}.{PUBLIC_SCHEMA}.{table}"
            if _columns(conn, PUBLIC_SCHEMA, table) != columns:
                conn.execute(f"CREATE OR REPLACE TABLE {target} AS SELECT {', '.join(columns)} FROM {table}")
                comment_table(conn, target, columns)
            else:
                _level(conn, table, target, columns)
            published.append(table)
    return published


def _level(conn: duckdb.DuckDBPyConnection, table: str, target: str, columns: list[str]) -> None:
    """Delete the rows of `target` that `table` no longer has and insert those it lacks, a row being the same
    when its public columns hash the same (JSON, so NULL and 'NULL' differ) and duplicates counted apart."""
    fields = ", ".join(f"'{c}': {c}" for c in columns)
    digest = f"md5(to_json({{{fields}}}))"
    keyed = "SELECT rowid AS r, {digest} AS h, row_number() OVER (PARTITION BY {digest}) AS n FROM {source}"
    conn.execute(f"CREATE OR REPLACE TEMP TABLE publish_old AS {keyed.format(digest=digest, source=target)}")
    conn.execute(f"CREATE OR REPLACE TEMP TABLE publish_new AS {keyed.format(digest=digest, source=table)}")
    conn.execute(
        f"DELETE FROM {target} WHERE rowid IN (SELECT r FROM publish_old o ANTI JOIN publish_new w USING (h, n))"
    )
    conn.execute(
        f"INSERT INTO {target} SELECT {', '.join(columns)} FROM {table} "
        "WHERE rowid IN (SELECT r FROM publish_new w ANTI JOIN publish_old o USING (h, n))"
    )
    conn.execute("DROP TABLE publish_old")
    conn.execute("DROP TABLE publish_new")


def _columns(conn: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    return [
        name
        for (name,) in conn.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = ? AND schema_name = ? AND table_name = ? "
            "ORDER BY column_index",
            [ALIAS, schema, table],
        ).fetchall()
    ]


def publish_snapshots(conn: duckdb.DuckDBPyConnection, alias: str = ALIAS) -> list[tuple[int, object, str]]:
    """`(snapshot_id, time, extra info)` of every publishing snapshot, oldest first: the versions to query the
    published tables `AT`."""
    return conn.execute(
        f"SELECT snapshot_id, snapshot_time, commit_extra_info FROM {alias}.snapshots() "
        "WHERE commit_message = ? ORDER BY snapshot_id",
        [PUBLISH_MESSAGE],
    ).fetchall()


def shell_command(lake: Lake, alias: str = "news") -> list[str]:
    """The DuckDB command-line tool (the `[lake]` extra pins it to the extensions' version) with the lake's published
    tables attached read-only as `alias` and in use: `SELECT … FROM articles` works as on the DuckDB file."""
    directory = extension_directory()
    setup = f"SET extension_directory = '{_text(str(directory))}'; " if directory else ""
    if lake.data_path.startswith(OBJECT_STORES):
        setup += f"{s3_secret_sql(getenv=True)}; "
    setup += f"ATTACH '{_text('ducklake:' + lake.catalog)}' AS {alias} (READ_ONLY); USE {alias};"
    # the setup's own output (CREATE SECRET answers `Success`) goes nowhere, the user's to the terminal
    return [
        str(Path(sys.executable).with_name("duckdb")),
        "-cmd",
        f".output {os.devnull}",
        "-cmd",
        setup,
        "-cmd",
        ".output",
    ]


def main(argv: list[str] | None = None) -> int:
    """`python -m newsassets.lake [duckdb options]`: the DuckDB shell on the configured lake's published tables
    (`NEWSASSETS_LAKE_CATALOG`); options such as `-c "SELECT …"` go to the shell."""
    from newsassets import settings

    command = shell_command(Lake(settings.lake_catalog(), settings.lake_data_path()))
    command += list(sys.argv[1:] if argv is None else argv)
    if not Path(command[0]).exists():
        print(f"no DuckDB command-line tool at {command[0]}: install the [lake] extra", file=sys.stderr)
        return 1
    os.execv(command[0], command)
    return 0  # not reached: the shell replaces this process


if __name__ == "__main__":
    sys.exit(main())
