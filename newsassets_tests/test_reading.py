import gzip
import os
import time
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
    read_raw_document,
    read_raw_documents,
)

from .conftest import SEED_DIR

CAP = 1_000_000
DUTCH = "Één Zeeuwse café-eigenaar zegt: “Het gaat goed”, aldus de ANP.\nTweede regel met ë en ï."


def read(path: Path, cap: int = CAP):
    return read_raw_document(path, path.parent, cap)


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
    assert time.time() > 1769256000
