"""Per-row quality flags: what about a cleaned article or a teaser looks questionable, and the text that shows it.

A flag never removes a row and never stops a run: it is stored on the row (`quality_flags`) so a user can filter
or inspect it with SQL, and the stage's check counts it. Only a flag *rate* that says the extractor is broken
blocks (see `pipeline.quality`).

The leakage rules judge a paragraph in its place in the body: a date, a clock time or a duration inside an
article is article text (`8 november 1986 Geboren in Amsterdam.`, a liveblog's `12.31 Uhr: …`, a timeline's
`09.50`); a teaser's age is recognised only where it stands as one: a relative age (`1 uur geleden`) alone or
after a paragraph's last sentence, any age glued to the next teaser's dateline (`1 uur geledenKYIV (ANP) - `),
or a bare time or date on its own line right after a teaser's dateline paragraph.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from newsassets.vocabulary import (
    AGE,
    AGE_AT_LINE_START,
    BOILERPLATE_LINE,
    RAIL_HEADING,
    TRAILING_AGE,
    is_relative_age,
    needs_capture_time,
    parse_dateline,
)

# What each rule means, as the checks and the README show it.
ARTICLE_RULES: dict[str, str] = {
    "boilerplate": "a title or body paragraph is site chrome (webmail, login, cookie wall, share bar, subscribe)",
    "rail_heading": "a body paragraph is a teaser-rail heading (`Meer uit …`, `Meest gelezen`)",
    "teaser_age": "a body paragraph holds a teaser's age where a teaser's age stands (see `newsassets.quality`)",
    "teaser_dateline": "a body paragraph still opens with a wire dateline once the story's own is lifted, as a rail's teasers do",
    "no_title": "the page gave no title",
    "short_body": "the body has fewer than 25 words",
    "implausible_date": "published_at is before 1990 or more than a day after the page was captured",
}
TEASER_RULES: dict[str, str] = {
    "unparsed_age": "the teaser prints an age that could not be read",
    "no_headline": "the teaser has neither a title nor text",
    "implausible_date": "published_at is before 1990 or more than a day after the page was captured",
}
# Rules that describe the input as much as the code: a dump that starts with body text has no title, a video
# page has a one-line standfirst. They are flagged and counted but never block, whatever their rate; the others
# at a high rate mean the extractor is broken.
INPUT_RULES = frozenset({"no_title", "short_body"})
SHORT_BODY_WORDS = 25
EARLIEST_PLAUSIBLE = datetime(1990, 1, 1)
FUTURE_SLACK = timedelta(days=1)  # time zones and sites that post-date their pages by hours


@dataclass(frozen=True)
class Flag:
    rule: str
    evidence: str  # the offending text, or what is missing


def leakage_in(paragraphs: Sequence[str]) -> list[Flag]:
    """Leaked page furniture among an article's paragraphs (title first, if any). Cleaning has already lifted
    the story's own dateline, so a paragraph that still opens with one is a teaser's."""
    flags = []
    for index, paragraph in enumerate(paragraphs):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        previous = paragraphs[index - 1].strip() if index else ""
        if BOILERPLATE_LINE.match(paragraph):
            flags.append(Flag("boilerplate", paragraph))
        elif RAIL_HEADING.match(paragraph):
            flags.append(Flag("rail_heading", paragraph))
        elif is_teaser_age(paragraph, previous):
            flags.append(Flag("teaser_age", paragraph))
        elif parse_dateline(paragraph):
            flags.append(Flag("teaser_dateline", paragraph))
    return flags


def is_teaser_age(paragraph: str, previous: str = "") -> bool:
    """True where an age stands as a teaser's age (see the module docstring); `previous` is the paragraph above."""
    if AGE.fullmatch(paragraph):
        return is_relative_age(paragraph) or parse_dateline(previous) is not None
    glued = AGE_AT_LINE_START.match(paragraph)
    if glued and parse_dateline(paragraph[glued.end() :]):
        return True
    trailing = TRAILING_AGE.search(paragraph)
    return bool(trailing) and is_relative_age(paragraph[trailing.start() + 1 :])


def article_flags(
    title: str | None,
    body: str,
    word_count: int,
    published_at: datetime | None,
    fetched_at: datetime | None,
) -> list[Flag]:
    """Every flag of one cleaned article, leakage first."""
    flags = leakage_in([title or "", *body.split("\n\n")])
    if not (title or "").strip():
        flags.append(Flag("no_title", "no title"))
    if word_count < SHORT_BODY_WORDS:
        flags.append(Flag("short_body", f"{word_count} words"))
    if not plausible_date(published_at, fetched_at):
        flags.append(Flag("implausible_date", f"published_at {published_at} for a page captured at {fetched_at}"))
    return flags


def teaser_flags(
    title: str | None,
    text: str,
    age_text: str | None,
    age_minutes: int | None,
    published_at: datetime | None,
    fetched_at: datetime | None,
) -> list[Flag]:
    flags = []
    # without a capture time, `gisteren 14:05` is read but cannot be placed: the page lacks it, not the reader
    if (
        age_text
        and age_minutes is None
        and published_at is None
        and not (fetched_at is None and needs_capture_time(age_text))
    ):
        flags.append(Flag("unparsed_age", age_text))
    if not (title or "").strip() and not (text or "").strip():
        flags.append(Flag("no_headline", "no title and no text"))
    if not plausible_date(published_at, fetched_at):
        flags.append(Flag("implausible_date", f"published_at {published_at} for a page captured at {fetched_at}"))
    return flags


def plausible_date(published_at: datetime | None, fetched_at: datetime | None) -> bool:
    """Unknown dates are not implausible; known ones lie between 1990 and a day after the capture."""
    if published_at is None:
        return True
    if published_at < EARLIEST_PLAUSIBLE:
        return False
    return fetched_at is None or published_at <= fetched_at + FUTURE_SLACK


def rule_names(flags: Sequence[Flag]) -> list[str]:
    """The distinct rules of `flags`, in order: what a row stores in `quality_flags`."""
    return list(dict.fromkeys(flag.rule for flag in flags))
