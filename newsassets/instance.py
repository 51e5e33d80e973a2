"""The persistent Dagster instance: `DAGSTER_HOME` (default `.dagster_home/`) with this project's `dagster.yaml`.

Plain Python, no Dagster import: the launcher calls it before Dagster starts. The folder holds the run history,
event logs, schedule and sensor state (SQLite), so the UI shows every run, the CLI's included, across restarts.

`dagster.yaml` is written once, when the folder has none, and never overwritten: edit it freely. Telemetry is
decided when it is written: off unless `NEWSASSETS_TELEMETRY` is `1`/`true`/`yes`/`on`; to change it later, edit
`telemetry: enabled:` in the file (or delete the file to have it written again).

Storage is decided the same way: SQLite files in the folder (the default), or, with
`NEWSASSETS_DAGSTER_STORAGE=postgres`, a Postgres database (`dagster-postgres`, the `[postgres]` extra) whose
server the file names by environment variables that Dagster reads when it starts: `NEWSASSETS_DAGSTER_PG_HOST`,
`NEWSASSETS_DAGSTER_PG_PORT` (5432), `NEWSASSETS_DAGSTER_PG_USER`, `NEWSASSETS_DAGSTER_PG_PASSWORD` (may be empty)
and `NEWSASSETS_DAGSTER_PG_DB`. Runs, event logs, schedules and sensor cursors then live in Postgres, where several
webservers, daemons and run workers share them. Asking for Postgres of a folder whose `dagster.yaml` keeps another
storage is an error, not a silent SQLite instance.
"""

from __future__ import annotations

import os
from pathlib import Path

from newsassets import settings

DAGSTER_HOME_VAR = "DAGSTER_HOME"
DEFAULT_DAGSTER_HOME = ".dagster_home"
TELEMETRY_VAR = "NEWSASSETS_TELEMETRY"
STORAGE_VAR = "NEWSASSETS_DAGSTER_STORAGE"
STORAGES = ("sqlite", "postgres")
# The Postgres server of a Postgres instance: Dagster reads these when it starts (the password never in a file).
PG_VARS = {
    "hostname": "NEWSASSETS_DAGSTER_PG_HOST",
    "port": "NEWSASSETS_DAGSTER_PG_PORT",
    "username": "NEWSASSETS_DAGSTER_PG_USER",
    "password": "NEWSASSETS_DAGSTER_PG_PASSWORD",
    "db_name": "NEWSASSETS_DAGSTER_PG_DB",
}
PG_DEFAULTS = {"NEWSASSETS_DAGSTER_PG_PORT": "5432", "NEWSASSETS_DAGSTER_PG_PASSWORD": ""}
CONFIG_NAMES = ("dagster.yaml", "dagster.yml")  # Dagster reads either; an existing one of either is the user's

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}

DAGSTER_YAML = """\
# Dagster instance settings for newsassets, written once by newsassets.instance.ensure_dagster_home().
# Yours to edit: it is never overwritten (delete it to get this version back).

concurrency:
  runs:
    # Every run of this project writes the one DuckDB file, and DuckDB admits one writer per file: runs the
    # sensor, the schedule or the UI start wait in the queue (Runs -> Queued) and go one at a time.
    max_concurrent_runs: 1
  pools:
    # One slot per pool, so one step of the assets' pool "duckdb" at a time. This also holds across runs that
    # bypass the queue, such as `dagster asset materialize` on the command line: their steps wait for the slot.
    # Inspect or change a pool's limit under Deployment -> Concurrency.
    default_limit: 1

run_monitoring:
  # Notices runs whose process died, and gives back the pool slots of a run killed in the middle of a step,
  # which would otherwise keep "duckdb" busy and every later run waiting.
  enabled: true
  free_slots_after_run_end_seconds: 30

telemetry:
  # Anonymous usage statistics to Dagster Labs: {telemetry_note}.
  enabled: {telemetry}

nux:
  # No first-run pop-up in the UI.
  enabled: false
"""

POSTGRES_STORAGE = """
storage:
  # Runs, event logs, schedules and sensor cursors in Postgres (dagster-postgres), on the server Dagster finds in
  # these environment variables when it starts: several webservers, daemons and run workers share one instance.
  # Written because NEWSASSETS_DAGSTER_STORAGE=postgres.
  postgres:
    postgres_db:
      hostname: {{env: NEWSASSETS_DAGSTER_PG_HOST}}
      port: {{env: NEWSASSETS_DAGSTER_PG_PORT}}
      username: {{env: NEWSASSETS_DAGSTER_PG_USER}}
      password: {{env: NEWSASSETS_DAGSTER_PG_PASSWORD}}
      db_name: {{env: NEWSASSETS_DAGSTER_PG_DB}}
      # psycopg2, which dagster-postgres is written for (SQLAlchemy 2.1 would pick psycopg 3 for postgresql://)
      scheme: postgresql+psycopg2
"""


def telemetry_enabled(environ: dict[str, str] | None = None) -> bool:
    """The user's choice in `NEWSASSETS_TELEMETRY`: off unless it says yes."""
    value = (os.environ if environ is None else environ).get(TELEMETRY_VAR, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{TELEMETRY_VAR} must be 1/true/yes/on or 0/false/no/off, got {value!r}")


def storage_choice(environ: dict[str, str] | None = None) -> str:
    """The user's choice in `NEWSASSETS_DAGSTER_STORAGE`: `sqlite` (the default) or `postgres`, which needs the
    server's host, user and database in `NEWSASSETS_DAGSTER_PG_*` (the port and password have defaults)."""
    environ = os.environ if environ is None else environ
    value = environ.get(STORAGE_VAR, "").strip().lower() or "sqlite"
    if value not in STORAGES:
        raise ValueError(f"{STORAGE_VAR} must be one of {', '.join(STORAGES)}, got {value!r}")
    if value == "postgres":
        missing = [var for var in PG_VARS.values() if var not in PG_DEFAULTS and not environ.get(var, "").strip()]
        if missing:
            raise ValueError(f"{STORAGE_VAR}=postgres needs {', '.join(missing)}")
        port = environ.get(PG_VARS["port"], "").strip()
        if port and not port.isdigit():
            raise ValueError(f"{PG_VARS['port']} must be a port number, got {port!r}")
    return value


def with_postgres_defaults(environ: dict[str, str] | None = None) -> None:
    """Give the unset port and password of a Postgres instance their defaults (5432, none), in the environment
    that Dagster, started next, reads."""
    environ = os.environ if environ is None else environ
    for var, default in PG_DEFAULTS.items():
        environ.setdefault(var, default)


def dagster_yaml(telemetry: bool, storage: str = "sqlite") -> str:
    """The `dagster.yaml` this project writes into a new `DAGSTER_HOME`."""
    note = (
        f"on, because {TELEMETRY_VAR} said so when this file was written"
        if telemetry
        else f"off (set {TELEMETRY_VAR}=1 before this file is written, or set this to true)"
    )
    config = DAGSTER_YAML.format(telemetry="true" if telemetry else "false", telemetry_note=note)
    return config + (POSTGRES_STORAGE.format() if storage == "postgres" else "")


def dagster_home(path: str | os.PathLike[str] | None = None) -> Path:
    """Where the instance lives: `path`, else `DAGSTER_HOME`, else `<project root>/.dagster_home`; absolute."""
    value = path if path is not None else (os.environ.get(DAGSTER_HOME_VAR) or DEFAULT_DAGSTER_HOME)
    return settings.resolve_path(value)


def ensure_dagster_home(path: str | os.PathLike[str] | None = None) -> Path:
    """Create the instance folder if needed and give it this project's `dagster.yaml` if it has none.

    Returns the absolute folder, to be exported as `DAGSTER_HOME`. An existing `dagster.yaml` (or
    `dagster.yml`) is left exactly as it is.
    """
    home = dagster_home(path)
    storage = storage_choice()
    home.mkdir(parents=True, exist_ok=True)
    if not any((home / name).exists() for name in CONFIG_NAMES):
        config = dagster_yaml(telemetry_enabled(), storage)
        try:
            with (home / CONFIG_NAMES[0]).open("x", encoding="utf-8") as file:  # "x": never replaces a file
                file.write(config)
        except FileExistsError:
            pass  # another launcher wrote it a moment ago
    if storage == "postgres":
        with_postgres_defaults()
        existing = next(home / name for name in CONFIG_NAMES if (home / name).exists())
        if "postgres" not in existing.read_text(encoding="utf-8"):
            raise ValueError(
                f"{STORAGE_VAR}=postgres, but {existing} keeps its own storage (it is never overwritten): "
                f"delete it, or point {DAGSTER_HOME_VAR} at a new folder"
            )
    return home
