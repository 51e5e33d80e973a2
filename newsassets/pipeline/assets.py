"""The four assets. Each reads its inputs from the store, calls the core, replaces one table in one
transaction and reports what it wrote."""

from collections import Counter
from dataclasses import asdict
from datetime import datetime

import dagster as dg

from newsassets.cleaning import clean_page
from newsassets.dedup import DedupItem, cluster_items
from newsassets.ids import stable_id
from newsassets.progress import Progress
from newsassets.reading import OK, TEXT, find_raw_files, read_raw_document
from newsassets.store import replace_table
from newsassets.teasers import extract_teasers

from .metadata import counts_markdown, markdown_preview
from .resources import NewsStore, RawFolder

GROUP = "news"
KINDS = {"python", "duckdb"}
LOG_EVERY = 1000


@dg.asset(
    group_name=GROUP,
    kinds=KINDS,
    description=(
        "One row per file found under the raw folder: its stable `doc_id`, format, SHA-256, size, capture "
        "time and decoded content, or status 'rejected' with a readable `error`. Nothing is dropped silently."
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
        rows.append(asdict(read_raw_document(path, root, raw_folder.max_file_bytes)))
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


@dg.asset(
    deps=[raw_documents],
    group_name=GROUP,
    kinds=KINDS,
    description=(
        "One cleaned article per ok raw document: title, dateline and agencies of `PLACE (ANP/…) - `, "
        "publication date, language and a body without site chrome, repeated titles or captions, metadata "
        "prefixes or the teaser rail. Paragraphs are separated by blank lines."
    ),
)
def articles(context: dg.AssetExecutionContext, store: NewsStore) -> dg.MaterializeResult:
    with store.connect(read_only=True) as conn:
        documents = conn.execute(
            "SELECT doc_id, source_format, content FROM raw_documents WHERE status = 'ok' ORDER BY doc_id"
        ).fetchall()
    progress = Progress(len(documents), context.log.info, "articles", LOG_EVERY)
    rows = []
    for doc_id, source_format, content in documents:
        article = clean_page(content, source_format)
        rows.append({"article_id": stable_id("article", doc_id), "doc_id": doc_id, **asdict(article)})
        progress.advance()
    with store.connect() as conn:
        replace_table(conn, "articles", rows)
    words = [row["word_count"] for row in rows]
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": len(rows),
            "with_title": sum(row["title"] is not None for row in rows),
            "with_dateline": sum(row["dateline"] is not None for row in rows),
            "with_published_at": sum(row["published_at"] is not None for row in rows),
            "mean_word_count": round(sum(words) / len(words), 1) if words else 0.0,
            "languages": counts_markdown(Counter(str(row["language"]) for row in rows), "language"),
            "preview": markdown_preview(rows, ["doc_id", "title", "dateline", "agencies", "word_count", "lede"]),
        }
    )


@dg.asset(
    deps=[raw_documents],
    group_name=GROUP,
    kinds=KINDS,
    description=(
        "One row per item of a page's `Meer uit …` teaser rail, in page order (`position` from 1): title where "
        "the layout has one, dateline, agencies, text, the age as printed and in minutes, and `published_at` = "
        "the page's `fetched_at` minus the age. Ages that cannot be read stay null, never guessed."
    ),
)
def teasers(context: dg.AssetExecutionContext, store: NewsStore) -> dg.MaterializeResult:
    with store.connect(read_only=True) as conn:
        documents = conn.execute(
            "SELECT doc_id, content, fetched_at FROM raw_documents WHERE status = 'ok' AND source_format = ? "
            "ORDER BY doc_id",
            [TEXT],
        ).fetchall()
    progress = Progress(len(documents), context.log.info, "pages", LOG_EVERY)
    rows = []
    for doc_id, content, fetched_at in documents:
        for teaser in extract_teasers(content, fetched_at):
            rows.append({"teaser_id": stable_id("teaser", doc_id, teaser.position), "doc_id": doc_id, **asdict(teaser)})
        progress.advance()
    with store.connect() as conn:
        replace_table(conn, "teasers", rows)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": len(rows),
            "pages_with_teasers": len({row["doc_id"] for row in rows}),
            "unparsed_ages": sum(row["age_minutes"] is None for row in rows),
            "sections": counts_markdown(Counter(row["section"] for row in rows), "section"),
            "preview": markdown_preview(rows, ["doc_id", "position", "dateline", "agencies", "age_text", "text"]),
        }
    )


@dg.asset(
    deps=[articles, teasers],
    group_name=GROUP,
    kinds=KINDS,
    description=(
        "Near-duplicate clusters: every article and every teaser exactly once (singletons included), one "
        "representative per cluster (earliest publication, then the longest text), and each item's exact "
        "shingle Jaccard to its representative. Candidates from MinHash LSH, verified on exact shingle sets."
    ),
)
def dedup_clusters(context: dg.AssetExecutionContext, store: NewsStore) -> dg.MaterializeResult:
    with store.connect(read_only=True) as conn:
        article_rows = conn.execute(
            "SELECT a.article_id, a.body, coalesce(a.published_at, r.fetched_at) "
            "FROM articles a JOIN raw_documents r USING (doc_id) ORDER BY a.article_id"
        ).fetchall()
        teaser_rows = conn.execute("SELECT teaser_id, text, published_at FROM teasers ORDER BY teaser_id").fetchall()
    items = [_dedup_item("article", *row) for row in article_rows] + [
        _dedup_item("teaser", *row) for row in teaser_rows
    ]
    context.log.info(f"clustering {len(article_rows)} articles and {len(teaser_rows)} teasers")
    members = [asdict(member) for member in cluster_items(items)]
    with store.connect() as conn:
        replace_table(conn, "dedup_clusters", members)
    clusters = {m["cluster_id"]: m for m in members if m["is_representative"]}
    shared = [m for m in members if m["cluster_size"] > 1]
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": len(members),
            "clusters": len(clusters),
            "article_clusters": sum(m["item_kind"] == "article" for m in clusters.values()),
            "teaser_clusters": sum(m["item_kind"] == "teaser" for m in clusters.values()),
            "items_in_shared_clusters": len(shared),
            "largest_cluster": max((m["cluster_size"] for m in members), default=0),
            "preview": markdown_preview(
                sorted(shared, key=lambda m: (m["cluster_id"], not m["is_representative"])),
                ["cluster_id", "item_kind", "item_id", "is_representative", "similarity", "cluster_size"],
                limit=10,
            ),
        }
    )


def _dedup_item(kind: str, item_id: str, text: str | None, dated: datetime | None) -> DedupItem:
    text = text or ""
    return DedupItem(kind, item_id, text, seniority=(dated is None, dated or datetime.min, -len(text)))
