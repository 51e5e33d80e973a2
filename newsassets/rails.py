"""An article page's teaser rails → teasers: one teaser per item under each rail heading (`Meer uit Buitenland`,
`Meest gelezen`), with its title, dateline and agencies, text and age (from a `<time datetime>` or the text).

The work is linear in the page: each element that could hold a rail's items is searched once, however many
headings reach it. A front's cards are read by `newsassets.pages`; the article text by `newsassets.html`.
"""

from __future__ import annotations

from datetime import datetime
from itertools import islice

from newsassets.html import (
    HEADING_TAGS,
    drop_element,
    minutes_before,
    normal_text,
    parse_datetime,
    parse_html,
    short_text,
)
from newsassets.reading import absolute_url
from newsassets.teasers import Teaser, dated_teaser, with_block_positions
from newsassets.vocabulary import (
    AGE,
    LIST_HEADING,
    RAIL_HEADING,
    TRAILING_AGE,
    WORD,
    parse_age,
    parse_dateline,
)

_NO_LINK = ("#", "javascript:", "mailto:")
_MIN_TEASER_WORDS = 3
_TRUE_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def extract_html_teasers(html: str, fetched_at: datetime | None, url: str | None = None) -> list[Teaser]:
    """Every item of the page's rails (`Meer uit …`, `Related`, `Mehr zum Thema`, `Meest gelezen` …), with ages
    read against `fetched_at` and links resolved against the page's `url`; never raises."""
    try:
        return _extract_html_teasers(html, fetched_at, url)
    except (Exception, RecursionError):
        return []


def _extract_html_teasers(html: str, fetched_at: datetime | None, url: str | None) -> list[Teaser]:
    tree = parse_html(html)
    body = tree.find(".//body") if tree is not None else None
    if body is None:
        return []
    rails = []  # collected first: reading an item edits the tree, which an ongoing iteration must not see
    found: dict = {}  # container → its items, so a container is searched once however many headings reach it
    taken: set = set()  # containers already read as a rail: a second heading over the same list adds nothing
    for heading in body.iter(*HEADING_TAGS):
        if len(heading) > 2:
            continue
        text = short_text(heading) or ""
        if match := RAIL_HEADING.match(text):
            section = (match["section"] or match["generic"]).strip()
        elif heading.tag in _TRUE_HEADINGS and LIST_HEADING.match(text):  # a bold `Lees ook:` in the text is no rail
            section = " ".join(text.split()).rstrip(":.…")
        else:
            continue
        container, items = _rail_items(heading, found)
        if container is not None and container not in taken:
            taken.add(container)
            rails.append((section, items))
    teasers: list[Teaser] = []
    done: set = set()
    for section, items in rails:
        for item in items:
            if item in done:
                continue
            done.add(item)
            teaser = _html_teaser(item, section, len(teasers) + 1, fetched_at, url)
            if teaser is not None:
                teasers.append(teaser)
    return with_block_positions(teasers)


def _rail_items(heading, found: dict) -> tuple[object, list]:
    """The items under a rail heading and the element holding them: the `li`s (else `article`s) of the first
    following sibling that has some, of the heading or of one of its three nearest ancestors. `found` caches
    each searched element's items, so the work stays linear in the page however many headings it has."""
    links = _link_run(heading)
    if links:
        return heading.getparent(), links
    container = heading
    for _ in range(4):
        for sibling in islice(container.itersiblings(), 3):
            if not isinstance(sibling.tag, str):
                continue
            if sibling not in found:
                found[sibling] = _items_in(sibling)
            if found[sibling]:
                return sibling, found[sibling]
        parent = container.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        container = parent
    return None, []


def _link_run(heading) -> list:
    """The heading's following siblings up to the next heading when they are two or more blocks of one link each
    (`<div><a>…</a></div>` rails): its items, before any list further away is searched."""
    run = []
    for sibling in heading.itersiblings():
        if not isinstance(sibling.tag, str):
            continue
        if sibling.tag in _TRUE_HEADINGS:
            break
        if sum(1 for _ in islice(sibling.iter("a"), 2)) != 1:
            return []
        run.append(sibling)
    return run if len(run) >= 2 else []


def _items_in(element) -> list:
    """The outermost `li`s of an element (else its outermost `article`s); the element itself if it is one."""
    if element.tag in ("li", "article"):
        return [element]
    for tag in ("li", "article"):
        items = [item for item in element.iter(tag) if not _has_ancestor(item, tag, element)]
        if items:
            return items
    return []


def _has_ancestor(element, tag: str, stop) -> bool:
    for ancestor in element.iterancestors():
        if ancestor is stop:
            return False
        if ancestor.tag == tag:
            return True
    return False


def _html_teaser(item, section: str, position: int, fetched_at: datetime | None, page_url: str | None) -> Teaser | None:
    """One rail item → a teaser: title (its heading), dateline and agencies, text, the age below it, and its link."""
    href = next(
        (h for a in item.iter("a") if (h := (a.get("href") or "").strip()) and not h.startswith(_NO_LINK)), None
    )
    link = absolute_url(page_url, href) if href else None
    age_text, age_minutes, moment = None, None, None
    time_element = next(item.iter("time"), None)
    if time_element is not None:
        age_text = normal_text(time_element) or None
        moment = parse_datetime(time_element.get("datetime"))
        if moment is not None and fetched_at is not None:
            age_minutes = minutes_before(fetched_at, moment)
        elif age_text:
            age_minutes = parse_age(age_text, fetched_at)
        drop_element(time_element)
    title_element = next(item.iter("h2", "h3", "h4", "h5", "h6", "strong", "b"), None)
    title = normal_text(title_element) or None if title_element is not None else None
    if title_element is not None:
        drop_element(title_element)
    lines = [" ".join(line.split()) for line in _block_lines(item)]
    lines = [line for line in lines if line]
    if age_text is None and lines:  # an age printed as text: a line of its own, or after the last sentence
        if AGE.fullmatch(lines[-1]):
            age_text = lines.pop()
        elif trailing := TRAILING_AGE.search(lines[-1]):
            age_text = lines[-1][trailing.start() + 1 :].strip()
            lines[-1] = lines[-1][: trailing.start() + 1]
        if age_text is not None:
            age_minutes = parse_age(age_text, fetched_at)
    if title is None and len(lines) > 1 and not parse_dateline(lines[0]):
        title, lines = lines[0], lines[1:]
    if title is not None and title.strip(" .#").isdigit():
        title = None  # a most-read list's rank, `3`, is no headline
    text = " ".join(lines)
    if len(WORD.findall(f"{title or ''} {text}")) < _MIN_TEASER_WORDS:
        return None  # `Karriere`, `In-Depth`: a menu's or a category's link under the heading, no story
    place, agencies = None, []
    if dateline := parse_dateline(text):
        place, agencies, text = dateline.place, dateline.agencies, dateline.rest
    teaser = Teaser(section, position, title, place, agencies, text, age_text, age_minutes, url=link)
    return dated_teaser(teaser, fetched_at, moment)


# Tags that start a line of a teaser card; spans and links do too unless they stand inside a paragraph.
_BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "br", "header", "footer", "time", "article"}
_CARD_PART_TAGS = {"span", "a"}


def _block_lines(element) -> list[str]:
    """The element's text, one line per block-level child."""
    lines: list[str] = [element.text or ""]
    for child in element:
        if not isinstance(child.tag, str):
            lines[-1] += child.tail or ""
            continue
        if child.tag in _BLOCK_TAGS or (child.tag in _CARD_PART_TAGS and element.tag != "p"):
            lines.extend(_block_lines(child))
            lines.append(child.tail or "")
        else:
            lines[-1] += " ".join(child.itertext()) + (child.tail or "")
    return lines
