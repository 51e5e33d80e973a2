"""How much a refresh costs when little or nothing changed: `python -m newsassets.benchmarks.refresh --files N`.

Writes N pages (the seeds, each copy made distinct) to a temporary raw folder, materialises everything once
from scratch, again with no change, then again after changing 1% of the files, and prints each run's wall
time. The last line: `refresh: N files, full S s, unchanged S s, 1% changed S s, peak RSS M MiB`.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from newsassets.settings import PROJECT_ROOT

WORDS = ["Zeeland", "Brabant", "Utrecht", "Groningen", "Limburg", "Drenthe", "Friesland", "Overijssel"]


def write_pages(raw_dir: Path, count: int) -> list[Path]:
    seeds = sorted((PROJECT_ROOT / "data" / "raw").glob("*.txt"))
    texts = [seed.read_text(encoding="utf-8") for seed in seeds]
    paths = []
    for number in range(count):
        text = texts[number % len(texts)]
        # a distinct sentence per page, so that pages differ as real ones do
        marker = f"Bericht {number} uit {WORDS[number % len(WORDS)]} en {WORDS[(number // 8) % len(WORDS)]}."
        lines = text.split("\n")
        body_at = next((i for i, line in enumerate(lines) if "(ANP" in line or line.startswith(" date")), 0)
        lines[body_at] += " " + marker  # an extra sentence in the first paragraph
        path = raw_dir / f"{number // 1000:03d}" / f"page_{number:06d}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text("\n".join(lines), encoding="utf-8")
        paths.append(path)
    return paths


def run(resources: dict[str, object]) -> float:
    from newsassets.definitions import build_definitions

    job = build_definitions(resources).resolve_job_def("refresh_news")
    started = time.monotonic()
    result = job.execute_in_process(raise_on_error=True)
    assert result.success
    return time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    args = parser.parse_args(argv)

    import logging

    logging.getLogger("dagster").setLevel(logging.WARNING)
    from newsassets.pipeline.resources import NewsStore, RawFolder

    with tempfile.TemporaryDirectory(prefix="newsassets-refresh-") as folder:
        raw_dir = Path(folder) / "raw"
        raw_dir.mkdir()
        paths = write_pages(raw_dir, args.files)
        resources = {"raw_folder": RawFolder(path=str(raw_dir)), "store": NewsStore(database=f"{folder}/bench.duckdb")}
        full = run(resources)
        print(f"full run over {args.files} files: {full:.1f} s", flush=True)
        unchanged = run(resources)
        print(f"run with no change: {unchanged:.1f} s", flush=True)
        for path in paths[::100]:
            path.write_text(path.read_text(encoding="utf-8").replace("Bericht", "Nieuw bericht"), encoding="utf-8")
        changed = run(resources)
        print(f"run after changing {len(paths[::100])} files (1%): {changed:.1f} s", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"refresh: {args.files} files, full {full:.1f} s, unchanged {unchanged:.1f} s, "
        f"1% changed {changed:.1f} s, peak RSS {peak:.0f} MiB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
