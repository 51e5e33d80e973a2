"""Ok documents that hold no article, or that take too long to clean, become rejected rows with the reason.

The raw stage screens every document this way, so that `articles` can promise one article per ok document.
"""

from __future__ import annotations

from dataclasses import replace

from newsassets.cleaning import clean_page
from newsassets.limits import DocumentTimeout, time_limit
from newsassets.reading import OK, REJECTED, RawDocument

NO_ARTICLE = "no article: only boilerplate or navigation"


def screen_document(document: RawDocument, timeout_seconds: float) -> RawDocument:
    if document.status != OK or document.content is None:
        return document
    try:
        with time_limit(timeout_seconds):
            article = clean_page(document.content, document.source_format, document.url)
    except DocumentTimeout as exc:
        return replace(document, status=REJECTED, error=f"timeout: cleaning {exc}")
    except Exception as exc:  # one page's surprise must not stop the others
        return replace(document, status=REJECTED, error=f"cleaning failed: {type(exc).__name__}: {exc}")
    if article.word_count == 0:
        return replace(document, status=REJECTED, error=NO_ARTICLE)
    return document
