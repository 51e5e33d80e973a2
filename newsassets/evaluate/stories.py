"""`python -m newsassets.evaluate stories [REALDATA]`: stories made from real data, against what is known of them.

1. **nu.nl's front, replayed.** Every snapshot of `nunl_teasers/snapshots.jsonl.gz` is one capture of nu.nl's
   headline list: each `[id, title]` becomes a teaser sighting (position on the list, the snapshot's time, the
   link and subtitle its `headline_versions` entry gives, `page_kind` front). The sightings are clustered by the
   dedup stage's core as the stage would cluster them (headline and standfirst, link, date) and grouped into
   stories (`newsassets.stories`). nu.nl's id is the truth: an id's story *spans exactly its sightings* when all
   its sightings are in one story that holds no other id's; then the story's first and last seen on the front
   are the id's. Printed: the share of ids whose story spans exactly their sightings (the issue's target is
   ≥ 0.95), of ids whose first and last sighting the story reproduces, and what the others are.
2. **Dutch articles across outlets.** The articles of `dutch_articles` (AD, Telegraaf, Volkskrant, Trouw, Parool,
   NRC; web and print) of a date range, clustered and grouped into stories with their brand as the site: how
   many stories, how many ran at two or more brands, which brand had them first, and the widest stories with
   who had them first and when the next brand followed: read them to judge "who had it first" by eye.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from newsassets.dedup import cluster_items
from newsassets.dedup_state import dedup_item, stage_settings, teaser_item
from newsassets.evaluate.realdata import REALDATA
from newsassets.pages import FRONT
from newsassets.stories import StoryArticle, StoryTeaser, build_stories, link_teasers
from newsassets.vocabulary import naive_utc

ARTICLE_DATES = ("2023-08-21", "2023-09-09")


def _jsonl(path: Path):
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def _moment(value: str | None) -> datetime | None:
    return naive_utc(datetime.fromisoformat(value)) if value else None


def nunl_sightings(realdata: Path, snapshots: int | None = None) -> tuple[list[StoryTeaser], dict[str, int]]:
    """The replayed front's teasers (with dedup text and link, as `DedupItem`s are built next) and each
    teaser's nu.nl id."""
    folder = realdata / "nunl_teasers"
    versions = {(v["id"], v["title"]): v for v in _jsonl(folder / "headline_versions.jsonl.gz")}
    teasers, truth = [], {}
    for number, snapshot in enumerate(_jsonl(folder / "snapshots.jsonl.gz")):
        if snapshots is not None and number >= snapshots:
            break
        seen = _moment(snapshot["committed_at"])
        for position, (story_id, title) in enumerate(snapshot["items"], start=1):
            version = versions.get((story_id, title), {})
            url = f"https://www.nu.nl{version['url']}" if version.get("url") else None
            teaser_id = f"{number}#{position}"
            teasers.append(
                StoryTeaser(
                    teaser_id, f"snapshot-{number}", "", title, version.get("subtitle"), url, "nu.nl", seen,
                    _moment(version.get("published_at")), position, FRONT, "https://www.nu.nl/",
                )
            )  # fmt: skip
            truth[teaser_id] = story_id
    return teasers, truth


def _clustered(teasers: list[StoryTeaser]) -> list[StoryTeaser]:
    """The teasers with the cluster the dedup stage gives them (headline and standfirst, dated, linked)."""
    items = [teaser_item(t.teaser_id, t.title, t.text, t.published_at, t.url) for t in teasers]
    cluster_of = {m.item_id: m.cluster_id for m in cluster_items(items, stage_settings()).members}
    return [replace(t, cluster_id=cluster_of[t.teaser_id]) for t in teasers]


def nunl_figures(teasers: list[StoryTeaser], truth: dict[str, int]) -> dict[str, object]:
    stories = build_stories([], teasers, [])
    story_of = {item: story for story in stories for _, item in story.members}
    by_id: dict[int, list[str]] = defaultdict(list)
    for teaser_id, story_id in truth.items():
        by_id[story_id].append(teaser_id)
    seen = {t.teaser_id: t.seen_at for t in teasers}
    exact = spans = split = shared = 0
    for teaser_ids in by_id.values():
        held = {id(story_of[t]) for t in teaser_ids}
        story = story_of[teaser_ids[0]]
        others = {truth[item] for _, item in story.members} - {truth[teaser_ids[0]]}
        if len(held) > 1:
            split += 1
        elif others:
            shared += 1
        else:
            exact += 1
        first, last = min(seen[t] for t in teaser_ids), max(seen[t] for t in teaser_ids)
        spans += len(held) == 1 and (story.first_seen_on_front, story.last_seen_on_front) == (first, last)
    ids = len(by_id) or 1
    return {
        "sightings": len(teasers),
        "ids": len(by_id),
        "stories": len(stories),
        "exact": exact / ids,
        "first_and_last_seen": spans / ids,
        "split": split,
        "shared": shared,
    }


def dutch_articles(realdata: Path, dates: tuple[str, str] = ARTICLE_DATES) -> list[StoryArticle]:
    """The articles of the date range as the stories stage reads them, clustered by the dedup stage's core."""
    first, last = dates
    rows = [a for a in _jsonl(realdata / "dutch_articles" / "articles.jsonl.gz") if first <= a["date_iso"] <= last]
    dated = {a["doc_id"]: _article_time(a) for a in rows}
    items = [dedup_item("article", a["doc_id"], a["text"], dated[a["doc_id"]]) for a in rows]
    cluster_of = {m.item_id: m.cluster_id for m in cluster_items(items, stage_settings()).members}
    return [
        StoryArticle(
            a["doc_id"], a["doc_id"], cluster_of[a["doc_id"]], a["title"], a["text"].split("\n", 1)[0], None,
            a["brand"], dated[a["doc_id"]], f"{a['outlet']} ({a['channel']})",
        )
        for a in rows
    ]  # fmt: skip


def _article_time(article: dict) -> datetime:
    """Web items carry a UTC time; print items only their day (read as the day's start: they appear in the
    morning paper, after the web)."""
    clock = (article.get("time_utc") or "00:00Z").rstrip("Z")
    return datetime.fromisoformat(f"{article['date_iso']}T{clock}")


def article_figures(articles: list[StoryArticle], examples: int) -> dict[str, object]:
    stories = build_stories(articles, [], link_teasers(articles, []))
    multi = [s for s in stories if s.n_sites > 1]
    delays = []
    for story in multi:
        first = story.timeline[0]
        second = next(e for e in story.timeline if e["site"] != first["site"])
        delays.append((second["time"] - first["time"]).total_seconds() / 3600)
    widest = sorted(multi, key=lambda s: (-s.n_sites, -s.n_articles, s.story_id))[:examples]
    return {
        "articles": len(articles),
        "stories": len(stories),
        "multi_site": len(multi),
        "first_sites": Counter(s.first_site for s in multi).most_common(),
        "median_hours_to_second_site": statistics.median(delays) if delays else None,
        "widest": widest,
    }


def evaluate(realdata: Path, snapshots: int | None = None, examples: int = 5, out=print) -> dict:
    started = time.monotonic()
    teasers, truth = nunl_sightings(realdata, snapshots)
    nunl = nunl_figures(_clustered(teasers), truth)
    out(
        f"nu.nl replayed: {nunl['sightings']:,} sightings of {nunl['ids']:,} ids on "
        f"{len({t.doc_id for t in teasers}):,} captures → {nunl['stories']:,} stories; "
        f"ids whose story spans exactly their sightings {nunl['exact']:.3f}, whose first and last seen on the front "
        f"the story gives {nunl['first_and_last_seen']:.3f}; split over stories {nunl['split']}, sharing a story "
        f"with another id {nunl['shared']} ({time.monotonic() - started:.0f} s)"
    )
    started = time.monotonic()
    articles = article_figures(dutch_articles(realdata), examples)
    out(
        f"\nDutch articles {ARTICLE_DATES[0]} … {ARTICLE_DATES[1]}: {articles['articles']:,} articles → "
        f"{articles['stories']:,} stories, {articles['multi_site']:,} at two or more brands; median hours to the "
        f"second brand {articles['median_hours_to_second_site']:.1f}; first by brand "
        f"{', '.join(f'{b} {n}' for b, n in articles['first_sites'])} ({time.monotonic() - started:.0f} s)"
    )
    for story in articles["widest"]:
        out(f"\n  {story.title!r}: {story.n_articles} articles at {', '.join(story.sites)}")
        for entry in story.timeline:
            out(f"    {entry['time']:%Y-%m-%d %H:%M}  {entry['site']:<11} {entry['page']}")
    return {"nunl": nunl, "articles": {k: v for k, v in articles.items() if k != "widest"}}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m newsassets.evaluate stories", description=__doc__.split("\n")[0])
    parser.add_argument("realdata", nargs="?", type=Path, default=REALDATA)
    parser.add_argument("--snapshots", type=int, default=None, help="replay only the first N snapshots of nu.nl")
    parser.add_argument("--examples", type=int, default=5, help="widest multi-brand stories to print")
    args = parser.parse_args(argv)
    if not (args.realdata / "nunl_teasers" / "snapshots.jsonl.gz").exists():
        parser.error(f"no nunl_teasers/snapshots.jsonl.gz under {args.realdata}")
    evaluate(args.realdata, args.snapshots, args.examples)
    return 0
