"""The raw folder → one RawDocument per file: found, read, decoded, or rejected with a readable reason.

Nothing is dropped silently: a file that cannot be used still becomes a document, with status
'rejected' and the reason in `error`, so the raw stage can account for every file it found. Nothing
in one file can fail the run either: whatever goes wrong reading it is that file's rejected row.
"""

from __future__ import annotations

import codecs
import errno
import functools
import hashlib
import json
import os
import re
import stat as stat_module
import unicodedata
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from newsassets.ids import stable_id, utf8_bytes
from newsassets.vocabulary import naive_utc

OK = "ok"
REJECTED = "rejected"
TEXT = "text"
HTML = "html"
WARC = "warc"  # on a rejected row for a whole WARC file, or for one of its records that is not an HTML page
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
_SIDECAR_MAX_BYTES = 1 << 20
# A capture time outside these is a broken clock or a broken sidecar, not a capture time.
_PLAUSIBLE_FROM = datetime(1990, 1, 1)
_PLAUSIBLE_UNTIL = datetime(2100, 1, 1)
_PLAUSIBLE = f"not between {_PLAUSIBLE_FROM:%Y-%m-%d} and {_PLAUSIBLE_UNTIL:%Y-%m-%d}"
_LENGTH_MISMATCH = "WARC record length mismatch"
# The start of a WARC record inside another record's block: that record's Content-Length ran on.
_EMBEDDED_RECORD = re.compile(rb"\n\r?\nWARC/1\.[01]\r?\n")


@dataclass(frozen=True)
class RawDocument:
    doc_id: str
    source_path: str  # relative to the raw folder, with '/' separators; bytes that are not UTF-8 as `\xNN`
    source_format: str  # 'text' or 'html'
    content_sha256: str | None
    size_bytes: int | None
    fetched_at: datetime | None  # naive UTC
    status: str  # 'ok' or 'rejected'
    error: str | None  # the reason when rejected; on an 'ok' row, notes on what was ignored (sidecar, dates)
    content: str | None  # decoded, NFC, '\n' line ends; None when rejected
    source_record: str | None = None  # WARC-Record-ID for a document from a WARC (made unique in its file)
    url: str | None = None
    site: str | None = None
    file_signature: str | None = None  # size and mtime of the file when it was read: see `file_signature`
    page_kind: str | None = None  # 'article' or 'front' once screened (`newsassets.screening`); None when rejected


def doc_id_for(source_path: str) -> str:
    """Stable per file location: the same path gives the same id on every run, whatever its content.

    `source_path` is the path as Python holds it (`relative_to(...).as_posix()`): a name that is not UTF-8
    is hashed from its real bytes, so two such names never share an id."""
    return stable_id("doc", source_path)


def source_path_for(path: Path, raw_dir: Path) -> str:
    """The `source_path` of a file below `raw_dir`: relative, '/'-separated, and always valid UTF-8 text
    (a byte of the name that is not UTF-8 is shown as `\\xNN`)."""
    return _escaped(path.relative_to(raw_dir).as_posix())


def find_raw_files(raw_dir: Path) -> list[Path]:
    """Every file below `raw_dir`, in a stable order; hidden files and metadata sidecars are not pages.

    Directory symlinks are not followed, so a symlink loop cannot trap the walk, and the walk keeps its own
    stack, so no depth of folders can exhaust Python's. A folder that cannot be listed, or that fails in
    any other way, is returned itself, to become its own rejected row; this never raises.
    """
    found: list[Path] = []
    pending = [raw_dir]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as entries:
                listed = list(entries)
        except OSError:
            if folder != raw_dir:
                found.append(folder)
            continue
        except Exception:  # the guard: a surprise in one folder is that folder's row
            found.append(folder)
            continue
        try:
            for entry in listed:
                name = entry.name
                if name.startswith("."):
                    continue
                if _is_folder(entry):
                    if not entry.is_symlink():
                        pending.append(folder / name)
                elif not name.endswith(_SIDECAR_SUFFIX):
                    found.append(folder / name)
        except Exception:
            found.append(folder)
    try:
        return sorted(found, key=lambda p: p.relative_to(raw_dir).as_posix())
    except Exception:
        return sorted(found, key=str)


def _is_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()  # follows a symlink, as os.walk does: a symlinked folder is neither walked nor a file
    except OSError:
        return False


def read_raw_documents(raw_dir: Path, max_bytes: int, *, allowed_roots: Sequence[Path] = ()) -> Iterator[RawDocument]:
    for path in find_raw_files(raw_dir):
        yield from read_raw_file(path, raw_dir, max_bytes, allowed_roots=allowed_roots)


def read_raw_file(
    path: Path, raw_dir: Path, max_bytes: int, *, allowed_roots: Sequence[Path] = ()
) -> list[RawDocument]:
    """The documents in one file: one for a page dump or HTML page, one per HTML response for a WARC.

    A file that yields no usable document still yields one row, rejected with the reason, and this never
    raises: whatever goes wrong is that file's row (`reading failed: <type>: <message>`). A file whose real
    location (symlinks resolved) is outside `raw_dir` and every `allowed_roots` is rejected unread.
    """
    try:
        return [_as_text(document) for document in _read_raw_file(path, raw_dir, max_bytes, allowed_roots)]
    except Exception as exc:  # the guard: one bad file is one rejected row, never a failed run
        return [_failed_row(path, raw_dir, exc)]


def _read_raw_file(path: Path, raw_dir: Path, max_bytes: int, allowed_roots: Sequence[Path]) -> list[RawDocument]:
    relative = path.relative_to(raw_dir).as_posix()  # as Python holds it: the id is hashed from its real bytes
    source_path = _escaped(relative)
    lower = source_path.lower()
    base = RawDocument(
        doc_id=doc_id_for(relative),
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
    roots = _roots(raw_dir, allowed_roots)
    outside = _outside(path, roots)
    if outside:  # before anything of the target is looked at: no size, no signature, no byte
        return [replace(base, error=outside)]
    base = replace(base, file_signature=file_signature(path))
    if stat_module.S_ISDIR(stat.st_mode):
        try:
            os.listdir(path)
            reason = "a folder that could not be listed"
        except OSError as exc:
            reason = exc.strerror or str(exc)
        return [replace(base, source_format="folder", error=f"unreadable folder: {reason}")]
    fetched_at, undated = _mtime_utc(stat)
    base = replace(base, size_bytes=stat.st_size, fetched_at=fetched_at)
    if lower.endswith(_WARC_SUFFIXES):
        return read_warc(path, base, max_bytes, id_path=relative, undated_note=undated)
    if stat.st_size > max_bytes:
        return [replace(base, error=f"too large: {stat.st_size} bytes, over the cap of {max_bytes}")]
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [replace(base, error=f"unreadable: {exc.strerror or exc}")]
    base = replace(base, size_bytes=len(data), content_sha256=hashlib.sha256(data).hexdigest())
    base, notes = _with_sidecar(path, base, roots)
    if data[:2] == _GZIP_MAGIC or lower.endswith(".gz"):
        try:
            data = _gunzip(data, max_bytes)
        except _TooLarge:
            return [replace(base, error=f"too large: over the cap of {max_bytes} bytes once decompressed")]
        except (OSError, EOFError, zlib.error) as exc:
            return [replace(base, error=f"corrupt gzip: {exc}")]
    if data.lstrip()[:5] == b"WARC/":
        return read_warc(path, base, max_bytes, id_path=relative, notes=notes, undated_note=undated)
    if base.fetched_at is None and undated:
        notes = [undated, *notes]
    return [_page_document(base, data, notes)]


def _failed_row(path: Path, raw_dir: Path, exc: BaseException) -> RawDocument:
    """The one row of a file whose reading failed in a way nothing else caught."""
    try:
        message = str(exc)
    except Exception:
        message = "(no message)"
    if len(message) > 500:
        message = message[:500] + "…"
    return failed_file(path, raw_dir, f"reading failed: {type(exc).__name__}: {message}")


def failed_file(path: Path, raw_dir: Path, error: str) -> RawDocument:
    """The one rejected row of a file that could not be read, saying why."""
    try:
        relative = path.relative_to(raw_dir).as_posix()
    except Exception:
        relative = os.fsdecode(path) if isinstance(path, str | bytes | os.PathLike) else repr(path)
    return RawDocument(
        doc_id=doc_id_for(relative),
        source_path=_escaped(relative),
        source_format=TEXT,
        content_sha256=None,
        size_bytes=None,
        fetched_at=None,
        status=REJECTED,
        error=_escaped(error),
        content=None,
    )


def _as_text(document: RawDocument) -> RawDocument:
    """Every text field valid UTF-8, as the store needs: a stray surrogate is shown as an escape."""
    changes = {}
    for field in fields(document):
        value = getattr(document, field.name)
        if isinstance(value, str):
            escaped = _escaped(value)
            if escaped is not value:
                changes[field.name] = escaped
    return replace(document, **changes) if changes else document


def _escaped(text: str) -> str:
    """`text` itself when it is valid UTF-8; else with its undecodable bytes (surrogate escapes, as a file
    name that is not UTF-8 comes back from the OS) shown as backslash escapes: `bad\\xffname.txt`."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return utf8_bytes(text).decode("utf-8", "backslashreplace")


def _roots(raw_dir: Path, allowed_roots: Sequence[Path]) -> list[Path]:
    return [Path(root).resolve() for root in (raw_dir, *allowed_roots)]


def _outside(path: Path, roots: list[Path]) -> str | None:
    """Why `path` may not be read (its real location, symlinks resolved, is under none of `roots`), or None."""
    try:
        target = path.resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        return f"unreadable: {exc}"
    if any(target == root or target.is_relative_to(root) for root in roots):
        return None
    return f"outside the raw folder: a link to {target}, which is not read"


def _mtime_utc(stat: os.stat_result) -> tuple[datetime | None, str | None]:
    """The file's modification time as naive UTC, or None and why (a time past year 9999 cannot be one)."""
    try:
        return datetime.fromtimestamp(stat.st_mtime, UTC).replace(tzinfo=None), None
    except (OverflowError, ValueError, OSError) as exc:
        return None, f"no capture time: the file's modification time is out of range ({exc})"


def _page_document(base: RawDocument, data: bytes, notes: Sequence[str] = ()) -> RawDocument:
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
    return replace(base, source_format=source_format, status=OK, error="; ".join(notes) or None, content=content)


def read_warc(
    path: Path,
    base: RawDocument,
    max_bytes: int,
    *,
    id_path: str | None = None,
    notes: Sequence[str] = (),
    undated_note: str | None = None,
) -> list[RawDocument]:
    """Every successful HTML response record of a WARC (plain or gzipped) as its own document, streamed.

    `doc_id` is stable per file and record: from the WARC-Record-ID (`id_path` is the file's path as
    Python holds it, `base.source_path` when not given); a record without one is keyed by its position
    (`#record-3`), a repeated one by its occurrence (`<urn:…>#2`), and that key is its `source_record`.
    `url` is the record's WARC-Target-URI and `fetched_at` its WARC-Date. The size cap applies to each
    record, not to the file. A record whose Content-Length does not match its bytes is a rejected row
    (`WARC record length mismatch: …`); a corrupt file keeps the records read before the damage and adds
    a rejected row that says where it broke.
    """
    id_path = base.source_path if id_path is None else id_path
    documents: list[RawDocument] = []
    records = records_read = 0
    keys: set[str] = set()
    try:
        with path.open("rb") as stream:
            head = stream.read(64)
            if head[:2] == _GZIP_MAGIC:
                head = zlib.decompressobj(wbits=31).decompress(head + stream.read(4096), 16)
            if not head.lstrip().startswith(b"WARC/"):
                raise ValueError("the file does not start with a WARC record")
            stream.seek(0)
            iterator = _archive_iterator()(stream)
            for record in iterator:
                records += 1
                if record.rec_type not in _WARC_RECORD_TYPES:
                    raise ValueError(f"record {records} has no valid WARC-Type ({record.rec_type!r})")
                key = _record_key(record.rec_headers.get_header("WARC-Record-ID") or "", records, keys)
                document, payload = _warc_document(record, base, max_bytes, id_path, key, notes, undated_note)
                mismatch = _length_mismatch(record, iterator, records, payload if document is not None else None)
                if mismatch:
                    url = document.url if document is not None else _warc_url(record)[0]
                    document = replace(
                        document or base,
                        url=url,
                        site=site_of(url),
                        doc_id=stable_id("doc", id_path, key),
                        source_record=key,
                        source_format=HTML if document is not None else WARC,
                        content_sha256=None,
                        size_bytes=None,
                        status=REJECTED,
                        error=mismatch,
                        content=None,
                    )
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


@functools.cache
def _archive_iterator():
    """warcio's ArchiveIterator, without its stderr warning on a bad record end (that becomes a row here),
    and reading a response record without a WARC-Target-URI as one (warcio fails on it, and so would lose
    every record after it): its HTTP headers are read as for any response, its `url` is None."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.recordloader import ArcWarcRecordLoader

    class TolerantLoader(ArcWarcRecordLoader):
        def load_http_headers(self, rec_type, uri, stream, length):
            return super().load_http_headers(rec_type, "http:" if uri is None else uri, stream, length)

    class QuietArchiveIterator(ArchiveIterator):
        INC_RECORD = ""

        def __init__(self, fileobj):
            super().__init__(fileobj)
            self.loader = TolerantLoader(verify_http=False, arc2warc=False)

    return QuietArchiveIterator


def _record_key(record_id: str, number: int, seen: set[str]) -> str:
    """The record's id within its file: its WARC-Record-ID, its position when it has none, and the
    occurrence number when the id came before (two WARCs concatenated): unique, and the same every run."""
    key = record_id or f"#record-{number}"
    if key in seen:
        occurrence = 2
        while f"{key}#{occurrence}" in seen:
            occurrence += 1
        key = f"{key}#{occurrence}"
    seen.add(key)
    return key


def _length_mismatch(record, iterator, number: int, payload: bytes | None) -> str | None:
    """Why the record's bytes do not match its Content-Length, or None; reads the record to its end.

    Three signs: the block ends before the declared length (the file or gzip member ran out), the record
    is not followed by the blank lines that end a record (warcio counts those), or, for an HTML page, the
    block runs on into the next record's header."""
    declared = record.rec_headers.get_header("Content-Length")
    try:
        length = int(declared) if declared is not None else None
    except ValueError:
        length = None
    if declared is None:
        return f"{_LENGTH_MISMATCH}: record {number} has no Content-Length"
    if length is None or length < 0 or record.length is None:
        return f"{_LENGTH_MISMATCH}: record {number} has no valid Content-Length ({_shown(declared)})"
    raw = record.raw_stream
    tail = b""
    embedded = payload is not None and bool(_EMBEDDED_RECORD.search(payload))
    while chunk := raw.read(65536):
        if payload is not None and not embedded:
            embedded = bool(_EMBEDDED_RECORD.search(tail + chunk))
            tail = chunk[-16:]
    missing = getattr(raw, "limit", 0)
    errors_before = getattr(iterator, "err_count", 0)
    iterator.read_to_end()
    if missing > 0:
        return f"{_LENGTH_MISMATCH}: record {number} declares {length} bytes but has only {length - missing}"
    if getattr(iterator, "err_count", 0) > errors_before:
        return (
            f"{_LENGTH_MISMATCH}: record {number} declares {length} bytes, "
            "but they are not followed by the blank lines that end a record"
        )
    if embedded:
        return f"{_LENGTH_MISMATCH}: record {number} declares {length} bytes, which run on into another record"
    return None


def _warc_document(
    record,
    base: RawDocument,
    max_bytes: int,
    id_path: str,
    key: str,
    notes: Sequence[str],
    undated_note: str | None,
) -> tuple[RawDocument | None, bytes]:
    """The record as a document and the payload bytes read, or (None, b'') when it is not an HTML page."""
    if record.rec_type not in ("response", "resource"):
        return None, b""
    if record.http_headers is not None:
        status = record.http_headers.get_statuscode() or ""
        content_type = (record.http_headers.get_header("Content-Type") or "").lower()
        if not status.startswith("2"):
            return None, b""
    else:
        content_type = (record.rec_headers.get_header("Content-Type") or "").lower()
    if "html" not in content_type:
        return None, b""
    notes = list(notes)
    url, problem = _warc_url(record)
    if problem:
        notes.append(problem)
    date = record.rec_headers.get_header("WARC-Date")
    fetched_at, problem = _checked_moment(date) if date else (None, None)
    if problem:
        notes.append(f"ignored WARC-Date: {problem}")
    fetched_at = fetched_at or base.fetched_at
    if fetched_at is None and undated_note:
        notes.insert(0, undated_note)
    document = replace(
        base,
        doc_id=stable_id("doc", id_path, key),
        source_record=key,
        source_format=HTML,
        url=url,
        site=site_of(url),
        fetched_at=fetched_at,
    )
    try:
        data = record.content_stream().read(max_bytes + 1)
    except Exception as exc:  # a broken chunked or compressed body: this record's row
        return replace(document, error=f"unreadable WARC record: {type(exc).__name__}: {exc}"), b""
    if len(data) > max_bytes:
        return replace(document, size_bytes=None, error=f"too large: record over the cap of {max_bytes} bytes"), data
    document = replace(document, size_bytes=len(data), content_sha256=hashlib.sha256(data).hexdigest())
    return _page_document(document, data, notes), data


def _warc_url(record) -> tuple[str | None, str | None]:
    """The record's WARC-Target-URI, or None and a note when `urlsplit` cannot read it."""
    url = record.rec_headers.get_header("WARC-Target-URI")
    try:
        urlsplit(url or "")
    except ValueError as exc:
        return None, f"ignored WARC-Target-URI: {exc} ({_shown(url)})"
    return url, None


def file_signature(path: Path) -> str | None:
    """`size:mtime_ns` of a file (and of its sidecar, if any), or None when it cannot be stat'ed: equal
    signatures mean an unchanged file without reading it."""
    try:
        signature = _signature(path.stat())
    except (OSError, ValueError):
        return None
    try:
        return f"{signature}+{_signature(path.with_name(path.name + _SIDECAR_SUFFIX).stat())}"
    except (OSError, ValueError):  # no sidecar, or a name too long to have one
        return signature


def _signature(stat: os.stat_result) -> str:
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def absolute_url(page_url: str | None, href: str) -> str | None:
    """A link's url as the page at `page_url` means it (`/a` → `https://www.pzc.nl/a`), as written where the page
    has no url, and None where no url parser reads it (`http://[kapot`): one broken link on a page is no link, and
    the page is read as any other."""
    try:
        url = urljoin(page_url, href) if page_url else href
        urlsplit(url)
    except ValueError:
        return None
    return url


def site_of(url: str | None) -> str | None:
    """`https://www.pzc.nl/buitenland/…` → `pzc.nl`; None when there is no host to read."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


def _with_sidecar(path: Path, document: RawDocument, roots: list[Path]) -> tuple[RawDocument, list[str]]:
    """Apply `<file>.meta.json` (`url`, `fetched_at`) when there is one, with notes on what was ignored.

    A broken sidecar is noted, not fatal; so is a field that does not hold what it should (`url` an
    http(s) URL with a host, `fetched_at` an ISO date-time between 1990 and 2100), which is dropped alone.
    """
    sidecar = path.with_name(path.name + _SIDECAR_SUFFIX)
    name = _escaped(sidecar.name)
    try:
        if not sidecar.is_file():
            return document, []
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:  # a page name that long cannot have a sidecar
            return document, []
        return document, [f"ignored {name}: {exc.strerror or exc}"]
    if _outside(sidecar, roots):
        return document, [f"ignored {name}: outside the raw folder"]
    try:
        with sidecar.open("rb") as handle:
            raw = handle.read(_SIDECAR_MAX_BYTES + 1)
        if len(raw) > _SIDECAR_MAX_BYTES:
            raise ValueError(f"larger than {_SIDECAR_MAX_BYTES} bytes")
        meta = json.loads(raw.decode("utf-8"))
        if not isinstance(meta, dict):
            raise ValueError("not a JSON object")
    except RecursionError:
        return document, [f"ignored {name}: nested too deeply to read"]
    except (OSError, ValueError, TypeError) as exc:
        return document, [f"ignored {name}: {exc}"]
    notes = []
    url = meta.get("url")
    if url is None or url == "":
        url = None
    elif problem := _url_problem(url):
        notes.append(f"ignored {name} url: {problem}")
        url = None
    fetched_at = meta.get("fetched_at")
    if fetched_at is None or fetched_at == "":
        fetched_at = None
    else:
        fetched_at, problem = _checked_moment(fetched_at)
        if problem:
            notes.append(f"ignored {name} fetched_at: {problem}")
    return replace(document, url=url, site=site_of(url), fetched_at=fetched_at or document.fetched_at), notes


def _url_problem(value: object) -> str | None:
    """Why `value` is not a page URL (a string that `urlsplit` reads as http or https with a host), or None."""
    if not isinstance(value, str):
        return f"not a string ({_shown(value)})"
    try:
        value.encode("utf-8")
        parts = urlsplit(value)
        host = parts.hostname
    except (ValueError, UnicodeError) as exc:
        return f"{exc} ({_shown(value)})"
    if parts.scheme.lower() not in ("http", "https") or not host:
        return f"not an http(s) URL with a host ({_shown(value)})"
    return None


def _checked_moment(value: object) -> tuple[datetime | None, str | None]:
    """An ISO date-time string → (naive UTC, None), or (None, why not) when it is not one or implausible."""
    if not isinstance(value, str):
        return None, f"not a string ({_shown(value)})"
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None, f"not an ISO date-time ({_shown(value)})"
    try:
        if moment.tzinfo is not None:
            moment = naive_utc(moment)
    except (OverflowError, ValueError):
        return None, f"implausible date ({_shown(value)}), {_PLAUSIBLE}"
    if not _PLAUSIBLE_FROM <= moment <= _PLAUSIBLE_UNTIL:
        return None, f"implausible date ({_shown(value)}), {_PLAUSIBLE}"
    return moment, None


def _shown(value: object) -> str:
    """A short, safe rendering of a value from an input file, for a note: a string quoted and cut, a
    number or JSON literal as written, anything larger by its kind."""
    if isinstance(value, str):
        shown = repr(value[:80])
    elif value is None or isinstance(value, bool | float):
        shown = json.dumps(value)
    elif isinstance(value, int):
        shown = str(value) if abs(value) < 10**60 else "a number of over 60 digits"
    else:
        shown = {dict: "an object", list: "a list"}.get(type(value), type(value).__name__)
    return shown if len(shown) <= 80 else shown[:79] + "…"


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
    """Bytes of a page → NFC text with '\\n' line ends: BOMs first, then UTF-8, then the charset the page
    declares (meta charset, http-equiv or XML encoding) when the bytes decode under it, then detection."""
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            text = _decode_declared(data)
            if text is None:
                text = _detect(data, exc)
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


# `<meta charset="…">`, `<meta http-equiv="Content-Type" content="text/html; charset=…">`, `<?xml … encoding="…"?>`
_META_CHARSET = re.compile(rb"<meta\b[^>]*?\bcharset\s*=\s*[\"']?\s*([a-z0-9][a-z0-9_.:+-]*)", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"^\s*<\?xml\b[^>]*?\bencoding\s*=\s*[\"']([a-z0-9][a-z0-9_.:+-]*)", re.IGNORECASE)
# Labels that browsers read as a superset (the WHATWG Encoding standard): a page labelled latin-1 is cp1252.
_LABEL_SUPERSETS = {
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "latin-1": "cp1252",
    "iso8859-9": "cp1254",
    "tis-620": "cp874",
    "iso8859-11": "cp874",
    "gb2312": "gbk",
    "euc_kr": "cp949",
    "shift_jis": "cp932",
    "big5": "big5hkscs",
}
_ASCII_PROBE = bytes(range(0x20, 0x7F)) + b"\t\n\r"
_PREFERRED = "cp1252"  # Dutch pages that are not UTF-8 are windows-1252
_PREFERENCE_MARGIN = 0.1  # in charset_normalizer's chaos: short text cannot tell single-byte code pages apart


def _declared_charset(data: bytes) -> str | None:
    """The Python codec of the charset the page's head declares, when it is one that can be trusted to
    decode the page (ASCII-compatible: not UTF-16/32 or UTF-7, not an escape codec) and not UTF-8."""
    head = data[:4096]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    if not match:
        return None
    label = match[1].decode("ascii").lower()
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    name = _LABEL_SUPERSETS.get(name, name)
    if name == "utf-8" or "escape" in name or name in ("utf-7", "punycode", "idna"):
        return None
    try:
        if _ASCII_PROBE.decode(name) != _ASCII_PROBE.decode("ascii"):
            return None
    except (LookupError, ValueError, TypeError):  # not a text encoding (base64, rot13), or `undefined`
        return None
    return name


def _decode_declared(data: bytes) -> str | None:
    charset = _declared_charset(data)
    if charset is None:
        return None
    try:
        return data.decode(charset)
    except (LookupError, ValueError, TypeError):
        return None


def _detect(data: bytes, error: UnicodeDecodeError) -> str:
    """charset_normalizer's guess, but windows-1252 whenever it decodes the bytes into plain Western text,
    or reads about as well as the guess (within `_PREFERENCE_MARGIN` of its chaos).

    Short Latin text cannot tell windows-1252 from other code pages (cp1250, mac_latin2, cp1257, …), and
    charset_normalizer even ranks it below them on Dutch words such as `één`, whose repeated accents its
    chaos measure counts as noise where a caron in `ťťn` is not; Dutch pages that are not UTF-8 are
    windows-1252.
    """
    from charset_normalizer import from_bytes

    try:
        preferred = data.decode(_PREFERRED)
    except UnicodeDecodeError:
        preferred = None
    if preferred is not None and _plain_western(preferred):
        return preferred
    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        raise error
    if preferred is None:
        return str(best)
    limit = best.chaos + _PREFERENCE_MARGIN
    for match in matches:  # equal decodings are merged into one match: the code page may be an alternative
        if match.encoding == _PREFERRED or _PREFERRED in match.could_be_from_charset:
            return preferred if match.chaos <= limit else str(best)
    # detection stopped before it tried windows-1252: measure it alone
    isolated = from_bytes(data, cp_isolation=[_PREFERRED], preemptive_behaviour=False).best()
    return preferred if isolated is not None and isolated.chaos <= limit else str(best)


# Besides letters, the characters outside ASCII that Western text uses: the code page's punctuation.
_WESTERN_SIGNS = frozenset("\u00a0€‚„…†‡‰‹›‘’“”•–—™«»°·©®§£¢¥´¨±")
_WORD = re.compile(r"[^\W\d_]+")


def _plain_western(text: str) -> bool:
    """Whether `text` reads as Western European text: its non-ASCII characters are Latin-1 letters (and
    œ, Ÿ) or common punctuation, and the words that hold accented letters also hold plain ones (`één`,
    `privé`, `crème`: at most three in four accented), as Cyrillic, Greek or Hebrew bytes read as
    windows-1252 never do."""
    accented = letters = 0
    for char in text:
        if char < "\x80":
            continue
        if not (("À" <= char <= "ÿ" and char not in "×÷") or char in "œŒŸ" or char in _WESTERN_SIGNS):
            return False
    for word in _WORD.findall(text):
        if not word.isascii():
            letters += len(word)
            accented += sum(1 for char in word if char >= "\x80")
    return letters > 0 and accented * 4 <= letters * 3


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\n\t\f")
    return controls > max(8, len(sample) // 100)


def fingerprint_folder(raw_dir: Path) -> str:
    """A short digest of every page's path, size and modification time: it changes when a file is
    added, removed, replaced or touched, and costs one `stat` per file, never a read."""
    digest = hashlib.sha256()
    try:
        is_folder = raw_dir.is_dir()
    except OSError:
        is_folder = False
    for path in find_raw_files(raw_dir) if is_folder else []:
        try:
            stat = path.stat()
        except OSError:
            continue
        digest.update(utf8_bytes(f"{path.relative_to(raw_dir).as_posix()}\x1f{stat.st_size}\x1f{stat.st_mtime_ns}\n"))
    return digest.hexdigest()[:32]
