"""Everything Dagster loads: assets, checks, job, schedule, sensor, resources and the executor."""

from __future__ import annotations

import warnings

import dagster as dg

from newsassets.pipeline import articles, dedup_clusters, raw_documents, stories, teasers
from newsassets.pipeline.automation import (
    daily_refresh,
    raw_folder_changed,
    refresh_news,
    refresh_shards,
    shards_then_dedup,
)
from newsassets.pipeline.resources import default_resources

ASSETS = [
    raw_documents.raw_documents,
    articles.articles,
    teasers.teasers,
    dedup_clusters.dedup_clusters,
    stories.stories,
]
CHECKS = [*raw_documents.CHECKS, *articles.CHECKS, *teasers.CHECKS, *dedup_clusters.CHECKS, *stories.CHECKS]


def linked_to_source(assets: list) -> list:
    """Each asset with a link to its source (the UI's Definition → Code references); Dagster marks the feature
    beta, which is no news to a user starting the project, so the warning stays unsaid."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.BetaWarning)
        return list(dg.with_source_code_references(assets))


def build_definitions(resources: dict[str, object] | None = None) -> dg.Definitions:
    """The project's definitions; tests pass their own resources to point at temporary folders."""
    return dg.Definitions(
        assets=linked_to_source(ASSETS),
        asset_checks=CHECKS,
        jobs=[job for job in (refresh_news, refresh_shards) if job is not None],
        schedules=[daily_refresh],
        sensors=[sensor for sensor in (raw_folder_changed, shards_then_dedup) if sensor is not None],
        resources={**default_resources(), **(resources or {})},
        # DuckDB admits one writer per file: the steps run one after another in the run's own process.
        executor=dg.in_process_executor,
    )


defs = build_definitions()
