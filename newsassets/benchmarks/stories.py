"""What a refresh that adds one page costs the stories stage: `python -m newsassets.benchmarks.stories --pages N`.

Writes N real Dutch articles (`../shared/realdata/dutch_articles`, title line and paragraphs, as text dumps) to a
temporary raw folder, materialises everything once, then adds one page (a syndicated copy of one of them, one
sentence changed) and materialises again. Prints, for both runs, the job's wall time, the stories stage's time
(and of it the grouping, without publishing the snapshot) and how many stories it rewrote. The last line: `stories: N pages, full S s (stage S s, R stories
written), one page added S s (stage S s, R stories rewritten)`.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

from newsassets.evaluate.realdata import REALDATA


def write_pages(raw_dir: Path, count: int, realdata: Path) -> list[dict]:
    articles = []
    with gzip.open(realdata / "dutch_articles" / "articles.jsonl.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            articles.append(json.loads(line))
            if len(articles) >= count:
                break
    for number, article in enumerate(articles):
        path = raw_dir / f"{number // 1000:03d}" / f"{article['doc_id']}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text(f"{article['title']}\n\n{article['text']}\n", encoding="utf-8")
    return articles


def run(resources: dict[str, object]) -> tuple[float, dict]:
    from newsassets.definitions import build_definitions

    job = build_definitions(resources).resolve_job_def("refresh_news")
    started = time.monotonic()
    result = job.execute_in_process(raise_on_error=True)
    seconds = time.monotonic() - started
    (event,) = [
        e.event_specific_data.materialization
        for e in result.all_events
        if e.event_type_value == "ASSET_MATERIALIZATION" and e.asset_key.path == ["stories"]
    ]
    return seconds, {key: value.value for key, value in event.metadata.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("realdata", nargs="?", type=Path, default=REALDATA)
    args = parser.parse_args(argv)
    logging.getLogger("dagster").setLevel(logging.WARNING)
    from newsassets.pipeline.resources import NewsStore, RawFolder

    with tempfile.TemporaryDirectory(prefix="newsassets-stories-") as folder:
        raw_dir = Path(folder) / "raw"
        raw_dir.mkdir()
        articles = write_pages(raw_dir, args.pages, args.realdata)
        resources = {
            "raw_folder": RawFolder(path=str(raw_dir)),
            "store": NewsStore(database=str(Path(folder) / "news.duckdb")),
        }
        full, first = run(resources)
        print(
            f"full run: {full:.1f} s; stories stage {first['seconds']:.1f} s (grouping {first['seconds_grouping']:.2f} s), "
            f"{first['stories']} stories"
        )
        source = articles[len(articles) // 2]
        paragraphs = source["text"].split("\n")
        paragraphs[-1] = "Dit bericht is later aangevuld met een reactie van de gemeente."
        (raw_dir / "added.txt").write_text(f"{source['title']}\n\n" + "\n".join(paragraphs) + "\n", encoding="utf-8")
        added, second = run(resources)
        print(
            f"one page added: {added:.1f} s; stories stage {second['seconds']:.1f} s (grouping "
            f"{second['seconds_grouping']:.2f} s, {second['mode']}, {second['items_regrouped']} items regrouped), "
            f"{second['stories_rewritten']} stories rewritten of {second['stories']}"
        )
        print(
            f"stories: {len(articles)} pages, full {full:.1f} s (stage {first['seconds']:.1f} s, grouping "
            f"{first['seconds_grouping']:.2f} s, {first['stories_rewritten']} stories written), one page added "
            f"{added:.1f} s (stage {second['seconds']:.1f} s, grouping {second['seconds_grouping']:.2f} s, "
            f"{second['stories_rewritten']} stories rewritten)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
