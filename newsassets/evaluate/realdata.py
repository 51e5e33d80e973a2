"""Real news from `../shared/realdata` (and the Zyte benchmark beside it) laid out as a raw folder.

The pages stay outside the project: evaluation commands and tests write them into a folder they are given
(a temporary one), in the shapes users drop into `data/raw/`: LexisNexis-like text dumps (title line, blank
line, paragraphs), gzipped HTML pages with a `<file>.meta.json` sidecar giving url and capture time, and the
seeds as they are.
"""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from newsassets.settings import PROJECT_ROOT

SHARED = PROJECT_ROOT.parent / "shared"
REALDATA = SHARED / "realdata"
ZYTE = SHARED / "extraction" / "zyte"
SEEDS = SHARED / "seeds"


@dataclass(frozen=True)
class DutchArticle:
    doc_id: str
    title: str
    text: str  # paragraphs joined by '\n'

    def as_text_dump(self) -> str:
        """The article as a plain-text page dump: its title line, then one paragraph per blank-line block."""
        return self.title + "\n\n" + self.text.replace("\n", "\n\n") + "\n"


def dutch_articles(realdata: Path = REALDATA, every: int = 1, limit: int | None = None) -> Iterator[DutchArticle]:
    """Every `every`-th article of `dutch_articles/articles.jsonl.gz`, at most `limit` of them."""
    taken = 0
    with gzip.open(realdata / "dutch_articles" / "articles.jsonl.gz", "rt", encoding="utf-8") as lines:
        for index, line in enumerate(lines):
            if index % every:
                continue
            if limit is not None and taken >= limit:
                return
            record = json.loads(line)
            taken += 1
            yield DutchArticle(record["doc_id"], record["title"] or "", record["text"] or "")


def fundus_pages(realdata: Path = REALDATA) -> list[tuple[Path, dict]]:
    """Every fundus page with its `meta.info` entry (`url`, `crawl_date`)."""
    pages = []
    for page in sorted((realdata / "fundus_pages").glob("*/*.html.gz")):
        meta_file = page.parent / "meta.info"
        meta = json.loads(meta_file.read_text()) if meta_file.exists() else {}
        pages.append((page, meta.get(page.name, {})))
    return pages


def zyte_pages(zyte: Path = ZYTE) -> list[tuple[Path, dict]]:
    """Every Zyte benchmark page with its url from `ground-truth.json`."""
    truth = json.loads((zyte / "ground-truth.json").read_text())
    return [(page, {"url": truth.get(page.name.split(".")[0], {}).get("url")}) for page in sorted(zyte.glob("html/*"))]


def front_pages(realdata: Path = REALDATA) -> list[tuple[Path, dict]]:
    """Every labelled front with its `meta.json` entry (`url`, `fetched_at`)."""
    meta = json.loads((realdata / "fronts" / "meta.json").read_text())
    return [(page, meta.get(page.name, {})) for page in sorted((realdata / "fronts" / "html").glob("*.html.gz"))]


def write_mixed_folder(
    target: Path,
    dutch: int = 500,
    fronts: bool = True,
    realdata: Path = REALDATA,
    zyte: Path = ZYTE,
    seeds: Path = SEEDS,
    every: int = 1,
) -> dict[str, int]:
    """Fill `target` with a real mixed crawl: `dutch` Dutch articles spread evenly over the set, every fundus
    page, every Zyte page, the fronts (when `fronts`) and the seeds, one folder per set. With `every` > 1, only
    every `every`-th page of the fundus, Zyte and front sets. Returns the number of files per set."""
    target.mkdir(parents=True, exist_ok=True)
    with gzip.open(realdata / "dutch_articles" / "articles.jsonl.gz", "rt") as lines:
        total = sum(1 for _ in lines)
    counts = {"dutch_articles": 0, "fundus_pages": 0, "zyte": 0, "fronts": 0, "seeds": 0}
    folder = target / "dutch_articles"
    folder.mkdir(exist_ok=True)
    for article in dutch_articles(realdata, every=max(1, total // max(dutch, 1)), limit=dutch):
        (folder / f"{article.doc_id}.txt").write_text(article.as_text_dump(), encoding="utf-8")
        counts["dutch_articles"] += 1
    sets = {"fundus_pages": fundus_pages(realdata), "zyte": zyte_pages(zyte)}
    if fronts:
        sets["fronts"] = front_pages(realdata)
    for name, pages in sets.items():
        folder = target / name
        folder.mkdir(exist_ok=True)
        for page, meta in pages[::every]:
            copy = folder / f"{page.parent.name}__{page.name}" if name == "fundus_pages" else folder / page.name
            shutil.copyfile(page, copy)
            sidecar = {"url": meta.get("url"), "fetched_at": meta.get("fetched_at") or meta.get("crawl_date")}
            if any(sidecar.values()):
                copy.with_name(copy.name + ".meta.json").write_text(json.dumps(sidecar))
            counts[name] += 1
    folder = target / "seeds"
    folder.mkdir(exist_ok=True)
    for seed in sorted(seeds.glob("*.txt")):
        shutil.copyfile(seed, folder / seed.name)
        counts["seeds"] += 1
    return counts
