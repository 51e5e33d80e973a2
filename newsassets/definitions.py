"""Everything Dagster loads: assets, checks, job, schedule, sensor, resources and the executor."""

from __future__ import annotations

import dagster as dg

from newsassets.pipeline.assets import articles, dedup_clusters, raw_documents, teasers
from newsassets.pipeline.automation import daily_refresh, raw_folder_changed, refresh_news
from newsassets.pipeline.checks import ALL_CHECKS
from newsassets.pipeline.resources import default_resources

ASSETS = [raw_documents, articles, teasers, dedup_clusters]


def build_definitions(resources: dict[str, object] | None = None) -> dg.Definitions:
    """The project's definitions; tests pass their own resources to point at temporary folders."""
    return dg.Definitions(
        assets=ASSETS,
        asset_checks=ALL_CHECKS,
        jobs=[refresh_news],
        schedules=[daily_refresh],
        sensors=[raw_folder_changed],
        resources=resources or default_resources(),
        # DuckDB admits one writer per file: the steps run one after another in the run's own process.
        executor=dg.in_process_executor,
    )


defs = build_definitions()
