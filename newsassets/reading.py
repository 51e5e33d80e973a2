"""The raw folder → one RawDocument per file: found, read, decoded, or rejected with a readable reason.

Nothing is dropped silently: a file that cannot be used still becomes a document, with status
'rejected' and the reason in `error`, so the raw stage can account for every file it found.
"""

from __future__ import annotations

import hashlib
import json
import os
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from newsassets.ids import stable_id

OK = "ok"
REJECTED = "rejected"
TEXT = "text"
HTML = "html"
WARC = "warc"  # only on a rejected row for a whole WARC file; its documents are 'html'
_HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_WARC_SUFFIXES = (".warc", ".warc.gz")
_WARC_RECORD_TYPES = {
    "warcinfo",
    "response",
    "resource",
    "request",
    "metadata",
    "revisit",
    "conversion",
    "continuation",
}
_GZIP_MAGIC = b"\x1f\x8b"
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
    source_record: str | None = None  # WARC-Record-ID for a document from a WARC
    url: str | None = None
    site: str | None = None
    file_signature: str | None = None  # size and mtime of the file when it was read: see `file_signature`
    page_kind: str | None = None  # 'article' or 'front' once screened (`newsassets.screening`); None when rejected


def doc_id_for(source_path: str) -> str:
    """Stable per file location: the same path gives the same id on every run, whatever its content."""
    return stable_id("doc", source_path)


def find_raw_files(raw_dir: Path) -> list[Path]:
    """Every file below `raw_dir`, in a stable order; hidden files and metadata sidecars are not pages.

    Directory symlinks are not followed, so a symlink loop cannot trap the walk.
    """
    found = []

    def unreadable_folder(error: OSError) -> None:  # a folder that cannot be listed is reported, not skipped
        if error.filename and Path(error.filename) != raw_dir:
            found.append(Path(error.filename))

    for folder, subfolders, files in os.walk(raw_dir, onerror=unreadable_folder, followlinks=False):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        found.extend(
            Path(folder) / name for name in files if not name.startswith(".") and not name.endswith(_SIDECAR_SUFFIX)
        )
    return sorted(found, key=lambda p: p.relative_to(raw_dir).as_posix())


def read_raw_documents(raw_dir: Path, max_bytes: int) -> Iterator[RawDocument]:
    for path in find_raw_files(raw_dir):
        yield from read_raw_file(path, raw_dir, max_bytes)


def read_raw_file(path: Path, raw_dir: Path, max_bytes: int) -> list[RawDocument]:
    """The documents in one file: one for a page dump or HTML page, one per HTML response for a WARC.

    A file that yields no usable document still yields one row, rejected with the reason.
    """
    source_path = path.relative_to(raw_dir).as_posix()
    lower = source_path.lower()
    base = RawDocument(
        doc_id=doc_id_for(source_path),
        source_path=source_path,
        source_format=HTML if lower.removesuffix(".gz").endswith(_HTML_SUFFIXES) else TEXT,
        content_sha256=None,
        size_bytes=None,
        fetched_at=None,
        status=REJECTED,
        error=None,
        content=None,
    )
    try:
        stat = path.stat()
    except OSError as exc:
        return [replace(base, error=f"unreadable: {exc.strerror or exc}")]
    base = replace(base, file_signature=file_signature(path))
    if path.is_dir():
        try:
            os.listdir(path)
            reason = "a folder that could not be listed"
        except OSError as exc:
            reason = exc.strerror or str(exc)
        return [replace(base, source_format="folder", error=f"unreadable folder: {reason}")]
    base = replace(
        base, size_bytes=stat.st_size, fetched_at=datetime.fromtimestamp(stat.st_mtime, UTC).replace(tzinfo=None)
    )
    if lower.endswith(_WARC_SUFFIXES):
        return read_warc(path, base, max_bytes)
    if stat.st_size > max_bytes:
        return [replace(base, error=f"too large: {stat.st_size} bytes, over the cap of {max_bytes}")]
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [replace(base, error=f"unreadable: {exc.strerror or exc}")]
    base = replace(base, size_bytes=len(data), content_sha256=hashlib.sha256(data).hexdigest())
    base, note = _with_sidecar(path, base)
    if data[:2] == _GZIP_MAGIC or lower.endswith(".gz"):
        try:
            data = _gunzip(data, max_bytes)
        except _TooLarge:
            return [replace(base, error=f"too large: over the cap of {max_bytes} bytes once decompressed")]
        except (OSError, EOFError, zlib.error) as exc:
            return [replace(base, error=f"corrupt gzip: {exc}")]
    if data.lstrip()[:5] == b"WARC/":
        return read_warc(path, base, max_bytes)
    return [_page_document(base, data, note)]


def _page_document(base: RawDocument, data: bytes, note: str | None = None) -> RawDocument:
    if not data.strip():
        return replace(base, error="empty file")
    source_format = base.source_format
    if source_format == TEXT and data.lstrip()[:15].lower().startswith(_HTML_SNIFF):
        source_format = HTML
    try:
        content = decode_text(data)
    except UnicodeDecodeError as exc:
        return replace(base, error=f"undecodable: {exc.reason}")
    if _looks_binary(content):
        return replace(base, error="binary content, not a text or HTML page")
    return replace(base, source_format=source_format, status=OK, error=note, content=content)


def read_warc(path: Path, base: RawDocument, max_bytes: int) -> list[RawDocument]:
    """Every successful HTML response record of a WARC (plain or gzipped) as its own document, streamed.

    `doc_id` is stable per file and record, `url` is the record's WARC-Target-URI and `fetched_at` its
    WARC-Date. The size cap applies to each record, not to the file. A corrupt file keeps the records
    read before the damage and adds a rejected row that says where it broke.
    """
    from warcio.archiveiterator import ArchiveIterator

    documents: list[RawDocument] = []
    records = records_read = 0
    try:
        with path.open("rb") as stream:
            head = stream.read(64)
            if head[:2] == _GZIP_MAGIC:
                head = zlib.decompressobj(wbits=31).decompress(head + stream.read(4096), 16)
            if not head.lstrip().startswith(b"WARC/"):
                raise ValueError("the file does not start with a WARC record")
            stream.seek(0)
            for record in ArchiveIterator(stream):
                records += 1
                if record.rec_type not in _WARC_RECORD_TYPES:
                    raise ValueError(f"record {records} has no valid WARC-Type ({record.rec_type!r})")
                document = _warc_document(record, base, max_bytes)
                if document is not None:
                    documents.append(document)
                records_read = records
    except Exception as exc:  # warcio raises many kinds of errors on damaged archives
        documents.append(replace(base, source_format=WARC, error=f"corrupt WARC after {records_read} records: {exc}"))
        return documents
    if not documents:
        documents.append(
            replace(base, source_format=WARC, error=f"no HTML response records in WARC ({records} records)")
        )
    return documents


def _warc_document(record, base: RawDocument, max_bytes: int) -> RawDocument | None:
    if record.rec_type not in ("response", "resource"):
        return None
    if record.http_headers is not None:
        status = record.http_headers.get_statuscode() or ""
        content_type = (record.http_headers.get_header("Content-Type") or "").lower()
        if not status.startswith("2"):
            return None
    else:
        content_type = (record.rec_headers.get_header("Content-Type") or "").lower()
    if "html" not in content_type:
        return None
    record_id = record.rec_headers.get_header("WARC-Record-ID") or ""
    url = record.rec_headers.get_header("WARC-Target-URI")
    document = replace(
        base,
        doc_id=stable_id("doc", base.source_path, record_id),
        source_record=record_id,
        source_format=HTML,
        url=url,
        site=site_of(url),
        fetched_at=_utc_naive(record.rec_headers.get_header("WARC-Date")) or base.fetched_at,
    )
    data = record.content_stream().read(max_bytes + 1)
    if len(data) > max_bytes:
        return replace(document, size_bytes=None, error=f"too large: record over the cap of {max_bytes} bytes")
    document = replace(document, size_bytes=len(data), content_sha256=hashlib.sha256(data).hexdigest())
    return _page_document(document, data)


def file_signature(path: Path) -> str | None:
    """`size:mtime_ns` of a file (and of its sidecar, if any), or None when it cannot be stat'ed: equal
    signatures mean an unchanged file without reading it."""
    try:
        signature = _signature(path.stat())
    except OSError:
        return None
    try:
        return f"{signature}+{_signature(path.with_name(path.name + _SIDECAR_SUFFIX).stat())}"
    except OSError:
        return signature


def _signature(stat: os.stat_result) -> str:
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def site_of(url: str | None) -> str | None:
    """`https://www.pzc.nl/buitenland/…` → `pzc.nl`."""
    if not url:
        return None
    host = urlsplit(url).hostname
    return host.removeprefix("www.") if host else None


def _with_sidecar(path: Path, document: RawDocument) -> tuple[RawDocument, str | None]:
    """Apply `<file>.meta.json` (`url`, `fetched_at`) when there is one; a broken sidecar is noted, not fatal."""
    sidecar = path.with_name(path.name + _SIDECAR_SUFFIX)
    if not sidecar.is_file():
        return document, None
    try:
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
        if not isinstance(meta, dict):
            raise ValueError("not a JSON object")
        url = meta.get("url") or None
        fetched_at = _utc_naive(meta["fetched_at"]) if meta.get("fetched_at") else None
    except (OSError, ValueError, TypeError) as exc:
        return document, f"ignored {sidecar.name}: {exc}"
    return replace(document, url=url, site=site_of(url), fetched_at=fetched_at or document.fetched_at), None


def _utc_naive(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value.strip())
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


class _TooLarge(Exception):
    pass


def _gunzip(data: bytes, max_bytes: int) -> bytes:
    """Decompress in bounded steps, so a small bomb cannot fill the memory."""
    out = bytearray()
    decompressor = zlib.decompressobj(wbits=31)
    chunk = data
    while chunk:
        out += decompressor.decompress(chunk, max_bytes + 1 - len(out))
        if len(out) > max_bytes:
            raise _TooLarge
        chunk = decompressor.unconsumed_tail
        if decompressor.eof and decompressor.unused_data:  # a multi-member gzip: go on with the next member
            rest = decompressor.unused_data
            decompressor = zlib.decompressobj(wbits=31)
            chunk = rest
    if not decompressor.eof:
        raise EOFError("compressed file ended before the end-of-stream marker was reached")
    return bytes(out)


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
