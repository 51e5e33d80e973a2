"""`python -m newsassets.evaluate extraction [DIR]`: the project's article bodies and metadata against trafilatura.

Without DIR it runs on two sets of real pages in one go: `fundus` (`../shared/realdata/fundus_pages`, 149
pages from 41 countries with hand-checked body, title, authors and publication date) and `zyte`
(`../shared/extraction/zyte`, 181 pages with hand-made bodies). DIR is a folder of the Zyte shape:
`ground-truth.json` (`{id: {"articleBody": str, "url": str}}`) and `html/<id>.html.gz`. On every page it runs

- **project**: `newsassets.cleaning.clean_html_page(html, url)`, what the `articles` table stores (summary,
  body, title, `published_at`, `authors`). The two sets disagree on the standfirst under the headline: fundus's
  expected text opens with it (its `summary`), Zyte's `articleBody` leaves it out. The project keeps it apart,
  as `summary`, so its text is `summary` + `body` on fundus pages and `body` alone on Zyte's (and on a DIR);
- **trafilatura**: `trafilatura.extract(html, url=url, favor_precision=True, include_comments=False)`, its best
  setting on the Zyte pages (F1 0.964 with 2.3.1), and `trafilatura.extract_metadata(html, default_url=url)`
  for title, date and authors;
- **trafilatura-default**: `trafilatura.extract(html, url=url)` with its defaults (higher recall), and the
  same metadata,

and prints, per set, overall and per language group (the truth body's language by py3langid, grouped by
family), for each extractor:

- **precision / recall / F1** of the body by the Zyte benchmark's own metric, as its `evaluate.py` computes it:
  texts are split into `\\w+` tokens; each side is a bag (multiset) of word 4-grams (a text of fewer than 4
  tokens is one shorter n-gram); per page tp = Σ min(count_truth, count_pred), fp = Σ excess of the prediction,
  fn = Σ excess of the truth, then normalised so tp + fp + fn = 1. Page precision is tp / (tp + fp) (1 when
  fp = fn = 0), page recall tp / (tp + fn); precision is the mean over pages whose prediction has any n-gram
  (tp + fp > 0), recall the mean over pages whose truth has any (tp + fn > 0); F1 is the harmonic mean of the
  two means.
- **leaked tail share**: the share of pages whose extracted text *ends with leaked text*, i.e. both
  (1) the text's last paragraph (last non-empty line) is mostly foreign to the truth: more than half of its
  n-grams (4-grams; a paragraph of fewer than 4 tokens counts as its one whole token sequence) do not occur
  anywhere in the truth's token sequence, and
  (2) the article's real ending was already extracted before that paragraph: the truth's last 4-gram occurs
  in the text's tokens before the last paragraph.
  This is the signature of a teaser rail, related-links list, share bar or newsletter box appended after the
  story. The share is over pages whose truth and prediction are both non-empty.
- where the set has them (fundus): **title** exact match (whitespace- and case-normalised, invisible soft
  hyphens and zero-width marks dropped), **date**: the
  publication on the same day as the truth's, in the truth's own time zone (a bare date, as trafilatura gives,
  is read as that local day), and **authors** precision / recall / F1 over all pages (names case- and
  whitespace-normalised; a page with no authors in its truth makes every found name a false one);
- **ms per page**, the mean wall time of each extractor, parsing included, after one untimed warm-up call
  (imports, the language model).

Pure metric functions (`shingles`, `page_scores`, `aggregate`, `ends_with_leak`, `same_day`, `name_matches`) are
tested on tiny strings. The pages stay outside the project: this module only reads them where they are.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from newsassets.evaluate.realdata import REALDATA, ZYTE
from newsassets.vocabulary import WORD

TOKEN = WORD
NGRAM = 4
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))  # soft hyphen, zero-width marks


def tokenize(text: str) -> list[str]:
    """The words of `text`; a soft hyphen or zero-width mark inside a word does not split it (a page's
    `Brenn&shy;punkt` is the word readers see, whether the truth or an extractor keeps the mark)."""
    return TOKEN.findall((text or "").translate(_INVISIBLE))


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


def harmonic_mean(precision: float, recall: float) -> float:
    """F1 of a precision and a recall (0 when both are 0)."""
    return 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0


def aggregate(scores: list[PageScore]) -> Scores:
    """Precision: mean over pages with any prediction; recall: mean over pages with any truth; F1 of the means."""
    precisions = [page_precision(s) for s in scores if s.tp + s.fp > 0]
    recalls = [page_recall(s) for s in scores if s.tp + s.fn > 0]
    precision = statistics.fmean(precisions) if precisions else 0.0
    recall = statistics.fmean(recalls) if recalls else 0.0
    f1 = harmonic_mean(precision, recall)
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


@dataclass(frozen=True)
class TruthPage:
    """A page and what a reader knows it holds; None where the set does not say (Zyte gives only bodies)."""

    page_id: str
    url: str | None
    html: str
    body: str
    title: str | None = None
    published: datetime | None = None  # with the page's own time zone where the truth gives one
    authors: tuple[str, ...] | None = None
    # whether the truth's text opens with the standfirst (fundus's `summary`); Zyte's `articleBody` leaves it out
    counts_standfirst: bool = False


@dataclass(frozen=True)
class Extraction:
    body: str
    title: str | None = None
    published: datetime | date | None = None  # a naive datetime is UTC (the project's); a bare date is local
    authors: tuple[str, ...] = ()
    summary: str | None = None  # a standfirst found apart from the body (the project's `articles.summary`)

    def text_for(self, page: TruthPage) -> str:
        """The text to score against `page`'s truth: the standfirst and the body where the truth counts the
        standfirst as text, else the body alone."""
        return f"{self.summary}\n{self.body}" if self.summary and page.counts_standfirst else self.body


def _normal(text: str | None) -> str:
    """Case-folded, whitespace collapsed, invisible characters (a soft hyphen, zero-width marks) dropped."""
    return " ".join((text or "").translate(_INVISIBLE).split()).casefold()


def title_matches(truth: str | None, found: str | None) -> bool:
    """Whitespace- and case-normalised equality."""
    return bool(_normal(truth)) and _normal(truth) == _normal(found)


def same_day(truth: datetime, found: datetime | date | None) -> bool:
    """Whether `found` falls on the truth's day, in the truth's own time zone. A naive datetime is UTC (as the
    project stores `published_at`); a bare date (trafilatura's) is taken as that local day."""
    if found is None:
        return False
    if not isinstance(found, datetime):
        return found == truth.date()
    if truth.tzinfo is None:
        return found.date() == truth.date()
    aware = found if found.tzinfo else found.replace(tzinfo=UTC)
    return aware.astimezone(truth.tzinfo).date() == truth.date()


def name_matches(truth: Iterable[str], found: Iterable[str]) -> tuple[int, int, int]:
    """(names found that are true, names found, true names), names case- and whitespace-normalised."""
    true_names, found_names = {_normal(n) for n in truth if _normal(n)}, {_normal(n) for n in found if _normal(n)}
    return len(true_names & found_names), len(found_names), len(true_names)


def trafilatura_metadata(html: str, url: str | None) -> tuple[str | None, date | None, tuple[str, ...]]:
    import trafilatura

    try:
        document = trafilatura.extract_metadata(html, default_url=url)
    except Exception:
        return None, None, ()
    if document is None:
        return None, None, ()
    try:
        day = date.fromisoformat(document.date[:10]) if document.date else None
    except ValueError:
        day = None
    authors = tuple(a.strip() for a in (document.author or "").split(";") if a.strip())
    return document.title, day, authors


def _trafilatura(html: str, url: str | None, **options) -> Extraction:
    import trafilatura

    try:
        body = trafilatura.extract(html, url=url, **options) or ""
    except Exception:
        body = ""
    title, day, authors = trafilatura_metadata(html, url)
    return Extraction(body, title, day, authors)


def trafilatura_best(html: str, url: str | None) -> Extraction:
    return _trafilatura(html, url, favor_precision=True, include_comments=False)


def trafilatura_default(html: str, url: str | None) -> Extraction:
    return _trafilatura(html, url)


def project_extraction(html: str, url: str | None) -> Extraction:
    """What the `articles` table stores for the page; a page the extractor raised on is an empty extraction,
    said on stderr (the pipeline rejects it as `cleaning failed`)."""
    from newsassets.cleaning import clean_html_page
    from newsassets.html import ExtractionFailed

    try:
        article = clean_html_page(html, url)
    except ExtractionFailed as failure:
        print(f"project: extraction failed on {url}: {failure}", file=sys.stderr)
        return Extraction("")
    return Extraction(article.body, article.title, article.published_at, tuple(article.authors), article.summary)


EXTRACTORS: dict[str, Callable[[str, str | None], Extraction]] = {
    "project": project_extraction,
    "trafilatura": trafilatura_best,
    "trafilatura-default": trafilatura_default,
}


def load_pages(directory: Path) -> list[TruthPage]:
    """Every page of a folder of the Zyte benchmark's shape, in id order."""
    truth = json.loads((directory / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth):
        raw = gzip.decompress((directory / "html" / f"{page_id}.html.gz").read_bytes())
        html = raw.decode("utf-8", errors="replace")
        pages.append(TruthPage(page_id, truth[page_id].get("url"), html, truth[page_id].get("articleBody") or ""))
    return pages


def _natural(key: str) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", key)]


def fundus_body(entry: dict) -> str:
    """The expected main text of a fundus annotation: the summary, then each section's headline and paragraphs."""
    body = entry.get("body") or {}
    lines = list(body.get("summary") or [])
    for section in body.get("sections") or []:
        lines += list(section.get("headline") or []) + list(section.get("paragraphs") or [])
    return "\n".join(line for line in lines if line and line.strip())


def load_fundus(realdata: Path = REALDATA) -> list[TruthPage]:
    """Every fundus page with its annotation: a publisher's version keys in natural order (V1 < V1_1 < V2)
    paired with its pages in name order, as `fundus_pages/README` says."""
    pages = []
    for labels in sorted((realdata / "fundus_pages").glob("*/*.json")):
        entries = json.loads(labels.read_text(encoding="utf-8"))
        files = sorted(labels.parent.glob(f"{labels.stem}_*.html.gz"))
        meta_file = labels.parent / "meta.info"
        meta = json.loads(meta_file.read_text(encoding="utf-8")) if meta_file.exists() else {}
        for key, page in zip(sorted(entries, key=_natural), files, strict=True):
            entry = entries[key]
            html = gzip.decompress(page.read_bytes()).decode("utf-8", errors="replace")
            stamp = entry.get("publishing_date")
            pages.append(
                TruthPage(
                    f"{labels.parent.name}/{page.name.removesuffix('.html.gz')}",
                    meta.get(page.name, {}).get("url"),
                    html,
                    fundus_body(entry),
                    entry.get("title"),
                    datetime.fromisoformat(stamp) if stamp else None,
                    tuple(entry.get("authors") or ()),
                    counts_standfirst=True,
                )
            )
    return pages


# Language families for the per-group figures: enough pages in each to mean something, and the split that
# matters for a rule learned on Dutch and English pages (other scripts, other word lengths).
LANGUAGE_GROUPS = {
    "en": "English",
    "de": "German",
    "nl": "Dutch, Nordic",
    "da": "Dutch, Nordic",
    "sv": "Dutch, Nordic",
    "no": "Dutch, Nordic",
    "nb": "Dutch, Nordic",
    "is": "Dutch, Nordic",
    "fr": "Romance",
    "es": "Romance",
    "it": "Romance",
    "pt": "Romance",
    "ca": "Romance",
    "ro": "Romance",
    "gl": "Romance",
    "pl": "Slavic, Baltic, Hungarian",
    "cs": "Slavic, Baltic, Hungarian",
    "sk": "Slavic, Baltic, Hungarian",
    "ru": "Slavic, Baltic, Hungarian",
    "uk": "Slavic, Baltic, Hungarian",
    "bg": "Slavic, Baltic, Hungarian",
    "sr": "Slavic, Baltic, Hungarian",
    "hr": "Slavic, Baltic, Hungarian",
    "sl": "Slavic, Baltic, Hungarian",
    "lt": "Slavic, Baltic, Hungarian",
    "lv": "Slavic, Baltic, Hungarian",
    "hu": "Slavic, Baltic, Hungarian",
}
OTHER_LANGUAGES = "other (Asian, Turkish, Greek, …)"


def language_group(text: str) -> str:
    from newsassets.cleaning import detect_language

    return LANGUAGE_GROUPS.get(detect_language(text) or "", OTHER_LANGUAGES)


@dataclass
class Tally:
    """One extractor's figures over a set of pages."""

    scores: list[PageScore] = field(default_factory=list)
    leaks: int = 0
    judged: int = 0
    titles: list[bool] = field(default_factory=list)
    days: list[bool] = field(default_factory=list)
    names: list[int] = field(default_factory=lambda: [0, 0, 0])  # true found, found, true
    seconds: float = 0.0

    def add(self, page: TruthPage, found: Extraction, seconds: float) -> None:
        text = found.text_for(page)
        self.scores.append(page_scores(page.body, text))
        if tokenize(page.body) and tokenize(text):
            self.judged += 1
            self.leaks += ends_with_leak(page.body, text)
        if page.title is not None:
            self.titles.append(title_matches(page.title, found.title))
        if page.published is not None:
            self.days.append(same_day(page.published, found.published))
        if page.authors is not None:
            self.names = [a + b for a, b in zip(self.names, name_matches(page.authors, found.authors), strict=True)]
        self.seconds += seconds

    def row(self) -> dict[str, object]:
        body = aggregate(self.scores)
        hits, found, true = self.names
        precision = hits / found if found else 0.0
        recall = hits / true if true else 0.0
        return {
            "pages": len(self.scores),
            "precision": body.precision,
            "recall": body.recall,
            "f1": body.f1,
            "leaked": self.leaks / self.judged if self.judged else 0.0,
            "leaked_pages": self.leaks,
            "title": statistics.fmean(self.titles) if self.titles else None,
            "date": statistics.fmean(self.days) if self.days else None,
            "authors_precision": precision if true else None,
            "authors_recall": recall if true else None,
            "authors_f1": harmonic_mean(precision, recall) if true else None,
            "ms": 1000 * self.seconds / max(1, len(self.scores)),
        }


def evaluate(pages: list[TruthPage], extractors: dict[str, Callable] | None = None, dump: dict | None = None):
    """Per extractor, its `Tally` overall and per language group of the truth bodies."""
    extractors = extractors or EXTRACTORS
    groups = {page.page_id: language_group(page.body) for page in pages}
    overall: dict[str, Tally] = {}
    by_group: dict[str, dict[str, Tally]] = defaultdict(dict)
    for name, extract in extractors.items():
        if pages:  # imports and model loading are not per-page costs
            extract(pages[0].html, pages[0].url)
        overall[name] = Tally()
        for page in pages:
            started = time.perf_counter()
            found = extract(page.html, page.url)
            seconds = time.perf_counter() - started
            overall[name].add(page, found, seconds)
            by_group[groups[page.page_id]].setdefault(name, Tally()).add(page, found, seconds)
            if dump is not None:
                dump.setdefault(page.page_id, {"truth": _dumped(page)})[name] = _dumped(found)
    return overall, dict(by_group)


def _dumped(page: TruthPage | Extraction) -> dict[str, object]:
    """What `--dump` writes of a page's truth or of an extraction."""
    return {
        "summary": getattr(page, "summary", None),
        "body": page.body,
        "title": page.title,
        "published": page.published.isoformat() if page.published else None,
        "authors": list(page.authors) if page.authors is not None else None,
    }


def _figure(value: object, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def print_table(title: str, tallies: dict[str, Tally]) -> None:
    print(f"\n{title}")
    print(
        f"{'extractor':<20} {'pages':>5} {'precision':>9} {'recall':>7} {'F1':>6} {'leaked tail':>12} "
        f"{'title':>6} {'date':>6} {'authors P/R/F1':>17} {'ms/page':>8}"
    )
    for name, tally in tallies.items():
        row = tally.row()
        authors = "/".join(_figure(row[k], 2) for k in ("authors_precision", "authors_recall", "authors_f1"))
        print(
            f"{name:<20} {row['pages']:>5} {row['precision']:>9.3f} {row['recall']:>7.3f} {row['f1']:>6.3f}"
            f" {row['leaked']:>6.1%} ({row['leaked_pages']:>3}) {_figure(row['title']):>6} {_figure(row['date']):>6}"
            f" {authors:>17} {row['ms']:>8.1f}"
        )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m newsassets.evaluate extraction", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "directory", type=Path, nargs="?", help="a folder of the Zyte shape; without it, the fundus and Zyte pages"
    )
    parser.add_argument("--realdata", type=Path, default=REALDATA)
    parser.add_argument("--zyte", type=Path, default=ZYTE)
    parser.add_argument("--limit", type=int, default=None, help="evaluate only the first N pages of each set")
    parser.add_argument(
        "--dump", type=Path, default=None, help="write every page's truth and extractions to this JSON file"
    )
    parser.add_argument("--groups", action="store_true", help="also print the figures per language group")
    args = parser.parse_args(argv)
    if args.directory:
        sets = {str(args.directory): lambda: load_pages(args.directory)}
    else:
        sets = {"fundus": lambda: load_fundus(args.realdata), "zyte": lambda: load_pages(args.zyte)}
    dump: dict[str, dict[str, dict]] = {}
    for label, load in sets.items():
        try:
            pages = load()[: args.limit]
        except FileNotFoundError as missing:
            print(f"{label}: skipped, {missing.filename} is not there")
            continue
        overall, groups = evaluate(pages, dump=dump)
        print_table(f"{label}: {len(pages)} pages", overall)
        if args.groups:
            for group in sorted(groups):
                print_table(f"{label}, {group}", groups[group])
    if args.dump:
        args.dump.write_text(json.dumps(dump, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0
