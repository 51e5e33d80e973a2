"""What a page says about its own story in machine-readable form: JSON-LD, `og:`/`article:` meta tags, `<time>`.

Publishers fill these for search engines and social cards, so they are the most reliable statement of a story's
headline, publication time and authors, in any language: the headline as the editor wrote it (where `<title>`
adds the site's name), the publication time with its time zone (where the visible text says "2 hours ago").
This module only reads them from a parsed page (lxml); `html` decides what to trust. No Dagster here, no I/O.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

# The JSON-LD types that are the page's story (a page also describes its site, its breadcrumbs, its images).
_ARTICLE_TYPE = re.compile(r"(?:Article|Posting|Report)$", re.IGNORECASE)
_PUBLISHED_META = (
    "//meta[@property='article:published_time' or @name='article:published_time' "
    "or @property='og:article:published_time' or @itemprop='datePublished' or @name='pubdate' "
    "or @name='publishdate' or @name='publish-date' or @name='dc.date.issued' or @name='DC.date.issued' "
    "or @name='sailthru.date' or @name='parsely-pub-date']/@content"
    " | //time[@itemprop='datePublished' or @pubdate]/@datetime"
)
_TITLE_META = "//meta[@property='og:title' or @name='og:title' or @name='twitter:title']/@content"
# The site's section the story stands in, which some sites add to the title as they add their name:
# `article:section`, and the names publishers give it (`content_category`, `section`, `category`).
_SECTION_META = (
    "//meta[@property='article:section' or @name='article:section' or @name='section' or @name='category'"
    " or @name='content_category']/@content"
)
# A story's summary for search engines and social cards, most often the standfirst readers see under the headline;
# in this order, as publishers word it for the story itself (a JSON-LD `description` is at times an image's caption).
_DESCRIPTION_META = (
    "//meta[@property='og:description' or @name='og:description']/@content",
    "//meta[@name='description' or @name='Description']/@content",
    "//meta[@name='twitter:description' or @property='twitter:description']/@content",
)


@dataclass(frozen=True)
class PageMetadata:
    headline: str | None = None  # the JSON-LD article's `headline`
    social_title: str | None = None  # `og:title`, else `twitter:title`
    published: datetime | None = None  # JSON-LD `datePublished`, else the `article:published_time` family
    author_values: list = field(default_factory=list)  # the JSON-LD articles' `author` values, as found
    site_name: str | None = None  # `og:site_name`, else the JSON-LD article's `publisher` name
    headings: list[str] = field(default_factory=list)  # the texts of the page's `<h1>`s
    page_title: str | None = None  # `<title>`
    hidden_headings: list[str] = field(default_factory=list)  # `<h1>`s marked for search engines or breadcrumbs
    descriptions: list[str] = field(default_factory=list)  # `og:description`, `description`, …, JSON-LD's; distinct
    sections: list[str] = field(default_factory=list)  # `article:section`, JSON-LD `articleSection`, …; distinct

    def headline_or(self, fallback: str | None, site: str | None = None) -> str | None:
        """The story's headline: the JSON-LD article's `headline` (by schema.org's definition the headline as
        the editor wrote it), else an `<h1>` that the page's other titles agree with (`og:title`, `<title>`,
        `fallback`: equal, or one the start of the other, as `Headline | Site`), else `og:title`, else
        `fallback`; then without a trailing ` | Site` or ` - Site` naming the site (`site_name`, or `site`), nor a
        trailing ` - Section` naming the page's section (`Headline-정치ㅣ한국일보`)."""
        titles = [t for t in (self.social_title, self.page_title, fallback) if t]
        hidden = {_normal(h) for h in self.hidden_headings}
        visible = [h for h in self.headings if _normal(h) not in hidden]
        agreed = next((h for h in visible if any(_agree(h, t) for t in titles)), None)
        headline = self.headline
        if headline and self.social_title and _normal(headline) in hidden:
            headline = None  # the search engines' headline, which the page hides from readers: not the story's
        if headline:
            # the headline readers see, where the JSON-LD one puts a kicker before it (`«Kicker»: Headline`)
            headline = next((h for h in visible if _after_kicker(headline, h)), headline)
        chosen = headline or agreed or self.social_title or fallback
        if not chosen:
            return None
        return _without_site(_without_site(chosen, [self.site_name, site]), self.sections)


def read_page_metadata(tree) -> PageMetadata:
    """The page's own statements about its story, from a tree `html.parse_html` made."""
    articles = list(article_nodes(tree))
    headline = next((html.unescape(h) for node in articles if (h := _text(node.get("headline")))), None)
    published = next((d for node in articles if (d := parse_timestamp(node.get("datePublished")))), None)
    if published is None:
        published = next((d for value in tree.xpath(_PUBLISHED_META) if (d := parse_timestamp(str(value)))), None)
    social = next((t for value in tree.xpath(_TITLE_META) if (t := _text(str(value)))), None)
    authors = [node["author"] for node in articles if node.get("author")]
    site = next(
        (s for value in tree.xpath("//meta[@property='og:site_name']/@content") if (s := _text(str(value)))), None
    )
    if site is None:
        site = next((s for node in articles if (s := _text(_name(node.get("publisher"))))), None)
    headings, hidden = [], []
    for h1 in tree.xpath("//h1"):
        if text := _text(h1.text_content()):
            headings.append(text)
            if _HIDDEN_HEADING.search(h1.get("class") or ""):
                hidden.append(text)
    page_title = next((t for value in tree.xpath("//title/text()") if (t := _text(str(value)))), None)
    descriptions = [str(value) for query in _DESCRIPTION_META for value in tree.xpath(query)]
    descriptions += [value for node in articles if isinstance(value := node.get("description"), str)]
    descriptions = list(dict.fromkeys(d for value in descriptions if (d := _text(html.unescape(value)))))
    sections = [str(value) for value in tree.xpath(_SECTION_META)]
    sections += [value for node in articles for value in _strings(node.get("articleSection"))]
    sections = list(dict.fromkeys(s for value in sections if (s := _text(value))))
    return PageMetadata(
        headline, social, published, authors, site, headings, page_title, hidden, descriptions, sections
    )


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


# An `<h1>` the page marks as one for search engines, a breadcrumb's or screen readers' only, not the headline
# readers see: `seotitle`, `breadcrumb__headline`, `sr-only`, `visually-hidden`.
_HIDDEN_HEADING = re.compile(r"seo|breadcrumb|sr-only|visually-?hidden|screen-?reader", re.IGNORECASE)


def _name(value) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return value.get("name") if isinstance(value, dict) else None


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def _after_kicker(headline: str, heading: str) -> bool:
    """Whether `headline` is `heading` with a kicker and a colon before it."""
    full, shown = _normal(headline), _normal(heading)
    if len(shown) < 10 or full == shown or not full.endswith(shown):
        return False
    return full[: len(full) - len(shown)].rstrip().endswith(":")


def _agree(heading: str, title: str) -> bool:
    a, b = _normal(heading), _normal(title)
    return a == b or (len(a) >= 10 and b.startswith(a))


# A site's name after a headline: `Headline | CBC News`, `Headline - Seznam Zprávy`, `Headline – MDR.DE`.
_SITE_SEPARATOR = re.compile(r"\s*(?:\||-|–|—|::|»|·|ㅣ)\s*$")


def _without_site(title: str, names: list[str | None]) -> str:
    title = " ".join(title.split())  # so that the name's length is the length of the title's ending
    for name in names:
        name = " ".join((name or "").split())
        if not name or not _normal(title).endswith(_normal(name)) or len(name) >= len(title):
            continue
        head = title[: len(title) - len(name)].rstrip()
        stripped = _SITE_SEPARATOR.sub("", head)
        if stripped != head and stripped:
            return stripped
    return title


def article_nodes(tree) -> Iterator[dict]:
    """Every JSON-LD object of the page typed as an article (`NewsArticle`, `ReportageNewsArticle`,
    `BlogPosting`, …), wherever it stands: a list, an `@graph`, inside a `WebPage`'s `mainEntity`."""
    for script in tree.xpath("//script[@type='application/ld+json']/text()"):
        try:
            data = json.loads(script)
        except (ValueError, RecursionError):
            continue
        for node in _nodes(data):
            types = node.get("@type")
            types = types if isinstance(types, list) else [types]
            if any(isinstance(t, str) and _ARTICLE_TYPE.search(t) for t in types):
                yield node


def _nodes(data, depth: int = 0) -> Iterator[dict]:
    if depth > 6:
        return
    if isinstance(data, list):
        for item in data:
            yield from _nodes(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        for key, value in data.items():
            if key != "author" and isinstance(value, dict | list):
                yield from _nodes(value, depth + 1)


def _text(value) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), None)
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return text or None


def parse_timestamp(value) -> datetime | None:
    """An ISO 8601 timestamp as pages write it (`2025-06-05T12:36:40+02:00`, `…Z`, `2025-06-05 12:36`,
    `2025-06-05`), with its time zone where it gives one; None for anything else."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        text += "T00:00"
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text.replace("Z", "+00:00").replace("z", "+00:00"))
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        return None
    return stamp if 1990 <= stamp.year <= 2100 else None
