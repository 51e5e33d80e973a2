"""Dedup state in DuckDB: which items are new or changed since the last run, and writing what a run found.

State lives beside the tables in the working database: `dedup_items` (each item's text hash, text key and link
key as last clustered), `dedup_signatures` (one MinHash per distinct text) and `dedup_word_df`. A run that only
finds new items is incremental: it hashes the new texts, finds the stored texts they copy, link with, or share
an LSH band with and verify against, and re-clusters just the clusters those belong to, with the new items;
every other row stays as it is. Any changed or removed item, or a change
of settings, makes a full run, which still reuses the stored signatures and keeps the earlier cluster ids.
`newsassets.dedup` does the clustering on plain values; this module only moves them in and out of DuckDB
(connections are passed in, never opened here), and has no Dagster in it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import NamedTuple

import numpy as np

from newsassets import settings
from newsassets.dedup import (
    SETTINGS,
    SIGNATURE_VERSION,
    ClusterMember,
    DedupEdge,
    DedupItem,
    DedupResult,
    DocumentFrequency,
    PreviousRun,
    cluster_items,
    cluster_kinds,
    link_key,
    new_text_signatures,
    related_texts,
    senior_key,
    seniority,
    text_frequency,
    text_key,
    verified_relatives,
)
from newsassets.store import needs_rebuild, replace_rows, replace_table_columns, table_exists, transaction

MEMBER_COLUMNS = ["cluster_id", "item_kind", "item_id", "is_representative", "similarity", "cluster_size"]
EDGE_COLUMNS = ["item_kind", "item_a", "item_b", "similarity", "reason", "content_similarity"]
STATE_TABLES = ["dedup_clusters", "dedup_edges", "dedup_items", "dedup_signatures", "dedup_word_df"]
# Every article and teaser, with the date that decides seniority, the link a teaser makes (an article's url
# is where it was found, not what it is about) and the hash that tells a changed text. A teaser's text is its
# headline and standfirst: cards whose site repeats one standfirst under different headlines stay apart.
ITEMS_SQL = """
    SELECT 'article' AS item_kind, a.article_id AS item_id, coalesce(a.body, '') AS text,
           coalesce(a.published_at, r.fetched_at) AS dated, NULL::VARCHAR AS link
    FROM articles a JOIN raw_documents r USING (doc_id)
    UNION ALL
    SELECT 'teaser', teaser_id, concat_ws(' ', title, text), published_at, url FROM teasers
"""


def run_dedup(
    connect: Callable, log: Callable[[str], object] = print, full: bool = False, workers: int | None = None
) -> tuple[str, DedupResult, ItemChanges]:
    """The stage on a store: `connect(read_only=…)` opens a DuckDB connection as a context manager. Reads
    end before writes start (DuckDB admits one writer). A full run clusters articles and teasers at once
    when `workers` (default `NEWSASSETS_WORKERS`, the machine's cores) allows."""
    workers = settings.workers() if workers is None else workers
    with connect(read_only=True) as conn:
        changes = ItemChanges() if full else count_changes(conn)
    new, changed = changes.new, changes.changed + changes.deleted
    if not changes.usable or changed:
        mode = f"full ({changed} items changed or removed)" if changes.usable else "full"
        log(f"{mode}: clustering every item")
        with connect(read_only=True) as conn:
            sizes = dict(conn.execute(f"SELECT item_kind, count(*) FROM ({ITEMS_SQL}) GROUP BY ALL").fetchall())
            previous = load_previous_run(conn)
        text_hashes: dict[tuple, int] = {}

        def load(kind: str) -> list[DedupItem]:  # a kind at a time, each on a short read-only connection
            with connect(read_only=True) as conn:
                items, digests = load_items(conn, "i WHERE i.item_kind = $1", [kind])
            text_hashes.update(digests)
            return items

        result = cluster_kinds(sizes, load, previous=previous, workers=workers)
        del previous
        with connect(read_only=False) as conn:
            write_result(conn, result, text_hashes)
    elif not new:
        mode = "unchanged"
        log("no item is new, changed or removed: the tables stay as they are")
        result = cluster_items([])
    else:
        mode = f"incremental ({new} new items)"
        log(mode)
        with connect(read_only=True) as conn:
            increment = cluster_new_items(conn)
        with connect(read_only=False) as conn:
            write_increment(conn, increment)
        result = increment.result
    return mode, result, changes


class ItemChanges(NamedTuple):
    """Items against the stored state: new, changed (text), deleted, unchanged; `usable` is False when there
    is no state to compare with (a first run, or other settings)."""

    new: int = 0
    changed: int = 0
    deleted: int = 0
    unchanged: int = 0
    usable: bool = False


def count_changes(conn) -> ItemChanges:
    if any(needs_rebuild(conn, t) for t in STATE_TABLES):
        return ItemChanges()
    versions = conn.execute("SELECT DISTINCT version FROM dedup_signatures").fetchall()
    if versions and versions != [(SIGNATURE_VERSION,)]:
        return ItemChanges()
    counts = conn.execute(
        f"""
        WITH cur AS (SELECT item_kind, item_id, hash(text) AS text_hash FROM ({ITEMS_SQL}))
        SELECT count(*) FILTER (WHERE s.item_id IS NULL),
               count(*) FILTER (WHERE s.item_id IS NOT NULL AND cur.item_id IS NOT NULL AND s.text_hash <> cur.text_hash),
               count(*) FILTER (WHERE cur.item_id IS NULL),
               count(*) FILTER (WHERE s.text_hash = cur.text_hash)
        FROM cur FULL JOIN dedup_items s ON s.item_kind = cur.item_kind AND s.item_id = cur.item_id
        """
    ).fetchone()
    return ItemChanges(*counts, usable=True)


def load_items(conn, where: str = "", params: list | None = None) -> tuple[list[DedupItem], dict[tuple, int]]:
    """Articles (body, dated by publication, else the page's capture) and teasers as dedup items, and the hash
    of each text by (item_kind, item_id); `where` narrows them down (`i WHERE` a condition on `i.item_id` …).
    Read a batch at a time; the order does not matter (the core orders items by seniority)."""
    cursor = conn.execute(
        f"SELECT item_kind, item_id, text, dated, link, hash(text) FROM ({ITEMS_SQL}) {where}", params or []
    )
    items, text_hashes = [], {}
    texts: dict[str, str] = {}  # one string per distinct text: a teaser on a thousand pages is held once
    while rows := cursor.fetchmany(50_000):
        for kind, item_id, text, dated, link, digest in rows:
            text = texts.setdefault(text, text) if text and len(text) < _SHARED_TEXT_LENGTH else text
            items.append(dedup_item(kind, item_id, text, dated, link))
            text_hashes[(kind, item_id)] = digest
    return items, text_hashes


_SHARED_TEXT_LENGTH = 2000  # characters: shorter texts (teasers, headlines) repeat; article bodies rarely do


def load_previous_run(conn) -> PreviousRun:
    """The last run's cluster ids and signatures of this signature version (none on a first run)."""
    cluster_ids, signatures = {}, {}
    if table_exists(conn, "dedup_clusters"):
        rows = conn.execute("SELECT item_kind, item_id, cluster_id FROM dedup_clusters").fetchall()
        cluster_ids = {(kind, item_id): cluster_id for kind, item_id, cluster_id in rows}
    if table_exists(conn, "dedup_signatures"):
        for kind in SETTINGS:
            keys, sigs = _stored_signatures(conn, kind)
            signatures.update(zip(((kind, key) for key in keys.tolist()), sigs, strict=True))
    return PreviousRun(cluster_ids, signatures)


def _stored_signatures(conn, kind: str) -> tuple[np.ndarray, np.ndarray]:
    rows = conn.execute(
        "SELECT text_key, signature FROM dedup_signatures WHERE item_kind = ? AND version = ?",
        [kind, SIGNATURE_VERSION],
    ).fetchall()
    keys = np.array([key for key, _ in rows], dtype=np.uint64)
    # an empty archive (every page so far rejected, say) has no signatures: a (0, num_perm) array, not a crash
    sigs = np.frombuffer(b"".join(blob for _, blob in rows), dtype=np.uint32).reshape(
        len(rows), SETTINGS[kind].num_perm
    )
    return keys, sigs


@dataclass
class Increment:
    """What an incremental run changes: the re-clustered part, and the new exact copies that simply join."""

    result: DedupResult  # new items that need clustering, with every cluster they touch
    text_hashes: dict[tuple, int]  # of every new item
    link_keys: dict[tuple, str] = field(default_factory=dict)  # of every new item that links somewhere
    joined: list[ClusterMember] = field(default_factory=list)  # exact copies of a stored text, joining its cluster
    joined_edges: list[DedupEdge] = field(default_factory=list)
    joined_keys: dict[tuple, int] = field(default_factory=dict)
    new_signatures: dict[tuple, np.ndarray] = field(default_factory=dict)  # of texts not stored yet
    frequency_delta: dict[str, DocumentFrequency] = field(default_factory=dict)  # the new texts' word counts


def cluster_new_items(conn) -> Increment:
    """Cluster the new items together with the clusters of every stored text they copy or resemble. A new item
    that copies a stored text exactly and is no more senior than that cluster's representative just joins it:
    the common case of a teaser repeated on one more page costs no re-clustering."""
    new_items, text_hashes = load_items(
        conn,
        "i WHERE NOT EXISTS (SELECT 1 FROM dedup_items s WHERE s.item_kind = i.item_kind AND s.item_id = i.item_id)",
    )
    stored = {kind: _stored_signatures(conn, kind) for kind in SETTINGS}
    known = {kind: _Keys(keys) for kind, (keys, _) in stored.items()}
    key_of_text: dict[str, int] = {}  # the same raw text (a teaser on many pages) is normalised once

    def key_of(text: str) -> int:
        key = key_of_text.get(text)
        if key is None:
            key = key_of_text[text] = text_key(text)
        return key

    keys = {(i.item_kind, i.item_id): key_of(i.text) for i in new_items if i.text.strip()}
    holders = _holders(conn, [k for k in set(keys.items()) if k[1] in known[k[0][0]]])
    joining = {
        (i.item_kind, i.item_id): holders[(i.item_kind, keys[(i.item_kind, i.item_id)])]
        for i in new_items
        if (i.item_kind, keys.get((i.item_kind, i.item_id))) in holders
        and senior_key(i) > holders[(i.item_kind, keys[(i.item_kind, i.item_id)])].representative_key
    }
    rest = [i for i in new_items if (i.item_kind, i.item_id) not in joining]
    fresh = new_text_signatures(rest, known)
    # word frequencies over the whole store: the stored counts and the new texts' (each distinct text once)
    new_texts: dict[tuple[str, int], str] = {}
    for item in rest:
        key = (item.item_kind, keys.get((item.item_kind, item.item_id)))
        if key in fresh:
            new_texts.setdefault(key, item.text)
    delta = {kind: text_frequency(t for (k, _), t in new_texts.items() if k == kind) for kind in SETTINGS}
    frequency = {kind: stored_frequency(conn, kind).plus(delta[kind]) for kind in SETTINGS}
    # the stored texts a new text copies, or shares a band with and verifies against (or links with)
    copies, banded, signatures = {}, {}, {}
    for kind, (stored_keys, sigs) in stored.items():
        copies[kind] = {
            k for i in rest if i.item_kind == kind and i.text.strip() and (k := keys[(kind, i.item_id)]) in known[kind]
        }
        mine = {key: sig for (k, key), sig in fresh.items() if k == kind}
        banded[kind] = sorted(related_texts(kind, mine, stored_keys, sigs) - copies[kind])
        row_of = {key: row for row, key in enumerate(stored_keys.tolist())} if banded[kind] else {}
        signatures.update({(kind, key): sigs[row_of[key]] for key in banded[kind]})
        signatures.update({(kind, key): sig for key, sig in mine.items()})
    # one link, one story: the stored texts that link where a new item links are touched whatever their words
    new_links = {(i.item_kind, i.item_id): key for i in new_items if (key := link_key(i.link))}
    rest_links = {key: new_links[key] for i in rest if (key := (i.item_kind, i.item_id)) in new_links}
    for kind, text_key_ in _texts_linking_to(conn, rest_links):
        if text_key_ is not None:
            copies[kind].add(text_key_)
            if text_key_ in banded[kind]:
                banded[kind].remove(text_key_)
    stored_items = _stored_items(conn, banded)
    touched_kinds, touched_keys = [], []
    for kind in stored:
        verified = verified_relatives(
            kind,
            [i for i in rest if i.item_kind == kind],
            [i for i in stored_items if i.item_kind == kind],
            signatures,
            frequency[kind],
        )
        touched_kinds += [kind] * len(copies[kind] | verified)
        touched_keys += sorted(copies[kind] | verified)
    conn.execute(
        "CREATE OR REPLACE TEMP TABLE touched AS SELECT DISTINCT c2.cluster_id FROM dedup_items s "
        "JOIN dedup_clusters c2 USING (item_kind, item_id) JOIN (SELECT unnest($1::VARCHAR[]) AS item_kind, "
        "unnest($2::UBIGINT[]) AS text_key) t USING (item_kind, text_key)",
        [touched_kinds, touched_keys],
    )
    touched = {cluster_id for (cluster_id,) in conn.execute("SELECT cluster_id FROM touched").fetchall()}
    # a copy whose cluster is re-clustered anyway goes with it
    for item in new_items:
        holder = joining.get((item.item_kind, item.item_id))
        if holder is not None and holder.cluster_id in touched:
            del joining[(item.item_kind, item.item_id)]
            rest.append(item)
    old_items, _ = load_items(
        conn,
        "i WHERE (i.item_kind, i.item_id) IN (SELECT (c.item_kind, c.item_id) FROM dedup_clusters c "
        "WHERE c.cluster_id IN (SELECT cluster_id FROM touched))",
    )
    rows = conn.execute(
        "SELECT item_kind, item_id, cluster_id FROM dedup_clusters WHERE cluster_id IN (SELECT cluster_id FROM touched)"
    ).fetchall()
    cluster_ids = {(kind, item_id): cluster_id for kind, item_id, cluster_id in rows}
    signatures = dict(fresh)
    for kind, (stored_keys, sigs) in stored.items():
        row_of = {key: row for row, key in enumerate(stored_keys.tolist())}
        for item in old_items + rest:
            if item.item_kind != kind or not item.text.strip():
                continue
            key = key_of(item.text)
            if key in row_of:
                signatures[(kind, key)] = sigs[row_of[key]]
    result = cluster_items(rest + old_items, previous=PreviousRun(cluster_ids, signatures), frequency=frequency)
    increment = Increment(
        replace(result, hashed=result.hashed + len(fresh)),
        text_hashes,
        new_links,
        frequency_delta=delta,
    )
    # only signatures of texts the store does not hold yet are written: the others are the stored ones
    increment.new_signatures = {k: v for k, v in result.signatures.items() if k[1] not in known[k[0]]}
    for (kind, item_id), holder in sorted(joining.items()):
        increment.joined.append(ClusterMember(holder.cluster_id, kind, item_id, False, holder.similarity, 0))
        increment.joined_edges.append(DedupEdge(kind, holder.item_id, item_id, 1.0, "exact text"))
        increment.joined_keys[(kind, item_id)] = keys[(kind, item_id)]
    return increment


class _Keys:
    """The stored text keys of a kind, for membership tests (a sorted array: a set of a million keys takes
    longer to build than an incremental run has)."""

    def __init__(self, keys: np.ndarray) -> None:
        self._sorted = np.sort(keys)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, int) or not 0 <= key < 1 << 64 or not len(self._sorted):
            return False
        at = int(self._sorted.searchsorted(np.uint64(key)))
        return at < len(self._sorted) and int(self._sorted[at]) == key


def _texts_linking_to(conn, link_keys: dict[tuple, str]) -> list[tuple[str, int | None]]:
    """(item_kind, text_key) of the stored items whose link key is one of `link_keys`' (of their kind)."""
    if not link_keys:
        return []
    return conn.execute(
        "SELECT DISTINCT s.item_kind, s.text_key FROM dedup_items s JOIN (SELECT unnest($1::VARCHAR[]) AS item_kind, "
        "unnest($2::VARCHAR[]) AS link_key) k USING (item_kind, link_key)",
        [[kind for kind, _ in link_keys], list(link_keys.values())],
    ).fetchall()


def _stored_items(conn, text_keys: dict[str, list[int]]) -> list[DedupItem]:
    """Every stored item whose text has one of the text keys of its kind."""
    kinds = [kind for kind, keys in text_keys.items() for _ in keys]
    if not kinds:
        return []
    items, _ = load_items(
        conn,
        "i WHERE (i.item_kind, i.item_id) IN (SELECT (s.item_kind, s.item_id) FROM dedup_items s JOIN "
        "(SELECT unnest($1::VARCHAR[]) AS item_kind, unnest($2::UBIGINT[]) AS text_key) k USING (item_kind, text_key))",
        [kinds, [key for keys in text_keys.values() for key in keys]],
    )
    return items


def stored_frequency(conn, kind: str) -> DocumentFrequency:
    """The stored word counts of one kind (the sum of a full run's rows and later runs' additions); N is the
    number of stored distinct texts."""
    words, counts = conn.execute(
        "SELECT coalesce(list(word ORDER BY word), []), coalesce(list(df ORDER BY word), []) FROM "
        "(SELECT word, sum(df)::BIGINT AS df FROM dedup_word_df WHERE item_kind = ? GROUP BY word)",
        [kind],
    ).fetchone()
    (documents,) = conn.execute(
        "SELECT count(*) FROM dedup_signatures WHERE item_kind = ? AND version = ?", [kind, SIGNATURE_VERSION]
    ).fetchone()
    return DocumentFrequency(np.array(words, dtype=np.uint32), np.array(counts, dtype=np.int64), documents)


class Holder(NamedTuple):
    """A stored item whose text a new item copies exactly, and what joining its cluster needs."""

    item_id: str
    cluster_id: str
    similarity: float
    representative_key: tuple  # `dedup.senior_key` of the cluster's representative


def _holders(conn, kind_keys: list[tuple]) -> dict[tuple, Holder]:
    """(item_kind, text_key) → the `Holder` of that stored text."""
    if not kind_keys:
        return {}
    rows = conn.execute(
        f"""
        WITH k AS (SELECT unnest($1::VARCHAR[]) AS item_kind, unnest($2::UBIGINT[]) AS text_key),
             holder AS (SELECT item_kind, text_key, min(item_id) AS item_id
                        FROM dedup_items JOIN k USING (item_kind, text_key) GROUP BY ALL)
        SELECT h.item_kind, h.text_key, h.item_id, c.cluster_id, c.similarity, r.item_id, i.dated, length(i.text)
        FROM holder h JOIN dedup_clusters c USING (item_kind, item_id)
        JOIN dedup_clusters r ON r.cluster_id = c.cluster_id AND r.is_representative
        JOIN ({ITEMS_SQL}) i ON i.item_kind = r.item_kind AND i.item_id = r.item_id
        """,
        [[kind for (kind, _), _ in kind_keys], [key for _, key in kind_keys]],
    ).fetchall()
    return {
        (kind, key): Holder(holder, cluster_id, similarity, (seniority(dated, length), rep))
        for kind, key, holder, cluster_id, similarity, rep, dated, length in rows
    }


def write_result(conn, result: DedupResult, text_hashes: dict[tuple, int]) -> None:
    """A full run: the four tables, each replaced in one transaction (the state last)."""
    replace_table_columns(conn, "dedup_clusters", _columns(result.members, MEMBER_COLUMNS))
    replace_table_columns(conn, "dedup_edges", _columns(result.edges, EDGE_COLUMNS))
    replace_table_columns(conn, "dedup_signatures", _signature_columns(result.signatures))
    replace_table_columns(conn, "dedup_word_df", _frequency_columns(result.frequency))
    replace_table_columns(conn, "dedup_items", _item_columns(result.text_keys, text_hashes, result.link_keys))


def write_increment(conn, increment: Increment) -> None:
    """An incremental run: the re-clustered items' rows replaced and the joining copies added, each table in one
    transaction (the state last). Only what differs from the stored rows is written (an item whose rows are the
    same is left alone, a stored signature is not written again), so the write, and the checkpoint after it,
    stay small; the tables end up exactly as if every re-clustered row had been replaced."""
    result = increment.result
    ids = [m.item_id for m in result.members]
    with transaction(conn):
        changed, members = _changed_rows(conn, "dedup_clusters", "item_id", ids, result.members, MEMBER_COLUMNS)
        replace_rows(conn, "dedup_clusters", {"item_id": changed}, _columns(members, MEMBER_COLUMNS))
        if increment.joined:
            grown = Counter(m.cluster_id for m in increment.joined)
            conn.execute(
                "UPDATE dedup_clusters c SET cluster_size = c.cluster_size + g.n FROM (SELECT unnest($1::VARCHAR[]) "
                "AS cluster_id, unnest($2::INTEGER[]) AS n) g WHERE c.cluster_id = g.cluster_id",
                [list(grown), list(grown.values())],
            )
            size = dict(
                conn.execute(
                    "SELECT cluster_id, any_value(cluster_size) FROM dedup_clusters WHERE cluster_id IN "
                    "(SELECT unnest($1::VARCHAR[])) GROUP BY 1",
                    [list(grown)],
                ).fetchall()
            )
            joined = [replace(m, cluster_size=size[m.cluster_id]) for m in increment.joined]
            replace_rows(conn, "dedup_clusters", {}, _columns(joined, MEMBER_COLUMNS))
    with transaction(conn):
        changed, edges = _changed_rows(conn, "dedup_edges", "item_b", ids, result.edges, EDGE_COLUMNS)
        # the joining copies' edges are new rows: their item_b is a new item
        replace_rows(conn, "dedup_edges", {"item_b": changed}, _columns(edges + increment.joined_edges, EDGE_COLUMNS))
    signatures = increment.new_signatures
    replace_rows(conn, "dedup_signatures", _signature_keys(signatures), _signature_columns(signatures))
    replace_rows(conn, "dedup_word_df", {}, _frequency_columns(increment.frequency_delta))
    new = _item_columns({**result.text_keys, **increment.joined_keys}, increment.text_hashes, increment.link_keys)
    replace_rows(conn, "dedup_items", {"item_id": new["item_id"]}, new)


def _changed_rows(conn, table: str, key: str, keys: list[str], rows: list, names: list[str]) -> tuple[list, list]:
    """The `keys` (values of column `key`) whose rows in `table` differ from `rows` (as a multiset), and the rows
    of those keys: deleting every stored row of a changed key and inserting its rows leaves the table as
    replacing the rows of all `keys` would."""
    stored: dict[object, Counter] = {}
    found = conn.execute(
        f"SELECT {', '.join(names)} FROM {table} WHERE {key} IN (SELECT unnest($1::VARCHAR[]))", [keys]
    ).fetchall()
    at = names.index(key)
    for row in found:
        stored.setdefault(row[at], Counter())[row] += 1
    wanted: dict[object, Counter] = {}
    for row in rows:
        wanted.setdefault(getattr(row, key), Counter())[tuple(getattr(row, name) for name in names)] += 1
    changed = {k for k in dict.fromkeys(keys) if stored.get(k, Counter()) != wanted.get(k, Counter())}
    outside = set(wanted) - set(keys)  # rows of keys not replaced are inserted as they are
    return sorted(changed), [row for row in rows if getattr(row, key) in changed or getattr(row, key) in outside]


def _columns(rows: list, names: list[str]) -> dict[str, list]:
    return {name: [getattr(row, name) for row in rows] for name in names}


def _signature_keys(signatures) -> dict[str, list]:
    keys = sorted(signatures)
    return {"item_kind": [kind for kind, _ in keys], "text_key": [key for _, key in keys]}


def _signature_columns(signatures) -> dict[str, list]:
    keys = sorted(signatures)
    return {
        "item_kind": [kind for kind, _ in keys],
        "text_key": [key for _, key in keys],
        "version": [SIGNATURE_VERSION] * len(keys),
        "signature": [signatures[k].astype(np.uint32).tobytes() for k in keys],
    }


def _frequency_columns(frequency: dict[str, DocumentFrequency]) -> dict[str, list]:
    kinds = sorted(frequency)
    return {
        "item_kind": [kind for kind in kinds for _ in range(len(frequency[kind].words))],
        "word": [w for kind in kinds for w in frequency[kind].words.tolist()],
        "df": [c for kind in kinds for c in frequency[kind].counts.tolist()],
    }


def _item_columns(
    text_keys: dict[tuple, int | None], text_hashes: dict[tuple, int], link_keys: dict[tuple, str]
) -> dict[str, list]:
    """State rows for the items `text_hashes` names: their text's hash, dedup text key and link key."""
    keys = sorted(text_hashes)
    return {
        "item_kind": [kind for kind, _ in keys],
        "item_id": [item_id for _, item_id in keys],
        "text_hash": [text_hashes[k] for k in keys],
        "text_key": [text_keys[k] for k in keys],
        "link_key": [link_keys.get(k) for k in keys],
    }


def dedup_item(kind: str, item_id: str, text: str | None, dated: datetime | None, link: str | None = None) -> DedupItem:
    """An item as the stage clusters it: dated for seniority, with its link."""
    text = text or ""
    return DedupItem(kind, item_id, text, seniority=seniority(dated, len(text)), link=link)


def teaser_item(
    item_id: str, title: str | None, text: str | None, dated: datetime | None, link: str | None
) -> DedupItem:
    """A teaser as the stage clusters it (`ITEMS_SQL`): its headline and standfirst, dated, with its link."""
    return dedup_item("teaser", item_id, " ".join(part for part in (title, text) if part), dated, link)
