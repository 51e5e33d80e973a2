"""An HTML page → its main text and metadata: trafilatura, plus what the project knows about news-page chrome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class HtmlExtraction:
    title: str | None
    text: str  # main text, one paragraph per line; '' when the page has no article
    published_at: datetime | None = None
    url: str | None = None
    site: str | None = None


def extract_html(html: str, url: str | None = None) -> HtmlExtraction:
    """Main text through trafilatura; never raises on malformed input."""
    import trafilatura

    try:
        document = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=False, deduplicate=True
        )
    except Exception:  # trafilatura and lxml raise a wide range of errors on broken markup
        document = None
    if document is None:
        return HtmlExtraction(title=None, text="", url=url)
    published_at = None
    if document.date:
        try:
            published_at = datetime.fromisoformat(document.date)
        except ValueError:
            published_at = None
    return HtmlExtraction(
        title=document.title or None,
        text=document.text or "",
        published_at=published_at,
        url=document.url or url,
        site=document.sitename or None,
    )
