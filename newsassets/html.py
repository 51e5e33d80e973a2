"""An HTML page → its main text and metadata: trafilatura, plus what the project knows about news-page chrome.

Five steps, each guarded so that no input makes them raise (a broken page gives an empty or partial result):

1. **Prune** the parsed page before extraction: teaser rails (`Meer uit Buitenland`, related and "more news" lists,
   `Lees ook`, most-read boxes), share bars, cookie banners, newsletter sign-ups, comment sections, fact boxes,
   asides, navigation and footers. An element goes when its tag, class, id, role or aria-label names it so, or when
   it is the link-dense block under a rail heading (Dutch: `vocabulary.RAIL_HEADING`; English: related, more from …,
   read more, most read, recommended, sign up …; their like in some thirty other languages and scripts: `À lire
   aussi`, `Leia também`, `Mohlo by vás zajímat`, `Читайте также`, `関連記事`, `مقالات ذات صلة`), or the small box
   (up to 150 words) around a form field the reader fills in or ticks (a consent placeholder for an embed, a poll,
   a note field; a button alone is no such field), a pop-up card inside a sentence (a picture and links, a person's hover card with their latest stories), a list of the site's
   other stories inside the story (each item one link to the page's own site with a headline), or a box listing the
   story's tags (`rel="tag"` or `/tag/` links and at most a label), or another story's card set in the page (a
   short `<article>` whose heading links a headline to another page); never when it holds the article itself (an
   ancestor of the page's h1, or 40 % of its paragraph words). Under a rail heading, teaser cards (an `<article>`,
   a box whose picture and headline are links) are other stories however long their excerpts.
2. **Extract** with trafilatura, `favor_precision=True, include_comments=False` (its best setting on the
   Scrapinghub benchmark). Not `deduplicate`: trafilatura's cache is process-wide, so a page's text would
   depend on the pages extracted before it in the same process. Publication dates keep their time and offset
   and come out as naive UTC.
3. **Reunite** an article body that the page splits into several same-class containers (`article-body`,
   `story-body`, … around an advert or embed): trafilatura keeps one of them; the others' paragraphs are put
   back in page order. And a paragraph trafilatura's precision setting dropped from between two it kept, styled
   as they are and mostly not link text (a sentence holding a link, in its own nested boxes), is put back.
4. **Trim** the text: inline "read also" pointers (a label and a link's whole headline), a video's caption ending in
   its running time (`21.04.2024 | 3:18 min`); for a page whose metadata names no person, a line of only names above
   the story (its byline); a rail heading in the second half and everything below it (unless the story's next
   paragraph follows it: then it was a pointer inside the story), then from the end up: closing furniture (sign-up
   pitches, "follow us", share prompts, comment counters, copyright, tag, credit, provenance and source lines,
   contact addresses, separators), signatures and credits in any language (`credit_line`: the signers' line or
   biography, a label and names, a short line of names and agency codes), a heading or a line ending in a colon with
   nothing below it, lists and short paragraphs that are entirely link text, and headless teaser cards (a summary
   above a teaser age such as `1 uur geleden`, with its linked title).
5. **A second opinion** when the text is much shorter than the page's own article container
   (`itemprop="articleBody"`, an `article-body` class, `<article>`: trafilatura kept a box beside the story), or
   when the page shows almost no text and a script carries the story's markup (a Next.js flight payload,
   `__NEXT_DATA__`): that container or markup is extracted and trimmed the same way.

Pages larger than 2,000,000 characters are cut there; above 500,000, trafilatura's fallback extractors and its
date search in running text are skipped, so that no page takes seconds.

The rails themselves are read by `newsassets.rails`, a front's cards by `newsassets.pages`; the page patterns
(rail markup and headings, closing furniture, pitches) live in `newsassets.vocabulary`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from urllib.parse import urlsplit

from newsassets.bylines import (
    account_names,
    page_authors,
    signing_organisations,
    site_names,
    split_names,
    visible_byline_authors,
)
from newsassets.page_metadata import read_page_metadata
from newsassets.reading import absolute_url, site_of
from newsassets.standfirst import find_standfirst, marked_standfirsts, visible_text
from newsassets.vocabulary import (
    AGE,
    CLOSING_LINE,
    FURNITURE_HEADING,
    LIST_HEADING,
    PHOTO_CREDIT,
    RAIL_HEADING,
    RAIL_MARKUP,
    RAIL_TAGS,
    READING_TIME,
    RUNNING_TIME,
    SOURCES_HEADING,
    TRAILING_AGE,
    WORD,
    is_pitch,
    naive_utc,
    text_words,
)

# Elements that may carry a rail's heading: headings proper, and the spans and divs some sites style as one.
HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6", "header", "strong", "b", "span", "div", "p")

# A page longer than this is cut (the article stands near the top; what follows is rails and scripts) ...
_MAX_HTML_CHARS = 2_000_000
# ... and one longer than this skips trafilatura's fallback extractors and the date search in running text.
_LARGE_HTML_CHARS = 500_000
# Publication dates with their time and offset when the page gives them (`article:published_time`), else a day.
_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
# trafilatura's best setting on the Scrapinghub benchmark, for the page and for a second opinion on a part of it
_EXTRACTION = {"favor_precision": True, "include_comments": False}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]{0,200}\?>")  # lxml refuses a str that declares its encoding
# An element holding at least this share of the page's paragraph words is the article: never pruned.
_ARTICLE_SHARE = 0.4
# Rail-marked containers larger than this many words are kept unless mostly links (it is the page, not a rail).
_RAIL_MAX_WORDS = 400


@dataclass(frozen=True)
class HtmlExtraction:
    title: str | None
    text: str  # main text, one paragraph per line; '' when the page has no article
    published_at: datetime | None = None
    url: str | None = None
    site: str | None = None
    language: str | None = None  # ISO 639-1 code as the page declares it (`<html lang>`, `og:locale`), else None
    authors: tuple[str, ...] = ()  # as the page's metadata names them (`bylines.page_authors`)
    summary: str | None = None  # the standfirst under the headline (`standfirst.find_standfirst`), not in `text`
    error: str | None = None  # why the extraction gave up (`TypeError: …`); None when it ran


class ExtractionFailed(Exception):
    """The extractor raised on a page (a bug of ours or of a library, to report): not a page without an article."""


def extract_html(html: str, url: str | None = None) -> HtmlExtraction:
    """Main text through pruning, trafilatura and tail trimming. Never raises: where anything raises on a page
    (lxml and trafilatura raise a wide range of errors on broken markup), the extraction is empty and its
    `error` names the exception, so that a caller can tell a failure from a page without an article."""
    try:
        return _extract_html(html, url)
    except (Exception, RecursionError) as exc:
        return HtmlExtraction(title=None, text="", url=url, error=f"{type(exc).__name__}: {exc}"[:_ERROR_CHARS])


_ERROR_CHARS = 300  # an exception's message may quote the whole page


def _extract_html(html: str, url: str | None) -> HtmlExtraction:
    import trafilatura

    tree = parse_html(html)
    if tree is None:
        return HtmlExtraction(title=None, text="", url=url)
    language = _declared_language(tree)
    metadata = read_page_metadata(tree)  # before pruning: an author box may sit in what is pruned
    accounts = account_names(tree, metadata.author_values)  # the site's login accounts: no one signs as them
    persons = page_authors(tree, metadata.author_values, accounts)  # the markup's, before pruning
    _prune(tree, url)
    # the standfirst's candidates, before trafilatura, which may change the tree: the descriptions, then the marked
    standfirsts = [*metadata.descriptions, *marked_standfirsts(tree)]
    shown = visible_text(tree) if standfirsts else ""
    anchors = _anchor_texts(tree)
    chunks = _body_chunks(tree)
    paragraphs = _page_paragraphs(tree)  # before trafilatura, which changes the tree
    large = len(html) > _LARGE_HTML_CHARS
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        **_EXTRACTION,
        fast=large,  # the second opinions (readability, justext) cost seconds on a huge page
        date_extraction_params={"extensive_search": not large, "original_date": True, "outputformat": _DATE_FORMAT},
    )
    # who signed the story: a line or a short biography naming them under it is not the story
    # (trafilatura's byline is its reading of the page's text, so its names must look like names)
    signers = persons
    if document is not None and not persons:
        signers = [n for n in split_names(document.author or "", in_running_text=True) if n.casefold() not in accounts]
    bylined = [*signers, *sorted(accounts)]  # whose byline lines are no story: the signers and the login accounts
    signatures: list[str] = []  # the name lines cut from above or under the story
    extracted = document is not None
    if not extracted:  # nothing trafilatura would call an article: the page may render its story from a script
        text = _second_opinion(tree, "", anchors, url, bylined)
        if not text:
            return HtmlExtraction(title=None, text="", url=url)
        document = trafilatura.extract_metadata(tree, default_url=url)
    # the site's own name is no author beside a person
    sites = site_names(signers, (document.sitename, metadata.site_name, document.hostname))
    authors = [name for name in signers if name not in sites]
    if extracted:
        if document.body is not None:
            if chunks:
                _add_missing_chunks(document.body, chunks)
            _restore_dropped_paragraphs(document.body, paragraphs)
            text = _body_text(document.body, anchors, bylined, signatures, byline_on_top=not authors)
        else:
            text = document.text or ""
        text = _second_opinion(tree, text, anchors, url, bylined)
    if not authors:
        # the metadata names no one but the site: the signature under (or byline above) the story does, else the
        # visible byline, else the site, else the newsroom the JSON-LD names
        signed = [name for line in signatures for name in split_names(line, in_running_text=True)]
        authors = (
            signed or visible_byline_authors(tree, accounts) or sites or signing_organisations(metadata.author_values)
        )
    elif _names_more(byline := visible_byline_authors(tree, accounts), authors):
        authors = byline  # the metadata names one of the story's authors, the byline readers see all of them
    published_at = naive_utc(metadata.published) if metadata.published else None
    if published_at is None and document.date:
        try:
            published_at = naive_utc(datetime.fromisoformat(document.date))
        except ValueError:
            published_at = None
    title = metadata.headline_or(document.title or None, document.sitename)
    return HtmlExtraction(
        title=title,
        text=text,
        published_at=published_at,
        url=document.url or url,
        site=document.sitename or None,
        language=language or _language_code(document.language),
        authors=tuple(authors),
        summary=find_standfirst(standfirsts, shown, text, [title, *metadata.headings]) if shown else None,
    )


def _names_more(byline: list[str], authors: list[str]) -> bool:
    """Whether `byline` names every one of `authors` and more."""
    named = {name.casefold() for name in byline}
    return len(named) > len(authors) and all(name.casefold() in named for name in authors)


def _language_code(value: str | None) -> str | None:
    """`nl`, `nl-NL`, `nl_NL` → `nl`; None for anything else."""
    match = re.fullmatch(r"\s*([a-zA-Z]{2})(?:[-_][a-zA-Z0-9]{2,8})*\s*", value or "")
    return match[1].lower() if match else None


def _declared_language(tree) -> str | None:
    root = tree.getroottree().getroot()
    for value in (root.get("lang"), root.get("xml:lang"), *root.xpath("//meta[@property='og:locale']/@content")):
        if code := _language_code(value):
            return code
    return None


def parse_html(html: str):
    """The page as an lxml tree, or None; control characters and NULs (binary junk) are dropped first."""
    from trafilatura.utils import load_html

    html = clean_markup(html)
    if html is None:
        return None
    tree = load_html(html)
    if tree is None or not len(tree):
        return None
    _inline_ruby(tree)
    return tree


def _inline_ruby(tree) -> None:
    """`<ruby><rb>尹錫悦</rb><rp>（</rp><rt>ユンソンニョル</rt><rp>）</rp></ruby>` → `尹錫悦（ユンソンニョル）`: each ruby
    as plain text writes it, its words with their reading in brackets. Left as markup, the extractor breaks the
    paragraph at every annotated word (a Yomiuri page's lead came out as five lines)."""
    for ruby in list(tree.iter("ruby")):
        words, reading, brackets = [ruby.text or ""], [], []
        for part in ruby:
            tag = part.tag.lower() if isinstance(part.tag, str) else ""
            if tag == "rt":
                reading.append(part.text_content())
            elif tag == "rp":
                brackets.append(part.text_content().strip())
            elif tag:
                words.append(part.text_content())
            words.append(part.tail or "")
        opening, closing = (brackets[0], brackets[-1]) if len(brackets) >= 2 else ("（", "）")
        said = "".join(reading).strip()
        text = "".join(words).strip() + (f"{opening}{said}{closing}" if said else "")
        ruby.tail = text + (ruby.tail or "")
        drop_element(ruby)


def clean_markup(html: str) -> str | None:
    """The page as the parsers take it: at most `_MAX_HTML_CHARS`, no control characters or NULs, no XML
    declaration; None when there is no markup at all."""
    if not isinstance(html, str) or not html.strip():
        return None
    html = _XML_DECLARATION.sub("", _CONTROL.sub("", html[:_MAX_HTML_CHARS]), count=1)
    return html if "<" in html else None


def element_words(element) -> int:
    """Words in an element's text, its descendants' included (`text_words`)."""
    return text_words(" ".join(element.itertext()))


def _link_words(element) -> int:
    return sum(element_words(a) for a in element.iter("a", "ref"))


def _attributes(element) -> str:
    return " ".join(element.get(name, "") for name in ("class", "id", "role", "aria-label", "data-component"))


def _is_rail_heading(text: str, lists_only: bool = False) -> bool:
    """A heading over other stories (`Meer uit Buitenland`, `Related`); unless `lists_only`, or over furniture."""
    text = " ".join(text.split())
    if not text or len(text) > 80:
        return False
    return bool(
        RAIL_HEADING.match(text) or LIST_HEADING.match(text) or (not lists_only and FURNITURE_HEADING.match(text))
    )


def _prune(tree, url: str | None = None) -> None:
    """Drop rails, share bars, cookie banners and the like from the page, in place (see the module docstring);
    `url`, the page's own, tells its site's links from others'."""
    body = tree.find(".//body")
    if body is None:
        return
    paragraph_words = sum(element_words(p) for p in body.iter("p")) or 1
    protected = set()
    for h1 in body.iter("h1"):
        protected.update(h1.iterancestors())

    def is_article(element) -> bool:
        if element in protected or element.get("itemprop") == "articleBody":
            return True
        return sum(element_words(p) for p in element.iter("p")) >= _ARTICLE_SHARE * paragraph_words > 40

    doomed = []
    for element in body.iter():
        if not isinstance(element.tag, str) or element is body:
            continue
        tag = element.tag.lower()
        marked = tag in RAIL_TAGS or RAIL_MARKUP.search(_attributes(element))
        if not marked or is_article(element):
            continue
        words = element_words(element)
        if tag not in RAIL_TAGS and words > _RAIL_MAX_WORDS and _link_words(element) < 0.5 * words:
            continue
        doomed.append(element)
    for heading in body.iter(*HEADING_TAGS):
        if len(heading) > 2:
            continue
        text = short_text(heading) or ""
        if _is_rail_heading(text):
            doomed.extend(_rail_under(heading, is_article))
        elif SOURCES_HEADING.match(text) and (sources := _sources_box(heading, is_article)) is not None:
            doomed.append(sources)
    measures = _Measures()
    for paragraph in body.iter("p"):
        doomed.extend(_popup_cards(paragraph, measures))
    site = _site_of(url or "")
    doomed.extend(listed for listed in body.iter("ul", "ol") if _lists_other_stories(listed, url or "", site))
    doomed.extend(_tag_lists(body, measures))
    doomed.extend(card for card in body.iter("article") if _is_embedded_card(card, is_article, url or ""))
    for control in body.iter("input", "select", "textarea"):
        if control.get("type", "").lower() != "hidden":
            doomed.extend(_widget_box(control, is_article, measures))
    for element in doomed:
        drop_element(element)


class _Measures:
    """An element's words, links and link words, each counted once: the rules below look at the same boxes around
    many pictures and form fields, and counting a large box again for each would take quadratic time."""

    def __init__(self) -> None:
        self._counts: dict = {}

    def _count(self, element) -> tuple[int, int, int]:
        if (counts := self._counts.get(element)) is None:
            links = len(element.findall(".//a"))
            counts = self._counts[element] = (element_words(element), links, _link_words(element))
        return counts

    def words(self, element) -> int:
        return self._count(element)[0]

    def is_link_box(self, element) -> bool:
        """Two links or more, and nearly all of the text theirs."""
        words, links, link_words = self._count(element)
        return links >= 2 and words > 0 and link_words >= 0.8 * words


def _popup_cards(paragraph, measures: _Measures) -> list:
    """The pop-up cards inside a paragraph's sentence: a box holding a picture and two links or more, nearly all
    of its text theirs (a person's card that opens on hover: their picture, their page, their latest stories),
    which the sentence would otherwise read as running into it (`Rep. Ilhan OmarIlhan OmarHillicon Valley: …`)."""
    cards: list = []
    for picture in paragraph.iter("img"):
        # the innermost such box around the picture: the card, not the link it opens from, which the sentence names
        for box in islice(picture.iterancestors(), _CARD_DEPTH):
            if box is paragraph:
                break
            if box.tag != "a" and measures.is_link_box(box):
                cards.append(box)
                break
    return list(dict.fromkeys(cards))  # a card holding two pictures, once


_CARD_DEPTH = 6  # a card's picture sits a few levels inside it


def _lists_other_stories(listed, url: str, site: str) -> bool:
    """Whether a list is the site's other stories, not the story's: two items or more, each one link to the same
    site whose text is a headline (four words or more) and most of the item (`„Über manches irritiert“: <a>Klingbeil
    greift Klöckner an</a>`). A list of shops' links (`Get it on Amazon for $39.99`) or of sources is not."""
    items = [item for item in listed if item.tag == "li"]
    if len(items) < 2:
        return False
    for item in items:
        links = list(islice(item.iter("a"), 2))  # two tell enough, however many the item holds
        if len(links) != 1 or _linked_site(url, links[0].get("href") or "") != site:
            return False
        linked = element_words(links[0])
        if linked < _HEADLINE_MIN_WORDS or linked < 0.5 * element_words(item):
            return False
    return True


# A list of the story's tags says at most a label beside its links (`Tags`, `Schlagworte:`, `Temas relacionados`).
_TAG_LABEL_WORDS = 3
_TAG_LIST_DEPTH = 4  # a tag sits in an item, the item in a list, the list in a box with its label


def _tag_lists(body, measures: _Measures) -> list:
    """The boxes that list the story's tags: two tag links or more (`rel="tag"`, or a link to the site's `/tag/`
    pages) and no more than a label beside them. A sentence that links a name to its tag page is the story's."""
    tags = [link for link in body.iter("a") if _is_tag_link(link)]
    if len(tags) < 2:
        return []
    held: dict = {}  # an element near the tags: its tag links' words and their number
    for link in tags:
        words = element_words(link)
        for element in islice(link.iterancestors(), _TAG_LIST_DEPTH):
            total, count = held.get(element, (0, 0))
            held[element] = total + words, count + 1
    boxes = []
    for link in tags:
        box = None
        for element in islice(link.iterancestors(), _TAG_LIST_DEPTH):
            if element is body or element.tag in ("article", "main"):
                break
            words, count = held[element]
            if measures.words(element) - words > _TAG_LABEL_WORDS:
                break
            if count >= 2:
                box = element
        if box is not None:
            boxes.append(box)
    return boxes


def _is_tag_link(link) -> bool:
    if "tag" in (link.get("rel") or "").lower().split():
        return True
    href = link.get("href") or ""
    if "tag" not in href.lower():
        return False  # (most links: no url to parse)
    try:
        parts = urlsplit(href)
    except ValueError:
        return False
    folders = parts.path.lower().split("/")[1:-1]
    return "tag" in folders or "tags" in folders or _TAG_QUERY.search(parts.query) is not None


_TAG_QUERY = re.compile(r"(?:^|&)tags?=", re.IGNORECASE)


# A headline, not a label or a name: four words or more (`Klingbeil greift Klöckner an`).
_HEADLINE_MIN_WORDS = 4


def _site_of(url: str) -> str:
    """A url's site, loosely: its host's last two labels, three under a country's second level (`bbc.co.uk`);
    '' where it has no host."""
    labels = (site_of(url) or "").split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _linked_site(url: str, href: str) -> str | None:
    """The site a link on the page at `url` leads to; None for a link no url parser reads (`http://[broken`)."""
    linked = absolute_url(url, href)
    return _site_of(linked) if linked is not None else None


_SECOND_LEVEL = {"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or"}


# A widget inside the story (a consent placeholder for an embed, a poll, a sign-up box) is at most this many words.
_WIDGET_MAX_WORDS = 150


def _widget_box(control, is_article, measures: _Measures) -> list:
    """The largest box around a form control that is small and not the story: text that asks the reader to act
    (`Externen Inhalt anzeigen`, `Ich bin damit einverstanden, dass …`), not the story; [] when there is none."""
    box = None
    for ancestor in islice(control.iterancestors(), _WIDGET_DEPTH):
        if ancestor.tag in ("body", "html") or measures.words(ancestor) > _WIDGET_MAX_WORDS or is_article(ancestor):
            break
        box = ancestor
    return [box] if box is not None and next(box.iter("p"), None) is not None else []


_WIDGET_DEPTH = 8  # a form field sits a few levels inside its box


# A box of sources under a story: its heading and a short list, in a container of at most this many words.
_SOURCES_MAX_WORDS = 150


def _sources_box(heading, is_article):
    """The container of a sources heading and the list it opens (`Verwendete Quellen` over `Eigene Recherche`,
    `foxnews.com: …`): the citations, not the story; None when the heading stands in running text."""
    parent = heading.getparent()
    if parent is None or parent.tag in ("body", "html") or is_article(parent):
        return None
    if element_words(parent) > _SOURCES_MAX_WORDS or next(parent.iter("ul", "ol"), None) is None:
        return None
    return parent


def _rail_under(heading, is_article) -> list:
    """The rail a heading opens: its smallest container that is mostly links, or the link lists and teaser cards
    that follow it (or follow the box that holds only the heading)."""
    container, heading_words = heading, element_words(heading)
    while True:
        parent = container.getparent()
        if parent is None or parent.tag in ("body", "html") or is_article(parent):
            break
        words = element_words(parent)
        if words > _RAIL_MAX_WORDS or _link_words(parent) < 0.5 * (words - heading_words):
            break
        container = parent
    if element_words(container) > heading_words:
        return [container]
    rail = [container]
    for sibling in container.itersiblings():
        if not isinstance(sibling.tag, str):
            continue
        if sibling.tag in ("h1", "h2", "h3") or is_article(sibling):
            break
        words = element_words(sibling)
        if words == 0:
            continue
        if _link_words(sibling) < 0.5 * words and not _is_teaser_card(sibling):
            break
        rail.append(sibling)
    return rail if len(rail) > 1 else []  # a heading over running text is a subhead (`Reacties`), not a rail


def _is_teaser_card(element) -> bool:
    """Another story's card, however long its excerpt: an `<article>`, or a box whose picture and headline (four
    words or more) are links."""
    if element.tag == "article":
        return True
    links = element.findall(".//a")
    return any(link.find(".//img") is not None for link in links) and any(
        element_words(link) >= _HEADLINE_MIN_WORDS for link in links
    )


def _is_embedded_card(element, is_article, url: str) -> bool:
    """Another story's card set inside the page (`Eskalation in Nahost: <a>Aktuelle News zur Lage in Israel</a>`
    over its excerpt): a short `<article>` that is not the story, whose heading links a headline (four words or
    more, not a section's name) to another page (not the story's own permalink)."""
    if element_words(element) > _CARD_MAX_WORDS or is_article(element):
        return False
    page = url.split("#")[0].rstrip("/")
    for heading in element.iter("h2", "h3", "h4", "h5", "h6"):
        for link in heading.iter("a"):
            href = (link.get("href") or "").split("#")[0]
            if element_words(link) < _HEADLINE_MIN_WORDS or not href:
                continue
            if (absolute_url(url or None, href) or "").rstrip("/") != page:
                return True
    return False


def drop_element(element) -> None:
    """Remove an element but keep its tail text (which belongs to the parent)."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail and tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


# A teaser card's summary is at most this long.
_CARD_MAX_WORDS = 60
# A class naming an article's body: `article-body`, `article__body`, `story-body`, `entry-content`, `post-text` …
_BODY_CLASS = re.compile(r"(?:^|\s)\S*(?:article|story|post|entry|artikel)-(?:body|content|text|tekst)\S*(?:\s|$)")
# A chunk of a split article body carries at least this many words of paragraphs, and few links.
_CHUNK_MIN_WORDS = 50
_CHUNK_MAX_LINK_SHARE = 0.3


def normal_text(element) -> str:
    """An element's text, descendants' included, with white space runs made one space."""
    return " ".join(" ".join(element.itertext()).split())


def short_text(element, limit: int = 120) -> str | None:
    """The element's normalised text when it is short enough to be a heading, else None (without reading it all)."""
    parts, length = [], 0
    for part in element.itertext():
        parts.append(part)
        length += len(part)
        if length > 4 * limit:
            return None
    text = " ".join(" ".join(parts).split())
    return text if len(text) <= limit else None


def _body_class(element) -> str | None:
    """The element's class, separators made `-`, when it names an article's body (`article__body`), else None."""
    css = re.sub(r"[_-]+", "-", (element.get("class") or "").lower())
    return css if css and _BODY_CLASS.search(css) else None


def _body_chunks(tree) -> list[list[str]]:
    """An article body the page splits into several same-class containers (between them: ads, embeds): the
    paragraphs of each, in page order. Trafilatura keeps only one of them; empty when the page has one body."""
    body = tree.find(".//body")
    if body is None:
        return []
    groups: dict[tuple[str, str], list] = {}
    for element in body.iter("div", "section", "article"):
        if css := _body_class(element):
            groups.setdefault((element.tag, css), []).append(element)
    for members in groups.values():
        members = [m for m in members if not any(a in members for a in m.iterancestors())]
        if len(members) < 2:
            continue
        chunks = []
        for member in members:
            paragraphs = [normal_text(p) for p in member.iter("p", "h2", "h3", "h4")]
            paragraphs = [p for p in paragraphs if p]
            words = sum(len(WORD.findall(p)) for p in paragraphs)
            if words >= _CHUNK_MIN_WORDS and _link_words(member) <= _CHUNK_MAX_LINK_SHARE * words:
                chunks.append(paragraphs)
        if len(chunks) >= 2:
            return chunks
    return []


def _add_missing_chunks(body, chunks: list[list[str]]) -> None:
    """Put the body chunks trafilatura left out before or after the one it kept, in page order."""
    from lxml import etree

    def key(text: str) -> str:  # the words only: inline markup spaces the same text differently
        return " ".join(WORD.findall(text))

    present = {key(normal_text(element)) for element in body.iter() if isinstance(element.tag, str)}

    def kept(chunk: list[str]) -> bool:
        return sum(key(p) in present for p in chunk) * 2 > len(chunk)

    flags = [kept(chunk) for chunk in chunks]
    if not any(flags) or all(flags):
        return
    first = flags.index(True)
    position = 0
    for index, chunk in enumerate(chunks):
        if flags[index]:
            continue
        for paragraph in chunk:
            if key(paragraph) in present:  # a chunk trafilatura kept in part: its kept paragraphs are not added twice
                continue
            element = etree.Element("p")
            element.text = paragraph
            if index < first:
                body.insert(position, element)
                position += 1
            else:
                body.append(element)


@dataclass(frozen=True)
class _Paragraph:
    key: str  # its letters, as `_letters_key` reads them
    text: str
    style: tuple  # its class, and its parent's tag and class: the story's paragraphs share theirs
    words: int
    link_words: int


def _letters_key(element) -> str:
    """An element's letters and digits only: the page and the extraction space the same text differently
    (`3<sup>rd</sup>` is `3 rd` in one, `3rd` in the other)."""
    return "".join(_LETTERS.findall("".join(element.itertext())))


_LETTERS = re.compile(r"\w+")


def _page_paragraphs(tree) -> list[_Paragraph]:
    """The pruned page's paragraphs (`<p>`), in page order."""
    body = tree.find(".//body")
    if body is None:
        return []
    paragraphs = []
    for element in body.iter("p"):
        text = normal_text(element)
        if not text:
            continue
        parent = element.getparent()
        style = (element.get("class"), parent.tag, parent.get("class")) if parent is not None else (None,)
        words = len(WORD.findall(text))
        paragraphs.append(_Paragraph(_letters_key(element), text, style, words, _link_words(element)))
    return paragraphs


# A paragraph trafilatura dropped is put back when it has at least this many words (a sentence, not a label).
_RESTORE_MIN_WORDS = 8


def _restore_dropped_paragraphs(body, paragraphs: list[_Paragraph]) -> None:
    """Put back the paragraphs trafilatura's precision setting dropped from inside the story: a paragraph that
    stands between two it kept, styled as one of them (the same class, in the same kind of container), a sentence
    whose words are mostly not a link's (`He has also accused other member nations of <a>relying too much on the
    strength of the US military</a> and its defence spending …`). A caption, a card or a promotion between them
    is styled otherwise, or all link."""
    from lxml import etree

    blocks = {}  # a kept text's letters, and their start → the top-level block of the extraction that holds it
    for block in body:
        if isinstance(block.tag, str):
            for element in block.iter():
                if isinstance(element.tag, str) and (key := _letters_key(element)):
                    blocks.setdefault(key, block)
                    blocks.setdefault(key[:_KEY_START], block)

    def block_of(paragraph: _Paragraph):
        # (trafilatura may have cut a link out of a paragraph it kept: the start tells it)
        block = blocks.get(paragraph.key)
        return block if block is not None else blocks.get(paragraph.key[:_KEY_START])

    kept = [index for index, paragraph in enumerate(paragraphs) if block_of(paragraph) is not None]
    if len(kept) < 2:
        return
    previous, after = kept[0], block_of(paragraphs[kept[0]])  # the next restored paragraph goes after `after`
    following = iter(kept[1:])
    upcoming = next(following)
    for index in range(kept[0] + 1, kept[-1]):
        paragraph = paragraphs[index]
        if index == upcoming:
            previous, after = index, block_of(paragraph)
            upcoming = next(following, kept[-1])
            continue
        if paragraph.style not in (paragraphs[previous].style, paragraphs[upcoming].style):
            continue
        if (
            paragraph.words < _RESTORE_MIN_WORDS
            or 2 * paragraph.link_words >= paragraph.words
            or not _SENTENCE_END.search(paragraph.text)
        ):
            continue
        restored = etree.Element("p")
        restored.text = paragraph.text
        after.addnext(restored)
        after = blocks[paragraph.key] = restored


# A paragraph and a text of the extraction that start with the same this many letters are the same paragraph.
_KEY_START = 40


# A text with fewer words than this share of the page's own article container lost the article to a box beside it.
_RESCUE_SHARE = 0.5
# ... when that container holds at least this many paragraph words.
_RESCUE_MIN_WORDS = 100
# A text this short may belong to a page that renders its article from a script (Next.js, Nuxt and kin).
_SCRIPT_RESCUE_MAX_WORDS = 150
# A script string literal this long that holds paragraphs may be the article's markup.
_SCRIPT_LITERAL = re.compile(r'"((?:[^"\\]|\\.){400,})"')
_ARTICLE_MARKUP = re.compile(r"<p[\s>]", re.IGNORECASE)


def _second_opinion(tree, text: str, anchors: set[str], url: str | None, signers: Sequence[str] = ()) -> str:
    """The article's text from the page's own article container, or from the markup a script carries, when
    trafilatura's text is much shorter: it kept a print header or reprint notice beside the story, or the page
    renders its story from a script."""
    words = len(WORD.findall(text))
    candidates = [_article_container(tree)]
    if words < _SCRIPT_RESCUE_MAX_WORDS:
        candidates.append(_script_article(tree))
    for container in candidates:
        if container is None:
            continue
        container_words = sum(element_words(p) for p in container.iter("p"))
        if container_words < _RESCUE_MIN_WORDS or words >= _RESCUE_SHARE * container_words:
            continue
        rescued = _extract_text(container, anchors, url, signers)
        if len(WORD.findall(rescued)) > words:
            return rescued
    return text


def _article_container(tree):
    """The element the markup names as the article's body (`itemprop="articleBody"`, an `article-body` class,
    `<article>`) with the most paragraph words, few of them link text; None when there is none."""
    body = tree.find(".//body")
    if body is None:
        return None
    best, best_words = None, 0
    for element in body.iter("article", "div", "section", "main"):
        if not (element.tag == "article" or element.get("itemprop") == "articleBody" or _body_class(element)):
            continue
        words = sum(element_words(p) for p in element.iter("p"))
        if words > best_words and _link_words(element) <= _CHUNK_MAX_LINK_SHARE * words:
            best, best_words = element, words
    return best


def _script_article(tree):
    """The article markup a script carries as a string (a Next.js flight payload, `__NEXT_DATA__`, a Nuxt state):
    of the long string literals that decode to markup with paragraphs, the one with the most paragraph words,
    as an element; None when no script carries any."""
    import json

    from lxml import html as lxml_html

    best, best_words = None, 0
    for script in tree.iter("script"):
        if script.get("src") or not script.text or not _ARTICLE_MARKUP.search(script.text.replace("\\u003c", "<")):
            continue
        for literal in _SCRIPT_LITERAL.finditer(script.text):
            try:
                markup = json.loads(f'"{literal[1]}"')
            except ValueError:
                continue
            if len(_ARTICLE_MARKUP.findall(markup)) < 2:
                continue
            try:
                fragment = lxml_html.fragment_fromstring(markup, create_parent="div")
            except Exception:  # lxml refuses some fragments outright
                continue
            words = sum(element_words(p) for p in fragment.iter("p"))
            if words > best_words:
                best, best_words = fragment, words
    return best


def _extract_text(container, anchors: set[str], url: str | None, signers: Sequence[str] = ()) -> str:
    """Trafilatura's text of one element of the page, trimmed as the page's own."""
    import copy

    import trafilatura

    document = trafilatura.bare_extraction(
        copy.deepcopy(container),  # as the root of its own tree, as trafilatura reads a fragment
        url=url,
        with_metadata=False,
        **_EXTRACTION,
        fast=True,
    )
    if document is None or document.body is None:
        return ""
    return _body_text(document.body, anchors, signers)


# The parts of a card that its link may hold besides its text as a whole: its headline and its summary.
_CARD_PARTS = ("p", "h1", "h2", "h3", "h4", "h5", "h6")


def _anchor_texts(tree) -> set[str]:
    """The texts of the page's links, and of the paragraphs and headings inside a link (a card whose link holds
    its headline and summary), whitespace-normalised: an extracted line equal to one was link text."""
    body = tree.find(".//body")
    if body is None:
        return set()
    texts = (normal_text(part) for a in body.iter("a") for part in a.iter("a", *_CARD_PARTS))
    return {text for text in texts if text}


# Between the links of a line of links: `Profile: Michal Redl | Pavel Kos`, `Politik · Wirtschaft`.
_LINK_SEPARATOR = re.compile(r"\s+[|·•]\s+")
_LABEL = re.compile(r"^[^:|·•]{1,40}:\s+")


def _linked_words(block, anchors: set[str]) -> int:
    """Words of an extracted block that were link text: whole lines (paragraph, list item) equal to a link, and
    the links of a line of links (`Label: link | link | link`)."""
    lines = list(block.iter("item")) if block.tag == "list" else [block]
    linked = 0
    for line in lines:
        text = normal_text(line)
        if text in anchors:
            linked += len(WORD.findall(text))
        elif len(parts := _LINK_SEPARATOR.split(_LABEL.sub("", text))) > 1:
            linked += sum(len(WORD.findall(part)) for part in parts if part in anchors)
    return linked


def _closing_reason(block, anchors: set[str], signers: Sequence[str] = (), cards: bool = True) -> str | None:
    """Why a block at the end of the text is not the article's end, or None when it may be; `cards`: a paragraph
    that is link text is a card's (not where a link wraps the whole story)."""
    text = normal_text(block)
    words = element_words(block)
    if not text or (len(text) <= _CREDIT_MAX_CHARS and CLOSING_LINE.match(text)):
        return "closing line"  # (no closing line is longer; past that length its patterns cost time)
    if credit := credit_line(text, signers):
        return credit
    if _is_rail_heading(text):
        return "rail heading"
    if AGE.fullmatch(text):
        return "teaser age"  # `1 uur geleden`, `gisteren 14:05`: a teaser's, never the story's last line
    if block.tag == "head":
        return "heading"
    if text.endswith(":") and words <= _CREDIT_MAX_WORDS:
        return "announcement"  # `Mehr dazu in unserem Liveblog:` over what the page no longer shows
    if words <= 60 and is_pitch(text):
        return "pitch"
    if block.tag == "list" and words and _linked_words(block, anchors) >= 0.6 * words:
        return "link list"
    if cards and block.tag == "p" and words <= 25 and _linked_words(block, anchors) >= 0.6 * words:
        return "link paragraph"
    if cards and block.tag == "p" and text in anchors:
        return "card text"  # a card's summary or excerpt: a paragraph inside a link to another story
    return None


# A credit's label: one to four words and a colon (`Redaktion:`, `Sendung:`, `Dieses Thema im Programm:`).
_CREDIT_LABEL = re.compile(r"^\(?[^\W\d_][\w'’-]*(?:\s+[\w'’-]+){0,3}\s*:\s*\S")
# A sentence ends in a full stop, question or exclamation mark (quotes and brackets may follow), as the scripts
# write them: the ideographic ones, the danda (`।`, Hindi), the Arabic question mark and the Urdu full stop, the
# Armenian, Ethiopic and Burmese full stops.
_SENTENCE_END = re.compile(r"[.!?…。！？।॥؟۔։።။]['\"’”»)\]]*$")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[a-z]{2,}", re.IGNORECASE)
# A signature or credit is at most this many words; a contributor's biography under the story at most that many.
_CREDIT_MAX_WORDS = 25
_BIOGRAPHY_MAX_WORDS = 80
_CREDIT_MAX_CHARS = 2000
# A line of only capitalised words (names, a newsroom, agency codes) is a signature up to this many words.
_SIGNATURE_MAX_WORDS = 6


def credit_line(text: str, signers: Sequence[str] = ()) -> str | None:
    """Why a paragraph under a story is its signature or credits, in any language, or None: a line naming who
    signed the story, or a short biography of them; a contact address; a label and names (`Redaktion: …`,
    `Sendung: …`) that is no sentence; a short line of only capitalised words and agency codes (`André Schmidt`,
    `MDR (dst)`, `SDA/sep`)."""
    if len(text) > _CREDIT_MAX_CHARS:
        return None  # longer than any biography: running text (and a giant token costs the patterns time)
    words = WORD.findall(text)
    if len(words) <= _BIOGRAPHY_MAX_WORDS and any(_names_first(name, words) for name in signers):
        return "signer"  # `Lance Ulanoff makes …`, `Der Berliner Imam Abdul Adhim Kamouss ist …`, `Lê Phương`
    if len(words) <= _BIOGRAPHY_MAX_WORDS and _JOURNALIST.search(text) and _names_early(signers, words):
        return "signer"  # `A 38-year industry veteran and award-winning journalist, Lance has covered …`
    if len(words) > _CREDIT_MAX_WORDS:
        return None
    if _EMAIL.search(text):
        return "contact"
    label = _CREDIT_LABEL.match(text)
    value = text[label.end() - 1 :] if label else ""
    if label and text.endswith(".") and _name_like(value.rstrip(".")):
        return "credit"  # `Our Standards: The Thomson Reuters Trust Principles.`, not `Lakers: Visit the Thunder.`
    if _SENTENCE_END.search(text):
        return None
    if label and _name_like(value, minor_words=True):
        return "credit"
    letter_words = sum(not word.isdigit() for word in words)
    if letter_words >= 2 and len(words) <= _SIGNATURE_MAX_WORDS and _name_like(re.sub(r"\([^)]*\)", " ", text)):
        return "signature"
    return None


# A biography's word for what the author does: `journalist`, `reporter`, `Redakteurin`, `verslaggever`.
_JOURNALIST = re.compile(
    r"\b(?:journalist|reporter|editor|correspondent|columnist|writer|redakteur|korrespondent|autor|verslaggever"
    r"|redacteur|journaliste|rédacteur|periodista|giornalista)\w*",
    re.IGNORECASE,
)


def _names_early(signers: Sequence[str], words: list[str], within: int = 15) -> bool:
    """Whether a signer's first name or surname (of a person's name: two words or more) is among the first
    `within` words: the subject of a biography that opens with an apposition."""
    early = set(words[:within])
    for name in signers:
        parts = WORD.findall(name)
        if len(parts) >= 2 and not name.isupper() and (parts[0] in early or parts[-1] in early):
            return True
    return False


def _names_first(name: str, words: list[str]) -> bool:
    """Whether a signer's name opens the paragraph's words (within its first four, after an apposition) or is
    all of them; a name in capitals is a newsroom's, not a person's, and must be all of them."""
    name_words = WORD.findall(name)
    if not name_words:
        return False
    if words == name_words:
        return True
    if len(name_words) < 2 or name.isupper():
        return False
    n = len(name_words)
    return any(words[i : i + n] == name_words for i in range(min(4, len(words) - n + 1)))


# Small words a list of names may hold: `und`, `and`, `et`, `y`, `van`, `de`.
_MINOR_WORD = 3


def _name_like(text: str, minor_words: bool = False) -> bool:
    """Only names, codes and numbers: every word starts with a capital or a digit, or is an agency code after a
    slash (`SDA/sep`); with `minor_words`, also a short lowercase word between them (`und`, `and`, `van`)."""
    chunks = [chunk for chunk in re.split(r"[\s,|()–—-]+", text) if WORD.search(chunk)]
    if not any(WORD.search(chunk)[0][0].isupper() for chunk in chunks):
        return False  # a name at least, not only numbers (`R : 50,000₩`)
    for chunk in chunks:
        first = WORD.search(chunk)[0]
        if not (first[0].isupper() or first[0].isdigit() or (minor_words and len(first) <= _MINOR_WORD)):
            return False
    return True


# A pointer to another story inside the text: a short label, a colon or bar, and a link's whole text
# (`Les også: Tone Damli ofret musikkarrieren`, `Lees ook | Brand in Emmen`, `READ MORE: …`).
_INLINE_TEASER = re.compile(r"^(?P<label>[^\W\d_][\w'’-]*(?:\s+[\w'’-]+){0,2})\s*[:|»›>]\s*(?P<title>\S.{8,})$")


def _is_inline_teaser(block, anchors: set[str]) -> bool:
    """A paragraph that only points at another story: a short label and then, whole, the text of a link."""
    if block.tag != "p":
        return False
    match = _INLINE_TEASER.match(normal_text(block))
    if not match or len(WORD.findall(match["title"])) < 3:  # a headline, not a handle (`Account: @name`)
        return False
    return match["title"].strip() in anchors


_CAPTION_MAX_WORDS = 80


def _is_media_caption(block) -> bool:
    """A video's or a podcast's caption in the story: a paragraph that gives the item's running time and its date
    (`… Eskalation? 21.04.2024 | 3:18 min`, `02:57 Min.. Verfügbar bis 06.05.2024.`)."""
    if block.tag != "p" or element_words(block) > _CAPTION_MAX_WORDS:
        return False
    text = normal_text(block)
    return RUNNING_TIME.search(text) is not None and _DATE.search(text) is not None


# A date with its day, month and year: `21.04.2024`, `2024-04-21`, `4/21/24`.
_DATE = re.compile(r"\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}")


def _wrap_loose_text(body) -> None:
    """Text standing between the blocks of trafilatura's result (an age after a card's `<p>`) becomes a `<p>`."""
    from lxml import etree

    for child in list(body):
        if child.tail and child.tail.strip():
            loose = etree.Element("p")
            loose.text, child.tail = child.tail.strip(), None
            child.addnext(loose)
    if body.text and body.text.strip():
        loose = etree.Element("p")
        loose.text, body.text = body.text.strip(), None
        body.insert(0, loose)


# Link text is this share of the text or more: a link wraps the story (broken markup), its paragraphs are no cards.
_WRAPPED_SHARE = 0.8
# A line without a sentence's end under a closing line or a pitch is that widget's blurb up to this many words.
_WIDGET_LINE_MAX_WORDS = 20
# A byline line standing alone above the story is among its first this many paragraphs.
_BYLINE_WITHIN = 4


def _body_text(
    body,
    anchors: set[str],
    signers: Sequence[str] = (),
    signatures: list[str] | None = None,
    byline_on_top: bool = False,
) -> str:
    """Trafilatura's text of its result tree, after the trailing teaser block and closing furniture are cut;
    the signature lines cut (a name under the story; with `byline_on_top`, for a page whose metadata names no
    person, a line of only names among the first paragraphs) are added to `signatures`."""
    from trafilatura.xml import xmltotxt

    _wrap_loose_text(body)
    for block in list(body):
        if isinstance(block.tag, str) and (_is_inline_teaser(block, anchors) or _is_media_caption(block)):
            body.remove(block)
    if byline_on_top:
        paragraphs = [block for block in body if isinstance(block.tag, str) and normal_text(block)]
        for block in paragraphs[:_BYLINE_WITHIN]:
            line = normal_text(block)
            if block.tag != "p" or credit_line(line) != "signature":
                continue
            names = split_names(line, in_running_text=True)
            rest = " ".join(normal_text(other) for other in paragraphs if other is not block)
            if names and not any(name in rest for name in names):  # a name the story speaks of is its subject
                body.remove(block)
                if signatures is not None:
                    signatures.append(line)
                break
    _cut_leading_furniture(body, signers)
    blocks = [child for child in body if isinstance(child.tag, str)]
    cut = len(blocks)
    # a rail heading in the last part of the text: it and everything below it go, unless the story goes on under
    # it (`Leggi anche` over a link the extraction dropped, then the story's next paragraph)
    total = sum(element_words(b) for b in blocks) or 1
    seen = 0
    for index, block in enumerate(blocks):
        seen += element_words(block)
        if index > 0 and seen > 0.5 * total and _is_rail_heading(normal_text(block), lists_only=True):
            following = next((b for b in blocks[index + 1 :] if normal_text(b)), None)
            if following is None or not _is_story_paragraph(following, anchors):
                cut = index
                break
    # closing furniture, link-dense teaser items and headless teaser cards, from the end up; where nearly all the
    # text is inside links, a link wraps the story itself and its paragraphs are no cards
    cards = sum(element_words(b) for b in blocks if normal_text(b) in anchors) < _WRAPPED_SHARE * total
    after_age = False
    while cut > 1:
        block = blocks[cut - 1]
        text = normal_text(block)
        if (reason := _closing_reason(block, anchors, signers, cards)) is not None:
            if reason == "signature" and signatures is not None:
                signatures.append(text)
            after_age = bool(AGE.fullmatch(text))
            cut -= 1
        elif (after_age or TRAILING_AGE.search(text)) and element_words(block) <= _CARD_MAX_WORDS:
            # a card's summary above its age, or ending in it: with the card's linked title, if it has one
            after_age = False
            cut -= 2 if cut > 2 and normal_text(blocks[cut - 2]) in anchors else 1
        elif block.tag == "list" and cut > 2 and SOURCES_HEADING.match(normal_text(blocks[cut - 2])):
            cut -= 2  # `Quellen:` and the list of sources under it
        elif (
            cut > 2
            and block.tag in ("p", "head")
            and element_words(block) <= _WIDGET_LINE_MAX_WORDS
            and not _SENTENCE_END.search(text)
            and _closing_reason(blocks[cut - 2], anchors, signers, cards) in ("closing line", "pitch")
        ):
            cut -= 2  # a widget's short line under its furniture: `Jeden Montag …` under `Newsletter: Sport inside`
        else:
            break
    for block in blocks[cut:]:
        body.remove(block)
    text = xmltotxt(body, include_formatting=False)
    # a slot the site's template left unfilled (`$$ARTICLEAD$$`) is no text of the story
    lines = [line for raw in text.split("\n") if (line := _TEMPLATE_SLOT.sub("", raw).strip())]
    # a signer's line or biography may end the last block after a line break, under the story's last paragraph
    while len(lines) > 1 and credit_line(lines[-1], signers) == "signer":
        lines.pop()
    return "\n".join(lines)


# A template's slot the page was served with unfilled: `$$ARTICLEAD$$`, `%%AD_SLOT_2%%`; or, alone on its line,
# `{{ advert }}` (inside a sentence, braces may be the story's own: an article about templates).
_TEMPLATE_SLOT = re.compile(r"(?:\$\$|%%)[A-Z][A-Z0-9_]{2,40}(?:\$\$|%%)|^\s*\{\{\s*[\w.]{1,40}\s*\}\}\s*$")


def _is_story_paragraph(block, anchors: set[str]) -> bool:
    """A paragraph of running text, not a card's: sentences of its own, outside any link."""
    text = normal_text(block)
    return (
        block.tag == "p"
        and element_words(block) >= _STORY_PARAGRAPH_WORDS
        and text not in anchors
        and _linked_words(block, anchors) < 0.5 * element_words(block)
        and _SENTENCE_END.search(text) is not None
    )


# Longer than a headline: under a rail's heading comes a card's headline first, its summary (if any) after it.
_STORY_PARAGRAPH_WORDS = 25


def _leading_reason(text: str, signers: Sequence[str]) -> str | None:
    """Why a block among the first of the text is not the story, or None: a reading time, a publication stamp,
    the byline of the page's own authors, a photo credit standing as a paragraph."""
    if len(text) > _CREDIT_MAX_CHARS:
        return None
    if READING_TIME.fullmatch(text):
        return "reading time"  # `Lesedauer: 4 Minuten`, `Tempo de leitura: 1 minuto`
    if len(text.split()) > _STAMP_MAX_WORDS:
        return None
    if _is_timestamp(text):
        return "timestamp"  # `Stand: 22.04.2024, 06:00 Uhr`, `20 Nisan 2026•Güncelleme: 20 Nisan 2026`
    names = {name.casefold() for name in split_names(text)}
    if names and names <= {signer.casefold() for signer in signers}:
        return "byline"  # `Von Nina Magoley`, `Fatma Sevinç Çetin`: the names the metadata gives as the authors
    if PHOTO_CREDIT.fullmatch(text):
        return "photo credit"  # `Photo: AFP`, `Image: Phando Jikelo/Independent Newspapers`
    return None


# A date (`22.04.2024`, `2024-04-22`) or a clock time (`06:00`) in a line; a year (`20 Nisan 2026`).
_DATE_OR_CLOCK = re.compile(rf"{_DATE.pattern}|\b\d{{1,2}}:\d{{2}}\b")
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
# A stamp, a byline or a credit above the story is at most this many words.
_STAMP_MAX_WORDS = 12


def _is_timestamp(text: str) -> bool:
    """A line that is a date or time and little else: half its tokens or more hold digits, and it holds a date
    or a clock time, or a year and a day (not `Euro 2024`, a kicker)."""
    tokens = text.split()
    with_digits = sum(1 for token in tokens if any(c.isdigit() for c in token))
    dated = bool(_DATE_OR_CLOCK.search(text)) or (with_digits >= 2 and bool(_YEAR.search(text)))
    return dated and 2 * with_digits >= len(tokens)


def _cut_leading_furniture(body, signers: Sequence[str]) -> None:
    """Removes the reading time, stamps, byline and photo credits among the first paragraphs of the text."""
    blocks = [block for block in body if isinstance(block.tag, str) and normal_text(block)]
    for block in blocks[:_BYLINE_WITHIN]:
        if _leading_reason(normal_text(block), signers):
            body.remove(block)


def parse_datetime(value: str | None) -> datetime | None:
    """A `<time datetime>` with a time of day, as naive UTC; None for a bare date (no minutes to count) or junk."""
    if not value or not re.search(r"\d[T ]\d{1,2}:\d{2}", value):
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return naive_utc(moment)


def minutes_before(fetched_at: datetime, moment: datetime) -> int | None:
    """Whole minutes from `moment` to the capture time; None for a moment after the capture."""
    minutes = int((naive_utc(fetched_at) - moment).total_seconds() // 60)
    return minutes if minutes >= 0 else None
