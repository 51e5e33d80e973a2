"""`python -m newsassets.evaluate dedup-real ../shared/realdata`: dedup on real Dutch news, ours against datasketch.

Articles (`dutch_articles/`), for each half of the dates (21 Aug – 9 Sep and 10 – 30 Sep 2023) on its own, one
sample of real articles: `--pairs` same-story pairs (cross-brand or print↔web pairs of `pairs.jsonl.gz` with
word-3-shingle Jaccard ≥ 0.45, outside template families), `--templates` pages of template families (different
stories written by one machine template: "x% van alle stemmers in <gemeente> koos voor …") and `--others`
other articles. Each method clusters the same items (the body text, dated by `date_iso`/`time_utc`):
- **joined**: the share of the same-story pairs that end in one cluster;
- **apart**: the share of template pages whose cluster holds no other story (a re-post of one page, with
  the same names and numbers in its title, is the same story);
- **false merges**: co-clustered pairs whose word-3-shingle Jaccard is below 0.2, of all co-clustered pairs;
- pairwise precision, recall and ARI against `clusters.jsonl.gz` (its connected components; each template page
  is a story of its own, re-posts of one title together).

Teasers (`nunl_teasers/`): every distinct (id, title, subtitle) version of nu.nl's headline list within the
same halves of its dates, dated by first sighting and linking to its url as the page did; `id` is the truth
(the project is measured with the links, as on a real front, and on the headline text alone). Recall is over the pairs of one id whose titles share at least half
their words (word Jaccard ≥ 0.5); precision over all co-clustered pairs, where pairs of different ids with an
identical text (a daily format reusing its title) are reported apart and not counted as errors.

Plain datasketch: MinHash with 128 permutations (word 5-shingles for articles, word pairs for headlines),
`MinHashLSH` at 0.3, 0.5 and 0.7, clusters = connected components of the candidates, nothing verified.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import datetime
from itertools import combinations
from math import comb
from pathlib import Path

from newsassets.dedup import DedupItem, cluster_items, jaccard, seniority, shingles, words_of
from newsassets.dedup_state import stage_settings
from newsassets.evaluate.dedup import BASELINE_THRESHOLDS, plain_datasketch
from newsassets.evaluate.realdata import REALDATA
from newsassets.vocabulary import WORD

ARTICLE_HALVES = {"early": ("2023-08-21", "2023-09-09"), "late": ("2023-09-10", "2023-09-30")}
TEASER_HALVES = {"early": ("2022-07-31", "2022-12-31"), "late": ("2023-01-01", "2023-05-31")}
SAME_STORY = ("cross_brand", "same_brand_web_print")
FALSE_MERGE_JACCARD = 0.2
EDIT_JACCARD = 0.5


def _jsonl(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def _dated(day: str, time_utc: str | None) -> datetime:
    clock = (time_utc or "").rstrip("Z") or "00:00"
    return datetime.fromisoformat(f"{day}T{clock}")


def _title_key(title: str) -> str:
    return " ".join(words_of(title or ""))


def _title_slots(title: str) -> str:
    """What a template page is about: the names and numbers of its title ("3% … in Veere koos voor Pieter
    Omtzigt" and "3% … in Veere stemde op Pieter Omtzigt" are one page posted twice)."""
    return " ".join(sorted({w.lower() for w in WORD.findall(title or "") if w[0].isupper() or not w.isalpha()}))


# ---------------------------------------------------------------------------------------------- articles


class ArticleSample:
    """One sample of real articles with what is known about them."""

    def __init__(self, realdata: Path, half: tuple[str, str], pairs: int, templates: int, others: int, seed: int):
        folder = realdata / "dutch_articles"
        first, last = half
        articles = {a["doc_id"]: a for a in _jsonl(folder / "articles.jsonl.gz") if first <= a["date_iso"] <= last}
        components = _jsonl(folder / "clusters.jsonl.gz")
        families = [c for c in components if c["template_family"]]
        family_of = {d: index for index, c in enumerate(families) for d in c["doc_ids"] if d in articles}
        rng = random.Random(seed)
        candidates = [
            (p["a"], p["b"])
            for p in _jsonl(folder / "pairs.jsonl.gz")
            if p["relation"] in SAME_STORY
            and p["jaccard3"] >= 0.45
            and p["a"] in articles
            and p["b"] in articles
            and p["a"] not in family_of
            and p["b"] not in family_of
        ]
        self.pairs = rng.sample(candidates, min(pairs, len(candidates)))
        # every family contributes, the small ones whole: a sample of the big one alone would test one template
        by_family: dict[int, list[str]] = defaultdict(list)
        for doc_id, family in sorted(family_of.items()):
            by_family[family].append(doc_id)
        self.templates: list[str] = []
        ordered = sorted(by_family, key=lambda f: (len(by_family[f]), f))
        for left, family in zip(range(len(ordered), 0, -1), ordered, strict=True):
            share = (templates - len(self.templates)) // left
            self.templates += rng.sample(by_family[family], min(len(by_family[family]), max(share, 0)))
        taken = {d for pair in self.pairs for d in pair} | set(self.templates)
        rest = sorted(d for d in articles if d not in taken and d not in family_of)
        self.others = rng.sample(rest, min(others, len(rest)))
        self.doc_ids = sorted(taken | set(self.others))
        self.articles = {d: articles[d] for d in self.doc_ids}
        self.family_of = {d: family_of[d] for d in self.doc_ids if d in family_of}
        story_of = {}
        for index, component in enumerate(components):
            for d in component["doc_ids"]:
                if d in self.articles and d not in self.family_of:
                    story_of[d] = f"component-{index}"
        for d, family in self.family_of.items():
            story_of[d] = f"template-{family}-{_title_slots(self.articles[d]['title'])}"
        self.truth = {d: story_of.get(d, f"single-{d}") for d in self.doc_ids}

    def items(self) -> list[DedupItem]:
        return [
            DedupItem(
                "article",
                d,
                a["text"] or "",
                seniority(_dated(a["date_iso"], a.get("time_utc")), len(a["text"] or "")),
            )
            for d, a in self.articles.items()
        ]


def article_figures(sample: ArticleSample, predicted: dict[str, str]) -> dict[str, float]:
    joined = sum(predicted[a] == predicted[b] for a, b in sample.pairs) / max(1, len(sample.pairs))
    members: dict[str, list[str]] = defaultdict(list)
    for d in sample.doc_ids:
        members[predicted[d]].append(d)
    apart = [all(sample.truth[other] == sample.truth[d] for other in members[predicted[d]]) for d in sample.templates]
    shingle_sets: dict[str, set] = {}
    co_clustered = false = 0
    for group in members.values():
        for a, b in combinations(group, 2):
            co_clustered += 1
            for d in (a, b):
                if d not in shingle_sets:
                    shingle_sets[d] = shingles(sample.articles[d]["text"] or "", 3)
            false += jaccard(shingle_sets[a], shingle_sets[b]) < FALSE_MERGE_JACCARD
    figures = pairwise(sample.truth, predicted)
    figures.update(
        joined=joined,
        apart=sum(apart) / max(1, len(apart)),
        false=false,
        co_clustered=co_clustered,
        false_share=false / co_clustered if co_clustered else 0.0,
    )
    return figures


def pairwise(truth: dict[str, str], predicted: dict[str, str]) -> dict[str, float]:
    ids = sorted(truth)
    same_both = sum(comb(n, 2) for n in Counter((truth[i], predicted[i]) for i in ids).values())
    same_truth = sum(comb(n, 2) for n in Counter(truth[i] for i in ids).values())
    same_pred = sum(comb(n, 2) for n in Counter(predicted[i] for i in ids).values())
    precision = same_both / same_pred if same_pred else 1.0
    recall = same_both / same_truth if same_truth else 1.0
    total = comb(len(ids), 2)
    expected = same_truth * same_pred / total if total else 0.0
    maximum = (same_truth + same_pred) / 2
    ari = (same_both - expected) / (maximum - expected) if maximum != expected else 1.0
    return {"precision": precision, "recall": recall, "ari": ari}


# ---------------------------------------------------------------------------------------------- teasers


class TeaserSample:
    """nu.nl headline versions of one half of the dates; item id = `<id>#<version>`."""

    def __init__(self, realdata: Path, half: tuple[str, str]):
        first, last = half
        self.versions = {
            f"{v['id']}#{v['version']}": v
            for v in _jsonl(realdata / "nunl_teasers" / "headline_versions.jsonl.gz")
            if first <= (v.get("first_seen_at") or "")[:10] <= last
        }

    @staticmethod
    def text(version: dict) -> str:
        return " ".join(part for part in (version["title"], version.get("subtitle")) if part)

    def items(self, links: bool = True) -> list[DedupItem]:
        """The versions as teasers, dated by first sighting, with their link (as on the page) unless not `links`."""
        items = []
        for item_id, v in self.versions.items():
            seen = datetime.fromisoformat(v["first_seen_at"]).replace(tzinfo=None)
            link = f"https://www.nu.nl{v['url']}" if links and v.get("url") else None
            items.append(DedupItem("teaser", item_id, self.text(v), seniority(seen, len(self.text(v))), link))
        return items


def teaser_figures(sample: TeaserSample, predicted: dict[str, str]) -> dict[str, float]:
    versions = sample.versions
    by_id: dict[int, list[str]] = defaultdict(list)
    for item_id, v in versions.items():
        by_id[v["id"]].append(item_id)
    words = {item_id: set(words_of(v["title"])) for item_id, v in versions.items()}
    edits = joined = 0
    for group in by_id.values():
        for a, b in combinations(group, 2):
            if jaccard(words[a], words[b]) >= EDIT_JACCARD:
                edits += 1
                joined += predicted[a] == predicted[b]
    members: dict[str, list[str]] = defaultdict(list)
    for item_id in versions:
        members[predicted[item_id]].append(item_id)
    right = wrong = identical = 0
    for group in members.values():
        for a, b in combinations(group, 2):
            if versions[a]["id"] == versions[b]["id"]:
                right += 1
            elif _title_key(sample.text(versions[a])) == _title_key(sample.text(versions[b])):
                identical += 1
            else:
                wrong += 1
    return {
        "precision": right / (right + wrong) if right + wrong else 1.0,
        "recall": joined / edits if edits else 1.0,
        "edits": edits,
        "wrong": wrong,
        "identical": identical,
    }


# ---------------------------------------------------------------------------------------------- methods


def methods(
    items: list[DedupItem], shingle_words: int, variants: dict[str, list[DedupItem]] | None = None
) -> list[tuple[str, dict[str, str], float]]:
    """(name, cluster of each item id, seconds) for the project (on `items`, and on each variant of them) and
    plain datasketch at each threshold."""
    found = []
    for name, these in {"newsassets": items, **(variants or {})}.items():
        started = time.monotonic()
        ours = {m.item_id: m.cluster_id for m in cluster_items(these, stage_settings()).members}
        found.append((name, ours, time.monotonic() - started))
    for threshold in BASELINE_THRESHOLDS:
        started = time.monotonic()
        predicted = plain_datasketch(items, threshold, shingle_words)
        found.append((f"datasketch LSH {threshold}", predicted, time.monotonic() - started))
    return found


def evaluate(realdata: Path, pairs: int, templates: int, others: int, seed: int, out: Callable = print) -> dict:
    results: dict = {"articles": {}, "teasers": {}}
    out("| half | method | same-story pairs joined | template pages apart | false merges | P | R | ARI | s |")
    out("|---|---|---|---|---|---|---|---|---|")
    for half, dates in ARTICLE_HALVES.items():
        sample = ArticleSample(realdata, dates, pairs, templates, others, seed)
        for name, predicted, seconds in methods(sample.items(), 5):
            f = article_figures(sample, predicted)
            results["articles"][(half, name)] = f
            out(
                f"| {half} ({len(sample.doc_ids)} articles) | {name} | {f['joined']:.3f} | {f['apart']:.3f} "
                f"| {f['false']} of {f['co_clustered']} ({f['false_share']:.1%}) | {f['precision']:.3f} "
                f"| {f['recall']:.3f} | {f['ari']:.3f} | {seconds:.1f} |"
            )
    out("")
    out(
        "| half | method | pairwise precision | recall (edits, word Jaccard ≥ 0.5) | wrong pairs | identical texts | s |"
    )
    out("|---|---|---|---|---|---|---|")
    for half, dates in TEASER_HALVES.items():
        sample = TeaserSample(realdata, dates)
        variants = {"newsassets, headline text only": sample.items(links=False)}
        for name, predicted, seconds in methods(sample.items(), 2, variants):
            f = teaser_figures(sample, predicted)
            results["teasers"][(half, name)] = f
            out(
                f"| {half} ({len(sample.versions)} versions) | {name} | {f['precision']:.4f} "
                f"| {f['recall']:.3f} of {f['edits']} | {f['wrong']} | {f['identical']} | {seconds:.1f} |"
            )
    return results


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m newsassets.evaluate dedup-real", description=__doc__.split("\n")[0]
    )
    parser.add_argument("realdata", type=Path, nargs="?", default=REALDATA)
    parser.add_argument("--pairs", type=int, default=300)
    parser.add_argument("--templates", type=int, default=150)
    parser.add_argument("--others", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    if not (args.realdata / "dutch_articles").is_dir():
        print(f"{args.realdata} has no dutch_articles/: see ../shared/realdata/README.md", file=sys.stderr)
        return 2
    evaluate(args.realdata, args.pairs, args.templates, args.others, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
