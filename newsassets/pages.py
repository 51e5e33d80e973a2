"""What kind of page an HTML document is, and the teaser cards of a front.

A **front** (homepage, section front) is a list of teaser cards with no main story; an **article** page has one
story, perhaps with rails of cards around it. The page says which it is in two ways, read in this order:

1. its own metadata: `og:type = article` or a JSON-LD `…Article` / `BlogPosting` type is an article page;
2. its structure: a *card* is a link of three words or more that sits in a heading or holds one, grown to the
   largest ancestor that holds no other card's link and at most 120 words. A page with at least
   `FRONT_MIN_CARDS` cards whose link-free paragraphs *outside* cards, navigation, headers and footers add up to
   fewer than four words per card (at least 150), and hold under a quarter of the words its cards hold, has no
   story of its own: a front. An article page's body stands outside its cards, however many rails it has, and is
   hundreds of words whatever its rails. Cards are headline links in or around headings, and, outside those,
   lists of links that repeat one markup shape with headline-long texts (fronts whose cards have no heading).

Measured on the real pages of `../shared/realdata` (27 German fronts, 149 fundus and 181 Zyte article pages):
fronts have 17–174 cards, 0–3.1 free words per card and 7.8–100+ times more words in cards than free; the three
article pages without article metadata and with eight cards or more have 0.2–1.4 times (one of them, a short
Russian article beside a list of eleven links: 104 free words, 9.5 per card, 1.1 times).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import urlsplit

from lxml import etree

from newsassets.html import (
    clean_markup,
    element_words,
    minutes_before,
    normal_text,
    parse_datetime,
    parse_html,
    short_text,
)
from newsassets.reading import absolute_url
from newsassets.teasers import Teaser, dated_teaser
from newsassets.vocabulary import AGE, READING_TIME, WORD, is_bare_clock, naive_utc, parse_age

_PARSER = etree.HTMLParser(huge_tree=True)
ARTICLE = "article"
FRONT = "front"
FRONT_MIN_CARDS = 8
FRONT_FREE_WORDS_PER_CARD = 4
FRONT_FREE_WORDS_FLOOR = 150
FRONT_CARD_TEXT_SHARE = 4  # a front's cards hold at least four times the words of its free paragraphs
CARD_MAX_WORDS = 120
CARD_MIN_LINK_WORDS = 3
# Links without a heading are headlines when at least this many share one markup shape, half of them this long.
REPEATED_MIN_LINKS = 4
REPEATED_MIN_WORDS = 5
BLOCK_HEADING_MAX_WORDS = 6
BLOCK_HEADING_MAX_CHARS = 80
KICKER_MAX_WORDS = 10
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BADGE_TAGS = {"label", "svg", "img", "button", "script", "style"}
# Markup that names a card's kicker, the words over its headline.
KICKER_MARKUP = re.compile(
    r"kicker|top-?line|top-?mark|overline|dachzeile|roofline|eyebrow|super-?title|pre-?title|spitzmarke|\btopic\b"
    r"|__topic|-topic\b|teaser-?label|\bflag\b",
    re.IGNORECASE,
)
# A byline standing in a heading after the headline, as an element of its own (a reading time: `READING_TIME`).
BYLINE = re.compile(
    r"(?:(?:Eine?|An?|Een|Der|Die|Das|The|De|Het)\s+[\w+-]+(?:\s+[\w+-]+)?\s+(?:von|by|door)|Von|By|Door)"
    r"\s+[A-ZÄÖÜ][\w.'’-]+(?:\s+[A-ZÄÖÜ][\w.'’-]+){0,3}(?:\s*[,;(].{0,80})?"
)
HIDDEN_MARKUP = re.compile(r"visually-?hidden|sr-only|screen-?reader|offscreen", re.IGNORECASE)
KICKER_SEPARATOR = re.compile(r"^\s*[:|–—·•-]?\s*")
# Markup that calls an element a moment (so a bare `03:30` in it is a time of day), or a length (so it is not).
TIME_MARKUP = re.compile(r"date|time|zeit|datum|stamp|publi|updat|clock|uhrzeit", re.IGNORECASE)
DURATION_MARKUP = re.compile(r"duration|dauer|length|lesezeit|reading|runtime|video-?time|player", re.IGNORECASE)
CLOCK = re.compile(r"\b(?P<hour>[01]?\d|2[0-3])[:.](?P<minute>[0-5]\d)\b")
ISO_OFFSET = re.compile(
    r"\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?P<sign>[+-])(?P<hours>[01]\d):?(?P<minutes>[0-5]\d)\b"
)
_CARD_CHROME = {"nav", "footer", "form"}  # menus and footers are full of headline-like links that are no cards
_PAGE_CHROME = {"nav", "header", "footer", "aside", "form"}
_ARTICLE_JSON_LD = re.compile(
    r'"@type"\s*:\s*\[?[^\]{}]*?"(?:\w*Article|BlogPosting|LiveBlogPosting|Report|Review)"', re.IGNORECASE
)


def page_kind(html: str) -> str:
    """`front` or `article` (also for pages too broken to tell: their extraction decides, as before)."""
    tree = _parse(html)
    if tree is None:
        return ARTICLE
    return kind_of_tree(tree)


def _parse(html: str):
    """The page as a plain lxml tree (a third of the cost of `lxml.html` elements to walk), else as
    `newsassets.html.parse_html` reads it; None for a page with no markup."""
    cleaned = clean_markup(html)
    if cleaned is None:
        return None
    try:
        tree = etree.fromstring(cleaned, _PARSER)
    except (ValueError, etree.LxmlError):
        tree = None
    return tree if tree is not None and len(tree) else parse_html(html)


def kind_of_tree(tree) -> str:
    if _declares_article(tree):
        return ARTICLE
    body = tree.find(".//body")
    if body is None:
        return ARTICLE
    cards = find_cards(body)
    if len(cards) < FRONT_MIN_CARDS:
        return ARTICLE
    free = _free_words(body, cards)
    free_words_limit = max(FRONT_FREE_WORDS_FLOOR, FRONT_FREE_WORDS_PER_CARD * len(cards))
    card_words = sum(element_words(card) for _, card, _ in cards)
    return FRONT if free < free_words_limit and card_words >= FRONT_CARD_TEXT_SHARE * free else ARTICLE


def _declares_article(tree) -> bool:
    og_type = tree.xpath("//meta[@property='og:type']/@content")
    if og_type and og_type[0].strip().lower() == "article":
        return True
    return any(
        _ARTICLE_JSON_LD.search(script or "") for script in tree.xpath("//script[@type='application/ld+json']/text()")
    )


def _headline_links(body) -> dict[str, list]:
    """Links of a few words inside a heading or holding one, by href, in page order; scripts' text never counts."""
    links: dict[str, list] = {}
    for link, href, ancestors in _candidate_links(body):
        inner = [e.tag for e in link.iterdescendants() if isinstance(e.tag, str)]
        if _HEADINGS.intersection(ancestors + inner):
            links.setdefault(href, []).append(link)
    return links


def _candidate_links(body) -> Iterator[tuple[object, str, list[str]]]:
    """(link, href, its ancestors' tags) of every link of a few words outside menus, footers and forms."""
    for link in body.iter("a"):
        href = (link.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")) or element_words(link) < CARD_MIN_LINK_WORDS:
            continue
        ancestors = [a.tag for a in link.iterancestors() if isinstance(a.tag, str)]
        if not _CARD_CHROME.intersection(ancestors):
            yield link, href, ancestors


def _repeated_links(body, taken: set) -> dict[str, list]:
    """Links outside the heading cards that repeat one markup shape (`<li><a class="item"><span>…`) with
    headline-long texts, as lists of cards without headings do, by href in page order."""
    shapes: dict[tuple, list] = {}
    for link, href, _ in _candidate_links(body):
        if link not in taken and not _inline(link):
            shapes.setdefault(_link_shape(link), []).append((link, href, element_words(link)))
    links: dict[str, list] = {}
    for members in shapes.values():
        counts = sorted(words for _, _, words in members)
        if len(members) >= REPEATED_MIN_LINKS and counts[len(counts) // 2] >= REPEATED_MIN_WORDS:
            for link, href, _ in members:
                links.setdefault(href, []).append(link)
    return links


def _inline(link) -> bool:
    """A link inside a sentence: its paragraph holds more than half again its words."""
    paragraph = next((a for a in link.iterancestors() if a.tag in ("p", "li", "td")), None)
    return paragraph is not None and paragraph.tag == "p" and element_words(paragraph) > 1.5 * element_words(link)


def _link_shape(link) -> tuple:
    """What a link looks like in the markup: its class and its parent's and grandparent's tags and classes."""
    parent = link.getparent()
    grandparent = parent.getparent() if parent is not None else None
    return (
        link.get("class"),
        *((e.tag, e.get("class")) if e is not None else (None, None) for e in (parent, grandparent)),
    )


def find_cards(body) -> list[tuple[str, object, object]]:
    """(href, card element, headline link) per distinct headline link, in page order: first the cards whose
    headline is a heading's link, then, outside them, lists of repeated headline-long links."""
    cards = _grown_cards(_headline_links(body))
    taken = {e for _, card, _ in cards for e in card.iter()}
    known = {href for href, _, _ in cards}
    repeated = {href: links for href, links in _repeated_links(body, taken).items() if href not in known}
    if not repeated:
        return cards
    extra = _grown_cards({**{href: [link] for href, _, link in cards}, **repeated}, grow=repeated)
    order = {element: index for index, element in enumerate(body.iter("a"))}
    return sorted(cards + extra, key=lambda card: order.get(card[2], 0))


def _grown_cards(links: dict[str, list], grow: dict[str, list] | None = None) -> list[tuple[str, object, object]]:
    """Each headline link of `grow` (default: all of `links`) grown to its card: its largest ancestor that holds no
    other link of `links` and at most `CARD_MAX_WORDS` words."""
    owner = {link: href for href, elements in links.items() for link in elements}
    cards = []
    for href, elements in (links if grow is None else grow).items():
        link = elements[0]
        card = link
        while True:
            parent = card.getparent()
            if parent is None or parent.tag in ("body", "html"):
                break
            hrefs = {owner[a] for a in parent.iter("a") if a in owner}
            if len(hrefs) > 1 or element_words(parent) > CARD_MAX_WORDS:
                break
            card = parent
        cards.append((href, card, link))
    return cards


def _free_words(body, cards) -> int:
    """Words of link-free paragraphs outside cards and page chrome: the text a story of the page's own would have."""
    inside = {card for _, card, _ in cards}
    free = 0
    for paragraph in body.iter("p"):
        ancestors = list(paragraph.iterancestors())
        if paragraph in inside or any(
            a in inside or (isinstance(a.tag, str) and a.tag in _PAGE_CHROME) for a in ancestors
        ):
            continue
        words = element_words(paragraph)
        if sum(element_words(a) for a in paragraph.iter("a")) < 0.3 * max(words, 1):
            free += words
    return free


def front_teasers(html: str, fetched_at: datetime | None, url: str | None = None) -> list[Teaser]:
    """Every card of a front as a teaser, in page order: kicker, headline, standfirst, absolute url, time, and the
    block heading it stands under with its place in that block."""
    tree = _parse(html)
    body = tree.find(".//body") if tree is not None else None
    if body is None:
        return []
    cards = find_cards(body)
    sections = _block_headings(body, cards)
    clock = _PageClock(tree, html, fetched_at)
    teasers: list[Teaser] = []
    in_block: dict[object, int] = {}
    for href, card, link in cards:
        heading = sections.get(card)
        teaser = _card_teaser(card, link, href, url, clock, len(teasers) + 1)
        if teaser is None or (not teaser.text and links_to_a_list(teaser.url)):
            continue
        if heading is not None:
            in_block[heading] = in_block.get(heading, 0) + 1
            teaser = replace(teaser, section=_visible_text(heading), block_position=in_block[heading])
        teasers.append(teaser)
    return teasers


def links_to_a_list(url: str | None) -> bool:
    """The link leads to a site's front, a section front or an index (`https://sudoku.example/`, `/video/`,
    `/extra`, `/schweiz/index`), not to a story: its path is empty, one word without a digit, or ends in an index
    page. (A deeper one-word path, `/wildtiere/riesenotter`, may well be a story and stays.)"""
    if not url:
        return False
    segments = [segment for segment in urlsplit(url).path.lower().split("/") if segment]
    if not segments:
        return True
    last = segments[-1].rsplit(".", 1)[0]
    one_word = not any(c.isdigit() for c in last) and len(WORD.findall(last)) == 1
    return last in ("index", "home", "start", "overview", "overzicht", "uebersicht") or (
        len(segments) == 1 and one_word
    )


def _block_headings(body, cards) -> dict:
    """card element → the heading of the block it stands in (`Politik`, `Meistgelesen`), where it has one.

    A block heading is a short heading (a few words, no kicker: not a story's headline) outside every card and
    outside menus and footers. Its box is its largest ancestor that holds no card; the cards in the box's
    following siblings stand under it, up to the first sibling that holds another block heading. So the heading
    of a widget with no cards (games, a tag cloud) heads nothing, and a card under no heading has none.
    """
    cards_here = {card for _, card, _ in cards}
    inside_cards = {e for card in cards_here for e in card.iter()}
    holds_card = {a for card in cards_here for a in card.iterancestors()}
    headings = [h for h in body.iter(*_HEADINGS) if h not in inside_cards and _is_block_heading(h)]
    holds_heading = {e for h in headings for e in (h, *h.iterancestors())}
    found: dict = {}
    for heading in headings:
        box = heading
        while (parent := box.getparent()) is not None and parent not in holds_card and parent is not body:
            box = parent
        for sibling in box.itersiblings():
            if sibling in holds_heading:
                break
            if isinstance(sibling.tag, str) and (sibling in holds_card or sibling in cards_here):
                for element in sibling.iter():
                    if element in cards_here:
                        found.setdefault(element, heading)
    return found


def _is_block_heading(heading) -> bool:
    if any(isinstance(a.tag, str) and a.tag in _CARD_CHROME for a in heading.iterancestors()):
        return False
    if short_text(heading, BLOCK_HEADING_MAX_CHARS) is None:
        return False
    text = _visible_text(heading)
    if not text or len(WORD.findall(text)) > BLOCK_HEADING_MAX_WORDS:
        return False
    return not any(KICKER_MARKUP.search(_classes(e)) for e in heading.iterdescendants() if isinstance(e.tag, str))


def _card_teaser(card, link, href: str, page_url: str | None, clock: _PageClock, position: int) -> Teaser | None:
    heading = next(
        (e for e in (*link.iterancestors(), *link.iter()) if isinstance(e.tag, str) and e.tag in _HEADINGS), link
    )
    kicker, title = _kicker_and_title(card, heading)
    text = next((t for t in _paragraph_texts(card) if t and t != title and t not in (title or "")), "")
    age_text, age_minutes, moment = _card_age(card, clock)
    if not title and not text:
        return None
    teaser = Teaser(
        section=None,
        position=position,
        title=title,
        dateline=None,
        text=text,
        age_text=age_text,
        age_minutes=age_minutes,
        url=absolute_url(page_url, href),
        kicker=kicker,
    )
    return dated_teaser(teaser, clock.fetched_at, moment)


def _kicker_and_title(card, heading) -> tuple[str | None, str | None]:
    """The card's kicker (topline) and its headline without it, as a reader sees them.

    A kicker is what the markup sets apart over the headline: an element whose class or data attributes name it
    (`kicker`, `topline`, `overline`, `dachzeile`, `topMark`, `topic` …) inside the heading or before it in the
    card, or a short element standing right before the heading. A kicker inside the heading is cut from the
    headline's start, with the separator after it (`: `, ` – `). Text a reader does not see (screen-reader
    text, icons' titles, a printed time) is in neither.
    """
    full = _without_credits(heading, _visible_text(heading)) or None
    for element in heading.iterdescendants():
        if _names_kicker(element):
            kicker = _kicker_text(element)
            if kicker and full and full != kicker and kicker in full:
                return kicker, KICKER_SEPARATOR.sub("", full[full.index(kicker) + len(kicker) :], count=1) or full
            break
    return _kicker_before(card, heading), full


def _without_credits(heading, text: str) -> str:
    """The heading's text without the byline or reading time some sites print at its end in elements of their own
    (`… Von Sebastian Fischer`, `… Eine Kolumne von Thomas Fricke`, `… 5 Min`)."""
    for element in reversed(list(heading.iterdescendants())):
        if not isinstance(element.tag, str):
            continue
        part = normal_text(element)
        if part and part != text and text.endswith(part) and (READING_TIME.fullmatch(part) or BYLINE.fullmatch(part)):
            text = text[: -len(part)].rstrip(" |·•–—-:")
    return text


def _names_kicker(element) -> bool:
    """The element's markup names a kicker, and no element inside it does (`overline` > `date`, `topic`)."""
    if not isinstance(element.tag, str) or not KICKER_MARKUP.search(_classes(element)):
        return False
    return not any(isinstance(e.tag, str) and KICKER_MARKUP.search(_classes(e)) for e in element.iterdescendants())


def _kicker_before(card, heading) -> str | None:
    """A kicker standing before the heading in the card: marked by its markup, or the short element right before it."""
    stop = set(heading.iterancestors())
    for element in card.iter():
        if element is heading:
            break
        if element not in stop and _names_kicker(element):
            text = _kicker_text(element)
            if text:
                return text
    previous = heading.getprevious()
    while previous is not None and not isinstance(previous.tag, str):
        previous = previous.getprevious()
    if previous is not None and previous.tag not in _HEADINGS and previous.find(".//a") is None:
        return _kicker_text(previous)
    return None


def _kicker_text(element) -> str | None:
    """The element's visible text when it reads as a kicker: a few words, no sentence, no time or age."""
    text = _visible_text(element)
    if not text or len(WORD.findall(text)) > KICKER_MAX_WORDS or text.endswith((".", "?", "!")) or AGE.fullmatch(text):
        return None
    return text


def _visible_text(element) -> str:
    """The element's text as a reader sees it: without icons and badges, screen-reader text and printed times."""
    parts: list[str] = []
    _visible_parts(element, parts)
    return " ".join(" ".join(parts).split())


def _visible_parts(node, parts: list[str]) -> None:
    if node.text:
        parts.append(node.text)
    for child in node:
        if isinstance(child.tag, str) and not _unseen(child):
            _visible_parts(child, parts)
        if child.tail:
            parts.append(child.tail)


def _unseen(element) -> bool:
    if element.tag in _BADGE_TAGS or element.tag == "time":
        return True
    markup = _classes(element)
    return bool(HIDDEN_MARKUP.search(markup) or (TIME_MARKUP.search(markup) and AGE.fullmatch(normal_text(element))))


def _classes(element) -> str:
    """What the markup calls an element: its class, id, itemprop and data attributes' values."""
    if element is None:
        return ""
    return " ".join(
        value for name, value in element.items() if name in ("class", "id", "itemprop") or name.startswith("data-")
    )


def _paragraph_texts(card) -> Iterator[str]:
    for paragraph in card.iter("p"):
        yield normal_text(paragraph)


class _PageClock:
    """The capture time, and the page's own time zone for the clock times and dates its cards print.

    A site prints times in its own zone (`23:22 Uhr`); the capture time is UTC. The zone is read from the page:
    first from `<time>` elements that print a clock time beside a machine-readable moment (the difference is the
    offset), else from the most common UTC offset of the page's ISO timestamps (`…T03:50:46+02:00`, JSON-LD and
    meta tags). A page that gives neither is read in UTC.
    """

    def __init__(self, tree, html: str, fetched_at: datetime | None) -> None:
        self.tree, self.html, self.fetched_at = tree, html, fetched_at
        self._reference: datetime | None = None

    @property
    def reference(self) -> datetime | None:
        """The capture time as the page's clocks read it (aware, in the page's zone)."""
        if self.fetched_at is None:
            return None
        if self._reference is None:
            utc = naive_utc(self.fetched_at).replace(tzinfo=UTC)
            self._reference = utc.astimezone(timezone(timedelta(minutes=self._offset_minutes())))
        return self._reference

    def _offset_minutes(self) -> int:
        offsets: Counter[int] = Counter()
        for time_element in self.tree.iter("time"):
            moment = parse_datetime(time_element.get("datetime"))
            match = CLOCK.search(normal_text(time_element))
            if moment is not None and match:
                printed = int(match["hour"]) * 60 + int(match["minute"])
                offset = (printed - (moment.hour * 60 + moment.minute)) % 1440
                offsets[offset - 1440 if offset > 14 * 60 else offset] += 1
        if not offsets:
            for match in ISO_OFFSET.finditer(self.html):
                sign = -1 if match["sign"] == "-" else 1
                offsets[sign * (int(match["hours"]) * 60 + int(match["minutes"]))] += 1
        return offsets.most_common(1)[0][0] if offsets else 0


def _card_age(card, clock: _PageClock) -> tuple[str | None, int | None, datetime | None]:
    """The card's time as printed, in minutes before the capture, and the moment its `<time datetime>` gives:
    that element first, else a printed age or time (`vor 2 Stunden`, `2 uur geleden`, `23:22 Uhr`,
    `31. Dezember 2025`). A bare `03:30` counts only where the markup calls it a date or time, since cards print
    a video's length the same way; reading times (`3 Min`) and durations never count."""
    for time_element in card.iter("time"):
        age_text = normal_text(time_element) or time_element.get("datetime")
        moment = parse_datetime(time_element.get("datetime"))
        if moment is not None and clock.fetched_at is not None:
            return age_text, minutes_before(clock.fetched_at, moment), moment
        if age_text:
            return age_text, parse_age(age_text, clock.reference), moment
    for element in card.iter():
        if not isinstance(element.tag, str) or element.tag in _HEADINGS:
            continue
        text = " ".join((element.text or "").split())
        if not text or not AGE.fullmatch(text):
            continue
        markup = f"{_classes(element)} {_classes(element.getparent())}"
        if DURATION_MARKUP.search(markup) or (is_bare_clock(text) and not TIME_MARKUP.search(markup)):
            continue
        return text, parse_age(text, clock.reference), None
    return None, None, None
