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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
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
    DedupSettings,
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
    text_words,
    verified_relatives,
    windowed,
)
from newsassets.store import (
    needs_rebuild,
    replace_rows,
    replace_rows_at,
    replace_table_columns,
    table_exists,
    transaction,
)

MEMBER_COLUMNS = ["cluster_id", "item_kind", "item_id", "is_representative", "similarity", "cluster_size"]
EDGE_COLUMNS = ["item_kind", "item_a", "item_b", "similarity", "reason", "content_similarity"]
STATE_TABLES = ["dedup_clusters", "dedup_edges", "dedup_items", "dedup_signatures", "dedup_word_df"]
# Every article and teaser, with the date that decides seniority and the time window (its publication, else its
# page's capture, when its page is still there), the link a teaser makes (an article's url
# is where it was found, not what it is about) and the hash that tells a changed text. A teaser's text is its
# headline and standfirst: cards whose site repeats one standfirst under different headlines stay apart.
ITEMS_SQL = """
    SELECT 'article' AS item_kind, a.article_id AS item_id, coalesce(a.body, '') AS text,
           coalesce(a.published_at, r.fetched_at) AS dated, NULL::VARCHAR AS link,
           a.published_at IS NULL AND r.fetched_at IS NOT NULL AS captured_only, a.rowid AS item_row,
           a.written_in
    FROM articles a LEFT JOIN raw_documents r USING (doc_id)
    UNION ALL
    SELECT 'teaser', t.teaser_id, concat_ws(' ', t.title, t.text), coalesce(t.published_at, r.fetched_at), t.url,
           t.published_at IS NULL AND r.fetched_at IS NOT NULL, t.rowid, t.written_in
    FROM teasers t LEFT JOIN raw_documents r USING (doc_id)
"""
# The items' ids and rows alone, for finding the few a run needs: no text, and no join with the pages.
ITEM_IDS_SQL = """
    SELECT 'article' AS item_kind, article_id AS item_id, rowid AS item_row, written_in FROM articles
    UNION ALL
    SELECT 'teaser', teaser_id, rowid, written_in FROM teasers
"""


def run_dedup(
    connect: Callable,
    log: Callable[[str], object] = print,
    full: bool = False,
    workers: int | None = None,
    window_days: float | None = None,
) -> tuple[str, DedupResult, ItemChanges]:
    """The stage on a store: `connect(read_only=…)` opens a DuckDB connection as a context manager. Reads
    end before writes start (DuckDB admits one writer). A full run clusters articles and teasers at once
    when `workers` (default `NEWSASSETS_WORKERS`, the machine's cores) allows. `window_days` (default
    `NEWSASSETS_DEDUP_WINDOW_DAYS`) is the store's time window: see `dedup.DedupSettings`."""
    workers = settings.workers() if workers is None else workers
    window_days = settings.dedup_window_days() if window_days is None else window_days
    kind_settings = stage_settings(window_days)
    label = clustered_under(window_days)
    with connect(read_only=True) as conn:
        changes = ItemChanges() if full else count_changes(conn, label)
    new, changed = changes.new, changes.changed + changes.deleted
    if not changes.usable or changed:
        mode = f"full ({changed} items changed or removed)" if changes.usable else "full"
        log(f"{mode}: clustering every item")
        with connect(read_only=True) as conn:
            sizes = dict(conn.execute(f"SELECT item_kind, count(*) FROM ({ITEMS_SQL}) GROUP BY ALL").fetchall())
            previous = load_previous_run(conn)
        states: dict[tuple, ItemState] = {}

        def load(kind: str) -> list[DedupItem]:  # a kind at a time, each on a short read-only connection
            with connect(read_only=True) as conn:
                items, kind_states = load_items(conn, "i WHERE i.item_kind = $1", [kind])
            states.update(kind_states)
            return items

        result = cluster_kinds(sizes, load, kind_settings, previous=previous, workers=workers)
        del previous
        with connect(read_only=False) as conn:
            write_result(conn, result, states, label)
    elif not new:
        mode = "unchanged"
        log("no item is new, changed or removed: the tables stay as they are")
        result = cluster_items([])
    else:
        mode = f"incremental ({new} new items)"
        log(mode)
        with connect(read_only=True) as conn:
            increment = cluster_new_items(conn, changes.new_rows, kind_settings)
        log(
            f"looked at the stored texts first dated within {window_days:g} days of the new items: "
            f"{increment.window_texts} of {increment.stored_texts}"
            if window_days
            else f"looked at all {increment.stored_texts} stored texts (no time window)"
        )
        with connect(read_only=False) as conn:
            write_increment(conn, increment, label)
        result = increment.result
    return mode, result, changes


def clustered_under(window_days: float) -> str:
    """What `dedup_items.clustered_under` records: a run under another window clusters everything again."""
    return f"window_days={window_days:g}"


class ItemChanges(NamedTuple):
    """Items against the stored state: new, changed (text), deleted, unchanged; `usable` is False when there
    is no state to compare with (a first run, or other settings)."""

    new: int = 0
    changed: int = 0
    deleted: int = 0
    unchanged: int = 0
    usable: bool = False
    new_rows: tuple[tuple[str, int], ...] = ()  # (item_kind, item_row) of each new item


def count_changes(conn, label: str) -> ItemChanges:
    """New, changed, deleted and unchanged items, reading the texts only of rows written since the last run (their
    `written_in` above the largest the state records of their kind): a rewritten row whose text hashes the same
    is unchanged. Deleted items are told by the counts."""
    if any(needs_rebuild(conn, t) for t in STATE_TABLES):
        return ItemChanges()
    versions = conn.execute("SELECT DISTINCT version FROM dedup_signatures").fetchall()
    if versions and versions != [(SIGNATURE_VERSION,)]:
        return ItemChanges()
    labels = conn.execute("SELECT DISTINCT clustered_under FROM dedup_items").fetchall()
    if labels and labels != [(label,)]:
        return ItemChanges()
    stored = conn.execute("SELECT count(*) FROM dedup_items").fetchone()[0]
    current = conn.execute("SELECT (SELECT count(*) FROM articles) + (SELECT count(*) FROM teasers)").fetchone()[0]
    # the rows of the new items, and the changed ones (the same id with another text): the join sees only the few
    # rows written since, so the rows of the new items come out of it at no cost (`cluster_new_items` reads them)
    found = conn.execute(
        f"""
        WITH fresh AS (
            SELECT item_kind, item_id, item_row, hash(text) AS text_hash FROM ({ITEMS_SQL}) i
            WHERE {_written_after(written_marks(conn))})
        SELECT f.item_kind, f.item_row, s.item_id IS NULL FROM fresh f LEFT JOIN dedup_items s USING (item_kind, item_id)
        WHERE s.item_id IS NULL OR s.text_hash <> f.text_hash
        """
    ).fetchall()
    new_rows = tuple((kind, row) for kind, row, new in found if new)
    new, changed = len(new_rows), len(found) - len(new_rows)
    kept = current - new  # items the state holds: those not rewritten are unchanged
    return ItemChanges(new, changed, stored - kept, kept - changed, usable=True, new_rows=new_rows)


def written_marks(conn) -> dict[str, int]:
    """Per kind, the largest `written_in` among the items the state holds: rows written later are new or rewritten."""
    return dict(
        conn.execute(
            "SELECT item_kind, max(written_in) FROM dedup_items WHERE written_in IS NOT NULL GROUP BY ALL"
        ).fetchall()
    )


def _written_after(marks: Mapping[str, int]) -> str:
    """A condition on `i` of `ITEMS_SQL` (or `ITEM_IDS_SQL`): the row was written after the `marks` (every row of a
    kind with none). Constants, so that DuckDB skips the row groups written before."""
    conditions = [
        f"(i.item_kind = '{kind}' AND i.written_in > {int(marks[kind])})"
        if kind in marks
        else f"i.item_kind = '{kind}'"
        for kind in SETTINGS
    ]
    return f"(i.written_in IS NULL OR {' OR '.join(conditions)})"


class ItemState(NamedTuple):
    """What `dedup_items` keeps of an item besides its keys: the hash that tells a changed text, and its date."""

    text_hash: int
    dated: datetime | None
    captured_only: bool = False
    written_in: int | None = None


def load_items(conn, where: str = "", params: list | None = None) -> tuple[list[DedupItem], dict[tuple, ItemState]]:
    """Articles (body, dated by publication, else the page's capture) and teasers as dedup items, and the
    `ItemState` of each by (item_kind, item_id); `where` narrows them down (`i WHERE` a condition on `i.item_id`
    …). Read a batch at a time; the order does not matter (the core orders items by seniority)."""
    cursor = conn.execute(
        "SELECT item_kind, item_id, text, dated, link, captured_only, hash(text), written_in "
        f"FROM ({ITEMS_SQL}) {where}",
        params or [],
    )
    items, states = [], {}
    texts: dict[str, str] = {}  # one string per distinct text: a teaser on a thousand pages is held once
    while rows := cursor.fetchmany(50_000):
        for kind, item_id, text, dated, link, captured_only, digest, written_in in rows:
            text = texts.setdefault(text, text) if text and len(text) < _SHARED_TEXT_LENGTH else text
            items.append(dedup_item(kind, item_id, text, dated, link, captured_only))
            states[(kind, item_id)] = ItemState(digest, dated, captured_only, written_in)
    return items, states


def load_items_found(conn, where: str, params: list | None = None) -> tuple[list[DedupItem], dict[tuple, ItemState]]:
    """`load_items` for the few items of a run among millions: `where` (on `i.item_kind`, `i.item_id` and
    `i.written_in`, as `ITEM_IDS_SQL` has them) finds them on their ids alone, and only their texts are read, by
    row (`item_row`). Filtering `ITEMS_SQL` itself would read and join every text in the store before the filter
    drops them."""
    found = conn.execute(f"SELECT item_kind, item_row FROM ({ITEM_IDS_SQL}) {where}", params or []).fetchall()
    return load_items_at(conn, found)


def load_items_at(conn, found: list[tuple[str, int]]) -> tuple[list[DedupItem], dict[tuple, ItemState]]:
    """`load_items` for the items at these (item_kind, item_row), read in batches of rows."""
    items, states = [], {}
    for kind in SETTINGS:
        rows = sorted(row for k, row in found if k == kind)  # in table order: a batch's rows lie close together
        for start in range(0, len(rows), _ROWS_PER_READ):
            batch_items, batch_states = load_items(
                conn,
                "i WHERE i.item_kind = $1 AND i.item_row IN (SELECT unnest($2::BIGINT[]))",
                [kind, rows[start : start + _ROWS_PER_READ]],
            )
            items += batch_items
            states.update(batch_states)
    return items, states


_ROWS_PER_READ = 20_000

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


def _stored_signatures(
    conn, kind: str, keys_sql: str = "", params: dict | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The stored signatures of a kind (and their text keys), of every text or of those `keys_sql` selects (a
    query of `text_key`s, with named `params`)."""
    where = f" AND text_key IN ({keys_sql})" if keys_sql else ""
    columns = conn.execute(  # as arrays: no Python tuple per row (a window of a big store holds many texts)
        f"SELECT text_key, signature FROM dedup_signatures WHERE item_kind = $signature_kind "
        f"AND version = $signature_version{where}",
        {"signature_kind": kind, "signature_version": SIGNATURE_VERSION, **(params or {})},
    ).fetchnumpy()
    keys = np.asarray(columns["text_key"], dtype=np.uint64)
    # an empty archive (every page so far rejected, say) has no signatures: a (0, num_perm) array, not a crash
    sigs = np.frombuffer(b"".join(columns["signature"]), dtype=np.uint32).reshape(len(keys), SETTINGS[kind].num_perm)
    return keys, sigs


# Each stored text of a kind with its first date (its most senior item's: `dedup._first_days`), whether it is dated
# by captures only, and how many of its items are dated at all. Only the texts with an item dated from a bound on,
# or undated, are grouped: a text first dated within a window has its first item there, and grouping every text
# of the store would cost more with each year it holds.
_TEXT_DATES = """
    SELECT text_key, min(dated) AS first, bool_and(coalesce(captured_only, false)) AS open, count(dated) AS dated
    FROM dedup_items WHERE item_kind = $kind AND text_key IN
        (SELECT text_key FROM dedup_items WHERE item_kind = $kind AND (dated >= $since OR dated IS NULL))
    GROUP BY text_key
"""
_TEXT_KEYS = "SELECT unnest($keys::UBIGINT[])"


def _window_texts(items: list[DedupItem], settings: DedupSettings) -> tuple[str, dict] | None:
    """A query of the stored text keys (of the items' kind) that some of `items` may pair with under the time
    window (`dedup._PairRules`), and its named parameters; None when that is every stored text (no window, or an
    item with no date at all)."""
    days = settings.candidate_window_days
    if not days or not items or any(item.seniority[0] for item in items):
        return None
    window = timedelta(days=days)
    late = settings.late_captures
    published = [i.seniority[1] for i in items if not (late and i.captured_only)]
    captured = [i.seniority[1] for i in items if late and i.captured_only]
    conditions = []
    params = {"kind": items[0].item_kind, "since": min(published + captured) - window}
    if published:
        params |= {"start": min(published) - window, "end": max(published) + window}
        if late:  # a text captured after (or within the window before) a publication may be that story
            conditions += ["(NOT open AND first BETWEEN $start AND $end)", "(open AND first >= $start)"]
        else:
            conditions.append("first BETWEEN $start AND $end")
    if captured:  # an item only captured may be an old story: every publication up to its capture, and near captures
        params |= {"captured_start": min(captured) - window, "captured_end": max(captured) + window}
        conditions += [
            "(NOT open AND first <= $captured_end)",
            "(open AND first BETWEEN $captured_start AND $captured_end)",
        ]
        params["since"] = datetime.min  # publications of any date
    return f"SELECT text_key FROM ({_TEXT_DATES}) WHERE dated = 0 OR {' OR '.join(conditions)}", params


def _signatures_within(
    conn, kind: str, items: list[DedupItem], settings: DedupSettings
) -> tuple[np.ndarray, np.ndarray]:
    """The stored signatures of the texts that `items` may pair with under the time window."""
    window = _window_texts(items, settings)
    if window is None:
        return _stored_signatures(conn, kind)
    sql, params = window
    return _stored_signatures(conn, kind, sql, params)


def _signatures_of(conn, kind: str, keys: list[int]) -> dict[tuple[str, int], np.ndarray]:
    """The stored signatures of these text keys (those stored)."""
    if not keys:
        return {}
    found, sigs = _stored_signatures(conn, kind, _TEXT_KEYS, {"keys": keys})
    return {(kind, key): sig for key, sig in zip(found.tolist(), sigs, strict=True)}


def _stored_keys_among(conn, kind: str, keys: list[int]) -> set[int]:
    """Which of these text keys the store holds a signature of (an index lookup, not a load of every key)."""
    if not keys:
        return set()
    rows = conn.execute(
        "SELECT text_key FROM dedup_signatures WHERE item_kind = ? AND version = ? AND text_key IN "
        "(SELECT unnest(?::UBIGINT[]))",
        [kind, SIGNATURE_VERSION, keys],
    ).fetchall()
    return {key for (key,) in rows}


@dataclass
class Increment:
    """What an incremental run changes: the re-clustered part, and the new exact copies that simply join."""

    result: DedupResult  # new items that need clustering, with every cluster they touch
    states: dict[tuple, ItemState]  # of every new item
    link_keys: dict[tuple, str] = field(default_factory=dict)  # of every new item that links somewhere
    joined: list[ClusterMember] = field(default_factory=list)  # exact copies of a stored text, joining its cluster
    joined_edges: list[DedupEdge] = field(default_factory=list)
    joined_keys: dict[tuple, int] = field(default_factory=dict)
    new_signatures: dict[tuple, np.ndarray] = field(default_factory=dict)  # of texts not stored yet
    frequency_delta: dict[str, DocumentFrequency] = field(default_factory=dict)  # the new texts' word counts
    window_texts: int = 0  # stored texts first dated within the window of the new items: what was looked at
    stored_texts: int = 0  # all stored texts


def cluster_new_items(
    conn, new_rows: list[tuple[str, int]], kind_settings: Mapping[str, DedupSettings] | None = None
) -> Increment:
    """Cluster the new items together with the clusters of every stored text they copy, link with, or resemble.
    A new item that copies a stored text exactly and is no more senior than that cluster's representative just
    joins it: the common case of a teaser repeated on one more page costs no re-clustering. Resemblance is
    looked for only among the stored texts first dated within the time window of the new items, so the cost of
    a day's items does not grow with the years the store holds. `new_rows` are the (item_kind, item_row) of the
    new items, as `count_changes` found them."""
    kind_settings = kind_settings or SETTINGS
    new_items, states = load_items_at(conn, new_rows)
    key_of_text: dict[str, int] = {}  # the same raw text (a teaser on many pages) is normalised once

    def key_of(text: str) -> int:
        key = key_of_text.get(text)
        if key is None:
            key = key_of_text[text] = text_key(text)
        return key

    keys = {(i.item_kind, i.item_id): key_of(i.text) for i in new_items if i.text.strip()}
    known = {
        kind: _stored_keys_among(conn, kind, sorted({key for (k, _), key in keys.items() if k == kind}))
        for kind in SETTINGS
    }
    holders = _holders(conn, [k for k in set(keys.items()) if k[1] in known[k[0][0]]])
    joining = {
        (i.item_kind, i.item_id): holders[(i.item_kind, keys[(i.item_kind, i.item_id)])]
        for i in new_items
        if (i.item_kind, keys.get((i.item_kind, i.item_id))) in holders
        and senior_key(i) > holders[(i.item_kind, keys[(i.item_kind, i.item_id)])].representative_key
    }
    rest = [i for i in new_items if (i.item_kind, i.item_id) not in joining]
    fresh = new_text_signatures(rest, known, kind_settings)
    # the new texts' word counts (each distinct text once), added to the stored ones
    new_texts: dict[tuple[str, int], str] = {}
    for item in rest:
        key = (item.item_kind, keys.get((item.item_kind, item.item_id)))
        if key in fresh:
            new_texts.setdefault(key, item.text)
    delta = {kind: text_frequency(t for (k, _), t in new_texts.items() if k == kind) for kind in SETTINGS}
    stored_counts = {kind: _stored_count(conn, kind) for kind in SETTINGS}  # N of the word counts, read once
    # the stored texts a new text copies, or shares a band with and verifies against (or links with)
    copies, banded, signatures = {}, {}, {}
    window_texts = stored_texts = 0
    for kind in SETTINGS:
        mine = {key: sig for (k, key), sig in fresh.items() if k == kind}
        kind_rest = [i for i in rest if i.item_kind == kind]
        stored_keys, sigs = (
            _signatures_within(conn, kind, kind_rest, kind_settings[kind]) if mine else (np.empty(0, np.uint64), None)
        )
        window_texts += len(stored_keys)
        stored_texts += stored_counts[kind]
        copies[kind] = {
            k for i in rest if i.item_kind == kind and i.text.strip() and (k := keys[(kind, i.item_id)]) in known[kind]
        }
        banded[kind] = sorted(related_texts(kind, mine, stored_keys, sigs, kind_settings) - copies[kind])
        row_of = {key: row for row, key in enumerate(stored_keys.tolist())} if banded[kind] else {}
        signatures.update({(kind, key): sigs[row_of[key]] for key in banded[kind]})
        signatures.update({(kind, key): sig for key, sig in mine.items()})
        del stored_keys, sigs
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
    for kind in SETTINGS:
        kind_rest = [i for i in rest if i.item_kind == kind]
        kind_stored = [i for i in stored_items if i.item_kind == kind]
        verified = verified_relatives(
            kind,
            kind_rest,
            kind_stored,
            signatures,
            _frequency_for(conn, kind, kind_rest + kind_stored, delta[kind], stored_counts[kind]),
            kind_settings,
        )
        touched_kinds += [kind] * len(copies[kind] | verified)
        touched_keys += sorted(copies[kind] | verified)
    # every member of the touched clusters, read once: for the old items and their cluster ids
    conn.execute(
        "CREATE OR REPLACE TEMP TABLE touched AS SELECT item_kind, item_id, cluster_id FROM dedup_clusters "
        "WHERE cluster_id IN (SELECT c2.cluster_id FROM dedup_items s JOIN dedup_clusters c2 USING (item_kind, item_id) "
        "JOIN (SELECT unnest($1::VARCHAR[]) AS item_kind, unnest($2::UBIGINT[]) AS text_key) t USING (item_kind, text_key))",
        [touched_kinds, touched_keys],
    )
    rows = conn.execute("SELECT item_kind, item_id, cluster_id FROM touched").fetchall()
    cluster_ids = {(kind, item_id): cluster_id for kind, item_id, cluster_id in rows}
    touched = set(cluster_ids.values())
    # a copy whose cluster is re-clustered anyway goes with it
    for item in new_items:
        holder = joining.get((item.item_kind, item.item_id))
        if holder is not None and holder.cluster_id in touched:
            del joining[(item.item_kind, item.item_id)]
            rest.append(item)
    old_items, _ = load_items_found(
        conn, "i WHERE (i.item_kind, i.item_id) IN (SELECT (c.item_kind, c.item_id) FROM touched c)"
    )
    signatures = dict(fresh)
    for kind in SETTINGS:
        wanted = {key_of(i.text) for i in old_items + rest if i.item_kind == kind and i.text.strip()}
        signatures.update(_signatures_of(conn, kind, sorted(wanted - {k for (k2, k) in fresh if k2 == kind})))
    frequency = {
        kind: _frequency_for(
            conn, kind, [i for i in rest + old_items if i.item_kind == kind], delta[kind], stored_counts[kind]
        )
        for kind in SETTINGS
    }
    result = cluster_items(
        rest + old_items, kind_settings, previous=PreviousRun(cluster_ids, signatures), frequency=frequency
    )
    increment = Increment(
        replace(result, hashed=result.hashed + len(fresh)),
        states,
        new_links,
        frequency_delta=delta,
        window_texts=window_texts,
        stored_texts=stored_texts,
    )
    # only signatures of texts the store does not hold yet are written: the others are the stored ones
    increment.new_signatures = {k: v for k, v in result.signatures.items() if k[1] not in known[k[0]]}
    for (kind, item_id), holder in sorted(joining.items()):
        increment.joined.append(ClusterMember(holder.cluster_id, kind, item_id, False, holder.similarity, 0))
        increment.joined_edges.append(DedupEdge(kind, holder.item_id, item_id, 1.0, "exact text"))
        increment.joined_keys[(kind, item_id)] = keys[(kind, item_id)]
    return increment


def _stored_count(conn, kind: str) -> int:
    return conn.execute(
        "SELECT count(*) FROM dedup_signatures WHERE item_kind = ? AND version = ?", [kind, SIGNATURE_VERSION]
    ).fetchone()[0]


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
    items, _ = load_items_found(
        conn,
        "i WHERE (i.item_kind, i.item_id) IN (SELECT (s.item_kind, s.item_id) FROM dedup_items s JOIN "
        "(SELECT unnest($1::VARCHAR[]) AS item_kind, unnest($2::UBIGINT[]) AS text_key) k USING (item_kind, text_key))",
        [kinds, [key for keys in text_keys.values() for key in keys]],
    )
    return items


def _frequency_for(
    conn, kind: str, items: list[DedupItem], delta: DocumentFrequency, stored_texts: int
) -> DocumentFrequency:
    """The word counts that verifying these items needs: the stored counts of their words (the sum of a full
    run's rows and later runs' additions) plus the new texts' `delta`; N is the number of distinct texts."""
    words = text_words(dict.fromkeys(item.text for item in items))  # a teaser on many pages is split once
    found, counts = conn.execute(
        "SELECT coalesce(list(word ORDER BY word), []), coalesce(list(df ORDER BY word), []) FROM "
        "(SELECT word, sum(df)::BIGINT AS df FROM dedup_word_df WHERE item_kind = ? AND word IN "
        "(SELECT unnest(?::UINTEGER[])) GROUP BY word)",
        [kind, words.tolist()],
    ).fetchone()
    stored = DocumentFrequency(np.array(found, dtype=np.uint32), np.array(counts, dtype=np.int64), stored_texts)
    return stored.plus(delta)


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
        """
        WITH k AS (SELECT unnest($1::VARCHAR[]) AS item_kind, unnest($2::UBIGINT[]) AS text_key),
             holder AS (SELECT item_kind, text_key, min(item_id) AS item_id
                        FROM dedup_items JOIN k USING (item_kind, text_key) GROUP BY ALL)
        SELECT h.item_kind, h.text_key, h.item_id, c.cluster_id, c.similarity, r.item_kind, r.item_id
        FROM holder h JOIN dedup_clusters c USING (item_kind, item_id)
        JOIN dedup_clusters r ON r.cluster_id = c.cluster_id AND r.is_representative
        """,
        [[kind for (kind, _), _ in kind_keys], [key for _, key in kind_keys]],
    ).fetchall()
    # the representatives' dates and text lengths: their seniority
    representatives, _ = load_items_found(
        conn,
        "i WHERE (i.item_kind, i.item_id) IN (SELECT (unnest($1::VARCHAR[]), unnest($2::VARCHAR[])))",
        [[row[5] for row in rows], [row[6] for row in rows]],
    )
    senior = {(item.item_kind, item.item_id): senior_key(item) for item in representatives}
    return {
        (kind, key): Holder(holder, cluster_id, similarity, senior[(rep_kind, rep)])
        for kind, key, holder, cluster_id, similarity, rep_kind, rep in rows
        if (rep_kind, rep) in senior
    }


def write_result(conn, result: DedupResult, states: dict[tuple, ItemState], label: str) -> None:
    """A full run: the four tables, each replaced in one transaction (the state last)."""
    replace_table_columns(conn, "dedup_clusters", _columns(result.members, MEMBER_COLUMNS))
    replace_table_columns(conn, "dedup_edges", _columns(result.edges, EDGE_COLUMNS))
    replace_table_columns(conn, "dedup_signatures", _signature_columns(result.signatures))
    replace_table_columns(conn, "dedup_word_df", _frequency_columns(result.frequency))
    replace_table_columns(conn, "dedup_items", _item_columns(result.text_keys, states, result.link_keys, label))


def write_increment(conn, increment: Increment, label: str) -> None:
    """An incremental run: the re-clustered items' rows replaced and the joining copies added, each table in one
    transaction (the state last). Only what differs from the stored rows is written (an item whose rows are the
    same is left alone, a stored signature is not written again), so the write, and the checkpoint after it,
    stay small; the tables end up exactly as if every re-clustered row had been replaced."""
    result = increment.result
    ids = [m.item_id for m in result.members]
    with transaction(conn):
        rowids, members = _changed_rows(conn, "dedup_clusters", "item_id", ids, result.members, MEMBER_COLUMNS)
        replace_rows_at(conn, "dedup_clusters", rowids, _columns(members, MEMBER_COLUMNS))
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
        rowids, edges = _changed_rows(conn, "dedup_edges", "item_b", ids, result.edges, EDGE_COLUMNS)
        # the joining copies' edges are new rows: their item_b is a new item
        replace_rows_at(conn, "dedup_edges", rowids, _columns(edges + increment.joined_edges, EDGE_COLUMNS))
    # signatures of texts the store does not hold, and state rows of items it does not hold (`cluster_new_items`
    # found both so): inserts alone, no delete that would scan millions of rows to find nothing
    replace_rows(conn, "dedup_signatures", {}, _signature_columns(increment.new_signatures))
    _add_word_counts(conn, increment.frequency_delta)
    new = _item_columns({**result.text_keys, **increment.joined_keys}, increment.states, increment.link_keys, label)
    replace_rows(conn, "dedup_items", {}, new)


def _changed_rows(conn, table: str, key: str, keys: list[str], rows: list, names: list[str]) -> tuple[list, list]:
    """The stored rows (`rowid`s) of the `keys` (values of column `key`) whose rows in `table` differ from `rows`
    (as a multiset), and the rows of those keys: deleting those stored rows and inserting these leaves the table
    as replacing the rows of all `keys` would. Call it in the transaction that writes: the rowids hold there."""
    stored: dict[object, Counter] = {}
    rowids: dict[object, list[int]] = {}
    found = conn.execute(
        f"SELECT {', '.join(names)}, rowid FROM {table} WHERE {key} IN (SELECT unnest($1::VARCHAR[]))", [keys]
    ).fetchall()
    at = names.index(key)
    for *row, rowid in found:
        stored.setdefault(row[at], Counter())[tuple(row)] += 1
        rowids.setdefault(row[at], []).append(rowid)
    wanted: dict[object, Counter] = {}
    for row in rows:
        wanted.setdefault(getattr(row, key), Counter())[tuple(getattr(row, name) for name in names)] += 1
    changed = {k for k in dict.fromkeys(keys) if stored.get(k, Counter()) != wanted.get(k, Counter())}
    outside = set(wanted) - set(keys)  # rows of keys not replaced are inserted as they are
    return sorted(r for k in changed for r in rowids.get(k, [])), [
        row for row in rows if getattr(row, key) in changed or getattr(row, key) in outside
    ]


def _columns(rows: list, names: list[str]) -> dict[str, list]:
    return {name: [getattr(row, name) for row in rows] for name in names}


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
    text_keys: dict[tuple, int | None], states: dict[tuple, ItemState], link_keys: dict[tuple, str], label: str
) -> dict[str, list]:
    """State rows for the items `states` names: their text's hash, dedup text key, link key and date."""
    keys = sorted(states)
    return {
        "item_kind": [kind for kind, _ in keys],
        "item_id": [item_id for _, item_id in keys],
        "text_hash": [states[k].text_hash for k in keys],
        "text_key": [text_keys[k] for k in keys],
        "link_key": [link_keys.get(k) for k in keys],
        "dated": [states[k].dated for k in keys],
        "captured_only": [states[k].captured_only for k in keys],
        "clustered_under": [label] * len(keys),
        "written_in": [states[k].written_in for k in keys],
    }


def _add_word_counts(conn, delta: dict[str, DocumentFrequency]) -> None:
    """Add the new texts' word counts to the stored ones, one row per word: the table stays the size of the
    vocabulary however many runs add to it."""
    for kind, counts in sorted(delta.items()):
        if not len(counts.words):
            continue
        words = counts.words.tolist()
        with transaction(conn):
            conn.execute(
                "CREATE OR REPLACE TEMP TABLE word_sums AS SELECT ?::VARCHAR AS item_kind, d.word, "
                "(d.df + coalesce(s.df, 0))::BIGINT AS df FROM (SELECT unnest(?::UINTEGER[]) AS word, "
                "unnest(?::BIGINT[]) AS df) d LEFT JOIN (SELECT word, sum(df) AS df FROM dedup_word_df "
                "WHERE item_kind = ? AND word IN (SELECT unnest(?::UINTEGER[])) GROUP BY word) s USING (word)",
                [kind, words, counts.counts.tolist(), kind, words],
            )
            conn.execute(
                "DELETE FROM dedup_word_df WHERE item_kind = ? AND word IN (SELECT word FROM word_sums)", [kind]
            )
            conn.execute("INSERT INTO dedup_word_df SELECT item_kind, word, df FROM word_sums")
            conn.execute("DROP TABLE word_sums")


def dedup_item(
    kind: str,
    item_id: str,
    text: str | None,
    dated: datetime | None,
    link: str | None = None,
    captured_only: bool = False,
) -> DedupItem:
    """An item as the stage clusters it: dated for seniority (and whether that date is only its capture), with
    its link."""
    text = text or ""
    return DedupItem(kind, item_id, text, seniority(dated, len(text)), link, bool(captured_only))


def teaser_item(
    item_id: str,
    title: str | None,
    text: str | None,
    dated: datetime | None,
    link: str | None,
    captured_at: datetime | None = None,
) -> DedupItem:
    """A teaser as the stage clusters it (`ITEMS_SQL`): its headline and standfirst, dated (by its page's capture
    when it shows no time), with its link."""
    text = " ".join(part for part in (title, text) if part)
    return dedup_item("teaser", item_id, text, dated or captured_at, link, dated is None and captured_at is not None)


def stage_settings(window_days: float | None = None) -> dict[str, DedupSettings]:
    """The settings the stage clusters with: the core's, under the store's time window (by default
    `NEWSASSETS_DEDUP_WINDOW_DAYS`). Evaluations use these, so they measure what the stage does."""
    return windowed(settings.dedup_window_days() if window_days is None else window_days)
