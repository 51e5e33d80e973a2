"""The raw folder → one RawDocument per file: found, read, decoded, or rejected with a readable reason.

Nothing is dropped silently: a file that cannot be used still becomes a document, with status
'rejected' and the reason in `error`, so the raw stage can account for every file it found.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from newsassets.ids import stable_id

OK = "ok"
REJECTED = "rejected"
TEXT = "text"
HTML = "html"
_HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_HTML_SNIFF = (b"<!doctype html", b"<html", b"<head", b"<body")
_SIDECAR_SUFFIX = ".meta.json"


@dataclass(frozen=True)
class RawDocument:
    doc_id: str
    source_path: str  # relative to the raw folder, with '/' separators
    source_format: str  # 'text' or 'html'
    content_sha256: str | None
    size_bytes: int | None
    fetched_at: datetime | None  # naive UTC
    status: str  # 'ok' or 'rejected'
    error: str | None
    content: str | None  # decoded, NFC, '\n' line ends; None when rejected
    url: str | None = None
    site: str | None = None


def doc_id_for(source_path: str) -> str:
    """Stable per file location: the same path gives the same id on every run, whatever its content."""
    return stable_id("doc", source_path)


def find_raw_files(raw_dir: Path) -> list[Path]:
    """Every file below `raw_dir`, in a stable order; hidden files and metadata sidecars are not pages.

    Directory symlinks are not followed, so a symlink loop cannot trap the walk.
    """
    found = []
    for folder, subfolders, files in os.walk(raw_dir, followlinks=False):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        found.extend(
            Path(folder) / name for name in files if not name.startswith(".") and not name.endswith(_SIDECAR_SUFFIX)
        )
    return sorted(found, key=lambda p: p.relative_to(raw_dir).as_posix())


def read_raw_documents(raw_dir: Path, max_bytes: int) -> Iterator[RawDocument]:
    for path in find_raw_files(raw_dir):
        yield read_raw_document(path, raw_dir, max_bytes)


def read_raw_document(path: Path, raw_dir: Path, max_bytes: int) -> RawDocument:
    source_path = path.relative_to(raw_dir).as_posix()
    lower = source_path.lower()
    source_format = HTML if lower.removesuffix(".gz").endswith(_HTML_SUFFIXES) else TEXT

    def rejected(reason: str, **known) -> RawDocument:
        return RawDocument(
            **{
                "doc_id": doc_id_for(source_path),
                "source_path": source_path,
                "source_format": source_format,
                "content_sha256": None,
                "size_bytes": None,
                "fetched_at": None,
                "status": REJECTED,
                "error": reason,
                "content": None,
                **known,
            }
        )

    try:
        stat = path.stat()
    except OSError as exc:
        return rejected(f"unreadable: {exc.strerror or exc}")
    fetched_at = datetime.fromtimestamp(stat.st_mtime, UTC).replace(tzinfo=None)
    if stat.st_size > max_bytes:
        return rejected(f"too large: {stat.st_size} bytes, over the cap of {max_bytes}", size_bytes=stat.st_size)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return rejected(f"unreadable: {exc.strerror or exc}", size_bytes=stat.st_size, fetched_at=fetched_at)
    known = {"size_bytes": len(data), "fetched_at": fetched_at, "content_sha256": hashlib.sha256(data).hexdigest()}

    if lower.endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            return rejected(f"corrupt gzip: {exc}", **known)
    if not data.strip():
        return rejected("empty file", **known)
    if source_format == TEXT and data.lstrip()[:15].lower().startswith(_HTML_SNIFF):
        source_format = HTML
    try:
        content = decode_text(data)
    except UnicodeDecodeError as exc:
        return rejected(f"undecodable: {exc.reason}", **known)
    if _looks_binary(content):
        return rejected("binary content, not a text or HTML page", **known)
    return RawDocument(
        doc_id=doc_id_for(source_path),
        source_path=source_path,
        source_format=source_format,
        status=OK,
        error=None,
        content=content,
        **known,
    )


def decode_text(data: bytes) -> str:
    """Bytes of a page → NFC text with '\\n' line ends: BOMs first, then UTF-8, then detection."""
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            from charset_normalizer import from_bytes

            matches = from_bytes(data)
            best = matches.best()
            if best is None:
                raise exc
            # Dutch pages that are not UTF-8 are windows-1252: prefer it over an equally plausible
            # Central European code page, which short Dutch text cannot tell apart.
            western = next((m for m in matches if m.encoding == "cp1252" and m.chaos <= best.chaos + 0.1), None)
            text = str(western or best)
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\n\t\f")
    return controls > max(8, len(sample) // 100)


def fingerprint_folder(raw_dir: Path) -> str:
    """A short digest of every page's path, size and modification time: it changes when a file is
    added, removed, replaced or touched, and costs one `stat` per file, never a read."""
    digest = hashlib.sha256()
    for path in find_raw_files(raw_dir) if raw_dir.is_dir() else []:
        try:
            stat = path.stat()
        except OSError:
            continue
        digest.update(f"{path.relative_to(raw_dir).as_posix()}\x1f{stat.st_size}\x1f{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:32]
