"""A real, throwaway Postgres server for tests: Debian's `postgresql` binaries, `initdb` into a temporary folder,
listening on loopback only at a free port, stopped and deleted at the end. `.ci/run` installs the package where
it is missing; elsewhere a test that needs the server skips, saying why."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _binary(name: str) -> str | None:
    """A Postgres program: on PATH, else in Debian's versioned folder (`/usr/lib/postgresql/15/bin`)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(Path(p).parts[4]))
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def postgres_server(database: str = "newsassets") -> Iterator[str]:
    """Start a server with one empty database; yield its url (`postgresql://postgres@127.0.0.1:PORT/DB`)."""
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    if not (initdb and pg_ctl):
        message = "Postgres is not installed (Debian's postgresql package; .ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    run_as: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="newsassets-pg-"))  # not under pytest's root-only tmp folders
    if os.geteuid() == 0:  # initdb refuses root: the server runs as Debian's `postgres` user
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no `postgres` user to run the server as")
        os.chown(folder, account.pw_uid, account.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", _free_port()
    log = folder / "server.log"

    def run(*command: str) -> None:
        subprocess.run([*run_as, *command], check=True, capture_output=True, text=True, timeout=120)

    try:
        run(initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100"
        run(pg_ctl, "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60", "start")
        try:
            _create_database(port, database)
            yield f"postgresql://postgres@127.0.0.1:{port}/{database}"
        finally:
            run(pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop")
            if keep := os.environ.get("NEWSASSETS_KEEP_PG_LOG"):  # for a failure's post-mortem
                shutil.copy(log, keep)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _create_database(port: int, database: str) -> None:
    import psycopg2

    deadline = time.monotonic() + 30
    while True:
        try:
            connection = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
            break
        except psycopg2.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    connection.autocommit = True  # CREATE DATABASE runs outside a transaction
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{database}"')
    finally:
        connection.close()


def query(url: str, sql: str) -> list[tuple]:
    """Rows of one query against the server at `url`."""
    import psycopg2

    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()
    finally:
        connection.close()


def create_database(url: str, database: str) -> str:
    """Another empty database on the server at `url`; its url."""
    from urllib.parse import urlsplit, urlunsplit

    server = urlsplit(url)
    _create_database(server.port, database)
    return urlunsplit(server._replace(path=f"/{database}"))


def libpq(url: str) -> str:
    """The url as a libpq connection string (`dbname=… host=… port=… user=…`), as DuckDB's postgres extension
    and DuckLake's catalog take it."""
    from urllib.parse import urlsplit

    server = urlsplit(url)
    return f"dbname={server.path.strip('/')} host={server.hostname} port={server.port} user={server.username}"
