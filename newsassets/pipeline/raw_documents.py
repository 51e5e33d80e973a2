"""The raw stage: every file under the raw folder → `raw_documents`, and its checks."""

from collections import Counter
from dataclasses import asdict

import dagster as dg

from newsassets.progress import Progress
from newsassets.reading import OK, find_raw_files, read_raw_file
from newsassets.screening import screen_document
from newsassets.store import replace_table

from .metadata import GROUP, KINDS, LOG_EVERY, check_result, counts_markdown, markdown_preview, rows_as_dicts
from .resources import NewsStore, RawFolder


@dg.asset(
    group_name=GROUP,
    kinds=KINDS,
    description=(
        "One row per page found under the raw folder (per HTML response record for a WARC file): its stable "
        "`doc_id`, format, SHA-256, size, capture time, url, site and decoded content, or status 'rejected' "
        "with a readable `error`. Every file has at least one row: nothing is dropped silently."
    ),
)
def raw_documents(context: dg.AssetExecutionContext, raw_folder: RawFolder, store: NewsStore) -> dg.MaterializeResult:
    root = raw_folder.root()
    if not root.is_dir():
        raise dg.Failure(f"The raw folder {root} does not exist: create it or set NEWSASSETS_RAW_DIR")
    files = find_raw_files(root)
    progress = Progress(len(files), context.log.info, "raw files", LOG_EVERY)
    rows = []
    for path in files:
        for document in read_raw_file(path, root, raw_folder.max_file_bytes):
            rows.append(asdict(screen_document(document, raw_folder.doc_timeout_seconds)))
        progress.advance()
    with store.connect() as conn:
        replace_table(conn, "raw_documents", rows)
    reasons = Counter(row["error"].split(":")[0] for row in rows if row["status"] != OK)
    ok = sum(row["status"] == OK for row in rows)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": len(rows),
            "ok": ok,
            "rejected": len(rows) - ok,
            "bytes_read": sum(row["size_bytes"] or 0 for row in rows),
            "rejected_by_reason": counts_markdown(reasons, "reason"),
            "raw_folder": dg.MetadataValue.path(str(root)),
            "preview": markdown_preview(rows, ["doc_id", "source_path", "source_format", "status", "error"]),
        }
    )


@dg.asset_check(
    asset=raw_documents,
    blocking=True,
    description=(
        "Every file under the raw folder has a row (one per page, one per record of a WARC), no page has two, "
        "and the table has no row for a file that is not there."
    ),
)
def every_raw_file_accounted_for(raw_folder: RawFolder, store: NewsStore) -> dg.AssetCheckResult:
    root = raw_folder.root()
    on_disk = {p.relative_to(root).as_posix() for p in find_raw_files(root)} if root.is_dir() else set()
    with store.connect(read_only=True) as conn:
        counted = rows_as_dicts(
            conn,
            "SELECT source_path, count(*) - count(DISTINCT coalesce(source_record, '')) + 1 AS n "
            "FROM raw_documents GROUP BY 1",
        )
    in_table = {row["source_path"]: row["n"] for row in counted}
    problems = [{"source_path": p, "problem": "file not in raw_documents"} for p in sorted(on_disk - in_table.keys())]
    problems += [
        {"source_path": p, "problem": "row for a file that is not there"} for p in sorted(in_table.keys() - on_disk)
    ]
    problems += [{"source_path": p, "problem": f"{n} rows for one page"} for p, n in sorted(in_table.items()) if n > 1]
    return check_result(problems, ["source_path", "problem"])


@dg.asset_check(
    asset=raw_documents,
    blocking=True,
    description="doc_ids are unique; an ok row has content and a hash; a rejected row says why.",
)
def raw_rows_valid(store: NewsStore) -> dg.AssetCheckResult:
    with store.connect(read_only=True) as conn:
        problems = rows_as_dicts(
            conn,
            """
            SELECT doc_id, source_path, CASE
                WHEN count(*) OVER (PARTITION BY doc_id) > 1 THEN 'duplicate doc_id'
                WHEN status NOT IN ('ok', 'rejected') THEN 'unknown status ' || status
                WHEN status = 'ok' AND (content IS NULL OR content_sha256 IS NULL) THEN 'ok without content'
                WHEN status = 'rejected' AND coalesce(trim(error), '') = '' THEN 'rejected without a reason'
            END AS problem
            FROM raw_documents QUALIFY problem IS NOT NULL ORDER BY source_path
            """,
        )
    return check_result(problems, ["doc_id", "source_path", "problem"])


CHECKS = [every_raw_file_accounted_for, raw_rows_valid]
