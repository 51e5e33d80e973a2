"""Resources: where the raw pages are and where the DuckDB file is, from settings by default."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from newsassets import settings


class RawFolder(dg.ConfigurableResource):
    """The folder of raw scraped pages (`NEWSASSETS_RAW_DIR`, default `data/raw`)."""

    path: str
    max_file_bytes: int = settings.DEFAULT_MAX_FILE_BYTES
    doc_timeout_seconds: float = settings.DEFAULT_DOC_TIMEOUT_SECONDS

    def root(self) -> Path:
        return settings.resolve_path(self.path)


class NewsStore(dg.ConfigurableResource):
    """The DuckDB file of the pipeline's tables (`NEWSASSETS_DB_PATH`, default `data/newsassets.duckdb`).

    Connections are short-lived and always closed, also when the work inside raises, so a failed
    step never leaves the file locked for the next one.
    """

    database: str

    def path(self) -> Path:
        return settings.resolve_path(self.database)

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        path = self.path()
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        elif not path.exists():
            raise dg.Failure(f"DuckDB file {path} does not exist yet: materialise raw_documents first")
        conn = duckdb.connect(str(path), read_only=read_only)
        try:
            yield conn
        finally:
            conn.close()


def default_resources() -> dict[str, dg.ConfigurableResource]:
    return {
        "raw_folder": RawFolder(
            path=str(settings.raw_dir()),
            max_file_bytes=settings.max_file_bytes(),
            doc_timeout_seconds=settings.doc_timeout_seconds(),
        ),
        "store": NewsStore(database=str(settings.db_path())),
    }
