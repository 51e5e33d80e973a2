"""When the pipeline runs by itself: a daily schedule, and a sensor on the raw folder."""

import json

import dagster as dg

from newsassets import settings
from newsassets.reading import fingerprint_folder

from .resources import RawFolder

refresh_news = dg.define_asset_job(
    "refresh_news",
    selection=dg.AssetSelection.all(),
    description="Materialise every asset with its checks: raw files → articles and teasers → dedup clusters → stories.",
)

daily_refresh = dg.ScheduleDefinition(
    name="daily_refresh",
    job=refresh_news,
    cron_schedule=settings.schedule_cron(),
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Refresh all tables once a day (cron from NEWSASSETS_SCHEDULE_CRON, default 06:00 UTC).",
)


def _read_cursor(cursor: str | None) -> tuple[str | None, int]:
    """The folder digest and change counter stored in the cursor.

    The cursor is `{"digest": <32-character digest>, "changes": <int>}`. An older version stored the bare
    digest; that, or anything unreadable, counts as that digest with a counter of 0.
    """
    if not cursor:
        return None, 0
    try:
        state = json.loads(cursor)
    except ValueError:
        return cursor, 0
    if not isinstance(state, dict):
        return cursor, 0
    digest, changes = state.get("digest"), state.get("changes")
    if not isinstance(changes, int) or isinstance(changes, bool) or changes < 0:
        changes = 0
    return (digest if isinstance(digest, str) else None), changes


@dg.sensor(
    job=refresh_news,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Starts exactly one refresh per change of the raw folder: a file added, replaced, touched or removed, "
        "also when the folder returns to an earlier state. Every 30 s it takes a 32-character digest of every "
        'file\'s path, size and mtime; its cursor is {"digest": <digest>, "changes": <counter>}, a few dozen '
        "characters however many files there are. When the digest differs from the cursor's it counts one more "
        "change n and requests one run with run key change-<n>-<digest>, so no two changes share a run key; no "
        "change, no run. A failed run is retried by the next change. To retry it now, re-execute the failed run "
        "from the Runs page of the Dagster UI, materialise all assets, or touch any file under the raw folder."
    ),
)
def raw_folder_changed(context: dg.SensorEvaluationContext, raw_folder: RawFolder) -> dg.SensorResult | dg.SkipReason:
    root = raw_folder.root()
    if not root.is_dir():
        return dg.SkipReason(f"raw folder {root} does not exist")
    digest = fingerprint_folder(root)
    previous, changes = _read_cursor(context.cursor)
    if digest == previous:
        return dg.SkipReason("no change in the raw folder")
    changes += 1
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=f"change-{changes}-{digest}")],
        cursor=json.dumps({"digest": digest, "changes": changes}),
    )
