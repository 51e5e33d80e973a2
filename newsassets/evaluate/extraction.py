"""`python -m newsassets.evaluate extraction DIR`: the project's HTML bodies against plain trafilatura.

DIR holds `ground-truth.json` (`{id: {"articleBody": str, "url": str}}`) and `html/<id>.html.gz`, the shape of
the Zyte/Scrapinghub article-extraction benchmark. For every page the command extracts

- **project**: `newsassets.cleaning.clean_html_page(html, url).body`, what the `articles` table stores;
- **trafilatura**: plain `trafilatura.extract(html, url=url, favor_precision=True, include_comments=False)`,
  its best setting on the benchmark (F1 0.964 with 2.3.1; defaults give 0.953),

and prints, for both, in one run:

- **precision / recall / F1** by the benchmark's own metric, as its `evaluate.py` computes it: texts are split
  into `\\w+` tokens; each side is a bag (multiset) of word 4-grams (a text of fewer than 4 tokens is one
  shorter n-gram); per page tp = Σ min(count_truth, count_pred), fp = Σ excess of the prediction, fn = Σ excess
  of the truth, then normalised so tp + fp + fn = 1. Page precision is tp / (tp + fp) (1 when fp = fn = 0),
  page recall tp / (tp + fn); precision is the mean over pages whose prediction has any n-gram (tp + fp > 0),
  recall the mean over pages whose truth has any (tp + fn > 0); F1 is the harmonic mean of those two means.
- **leaked tail share**: the share of pages whose extracted text *ends with leaked text*, i.e. both
  (1) the text's last paragraph (last non-empty line) is mostly foreign to the truth: more than half of its
  n-grams (4-grams; a paragraph of fewer than 4 tokens counts as its one whole token sequence) do not occur
  anywhere in the truth's token sequence, and
  (2) the article's real ending was already extracted before that paragraph: the truth's last 4-gram occurs
  in the text's tokens before the last paragraph.
  This is the signature of a teaser rail, related-links list, share bar or newsletter box appended after the
  story. The share is over pages whose truth and prediction are both non-empty.
- **ms per page**, the mean wall time of each extractor, parsing included, after one untimed warm-up call
  (imports, the language model).

Pure metric functions (`shingles`, `page_scores`, `aggregate`, `ends_with_leak`) are tested on tiny strings.
The benchmark's pages stay outside the project: this module only reads DIR.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from newsassets.vocabulary import WORD

TOKEN = WORD
NGRAM = 4


def tokenize(text: str) -> list[str]:
    return TOKEN.findall(text or "")


def shingles(text: str, n: int = NGRAM) -> Counter[tuple[str, ...]]:
    """The bag of word n-grams; a text of fewer than n tokens (but some) is one shorter n-gram, as in the benchmark."""
    tokens = tokenize(text)
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


@dataclass(frozen=True)
class PageScore:
    tp: float
    fp: float
    fn: float


def page_scores(truth: str, prediction: str) -> PageScore:
    """tp, fp, fn over the two bags of 4-grams, normalised to sum 1 (all 0 when both texts are empty)."""
    true_bag, pred_bag = shingles(truth), shingles(prediction)
    tp = sum((true_bag & pred_bag).values())
    fp = sum((pred_bag - true_bag).values())
    fn = sum((true_bag - pred_bag).values())
    total = tp + fp + fn
    if total == 0:
        return PageScore(0.0, 0.0, 0.0)
    return PageScore(tp / total, fp / total, fn / total)


def page_precision(score: PageScore) -> float:
    if score.fp == score.fn == 0:
        return 1.0
    return score.tp / (score.tp + score.fp) if score.tp + score.fp > 0 else 0.0


def page_recall(score: PageScore) -> float:
    if score.fp == score.fn == 0:
        return 1.0
    return score.tp / (score.tp + score.fn) if score.tp + score.fn > 0 else 0.0


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float


def aggregate(scores: list[PageScore]) -> Scores:
    """Precision: mean over pages with any prediction; recall: mean over pages with any truth; F1 of the means."""
    precisions = [page_precision(s) for s in scores if s.tp + s.fp > 0]
    recalls = [page_recall(s) for s in scores if s.tp + s.fn > 0]
    precision = statistics.fmean(precisions) if precisions else 0.0
    recall = statistics.fmean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return Scores(precision, recall, f1)


def _contains(haystack: list[str], needle: tuple[str, ...]) -> bool:
    n = len(needle)
    return any(tuple(haystack[i : i + n]) == needle for i in range(len(haystack) - n + 1))


def ends_with_leak(truth: str, prediction: str) -> bool:
    """Whether the prediction ends with a paragraph foreign to the truth, after the truth's own ending."""
    paragraphs = [line for line in prediction.split("\n") if tokenize(line)]
    truth_tokens = tokenize(truth)
    if not paragraphs or not truth_tokens:
        return False
    last = tokenize(paragraphs[-1])
    grams = [tuple(last[i : i + NGRAM]) for i in range(max(1, len(last) - NGRAM + 1))]
    truth_grams = {tuple(truth_tokens[i : i + NGRAM]) for i in range(max(1, len(truth_tokens) - NGRAM + 1))}
    foreign = sum(1 for g in grams if (g not in truth_grams if len(g) == NGRAM else not _contains(truth_tokens, g)))
    if foreign * 2 <= len(grams):
        return False
    before = tokenize("\n".join(paragraphs[:-1]))
    return _contains(before, tuple(truth_tokens[-NGRAM:]))


def trafilatura_best(html: str, url: str | None) -> str:
    import trafilatura

    try:
        return trafilatura.extract(html, url=url, favor_precision=True, include_comments=False) or ""
    except Exception:
        return ""


def project_body(html: str, url: str | None) -> str:
    from newsassets.cleaning import clean_html_page

    return clean_html_page(html, url).body


EXTRACTORS: dict[str, Callable[[str, str | None], str]] = {"project": project_body, "trafilatura": trafilatura_best}


def load_pages(directory: Path) -> list[tuple[str, str, str | None, str]]:
    """(id, truth, url, html) for every page of the benchmark folder, in id order."""
    truth = json.loads((directory / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth):
        raw = gzip.decompress((directory / "html" / f"{page_id}.html.gz").read_bytes())
        html = raw.decode("utf-8", errors="replace")
        pages.append((page_id, truth[page_id].get("articleBody") or "", truth[page_id].get("url"), html))
    return pages


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m newsassets.evaluate extraction", description=__doc__.split("\n")[0]
    )
    parser.add_argument("directory", type=Path, help="benchmark folder: ground-truth.json and html/<id>.html.gz")
    parser.add_argument("--limit", type=int, default=None, help="evaluate only the first N pages (by id)")
    parser.add_argument("--dump", type=Path, default=None, help="write every page's outputs to this JSON file")
    args = parser.parse_args(argv)
    pages = load_pages(args.directory)[: args.limit]
    print(f"{len(pages)} pages from {args.directory}")
    dump: dict[str, dict[str, str]] = {}
    print(f"{'extractor':<12} {'precision':>9} {'recall':>7} {'F1':>6} {'leaked tail':>12} {'ms/page':>8}")
    for name, extract in EXTRACTORS.items():
        if pages:  # imports and model loading are not per-page costs
            extract(pages[0][3], pages[0][2])
        scores, leaks, judged, elapsed = [], 0, 0, 0.0
        for page_id, truth, url, html in pages:
            start = time.perf_counter()
            prediction = extract(html, url)
            elapsed += time.perf_counter() - start
            scores.append(page_scores(truth, prediction))
            if tokenize(truth) and tokenize(prediction):
                judged += 1
                leaks += ends_with_leak(truth, prediction)
            dump.setdefault(page_id, {"truth": truth})[name] = prediction
        result = aggregate(scores)
        share = leaks / judged if judged else 0.0
        print(
            f"{name:<12} {result.precision:>9.3f} {result.recall:>7.3f} {result.f1:>6.3f}"
            f" {share:>6.1%} ({leaks:>3}) {1000 * elapsed / max(1, len(pages)):>8.1f}"
        )
    if args.dump:
        args.dump.write_text(json.dumps(dump, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0
