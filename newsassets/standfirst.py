"""The standfirst: the summary a news page shows under its headline, above the story (a dek, lead, intro, `Vorspann`).

Publishers write it once and use it three times: under the headline, as `og:description` and as the `description`
meta tag. So a description that the page shows as text after its headline and before the story's first paragraph,
and that the story does not already hold, is the standfirst: in any language and any markup, without a guess at
class names. Where the description is shown nowhere, only after the story (a site's slogan in the footer), or before
any headline (a tagline in the masthead), it is not one; where it is the story's first sentences, the body has it.
Where the publisher words the description apart from the standfirst (for search engines), the element the markup
names as one (`article-subtitle`, `detail__excerpt`, `intro`, `_lead_3`, `epigraph`, `standfirst`) stands in for
it, under the same checks: shown after the headline and before the story, and not already the story's.

Readers and benchmarks differ on whether it belongs to the story's text (fundus counts it, as `summary`; Zyte's
`articleBody` leaves it out, as its `description`), so it is a field of its own, `articles.summary`, never part of
`body`. No Dagster, no I/O: an lxml tree and strings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lxml import etree

from newsassets.dedup import shingles

# Elements whose text the page does not show as text, and captions, which describe a picture and not the story
# (a page's description is at times its picture's caption).
_UNSEEN = frozenset(
    {"script", "style", "noscript", "template", "head", "title", "button", "select", "option", "textarea", "figcaption"}
)
# A description shorter than this is a label or a kicker; one longer than that is no summary of a story.
_MIN_CHARS = 20
_MAX_CHARS = 1000
# The story's start on the page: where the first of its first paragraphs (of at least `_MIN_LINE_CHARS`) shows,
# each found by its opening `_PROBE_CHARS` characters (the rest of a paragraph may be split by links and markup).
_START_LINES = 3
_MIN_LINE_CHARS = 30
_PROBE_CHARS = 40
# The story holds the description already when it has this share of the description's word 4-grams.
_HELD_SHARE = 0.5
_GRAM_WORDS = 4


# A class naming the element as the standfirst, in one of its words (`article-subtitle`, `detail__excerpt`, `_lead_3`):
# in English and in the newsrooms' own words (`Vorspann`, `chapeau`, `entradilla`, `sottotitolo`, `ingress`).
_STANDFIRST_MARKUP = re.compile(
    r"(?:^|[\s_-])(?:standfirst|excerpt|intro|lead|leadin|dek|deck|sub-?title|subhead(?:line)?|epigraph|summary"
    r"|abstract|teaser|vorspann|chapeau|entradilla|sottotitolo|ingress)(?:$|[\s_\d-])",
    re.IGNORECASE,
)
# The page's first elements so named are enough: the standfirst stands under the headline. (A front names hundreds
# of cards `teaser`; reading each one's text would cost time and find nothing.)
_MARKED_MAX = 12
_MARKED_LOOKS = 40


# A picture's or a player's box, however its class names it (`header-teaser__image-details`, `c-contentHeader__lead`
# on a `<figure>`): its text is a caption.
_MEDIA_MARKUP = re.compile(r"image|img|photo|picture|caption|media|figure|credit|video|audio|player", re.IGNORECASE)
# A box holding the byline or the date (`articleHeader--subhead` over `JANIE HAR <time>Nov. 20, 2019</time>`).
_STAMPED = ".//time | .//*[contains(@class, 'author') or contains(@class, 'byline') or contains(@class, 'date')]"


def marked_standfirsts(tree) -> list[str]:
    """The texts (as `visible_text` reads them) of the first elements after the page's first `<h1>` whose class
    names them a standfirst, of a summary's length, and not a picture's box nor one with the byline or the date;
    candidates for `find_standfirst` after the page's descriptions."""
    found: list[str] = []
    looks = 0
    seen_headline = tree.find(".//h1") is None  # a page without one: from its start
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag == "h1":
            seen_headline = True
        classes = element.get("class") or ""
        if not seen_headline or not _STANDFIRST_MARKUP.search(classes) or _MEDIA_MARKUP.search(classes):
            continue
        looks += 1
        if looks > _MARKED_LOOKS:
            break
        if element.tag in ("figure", "img", "picture") or element.find(".//img") is not None or element.xpath(_STAMPED):
            continue
        text = visible_text(element)
        if _MIN_CHARS <= len(text) <= _MAX_CHARS and text not in found:
            found.append(text)
            if len(found) == _MARKED_MAX:
                break
    return found


def visible_text(tree) -> str:
    """The text the page shows, in document order, whitespace-normalised (scripts, styles, `<head>` and captions
    left out)."""
    parts: list[str] = []
    unseen = 0
    for event, element in etree.iterwalk(tree, events=("start", "end")):
        hidden = not isinstance(element.tag, str) or element.tag.lower() in _UNSEEN  # comments too
        if event == "start":
            unseen += hidden
            if not unseen and element.text:
                parts.append(element.text)
        else:
            unseen -= hidden
            if not unseen and element.tail:
                parts.append(element.tail)
    return " ".join(" ".join(parts).split())


def find_standfirst(
    descriptions: Sequence[str], shown: str, body: str, headlines: Sequence[str | None] = ()
) -> str | None:
    """The first of `descriptions` (in the page's order of trust) that `shown` (the page's `visible_text`) shows
    after one of `headlines` and before the start of `body`, and that `body` does not already hold; else None."""
    page = _folded(shown)
    headings = {folded for headline in headlines if (folded := _folded(headline or ""))}
    start = _story_start(page, body, headings)
    # where the first headline the page shows ends: a standfirst stands after it
    ends = [at + len(heading) for heading in headings if (at := page.find(heading, 0, start or 0)) >= 0]
    if start is None or not ends:
        return None
    after_headline = min(ends)
    held = shingles(body, _GRAM_WORDS)
    for description in descriptions:
        description = " ".join(description.split())
        wording = _folded(description)
        if not _MIN_CHARS <= len(description) <= _MAX_CHARS or wording in headings:
            continue  # a label, no summary, or the headline itself
        at = page.find(wording, 0, start)  # the whole of it before the story starts ...
        if at < after_headline:
            continue  # ... and after a headline (not a slogan in the masthead)
        grams = shingles(description, _GRAM_WORDS)
        if grams and len(grams & held) >= _HELD_SHARE * len(grams):
            continue  # the story's own first sentences
        return description
    return None


def _story_start(page: str, body: str, headings: set[str]) -> int | None:
    """Where the story's first paragraphs show on the page; a headline the text opens with is not one of them."""
    lines = [_folded(line.lstrip(_LIST_MARKS)) for line in body.split("\n")]  # a list item's `- ` is not shown
    lines = [line for line in lines if len(line) >= _MIN_LINE_CHARS and line not in headings][:_START_LINES]
    found = [at for line in lines if (at := page.find(line[:_PROBE_CHARS])) >= 0]
    return min(found) if found else None


_LIST_MARKS = "-–•* \t"


def _folded(text: str) -> str:
    """Case-folded and without whitespace: the page's text puts a space between any two elements (`Breakpoint :
    Hilfe`), the headline and the story's text do not."""
    return "".join(text.split()).casefold()
