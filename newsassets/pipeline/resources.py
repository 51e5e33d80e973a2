"""Resources: where the raw pages are and where the DuckDB file is, from settings by default."""

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import Field, PrivateAttr

from newsassets import settings
from newsassets.lake import ALIAS as LAKE_ALIAS
from newsassets.lake import WORK_SCHEMA, Lake, LakeUnavailable
from newsassets.lake import connect as connect_lake
from newsassets.lake import publish as publish_lake
from newsassets.screening import Judgement
from newsassets.shards import Shard, scoped_views_sql
from newsassets.store import publish_snapshot


class RawFolder(dg.ConfigurableResource):
    """The folder of raw scraped pages (`NEWSASSETS_RAW_DIR`, default `data/raw`)."""

    path: str
    max_file_bytes: int = settings.DEFAULT_MAX_FILE_BYTES
    doc_timeout_seconds: float = settings.DEFAULT_DOC_TIMEOUT_SECONDS
    allowed_roots: list[str] = Field(default_factory=list)
    """Folders outside the raw folder that symlinks in it may point to (NEWSASSETS_ALLOWED_ROOTS)."""

    def root(self) -> Path:
        return settings.resolve_path(self.path)

    def allowed_root_paths(self) -> list[Path]:
        return [settings.resolve_path(root) for root in self.allowed_roots]

    def judgement(self) -> Judgement:
        """The settings pages are judged under, validated: a bad value fails the run with one clear line."""
        try:
            return Judgement(
                settings.check_max_file_bytes(self.max_file_bytes), settings.check_doc_timeout(self.doc_timeout_seconds)
            )
        except ValueError as exc:
            raise dg.Failure(f"raw_folder: {exc}") from None


class NewsStore(dg.ConfigurableResource):
    """Where the tables live (`kind`, `NEWSASSETS_STORE`).

    `duckdb`, the default: `database` is the published snapshot users query (`NEWSASSETS_DB_PATH`, default
    `data/newsassets.duckdb`); runs write a private working database beside it (`work_database`, default
    `<name>.work.duckdb`) and publish a new snapshot when a full pass is done.

    `ducklake`: a DuckLake whose catalog is `lake_catalog` (`NEWSASSETS_LAKE_CATALOG`, SQLite or Postgres) and
    whose Parquet files are under `lake_data_path` (`NEWSASSETS_LAKE_DATA_PATH`); runs write its `work` schema
    and publish to its `main` schema in one snapshot (`newsassets.lake`).

    Connections are short-lived and always closed, also when the work inside raises, so a failed step
    never leaves the file locked for the next one.
    """

    database: str = ""
    work_database: str = ""
    kind: str = "duckdb"
    lake_catalog: str = ""
    lake_data_path: str = ""
    shards: int = 1
    """Shards of the per-page stages (`NEWSASSETS_SHARDS`); a run of one shard is a run of that partition."""

    _shard: Shard | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        key = (context.run.tags if context.run else {}).get("dagster/partition")
        self._shard = Shard.from_key(key, self.shards) if key is not None and self.shards > 1 else None

    def shard(self) -> Shard | None:
        """The shard this run works on, or None: every page."""
        return self._shard

    def is_lake(self) -> bool:
        try:
            return settings.check_store_kind(self.kind.strip().lower(), "store kind") == "ducklake"
        except ValueError as exc:
            raise dg.Failure(f"store: {exc}") from None

    def lake(self) -> Lake:
        return Lake(
            settings.resolve_lake_catalog(self.lake_catalog or settings.DEFAULT_LAKE_CATALOG),
            settings.resolve_lake_data_path(self.lake_data_path or settings.DEFAULT_LAKE_DATA_PATH),
        )

    def location(self) -> str:
        """Where readers find the published tables, for logs and metadata."""
        return self.lake().describe() if self.is_lake() else str(self.path())

    def path(self) -> Path:
        return settings.resolve_path(self.database)

    def work_path(self) -> Path:
        if self.work_database:
            return settings.resolve_path(self.work_database)
        published = self.path()
        return published.with_name(f"{published.stem}.work{published.suffix or '.duckdb'}")

    def memory_limit(self) -> str:
        try:
            return settings.duckdb_memory_limit()
        except ValueError as exc:
            raise dg.Failure(f"store: {exc}") from None

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to the working database (a lake's `work` schema)."""
        if self.is_lake():
            with self._connect_lake(read_only) as conn:
                yield conn
            return
        path = self.work_path()
        if not path.exists() and self.path().exists():
            # an older version wrote the published file directly: carry its tables over once
            shutil.copyfile(self.path(), path)
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        elif not path.exists():
            raise dg.Failure(f"DuckDB file {path} does not exist yet: materialise raw_documents first")
        conn = duckdb.connect(str(path), read_only=read_only, config={"memory_limit": self.memory_limit()})
        try:
            yield conn
        finally:
            conn.close()

    @contextmanager
    def _connect_lake(self, read_only: bool) -> Iterator[duckdb.DuckDBPyConnection]:
        lake = self.lake()
        if lake.backend != "postgres" and not read_only:
            for local in (lake.catalog.removeprefix("sqlite:"), lake.data_path):
                if "://" not in local:
                    Path(local).parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = connect_lake(lake, self.memory_limit(), read_only=read_only)
        except (LakeUnavailable, FileNotFoundError) as exc:
            raise dg.Failure(f"store: {exc}") from None
        try:
            if read_only and self._shard is not None:  # a shard run's checks: its own rows only
                present = {
                    name
                    for (name,) in conn.execute(
                        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = ?",
                        [LAKE_ALIAS, WORK_SCHEMA],
                    ).fetchall()
                }
                for statement in scoped_views_sql(self._shard, f"{LAKE_ALIAS}.{WORK_SCHEMA}", present):
                    conn.execute(statement)
            yield conn
        finally:
            conn.close()

    def publish(self, run: dict[str, str] | None = None) -> list[str]:
        """Atomically replace the published tables with the working ones' public columns: a new DuckDB file
        moved over the old, or one DuckLake snapshot (`run` says which run it was, in the snapshot's extra info)."""
        if self.is_lake():
            with self.connect() as conn:
                return publish_lake(conn, run)
        return publish_snapshot(self.work_path(), self.path(), self.memory_limit())


class QualityLimits(dg.ConfigurableResource):
    """When a content-quality check blocks: a rule flagging more than `flag_rate_limit` of a table's rows
    (`NEWSASSETS_FLAG_RATE_LIMIT`, default 0.02) and at least `flag_min_rows` rows (`NEWSASSETS_FLAG_MIN_ROWS`,
    default 5) means the extractor is broken; below that, flagged rows are only counted and shown."""

    flag_rate_limit: float = settings.DEFAULT_FLAG_RATE_LIMIT
    flag_min_rows: int = settings.DEFAULT_FLAG_MIN_ROWS


def default_resources() -> dict[str, dg.ConfigurableResource]:
    """The resources of the deployed definitions. The paths, the size cap and the row floor are `dg.EnvVar`s, so
    the launchpad shows which variable sets what; their defaults are put into the environment when unset, after
    every setting is validated (a bad one is one clear line, at load). Dagster's EnvVar takes no float, so the
    time limit and the flag rate are read here, as values."""
    for variable, value in (
        (settings.RAW_DIR_VAR, str(settings.raw_dir())),
        (settings.DB_PATH_VAR, str(settings.db_path())),
        (settings.MAX_FILE_BYTES_VAR, str(settings.max_file_bytes())),
        (settings.FLAG_MIN_ROWS_VAR, str(settings.flag_min_rows())),
    ):
        os.environ.setdefault(variable, value)
    return {
        "raw_folder": RawFolder(
            path=dg.EnvVar(settings.RAW_DIR_VAR),
            max_file_bytes=dg.EnvVar.int(settings.MAX_FILE_BYTES_VAR),
            doc_timeout_seconds=settings.doc_timeout_seconds(),
            allowed_roots=[str(root) for root in settings.allowed_roots()],
        ),
        "store": NewsStore(
            database=dg.EnvVar(settings.DB_PATH_VAR),
            kind=settings.store_kind(),
            lake_catalog=settings.lake_catalog(),
            lake_data_path=settings.lake_data_path(),
            shards=settings.shards(),
        ),
        "quality": QualityLimits(
            flag_rate_limit=settings.flag_rate_limit(), flag_min_rows=dg.EnvVar.int(settings.FLAG_MIN_ROWS_VAR)
        ),
    }
