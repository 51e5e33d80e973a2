"""What kind of page an HTML document is, and the teaser cards of a front.

A **front** (homepage, section front) is a list of teaser cards with no main story; an **article** page has one
story, perhaps with rails of cards around it. The page says which it is in two ways, read in this order:

1. its own metadata: `og:type = article` or a JSON-LD `…Article` / `BlogPosting` type is an article page;
2. its structure: a *card* is a link of three words or more that sits in a heading or holds one, grown to the
   largest ancestor that holds no other card's link and at most 120 words. A page with at least
   `FRONT_MIN_CARDS` cards whose link-free paragraphs *outside* cards, navigation, headers and footers add up to
   fewer than four words per card (at least 150) has no story of its own: a front. An article page's body
   stands outside its cards, however many rails it has, and is hundreds of words whatever its rails.

Measured on the real pages of `../shared/realdata` (27 German fronts, 149 fundus and 181 Zyte article pages):
fronts have 17–174 cards and 0–3.1 free words per card; the article pages that carry no article metadata have
at most one card, except one with 56 cards and 10.9 free words per card.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import urljoin

from newsassets.html import element_words, minutes_before, normal_text, parse_datetime, parse_html
from newsassets.teasers import Teaser, dated_teaser
from newsassets.vocabulary import AGE, parse_age

ARTICLE = "article"
FRONT = "front"
FRONT_MIN_CARDS = 8
FRONT_FREE_WORDS_PER_CARD = 4
FRONT_FREE_WORDS_FLOOR = 150
CARD_MAX_WORDS = 120
CARD_MIN_LINK_WORDS = 3
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_CARD_CHROME = {"nav", "footer", "form"}  # menus and footers are full of headline-like links that are no cards
_PAGE_CHROME = {"nav", "header", "footer", "aside", "form"}
_ARTICLE_JSON_LD = re.compile(
    r'"@type"\s*:\s*\[?[^\]{}]*?"(?:\w*Article|BlogPosting|LiveBlogPosting|Report|Review)"', re.IGNORECASE
)


def page_kind(html: str) -> str:
    """`front` or `article` (also for pages too broken to tell: their extraction decides, as before)."""
    tree = parse_html(html)
    if tree is None:
        return ARTICLE
    return kind_of_tree(tree)


def kind_of_tree(tree) -> str:
    if _declares_article(tree):
        return ARTICLE
    body = tree.find(".//body")
    if body is None:
        return ARTICLE
    cards = find_cards(body)
    free_words_limit = max(FRONT_FREE_WORDS_FLOOR, FRONT_FREE_WORDS_PER_CARD * len(cards))
    if len(cards) >= FRONT_MIN_CARDS and _free_words(body, cards) < free_words_limit:
        return FRONT
    return ARTICLE


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
    for link in body.iter("a"):
        href = (link.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")) or element_words(link) < CARD_MIN_LINK_WORDS:
            continue
        ancestors = [a.tag for a in link.iterancestors() if isinstance(a.tag, str)]
        inner = [e.tag for e in link.iterdescendants() if isinstance(e.tag, str)]
        if _HEADINGS.intersection(ancestors + inner) and not _CARD_CHROME.intersection(ancestors):
            links.setdefault(href, []).append(link)
    return links


def find_cards(body) -> list[tuple[str, object, object]]:
    """(href, card element, headline link) per distinct headline link, in page order."""
    links = _headline_links(body)
    owner = {link: href for href, elements in links.items() for link in elements}
    cards = []
    for href, elements in links.items():
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
    """Every card of a front as a teaser, in page order: headline, standfirst, absolute url and time."""
    tree = parse_html(html)
    body = tree.find(".//body") if tree is not None else None
    if body is None:
        return []
    teasers = []
    for href, card, link in find_cards(body):
        teaser = _card_teaser(card, link, href, url, fetched_at, len(teasers) + 1)
        if teaser is not None:
            teasers.append(teaser)
    return teasers


def _card_teaser(card, link, href: str, page_url: str | None, fetched_at: datetime | None, position: int):
    heading = next(
        (e for e in (*link.iterancestors(), *link.iter()) if isinstance(e.tag, str) and e.tag in _HEADINGS), link
    )
    title = normal_text(heading) or None
    text = next((t for t in _paragraph_texts(card) if t and t != title and t not in (title or "")), "")
    age_text, age_minutes = _card_age(card, fetched_at)
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
        url=urljoin(page_url, href) if page_url else href,
    )
    return dated_teaser(teaser, fetched_at)


def _paragraph_texts(card) -> Iterator[str]:
    for paragraph in card.iter("p"):
        yield normal_text(paragraph)


def _card_age(card, fetched_at: datetime | None) -> tuple[str | None, int | None]:
    for time_element in card.iter("time"):
        age_text = normal_text(time_element) or time_element.get("datetime")
        moment = parse_datetime(time_element.get("datetime"))
        if moment is not None and fetched_at is not None:
            return age_text, minutes_before(fetched_at, moment)
        if age_text:
            return age_text, parse_age(age_text, fetched_at)
    for element in card.iter():  # an age printed as text in an element of its own (`2 uur geleden`)
        if isinstance(element.tag, str) and element.tag not in _HEADINGS and element.tag != "a":
            text = " ".join((element.text or "").split())
            if text and AGE.fullmatch(text):
                return text, parse_age(text, fetched_at)
    return None, None
