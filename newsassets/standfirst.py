"""The standfirst: the summary a news page shows under its headline, above the story (a dek, lead, intro, `Vorspann`).

Publishers write it once and use it three times: under the headline, as `og:description` and as the `description`
meta tag. So a description that the page shows as text after its headline and before the story's first paragraph,
and that the story does not already hold, is the standfirst: in any language and any markup, without a guess at
class names. Where the description is shown nowhere, only after the story (a site's slogan in the footer), or before
any headline (a tagline in the masthead), it is not one; where it is the story's first sentences, the body has it.

Readers and benchmarks differ on whether it belongs to the story's text (fundus counts it, as `summary`; Zyte's
`articleBody` leaves it out, as its `description`), so it is a field of its own, `articles.summary`, never part of
`body`. No Dagster, no I/O: an lxml tree and strings.
"""

from __future__ import annotations

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
    start = _story_start(page, body)
    headings = {folded for headline in headlines if (folded := _folded(headline or ""))}
    # where the first headline the page shows ends: a standfirst stands after it
    ends = [at + len(heading) for heading in headings if (at := page.find(heading, 0, start or 0)) >= 0]
    if start is None or not ends:
        return None
    after_headline = min(ends)
    held = shingles(body, _GRAM_WORDS)
    for description in descriptions:
        description = " ".join(description.split())
        wording = description.casefold()
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


def _story_start(page: str, body: str) -> int | None:
    lines = [line for line in body.split("\n") if len(line.strip()) >= _MIN_LINE_CHARS][:_START_LINES]
    found = [at for line in lines if (at := page.find(" ".join(line.split())[:_PROBE_CHARS].casefold())) >= 0]
    return min(found) if found else None


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()
