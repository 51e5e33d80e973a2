"""`python -m newsassets.evaluate flags [REALDATA]`: how many real rows each quality rule flags, with examples.

Cleans real pages the way the `articles` stage does and applies `newsassets.quality.article_flags`:

- `dutch_articles`: every article of `dutch_articles/articles.jsonl.gz` (12,477 LexisNexis texts) as a text dump
  (title line, then its paragraphs), the shape the hook and the tests drop into the raw folder;
- `fundus_pages`: every page of `fundus_pages/` (149 pages, 41 countries), with its url and crawl date;
- `zyte`: the 181 pages of `../shared/extraction/zyte` when it is there.

Fronts and pages with no article text get no article row in the pipeline, so they are counted apart. For each
set it prints the article rows, then per rule the rows flagged and their share, and `--examples` flagged texts
per rule so a person can read whether the flag is right (about a minute on this machine).
"""

from __future__ import annotations

import argparse
import gzip
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from newsassets.cleaning import clean_html_page, clean_text_page
from newsassets.evaluate.realdata import REALDATA, ZYTE, dutch_articles, fundus_pages, zyte_pages
from newsassets.pages import FRONT, page_kind
from newsassets.quality import ARTICLE_RULES, Flag, article_flags
from newsassets.reading import decode_text

Row = tuple[str, list[Flag]]  # (what the row is, its flags)


def dutch_rows(realdata: Path, every: int = 1) -> Iterator[Row]:
    for article in dutch_articles(realdata, every=every):
        cleaned = clean_text_page(article.as_text_dump())
        yield article.doc_id, article_flags(cleaned.title, cleaned.body, cleaned.word_count, cleaned.published_at, None)


def html_rows(pages: list[tuple[Path, dict]], skipped: Counter) -> Iterator[Row]:
    """Article rows of HTML pages; fronts and pages the raw stage rejects as `no article` are counted in
    `skipped`, since they get no article row."""
    for page, meta in pages:
        with gzip.open(page) as handle:
            html = decode_text(handle.read())
        if page_kind(html) == FRONT:
            skipped["front"] += 1
            continue
        fetched_at = _moment(meta.get("crawl_date") or meta.get("fetched_at"))
        cleaned = clean_html_page(html, meta.get("url"))
        if cleaned.word_count == 0:
            skipped["no article"] += 1
            continue
        flags = article_flags(cleaned.title, cleaned.body, cleaned.word_count, cleaned.published_at, fetched_at)
        yield f"{page.parent.name}/{page.name}", flags


def _moment(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def tally(rows: Iterator[Row], examples: int) -> tuple[int, Counter, dict[str, list[str]]]:
    """Rows seen, rows flagged per rule, and the first `examples` flagged texts per rule."""
    total, flagged, shown = 0, Counter(), {}
    for name, flags in rows:
        total += 1
        for rule in dict.fromkeys(flag.rule for flag in flags):
            flagged[rule] += 1
        for flag in flags:
            texts = shown.setdefault(flag.rule, [])
            if len(texts) < examples:
                texts.append(f"{name}: {' '.join(flag.evidence.split())[:140]}")
    return total, flagged, shown


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m newsassets.evaluate flags", description=__doc__.split("\n")[0])
    parser.add_argument("realdata", nargs="?", type=Path, default=REALDATA)
    parser.add_argument("--zyte", type=Path, default=ZYTE)
    parser.add_argument("--every", type=int, default=1, help="take every N-th Dutch article (default: all)")
    parser.add_argument("--examples", type=int, default=3)
    args = parser.parse_args(argv)
    skipped = {"dutch_articles": Counter(), "fundus_pages": Counter(), "zyte": Counter()}
    sets = {
        "dutch_articles": lambda: dutch_rows(args.realdata, args.every),
        "fundus_pages": lambda: html_rows(fundus_pages(args.realdata), skipped["fundus_pages"]),
    }
    if (args.zyte / "ground-truth.json").exists():
        sets["zyte"] = lambda: html_rows(zyte_pages(args.zyte), skipped["zyte"])
    results = {name: tally(rows(), args.examples) for name, rows in sets.items()}
    for name in results:
        if skipped[name]:
            print(f"{name}: no article row for " + ", ".join(f"{n} {why}" for why, n in skipped[name].items()))

    header = "| rule | " + " | ".join(f"{name} ({results[name][0]:,})" for name in results) + " |"
    print(header)
    print("|---|" + "---|" * len(results))
    for rule in ARTICLE_RULES:
        cells = [
            f"{flagged[rule]:,} ({flagged[rule] / total:.2%})" if total else "–"
            for total, flagged, _ in results.values()
        ]
        print(f"| `{rule}` | " + " | ".join(cells) + " |")
    for rule in ARTICLE_RULES:
        for name, (_, _, shown) in results.items():
            for text in shown.get(rule, []):
                print(f"  {rule} [{name}] {text}")
    return 0
