"""The raw-folder sensor, end to end: every change of the folder starts exactly one run, also when the folder
returns to an earlier state, and that run publishes exactly the folder's files."""

import json
import os
import random
import shutil
from pathlib import Path

import dagster as dg
import duckdb

from newsassets.pipeline.automation import raw_folder_changed
from newsassets.pipeline.resources import RawFolder
from newsassets.reading import fingerprint_folder

from .conftest import materialise

NEW_PAGE = "\n".join(
    [
        "Gemeente Utrecht opent nieuwe fietsenstalling onder het stationsplein",
        "UTRECHT (ANP) - Onder het stationsplein in Utrecht is dinsdag een nieuwe fietsenstalling geopend met "
        "plaats voor ruim vierduizend fietsen. Wethouder De Vries sprak van een belangrijke stap voor reizigers "
        "die met de fiets naar de trein komen.",
        "De stalling is de eerste 24 uur gratis. Daarna betalen fietsers een klein bedrag per dag. De gemeente "
        "verwacht dat de plekken binnen enkele maanden allemaal in gebruik zijn.",
        "",
    ]
)
NEW_NAME = "900_fietsenstalling.txt"
CURSOR_LIMIT = 200


def tick(resources: dict[str, object], cursor: str | None) -> dg.SensorResult | dg.SkipReason:
    """One evaluation of the sensor against the test's raw folder."""
    with dg.build_sensor_context(cursor=cursor, resources=resources) as context:
        return raw_folder_changed(context)


def published(resources: dict[str, object], sql: str) -> list[tuple]:
    """Rows from the published snapshot, the file users query."""
    with duckdb.connect(str(resources["store"].path()), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def published_paths(resources: dict[str, object]) -> dict[str, str]:
    return dict(published(resources, "SELECT source_path, status FROM raw_documents"))


class Sensor:
    """Plays the sensor daemon: keeps the cursor, remembers run keys, runs the job for every run request."""

    def __init__(self, resources: dict[str, object]):
        self.resources = resources
        self.cursor: str | None = None
        self.run_keys: list[str] = []

    def change(self) -> dg.RunRequest:
        """A tick after a change: exactly one run request, whose run is executed and succeeds."""
        result = tick(self.resources, self.cursor)
        assert isinstance(result, dg.SensorResult), result
        (request,) = result.run_requests
        assert request.run_key not in self.run_keys, f"run key {request.run_key} repeats: Dagster would skip it"
        assert result.cursor and len(result.cursor) < CURSOR_LIMIT
        self.run_keys.append(request.run_key)
        self.cursor = result.cursor
        assert materialise(self.resources).success
        self.no_change()
        return request

    def no_change(self) -> None:
        assert isinstance(tick(self.resources, self.cursor), dg.SkipReason)

    def digest(self) -> str:
        """The folder's digest now, independent of how the cursor stores it."""
        return fingerprint_folder(self.resources["raw_folder"].root())


def test_every_change_of_the_raw_folder_starts_one_run_and_publishes_the_folder(resources, raw_dir: Path):
    sensor = Sensor(resources)
    seeds = {path.name for path in raw_dir.iterdir() if not path.name.endswith(".meta.json")}
    assert len(seeds) == 5

    sensor.change()  # the first tick: the seeds
    seed_digest = sensor.digest()
    assert set(published_paths(resources)) == seeds

    (raw_dir / NEW_NAME).write_text(NEW_PAGE, encoding="utf-8")
    sensor.change()
    assert published_paths(resources) == {**dict.fromkeys(seeds, "ok"), NEW_NAME: "ok"}
    assert published(resources, "SELECT count(*) FROM raw_documents") == [(6,)]
    (title,) = published(
        resources,
        f"SELECT a.title FROM articles a JOIN raw_documents r USING (doc_id) WHERE r.source_path = '{NEW_NAME}'",
    )
    assert title == ("Gemeente Utrecht opent nieuwe fietsenstalling onder het stationsplein",)

    (raw_dir / NEW_NAME).unlink()
    sensor.change()
    assert sensor.digest() == seed_digest  # the folder is back in its first state, yet the run was requested
    assert published(resources, "SELECT count(*) FROM raw_documents") == [(5,)]
    assert set(published_paths(resources)) == seeds
    assert published(resources, "SELECT count(*) FROM articles") == [(5,)]

    (raw_dir / NEW_NAME).write_text(NEW_PAGE, encoding="utf-8")
    sensor.change()
    assert published(resources, "SELECT count(*) FROM raw_documents") == [(6,)]
    assert published_paths(resources)[NEW_NAME] == "ok"

    (raw_dir / NEW_NAME).write_bytes(random.Random(20260124).randbytes(4096))  # replaced by a broken file
    sensor.change()
    assert published(resources, "SELECT count(*) FROM raw_documents") == [(6,)]
    ((status, error),) = published(
        resources, f"SELECT status, error FROM raw_documents WHERE source_path = '{NEW_NAME}'"
    )
    assert status == "rejected" and error
    assert published(resources, "SELECT count(*) FROM articles") == [(5,)]

    (raw_dir / NEW_NAME).unlink()  # the bad file removed again: back to the seeds a second time
    sensor.change()
    assert sensor.digest() == seed_digest
    assert published(resources, "SELECT count(*) FROM raw_documents") == [(5,)]
    assert set(published_paths(resources)) == seeds

    assert len(sensor.run_keys) == len(set(sensor.run_keys)) == 6
    assert all(seed_digest in key for key in (sensor.run_keys[0], sensor.run_keys[2], sensor.run_keys[5]))


def test_a_failed_run_is_retried_by_the_next_change(resources, raw_dir: Path):
    sensor = Sensor(resources)
    blocker = resources["store"].path()
    blocker.mkdir(parents=True)  # a folder where the published file should go: the run cannot publish
    result = tick(resources, None)
    (request,) = result.run_requests
    assert not materialise(resources).success
    assert isinstance(tick(resources, result.cursor), dg.SkipReason)  # no change, no new run

    shutil.rmtree(blocker)  # the cause is fixed; touching any raw file retries
    sensor.cursor, sensor.run_keys = result.cursor, [request.run_key]
    some_file = sorted(raw_dir.glob("*.txt"))[0]
    stat = some_file.stat()
    os.utime(some_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    sensor.change()
    assert published(resources, "SELECT count(*), count(*) FILTER (WHERE status = 'ok') FROM raw_documents") == [(5, 5)]


def test_many_files_at_once_start_one_run_and_the_cursor_stays_small(tmp_path: Path):
    root = tmp_path / "raw"
    root.mkdir()
    raw_folder = RawFolder(path=str(root))
    first = tick({"raw_folder": raw_folder}, None)
    (first_request,) = first.run_requests  # an empty folder is a state too
    for folder in range(20):
        (root / f"{folder:02d}").mkdir()
        for number in range(250):
            (root / f"{folder:02d}" / f"{number}.txt").write_text("x")
    result = tick({"raw_folder": raw_folder}, first.cursor)
    (request,) = result.run_requests  # 5,000 new files: one run, not 5,000
    assert request.run_key != first_request.run_key
    assert len(result.cursor) < CURSOR_LIMIT
    assert json.loads(result.cursor) == {"digest": fingerprint_folder(root), "changes": 2}
    assert request.run_key == f"change-2-{fingerprint_folder(root)}"
    assert isinstance(tick({"raw_folder": raw_folder}, result.cursor), dg.SkipReason)


def test_an_old_style_cursor_is_read_as_a_digest(resources, raw_dir: Path):
    digest = fingerprint_folder(raw_dir)
    assert isinstance(tick(resources, digest), dg.SkipReason)  # the bare digest an older version stored
    (raw_dir / NEW_NAME).write_text(NEW_PAGE, encoding="utf-8")
    result = tick(resources, digest)
    (request,) = result.run_requests
    assert request.run_key == f"change-1-{fingerprint_folder(raw_dir)}" != digest
    assert json.loads(result.cursor)["changes"] == 1
    for unreadable in ("", "{not json", "[1, 2]", '{"digest": 5, "changes": "many"}'):
        (request,) = tick(resources, unreadable).run_requests
        assert request.run_key.startswith("change-1-")


def test_a_missing_raw_folder_is_skipped(tmp_path: Path):
    assert isinstance(tick({"raw_folder": RawFolder(path=str(tmp_path / "nope"))}, None), dg.SkipReason)
