"""`python -m newsassets.evaluate dedup DIR`: dedup quality on a labelled corpus, ours against plain datasketch.

DIR holds `pages/*.txt` and `truth.json` (`newsassets.evaluate.corpus`); when it has no `truth.json` yet, the
corpus is generated there first. Every page goes through the project's own cleaning and teaser extraction, then
through `newsassets.dedup.cluster_items`, and through plain datasketch for comparison: word 5-shingles,
128 permutations, `MinHashLSH` at thresholds 0.3, 0.5 and 0.7, clusters = connected components of the LSH
candidates, nothing verified. Printed for articles and teasers separately: pairwise precision, recall, F1,
the adjusted Rand index, and the share of template pages kept apart from every other story.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from math import comb
from pathlib import Path

from datasketch import MinHash, MinHashLSH

from newsassets.cleaning import clean_text_page
from newsassets.dedup import DedupItem, cluster_items, shingles
from newsassets.dedup_state import stage_settings
from newsassets.reading import decode_text
from newsassets.teasers import extract_teasers

BASELINE_THRESHOLDS = (0.3, 0.5, 0.7)


def load_items(directory: Path) -> list[DedupItem]:
    items = []
    for path in sorted((directory / "pages").glob("*.txt")):
        text = decode_text(path.read_bytes())
        items.append(DedupItem("article", path.name, clean_text_page(text).body))
        items += [DedupItem("teaser", f"{path.name}#{t.position}", t.text) for t in extract_teasers(text)]
    return items


def plain_datasketch(items: list[DedupItem], threshold: float, shingle_words: int = 5) -> dict[str, str]:
    """Connected components of MinHashLSH candidates on word n-shingles, 128 permutations, unverified."""
    signatures = MinHash.bulk(
        [[s.encode() for s in shingles(item.text, shingle_words)] for item in items], num_perm=128, scheme="affine32"
    )
    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for index, signature in enumerate(signatures):
        if not items[index].text.strip():
            continue
        for other in lsh.query(signature):
            parent[root(index)] = root(other)
        lsh.insert(index, signature)
    return {item.item_id: str(root(i)) for i, item in enumerate(items)}


def scores(truth: dict[str, str], predicted: dict[str, str], templates: dict[str, str]) -> dict[str, float]:
    """Pairwise precision, recall, F1; adjusted Rand index; share of template pages kept apart."""
    ids = sorted(truth)
    joint = Counter((truth[i], predicted[i]) for i in ids)
    same_both = sum(comb(n, 2) for n in joint.values())
    same_truth = sum(comb(n, 2) for n in Counter(truth[i] for i in ids).values())
    same_pred = sum(comb(n, 2) for n in Counter(predicted[i] for i in ids).values())
    precision = same_both / same_pred if same_pred else 1.0
    recall = same_both / same_truth if same_truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    total = comb(len(ids), 2)
    expected = same_truth * same_pred / total if total else 0.0
    maximum = (same_truth + same_pred) / 2
    ari = (same_both - expected) / (maximum - expected) if maximum != expected else 1.0
    members = defaultdict(set)
    for i in ids:
        members[predicted[i]].add(truth[i])
    kept = [len(members[predicted[i]]) == 1 for i in ids if i in templates]
    apart = sum(kept) / len(kept) if kept else 1.0
    return {"precision": precision, "recall": recall, "f1": f1, "ari": ari, "templates_apart": apart}


def evaluate(directory: Path) -> list[tuple[str, str, dict[str, float]]]:
    truth_file = json.loads((directory / "truth.json").read_text(encoding="utf-8"))
    items = load_items(directory)
    by_kind = {"article": "articles", "teaser": "teasers"}
    rows = []
    started = time.monotonic()
    ours = {m.item_id: m.cluster_id for m in cluster_items(items, stage_settings()).members}
    ours_seconds = time.monotonic() - started
    methods = [(f"newsassets ({ours_seconds:.1f} s)", ours)]
    for threshold in BASELINE_THRESHOLDS:
        predicted = {}
        for kind in by_kind:
            predicted.update(plain_datasketch([i for i in items if i.item_kind == kind], threshold))
        methods.append((f"datasketch 5-shingle LSH {threshold}", predicted))
    for kind, key in by_kind.items():
        truth = truth_file[key]
        missing = set(truth) - {i.item_id for i in items if i.item_kind == kind}
        if missing:
            raise SystemExit(f"{len(missing)} {key} of truth.json were not extracted, e.g. {sorted(missing)[:3]}")
        templates = truth_file["templates"] if kind == "article" else {}
        for name, predicted in methods:
            rows.append((key, name, scores(truth, {i: predicted[i] for i in truth}, templates)))
    return rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m newsassets.evaluate dedup", description=__doc__.split("\n")[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--seed", type=int, default=7, help="corpus seed, when the corpus is generated")
    args = parser.parse_args(argv)
    if not (args.dir / "truth.json").exists():
        from newsassets.evaluate.corpus import generate

        truth = generate(args.dir, seed=args.seed)
        print(f"generated {len(truth['articles'])} pages with {len(truth['teasers'])} teasers in {args.dir}")
    rows = evaluate(args.dir)
    print("| items | method | precision | recall | F1 | ARI | template pages apart |")
    print("|---|---|---|---|---|---|---|")
    for kind, name, s in rows:
        apart = f"{s['templates_apart']:.3f}" if kind == "articles" else "–"
        print(
            f"| {kind} | {name} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {s['ari']:.3f} | {apart} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
