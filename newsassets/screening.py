"""Every ok document is screened once: a front (a page of teaser cards), an article page, or a rejected row.

Pages that hold neither an article nor cards, or that take too long to read, become rejected rows with the
reason, so that `articles` can promise one article per ok article page and `teasers` reads every front.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from newsassets.cleaning import Article, clean_page
from newsassets.limits import DocumentTimeout, time_limit
from newsassets.pages import ARTICLE, FRONT, page_kind
from newsassets.reading import HTML, OK, REJECTED, RawDocument

NO_ARTICLE = "no article: only boilerplate or navigation"
# Bump when cleaning or page-kind rules change what a page yields: rows judged under older rules are judged again.
RULES_VERSION = "10"
# Verdicts that the rules decide (the others are about the bytes: empty, binary, undecodable, corrupt, …).
_RULED = ("no article", "timeout", "cleaning failed")


@dataclass(frozen=True)
class Judgement:
    """The settings a raw document was judged under. A row remembers them (`raw_documents.judged_under`), so a
    change of setting re-judges exactly the rows it can affect on the next run, with no full refresh."""

    max_file_bytes: int
    timeout_seconds: float
    rules: str = RULES_VERSION

    def label(self) -> str:
        return f"max_file_bytes={self.max_file_bytes};timeout_seconds={self.timeout_seconds:g};rules={self.rules}"

    @classmethod
    def parse(cls, label: str | None) -> Judgement | None:
        try:
            fields = dict(part.split("=", 1) for part in (label or "").split(";"))
            return cls(int(fields["max_file_bytes"]), float(fields["timeout_seconds"]), fields["rules"])
        except (KeyError, ValueError):
            return None


def needs_rejudging(
    status: str, error: str | None, largest_bytes: int, seconds: float | None, then: Judgement | None, now: Judgement
) -> bool:
    """Whether a row judged `then` could get another verdict under `now`: the size cap rises over a page rejected as
    too large or falls below a page read; the time limit rises over a timed-out page or falls below the time a
    page took; the rules change for a page they judged. `largest_bytes` is the most bytes the page was seen with
    (on disk or decompressed), `seconds` how long its screening took."""
    if then is None:
        return True
    error = error or ""
    ruled = status == OK or error.startswith(_RULED)
    if then.rules != now.rules and ruled:
        return True
    if error.startswith("too large"):
        return now.max_file_bytes > then.max_file_bytes
    if status == OK and now.max_file_bytes < largest_bytes:
        return True
    if error.startswith("timeout"):
        return now.timeout_seconds == 0 or now.timeout_seconds > then.timeout_seconds
    limit_fell = now.timeout_seconds != 0 and (then.timeout_seconds == 0 or now.timeout_seconds < then.timeout_seconds)
    return ruled and limit_fell and (seconds or 0) > now.timeout_seconds


def screen_document(document: RawDocument, timeout_seconds: float) -> RawDocument:
    return screen_page(document, timeout_seconds)[0]


def screen_page(document: RawDocument, timeout_seconds: float) -> tuple[RawDocument, Article | None]:
    """The document with its verdict, and the article the verdict was drawn from (None for a front or a rejected
    page), so that the articles stage need not clean the page a second time."""
    if document.status != OK or document.content is None:
        return document, None
    try:
        with time_limit(timeout_seconds):
            if document.source_format == HTML and page_kind(document.content) == FRONT:
                return replace(document, page_kind=FRONT), None
            article = clean_page(document.content, document.source_format, document.url)
    except DocumentTimeout as exc:
        return replace(document, status=REJECTED, error=f"timeout: cleaning {exc}"), None
    except Exception as exc:  # one page's surprise must not stop the others
        return replace(document, status=REJECTED, error=f"cleaning failed: {type(exc).__name__}: {exc}"), None
    if article.word_count == 0:
        return replace(document, status=REJECTED, error=NO_ARTICLE), None
    return replace(document, page_kind=ARTICLE), article
