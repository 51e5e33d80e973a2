"""Environment variables → paths and limits, with defaults resolved against the project root.

Read at call time, never at import time, so a test or a run can point the project elsewhere by
setting the variables before it builds its resources.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

RAW_DIR_VAR = "NEWSASSETS_RAW_DIR"
DB_PATH_VAR = "NEWSASSETS_DB_PATH"
MAX_FILE_BYTES_VAR = "NEWSASSETS_MAX_FILE_BYTES"

DEFAULT_RAW_DIR = "data/raw"
DEFAULT_DB_PATH = "data/newsassets.duckdb"
DEFAULT_MAX_FILE_BYTES = 25 * 1024 * 1024
DOC_TIMEOUT_VAR = "NEWSASSETS_DOC_TIMEOUT_SECONDS"
DEFAULT_DOC_TIMEOUT_SECONDS = 30.0


def resolve_path(value: str | os.PathLike[str]) -> Path:
    """An absolute path; a relative one is taken against the project root, not the working directory."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else PROJECT_ROOT / path


ALLOWED_ROOTS_VAR = "NEWSASSETS_ALLOWED_ROOTS"


def allowed_roots() -> list[Path]:
    """Folders outside the raw folder that symlinks in it may point to, separated by `:` (os.pathsep); by default
    none, so a link to `/etc/passwd` is a rejected row, never read."""
    value = os.environ.get(ALLOWED_ROOTS_VAR, "")
    return [resolve_path(part) for part in value.split(os.pathsep) if part.strip()]


def raw_dir() -> Path:
    return resolve_path(os.environ.get(RAW_DIR_VAR) or DEFAULT_RAW_DIR)


def db_path() -> Path:
    return resolve_path(os.environ.get(DB_PATH_VAR) or DEFAULT_DB_PATH)


MAX_DOC_TIMEOUT_SECONDS = 3600.0


def doc_timeout_seconds() -> float:
    """Seconds one document may take to read and clean before it is rejected; 0 turns the limit off."""
    return check_doc_timeout(_number(DOC_TIMEOUT_VAR, DEFAULT_DOC_TIMEOUT_SECONDS, float), DOC_TIMEOUT_VAR)


def check_doc_timeout(seconds: float, name: str = "doc_timeout_seconds") -> float:
    if not (seconds == 0 or 0.001 <= seconds <= MAX_DOC_TIMEOUT_SECONDS):  # also refuses nan and inf
        raise ValueError(
            f"{name} must be 0 (no limit) or a number of seconds from 0.001 to {MAX_DOC_TIMEOUT_SECONDS:g}, "
            f"got {seconds!r}"
        )
    return seconds


MAX_MAX_FILE_BYTES = 2**40  # 1 TiB: more is a typo


def max_file_bytes() -> int:
    return check_max_file_bytes(_number(MAX_FILE_BYTES_VAR, DEFAULT_MAX_FILE_BYTES, int), MAX_FILE_BYTES_VAR)


def check_max_file_bytes(limit: int, name: str = "max_file_bytes") -> int:
    if not 1 <= limit <= MAX_MAX_FILE_BYTES:
        raise ValueError(f"{name} must be a whole number of bytes from 1 to {MAX_MAX_FILE_BYTES}, got {limit!r}")
    return limit


def _number(variable: str, default, kind: type):
    """The variable's value as `kind` (int or float), its default when unset or empty, else a clear error."""
    value = os.environ.get(variable, "").strip()
    if not value:
        return default
    try:
        return kind(value)
    except ValueError as exc:
        what = "a whole number" if kind is int else "a number"
        raise ValueError(f"{variable} must be {what}, got {value!r}") from exc


SCHEDULE_CRON_VAR = "NEWSASSETS_SCHEDULE_CRON"
DEFAULT_SCHEDULE_CRON = "0 6 * * *"  # daily, 06:00 UTC


def schedule_cron() -> str:
    return os.environ.get(SCHEDULE_CRON_VAR) or DEFAULT_SCHEDULE_CRON


FLAG_RATE_LIMIT_VAR = "NEWSASSETS_FLAG_RATE_LIMIT"
DEFAULT_FLAG_RATE_LIMIT = 0.02
FLAG_MIN_ROWS_VAR = "NEWSASSETS_FLAG_MIN_ROWS"
DEFAULT_FLAG_MIN_ROWS = 5


def flag_rate_limit() -> float:
    """The share of a table's rows one quality rule may flag before its check blocks (a broken extractor)."""
    limit = _number(FLAG_RATE_LIMIT_VAR, DEFAULT_FLAG_RATE_LIMIT, float)
    if not 0 <= limit <= 1:  # also refuses nan
        raise ValueError(f"{FLAG_RATE_LIMIT_VAR} must be a share from 0 to 1 (e.g. 0.02), got {limit!r}")
    return limit


def flag_min_rows() -> int:
    """Fewer flagged rows than this never block, whatever their share: a rate of three pages is noise."""
    rows = _number(FLAG_MIN_ROWS_VAR, DEFAULT_FLAG_MIN_ROWS, int)
    if rows < 1:
        raise ValueError(f"{FLAG_MIN_ROWS_VAR} must be a whole number of rows, 1 or more, got {rows!r}")
    return rows


WORKERS_VAR = "NEWSASSETS_WORKERS"


def workers() -> int:
    """Processes a stage may keep busy at once: by default the cores this process may run on; 1 keeps every
    step in the run's own process."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    count = _number(WORKERS_VAR, cores, int)
    if count < 1:
        raise ValueError(f"{WORKERS_VAR} must be a whole number of processes, 1 or more, got {count!r}")
    return count


DEDUP_WINDOW_DAYS_VAR = "NEWSASSETS_DEDUP_WINDOW_DAYS"
# Real same-story pairs (../shared/realdata dutch_articles, template families aside) first appear this close in
# time: 98.7% within 7 days, 99.4% within 14, 99.98% within 30 (one re-post 35 days later of 5,635 pairs).
DEFAULT_DEDUP_WINDOW_DAYS = 30.0


def dedup_window_days() -> float:
    """Days within which items must be dated (else captured) to be dedup candidates; 0: any two items."""
    days = _number(DEDUP_WINDOW_DAYS_VAR, DEFAULT_DEDUP_WINDOW_DAYS, float)
    if not 0 <= days <= 36_500:  # also refuses nan and inf
        raise ValueError(f"{DEDUP_WINDOW_DAYS_VAR} must be a number of days from 0 (no window) to 36500, got {days!r}")
    return days


DUCKDB_MEMORY_LIMIT_VAR = "NEWSASSETS_DUCKDB_MEMORY_LIMIT"
# DuckDB holds a transaction's new rows in memory up to this, then spills them to `<database>.tmp/`: a stage that
# writes a folder's pages in one transaction stays within it (DuckDB's own default is 80% of the machine's RAM).
DEFAULT_DUCKDB_MEMORY_LIMIT = "2GB"
_MEMORY = re.compile(r"^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)


def duckdb_memory_limit() -> str:
    """DuckDB's memory limit for the pipeline's connections (`2GB`, `512MiB` …)."""
    value = os.environ.get(DUCKDB_MEMORY_LIMIT_VAR, "").strip() or DEFAULT_DUCKDB_MEMORY_LIMIT
    if not _MEMORY.match(value):
        raise ValueError(f"{DUCKDB_MEMORY_LIMIT_VAR} must be an amount of memory such as 2GB or 512MiB, got {value!r}")
    return value


STORE_VAR = "NEWSASSETS_STORE"
STORES = ("duckdb", "ducklake")
LAKE_CATALOG_VAR = "NEWSASSETS_LAKE_CATALOG"
LAKE_DATA_PATH_VAR = "NEWSASSETS_LAKE_DATA_PATH"
DEFAULT_LAKE_CATALOG = "sqlite:data/lake/catalog.sqlite"
DEFAULT_LAKE_DATA_PATH = "data/lake/files"


def store_kind() -> str:
    """Where the tables live: `duckdb` (the default: one DuckDB file, published by an atomic rename) or `ducklake`
    (a DuckLake: catalog in SQLite or Postgres, Parquet files under a folder; see `newsassets.lake`)."""
    value = (os.environ.get(STORE_VAR) or "duckdb").strip().lower()
    return check_store_kind(value, STORE_VAR)


def check_store_kind(value: str, name: str = "kind") -> str:
    if value not in STORES:
        raise ValueError(f"{name} must be one of {', '.join(STORES)}, got {value!r}")
    return value


def lake_catalog() -> str:
    """DuckLake's catalog as it follows `ducklake:` in an ATTACH: `sqlite:<file>` (default
    `sqlite:data/lake/catalog.sqlite`), `postgres:<connection string>`, or a DuckDB file; a relative file is
    taken against the project root."""
    return resolve_lake_catalog(os.environ.get(LAKE_CATALOG_VAR, "").strip() or DEFAULT_LAKE_CATALOG)


def resolve_lake_catalog(value: str) -> str:
    kind, _, rest = value.partition(":")
    if kind == "postgres":
        return value
    if kind == "sqlite":
        return f"sqlite:{resolve_path(rest)}" if rest else value
    return str(resolve_path(value))


def lake_data_path() -> str:
    """The folder of the lake's Parquet files (default `data/lake/files`), or an object store's `s3://…` prefix."""
    return resolve_lake_data_path(os.environ.get(LAKE_DATA_PATH_VAR, "").strip() or DEFAULT_LAKE_DATA_PATH)


def resolve_lake_data_path(value: str) -> str:
    if "://" in value:
        return value if value.endswith("/") else value + "/"
    return str(resolve_path(value)) + os.sep


SHARDS_VAR = "NEWSASSETS_SHARDS"


def shards() -> int:
    """How many shards the per-page stages are partitioned into (1: not sharded, the default). More than one
    needs a DuckLake store whose catalog is Postgres: the shards' runs write the tables at the same time, which
    neither the DuckDB file (one writer) nor a SQLite catalog (one committing writer) admits."""
    count = _number(SHARDS_VAR, 1, int)
    if not 1 <= count <= 256:
        raise ValueError(f"{SHARDS_VAR} must be a whole number of shards from 1 to 256, got {count!r}")
    if count > 1 and (store_kind() != "ducklake" or not lake_catalog().startswith("postgres:")):
        raise ValueError(
            f"{SHARDS_VAR}={count} needs {STORE_VAR}=ducklake with a Postgres catalog ({LAKE_CATALOG_VAR}=postgres:…): "
            "shard runs write the tables at once"
        )
    return count
