"""`python -m newsassets.evaluate fronts [REALDATA]`: how many labelled teaser cards of real fronts become teasers.

Reads `fronts/` of `../shared/realdata` (27 German fronts of five sites, each with its url and capture time in
`meta.json`, and the cards an archive's `<article>` selector read in `labels.json`), runs the project's front
reading (`newsassets.pages.front_teasers`) on each page and prints, per capture group and overall:

- labelled cards, and how many of them a teaser row carries with the same url (scheme, `www.`, fragment and a
  trailing slash aside): the issue's recall figure;
- of those, how many have a headline that matches the label's loosely (the label's headline often runs kicker
  and title together: the teaser's title within the label's, or word Jaccard ≥ 0.5);
- extra rows (teasers whose url no label has): the labels miss cards outside `<article>` elements, so read
  `--examples N` of them per page to judge precision by eye;
- the slowest page in ms, with its size.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from newsassets.dedup import words_of
from newsassets.evaluate.realdata import REALDATA
from newsassets.html import parse_datetime
from newsassets.pages import front_teasers
from newsassets.reading import decode_text


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


def evaluate(realdata: Path, examples: int = 0) -> dict:
    fronts = realdata / "fronts"
    labels = json.loads((fronts / "labels.json").read_text(encoding="utf-8"))
    meta = json.loads((fronts / "meta.json").read_text(encoding="utf-8"))
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    slowest = (0.0, "", 0)
    for name in sorted(labels):
        data = gzip.decompress((fronts / "html" / name).read_bytes())
        html = decode_text(data)
        info = meta[name]
        started = time.perf_counter()
        teasers = front_teasers(html, parse_datetime(info["fetched_at"]), info["url"])
        seconds = time.perf_counter() - started
        slowest = max(slowest, (seconds, name, len(data)))
        by_url: dict[str, list] = defaultdict(list)
        for teaser in teasers:
            by_url[normal_url(teaser.url)].append(teaser)
        wanted = {normal_url(card["url"]): card for card in labels[name] if card.get("url")}
        found = [key for key in wanted if key in by_url]
        titled = [key for key in found if any(headline_matches(t.title, wanted[key]["headline"]) for t in by_url[key])]
        extra = [t for t in teasers if normal_url(t.url) not in wanted]
        for group in (info["group"], "all"):
            figures = totals[group]
            figures["pages"] += 1
            figures["labelled"] += len(wanted)
            figures["found"] += len(found)
            figures["titled"] += len(titled)
            figures["rows"] += len(teasers)
            figures["extra"] += len(extra)
        print(
            f"{name}: {len(teasers)} teaser rows; {len(found)} of {len(wanted)} labelled cards by url, "
            f"{len(titled)} with their headline; {len(extra)} extra rows; {seconds * 1000:.0f} ms"
        )
        for teaser in extra[:examples]:
            print(f"    extra: {teaser.title!r} → {teaser.url}")
        for key in [k for k in wanted if k not in by_url][:examples]:
            print(f"    missed: {wanted[key]['headline']!r} → {wanted[key]['url']}")
    print()
    print("| group | pages | labelled cards | found by url | with headline | teaser rows | extra rows |")
    print("|---|---|---|---|---|---|---|")
    for group, f in sorted(totals.items(), key=lambda item: (item[0] == "all", item[0])):
        labelled = f["labelled"] or 1
        print(
            f"| {group} | {f['pages']:.0f} | {f['labelled']:.0f} | {f['found']:.0f} ({f['found'] / labelled:.3f}) | "
            f"{f['titled']:.0f} ({f['titled'] / labelled:.3f}) | {f['rows']:.0f} | {f['extra']:.0f} |"
        )
    seconds, name, size = slowest
    print(f"\nslowest page: {name}, {size / 1e6:.1f} MB, {seconds * 1000:.0f} ms")
    return {group: dict(figures) for group, figures in totals.items()}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m newsassets.evaluate fronts", description=__doc__.split("\n")[0])
    parser.add_argument("realdata", nargs="?", type=Path, default=REALDATA)
    parser.add_argument("--examples", type=int, default=0, help="extra and missed cards to print per page")
    args = parser.parse_args(argv)
    if not (args.realdata / "fronts" / "labels.json").exists():
        parser.error(f"no fronts/labels.json under {args.realdata}")
    evaluate(args.realdata, args.examples)
    return 0
