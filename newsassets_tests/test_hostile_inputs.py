"""One bad input is one rejected row (or an ok row with a note), never a crashed run.

Every case puts a good Dutch page beside the bad input and reads the folder as the raw stage does
(`read_raw_file` for every path of `find_raw_files`): nothing raises, the bad input is exactly the row
expected, and the good page is read as before. (Hostile settings and runs: test_hostile_runs.py.)
"""

import contextlib
import dataclasses
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from newsassets import reading
from newsassets.ids import stable_id
from newsassets.reading import (
    HTML,
    OK,
    REJECTED,
    WARC,
    RawDocument,
    decode_text,
    doc_id_for,
    file_signature,
    find_raw_files,
    fingerprint_folder,
    read_raw_file,
)
from newsassets.teasers import Teaser, dated_teaser, extract_teasers
from newsassets.vocabulary import AGE, MAX_AGE_MINUTES, parse_age

CAP = 1_000_000
INT32_MAX = 2**31 - 1
DUTCH = "Één Zeeuwse café-eigenaar zegt: “Het gaat goed”, aldus de ANP.\nTweede regel met ë en ï."
MTIME = 1769256000  # 2026-01-24 12:00:00 UTC
PAGE = "<html><body><article><p>DEN HAAG (ANP) - Het kabinet presenteert een plan.</p></article></body></html>"
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def raw_folder(tmp_path: Path) -> Path:
    """A raw folder holding one good page, `goed.txt`."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "goed.txt").write_text(DUTCH, encoding="utf-8")
    os.utime(raw / "goed.txt", (MTIME, MTIME))
    return raw


def read_folder(raw: Path, **kwargs) -> dict[str, list[RawDocument]]:
    """Every row of the folder by source_path, read one path at a time as the raw stage does."""
    rows: dict[str, list[RawDocument]] = {}
    for path in find_raw_files(raw):
        for document in read_raw_file(path, raw, CAP, **kwargs):
            rows.setdefault(document.source_path, []).append(document)
    for documents in rows.values():
        for document in documents:
            assert_sound(document)
    return rows


def assert_sound(document: RawDocument) -> None:
    """ok with content, or rejected with a reason; every text field valid UTF-8 (the store needs it)."""
    assert (document.status == OK and document.content is not None) or (
        document.status == REJECTED and document.error and document.content is None
    ), document
    for value in dataclasses.astuple(document):
        if isinstance(value, str):
            value.encode("utf-8")


def assert_good_page(rows: dict[str, list[RawDocument]]) -> None:
    (good,) = rows["goed.txt"]
    assert (good.status, good.error, good.content, good.doc_id) == (OK, None, DUTCH, doc_id_for("goed.txt"))
    assert good.fetched_at == datetime(2026, 1, 24, 12, 0)


def page_with_sidecar(raw: Path, sidecar: str | bytes, name: str = "p.txt") -> None:
    (raw / name).write_text(DUTCH, encoding="utf-8")
    os.utime(raw / name, (MTIME, MTIME))
    side = raw / f"{name}.meta.json"
    side.write_bytes(sidecar.encode() if isinstance(sidecar, str) else sidecar)


# 1. a sidecar url that is not an http(s) URL ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (123, "not a string (123)"),
        ({"a": 1}, "not a string (an object)"),
        ([1, 2], "not a string (a list)"),
        (True, "not a string (true)"),
        ("http://[::1", "Invalid IPv6 URL ('http://[::1')"),
        ("ftp://www.pzc.nl/a", "not an http(s) URL with a host ('ftp://www.pzc.nl/a')"),
        ("/nieuws/1", "not an http(s) URL with a host ('/nieuws/1')"),
        ("https://", "not an http(s) URL with a host ('https://')"),
    ],
)
def test_a_sidecar_url_that_is_not_a_url_is_dropped_with_a_note(tmp_path, url, reason):
    raw = raw_folder(tmp_path)
    page_with_sidecar(raw, json.dumps({"url": url, "fetched_at": "2026-01-24T14:00:00+01:00"}))
    rows = read_folder(raw)
    (page,) = rows["p.txt"]
    assert (page.status, page.content, page.url, page.site) == (OK, DUTCH, None, None)
    assert page.error == f"ignored p.txt.meta.json url: {reason}"
    assert page.fetched_at == datetime(2026, 1, 24, 13, 0)  # the other field is kept
    assert_good_page(rows)


def test_a_good_sidecar_is_applied_as_before(tmp_path):
    raw = raw_folder(tmp_path)
    page_with_sidecar(raw, '{"url": "https://www.pzc.nl/x", "fetched_at": "2026-01-24T13:00:00+01:00"}')
    (page,) = read_folder(raw)["p.txt"]
    assert (page.url, page.site, page.fetched_at, page.error) == (
        "https://www.pzc.nl/x",
        "pzc.nl",
        datetime(2026, 1, 24, 12, 0),
        None,
    )


# 2. a sidecar nested too deeply for the JSON reader --------------------------------------------------------------


@pytest.mark.parametrize("sidecar", ["[" * 100_000 + "]" * 100_000, '{"url": ' * 100_000 + "1" + "}" * 100_000])
def test_a_sidecar_nested_100000_deep_is_a_note(tmp_path, sidecar):
    raw = raw_folder(tmp_path)
    page_with_sidecar(raw, sidecar)
    rows = read_folder(raw)
    (page,) = rows["p.txt"]
    assert (page.status, page.content, page.url) == (OK, DUTCH, None)
    assert page.error == "ignored p.txt.meta.json: nested too deeply to read"
    assert page.fetched_at == datetime(2026, 1, 24, 12, 0)  # the file's mtime
    assert_good_page(rows)


# 3. a sidecar fetched_at that is not a plausible capture time ----------------------------------------------------


@pytest.mark.parametrize(
    ("fetched_at", "reason"),
    [
        (
            "9999-12-31T23:59:59-01:00",
            "implausible date ('9999-12-31T23:59:59-01:00'), not between 1990-01-01 and 2100-01-01",
        ),
        (
            "0001-01-01T00:00:00+01:00",
            "implausible date ('0001-01-01T00:00:00+01:00'), not between 1990-01-01 and 2100-01-01",
        ),
        ("1985-06-01T12:00:00", "implausible date ('1985-06-01T12:00:00'), not between 1990-01-01 and 2100-01-01"),
        (1769256000, "not a string (1769256000)"),
        (1.5, "not a string (1.5)"),
        (["2026-01-24"], "not a string (a list)"),
        ("gisteren", "not an ISO date-time ('gisteren')"),
        ("   ", "not an ISO date-time ('   ')"),
    ],
)
def test_a_sidecar_fetched_at_out_of_range_or_not_a_date_is_dropped_with_a_note(tmp_path, fetched_at, reason):
    raw = raw_folder(tmp_path)
    page_with_sidecar(raw, json.dumps({"url": "https://www.pzc.nl/x", "fetched_at": fetched_at}))
    rows = read_folder(raw)
    (page,) = rows["p.txt"]
    assert (page.status, page.content, page.url) == (OK, DUTCH, "https://www.pzc.nl/x")
    assert page.error == f"ignored p.txt.meta.json fetched_at: {reason}"
    assert page.fetched_at == datetime(2026, 1, 24, 12, 0)  # falls back to the file's mtime
    assert_good_page(rows)


# 4. a file name that is not UTF-8 --------------------------------------------------------------------------------


def test_a_file_name_that_is_not_utf8_is_read_with_an_escaped_path_and_an_id_from_its_bytes(tmp_path):
    raw = raw_folder(tmp_path)
    folder = os.fsencode(raw)
    for name in (b"bad\xffname.txt", b"bad\xfename.txt", b"caf\xe9.html", b"bad\xffname.txt.meta.json"):
        with open(folder + b"/" + name, "wb") as handle:
            handle.write(DUTCH.encode() if not name.endswith(b".json") else b'{"url": "https://www.pzc.nl/x"}')
    (raw / "bad\\xffname.txt").write_text(DUTCH)  # a valid name that reads like the escape of the first
    with open(folder + b"/crawl\xff.warc", "wb") as handle:
        handle.write(warc_record("https://www.pzc.nl/w", PAGE.encode(), record_id="<urn:uuid:1>"))
    rows = read_folder(raw)
    assert set(rows) == {"goed.txt", "bad\\xffname.txt", "bad\\xfename.txt", "caf\\xe9.html", "crawl\\xff.warc"}
    assert len(rows["bad\\xffname.txt"]) == 2  # the real bad\xff name and the valid look-alike
    documents = [d for documents in rows.values() for d in documents]
    assert all(d.status == OK for d in documents)
    assert len({d.doc_id for d in documents}) == len(documents) == 6
    by_id = {d.doc_id: d for d in documents}
    real = by_id[hashlib.sha256(b"doc\x1fbad\xffname.txt").hexdigest()[:16]]  # the id hashes the name's real bytes
    assert (real.url, real.content) == ("https://www.pzc.nl/x", DUTCH)  # and its sidecar was found
    assert by_id[doc_id_for("bad\\xffname.txt")].url is None  # the look-alike has no sidecar
    (warc,) = rows["crawl\\xff.warc"]
    assert warc.doc_id == hashlib.sha256(b"doc\x1fcrawl\xff.warc\x1f<urn:uuid:1>").hexdigest()[:16]
    assert rows["caf\\xe9.html"][0].source_format == HTML
    assert_good_page(rows)
    assert all(file_signature(path) for path in find_raw_files(raw))
    before = fingerprint_folder(raw)
    os.utime(folder + b"/bad\xffname.txt", (MTIME + 60, MTIME + 60))
    assert fingerprint_folder(raw) != before


def test_doc_ids_of_valid_names_do_not_change():
    assert doc_id_for("a/b.txt") == hashlib.sha256(b"doc\x1fa/b.txt").hexdigest()[:16]
    assert stable_id("doc", "é.warc", "<urn:x>") == hashlib.sha256("doc\x1fé.warc\x1f<urn:x>".encode()).hexdigest()[:16]


# 5. a file name so long that its sidecar's name cannot exist ----------------------------------------------------


@pytest.mark.parametrize("length", [246, 250, 255])
def test_a_file_name_of_up_to_255_bytes_has_no_sidecar_and_a_signature(tmp_path, length):
    raw = raw_folder(tmp_path)
    name = "a" * (length - 4) + ".txt"
    (raw / name).write_text(DUTCH)
    rows = read_folder(raw)
    (page,) = rows[name]
    assert (page.status, page.error, page.content) == (OK, None, DUTCH)
    assert page.file_signature == file_signature(raw / name) is not None
    assert_good_page(rows)


# 6. a modification time past year 9999 --------------------------------------------------------------------------

BEYOND_9999 = [253402300800 * 10**9, 10**21]  # 10000-01-01 and year 33658


@pytest.fixture
def far_future(tmp_path, monkeypatch):
    """`set(path, ns)`: the file's mtime becomes `ns`. A file system that clamps times (ext4 stops at 2446)
    is swapped for tmpfs when there is one, else `Path.stat` of that file is made to report the time."""
    folders = []

    def folder() -> Path:
        for parent in (tmp_path, Path("/dev/shm")):
            if not parent.is_dir():
                continue
            probe = Path(tempfile.mkdtemp(dir=parent))
            folders.append(probe)
            (probe / "probe").write_text("x")
            os.utime(probe / "probe", ns=(BEYOND_9999[1], BEYOND_9999[1]))
            if (probe / "probe").stat().st_mtime_ns == BEYOND_9999[1]:
                (probe / "probe").unlink()
                return probe
        return tmp_path

    def set_mtime(path: Path, ns: int) -> None:
        with contextlib.suppress(OverflowError):  # beyond the platform's time_t
            os.utime(path, ns=(ns, ns))
        if path.stat().st_mtime_ns == ns:
            return
        real_stat = Path.stat

        def stat(self, *args, **kwargs):
            result = real_stat(self, *args, **kwargs)
            if self == path:
                fields = list(result[:10])
                fields[8] = ns // 10**9
                return os.stat_result(fields)
            return result

        monkeypatch.setattr(Path, "stat", stat)

    yield folder, set_mtime
    for probe in folders:
        shutil.rmtree(probe, ignore_errors=True)


@pytest.mark.parametrize("ns", BEYOND_9999)
def test_a_modification_time_past_year_9999_leaves_fetched_at_empty_with_a_note(far_future, ns):
    folder, set_mtime = far_future
    raw = raw_folder(folder())
    (raw / "p.txt").write_text(DUTCH)
    set_mtime(raw / "p.txt", ns)
    (raw / "dated.txt").write_text(DUTCH)
    (raw / "dated.txt.meta.json").write_text('{"fetched_at": "2026-01-24T12:30:00"}')
    set_mtime(raw / "dated.txt", ns)
    rows = read_folder(raw)
    (page,) = rows["p.txt"]
    assert (page.status, page.content, page.fetched_at) == (OK, DUTCH, None)
    assert page.error.startswith("no capture time: the file's modification time is out of range (")
    (dated,) = rows["dated.txt"]  # a sidecar's capture time needs no note
    assert (dated.status, dated.error, dated.fetched_at) == (OK, None, datetime(2026, 1, 24, 12, 30))
    assert_good_page(rows)


# 7. and 8. WARC files: repeated or missing record ids, Content-Length that lies ----------------------------------


def warc_record(
    url: str | None,
    body: bytes,
    *,
    record_id: str | None = None,
    date: str | None = "2026-01-24T10:00:00Z",
    content_type: str = "text/html",
    extra: dict | None = None,
) -> bytes:
    """One response record, written by warcio; `record_id=None` leaves the WARC-Record-ID out."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False)
    http = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
    headers = {**({"WARC-Date": date} if date is not None else {}), **(extra or {})}
    record = writer.create_warc_record(
        url, "response", payload=io.BytesIO(body), http_headers=http, warc_headers_dict=headers
    )
    if record_id is None:
        record.rec_headers.remove_header("WARC-Record-ID")
    else:
        record.rec_headers.replace_header("WARC-Record-ID", record_id)
    writer.write_record(record)
    return out.getvalue()


def lie_about_length(record: bytes, delta: int) -> bytes:
    match = re.search(rb"Content-Length: (\d+)", record)
    return record[: match.start(1)] + str(int(match[1]) + delta).encode() + record[match.end(1) :]


def body(n: int) -> bytes:
    return f"<html><body><p>DEN HAAG (ANP) - Pagina {n}.</p>\nregel twee\nregel drie</body></html>".encode()


RECORDS = [warc_record(f"https://www.pzc.nl/{n}", body(n), record_id=f"<urn:uuid:{n}>") for n in (1, 2, 3)]


@pytest.mark.parametrize("gzipped", [False, True], ids=["warc", "warc.gz"])
def test_a_warc_concatenated_with_itself_gives_every_record_its_own_stable_id(tmp_path, gzipped):
    raw = raw_folder(tmp_path)
    pack = gzip.compress if gzipped else (lambda data: data)
    name = "c.warc.gz" if gzipped else "c.warc"
    single = b"".join(pack(record) for record in RECORDS)
    (raw / name).write_bytes(single + single)
    rows = read_folder(raw)
    documents = rows[name]
    assert [d.status for d in documents] == [OK] * 6
    assert [d.source_record for d in documents] == [
        "<urn:uuid:1>",
        "<urn:uuid:2>",
        "<urn:uuid:3>",
        "<urn:uuid:1>#2",
        "<urn:uuid:2>#2",
        "<urn:uuid:3>#2",
    ]
    assert len({d.doc_id for d in documents}) == 6
    # the first occurrence keeps the id a single copy of the file gives, as before
    assert [d.doc_id for d in documents[:3]] == [stable_id("doc", name, f"<urn:uuid:{n}>") for n in (1, 2, 3)]
    assert [d.doc_id for d in read_folder(raw)[name]] == [d.doc_id for d in documents]  # stable across runs
    assert_good_page(rows)


def test_warc_records_without_an_id_are_keyed_by_their_position(tmp_path):
    raw = raw_folder(tmp_path)
    anonymous = warc_record("https://www.pzc.nl/a", body(9), record_id=None)
    (raw / "c.warc").write_bytes(
        anonymous + RECORDS[0] + anonymous + warc_record("https://x.nl/b", body(8), record_id="#record-4") + anonymous
    )
    rows = read_folder(raw)
    documents = rows["c.warc"]
    assert [d.status for d in documents] == [OK] * 5
    assert [d.source_record for d in documents] == ["#record-1", "<urn:uuid:1>", "#record-3", "#record-4", "#record-5"]
    assert len({d.doc_id for d in documents}) == 5
    assert documents[1].doc_id == stable_id("doc", "c.warc", "<urn:uuid:1>")
    assert [d.doc_id for d in read_folder(raw)["c.warc"]] == [d.doc_id for d in documents]
    assert_good_page(rows)


MISMATCH = "WARC record length mismatch"


def swallow_next(records: list[bytes]) -> list[bytes]:
    """The second record declares the third as its own: one record to the reader, the third lost inside it."""
    return [records[0], lie_about_length(records[1], len(records[2]) + 4) + records[2]]


@pytest.mark.parametrize(
    ("gzipped", "damage", "expected"),
    [
        # declares 10 bytes too few: the record is cut short, the next one still reads
        (False, lambda r: [r[0], lie_about_length(r[1], -10), r[2]], [OK, "not followed by the blank lines", OK]),
        (True, lambda r: [r[0], lie_about_length(r[1], -10), r[2]], [OK, "not followed by the blank lines", OK]),
        # declares 10 bytes too many: the next record's header is eaten, the rest is unreadable
        (False, lambda r: [r[0], lie_about_length(r[1], 10), r[2]], [OK, "not followed", "corrupt WARC after 2"]),
        # ... but in a gzipped WARC each record is its own member: it ends short, the next one reads
        (True, lambda r: [r[0], lie_about_length(r[1], 10), r[2]], [OK, "but has only", OK]),
        (True, swallow_next, [OK, "run on into another record"]),
        # the last record declares more than the file holds
        (False, lambda r: [r[0], r[1], lie_about_length(r[2], 10)], [OK, OK, "but has only"]),
        # declares exactly the next record too: swallowed, and found inside
        (False, swallow_next, [OK, "run on into another record"]),
        # no Content-Length at all, or a negative one
        (False, lambda r: [r[0], r[1].replace(b"Content-Length", b"Content-Lenxxx"), r[2]], [OK, "no Content-Length"]),
        (
            False,
            lambda r: [r[0], lie_about_length(r[1], -10_000).replace(b": 1", b": -1"), r[2]],
            [OK, "no valid", "corrupt"],
        ),
    ],
)
def test_a_warc_record_whose_content_length_lies_is_a_rejected_row(tmp_path, capfd, gzipped, damage, expected):
    raw = raw_folder(tmp_path)
    name = "c.warc.gz" if gzipped else "c.warc"
    (raw / name).write_bytes(b"".join(gzip.compress(r) if gzipped else r for r in damage(RECORDS)))
    rows = read_folder(raw)
    documents = rows[name]
    assert len(documents) == len(expected), documents
    for document, want in zip(documents, expected, strict=True):
        if want == OK:
            assert document.status == OK and document.content.startswith("<html>"), document
        else:
            assert document.status == REJECTED and want in document.error, document
            assert document.error.startswith(("corrupt WARC after", MISMATCH))
            assert document.content is None and document.content_sha256 is None
    (bad,) = [d for d in documents if d.error and d.error.startswith(MISMATCH)]
    assert re.fullmatch(rf"{MISMATCH}: record 2 .+", bad.error) or re.fullmatch(rf"{MISMATCH}: record 3 .+", bad.error)
    # an HTML page's row; a record too broken to show its HTTP headers (a negative length) is a WARC row
    assert bad.source_format == (WARC if "no valid" in bad.error else HTML)
    number = int(bad.error.split()[5])
    assert (bad.url, bad.source_record) == (f"https://www.pzc.nl/{number}", f"<urn:uuid:{number}>")
    assert bad.doc_id == stable_id("doc", name, f"<urn:uuid:{number}>")  # the id the record has when it is whole
    assert len({d.doc_id for d in documents}) == len(documents)
    assert "WARNING" not in capfd.readouterr().err  # the row says it; warcio's stderr warning is not needed
    assert_good_page(rows)


def test_the_length_mismatch_reasons_read_as_documented(tmp_path):
    raw = raw_folder(tmp_path)
    length = int(re.search(rb"Content-Length: (\d+)", RECORDS[2])[1])
    (raw / "kort.warc").write_bytes(RECORDS[0] + lie_about_length(RECORDS[1], -10) + RECORDS[2])
    (raw / "lang.warc").write_bytes(RECORDS[0] + lie_about_length(RECORDS[2], 10))
    rows = read_folder(raw)
    assert rows["kort.warc"][1].error == (
        f"{MISMATCH}: record 2 declares {length - 10} bytes, but they are not followed by the blank lines that "
        "end a record"
    )
    assert rows["lang.warc"][1].error == f"{MISMATCH}: record 2 declares {length + 10} bytes but has only {length + 4}"


def test_a_non_html_record_whose_length_lies_is_a_rejected_warc_row(tmp_path):
    raw = raw_folder(tmp_path)
    image = warc_record(
        "https://www.pzc.nl/logo.png", b"\x89PNG" + b"x" * 40, record_id="<urn:uuid:9>", content_type="image/png"
    )
    (raw / "c.warc").write_bytes(RECORDS[0] + lie_about_length(image, -8) + RECORDS[2])
    documents = read_folder(raw)["c.warc"]
    assert [d.status for d in documents] == [OK, REJECTED, OK]
    assert (documents[1].source_format, documents[1].url, documents[1].source_record) == (
        WARC,
        "https://www.pzc.nl/logo.png",
        "<urn:uuid:9>",
    )
    assert documents[1].error.startswith("WARC record length mismatch: record 2 declares")


def test_bad_warc_dates_and_urls_are_notes_not_a_corrupt_file(tmp_path):
    raw = raw_folder(tmp_path)
    (raw / "c.warc").write_bytes(
        warc_record("http://[::1", body(1), record_id="<urn:uuid:1>", date="9999-12-31T23:59:59-01:00")
        + warc_record("https://www.pzc.nl/2", body(2), record_id="<urn:uuid:2>", date="morgen")
        + RECORDS[2]
    )
    os.utime(raw / "c.warc", (MTIME, MTIME))
    documents = read_folder(raw)["c.warc"]
    assert [d.status for d in documents] == [OK, OK, OK]
    assert documents[0].url is None and documents[0].error == (
        "ignored WARC-Target-URI: Invalid IPv6 URL ('http://[::1'); ignored WARC-Date: implausible date "
        "('9999-12-31T23:59:59-01:00'), not between 1990-01-01 and 2100-01-01"
    )
    assert documents[1].error == "ignored WARC-Date: not an ISO date-time ('morgen')"
    assert documents[0].fetched_at == documents[1].fetched_at == datetime(2026, 1, 24, 12, 0)  # the mtime
    assert (documents[2].error, documents[2].fetched_at) == (None, datetime(2026, 1, 24, 10, 0))


# 9. a windows-1252 page that declares UTF-8, and declared charsets -----------------------------------------------

CP1252_DECLARING_UTF8 = (
    b'<html><head><meta charset="utf-8"></head><body><p>Caf\xe9 en cr\xe8me br\xfbl\xe9e, \xe9\xe9n keer per week.'
    b"</p></body></html>"
)


def test_a_windows_1252_page_that_declares_utf8_reads_as_windows_1252(tmp_path):
    raw = raw_folder(tmp_path)
    (raw / "p.html").write_bytes(CP1252_DECLARING_UTF8)
    rows = read_folder(raw)
    (page,) = rows["p.html"]
    assert page.status == OK and "<p>Café en crème brûlée, één keer per week.</p>" in page.content
    assert_good_page(rows)


@pytest.mark.parametrize(
    "sentence",
    [
        "Hij kwam één keer per week naar het café.",
        "Het café is één van de beste.",
        "Zeeuwse café-eigenaar: één keer",
        "De reünie van de coöperatie was één groot succes, zei de privé-chauffeur.",
        "Café en crème brûlée, één keer per week.",
    ],
)
@pytest.mark.parametrize(
    "wrap", ["{}", "<p>{}</p>", '<html><head><meta charset="utf-8"></head><body><p>{}</p></body></html>']
)
def test_short_windows_1252_dutch_is_never_read_as_a_central_european_code_page(sentence, wrap):
    text = wrap.format(sentence)
    assert decode_text(text.encode("cp1252")) == text


@pytest.mark.parametrize(
    ("head", "text", "encoding"),
    [
        ('<meta charset="windows-1254">', "Türkiye'nin başkenti Ankara'dır; İstanbul en büyük şehridir.", "cp1254"),
        (
            '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-2">',
            "Árvíztűrő tükörfúrógép. Magyarország fővárosa Budapest.",
            "iso8859_2",
        ),
        ("<meta charset='windows-1257'>", "Lietuvos sostinė yra Vilnius, o didžiausia upė – Nemunas.", "cp1257"),
        ('<meta charset="iso-8859-1">', "Één café, “aldus” de ANP € 5.", "cp1252"),  # latin-1 is read as cp1252
        ("", "Москва — столица России. Президент заявил, что переговоры продолжатся.", "cp1251"),
    ],
)
def test_a_declared_charset_is_tried_before_detection(head, text, encoding):
    page = f"<html><head>{head}</head><body><p>{text}</p></body></html>"
    assert decode_text(page.encode(encoding)) == page
    xml = f'<?xml version="1.0" encoding="{encoding}"?><rss><title>{text}</title></rss>'
    assert decode_text(xml.encode(encoding)) == xml


def test_utf8_bytes_stay_utf8_whatever_the_page_declares():
    page = '<html><head><meta charset="windows-1252"></head><body><p>Één café</p></body></html>'
    assert decode_text(page.encode("utf-8")) == page  # a mislabelled UTF-8 page, far likelier than the reverse


@pytest.mark.parametrize(
    "label", ["utf-7", "utf-16", "unicode_escape", "rot13", "base64", "undefined", "x-user-defined", "hz", "zlib"]
)
def test_an_untrustworthy_declared_charset_is_ignored(label):
    page = f'<html><head><meta charset="{label}"></head><body><p>Één café +AGEA- \\u0041 ~{{</p></body></html>'
    assert decode_text(page.encode("cp1252")) == page


# 10. a symlink out of the raw folder -----------------------------------------------------------------------------

MARKER = "GEHEIM-7f3a9c-DOELBESTAND"


def test_a_symlink_out_of_the_raw_folder_is_rejected_without_reading_the_target(tmp_path, monkeypatch):
    outside = tmp_path / "elders"
    outside.mkdir()
    secret = outside / "geheim.txt"
    secret.write_text(f"{MARKER}\n{DUTCH}\n{MARKER}")
    (outside / "geheim.warc").write_bytes(warc_record("https://x.nl", f"<html>{MARKER}</html>".encode()))
    (outside / "meta.json").write_text(json.dumps({"url": f"https://{MARKER.lower()}.nl/", "fetched_at": "2026-01-01"}))
    raw = raw_folder(tmp_path)
    (raw / "x.txt").symlink_to(secret)
    (raw / "relatief.warc").symlink_to(Path("..") / "elders" / "geheim.warc")
    (raw / "sub").mkdir()
    (raw / "sub" / "echt.txt").write_text(DUTCH)
    (raw / "binnen.txt").symlink_to(raw / "sub" / "echt.txt")  # inside the raw folder: read as ever
    (raw / "weg.txt").symlink_to(tmp_path / "bestaat-niet.txt")  # dangling: unreadable, as ever
    (raw / "p.txt").write_text(DUTCH)
    (raw / "p.txt.meta.json").symlink_to(outside / "meta.json")  # a sidecar from outside: ignored
    opened = []
    for method in ("open", "read_bytes", "read_text"):
        real = getattr(Path, method)

        def spy(self, *args, _real=real, **kwargs):
            opened.append(self.resolve())
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(Path, method, spy)
    rows = read_folder(raw)
    for name, target in (("x.txt", secret), ("relatief.warc", outside / "geheim.warc")):
        (row,) = rows[name]
        assert row.status == REJECTED
        assert row.error == f"outside the raw folder: a link to {target.resolve()}, which is not read"
        assert (row.content, row.content_sha256, row.size_bytes, row.file_signature) == (None, None, None, None)
    assert all(
        MARKER not in str(value) and MARKER.lower() not in str(value)
        for documents in rows.values()
        for d in documents
        for value in dataclasses.astuple(d)
    )
    assert not [path for path in opened if path.is_relative_to(outside)]
    assert rows["binnen.txt"][0].content == DUTCH
    assert rows["weg.txt"][0].error.startswith("unreadable")
    (page,) = rows["p.txt"]
    assert (page.status, page.url, page.error) == (OK, None, "ignored p.txt.meta.json: outside the raw folder")
    assert_good_page(rows)
    # a folder the caller trusts may be linked to
    (allowed,) = read_folder(raw, allowed_roots=[outside])["x.txt"]
    assert allowed.status == OK and MARKER in allowed.content


# 11. the guard: whatever else goes wrong is one rejected row ----------------------------------------------------


def test_any_failure_inside_read_raw_file_is_one_rejected_row(tmp_path, monkeypatch):
    raw = raw_folder(tmp_path)
    (raw / "kapot.txt").write_text(DUTCH)
    real = reading._page_document

    def failing(base, data, notes=()):
        if base.source_path == "kapot.txt":
            raise RuntimeError("onverwacht")
        return real(base, data, notes)

    monkeypatch.setattr(reading, "_page_document", failing)
    rows = read_folder(raw)
    (row,) = rows["kapot.txt"]
    assert (row.status, row.error, row.doc_id) == (
        REJECTED,
        "reading failed: RuntimeError: onverwacht",
        doc_id_for("kapot.txt"),
    )
    assert_good_page(rows)
    (stray,) = read_raw_file(tmp_path / "elders.txt", raw, CAP)  # not below the raw folder: a caller's mistake
    assert stray.status == REJECTED and stray.error.startswith("reading failed: ValueError: ")


@pytest.fixture
def deep_folder(tmp_path):
    """`raw/d/d/…/d`, 1100 folders deep, removed again from the bottom up: shutil.rmtree (pytest's own cleanup
    of old tmp folders) recurses once per level too and would fail on it in a later session."""
    raw = raw_folder(tmp_path)
    chain = []
    deep = raw
    for _ in range(1100):  # os.walk recursed once per level: RecursionError at ~1000
        deep = deep / "d"
        deep.mkdir()
        chain.append(deep)
    yield raw, deep
    for folder in reversed(chain):
        for entry in folder.iterdir():
            if not entry.is_dir() or entry.is_symlink():
                entry.unlink()
        folder.rmdir()


def test_find_raw_files_survives_any_depth_and_a_failing_folder(deep_folder, monkeypatch):
    raw, deep = deep_folder
    (deep / "diep.txt").write_text(DUTCH)
    (raw / "stuk").mkdir()
    (raw / "stuk" / "binnen.txt").write_text(DUTCH)
    real = os.scandir

    def scandir(path):
        if Path(path).name == "stuk":
            raise RuntimeError("onverwacht")
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    paths = find_raw_files(raw)
    assert [p.relative_to(raw).as_posix().replace("d/" * 1100, "…/") for p in paths] == [
        "…/diep.txt",
        "goed.txt",
        "stuk",
    ]
    rows = read_folder(raw)
    assert rows["d/" * 1100 + "diep.txt"][0].content == DUTCH
    assert rows["stuk"][0].status == REJECTED and rows["stuk"][0].error.startswith("unreadable folder")
    assert_good_page(rows)
    assert len(fingerprint_folder(raw)) == 32


# 12. ages against capture times at the edges of the calendar -----------------------------------------------------

RAIL = "Titel\nTekst.\nMeer uit Buitenland\nEerste kop\nKYIV (ANP) - Tekst een.\n{age}\nTweede kop\nPARIJS (AFP) - Tekst twee.\n1 uur geleden\n"


def test_an_age_of_centuries_is_none_not_an_overflowing_integer():
    fetched_at = datetime(9999, 12, 31, 23, 59)
    first, second = extract_teasers(RAIL.format(age="01-01-0001"), fetched_at)
    assert (first.age_text, first.age_minutes, first.published_at) == ("01-01-0001", None, None)
    assert (second.age_minutes, second.published_at) == (60, datetime(9999, 12, 31, 22, 59))
    assert parse_age("01-01-0001", fetched_at) is None
    assert parse_age("1 jan 1900", datetime(2026, 1, 24)) is None  # over a century: unreadable, never guessed
    assert parse_age("9999 weken geleden") is None
    assert parse_age("1 jan 1930", datetime(2026, 1, 24)) == int(
        (datetime(2026, 1, 24) - datetime(1930, 1, 1)).total_seconds() // 60
    )
    assert parse_age("31-02-2026", datetime(2026, 3, 1)) is None
    assert parse_age("31 feb 2026", datetime(2026, 3, 1)) is None  # raised ValueError before


def test_a_relative_age_against_year_1_leaves_published_at_empty():
    for fetched_at in (datetime(1, 1, 1), datetime.min, datetime(1, 1, 1, 0, 30)):
        teasers = extract_teasers(RAIL.format(age="gisteren 14:05"), fetched_at)
        assert [(t.age_minutes, t.published_at) for t in teasers] == [(None, None), (60, None)]
    for minutes in (10**10, 10**13):  # before year 1, and past what a timedelta holds
        assert dated_teaser(Teaser("s", 1, None, None, age_minutes=minutes), datetime(2026, 1, 1)).published_at is None


def test_an_aware_capture_time_reads_ages_in_its_own_zone():
    aware = datetime(2026, 1, 24, 13, 0, tzinfo=timezone(timedelta(hours=1)))
    assert parse_age("11:00", aware) == 120
    assert parse_age("gisteren 12:00", aware) == 25 * 60
    assert parse_age("23 jan 2026", aware) == parse_age("23-01-2026", aware) == 37 * 60  # raised TypeError before
    assert parse_age("11:00", datetime(1, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1)))) is None


# fuzz: no input escapes as an exception ------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
OFFSETS = st.integers(-1439, 1439).map(lambda minutes: timezone(timedelta(minutes=minutes)))
MOMENTS = st.datetimes(timezones=st.none() | st.just(UTC) | OFFSETS)
DATE_TEXT = st.one_of(
    MOMENTS.map(datetime.isoformat),
    st.sampled_from(["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00", "2026-01-24", "2026-13-01", " "]),
    st.text(max_size=30),
)
URL_TEXT = st.one_of(
    st.sampled_from(["http://[::1", "https://www.pzc.nl/x", "http://x:99999999/", "https://", "//x.nl", "\ud800"]),
    st.text(max_size=40),
    st.from_regex(r"https?://[^\s/]{0,20}(/.{0,20})?", fullmatch=True),
)


@FUZZ
@given(
    st.one_of(
        JSON,
        st.fixed_dictionaries({}, optional={"url": URL_TEXT | JSON, "fetched_at": DATE_TEXT | JSON}),
        st.binary(max_size=200),
    )
)
def test_any_sidecar_gives_one_sound_row(tmp_path_factory, sidecar):
    raw = raw_folder(tmp_path_factory.mktemp("sidecar"))
    page_with_sidecar(raw, sidecar if isinstance(sidecar, bytes) else json.dumps(sidecar))
    rows = read_folder(raw)
    (page,) = rows["p.txt"]
    assert (page.status, page.content) == (OK, DUTCH)
    assert page.fetched_at is None or datetime(1990, 1, 1) <= page.fetched_at <= datetime(2100, 1, 1)
    assert page.url is None or (urlsplit(page.url).scheme in ("http", "https") and urlsplit(page.url).hostname)
    assert_good_page(rows)


WARC_DATES = st.one_of(st.none(), DATE_TEXT)
WARC_URLS = st.one_of(st.none(), URL_TEXT)
RECORD_IDS = st.one_of(
    st.none(), st.sampled_from(["<urn:uuid:1>", "<urn:uuid:2>", "#record-2", ""]), st.text(max_size=30)
)
CONTENT_TYPES = st.one_of(st.sampled_from(["text/html", "text/html; charset=utf-8", "image/png"]), st.text(max_size=30))


@FUZZ
@given(st.lists(st.tuples(WARC_DATES, WARC_URLS, RECORD_IDS, CONTENT_TYPES), min_size=1, max_size=5), st.booleans())
def test_any_warc_header_values_give_sound_rows_with_unique_ids(tmp_path_factory, headers, gzipped):
    raw = raw_folder(tmp_path_factory.mktemp("warc"))
    records = []
    for date, url, record_id, content_type in headers:
        try:
            records.append(warc_record(url, PAGE.encode(), record_id=record_id, date=date, content_type=content_type))
        except Exception:  # values warcio itself cannot write
            continue
    assume(records)
    name = "c.warc.gz" if gzipped else "c.warc"
    (raw / name).write_bytes(b"".join(gzip.compress(r) if gzipped else r for r in records))
    rows = read_folder(raw)
    documents = rows[name]
    assert len({d.doc_id for d in documents}) == len(documents)
    assert all(d.fetched_at is None or d.fetched_at.year < 2101 for d in documents)
    assert_good_page(rows)


NAMES = st.binary(min_size=1, max_size=255).filter(
    lambda n: b"/" not in n and b"\x00" not in n and n not in (b".", b"..")
)


@FUZZ
@given(st.lists(NAMES, min_size=1, max_size=4, unique=True), st.binary(max_size=100))
def test_any_file_names_give_sound_rows_with_unique_ids(tmp_path_factory, names, content):
    raw = raw_folder(tmp_path_factory.mktemp("names"))
    folder = os.fsencode(raw)
    for name in names:
        if name == b"goed.txt":
            continue
        with open(folder + b"/" + name, "wb") as handle:
            handle.write(content or b"x")
    rows = read_folder(raw)
    documents = [d for documents in rows.values() for d in documents]
    expected = {n for n in names if not n.startswith(b".") and not n.endswith(b".meta.json")} | {b"goed.txt"}
    assert len(documents) == len(expected)
    assert len({d.doc_id for d in documents}) == len(documents)
    assert {d.doc_id for d in documents} == {stable_id("doc", os.fsdecode(n)) for n in expected}
    assert all(file_signature(path) is not None for path in find_raw_files(raw))
    assert len(fingerprint_folder(raw)) == 32
    assert_good_page(rows)


AGES = st.one_of(st.from_regex(AGE, fullmatch=True), st.text(max_size=30))
ANY_MOMENT = st.one_of(
    st.none(), MOMENTS, st.sampled_from([datetime.min, datetime.max, datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59)])
)


def assert_fits(minutes):
    assert minutes is None or 0 <= minutes <= MAX_AGE_MINUTES < INT32_MAX


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(AGES, st.sampled_from(["KYIV (ANP) - Tekst.", "Kop", "Meer uit Buitenland"])), max_size=10),
    ANY_MOMENT,
)
def test_any_ages_against_any_capture_time_never_raise_and_fit_an_integer(lines, fetched_at):
    for teaser in extract_teasers("Meer uit Buitenland\n" + "\n".join(lines), fetched_at):
        assert_fits(teaser.age_minutes)
    for line in lines:
        assert_fits(parse_age(line, fetched_at))
