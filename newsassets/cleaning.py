"""A page → the article on it: title, dateline, agencies, publication date, language and a clean body.

The body keeps what an editor wrote (paragraphs, subheads) and loses what the site added around it:
chrome such as webmail prompts, the title printed twice, photo captions printed twice, metadata
prefixes and the teaser rail below the story.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache

from newsassets.bylines import byline_authors
from newsassets.html import ExtractionFailed, extract_html
from newsassets.teasers import split_rail
from newsassets.vocabulary import (
    BOILERPLATE_LINE,
    METADATA_DATE_PREFIX,
    parse_dateline,
    parse_metadata_date,
    text_words,
)

_SPACE = re.compile(r"[ \t\u00a0]+")
TITLE_MAX_CHARS = 250
TITLE_MAX_WORDS = 40
# A title may end like a sentence when it is one short sentence standing over a longer paragraph.
SENTENCE_TITLE_MAX_WORDS = 15
_SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-ZÀ-Þ‘’'\"“]")
# Fewer words than this from an HTML page is navigation the extractor fell back on, not an article.
MIN_HTML_ARTICLE_WORDS = 10
# The dateline opens the story's first paragraph; kickers, bylines or a standfirst may stand before it.
DATELINE_WITHIN = 5


@dataclass(frozen=True)
class Article:
    title: str | None
    dateline: str | None
    agencies: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    language: str | None = None
    summary: str | None = None  # the standfirst the page shows under its headline; never part of `body`
    lede: str = ""
    body: str = ""
    word_count: int = 0
    url: str | None = None  # as the page gives it (canonical link, og:url)
    site: str | None = None  # the site's name as the page gives it


def clean_page(content: str, source_format: str, url: str | None = None) -> Article:
    """Clean a decoded page of either format the reader produces ('text' dumps or 'html', whose `url` helps)."""
    if source_format == "html":
        return clean_html_page(content, url)
    return clean_text_page(content)


def clean_text_page(text: str, title: str | None = None, drop_repeats: bool = True) -> Article:
    """Clean a plain-text page dump. `title`, when known from metadata, replaces title detection.

    `drop_repeats` keeps a paragraph printed twice (a photo caption in a text dump) once. HTML turns it off:
    there the extractor gives each element once, and repeated lines are the page's own structure (the same
    question put to each interviewee, the same subheads under each day of a menu).
    """
    paragraphs = [_SPACE.sub(" ", line).strip() for line in split_rail(text).article.split("\n")]
    paragraphs = [p for p in paragraphs if p and not BOILERPLATE_LINE.match(p)]

    published_at = None
    if paragraphs and (prefix := METADATA_DATE_PREFIX.match(paragraphs[0])):
        published_at = parse_metadata_date(prefix["date"])
        paragraphs[0] = paragraphs[0][prefix.end() :].strip()
        paragraphs = [p for p in paragraphs if p]

    if title is None and len(paragraphs) > 1 and looks_like_title(paragraphs[0], paragraphs[1]):
        title = paragraphs[0]
    if title is not None:
        paragraphs = [p for p in paragraphs if p != title]

    if drop_repeats:
        paragraphs = list(dict.fromkeys(paragraphs))  # a caption printed twice stays once, where it first stood

    authors, byline_at = byline_authors(paragraphs)
    if byline_at is not None:  # `Door Jan Jansen` names the author; it is not part of the story
        del paragraphs[byline_at]

    place, agencies = None, []
    for index, paragraph in enumerate(paragraphs[:DATELINE_WITHIN]):
        if dateline := parse_dateline(paragraph):
            place, agencies = dateline.place, dateline.agencies
            paragraphs[index] = dateline.rest
            break

    body = "\n\n".join(p for p in paragraphs if p)
    return Article(
        title=title,
        dateline=place,
        agencies=agencies,
        authors=authors,
        published_at=published_at,
        language=detect_language(body),
        lede=paragraphs[0] if paragraphs else "",
        body=body,
        word_count=text_words(body),
    )


def clean_html_page(html: str, url: str | None = None) -> Article:
    """Main text and metadata from `html.extract_html`, then the text-dump rules except dropping repeated lines.

    The language is the body's as detected, else the one the page declares; fewer than MIN_HTML_ARTICLE_WORDS
    words is navigation the extractor fell back on: an empty body. Raises ExtractionFailed where the extractor
    raised on the page, so that its row names the failure rather than calling the page one without an article.
    """
    page = extract_html(html, url)
    if page.error:
        raise ExtractionFailed(page.error)  # the page's row says so (`cleaning failed: …`), not `no article`
    if text_words(page.text) < MIN_HTML_ARTICLE_WORDS:
        return Article(title=None, dateline=None, url=page.url, site=page.site)
    article = clean_text_page(page.text, title=page.title, drop_repeats=False)
    return replace(
        article,
        authors=list(page.authors) or article.authors,
        published_at=article.published_at or page.published_at,
        language=article.language or page.language,
        summary=page.summary,
        url=page.url,
        site=page.site,
    )


def looks_like_title(paragraph: str, next_paragraph: str = "") -> bool:
    """Short, not a dateline paragraph, and not running text.

    Real headlines end in `:` (`Nilüfer Gündogan verlaat politiek na verkiezingen:`), in `...` or `…`, and
    sometimes in a full stop (`Boeiende analyse van de koloniale wereld.`): such a line is a title when it is one
    sentence of at most SENTENCE_TITLE_MAX_WORDS words over a longer paragraph. A line ending in `,` or `;`, or
    a full stop after several sentences, is the start of the body.
    """
    words = len(paragraph.split())
    if len(paragraph) > TITLE_MAX_CHARS or words > TITLE_MAX_WORDS or parse_dateline(paragraph) is not None:
        return False
    if paragraph.endswith((",", ";")):
        return False
    if paragraph.endswith((":", "...", "…")) or not paragraph.endswith("."):
        return True
    return (
        words <= SENTENCE_TITLE_MAX_WORDS
        and not _SENTENCE_BREAK.search(paragraph)
        and len(next_paragraph.split()) > words
    )


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language by py3langid's bundled model; None for too little text."""
    if text_words(text) < 3:
        return None
    return _language_identifier().classify(text[:5000])[0]


@cache
def _language_identifier():  # the model takes a moment to load: once per process, and only when needed
    import py3langid

    return py3langid
