"""No setting, event or page stops the pipeline: bad settings are one clear line; a change of setting re-judges
the rows it affects without a full refresh; a live folder never fails a run; a slow page is a `timeout`; a
failed write says why; a killed publish leaves nothing behind. (Hostile files: test_hostile_inputs.py.)"""

import shutil
import threading
import time
from pathlib import Path

import duckdb
import pytest

from newsassets import settings
from newsassets.pipeline.resources import NewsStore, RawFolder
from newsassets.reading import OK, RawDocument
from newsassets.screening import RULES_VERSION, Judgement, needs_rejudging, screen_document
from newsassets.store import publish_snapshot, transaction

from .conftest import materialise, warnings_and_failures

FRONT = (Path(__file__).parent / "fixtures" / "html" / "front_section.html").read_text()


def query(database, sql):
    with duckdb.connect(str(database), read_only=True) as conn:
        return conn.execute(sql).fetchall()


@pytest.mark.parametrize("value", ["inf", "nan", "-3", "abc", "7200"])
def test_a_bad_time_limit_is_one_clear_line_naming_the_variable_and_the_range(monkeypatch, value):
    monkeypatch.setenv(settings.DOC_TIMEOUT_VAR, value)
    with pytest.raises(ValueError, match=settings.DOC_TIMEOUT_VAR) as error:
        settings.doc_timeout_seconds()
    assert "\n" not in str(error.value)
    if value != "abc":
        assert "0 (no limit) or a number of seconds from 0.001 to 3600" in str(error.value)


@pytest.mark.parametrize("value", ["0", "-1", "1e3", "2000000000000"])
def test_a_bad_size_cap_is_one_clear_line(monkeypatch, value):
    monkeypatch.setenv(settings.MAX_FILE_BYTES_VAR, value)
    with pytest.raises(ValueError, match=settings.MAX_FILE_BYTES_VAR):
        settings.max_file_bytes()


def test_good_settings_and_defaults(monkeypatch):
    monkeypatch.setenv(settings.DOC_TIMEOUT_VAR, "0")
    monkeypatch.setenv(settings.MAX_FILE_BYTES_VAR, " 1000 ")
    assert (settings.doc_timeout_seconds(), settings.max_file_bytes()) == (0, 1000)
    monkeypatch.delenv(settings.DOC_TIMEOUT_VAR)
    assert settings.doc_timeout_seconds() == settings.DEFAULT_DOC_TIMEOUT_SECONDS


def test_a_bad_setting_in_the_launchpad_fails_the_run_with_the_reason(resources):
    resources["raw_folder"] = RawFolder(path=resources["raw_folder"].path, doc_timeout_seconds=float("inf"))
    result = materialise(resources)
    assert not result.success
    (failure,) = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert "raw_folder: doc_timeout_seconds must be 0 (no limit)" in str(failure.event_specific_data.error)


def test_results_do_not_depend_on_the_settings_of_earlier_runs(resources):
    """A run with a tiny size cap rejects the seeds as too large; the next run, with the default, re-judges
    exactly those rows, without a full refresh, and ends as a run from scratch would."""
    small = {**resources, "raw_folder": RawFolder(path=resources["raw_folder"].path, max_file_bytes=1000)}
    assert materialise(small).success
    database = resources["store"].database
    assert query(database, "SELECT DISTINCT split_part(error, ':', 1) FROM raw_documents") == [("too large",)]

    result = materialise(resources)
    assert result.success
    (raw,) = result.asset_materializations_for_node("raw_documents")
    assert raw.metadata["rejudged"].value == 5 and raw.metadata["ok"].value == 5
    assert query(database, "SELECT count(*) FROM articles") == [(5,)]
    assert query(resources["store"].work_path(), "SELECT DISTINCT judged_under FROM raw_documents") == [
        (Judgement(settings.DEFAULT_MAX_FILE_BYTES, settings.DEFAULT_DOC_TIMEOUT_SECONDS).label(),)
    ]
    (raw,) = materialise(resources).asset_materializations_for_node("raw_documents")
    assert raw.metadata["rejudged"].value == 0 and raw.metadata["unchanged"].value == 5  # and then it rests


def test_which_rows_a_change_of_setting_re_judges():
    then = Judgement(1000, 30)
    assert needs_rejudging("rejected", "too large: 5000 bytes", 5000, None, then, Judgement(10_000, 30))
    assert not needs_rejudging("rejected", "too large: 5000 bytes", 5000, None, then, Judgement(500, 30))
    assert not needs_rejudging("rejected", "empty file", 0, None, then, Judgement(10_000, 0))
    assert needs_rejudging(OK, None, 900, 0.1, then, Judgement(800, 30))  # the cap fell below the page
    assert not needs_rejudging(OK, None, 700, 0.1, then, Judgement(800, 30))
    assert needs_rejudging("rejected", "timeout: cleaning took over 30 s", 10, 30, then, Judgement(1000, 60))
    assert needs_rejudging("rejected", "timeout: cleaning took over 30 s", 10, 30, then, Judgement(1000, 0))
    assert needs_rejudging(OK, None, 10, 2.5, then, Judgement(1000, 2))  # took longer than the new limit
    assert not needs_rejudging(OK, None, 10, 0.5, then, Judgement(1000, 2))
    assert needs_rejudging(OK, None, 10, 0.5, Judgement(1000, 30, "old"), Judgement(1000, 30))  # new rules
    assert not needs_rejudging("rejected", "binary content", 10, 0.5, Judgement(1000, 30, "old"), Judgement(1000, 30))
    assert needs_rejudging(OK, None, 10, 0.5, None, Judgement(1000, 30))  # judged by an older version
    assert Judgement.parse(Judgement(1000, 2.5).label()) == Judgement(1000, 2.5, RULES_VERSION)


def test_a_live_folder_never_fails_a_run(resources, raw_dir):
    """A scraper adds a page every 20 ms throughout three runs: every run succeeds and publishes, and the
    files that arrived during a run are in the next."""
    stop = threading.Event()
    seed = next(raw_dir.glob("002_*.txt")).read_text()

    def scrape():
        n = 0
        while not stop.is_set():
            (raw_dir / f"live_{n:05d}.txt").write_text(seed.replace("Lavrov", f"Lavrov{n}"))
            n += 1
            time.sleep(0.02)

    writer = threading.Thread(target=scrape)
    writer.start()
    try:
        published = []
        for _ in range(3):
            result = materialise(resources)
            assert result.success and warnings_and_failures(result)[1] == {}
            published.append(query(resources["store"].database, "SELECT count(*) FROM raw_documents")[0][0])
    finally:
        stop.set()
        writer.join()
    assert published[0] > 5 and published[0] < published[1] < published[2]
    assert materialise(resources).success
    on_disk = len([path for path in raw_dir.iterdir() if not path.name.endswith(".meta.json")])
    assert query(resources["store"].database, "SELECT count(*) FROM raw_documents") == [(on_disk,)]


DOC = RawDocument("d", "p.html", "html", "sha", 10, None, OK, None, "")


def test_an_html_page_that_runs_out_of_time_is_a_timeout_not_no_article(monkeypatch):
    import trafilatura

    def slow(*args, **kwargs):
        time.sleep(10)

    monkeypatch.setattr(trafilatura, "bare_extraction", slow)
    page = "<html><body><article><h1>Titel</h1><p>" + "Een zin over het nieuws. " * 50 + "</p></article></body></html>"
    started = time.monotonic()
    document = screen_document(RawDocument("d", "p.html", "html", "s", 10, None, OK, None, page), 0.3)
    assert document.error.startswith("timeout") and document.status == "rejected"
    assert time.monotonic() - started < 5  # cut at the 0.3 s limit, not after the 10 s extraction (a loaded machine)


def test_the_teasers_of_a_page_are_under_the_time_limit_and_the_others_go_on(resources, raw_dir, monkeypatch):
    def slow(*args, **kwargs):
        time.sleep(2)
        return []

    (raw_dir / "front.html").write_text(FRONT)
    resources["raw_folder"] = RawFolder(path=str(raw_dir), doc_timeout_seconds=1)
    monkeypatch.setenv("NEWSASSETS_WORKERS", "1")  # the slow extractor is patched into this process only
    monkeypatch.setattr("newsassets.page_tasks.front_teasers", slow)
    result = materialise(resources)
    assert result.success
    (event,) = result.asset_materializations_for_node("teasers")
    assert event.metadata["pages_timed_out"].value == 1
    database = resources["store"].work_path()
    assert query(database, "SELECT count(*) FROM teasers") == [(28,)]  # the seeds' teasers, as always
    assert query(database, "SELECT error FROM teaser_pages WHERE error IS NOT NULL") == [
        ("timeout: reading the teasers took over 1 s",)
    ]


def test_a_page_of_a_thousand_rail_headings_is_read_in_linear_time():
    """1,000 rail headings over one list of 40,000 items (422 KB): each heading used to search the whole list
    (56 s); the container is searched once now."""
    from datetime import datetime

    from newsassets.rails import extract_html_teasers

    page = "<html><body><div><div>" + "".join(f"<h2>Meer uit S{h}</h2>" for h in range(1000)) + "</div><ul>"
    page += "<li>Kop van een verhaal</li>" * 40000 + "</ul></div></body></html>"
    started = time.monotonic()
    assert len(extract_html_teasers(page, datetime(2026, 1, 1))) == 40000
    assert time.monotonic() - started < 15  # a generous bound on a loaded machine; it takes about 1 s


def test_a_failed_write_reports_its_cause_not_the_rollback(tmp_path):
    def write_on_a_full_disk(conn):
        with transaction(conn):
            conn.execute("CREATE TABLE t (x INTEGER)")
            conn.execute("ROLLBACK")  # what DuckDB does by itself when a write hits a full disk
            raise OSError(28, "No space left on device")

    with duckdb.connect(str(tmp_path / "x.duckdb")) as conn, pytest.raises(OSError, match="No space left"):
        write_on_a_full_disk(conn)


def test_a_killed_publish_leaves_no_files_behind_after_the_next_one(resources):
    assert materialise(resources).success
    published = Path(resources["store"].database)
    for leftover in (".news.duckdb.123.publishing", ".news.duckdb.123.publishing.wal"):
        (published.parent / leftover).write_bytes(b"x" * 1000)
    publish_snapshot(resources["store"].work_path(), published)
    assert sorted(p.name for p in published.parent.glob(".news.duckdb.*")) == []


def test_every_hostile_input_at_once_is_a_row_and_the_run_publishes(resources, raw_dir, tmp_path):
    """The issue's table, replayed through the real job in one folder beside the seeds: the run succeeds, the
    file is published, each bad input is one row with its reason (or an ok row with a note), the seeds' rows are
    exactly those of a clean run, and no byte of a symlink's outside target reaches any table."""
    import json
    import os

    from .test_hostile_inputs import lie_about_length, warc_record

    story = " ".join(["Het kabinet presenteerde dinsdag een plan voor de dijken langs de kust."] * 4)
    records = [
        warc_record(f"https://www.pzc.nl/{n}", f"<html><body><h1>Dijken {n}</h1><p>{story}</p></body></html>".encode(),
                    record_id=f"<urn:uuid:{n}>")
        for n in (1, 2, 3)
    ]  # fmt: skip

    clean = tmp_path / "clean"
    shutil.copytree(raw_dir, clean / "raw")
    clean_resources = {
        "raw_folder": RawFolder(path=str(clean / "raw")),
        "store": NewsStore(database=str(clean / "n.duckdb")),
    }
    assert materialise(clean_resources).success

    page = "Een titel\n\nDEN HAAG (ANP) - " + story + "\n"
    hostile = {
        "sidecar_url.txt": json.dumps({"url": 123}),
        "sidecar_ipv6.txt": json.dumps({"url": "http://[::1"}),
        "sidecar_deep.txt": "[" * 100_000 + "]" * 100_000,
        "sidecar_year9999.txt": json.dumps({"fetched_at": "9999-12-31T23:59:59-01:00"}),
        "sidecar_year1.txt": json.dumps({"fetched_at": "0001-01-01T00:00:00+01:00"}),
        "sidecar_number.txt": json.dumps({"fetched_at": 5}),
    }
    for name, sidecar in hostile.items():
        (raw_dir / name).write_text(page)
        (raw_dir / f"{name}.meta.json").write_text(sidecar)
    os.makedirs(os.fsencode(raw_dir / "odd"), exist_ok=True)
    with open(os.fsencode(raw_dir / "odd") + b"/bad\xffname.txt", "wb") as handle:
        handle.write(page.encode())
    (raw_dir / ("x" * 250 + ".txt")).write_text(page)
    (raw_dir / "double.warc").write_bytes(b"".join(records) * 2)
    (raw_dir / "lying.warc").write_bytes(records[0] + lie_about_length(records[1], -10) + records[2])
    (raw_dir / "cp1252.html").write_bytes(
        b'<html><head><meta charset="utf-8"><title>Caf\xe9</title></head><body><article><h1>Caf\xe9 op de hoek</h1>'
        + b"<p>Hij kwam \xe9\xe9n keer per week naar het caf\xe9 op de hoek van de straat, en bestelde koffie.</p>" * 3
        + b"</article></body></html>"
    )
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("Geheim\n\nSECRET-MARKER-7f3a dit mag nooit in een tabel staan, hoe dan ook, nergens.\n")
    (raw_dir / "link.txt").symlink_to(secret)
    (raw_dir / "rails.html").write_text(
        f"<html><body><article><h1>Dijken</h1><p>{story}</p></article><div><div>"
        + "".join(f"<h2>Meer uit S{h}</h2>" for h in range(1000)) + "</div><ul>"
        + "<li>Kop van een verhaal</li>" * 40000 + "</ul></div></body></html>"
    )  # fmt: skip
    (raw_dir / "ancient_age.txt").write_text(page + "\nMeer uit Buitenland\n\nKYIV (ANP) - Een bericht.\n01-01-0001\n")
    # a front saved without its url, one card's link no url parser reads
    front = (Path(__file__).parent / "fixtures" / "html" / "front_section.html").read_text(encoding="utf-8")
    (raw_dir / "broken_link_front.html").write_text(
        front.replace('href="/buitenland/oekraine-en-rusland-wisselen-krijgsgevangenen-uit"', 'href="http://[kapot"')
    )

    result = materialise(resources)

    failed = warnings_and_failures(result)[1]
    assert result.success and failed == {}, {k: v.metadata["examples"].value for k, v in failed.items()}
    database = resources["store"].database
    rows = {
        path: (status, error or "")
        for path, status, error in query(database, "SELECT source_path, status, error FROM raw_documents")
    }
    for name in hostile:
        assert rows[name][0] == "ok" and rows[name][1].startswith(f"ignored {name}.meta.json"), (name, rows[name])
    assert rows["odd/bad\\xffname.txt"][0] == "ok"
    assert rows["x" * 250 + ".txt"] == ("ok", "")
    assert rows["link.txt"][0] == "rejected" and rows["link.txt"][1].startswith("outside the raw folder")
    lying = query(database, "SELECT status, error FROM raw_documents WHERE source_path = 'lying.warc' ORDER BY ALL")
    assert [status for status, _ in lying] == ["ok", "ok", "rejected"]
    assert lying[2][1].startswith("WARC record length mismatch")
    assert query(
        database, "SELECT count(*), count(DISTINCT doc_id) FROM raw_documents WHERE source_path = 'double.warc'"
    ) == [(6, 6)]
    assert query(
        database, "SELECT title FROM articles a JOIN raw_documents r USING (doc_id) WHERE r.source_path = 'cp1252.html'"
    ) == [("Café op de hoek",)]
    assert query(
        database,
        "SELECT age_text, age_minutes FROM teasers t JOIN raw_documents r USING (doc_id) WHERE r.source_path = 'ancient_age.txt'",
    ) == [("01-01-0001", None)]
    assert query(
        database,
        "SELECT count(*) FROM teasers t JOIN raw_documents r USING (doc_id) WHERE r.source_path = 'rails.html'",
    ) == [(40000,)]
    assert query(
        database,
        "SELECT count(*), count(t.url) FROM teasers t JOIN raw_documents r USING (doc_id) "
        "WHERE r.source_path = 'broken_link_front.html'",
    ) == [(10, 9)]
    for table in ("raw_documents", "articles", "teasers"):
        assert query(database, f"SELECT count(*) FROM {table} t WHERE CAST(t AS VARCHAR) LIKE '%SECRET-MARKER%'") == [
            (0,)
        ]
    seeds = (
        "SELECT * FROM {} WHERE doc_id IN (SELECT doc_id FROM raw_documents WHERE source_path LIKE '00%') ORDER BY ALL"
    )
    for table in ("raw_documents", "articles", "teasers"):
        assert query(database, seeds.format(table)) == query(clean / "n.duckdb", seeds.format(table)), table
