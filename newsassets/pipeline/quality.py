"""Content-quality checks: flagged rows are counted and shown, and block only at a rate that means broken code.

Each stage stores the rules a row breaks in its `quality_flags` column (`newsassets.quality`). The check of a
table counts, per rule, the rows flagged among all its rows. It passes when no row is flagged; it WARNs (and
`dedup_clusters` still runs) when some are; it fails as a blocking ERROR only when one rule flags more than
`QualityLimits.flag_rate_limit` of the rows and at least `flag_min_rows` of them, which is what a broken
extractor looks like, not what a few odd real pages look like. Rules about the input rather than the code
(`quality.INPUT_RULES`: no title, a short body) only ever warn.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import dagster as dg

from newsassets.quality import INPUT_RULES, Flag

from .metadata import POOL, markdown_preview, rows_as_dicts
from .resources import NewsStore, QualityLimits

EXAMPLES_PER_RULE = 3

# (row of the example query) -> the flags of that row, to show the offending text beside the rule
Explain = Callable[[Mapping[str, object]], list[Flag]]


def flag_rate_result(
    store: NewsStore,
    limits: QualityLimits,
    table: str,
    rules: Mapping[str, str],
    example_columns: str,
    explain: Explain,
) -> dg.AssetCheckResult:
    """The check result for `table`'s `quality_flags` (see the module docstring); examples name the file."""
    with store.connect(read_only=True) as conn:
        total = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        counts = dict(
            conn.execute(
                f"SELECT rule, count(*) FROM (SELECT unnest(quality_flags) AS rule FROM {table}) GROUP BY 1"
            ).fetchall()
        )
        flagged_rows = conn.execute(f"SELECT count(*) FROM {table} WHERE len(quality_flags) > 0").fetchone()[0]
        examples = []
        for rule in sorted(counts):
            rows = rows_as_dicts(
                conn,
                f"SELECT {example_columns}, r.source_path, r.url AS page_url FROM {table} t "
                "JOIN raw_documents r USING (doc_id) WHERE list_contains(t.quality_flags, ?) "
                "ORDER BY r.source_path LIMIT ?",
                [rule, EXAMPLES_PER_RULE],
            )
            for row in rows:
                evidence = next((f.evidence for f in explain(row) if f.rule == rule), "")
                examples.append(
                    {
                        "rule": rule,
                        "doc_id": row["doc_id"],
                        "source_path": row["source_path"],
                        "url": row["page_url"],
                        "evidence": evidence,
                    }
                )
    rates = {rule: (counts.get(rule, 0) / total if total else 0.0) for rule in rules}
    broken = sorted(
        rule
        for rule, rate in rates.items()
        if rule not in INPUT_RULES and rate > limits.flag_rate_limit and counts[rule] >= limits.flag_min_rows
    )
    metadata: dict[str, object] = {"rows": total, "flagged_rows": flagged_rows}
    for rule in rules:
        metadata[f"flagged_{rule}"] = counts.get(rule, 0)
        metadata[f"rate_{rule}"] = round(rates[rule], 5)
    metadata["rate_limit"] = limits.flag_rate_limit
    metadata["rules"] = dg.MetadataValue.md(
        "| rule | rows | share | meaning |\n|---|---|---|---|\n"
        + "\n".join(f"| `{r}` | {counts.get(r, 0)} | {rates[r]:.2%} | {text} |" for r, text in rules.items())
    )
    if examples:
        metadata["examples"] = markdown_preview(
            examples, ["rule", "doc_id", "source_path", "url", "evidence"], limit=len(examples)
        )
    if broken:
        metadata["broken_rules"] = ", ".join(broken)
        return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.ERROR, metadata=metadata)
    return dg.AssetCheckResult(passed=not flagged_rows, severity=dg.AssetCheckSeverity.WARN, metadata=metadata)


def flag_rate_check(
    asset, name: str, table: str, judged: str, rules: Mapping[str, str], example_columns: str, explain: Explain
) -> dg.AssetChecksDefinition:
    """The blocking flag-rate check of one table (see the module docstring); `judged` says what its rules judge."""

    @dg.asset_check(
        pool=POOL,
        asset=asset,
        name=name,
        blocking=True,
        description=(
            f"Content quality, judged per row: {judged}. Flagged rows carry the rule in `quality_flags` and the "
            "check warns with counts and examples; it blocks only when one rule flags more than "
            f"NEWSASSETS_FLAG_RATE_LIMIT (default 2%) of the {table}, at least NEWSASSETS_FLAG_MIN_ROWS of them "
            "(a missing title or a short body only ever warns: they describe the input as much as the code)."
        ),
    )
    def flag_rates(store: NewsStore, quality: QualityLimits) -> dg.AssetCheckResult:
        return flag_rate_result(store, quality, table, rules, example_columns, explain)

    return flag_rates
