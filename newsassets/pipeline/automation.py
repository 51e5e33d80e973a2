"""When the pipeline runs by itself: a daily schedule, and a sensor on the raw folder."""

import json

import dagster as dg

from newsassets import settings
from newsassets.reading import fingerprint_folder

from .metadata import SHARDS
from .resources import RawFolder

PER_PAGE = dg.AssetSelection.assets("raw_documents", "articles", "teasers")
AFTER_THE_PAGES = dg.AssetSelection.assets("dedup_clusters", "dedup_edges", "stories")

if SHARDS is None:
    refresh_news = dg.define_asset_job(
        "refresh_news",
        selection=dg.AssetSelection.all(),
        description=(
            "Materialise every asset with its checks: raw files → articles and teasers → dedup clusters → stories."
        ),
    )
    refresh_shards = None
else:  # sharded: the shards' runs of the per-page stages, then one run of what follows over everything
    refresh_news = dg.define_asset_job(
        "refresh_news",
        selection=AFTER_THE_PAGES,
        description=(
            "Dedup clusters and stories over every shard's pages, with their checks; publishes. Started by "
            "`shards_then_dedup` once every shard's run of `refresh_shards` is done."
        ),
    )
    refresh_shards = dg.define_asset_job(
        "refresh_shards",
        selection=PER_PAGE,
        partitions_def=SHARDS,
        description="The per-page stages (raw documents, articles, teasers) of one shard of the raw folder.",
    )


def _runs(run_key: str | None = None) -> list[dg.RunRequest]:
    """What one refresh asks for: one run, or one per shard (each its own partition, so they run in parallel)."""
    if SHARDS is None:
        return [dg.RunRequest(run_key=run_key)]
    return [
        dg.RunRequest(run_key=f"{run_key}-shard-{key}" if run_key else None, partition_key=key)
        for key in SHARDS.get_partition_keys()
    ]


@dg.schedule(
    name="daily_refresh",
    target=refresh_news if SHARDS is None else refresh_shards,
    cron_schedule=settings.schedule_cron(),
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=(
        "Refresh all tables once a day (cron from NEWSASSETS_SCHEDULE_CRON, default 06:00 UTC); when sharded, one "
        "run per shard, then dedup and stories."
    ),
)
def daily_refresh(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
    return _runs()


# When sharded, dedup and stories follow the shards by themselves: Dagster's `eager` condition asks for them once
# a per-page stage has new data and no shard's run is still in progress.
shards_then_dedup = (
    None
    if SHARDS is None
    else dg.AutomationConditionSensorDefinition(
        "shards_then_dedup",
        target=AFTER_THE_PAGES,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Starts dedup clusters and stories when every shard's run of the per-page stages is done.",
    )
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
    job=refresh_news if SHARDS is None else refresh_shards,
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
        run_requests=_runs(f"change-{changes}-{digest}"),
        cursor=json.dumps({"digest": digest, "changes": changes}),
    )
