"""The per-page work of the stages, as plain functions of picklable values that `newsassets.workers` hands to its
worker processes: reading and screening a raw file, cleaning an article, reading a page's teasers.

Each never raises for a bad page: what goes wrong is that page's verdict, as it is in the run's own process.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path

from newsassets.cleaning import Article, clean_page
from newsassets.limits import DocumentTimeout, time_limit
from newsassets.pages import FRONT, front_teasers
from newsassets.rails import extract_html_teasers
from newsassets.reading import HTML, OK, RawDocument, failed_file, read_raw_file
from newsassets.screening import screen_page
from newsassets.teasers import Teaser, extract_teasers


@dataclass(frozen=True)
class Verdict:
    """What an earlier run decided about a page, kept while its content is the same."""

    content_sha256: str | None
    status: str
    error: str | None
    page_kind: str | None
    judge_seconds: float | None


@dataclass(frozen=True)
class FileTask:
    path: str
    root: str
    max_file_bytes: int
    timeout_seconds: float
    allowed_roots: tuple[str, ...] = ()
    known: dict[str, Verdict] = field(default_factory=dict)  # by doc_id: verdicts to keep for unchanged content


@dataclass(frozen=True)
class Screened:
    """A page read and judged, how long judging took, and what the worker read from it while it had the page in
    hand: the article judging cleaned (for `articles`) and the page's teasers (for `teasers`), so that neither
    stage reads or parses the page again."""

    document: RawDocument
    judge_seconds: float | None
    article: Article | None = None
    teasers: tuple[list[Teaser], str | None] | None = None  # as `timed_page_teasers` gives them; None: not read


def screen_file(task: FileTask) -> list[Screened]:
    """Every page of one raw file, read and screened; a page whose content is unchanged keeps its verdict."""
    root = Path(task.root)
    documents = read_raw_file(
        Path(task.path), root, task.max_file_bytes, allowed_roots=[Path(p) for p in task.allowed_roots]
    )
    screened = []
    for document in documents:
        before = task.known.get(document.doc_id)
        if before and document.status == OK and before.content_sha256 == document.content_sha256:
            kept = replace(document, status=before.status, error=before.error, page_kind=before.page_kind)
            screened.append(Screened(kept, before.judge_seconds))
            continue
        started = time.monotonic()
        document, article = screen_page(document, task.timeout_seconds)
        seconds = time.monotonic() - started
        teasers = None
        if document.status == OK and document.content is not None:
            teasers = timed_page_teasers(
                TeaserTask(
                    document.content, document.source_format, document.fetched_at, document.page_kind,
                    document.url, task.timeout_seconds,
                )
            )  # fmt: skip
        screened.append(Screened(document, seconds, article, teasers))
    return screened


def crashed_file(task: FileTask, reason: str) -> list[Screened]:
    """The row of a file whose reading killed its worker process, twice."""
    return [Screened(failed_file(Path(task.path), Path(task.root), f"reading failed: {reason}"), None)]


@dataclass(frozen=True)
class CleanTask:
    content: str
    source_format: str
    url: str | None
    timeout_seconds: float


def clean_article(task: CleanTask) -> Article:
    """The raw stage already rejected pages that time out or hold no article; the limit here only guards against a
    page that behaves differently the second time (an empty article, which the articles checks then report)."""
    try:
        with time_limit(task.timeout_seconds):
            return clean_page(task.content, task.source_format, task.url)
    except DocumentTimeout:
        return Article(title=None, dateline=None)


@dataclass(frozen=True)
class TeaserTask:
    content: str
    source_format: str
    fetched_at: datetime | None
    page_kind: str | None
    url: str | None
    timeout_seconds: float


def timed_page_teasers(task: TeaserTask) -> tuple[list[Teaser], str | None]:
    """`page_teasers` under the per-page time limit; a page that runs out of time or breaks the extractor has no
    teasers and says why (recorded in `teaser_pages.error`), and the other pages go on."""
    try:
        with time_limit(task.timeout_seconds):
            return page_teasers(task.content, task.source_format, task.fetched_at, task.page_kind, task.url), None
    except DocumentTimeout as exc:
        return [], f"timeout: reading the teasers {exc}"
    except Exception as exc:
        return [], f"teasers failed: {type(exc).__name__}: {exc}"


def teasers_as_json(teasers: list[Teaser]) -> str:
    """A page's teasers as JSON, to keep between stages; `teasers_from_json` reads them back as they were."""
    return json.dumps([asdict(t) for t in teasers], default=_iso, ensure_ascii=False)


def teasers_from_json(text: str) -> list[Teaser]:
    found = []
    for fields in json.loads(text):
        if fields.get("published_at"):
            fields["published_at"] = datetime.fromisoformat(fields["published_at"])
        found.append(Teaser(**fields))
    return found


def _iso(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def page_teasers(
    content: str, source_format: str, fetched_at: datetime | None, page_kind: str | None, url: str | None
) -> list[Teaser]:
    """A front's cards, or an article page's rail items."""
    if source_format == HTML and page_kind == FRONT:
        return front_teasers(content, fetched_at, url)
    if source_format == HTML:
        return extract_html_teasers(content, fetched_at, url)
    return extract_teasers(content, fetched_at)
