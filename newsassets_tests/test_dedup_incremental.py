"""Cluster ids across runs: a new item joins an existing cluster under its id; a merge keeps the older id."""

from datetime import datetime

import pytest

from newsassets.cleaning import clean_text_page
from newsassets.dedup import DedupItem, PreviousRun, cluster_items


def dated(item_id, text, day):
    return DedupItem("article", item_id, text, seniority=(False, datetime(2026, 1, day), -len(text)))


def previous_of(result):
    return PreviousRun({(m.item_kind, m.item_id): m.cluster_id for m in result.members}, result.signatures)


def ids(result):
    return {m.item_id: m.cluster_id for m in result.members}


def store_at(database):
    """`connect(read_only=…)` for a scratch DuckDB file, as the stage's `run_dedup` takes it."""
    from contextlib import contextmanager

    import duckdb

    @contextmanager
    def connect(read_only=False):
        with duckdb.connect(str(database), read_only=read_only) as conn:
            yield conn

    return connect


def test_a_new_earlier_item_joins_the_existing_cluster_under_its_id(seeds):
    body_000, body_001 = clean_text_page(seeds["000"]).body, clean_text_page(seeds["001"]).body
    first = cluster_items([dated("a000", body_000, 5), dated("a002", clean_text_page(seeds["002"]).body, 5)])
    second = cluster_items(
        [dated("a000", body_000, 5), dated("a002", clean_text_page(seeds["002"]).body, 5), dated("a001", body_001, 1)],
        previous=previous_of(first),
    )
    assert ids(second)["a001"] == ids(second)["a000"] == ids(first)["a000"]
    assert ids(second)["a002"] == ids(first)["a002"]
    representative = {m.item_id for m in second.members if m.is_representative}
    assert "a001" in representative  # the earliest item represents the cluster, which keeps its id
    assert second.hashed == 1  # only the new text was hashed


def test_merging_two_clusters_keeps_the_older_id(seeds):
    # two stories overlapping in a few sentences (too little to join), then a page that carries both in full
    text = " ".join(clean_text_page(seeds[k]).body for k in ("002", "003")).replace("\n", " ")
    parts = [p + "." for p in text.split(". ") if p]
    old, young = " ".join(parts[:12]), " ".join(parts[9:21])
    first = cluster_items([dated("old", old, 1), dated("young", young, 3)])
    assert ids(first)["old"] != ids(first)["young"]
    second = cluster_items(
        [dated("old", old, 1), dated("young", young, 3), dated("bridge", " ".join(parts[:21]), 4)],
        previous=previous_of(first),
    )
    assert ids(second)["bridge"] == ids(second)["old"] == ids(second)["young"] == ids(first)["old"]


def test_a_page_bridging_two_unrelated_stories_does_not_chain_them(seeds):
    old, young = clean_text_page(seeds["002"]).body, clean_text_page(seeds["003"]).body
    result = cluster_items([dated("old", old, 1), dated("young", young, 2), dated("both", old + "\n\n" + young, 3)])
    assert ids(result)["old"] != ids(result)["young"]  # each is inside `both`; their representatives are unrelated


def test_rerun_without_changes_gives_identical_ids(seeds):
    items = [dated(f"a{k}", clean_text_page(text).body, 1 + i) for i, (k, text) in enumerate(seeds.items())]
    first = cluster_items(items)
    assert cluster_items(items, previous=previous_of(first)).members == first.members


def test_the_asset_keeps_ids_and_signatures_across_runs(resources, raw_dir):
    import duckdb

    from .conftest import materialise, materialization, seed_path

    database = resources["store"].database
    assert materialise(resources).success

    def clusters():
        with duckdb.connect(str(database), read_only=True) as conn:
            return dict(conn.execute("SELECT item_id, cluster_id FROM dedup_clusters").fetchall())

    before = clusters()
    (raw_dir / "005_copy.txt").write_bytes(seed_path("001").read_bytes().replace(b"lompe", b"botte"))
    result = materialise(resources)
    assert result.success
    after = clusters()
    assert all(after[item] == cluster for item, cluster in before.items())  # no id changed
    (new_article,) = set(after) - set(before)
    with duckdb.connect(str(database), read_only=True) as conn:
        doc_001 = conn.execute("SELECT doc_id FROM raw_documents WHERE source_path LIKE '001%'").fetchone()[0]
        article_001 = conn.execute("SELECT article_id FROM articles WHERE doc_id = ?", [doc_001]).fetchone()[0]
        edges = conn.execute("SELECT item_a, item_b, reason FROM dedup_edges WHERE item_kind = 'article'").fetchall()
    assert after[new_article] == before[article_001]  # joined the 000/001 cluster under its id
    assert len(edges) == 2 and all(reason in ("near copy", "rewrite", "contained") for _, _, reason in edges)
    event = materialization(result, "dedup_clusters")
    assert event.metadata["signatures_computed"].value == 1  # only the new page's text


def test_a_removed_page_makes_a_full_run_that_keeps_the_other_ids(resources, raw_dir):
    import duckdb

    from .conftest import materialise, materialization, seed_path, warnings_and_failures

    (raw_dir / "005_copy.txt").write_bytes(seed_path("001").read_bytes())
    assert materialise(resources).success
    with duckdb.connect(str(resources["store"].database), read_only=True) as conn:
        before = dict(conn.execute("SELECT item_id, cluster_id FROM dedup_clusters").fetchall())
    (raw_dir / "005_copy.txt").unlink()
    result = materialise(resources)
    assert result.success and warnings_and_failures(result)[1] == {}
    event = materialization(result, "dedup_clusters")
    assert event.metadata["mode"].value.startswith("full")
    with duckdb.connect(str(resources["store"].database), read_only=True) as conn:
        after = dict(conn.execute("SELECT item_id, cluster_id FROM dedup_clusters").fetchall())
    assert len(after) == len(before) - 1 and all(before[item] == cluster for item, cluster in after.items())


def test_an_incremental_run_gives_the_clusters_a_full_run_gives(tmp_path):
    from newsassets.benchmarks.dedup import ItemMaker, create_tables
    from newsassets.dedup_state import run_dedup

    connect = store_at(tmp_path / "bench.duckdb")

    def table():
        with connect(read_only=True) as conn:
            return conn.execute(
                "SELECT item_id, cluster_id, is_representative, cluster_size FROM dedup_clusters"
            ).fetchall()

    maker = ItemMaker(seed=5)
    with connect() as conn:
        create_tables(conn)
        maker.insert(conn, 3000)
    assert run_dedup(connect, log=lambda _: None)[0] == "full"
    before = {item: cluster for item, cluster, _, _ in table()}
    with connect() as conn:
        maker.insert(conn, 300)
    mode, _, _ = run_dedup(connect, log=lambda _: None)
    assert mode.startswith("incremental")
    incremental = table()
    assert len(incremental) == len({row[0] for row in incremental}) == 3300
    sizes = {}
    for _, cluster, _, _size in incremental:
        sizes[cluster] = sizes.get(cluster, 0) + 1
    assert all(size == sizes[cluster] for _, cluster, _, size in incremental)
    assert sum(rep for _, _, rep, _ in incremental) == len(sizes)
    assert all({r[0]: r[1] for r in incremental}[item] == cluster for item, cluster in before.items())

    def partition(rows):
        groups = {}
        for item, cluster, _, _ in rows:
            groups.setdefault(cluster, set()).add(item)
        return sorted(sorted(g) for g in groups.values())

    def word_counts():
        with connect(read_only=True) as conn:
            return conn.execute("SELECT item_kind, word, df FROM dedup_word_df ORDER BY ALL").fetchall()

    added_up = word_counts()
    assert len(added_up) == len({(kind, word) for kind, word, _ in added_up})  # one row per word, not per run
    assert run_dedup(connect, log=lambda _: None, full=True)[0] == "full"
    assert partition(table()) == partition(incremental)
    assert word_counts() == added_up  # the counts a full run makes of every text


def test_an_incremental_run_joins_a_rewritten_headline_by_its_link_as_a_full_run_does(tmp_path):
    """A new teaser whose words share nothing with the stored one but which links to the same article joins
    its cluster in an incremental run too (the stored items' link keys are kept in `dedup_items`)."""
    from newsassets.benchmarks.dedup import create_tables
    from newsassets.dedup_state import run_dedup

    connect = store_at(tmp_path / "links.duckdb")

    def clusters():
        with connect(read_only=True) as conn:
            return dict(conn.execute("SELECT item_id, cluster_id FROM dedup_clusters").fetchall())

    with connect() as conn:
        create_tables(conn)
        conn.execute("INSERT INTO raw_documents VALUES ('d1', '2026-03-01 08:00'), ('d2', '2026-03-01 09:00')")
        conn.execute(
            "INSERT INTO teasers (teaser_id, doc_id, text, published_at, url) VALUES ('t1', 'd1', 'Kabinet valt over stikstofplan', '2026-03-01 08:00', "
            "'https://www.nu.nl/politiek/6123456/kabinet-valt.html'), ('t2', 'd1', 'Ajax wint met 3-0 van PSV', "
            "'2026-03-01 08:00', 'https://www.nu.nl/voetbal/6123999/ajax-wint.html')"
        )
    assert run_dedup(connect, log=lambda _: None, workers=1)[0] == "full"
    with connect() as conn:
        conn.execute(
            "INSERT INTO teasers (teaser_id, doc_id, text, published_at, url) VALUES ('t3', 'd2', 'Stikstofruzie: het kabinet is gevallen', '2026-03-01 09:00', "
            "'https://nu.nl/politiek/6123456/stikstofruzie-kabinet-gevallen.html')"
        )
    assert run_dedup(connect, log=lambda _: None, workers=1)[0].startswith("incremental")
    incremental = clusters()
    assert incremental["t3"] == incremental["t1"] != incremental["t2"]
    assert run_dedup(connect, log=lambda _: None, full=True, workers=1)[0] == "full"
    assert clusters() == incremental


# ------------------------------------------------------------------------------------------------ the time window


def _store_with(connect, articles):
    """A scratch store of articles: (article_id, body, published_at or None, fetched_at)."""
    from newsassets.benchmarks.dedup import create_tables

    with connect() as conn:
        if not conn.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'articles'").fetchone()[0]:
            create_tables(conn)
        stamp = conn.execute("SELECT coalesce(max(written_in), 0) + 1 FROM articles").fetchone()[0]  # a stage run
        for article_id, body, published_at, fetched_at in articles:
            conn.execute("INSERT INTO raw_documents VALUES (?, ?)", ["d" + article_id, fetched_at])
            conn.execute(
                "INSERT INTO articles VALUES (?, ?, ?, ?, ?)", [article_id, "d" + article_id, body, published_at, stamp]
            )


def _clusters(connect):
    with connect(read_only=True) as conn:
        return dict(conn.execute("SELECT item_id, cluster_id FROM dedup_clusters").fetchall())


def test_items_further_apart_than_the_window_are_no_candidates(seeds):
    from newsassets.dedup import windowed

    body_000, body_001 = clean_text_page(seeds["000"]).body, clean_text_page(seeds["001"]).body
    near = [dated("a000", body_000, 1), dated("a001", body_001, 20)]
    far = [dated("a000", body_000, 1), DedupItem("article", "a001", body_001, (False, datetime(2026, 3, 1), 0))]
    assert len(set(ids(cluster_items(near, windowed(30))).values())) == 1  # 19 days apart: one story
    result = cluster_items(far, windowed(30))  # 59 days apart
    assert len(set(ids(result).values())) == 2 and result.refused_window == 1
    assert len(set(ids(cluster_items(far, windowed(0))).values())) == 1  # 0: any two items, as before
    exact = [dated("a000", body_000, 1), DedupItem("article", "copy", body_000, (False, datetime(2026, 9, 1), 0))]
    assert len(set(ids(cluster_items(exact, windowed(30))).values())) == 1  # exact copies join whenever they come


def test_the_window_setting(monkeypatch):
    from newsassets import settings

    monkeypatch.delenv(settings.DEDUP_WINDOW_DAYS_VAR, raising=False)
    assert settings.dedup_window_days() == 30
    monkeypatch.setenv(settings.DEDUP_WINDOW_DAYS_VAR, "0")
    assert settings.dedup_window_days() == 0
    for wrong in ("-1", "a week", "nan"):
        monkeypatch.setenv(settings.DEDUP_WINDOW_DAYS_VAR, wrong)
        with pytest.raises(ValueError, match=settings.DEDUP_WINDOW_DAYS_VAR):
            settings.dedup_window_days()


def test_an_incremental_run_looks_only_within_the_window_and_agrees_with_a_full_run(tmp_path, seeds):
    """A rewrite of a stored story arrives 59 days after it (another story is 2 days old): with a 30-day window
    the incremental run reads only the recent story's signature and keeps the rewrite apart, as a full run with
    that window does; with no window it joins the old story."""
    from newsassets.dedup_state import run_dedup

    bodies = {k: clean_text_page(seeds[k]).body for k in ("000", "001", "002")}
    quiet = lambda _: None  # noqa: E731
    for window, joined in ((30, False), (0, True)):
        connect = store_at(tmp_path / f"window-{window}.duckdb")
        _store_with(
            connect,
            [("old", bodies["000"], datetime(2026, 1, 1), datetime(2026, 1, 1)),
             ("recent", bodies["002"], None, datetime(2026, 2, 27))],  # undated: its capture dates it
        )  # fmt: skip
        assert run_dedup(connect, quiet, workers=1, window_days=window)[0] == "full"
        _store_with(connect, [("rewrite", bodies["001"], datetime(2026, 3, 1), datetime(2026, 3, 1))])
        lines = []
        assert run_dedup(connect, lines.append, workers=1, window_days=window)[0].startswith("incremental")
        incremental = _clusters(connect)
        assert (incremental["rewrite"] == incremental["old"]) is joined
        if window:
            assert "1 of 2" in lines[-1]  # the recent story's text only
        assert run_dedup(connect, quiet, workers=1, window_days=window, full=True)[0] == "full"
        assert _clusters(connect) == incremental


def test_another_window_clusters_everything_again(tmp_path, seeds):
    from newsassets.dedup_state import run_dedup

    connect = store_at(tmp_path / "windows.duckdb")
    _store_with(connect, [("a", clean_text_page(seeds["000"]).body, None, datetime(2026, 1, 1))])
    assert run_dedup(connect, lambda _: None, workers=1, window_days=30)[0] == "full"
    assert run_dedup(connect, lambda _: None, workers=1, window_days=30)[0] == "unchanged"
    assert run_dedup(connect, lambda _: None, workers=1, window_days=7)[0] == "full"


def test_an_article_dated_only_by_its_capture_may_be_an_old_story(tmp_path, seeds):
    """A page captured today without a publication date was published today or before: it is near the story
    published four years ago (the seeds 000 and 001), in the core, in a full run and in an incremental one; a
    story published four years after that capture is not."""
    from newsassets.dedup import windowed
    from newsassets.dedup_state import run_dedup

    body_000, body_001 = clean_text_page(seeds["000"]).body, clean_text_page(seeds["001"]).body
    captured = DedupItem("article", "captured", body_000, (False, datetime(2026, 1, 24), 0), captured_only=True)
    published = DedupItem("article", "published", body_001, (False, datetime(2022, 1, 1), 0))
    assert len(set(ids(cluster_items([captured, published], windowed(30))).values())) == 1
    later = DedupItem("article", "published", body_001, (False, datetime(2030, 1, 1), 0))
    assert len(set(ids(cluster_items([captured, later], windowed(30))).values())) == 2

    connect = store_at(tmp_path / "late.duckdb")
    _store_with(connect, [("old", body_001, datetime(2022, 1, 1), datetime(2022, 1, 1))])
    assert run_dedup(connect, lambda _: None, workers=1, window_days=30)[0] == "full"
    _store_with(connect, [("today", body_000, None, datetime(2026, 1, 24))])
    lines = []
    assert run_dedup(connect, lines.append, workers=1, window_days=30)[0].startswith("incremental")
    assert "1 of 1" in lines[-1]
    clusters = _clusters(connect)
    assert clusters["today"] == clusters["old"]


def test_changes_are_told_from_the_rows_written_since_the_last_run(tmp_path, seeds):
    """Only rows written after the last run (`written_in`) have their texts read: a rewritten row with the same
    text is unchanged, one with another text is a change, a new id is new, and a removed row is told by the
    counts. A row written with no stamp (NULL) is always looked at."""
    from newsassets.dedup_state import count_changes, run_dedup

    bodies = {k: clean_text_page(seeds[k]).body for k in ("000", "001", "002", "003")}
    quiet = lambda _: None  # noqa: E731
    connect = store_at(tmp_path / "changes.duckdb")
    _store_with(connect, [(f"a{k}", bodies[k], datetime(2026, 3, 1), datetime(2026, 3, 1)) for k in ("000", "001")])
    assert run_dedup(connect, log=quiet, workers=1, window_days=30)[0] == "full"
    label = "window_days=30"

    def changes():
        with connect(read_only=True) as conn:
            found = count_changes(conn, label)
        return found.new, found.changed, found.deleted, found.unchanged

    def rewrite(article_id, body):  # what a stage does to a page it cleans again: delete the row, write it anew
        with connect() as conn:
            conn.execute(
                "INSERT INTO articles SELECT article_id, doc_id, ?, published_at, "
                "(SELECT max(written_in) + 1 FROM articles) FROM articles WHERE article_id = ?",
                [body, article_id],
            )
            conn.execute(
                "DELETE FROM articles WHERE article_id = ? AND written_in < (SELECT max(written_in) FROM articles)",
                [article_id],
            )

    assert changes() == (0, 0, 0, 2)
    rewrite("a000", bodies["000"])
    assert changes() == (0, 0, 0, 2)
    assert run_dedup(connect, log=quiet, workers=1, window_days=30)[0] == "unchanged"
    _store_with(connect, [("a002", bodies["002"], datetime(2026, 3, 2), datetime(2026, 3, 2))])
    assert changes() == (1, 0, 0, 2)
    assert run_dedup(connect, log=quiet, workers=1, window_days=30)[0].startswith("incremental")
    assert changes() == (0, 0, 0, 3)
    rewrite("a001", bodies["003"])
    assert changes() == (0, 1, 0, 2)
    assert run_dedup(connect, log=quiet, workers=1, window_days=30)[0].startswith("full (1 items changed")
    with connect() as conn:
        conn.execute("DELETE FROM articles WHERE article_id = 'a002'")
    assert changes() == (0, 0, 1, 2)
    with connect() as conn:
        conn.execute("UPDATE articles SET written_in = NULL, body = ? WHERE article_id = 'a000'", [bodies["002"]])
    assert changes() == (0, 1, 1, 1)
