"""The raw stage: every file under the raw folder → `raw_documents`, and its checks."""

import time
from dataclasses import asdict, replace

import dagster as dg

from newsassets.changes import plan_refresh
from newsassets.progress import Progress
from newsassets.reading import OK, file_signature, find_raw_files, read_raw_file
from newsassets.screening import screen_document
from newsassets.store import apply_changes, needs_rebuild

from .metadata import LOG_EVERY, POOL, STAGE, check_result, counts_markdown, markdown_preview, rows_as_dicts, sql_check
from .refresh import RefreshConfig, refresh_metadata
from .resources import NewsStore, RawFolder


@dg.asset(
    **STAGE,
    description=(
        "One row per page found under the raw folder (per HTML response record for a WARC file): its stable "
        "`doc_id`, format, SHA-256, size, capture time, url, site, decoded content and `page_kind` ('article', "
        "or 'front' for a homepage or section front of teaser cards), or status 'rejected' with a readable "
        "`error`. Every file has at least one row: nothing is dropped silently."
    ),
)
def raw_documents(
    context: dg.AssetExecutionContext, config: RefreshConfig, raw_folder: RawFolder, store: NewsStore
) -> dg.MaterializeResult:
    started = time.monotonic()
    root = raw_folder.root()
    if not root.is_dir():
        raise dg.Failure(f"The raw folder {root} does not exist: create it or set NEWSASSETS_RAW_DIR")
    paths = {path.relative_to(root).as_posix(): path for path in find_raw_files(root)}
    with store.connect() as conn:
        rebuild = config.full_refresh or needs_rebuild(conn, "raw_documents")
        known = (
            []
            if rebuild
            else conn.execute(
                "SELECT source_path, file_signature, doc_id, content_sha256, status, error, page_kind FROM raw_documents"
            ).fetchall()
        )
    previous_files = {source_path: signature for source_path, signature, *_ in known}
    previous_pages: dict[str, set] = {}
    for source_path, _, doc_id, sha, *_ in known:
        previous_pages.setdefault(source_path, set()).add((doc_id, sha))
    verdicts = {doc_id: (sha, status, error, kind) for _, _, doc_id, sha, status, error, kind in known}
    plan = plan_refresh({p: file_signature(path) for p, path in paths.items()}, previous_files)

    progress = Progress(len(plan.todo), context.log.info, "raw files", LOG_EVERY)
    rows, same_content = [], set()
    for source_path in plan.todo:
        documents = read_raw_file(paths[source_path], root, raw_folder.max_file_bytes)
        for document in documents:
            sha, status, error, kind = verdicts.get(document.doc_id, (None, None, None, None))
            if document.status == OK and sha == document.content_sha256:
                # same page: keep its screening verdict
                document = replace(document, status=status, error=error, page_kind=kind)
            else:
                document = screen_document(document, raw_folder.doc_timeout_seconds)
            rows.append(asdict(document))
        if previous_pages.get(source_path) == {(d.doc_id, d.content_sha256) for d in documents}:
            same_content.add(source_path)  # touched, not changed
        progress.advance()

    with store.connect() as conn:
        apply_changes(conn, "raw_documents", rows, remove=plan.stale, key="source_path", rebuild=rebuild)
        totals = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE status = 'ok'), sum(size_bytes), "
            "count(*) FILTER (WHERE page_kind = 'front') FROM raw_documents"
        ).fetchone()
        reasons = dict(
            conn.execute(
                "SELECT split_part(error, ':', 1), count(*) FROM raw_documents WHERE status <> 'ok' GROUP BY 1"
            ).fetchall()
        )
    plan = replace(
        plan,
        changed=[p for p in plan.changed if p not in same_content],
        unchanged=sorted([*plan.unchanged, *same_content]),
    )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": totals[0],
            "ok": totals[1],
            "fronts": totals[3],
            **refresh_metadata(plan, time.monotonic() - started, rejected=totals[0] - totals[1]),
            "bytes": int(totals[2] or 0),
            "rejected_by_reason": counts_markdown(reasons, "reason"),
            "raw_folder": dg.MetadataValue.path(str(root)),
            "preview": markdown_preview(
                rows, ["doc_id", "source_path", "source_format", "page_kind", "status", "error"]
            ),
        }
    )


@dg.asset_check(
    pool=POOL,
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
    pool=POOL,
    asset=raw_documents,
    blocking=True,
    description="doc_ids are unique; an ok row has content, a hash and a page_kind; a rejected row says why.",
)
def raw_rows_valid(store: NewsStore) -> dg.AssetCheckResult:
    return sql_check(
        store,
        """
            SELECT doc_id, source_path, CASE
                WHEN count(*) OVER (PARTITION BY doc_id) > 1 THEN 'duplicate doc_id'
                WHEN status NOT IN ('ok', 'rejected') THEN 'unknown status ' || status
                WHEN status = 'ok' AND (content IS NULL OR content_sha256 IS NULL) THEN 'ok without content'
                WHEN status = 'rejected' AND coalesce(trim(error), '') = '' THEN 'rejected without a reason'
                WHEN status = 'ok' AND page_kind NOT IN ('article', 'front') THEN 'ok without a page_kind'
            END AS problem
            FROM raw_documents QUALIFY problem IS NOT NULL ORDER BY source_path
            """,
        ["doc_id", "source_path", "problem"],
    )


CHECKS = [every_raw_file_accounted_for, raw_rows_valid]
