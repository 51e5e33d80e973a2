"""Every DuckDB table, declared once: its columns, their types and what they mean.

This one declaration drives the DDL (`store`), the `COMMENT`s in the database users query, the Columns tab of
each asset in the Dagster UI (`dagster/column_schema`) and the README's table of tables
(`python -m newsassets.schema` prints it). Internal columns are bookkeeping of the incremental runs: they stay in
the working database and are left out of the published snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # DuckDB type, with NOT NULL where it holds
    description: str
    internal: bool = False  # bookkeeping: never published


@dataclass(frozen=True)
class Table:
    name: str
    one_row_per: str
    description: str
    columns: tuple[Column, ...]
    published: bool = True

    @property
    def public_columns(self) -> list[Column]:
        return [c for c in self.columns if not c.internal]


def _table(name: str, one_row_per: str, description: str, *columns: Column, published: bool = True) -> Table:
    return Table(name, one_row_per, description, columns, published)


C = Column
_WRITTEN_IN = (
    "The stage run that wrote the row (`store.next_write_stamp`): dedup reads only rows written since its last run"
)
ARTICLES = _table(
    "articles",
    "ok article page (fronts have none)",
    "The cleaned article of each article page: title, dateline, agencies, date, language and a clean body.",
    C("article_id", "VARCHAR NOT NULL", "Stable id of the article"),
    C("doc_id", "VARCHAR NOT NULL", "The raw document it was cleaned from (raw_documents.doc_id)"),
    C("title", "VARCHAR", "The headline; NULL when the page gives none (never invented)"),
    C("dateline", "VARCHAR", "Place of a wire dateline: `MOSKOU` of `MOSKOU (ANP/DPA) - `"),
    C("agencies", "VARCHAR[]", "Agencies of the dateline: `['ANP', 'DPA']`"),
    C(
        "authors",
        "VARCHAR[]",
        "Who wrote it, as the page's metadata (JSON-LD, author meta tags), its byline or signature, or a "
        "`Door …`/`By …` line names them; [] when none",
    ),
    C("published_at", "TIMESTAMP", "Publication time, UTC, as the page states it"),
    C("language", "VARCHAR", "ISO 639-1 code of the body (py3langid), else the page's declared language"),
    C(
        "summary",
        "VARCHAR",
        "The standfirst: the summary the page shows under its headline and above the story, worded as its "
        "`og:description`/`description` metadata; NULL when the page shows none. Not part of `body`",
    ),
    C("lede", "VARCHAR", "The first paragraph of the body"),
    C("body", "VARCHAR", "The article text, paragraphs separated by a blank line"),
    C("word_count", "INTEGER", "Words in the body"),
    C("url", "VARCHAR", "The capture's url, else the page's canonical url"),
    C("site", "VARCHAR", "The capture's site, else the site name the page gives"),
    C("quality_flags", "VARCHAR[]", "Content-quality rules the row breaks (newsassets.quality); [] when none"),
    C("source_version", "VARCHAR", "Hash of what it was cleaned from: a change re-cleans it", True),
    C("written_in", "BIGINT", _WRITTEN_IN, True),
)
# The article fields the raw stage keeps for `articles` (`cleaned_articles`), declared as `articles` declares them.
CLEANED_FIELDS = [
    "title",
    "dateline",
    "agencies",
    "authors",
    "published_at",
    "language",
    "summary",
    "lede",
    "body",
    "word_count",
]
SCHEMA: dict[str, Table] = {
    t.name: t
    for t in (
        _table(
            "raw_documents",
            "page found under the raw folder (one per HTML record of a WARC)",
            "Every file of the raw folder as read: a page ready for cleaning, or rejected with a readable reason.",
            C(
                "doc_id",
                "VARCHAR NOT NULL",
                "Stable id: a hash of the path under the raw folder (and of the WARC record)",
            ),
            C("source_path", "VARCHAR NOT NULL", "Path of the file under the raw folder, '/'-separated"),
            C("source_record", "VARCHAR", "WARC-Record-ID of the record inside a WARC file, else NULL"),
            C("source_format", "VARCHAR NOT NULL", "`text` (page dump) or `html`; `warc`/`folder` on a rejected row"),
            C("content_sha256", "VARCHAR", "SHA-256 of the page's bytes as read"),
            C("size_bytes", "BIGINT", "Size of the page's bytes as read"),
            C("fetched_at", "TIMESTAMP", "Capture time, UTC: the sidecar's or WARC-Date, else the file's mtime"),
            C("status", "VARCHAR NOT NULL", "`ok`, or `rejected` with the reason in `error`"),
            C("error", "VARCHAR", "Why the page was rejected; on an ok row, a note (an ignored sidecar, say)"),
            C("content", "VARCHAR", "The decoded page (NFC, '\\n' line ends); NULL when rejected"),
            C("url", "VARCHAR", "The page's url: the sidecar's or WARC-Target-URI"),
            C("site", "VARCHAR", "Host of the url without `www.`"),
            C("page_kind", "VARCHAR", "`article`, or `front` for a homepage or section front of teaser cards"),
            C(
                "file_signature",
                "VARCHAR",
                "size:mtime of the file (and sidecar) when read: unchanged files are skipped",
                True,
            ),
            C("judged_under", "VARCHAR", "The settings of the verdict: a change of setting re-judges the row", True),
            C("judge_seconds", "DOUBLE", "How long screening the page took, for a lower time limit", True),
        ),
        ARTICLES,
        _table(
            "teasers",
            "card of a front, or item of an article page's `Meer uit …` rail",
            "Every teaser card of fronts and rails, in page order, with its link, age and time.",
            C("teaser_id", "VARCHAR NOT NULL", "Stable id: the page's doc_id and the position"),
            C("doc_id", "VARCHAR NOT NULL", "The raw document it was read from (raw_documents.doc_id)"),
            C(
                "section",
                "VARCHAR",
                "The rail or block heading it stands under (`Buitenland` of `Meer uit Buitenland`)",
            ),
            C("position", "INTEGER NOT NULL", "1-based place on the page, in page order"),
            C("block_position", "INTEGER", "1-based place among the teasers under the same section heading"),
            C("kicker", "VARCHAR", "The topline over the headline, where the page's markup sets it apart"),
            C("title", "VARCHAR", "The teaser's headline (without its kicker)"),
            C("dateline", "VARCHAR", "Place of its wire dateline"),
            C("agencies", "VARCHAR[]", "Agencies of its dateline"),
            C("text", "VARCHAR", "The standfirst or teaser text"),
            C("age_text", "VARCHAR", "The age as printed: `1 uur geleden`, `gisteren 14:05`"),
            C("age_minutes", "INTEGER", "The age in minutes before the capture; NULL when unreadable (never guessed)"),
            C("published_at", "TIMESTAMP", "From the card's <time>, else fetched_at minus the age; UTC"),
            C("url", "VARCHAR", "The card's absolute link, where the page gives one"),
            C("page_kind", "VARCHAR", "`front` for a card of a homepage or section front, `article` for a rail item"),
            C("quality_flags", "VARCHAR[]", "Content-quality rules the row breaks (newsassets.quality); [] when none"),
            C("source_version", "VARCHAR", "Hash of what it was read from: a change reads the page again", True),
            C("written_in", "BIGINT", _WRITTEN_IN, True),
        ),
        _table(
            "teaser_pages",
            "page the teasers stage has read",
            "Which pages the teasers stage read, so none is read twice; a page whose cards failed says why.",
            C("doc_id", "VARCHAR NOT NULL", "The raw document"),
            C("source_version", "VARCHAR", "Hash of what it was read from"),
            C("teasers", "INTEGER NOT NULL", "Teasers found on the page"),
            C("error", "VARCHAR", "`timeout: …` or `teasers failed: …` when the page's cards could not be read"),
            published=False,
        ),
        _table(
            "raw_listing",
            "file the raw stage listed",
            "The raw folder as the last raw stage listed it: its check judges the table against this snapshot.",
            C("source_path", "VARCHAR NOT NULL", "Path of the file under the raw folder"),
            published=False,
        ),
        _table(
            "cleaned_articles",
            "article page the raw stage cleaned to screen it",
            "The article the raw stage's screening cleaned, kept so that `articles` does not clean the page again; "
            "used while the page's content, url and the cleaning rules are the same.",
            C("doc_id", "VARCHAR NOT NULL", "The raw document"),
            C("content_sha256", "VARCHAR", "Of the content it was cleaned from"),
            C("url", "VARCHAR", "The capture url it was cleaned with"),
            C("rules", "VARCHAR NOT NULL", "screening.RULES_VERSION it was cleaned under"),
            *(C(c.name, c.type, f"As articles.{c.name}") for c in ARTICLES.columns if c.name in CLEANED_FIELDS),
            C("page_url", "VARCHAR", "The url the page gives itself (canonical link, og:url)"),
            C("page_site", "VARCHAR", "The site name the page gives itself"),
            published=False,
        ),
        _table(
            "screened_teasers",
            "ok page the raw stage read the teasers of",
            "The teasers the raw stage's workers read from each ok page while they had it in hand, kept so that "
            "`teasers` does not read the page again; used while the page's content, capture time, url and kind and "
            "the rules are the same.",
            C("doc_id", "VARCHAR NOT NULL", "The raw document"),
            C("content_sha256", "VARCHAR", "Of the content they were read from"),
            C("fetched_at", "TIMESTAMP", "The capture time they were dated with"),
            C("url", "VARCHAR", "The capture url their links were resolved against"),
            C("page_kind", "VARCHAR", "The page kind they were read as"),
            C("rules", "VARCHAR NOT NULL", "screening.RULES_VERSION they were read under"),
            C("teasers", "VARCHAR", "The page's teasers as JSON (page_tasks.teasers_as_json)"),
            C("error", "VARCHAR", "Why the page has no teasers (a timeout, a broken extractor), as teaser_pages.error"),
            published=False,
        ),
        _table(
            "dedup_clusters",
            "article and teaser (singletons too)",
            "Near-duplicate clusters: the same story across outlets, the same teaser across pages.",
            C("cluster_id", "VARCHAR NOT NULL", "Stable id of the cluster, kept across runs and merges"),
            C("item_kind", "VARCHAR NOT NULL", "`article` or `teaser`"),
            C("item_id", "VARCHAR NOT NULL", "articles.article_id or teasers.teaser_id"),
            C("is_representative", "BOOLEAN NOT NULL", "The cluster's earliest (then longest) item"),
            C("similarity", "DOUBLE NOT NULL", "Word-3-shingle Jaccard to the representative"),
            C("cluster_size", "INTEGER NOT NULL", "Items in the cluster"),
        ),
        _table(
            "dedup_edges",
            "merge behind a cluster",
            "Why items share a cluster: one edge per merge, item_b (and its cluster) joined item_a's.",
            C("item_kind", "VARCHAR NOT NULL", "`article` or `teaser`"),
            C("item_a", "VARCHAR NOT NULL", "Item already in the cluster"),
            C("item_b", "VARCHAR NOT NULL", "Item that joined it"),
            C(
                "similarity",
                "DOUBLE NOT NULL",
                "Shingle Jaccard of the pair (word 3-shingles for articles, words for teasers)",
            ),
            C("reason", "VARCHAR NOT NULL", "`exact text`, `same link`, `near copy`, `rewrite` or `contained`"),
            C(
                "content_similarity",
                "DOUBLE",
                "TF-IDF similarity of the pair's words and names (newsassets.dedup.content_similarity), where checked",
            ),
        ),
        _table(
            "teaser_links",
            "teaser linked to the article it promotes",
            "Which article each teaser promotes, where that article is in the tables, and how the link was made.",
            C("teaser_id", "VARCHAR NOT NULL", "teasers.teaser_id"),
            C("article_id", "VARCHAR NOT NULL", "articles.article_id of the article it promotes"),
            C(
                "method",
                "VARCHAR NOT NULL",
                "`url` (its link is the article's url) or `text` (its words are the article's)",
            ),
            C(
                "score",
                "DOUBLE NOT NULL",
                "1 for `url`; for `text` the share of its words in the article's title and lede",
            ),
        ),
        _table(
            "story_members",
            "article or teaser in its story",
            "Which story every article and every teaser belongs to (exactly one each).",
            C("story_id", "VARCHAR NOT NULL", "stories.story_id"),
            C("item_kind", "VARCHAR NOT NULL", "`article` or `teaser`"),
            C("item_id", "VARCHAR NOT NULL", "articles.article_id or teasers.teaser_id"),
            C("cluster_id", "VARCHAR", "Its dedup cluster when the story was grouped: a change regroups it", True),
            C("version", "VARCHAR", "Hash of the item's fields a story reads: a change regroups it", True),
        ),
        _table(
            "stories",
            "story (an article cluster with the teasers that promoted it, or a teaser-only story)",
            "One row per story across outlets, fronts and rails: who had it first, where it ran, how it was promoted.",
            C("story_id", "VARCHAR NOT NULL", "Stable id, kept across runs and merges like cluster ids"),
            C("title", "VARCHAR", "Title of its first article, else the headline of its first teaser"),
            C("lede", "VARCHAR", "Lede of its first article, else the text of its first teaser"),
            C("first_published_at", "TIMESTAMP", "When its first article appeared (else its first teaser); UTC"),
            C("first_site", "VARCHAR", "The site that had it first"),
            C("sites", "VARCHAR[]", "Every site that ran it or promoted it, sorted"),
            C("n_sites", "INTEGER NOT NULL", "len(sites)"),
            C("n_articles", "INTEGER NOT NULL", "Its articles (pages that carry it)"),
            C("n_teaser_sightings", "INTEGER NOT NULL", "Teasers promoting it, one per page they were seen on"),
            C("first_seen_on_front", "TIMESTAMP", "Capture time of the first front that showed a teaser of it"),
            C("last_seen_on_front", "TIMESTAMP", "Capture time of the last front that showed a teaser of it"),
            C("best_position", "INTEGER", "The highest place (smallest position) any teaser of it had on its page"),
            C(
                "timeline",
                "STRUCT(time TIMESTAMP, site VARCHAR, kind VARCHAR, position INTEGER, page VARCHAR, doc_id VARCHAR)[]",
                "Every article (time: published) and teaser sighting (time: the page's capture), in time order",
            ),
        ),
        _table(
            "story_article_keys",
            "article with a link key",
            "Stories state: each article's link key (newsassets.dedup.link_key), so a new teaser finds its article.",
            C("article_id", "VARCHAR NOT NULL", "The article"),
            C("link_key", "VARCHAR NOT NULL", "What identifies the article a link points to"),
            published=False,
        ),
        _table(
            "dedup_items",
            "item as last clustered",
            "Dedup state: each item's text hash and text key as last clustered.",
            C("item_kind", "VARCHAR NOT NULL", "`article` or `teaser`"),
            C("item_id", "VARCHAR NOT NULL", "The item"),
            C("text_hash", "UBIGINT NOT NULL", "DuckDB hash() of the text as stored: tells a changed text"),
            C("text_key", "UBIGINT", "Key of its lowercased words (newsassets.dedup.text_key)"),
            C("link_key", "VARCHAR", "What the item links to (newsassets.dedup.link_key): teasers of one link join"),
            C("dated", "TIMESTAMP", "Its publication, else its page's capture: what the time window reads"),
            C("captured_only", "BOOLEAN", "Dated by its page's capture, for want of a publication date"),
            C("clustered_under", "VARCHAR", "The time window it was clustered under: another window clusters anew"),
            C("written_in", "BIGINT", "The `written_in` of its row when clustered: later rows are new or rewritten"),
            published=False,
        ),
        _table(
            "dedup_signatures",
            "distinct item text",
            "Dedup state: one MinHash per distinct text, so no text is hashed twice.",
            C("item_kind", "VARCHAR NOT NULL", "`article` or `teaser`"),
            C("text_key", "UBIGINT NOT NULL", "The text's key"),
            C("version", "VARCHAR NOT NULL", "Signature settings it was made with"),
            C("signature", "BLOB NOT NULL", "The MinHash, uint32 values"),
            published=False,
        ),
        _table(
            "dedup_word_df",
            "word count of a run",
            "Dedup state: in how many distinct texts each word occurs; a full run writes the counts, an incremental "
            "run adds its new texts' counts to them (one row per word).",
            C("item_kind", "VARCHAR NOT NULL", "`article` or `teaser`"),
            C("word", "UINTEGER NOT NULL", "The word's 32-bit hash (as verification uses it)"),
            C("df", "BIGINT NOT NULL", "Distinct texts with the word"),
            published=False,
        ),
    )
}
del C

# column name → type, per table: what the store creates and inserts
TABLES: dict[str, dict[str, str]] = {t.name: {c.name: c.type for c in t.columns} for t in SCHEMA.values()}
PUBLISHED_TABLES = [t.name for t in SCHEMA.values() if t.published]


def readme_table() -> str:
    """The README's table of the published tables, made from the schema."""
    lines = ["| table | one row per | columns |", "|---|---|---|"]
    for table in SCHEMA.values():
        if table.published:
            columns = "; ".join(f"`{c.name}`: {c.description}" for c in table.public_columns)
            lines.append(f"| `{table.name}` | {table.one_row_per} | {columns} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(readme_table())
