import gzip
import os
from pathlib import Path

import pytest

from newsassets.reading import (
    HTML,
    OK,
    REJECTED,
    TEXT,
    decode_text,
    doc_id_for,
    find_raw_files,
    fingerprint_folder,
    read_raw_documents,
    read_raw_file,
)

from .conftest import SEED_DIR

CAP = 1_000_000
DUTCH = "Één Zeeuwse café-eigenaar zegt: “Het gaat goed”, aldus de ANP.\nTweede regel met ë en ï."


def read(path: Path, cap: int = CAP):
    (document,) = read_raw_file(path, path.parent, cap)
    return document


def test_seeds_are_five_ok_text_documents_with_stable_ids():
    documents = list(read_raw_documents(SEED_DIR, CAP))
    assert [d.status for d in documents] == [OK] * 5
    assert [d.source_path[:3] for d in documents] == ["000", "001", "002", "003", "004"]
    assert {d.source_format for d in documents} == {TEXT}
    assert len({d.doc_id for d in documents}) == 5
    assert [d.doc_id for d in documents] == [d.doc_id for d in read_raw_documents(SEED_DIR, CAP)]
    first = documents[0]
    assert first.content.startswith("Russen boos om 'lompe' waarschuwing")
    assert first.size_bytes == (SEED_DIR / first.source_path).stat().st_size
    assert len(first.content_sha256) == 64
    assert first.fetched_at.tzinfo is None


def test_doc_id_depends_on_the_path_only():
    assert doc_id_for("a/b.txt") == doc_id_for("a/b.txt") != doc_id_for("a/c.txt")


@pytest.mark.parametrize(
    "encode",
    [
        lambda s: s.encode("utf-8"),
        lambda s: b"\xef\xbb\xbf" + s.encode("utf-8"),
        lambda s: s.encode("utf-16"),
        lambda s: s.replace("“", '"').replace("”", '"').encode("cp1252"),
        lambda s: s.replace("\n", "\r\n").encode("utf-8"),
    ],
    ids=["utf8", "utf8-bom", "utf16", "cp1252", "crlf"],
)
def test_decode_text_handles_common_encodings(encode):
    text = decode_text(encode(DUTCH))
    assert "Één Zeeuwse café-eigenaar" in text
    assert "\r" not in text and "ë en ï" in text


def test_decode_text_normalises_to_nfc():
    assert decode_text("Gene\u0300ve".encode()) == "Genève"


def test_rejections_carry_readable_reasons(tmp_path: Path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b" \n\n ")
    (tmp_path / "junk.bin").write_bytes(bytes(range(256))[:90])
    (tmp_path / "big.txt").write_text("woord " * 50)
    (tmp_path / "broken.txt.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "missing.txt")
    reasons = {d.source_path: d.error for d in read_raw_documents(tmp_path, 100)}
    assert reasons["empty.txt"] == "empty file"
    assert reasons["blank.txt"] == "empty file"
    assert reasons["junk.bin"].startswith("binary content")
    assert reasons["big.txt"].startswith("too large: 300 bytes")
    assert reasons["broken.txt.gz"].startswith("corrupt gzip")
    assert reasons["dangling.txt"].startswith("unreadable")
    assert all(d.status == REJECTED and d.content is None for d in read_raw_documents(tmp_path, 100))


def test_gzip_and_html_are_read_by_content(tmp_path: Path):
    (tmp_path / "page.txt.gz").write_bytes(gzip.compress(DUTCH.encode()))
    (tmp_path / "page.html").write_text("<html><body><p>Hallo</p></body></html>")
    (tmp_path / "sniffed.txt").write_text("<!DOCTYPE html><html><body>x</body></html>")
    documents = {d.source_path: d for d in read_raw_documents(tmp_path, CAP)}
    assert documents["page.txt.gz"].content == DUTCH and documents["page.txt.gz"].source_format == TEXT
    assert documents["page.html"].source_format == HTML
    assert documents["sniffed.txt"].source_format == HTML


def test_find_raw_files_recurses_in_order_and_survives_symlink_loops(tmp_path: Path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("x")
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "a.txt.meta.json").write_text("{}")
    (tmp_path / ".hidden").write_text("x")
    (tmp_path / "b" / "loop").symlink_to(tmp_path, target_is_directory=True)
    assert [p.relative_to(tmp_path).as_posix() for p in find_raw_files(tmp_path)] == ["a.txt", "b/2.txt"]


def test_fingerprint_changes_when_files_are_added_changed_or_removed(tmp_path: Path):
    (tmp_path / "a.txt").write_text("one")
    first = fingerprint_folder(tmp_path)
    assert fingerprint_folder(tmp_path) == first and len(first) == 32
    (tmp_path / "b.txt").write_text("two")
    added = fingerprint_folder(tmp_path)
    assert added != first
    stat = (tmp_path / "a.txt").stat()
    (tmp_path / "a.txt").write_text("ONE")
    os.utime(tmp_path / "a.txt", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    changed = fingerprint_folder(tmp_path)
    assert changed not in (first, added)
    (tmp_path / "b.txt").unlink()
    assert fingerprint_folder(tmp_path) not in (first, added, changed)
    assert fingerprint_folder(tmp_path / "missing") == fingerprint_folder(tmp_path / "also-missing")


def test_fetched_at_is_the_file_mtime_in_utc(tmp_path: Path):
    path = tmp_path / "page.txt"
    path.write_text(DUTCH)
    os.utime(path, (1769256000, 1769256000))  # 2026-01-24 12:00:00 UTC
    document = read(path)
    assert document.fetched_at.isoformat() == "2026-01-24T12:00:00"


def write_warc(path: Path, records: list[tuple[str, str, bytes, str]], gzip_records: bool = False) -> list[str]:
    """A real WARC written with warcio: (url, content type, body, HTTP status) per response record."""
    from io import BytesIO

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    ids = []
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=gzip_records)
        for number, (url, content_type, body, status) in enumerate(records):
            http = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url,
                "response",
                payload=BytesIO(body),
                http_headers=http,
                warc_headers_dict={"WARC-Date": f"2026-01-24T1{number}:00:00Z"},
            )
            ids.append(record.rec_headers.get_header("WARC-Record-ID"))
            writer.write_record(record)
    return ids


PAGE = "<html><body><article><p>DEN HAAG (ANP) - Het kabinet presenteert een plan.</p></article></body></html>"


@pytest.mark.parametrize("gzip_records", [False, True], ids=["warc", "warc.gz"])
def test_every_html_response_of_a_warc_is_a_document(tmp_path: Path, gzip_records: bool):
    name = "crawl.warc.gz" if gzip_records else "crawl.warc"
    ids = write_warc(
        tmp_path / name,
        [
            ("https://www.pzc.nl/binnenland/plan", "text/html; charset=utf-8", PAGE.encode(), "200 OK"),
            ("https://www.pzc.nl/logo.png", "image/png", b"\x89PNG....", "200 OK"),
            ("https://www.pzc.nl/oud", "text/html", b"<html>moved</html>", "301 Moved Permanently"),
            ("https://www.bndestem.nl/buitenland/x", "text/html", PAGE.replace("plan", "akkoord").encode(), "200 OK"),
        ],
        gzip_records=gzip_records,
    )
    documents = list(read_raw_documents(tmp_path, CAP))
    assert [(d.status, d.source_format, d.url, d.site) for d in documents] == [
        (OK, HTML, "https://www.pzc.nl/binnenland/plan", "pzc.nl"),
        (OK, HTML, "https://www.bndestem.nl/buitenland/x", "bndestem.nl"),
    ]
    assert [d.source_record for d in documents] == [ids[0], ids[3]]
    assert [d.fetched_at.isoformat() for d in documents] == ["2026-01-24T10:00:00", "2026-01-24T13:00:00"]
    assert documents[0].content == PAGE and "akkoord" in documents[1].content
    assert len({d.doc_id for d in documents}) == 2
    assert [d.doc_id for d in read_raw_documents(tmp_path, CAP)] == [d.doc_id for d in documents]  # stable


def test_a_corrupt_warc_keeps_what_came_before_the_damage(tmp_path: Path):
    write_warc(tmp_path / "a.warc", [("https://x.nl/1", "text/html", PAGE.encode(), "200 OK")] * 2)
    data = (tmp_path / "a.warc").read_bytes()
    (tmp_path / "a.warc").write_bytes(data + b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 99999\r\n\r\nshort")
    (tmp_path / "b.warc.gz").write_bytes(gzip.compress(b"WARC/1.0\r\n")[:-6])
    (tmp_path / "c.warc").write_bytes(b"not a warc at all")
    documents = list(read_raw_documents(tmp_path, CAP))
    by_file = {}
    for d in documents:
        by_file.setdefault(d.source_path, []).append(d)
    assert [d.status for d in by_file["a.warc"]][:2] == [OK, OK]
    assert all(d.status == REJECTED and d.error for d in by_file["b.warc.gz"] + by_file["c.warc"])
    assert by_file["c.warc"][0].error.startswith("corrupt WARC after 0 records")


def test_a_warc_without_html_is_one_rejected_row(tmp_path: Path):
    write_warc(tmp_path / "img.warc", [("https://x.nl/a.png", "image/png", b"png", "200 OK")])
    (document,) = read_raw_documents(tmp_path, CAP)
    assert (document.status, document.error) == (REJECTED, "no HTML response records in WARC (1 records)")


def test_sidecar_gives_url_and_capture_time(tmp_path: Path):
    (tmp_path / "page.txt").write_text(DUTCH)
    (tmp_path / "page.txt.meta.json").write_text(
        '{"url": "https://www.omroepzeeland.nl/nieuws/1", "fetched_at": "2026-01-24T13:00:00+01:00"}'
    )
    (tmp_path / "other.txt").write_text(DUTCH)
    (tmp_path / "other.txt.meta.json").write_text("{not json")
    documents = {d.source_path: d for d in read_raw_documents(tmp_path, CAP)}
    assert set(documents) == {"page.txt", "other.txt"}
    page = documents["page.txt"]
    assert (page.url, page.site, page.fetched_at.isoformat()) == (
        "https://www.omroepzeeland.nl/nieuws/1",
        "omroepzeeland.nl",
        "2026-01-24T12:00:00",
    )
    other = documents["other.txt"]
    assert other.status == OK and other.url is None and other.error.startswith("ignored other.txt.meta.json")


def test_a_gzip_bomb_is_rejected_without_filling_memory(tmp_path: Path):
    (tmp_path / "bomb.txt.gz").write_bytes(gzip.compress(b"a" * 5_000_000))
    (document,) = read_raw_documents(tmp_path, 1_000_000)
    assert document.status == REJECTED and "once decompressed" in document.error


def test_gzip_is_recognised_by_content_too(tmp_path: Path):
    (tmp_path / "page.dat").write_bytes(gzip.compress(DUTCH.encode()))
    (document,) = read_raw_documents(tmp_path, CAP)
    assert document.content == DUTCH


def test_undecodable_bytes_are_rejected_with_the_reason(tmp_path: Path):
    (tmp_path / "x.txt").write_bytes(b"\xff\xfe\x00\xd8\x00\xd8" * 10)  # a UTF-16 BOM, then lone surrogates
    (document,) = read_raw_documents(tmp_path, CAP)
    assert document.status == REJECTED and document.error.startswith(("undecodable", "binary"))


def test_unreadable_files_and_folders_are_rejected_not_dropped():
    """Permission bits do not stop root, so when the tests run as root the reader drops to `nobody` after
    importing (the checkout itself may be closed to `nobody`, as a `mktemp -d` clone is)."""
    import shutil
    import subprocess
    import sys
    import tempfile

    raw = Path(tempfile.mkdtemp(prefix="newsassets-perm-"))  # pytest's own folders are closed to others
    raw.chmod(0o755)
    (raw / "secret.txt").write_text(DUTCH)
    (raw / "secret.txt").chmod(0o000)
    (raw / "open.txt").write_text(DUTCH)
    (raw / "closed").mkdir()
    (raw / "closed" / "inside.txt").write_text(DUTCH)
    (raw / "closed").chmod(0o000)
    code = (
        "import os, sys; from pathlib import Path; from newsassets.reading import read_raw_documents as r\n"
        "if os.geteuid() == 0:\n    os.setgroups([]); os.setgid(65534); os.setuid(65534)\n"
        "[print(d.source_path, d.status, d.error) for d in r(Path(sys.argv[1]), 10**6)]"
    )
    command = [sys.executable, "-c", code, str(raw)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    try:
        out = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, check=True).stdout
    finally:
        (raw / "closed").chmod(0o755)
        shutil.rmtree(raw)
    assert out.splitlines() == [
        "closed rejected unreadable folder: Permission denied",
        "open.txt ok None",
        "secret.txt rejected unreadable: Permission denied",
    ]


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_give_a_document_never_an_exception(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("any")
    (folder / "page.txt").write_bytes(data)
    (folder / "page.html.gz").write_bytes(data)
    (folder / "crawl.warc").write_bytes(data)
    documents = list(read_raw_documents(folder, CAP))
    assert {d.source_path for d in documents} == {"page.txt", "page.html.gz", "crawl.warc"}
    for document in documents:
        assert (document.status == OK and document.content is not None) or (
            document.status == REJECTED and document.error
        )
