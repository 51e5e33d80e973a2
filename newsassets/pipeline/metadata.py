"""Metadata people look at in the UI: short Markdown previews and counts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import dagster as dg
import duckdb

from newsassets.schema import SCHEMA

GROUP = "news"
KINDS = {"python", "duckdb"}
POOL = "duckdb"  # DuckDB admits one writer: the instance limits this pool to one step at a time
OWNERS = ["team:newsassets"]
RUN_SLACK = timedelta(hours=1)  # how long a scheduled refresh may take before its tables count as late


def refresh_freshness() -> dg.FreshnessPolicy:
    """Tables are fresh while the schedule keeps its promise: they warn once the longest gap between two ticks of
    `NEWSASSETS_SCHEDULE_CRON` has passed without a successful refresh, and fail an hour later."""
    from newsassets import settings

    try:  # Dagster's own reading of a cron string (not a public API: a day if it ever moves)
        from dagster._utils.schedules import cron_string_iterator

        ticks = cron_string_iterator(datetime.now(UTC).timestamp(), settings.schedule_cron(), "UTC")
        gap = max(later - earlier for earlier, later in pairwise(next(ticks) for _ in range(15)))
    except ImportError:
        gap = timedelta(days=1)
    return dg.FreshnessPolicy.time_window(fail_window=gap + RUN_SLACK, warn_window=gap)


FRESHNESS = refresh_freshness()
# what every stage's asset shares
STAGE = {"group_name": GROUP, "kinds": KINDS, "pool": POOL, "owners": OWNERS, "freshness_policy": FRESHNESS}


def shard_partitions() -> dg.StaticPartitionsDefinition | None:
    """The per-page stages' partitions, one per shard of the raw folder (`NEWSASSETS_SHARDS`, `newsassets.shards`);
    None when not sharded, the default, so the assets are exactly as without this."""
    from newsassets import settings
    from newsassets.shards import shard_keys

    count = settings.shards()
    return dg.StaticPartitionsDefinition(shard_keys(count)) if count > 1 else None


SHARDS = shard_partitions()
# what the per-page stages (raw documents, articles, teasers) share: partitioned by shard when sharded
PER_PAGE_STAGE = {**STAGE, "partitions_def": SHARDS}
# what the stages after them (dedup, stories) share: when sharded, they follow the shards by themselves
AFTER_PAGES_STAGE = {**STAGE, "automation_condition": dg.AutomationCondition.eager() if SHARDS else None}


def table_metadata(table: str) -> dict[str, object]:
    """The catalog's view of a published table, from `newsassets.schema`: its columns with their descriptions
    (the asset's Columns tab) and its name in the published DuckDB file."""
    from newsassets import settings

    columns = [
        dg.TableColumn(
            c.name,
            c.type.removesuffix(" NOT NULL").lower(),
            description=c.description,
            constraints=dg.TableColumnConstraints(nullable="NOT NULL" not in c.type),
        )
        for c in SCHEMA[table].public_columns
    ]
    return {
        "dagster/column_schema": dg.TableSchema(columns=columns),
        "dagster/table_name": f"{settings.db_path().stem}.main.{table}",
    }


LOG_EVERY = 1000  # documents between progress lines
PREVIEW_ROWS = 5
PREVIEW_CHARS = 60


def markdown_preview(
    rows: Sequence[Mapping[str, object]], columns: Sequence[str], limit: int = PREVIEW_ROWS, total: int | None = None
) -> dg.MetadataValue:
    """The first `limit` rows as a Markdown table, each cell cut to a readable length; `total` rows in all."""
    total = len(rows) if total is None else total
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows[:limit]:
        lines.append("| " + " | ".join(_cell(row.get(c)) for c in columns) + " |")
    if total > limit:
        lines.append(f"\n… and {total - limit} more rows")
    return dg.MetadataValue.md("\n".join(lines))


def table_preview(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    columns: Sequence[str],
    order: str = "doc_id",
    limit: int = PREVIEW_ROWS,
) -> dg.MetadataValue:
    """The table's first rows as they are now (whatever this run changed), with its row count."""
    rows = rows_as_dicts(conn, f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order} LIMIT {limit}")
    total = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return markdown_preview(rows, columns, limit=limit, total=total)


def counts_markdown(counts: Mapping[str, int], label: str) -> dg.MetadataValue:
    if not counts:
        return dg.MetadataValue.md(f"no {label}")
    lines = [f"| {label} | count |", "|---|---|"] + [f"| {_cell(k)} | {v} |" for k, v in sorted(counts.items())]
    return dg.MetadataValue.md("\n".join(lines))


def _cell(value: object) -> str:
    if isinstance(value, list):
        value = "/".join(map(str, value))
    text = "" if value is None else " ".join(str(value).split())
    if len(text) > PREVIEW_CHARS:
        text = text[: PREVIEW_CHARS - 1] + "…"
    return text.replace("|", "\\|")


def check_result(
    problems: Sequence[dict], columns: Sequence[str], severity: dg.AssetCheckSeverity = dg.AssetCheckSeverity.ERROR
) -> dg.AssetCheckResult:
    metadata: dict[str, object] = {"problems": len(problems)}
    if problems:
        metadata["examples"] = markdown_preview(problems, columns, limit=10)
    return dg.AssetCheckResult(passed=not problems, severity=severity, metadata=metadata)


def rows_as_dicts(conn: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] = ()) -> list[dict]:
    cursor = conn.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def once_each_check(store, table: str, group: str, noun: str, extra_problems: str = "") -> dg.AssetCheckResult:
    """Every article and every teaser is in exactly one `noun` of `table` (its `group` column), and `table` names
    nothing else; `extra_problems` adds rows (group, item_kind, item_id, doc_id, problem) of the caller's own."""
    return sql_check(
        store,
        f"""
            WITH items AS (SELECT 'article' AS item_kind, article_id AS item_id, doc_id FROM articles
                           UNION ALL SELECT 'teaser', teaser_id, doc_id FROM teasers),
                 m AS (SELECT item_kind, item_id, count(*) AS n, any_value({group}) AS grp FROM {table} GROUP BY ALL),
                 problems AS (
                    SELECT m.grp, item_kind, item_id, items.doc_id, CASE
                        WHEN m.n IS NULL THEN 'in no {noun}'
                        WHEN items.item_id IS NULL THEN 'in a {noun} but not an article or teaser'
                        WHEN m.n > 1 THEN 'in ' || m.n || ' {noun}s'
                    END AS problem
                    FROM items FULL JOIN m USING (item_kind, item_id) WHERE problem IS NOT NULL
                    {extra_problems})
            SELECT p.grp AS {group}, p.item_kind, p.item_id, p.doc_id, r.source_path, r.url, p.problem
            FROM problems p LEFT JOIN raw_documents r USING (doc_id) ORDER BY ALL
            """,
        [group, "item_kind", "item_id", "doc_id", "source_path", "url", "problem"],
    )


def sql_check(
    store, sql: str, columns: Sequence[str], severity: dg.AssetCheckSeverity = dg.AssetCheckSeverity.ERROR
) -> dg.AssetCheckResult:
    """A check whose query returns the offending rows (none when it passes), on a read-only connection."""
    with store.connect(read_only=True) as conn:
        return check_result(rows_as_dicts(conn, sql), columns, severity)
