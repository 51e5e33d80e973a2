"""A page → the teasers in its `Meer uit …` rail, in both layouts the seed sites print.

Layout one glues each age to the next teaser's dateline (`gemeten.\\n1 uur geledenKYIV (ANP/RTR) - …`);
layout two gives each teaser a title line, its dateline paragraph and the age on a line of its own. Both
become the same shape once every age stands on its own line: [title lines] dateline paragraph, age.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from newsassets.vocabulary import AGE, AGE_AT_LINE_START, RAIL_HEADING, naive_utc, parse_age, parse_dateline


@dataclass(frozen=True)
class Teaser:
    section: str | None  # the rail or block heading it stands under; None when it stands under none
    position: int  # 1-based, in page order
    title: str | None
    dateline: str | None
    agencies: list[str] = field(default_factory=list)
    text: str = ""
    age_text: str | None = None
    age_minutes: int | None = None
    published_at: datetime | None = None
    url: str | None = None  # absolute link of the card, where the page gives one (HTML)
    kicker: str | None = None  # the topline over the headline (`Ukraine-Krieg`), where the markup sets it apart
    block_position: int | None = None  # 1-based place among the cards under the same `section` heading


@dataclass(frozen=True)
class RailSplit:
    article: str  # the page above the rail
    section: str | None  # `Buitenland` for `Meer uit Buitenland`; None when the page has no rail
    rail: str  # the page below the rail heading


def split_rail(text: str) -> RailSplit:
    """Cut a page at its first rail heading (`Meer uit Buitenland`, `Meest gelezen`, …)."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        match = RAIL_HEADING.match(line.strip())
        if match:
            section = (match["section"] or match["generic"]).strip()
            return RailSplit("\n".join(lines[:index]), section, "\n".join(lines[index + 1 :]))
    return RailSplit(text, None, "")


def extract_teasers(text: str, fetched_at: datetime | None = None) -> list[Teaser]:
    """Every teaser in the page's rail, with ages read against `fetched_at` (the page's capture time)."""
    split = split_rail(text)
    if split.section is None:
        return []
    rail = AGE_AT_LINE_START.sub(lambda m: m["age"] + "\n", split.rail)
    items: list[tuple[list[str], str | None]] = []
    pending: list[str] = []
    for raw_line in rail.split("\n"):
        line = raw_line.strip()
        if not line:
            continue
        if AGE.fullmatch(line):
            if pending:  # an age closes the teaser above it
                items.append((pending, line))
            pending = []
        else:
            pending.append(line)
    if pending:
        items.append((pending, None))
    return with_block_positions(
        [
            _teaser(split.section, position, lines, age_text, fetched_at)
            for position, (lines, age_text) in enumerate(items, 1)
        ]
    )


def with_block_positions(teasers: list[Teaser]) -> list[Teaser]:
    """The teasers, each numbered 1, 2, … among those under the same section heading (in page order); a teaser
    under no heading has no block position."""
    seen: dict[str, int] = {}
    numbered = []
    for teaser in teasers:
        if teaser.section is None:
            numbered.append(teaser)
            continue
        seen[teaser.section] = seen.get(teaser.section, 0) + 1
        numbered.append(replace(teaser, block_position=seen[teaser.section]))
    return numbered


def _teaser(section: str, position: int, lines: list[str], age_text: str | None, fetched_at: datetime | None) -> Teaser:
    dateline_at = next((i for i, line in enumerate(lines) if parse_dateline(line)), None)
    if dateline_at is None:
        title, place, agencies, text_lines = (lines[0] if len(lines) > 1 else None), None, [], lines[1:] or lines
    else:
        dateline = parse_dateline(lines[dateline_at])
        assert dateline is not None
        title = " ".join(lines[:dateline_at]) or None
        place, agencies, text_lines = dateline.place, dateline.agencies, [dateline.rest, *lines[dateline_at + 1 :]]
    age_minutes = parse_age(age_text, fetched_at) if age_text else None
    return dated_teaser(
        Teaser(section, position, title, place, agencies, " ".join(text_lines).strip(), age_text, age_minutes),
        fetched_at,
    )


def dated_teaser(teaser: Teaser, fetched_at: datetime | None, moment: datetime | None = None) -> Teaser:
    """The teaser with `published_at` = the page's capture time minus its age, when both are known and
    that moment is in the calendar (an age read against a capture time in year 1 is not). On a page without a
    capture time, the `moment` its markup gives (`<time datetime>`), if any, in UTC."""
    if fetched_at is None and moment is not None:
        return replace(teaser, published_at=naive_utc(moment))
    if fetched_at is None or teaser.age_minutes is None:
        return teaser
    try:
        return replace(teaser, published_at=fetched_at - timedelta(minutes=teaser.age_minutes))
    except (OverflowError, ValueError):
        return teaser
