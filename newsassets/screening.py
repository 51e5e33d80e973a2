"""Every ok document is screened once: a front (a page of teaser cards), an article page, or a rejected row.

Pages that hold neither an article nor cards, or that take too long to read, become rejected rows with the
reason, so that `articles` can promise one article per ok article page and `teasers` reads every front.
"""

from __future__ import annotations

from dataclasses import replace

from newsassets.cleaning import clean_page
from newsassets.limits import DocumentTimeout, time_limit
from newsassets.pages import ARTICLE, FRONT, page_kind
from newsassets.reading import HTML, OK, REJECTED, RawDocument

NO_ARTICLE = "no article: only boilerplate or navigation"


def screen_document(document: RawDocument, timeout_seconds: float) -> RawDocument:
    if document.status != OK or document.content is None:
        return document
    try:
        with time_limit(timeout_seconds):
            if document.source_format == HTML and page_kind(document.content) == FRONT:
                return replace(document, page_kind=FRONT)
            article = clean_page(document.content, document.source_format, document.url)
    except DocumentTimeout as exc:
        return replace(document, status=REJECTED, error=f"timeout: cleaning {exc}")
    except Exception as exc:  # one page's surprise must not stop the others
        return replace(document, status=REJECTED, error=f"cleaning failed: {type(exc).__name__}: {exc}")
    if article.word_count == 0:
        return replace(document, status=REJECTED, error=NO_ARTICLE)
    return replace(document, page_kind=ARTICLE)
