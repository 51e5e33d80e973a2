"""`python -m newsassets.evaluate fronts [REALDATA or REALDATA/fronts]`: how many labelled teaser cards of real fronts become teasers.

Reads `fronts/` of `../shared/realdata` (27 German fronts of five sites, each with its url and capture time in
`meta.json`, and the cards an archive's `<article>` selector read in `labels.json`), runs the project's front
reading (`newsassets.pages.front_teasers`) on each page and prints, per capture group and overall:

- labelled cards, and how many of them a teaser row carries with the same url (scheme, `www.`, fragment and a
  trailing slash aside): the issue's recall figure; and found by url, else by headline (a label whose url is
  the card's section badge, as on welt.de, still has the card's headline);
- of those, how many have a headline that matches the label's loosely (the label's headline often runs kicker
  and title together: the teaser's title within the label's, or word Jaccard ≥ 0.5);
- extra rows (teasers whose url no label has): the labels miss cards outside `<article>` elements, so read
  `--examples N` of them per page to judge precision by eye;
- times: cards that show a time or age on the page (a `<time>` element, or a short text with a clock time, a
  date or an age word: `vor 2 Stunden`, `23:22 Uhr`, `31. Dezember 2025`; a video's or a read's length aside),
  and how many of those got a `published_at`; rows with a `published_at` at all;
- rows with a kicker and rows under a block heading (`section`);
- fronts the page-kind screening (`newsassets.pages.page_kind`) would make into articles: the issue's target is 0;
- the slowest page in ms (front reading and page kind together, and each: the stages run them apart), with its
  size;
- same card, many captures: the teasers of every front captured more than once within two days (spiegel.de
  and zeit.de, four captures over 30 hours), clustered by the dedup stage's
  core (`newsassets.dedup.cluster_items`, with the items the stage builds): of the links seen on two or more
  captures, how many end in one teaser cluster, how many of those had their headline edited between captures,
  and how many clusters hold teasers of two different links: the same wire headline on two sites, a card whose
  link changed, joined by identical text as the dedup stage means to; joined any other way they would be
  different stories merged (should be 0). Items are what the stage clusters: headline and standfirst, and link.

The same figures come per site and per capture group, then overall.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import time
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from newsassets.dedup import cluster_items, link_key, words_of
from newsassets.dedup_state import stage_settings, teaser_item
from newsassets.evaluate.realdata import REALDATA
from newsassets.html import parse_datetime, parse_html
from newsassets.pages import FRONT, find_cards, front_teasers, page_kind
from newsassets.reading import decode_text
from newsassets.vocabulary import naive_utc

# What a reader takes for a moment, told apart from the project's own age reading: an age word with a number,
# a clock time, a day with a month name.
_SHOWN_TIME = re.compile(
    r"\b(?:vor|geleden|ago|gestern|gisteren|yesterday|heute|vandaag|today)\b.*\d|\d.*\b(?:geleden|ago)\b"
    r"|\b\d{1,2}[:.]\d{2}\b|\b\d{1,2}\.?\s*(?:jan|feb|m[aä]r|apr|ma[iy]|mei|jun|jul|aug|sep|o[ck]t|nov|de[cz])\w*\.?\s+\d{4}",
    re.IGNORECASE,
)
_LENGTH = re.compile(r"duration|dauer|length|player", re.IGNORECASE)


def normal_url(url: str | None) -> str | None:
    """A link as compared here: no scheme, no `www.`, no fragment, no trailing slash; the query kept."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    path = parts.path.rstrip("/")
    return f"{host}{path}" + (f"?{parts.query}" if parts.query else "")


def headline_matches(title: str | None, label: str | None) -> bool:
    """The teaser's title within the label's headline (kicker and title run together), or word Jaccard ≥ 0.5."""
    ours, theirs = words_of(title or ""), words_of(label or "")
    if not ours or not theirs:
        return False
    if " ".join(ours) in " ".join(theirs):
        return True
    a, b = set(ours), set(theirs)
    return len(a & b) / len(a | b) >= 0.5


def shows_time(card) -> bool:
    """The card shows a time or age: a `<time>` element, or an element outside its headline whose own short text
    names a moment."""
    if card.find(".//time") is not None:
        return True
    headlines = {e for h in card.iter("h1", "h2", "h3", "h4", "h5", "h6") for e in h.iter()}
    for element in card.iter():
        if not isinstance(element.tag, str) or element in headlines or _LENGTH.search(element.get("class") or ""):
            continue
        text = " ".join((element.text or "").split())
        if text and len(text.split()) <= 5 and _SHOWN_TIME.search(text):
            return True
    return False


def evaluate(realdata: Path, examples: int = 0) -> dict:
    fronts = realdata if (realdata / "labels.json").exists() else realdata / "fronts"
    labels = json.loads((fronts / "labels.json").read_text(encoding="utf-8"))
    meta = json.loads((fronts / "meta.json").read_text(encoding="utf-8"))
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    slowest = (0.0, "", 0, 0.0)
    captured: dict[str, list[tuple[str, list]]] = defaultdict(list)
    for name in sorted(labels):
        data = gzip.decompress((fronts / "html" / name).read_bytes())
        html = decode_text(data)
        info = meta[name]
        started = time.perf_counter()
        teasers = front_teasers(html, parse_datetime(info["fetched_at"]), info["url"])
        reading = time.perf_counter() - started
        kind = page_kind(html)
        seconds = time.perf_counter() - started
        captured[normal_url(info["url"])].append((info["fetched_at"], teasers))
        timed_urls = {href for href, card, _ in find_cards(parse_html(html).find(".//body")) if shows_time(card)}
        showing = [t for t in teasers if t.url and any(t.url.endswith(href) for href in timed_urls)]
        slowest = max(slowest, (seconds, name, len(data), reading))
        by_url: dict[str, list] = defaultdict(list)
        for teaser in teasers:
            by_url[normal_url(teaser.url)].append(teaser)
        wanted = {normal_url(card["url"]): card for card in labels[name] if card.get("url")}
        found = [key for key in wanted if key in by_url]
        titled = [key for key in found if any(headline_matches(t.title, wanted[key]["headline"]) for t in by_url[key])]
        extra = [t for t in teasers if normal_url(t.url) not in wanted]
        by_headline = [
            key
            for key in wanted
            if key not in by_url and any(headline_matches(t.title, wanted[key]["headline"]) for t in extra)
        ]
        site = name.split("_")[0].split("-")[0]
        for group in (f"site {site}", f"group {info['group']}", "all"):
            figures = totals[group]
            figures["pages"] += 1
            figures["labelled"] += len(wanted)
            figures["found"] += len(found)
            figures["found_any"] += len(found) + len(by_headline)
            figures["titled"] += len(titled)
            figures["rows"] += len(teasers)
            figures["extra"] += len(extra)
            figures["showing_time"] += len(showing)
            figures["showing_timed"] += sum(t.published_at is not None for t in showing)
            figures["timed"] += sum(t.published_at is not None for t in teasers)
            figures["kicker"] += sum(t.kicker is not None for t in teasers)
            figures["sectioned"] += sum(t.section is not None for t in teasers)
            figures["articles"] += kind != FRONT
            figures["without_url"] += sum(not t.url for t in teasers)
        print(
            f"{name}: {len(teasers)} teaser rows; {len(found)} of {len(wanted)} labelled cards by url, "
            f"{len(titled)} with their headline; {len(extra)} extra rows; "
            f"{sum(t.published_at is not None for t in showing)} of {len(showing)} showing a time dated; "
            f"page kind {kind}; {seconds * 1000:.0f} ms"
        )
        for teaser in extra[:examples]:
            print(f"    extra: {teaser.title!r} → {teaser.url}")
        for key in [k for k in wanted if k not in by_url][:examples]:
            print(f"    missed: {wanted[key]['headline']!r} → {wanted[key]['url']}")
    print()
    print(
        "| fronts | pages | labelled cards | found by url | with headline | found by url, else headline | teaser rows "
        "| extra rows "
        "| showing a time: dated | rows dated | with kicker | under a block heading | made into articles |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for group, f in sorted(totals.items(), key=lambda item: (item[0] == "all", item[0])):
        labelled, rows, showing = f["labelled"] or 1, f["rows"] or 1, f["showing_time"] or 1
        print(
            f"| {group} | {f['pages']:.0f} | {f['labelled']:.0f} | {f['found']:.0f} ({f['found'] / labelled:.3f}) | "
            f"{f['titled']:.0f} ({f['titled'] / labelled:.3f}) | {f['found_any']:.0f} ({f['found_any'] / labelled:.3f}) | "
            f"{f['rows']:.0f} | {f['extra']:.0f} | "
            f"{f['showing_timed']:.0f} of {f['showing_time']:.0f} ({f['showing_timed'] / showing:.3f}) | "
            f"{f['timed']:.0f} ({f['timed'] / rows:.3f}) | {f['kicker']:.0f} ({f['kicker'] / rows:.3f}) | "
            f"{f['sectioned']:.0f} ({f['sectioned'] / rows:.3f}) | {f['articles']:.0f} |"
        )
    seconds, name, size, reading = slowest
    print(
        f"\nslowest page: {name}, {size / 1e6:.1f} MB, {seconds * 1000:.0f} ms "
        f"(front reading {reading * 1000:.0f} ms, page kind {(seconds - reading) * 1000:.0f} ms)"
    )
    repeated = captures(captured)
    print(
        f"same card, many captures: {repeated['links']} links on two or more captures of a front, "
        f"{repeated['one_cluster']} of them in one teaser cluster ({repeated['edited']} with an edited headline, "
        f"{repeated['edited_one_cluster']} of those in one cluster); {repeated['clusters_with_two_links']} clusters hold "
        f"two links, {repeated['merged']} of them joined by anything but an identical headline and standfirst"
    )
    return {**{group: dict(figures) for group, figures in totals.items()}, "captures": repeated}


SERIES_GAP = timedelta(hours=48)


def captures(captured: dict[str, list[tuple[str, list]]]) -> dict[str, int]:
    """How the dedup stage clusters the cards of fronts captured more than once within `SERIES_GAP` (front url →
    (capture time, teasers) per capture)."""
    items, seen = [], {}
    for captures_of_front in captured.values():
        times = [datetime.fromisoformat(fetched_at) for fetched_at, _ in captures_of_front]
        for fetched_at, teasers in captures_of_front:
            moment = datetime.fromisoformat(fetched_at)
            if not any(abs(other - moment) <= SERIES_GAP and other != moment for other in times):
                continue  # a capture months from the front's others: its cards are other days' news
            for teaser in teasers:
                item_id = f"{fetched_at}#{teaser.position}#{teaser.url}"
                captured_at = naive_utc(moment)  # as the store holds a capture time
                items.append(
                    teaser_item(item_id, teaser.title, teaser.text, teaser.published_at, teaser.url, captured_at)
                )
                seen[item_id] = (fetched_at, teaser.title, link_key(teaser.url))
    result = cluster_items(items, stage_settings())
    cluster_of = {member.item_id: member.cluster_id for member in result.members}
    by_link: dict[str, list[str]] = defaultdict(list)
    links_of: dict[str, set] = defaultdict(set)
    for item_id, (_, _, key) in seen.items():
        by_link[key].append(item_id)
        links_of[cluster_of[item_id]].add(key)
    repeated = [ids for key, ids in by_link.items() if key and len({seen[i][0] for i in ids}) >= 2]
    together = [ids for ids in repeated if len({cluster_of[i] for i in ids}) == 1]
    edited = [ids for ids in repeated if len({seen[i][1] for i in ids}) > 1]
    return {
        "links": len(repeated),
        "one_cluster": len(together),
        "edited": len(edited),
        "edited_one_cluster": sum(1 for ids in edited if len({cluster_of[i] for i in ids}) == 1),
        "clusters_with_two_links": sum(1 for keys in links_of.values() if len(keys) > 1),
        "merged": sum(1 for e in result.edges if seen[e.item_a][2] != seen[e.item_b][2] and e.reason != "exact text"),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m newsassets.evaluate fronts", description=__doc__.split("\n")[0])
    parser.add_argument(
        "realdata", nargs="?", type=Path, default=REALDATA, help="the realdata folder, or its fronts/ folder itself"
    )
    parser.add_argument("--examples", type=int, default=0, help="extra and missed cards to print per page")
    args = parser.parse_args(argv)
    if not any((folder / "labels.json").exists() for folder in (args.realdata, args.realdata / "fronts")):
        parser.error(f"no labels.json in {args.realdata} or in its fronts/ folder")
    evaluate(args.realdata, args.examples)
    return 0
