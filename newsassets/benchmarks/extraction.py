"""What the article cleaning costs against plain trafilatura: `python -m newsassets.benchmarks.extraction`.

Cleans every page of the fundus set and the Zyte set (`../shared`) with the project's HTML cleaning and with
trafilatura's best settings (what `python -m newsassets.evaluate extraction` compares), `--runs` times each page,
and keeps each page's fastest run: this machine's speed drifts between runs, and the fastest of a few is what
the code costs. The two extractors take turns page by page, so that a slow minute slows both. Prints one line a
set: `zyte: 181 pages, project 50.4 ms/page, trafilatura best 36.7 ms/page, 1.37×` (the issue's bound is 2×).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from newsassets.evaluate.extraction import load_fundus, load_pages, project_extraction, trafilatura_best
from newsassets.evaluate.realdata import REALDATA, ZYTE


def fastest_ms(extract: Callable, html: str, url: str | None, runs: int) -> float:
    """The fastest of `runs` extractions of one page, in milliseconds."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        extract(html, url)
        best = min(best, time.perf_counter() - started)
    return best * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="extractions of each page; the fastest counts")
    parser.add_argument("--realdata", type=Path, default=REALDATA)
    parser.add_argument("--zyte", type=Path, default=ZYTE)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")  # trafilatura warns about pages it finds too short; the figures are the point
    sets = [("fundus", lambda: load_fundus(args.realdata)), ("zyte", lambda: load_pages(args.zyte))]
    for name, load in sets:
        try:
            pages = load()
        except FileNotFoundError:
            pages = []
        if not pages:
            print(f"{name}: no pages here (--realdata, --zyte)", file=sys.stderr)
            continue
        ours = theirs = 0.0
        for page in pages:  # both extractors page by page, so that the machine's drift weighs on both alike
            ours += fastest_ms(project_extraction, page.html, page.url, args.runs) / len(pages)
            theirs += fastest_ms(trafilatura_best, page.html, page.url, args.runs) / len(pages)
        print(
            f"{name}: {len(pages)} pages, project {ours:.1f} ms/page, trafilatura best {theirs:.1f} ms/page, "
            f"{ours / theirs:.2f}×"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
