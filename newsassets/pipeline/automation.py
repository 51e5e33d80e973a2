"""When the pipeline runs by itself: a daily schedule, and a sensor on the raw folder."""

import dagster as dg

from newsassets import settings
from newsassets.reading import fingerprint_folder

from .resources import RawFolder

refresh_news = dg.define_asset_job(
    "refresh_news",
    selection=dg.AssetSelection.all(),
    description="Materialise every asset with its checks: raw files → articles and teasers → dedup clusters.",
)

daily_refresh = dg.ScheduleDefinition(
    name="daily_refresh",
    job=refresh_news,
    cron_schedule=settings.schedule_cron(),
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Refresh all tables once a day (cron from NEWSASSETS_SCHEDULE_CRON, default 06:00 UTC).",
)


@dg.sensor(
    job=refresh_news,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Starts one refresh when files under the raw folder are added, changed or removed. The cursor is a "
        "32-character digest of every file's path, size and mtime, and doubles as the run key."
    ),
)
def raw_folder_changed(context: dg.SensorEvaluationContext, raw_folder: RawFolder) -> dg.SensorResult | dg.SkipReason:
    root = raw_folder.root()
    if not root.is_dir():
        return dg.SkipReason(f"raw folder {root} does not exist")
    fingerprint = fingerprint_folder(root)
    if fingerprint == context.cursor:
        return dg.SkipReason("no change in the raw folder")
    return dg.SensorResult(run_requests=[dg.RunRequest(run_key=fingerprint)], cursor=fingerprint)
