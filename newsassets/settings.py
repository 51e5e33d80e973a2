"""Environment variables → paths and limits, with defaults resolved against the project root.

Read at call time, never at import time, so a test or a run can point the project elsewhere by
setting the variables before it builds its resources.
"""

from __future__ import annotations

import os
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


def raw_dir() -> Path:
    return resolve_path(os.environ.get(RAW_DIR_VAR) or DEFAULT_RAW_DIR)


def db_path() -> Path:
    return resolve_path(os.environ.get(DB_PATH_VAR) or DEFAULT_DB_PATH)


def doc_timeout_seconds() -> float:
    """Seconds one document may take to clean before it is rejected; 0 turns the limit off."""
    value = os.environ.get(DOC_TIMEOUT_VAR)
    try:
        return float(value) if value else DEFAULT_DOC_TIMEOUT_SECONDS
    except ValueError as exc:
        raise ValueError(f"{DOC_TIMEOUT_VAR} must be a number of seconds, got {value!r}") from exc


def max_file_bytes() -> int:
    value = os.environ.get(MAX_FILE_BYTES_VAR)
    if not value:
        return DEFAULT_MAX_FILE_BYTES
    try:
        limit = int(value)
    except ValueError as exc:
        raise ValueError(f"{MAX_FILE_BYTES_VAR} must be a whole number of bytes, got {value!r}") from exc
    if limit <= 0:
        raise ValueError(f"{MAX_FILE_BYTES_VAR} must be positive, got {limit}")
    return limit


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
    value = os.environ.get(FLAG_RATE_LIMIT_VAR)
    if not value:
        return DEFAULT_FLAG_RATE_LIMIT
    try:
        limit = float(value)
    except ValueError:
        limit = float("nan")
    if not 0 <= limit <= 1:  # also rejects nan
        raise ValueError(f"{FLAG_RATE_LIMIT_VAR} must be a share between 0 and 1 (e.g. 0.02), got {value!r}")
    return limit


def flag_min_rows() -> int:
    """Fewer flagged rows than this never block, whatever their share: a rate of three pages is noise."""
    value = os.environ.get(FLAG_MIN_ROWS_VAR)
    if not value:
        return DEFAULT_FLAG_MIN_ROWS
    try:
        rows = int(value)
    except ValueError:
        rows = -1
    if rows < 1:
        raise ValueError(f"{FLAG_MIN_ROWS_VAR} must be a whole number of rows, 1 or more, got {value!r}")
    return rows
