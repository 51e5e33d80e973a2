"""The DuckDB tables (declared in `newsassets.schema`): one-transaction writes, so a failed write changes nothing,
and the published snapshot readers query."""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb
import numpy as np

from newsassets.schema import PUBLISHED_TABLES, SCHEMA, TABLES


def replace_table(conn: duckdb.DuckDBPyConnection, table: str, rows: Iterable[Mapping[str, object]]) -> int:
    """Replace `table` with `rows` (mappings from column name to value) in one transaction.

    Readers see the old table until the commit; if anything fails midway, the rollback leaves the
    old table exactly as it was.
    """
    return apply_changes(conn, table, rows, rebuild=True)


def apply_changes(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    rows: Iterable[Mapping[str, object]],
    remove: Iterable[str] = (),
    key: str = "doc_id",
    rebuild: bool = False,
) -> int:
    """Delete the rows whose `key` is in `remove`, then insert `rows`, in one transaction.

    The table is (re)created first when `rebuild` is set or its columns differ from the schema (an older
    version of the project wrote it); callers that need to know ask `needs_rebuild` beforehand. `rows` may be
    a generator: they are inserted a batch at a time as they come, so they never all sit in memory.
    """
    with transaction(conn):
        writer = changing(conn, table, remove, key, rebuild)
        for row in rows:
            writer.add(row)
        return writer.close()


def changing(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    remove: Iterable[str] = (),
    key: str = "doc_id",
    rebuild: bool = False,
    replacing: str | None = None,
    staged: bool = False,
) -> TableWriter:
    """`apply_changes` a row at a time, inside the caller's `transaction`: the table (re)created or the rows of
    `remove` deleted now, then a `TableWriter` (see there for `replacing`) to add the new rows with.

    `staged`: the rows go to a temporary table instead (the table itself is left alone), for `commit_staged` to
    move in later in a short transaction: what a shard run does (see there)."""
    if staged:
        columns = ", ".join(f"{c} {t}" for c, t in TABLES[table].items())
        conn.execute(f"CREATE OR REPLACE TEMP TABLE {STAGED_PREFIX}{table} ({columns})")
        return TableWriter(conn, table, target=f"temp.{STAGED_PREFIX}{table}")
    if rebuild or needs_rebuild(conn, table):
        _create_table(conn, table)
    else:
        _delete_matching(conn, table, {key: list(remove)})
    return TableWriter(conn, table, replacing)


STAGED_PREFIX = "staged_"


def commit_staged(
    conn: duckdb.DuckDBPyConnection, tables: Iterable[str], deletions: Mapping[str, Mapping[str, list]]
) -> None:
    """Delete `deletions` (table → key columns → values, as `_delete_matching`) and move the rows staged for
    `tables` (`changing(..., staged=True)`) into them, in one transaction retried on DuckLake's write conflicts.

    DuckLake lets a transaction insert into a table only if no overlapping one deleted from it, and delete only
    if no overlapping one inserted or deleted: the shards of a sharded run, writing the same tables at once,
    would fail each other's commits. So a shard does its slow work (reading pages, cleaning them) into temporary
    tables and writes the lake in this short step, which runs again after a pause when it collides."""
    tables = list(tables)

    def move() -> None:
        for table, keys in deletions.items():
            if table_exists(conn, table):
                _delete_matching(conn, table, keys)
        for table in tables:
            conn.execute(f"INSERT INTO {table} SELECT * FROM temp.{STAGED_PREFIX}{table}")

    retrying_conflicts(conn, move, f"writing {', '.join(tables)}")
    for table in tables:
        conn.execute(f"DROP TABLE IF EXISTS temp.{STAGED_PREFIX}{table}")


class TableWriter:
    """Rows added one at a time and inserted a batch at a time (call `close` for the last batch). With
    `replacing`, a batch first deletes the stored rows with its values of that column."""

    BATCH = 1_000  # rows
    BATCH_CHARS = 16 << 20  # or text: a thousand pages of HTML would hold hundreds of MB at once

    def __init__(
        self, conn: duckdb.DuckDBPyConnection, table: str, replacing: str | None = None, target: str | None = None
    ) -> None:
        self.conn, self.table, self.replacing = conn, table, replacing
        self.target = target  # where the rows go, when not into `table` itself (a staging table)
        self.columns: dict[str, list] = {column: [] for column in TABLES[table]}
        self.count = 0
        self.chars = 0

    def add(self, row: Mapping[str, object]) -> None:
        for column, values in self.columns.items():
            value = row[column]
            values.append(value)
            if isinstance(value, str):
                self.chars += len(value)
        if self.chars >= self.BATCH_CHARS or len(self.columns[next(iter(self.columns))]) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        values = self.columns
        if not values[next(iter(values))]:
            return
        if self.replacing:
            _delete_matching(self.conn, self.table, {self.replacing: values[self.replacing]})
        self.count += _insert_in_batches(self.conn, self.table, values, self.target)
        self.columns = {column: [] for column in values}
        self.chars = 0

    def close(self) -> int:
        """Insert what is left; the number of rows this writer inserted."""
        self.flush()
        return self.count


def _create_table(conn: duckdb.DuckDBPyConnection, table: str) -> None:
    conn.execute(f"CREATE OR REPLACE TABLE {table} ({', '.join(f'{c} {t}' for c, t in TABLES[table].items())})")
    comment_table(conn, table, [c.name for c in SCHEMA[table].columns])


def comment_table(conn: duckdb.DuckDBPyConnection, qualified: str, columns: list[str]) -> None:
    """The schema's descriptions as COMMENTs, so `duckdb_columns()` and `DESCRIBE` users see them too."""
    table = SCHEMA[qualified.split(".")[-1]]
    conn.execute(f"COMMENT ON TABLE {qualified} IS '{_sql_text(table.description)}'")
    described = {c.name: c.description for c in table.columns}
    for column in columns:
        conn.execute(f"COMMENT ON COLUMN {qualified}.{column} IS '{_sql_text(described[column])}'")


def _sql_text(text: str) -> str:
    return text.replace("'", "''")


@contextmanager
def transaction(conn: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One transaction around the block; nested uses join the outer one, so several tables can change together."""
    if id(conn) in _IN_TRANSACTION:
        yield
        return
    conn.execute("BEGIN TRANSACTION")
    _IN_TRANSACTION.add(id(conn))
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        # after a failed write (a full disk, say) DuckDB has rolled back already: the cause is what must surface
        with suppress(duckdb.Error):
            conn.execute("ROLLBACK")
        raise
    finally:
        _IN_TRANSACTION.discard(id(conn))


_IN_TRANSACTION: set[int] = set()  # connections inside `transaction`, by id


def needs_rebuild(conn: duckdb.DuckDBPyConnection, table: str) -> bool:
    """True when the table is missing or its columns are not the schema's (in order)."""
    existing = conn.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND database_name = current_database() "
        "AND schema_name = current_schema() ORDER BY column_index",
        [table],
    ).fetchall()
    return [name for (name,) in existing] != list(TABLES[table])


def _insert_columns(
    conn: duckdb.DuckDBPyConnection, table: str, values: Mapping[str, list], target: str | None = None
) -> None:
    """Insert column lists in one statement: as numpy arrays that DuckDB scans where every column has a plain
    type (8× faster than parameters for the dedup tables' millions of rows), else as one LIST parameter each,
    unnested by DuckDB; both orders of magnitude faster than a row-by-row `executemany`. (Pages' content takes
    the parameters' path: DuckDB copies parameters, where it would keep the scanned arrays' strings alive until
    the transaction ends, so a stage's whole folder would sit in memory.)"""
    schema = TABLES[table]
    lengths = {len(values[column]) for column in schema}
    if len(lengths) > 1:
        raise ValueError(f"{table}: columns of different lengths {sorted(lengths)}")
    if not lengths or not lengths.pop():
        return
    types = {column: schema[column].removesuffix(" NOT NULL") for column in schema}
    if all(t in _NUMPY_TYPES for t in types.values()):
        try:
            frame, selected = _arrays({column: (values[column], types[column]) for column in schema})
        except (ValueError, TypeError, OverflowError):
            pass  # a value numpy cannot hold: the parameters' path says which, as DuckDB's error
        else:
            name = f"_newsassets_insert_{table}"
            conn.register(name, frame)
            try:
                conn.execute(f"INSERT INTO {target or table} SELECT {', '.join(selected)} FROM {name}")
            finally:
                conn.unregister(name)
            return
    unnested = ", ".join(f"unnest(${i + 1}::{types[c]}[])" for i, c in enumerate(schema))
    conn.execute(f"INSERT INTO {target or table} SELECT {unnested}", [values[column] for column in schema])


# SQL type → numpy dtype of the array DuckDB scans (None: Python objects, NULL for None)
_NUMPY_TYPES = {
    "VARCHAR": None,
    "BLOB": None,
    "BOOLEAN": np.bool_,
    "DOUBLE": np.float64,
    "INTEGER": np.int32,
    "BIGINT": np.int64,
    "UINTEGER": np.uint32,
    "UBIGINT": np.uint64,
}


def _arrays(columns: Mapping[str, tuple[list, str]]) -> tuple[dict[str, np.ndarray], list[str]]:
    """The columns as numpy arrays, and the select list that reads them back as their SQL types."""
    frame: dict[str, np.ndarray] = {}
    selected = []
    for i, (values, sql_type) in enumerate(columns.values()):
        dtype = _NUMPY_TYPES[sql_type]
        if dtype is None:
            frame[f"c{i}"] = np.fromiter(values, dtype=object, count=len(values))  # lists stay items
            selected.append(f"c{i}::{sql_type}")
            continue
        present = [v is not None for v in values]
        if all(present):
            frame[f"c{i}"] = np.array(values, dtype=dtype)
            selected.append(f"c{i}::{sql_type}")
        else:  # a numeric column with NULLs: zeros where NULL, and a mask that says so
            frame[f"c{i}"] = np.array([0 if v is None else v for v in values], dtype=dtype)
            frame[f"m{i}"] = np.array(present, dtype=np.bool_)
            selected.append(f"CASE WHEN m{i} THEN c{i}::{sql_type} END")
    return frame, selected


def next_write_stamp(conn: duckdb.DuckDBPyConnection) -> int:
    """A number larger than any taken before in this database, for the rows a stage run writes (`written_in`):
    what was written after a given run is then a filter on one integer column, not a comparison of every text.

    A DuckLake has no sequences: there the stamps are rows of a table, the next one the largest plus one. Two
    processes that took theirs at the same moment could share one, which would be harmless: a stamp only has to
    be larger than every one dedup had seen when it last read the tables."""
    if not is_lake(conn):
        conn.execute("CREATE SEQUENCE IF NOT EXISTS write_stamps")
        return conn.execute("SELECT nextval('write_stamps')").fetchone()[0]
    taken = []

    def take() -> None:  # retried: runs of several shards may create the table at once
        conn.execute("CREATE TABLE IF NOT EXISTS write_stamps (stamp BIGINT NOT NULL, taken_at TIMESTAMP)")
        conn.execute("INSERT INTO write_stamps SELECT coalesce(max(stamp), 0) + 1, now()::TIMESTAMP FROM write_stamps")
        taken[:] = [conn.execute("SELECT max(stamp) FROM write_stamps").fetchone()[0]]

    retrying_conflicts(conn, take, "taking a write stamp")
    return taken[0]


def is_lake(conn: duckdb.DuckDBPyConnection) -> bool:
    """Whether the connection's current database is a DuckLake (see `newsassets.lake`)."""
    kind = conn.execute("SELECT type FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    return kind is not None and kind[0] == "ducklake"


def table_exists(conn: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether the current schema has the table (a lake's published copy of the same name is another one)."""
    return bool(
        conn.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND database_name = current_database() "
            "AND schema_name = current_schema()",
            [table],
        ).fetchone()[0]
    )


def replace_table_columns(conn: duckdb.DuckDBPyConnection, table: str, values: Mapping[str, list]) -> int:
    """`replace_table` for many rows: `values` maps each column to its list of values, so no row dicts are built."""
    with transaction(conn):
        _create_table(conn, table)
        return _insert_in_batches(conn, table, values)


def _insert_in_batches(
    conn: duckdb.DuckDBPyConnection, table: str, values: Mapping[str, list], target: str | None = None
) -> int:
    """`_insert_columns` a slice at a time: a million rows never sit in DuckDB's parameter lists (or in
    numpy arrays) all at once."""
    count = len(values[next(iter(TABLES[table]))])
    plain = all(t.removesuffix(" NOT NULL") in _NUMPY_TYPES for t in TABLES[table].values())
    batch = 200_000 if plain else 10_000
    for start in range(0, count, batch):
        _insert_columns(
            conn,
            table,
            {column: column_values[start : start + batch] for column, column_values in values.items()},
            target,
        )
    return count


# What users query: the published snapshot holds the schema's published tables and their public columns,
# never the stages' internal bookkeeping.
# The DuckDB command-line tool on PyPI (duckdb-cli 1.5) must open the snapshot too.
PUBLISHED_STORAGE_VERSION = "v1.5.0"


def publish_snapshot(work_database: Path, published: Path, memory_limit: str | None = None) -> list[str]:
    """Copy the public tables of the working database into a fresh file and move it over `published`
    in one atomic rename.

    A reader that has the published file open keeps reading the old snapshot to the end of its
    connection, and never blocks the run: runs write only the working database. A crash at any point
    leaves the published file exactly as it was.
    """
    published.parent.mkdir(parents=True, exist_ok=True)
    for leftover in published.parent.glob(f".{published.name}.*.publishing*"):  # a killed publish's file and WAL
        leftover.unlink(missing_ok=True)
    staging = published.with_name(f".{published.name}.{os.getpid()}.publishing")
    copied = []
    # under the store's memory limit, as every stage's connection: DuckDB's default would cache up to 80% of RAM
    # while it copies every page's content
    config = {"memory_limit": memory_limit} if memory_limit else {}
    with duckdb.connect(str(work_database), config=config) as conn:
        conn.execute(f"ATTACH '{_quoted(staging)}' AS snapshot (STORAGE_VERSION '{PUBLISHED_STORAGE_VERSION}')")
        try:
            with transaction(conn):  # one commit: each statement on its own would commit (and sync) again
                for table in PUBLISHED_TABLES:
                    if not needs_rebuild(conn, table):
                        columns = [c.name for c in SCHEMA[table].public_columns]
                        conn.execute(f"CREATE TABLE snapshot.{table} AS SELECT {', '.join(columns)} FROM {table}")
                        comment_table(conn, f"snapshot.{table}", columns)
                        copied.append(table)
        finally:
            conn.execute("DETACH snapshot")
    with staging.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(staging, published)
    directory = os.open(published.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return copied


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def replace_rows(
    conn: duckdb.DuckDBPyConnection, table: str, keys: Mapping[str, list], values: Mapping[str, list]
) -> int:
    """In one transaction: delete the rows matching any of `keys` (column → list: the rows of a composite key),
    then insert `values` (column → list, as for `replace_table_columns`)."""
    with transaction(conn):
        _delete_matching(conn, table, keys)
        return _insert_in_batches(conn, table, values)


def replace_rows_at(conn: duckdb.DuckDBPyConnection, table: str, rowids: list[int], values: Mapping[str, list]) -> int:
    """`replace_rows` for rows already found, by their `rowid` in this same transaction: the delete then reads
    only those rows, where matching keys scans the whole column."""
    with transaction(conn):
        if rowids:
            conn.execute(f"DELETE FROM {table} WHERE rowid IN (SELECT unnest($1::BIGINT[]))", [rowids])
        return _insert_in_batches(conn, table, values)


def _delete_matching(conn: duckdb.DuckDBPyConnection, table: str, keys: Mapping[str, list]) -> None:
    """Delete the rows whose key columns equal any row of `keys` (column → list of values, one per row)."""
    names = list(keys)
    if not names or not keys[names[0]]:
        return
    unnested = ", ".join(f"unnest(${i + 1}::{TABLES[table][n].split()[0]}[]) AS {n}" for i, n in enumerate(names))
    match = " AND ".join(f"t.{n} = k.{n}" for n in names)
    conn.execute(
        f"DELETE FROM {table} t WHERE EXISTS (SELECT 1 FROM (SELECT {unnested}) k WHERE {match})",
        [keys[n] for n in names],
    )


# DuckLake lets one transaction at a time delete from a table (or create it): another that overlapped it fails
# at commit with a conflict and can simply run again.
CONFLICT_RETRIES = 40


def retrying_conflicts(conn: duckdb.DuckDBPyConnection, work: Callable[[], None], what: str) -> None:
    """Run `work` in a transaction of its own, again after a short, growing, jittered pause while it fails on a
    DuckLake write conflict (the shards of a sharded run deleting or creating at the same moment)."""
    for attempt in range(CONFLICT_RETRIES):
        try:
            with transaction(conn):
                work()
            return
        except duckdb.TransactionException as exc:
            if "conflict" not in str(exc).lower() or attempt == CONFLICT_RETRIES - 1:
                exc.add_note(f"newsassets: while {what} (attempt {attempt + 1})")
                raise
            time.sleep(min(2.0, 0.05 * 2 ** min(attempt, 6)) * (0.5 + random.random()))


def ensure_tables(conn: duckdb.DuckDBPyConnection, tables: Iterable[str]) -> None:
    """Create the tables that do not exist yet, each in its own retried transaction; never replace one. What a
    shard run does instead of (re)creating: several shards may find a table missing at once."""
    for table in tables:
        if table_exists(conn, table):
            continue

        def create(table: str = table) -> None:
            columns = ", ".join(f"{c} {t}" for c, t in TABLES[table].items())
            conn.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")
            comment_table(conn, table, [c.name for c in SCHEMA[table].columns])

        retrying_conflicts(conn, create, f"creating {table}")
