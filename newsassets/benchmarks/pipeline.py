"""`python -m newsassets.benchmarks.pipeline --pages N`: the whole pipeline against a bare script, on real pages.

Builds N pages from `../shared/realdata` and `../shared/extraction/zyte`: the Dutch articles as text dumps, every
fundus, Zyte and front page as HTML (with its url and capture time), and, to reach N, copies of the HTML pages
with one sentence changed (what a crawl of many sites' syndicated copies looks like to the pipeline). Then, in
this one process tree:

(a) the full Dagster job over them (every asset and check, publishing), in process;
(b) a bare script doing the same core work with the libraries alone on one core: `trafilatura.extract` on each
    HTML page, each text page read as it is, datasketch `MinHash` (128 permutations, word 5-shingles) of every
    body and `MinHashLSH` at threshold 0.5 over them.

It prints both wall times, their ratio (pipeline ÷ bare), pages per second and the peak RSS of each (sampled over
the process tree). The last line: `pipeline: N pages, job S s, bare S s, ratio R, job P pages/s, peak M MiB`.

With `--compare-workers` it runs the job twice instead, with `NEWSASSETS_WORKERS=1` and `=2`, and prints how much
faster the per-page stages (raw documents, articles, teasers: their own `seconds`) and the whole job are with two.

With `--compare-stores` it runs the job on the DuckDB file store and then on a DuckLake (the `[lake]` extra): a
SQLite catalog in the temporary folder, or the catalog `--lake-catalog` names (`postgres:dbname=… host=…`, which
must be empty), and prints each run's stages side by side.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from newsassets.benchmarks.memory import TreePeak
from newsassets.evaluate.realdata import REALDATA, ZYTE, write_mixed_folder

SENTENCE = "Deze zin is toegevoegd aan kopie {number}, zoals een andere site een bericht overneemt."


def build_pages(raw_dir: Path, pages: int, realdata: Path, zyte: Path) -> dict[str, int]:
    """About half the pages Dutch text dumps, the rest the real HTML pages and edited copies of them."""
    counts = write_mixed_folder(raw_dir, dutch=max(1, min(12_000, pages // 2)), realdata=realdata, zyte=zyte)
    originals = sorted(p for p in raw_dir.rglob("*.gz"))
    copies = raw_dir / "copies"
    copies.mkdir()
    needed = max(0, pages - sum(counts.values()))
    for number in range(needed):
        source = originals[number % len(originals)]
        html = gzip.decompress(source.read_bytes()).decode("utf-8", errors="replace")
        edited, replaced = re.subn(r"</p>", f" {SENTENCE.format(number=number)}</p>", html, count=1)
        target = copies / f"copy_{number:06d}.html"
        target.write_text(edited if replaced else html, encoding="utf-8")
        sidecar = source.with_name(source.name + ".meta.json")
        if sidecar.exists():
            meta = json.loads(sidecar.read_text())
            meta["url"] = f"{(meta.get('url') or 'https://copy.example/page').rstrip('/')}/copy-{number}"
            target.with_name(target.name + ".meta.json").write_text(json.dumps(meta))
    counts["copies"] = needed
    return counts


def run_job(raw_dir: Path, database: Path) -> dict[str, object]:
    """The whole job in process: its wall time, and each stage's own `seconds` (its metadata)."""
    from newsassets import settings
    from newsassets.definitions import build_definitions
    from newsassets.pipeline.resources import NewsStore, RawFolder

    store = NewsStore(
        database=str(database),
        kind=settings.store_kind(),
        lake_catalog=settings.lake_catalog(),
        lake_data_path=settings.lake_data_path(),
    )
    resources = {"raw_folder": RawFolder(path=str(raw_dir)), "store": store}
    job = build_definitions(resources).resolve_job_def("refresh_news")
    started = time.monotonic()
    result = job.execute_in_process(raise_on_error=True)
    assert result.success
    seconds = time.monotonic() - started
    stages = {}
    for event in result.get_asset_materialization_events():
        value = event.materialization.metadata.get("seconds")
        if value is not None:
            stages[event.asset_key.to_user_string()] = value.value
    return {"seconds": seconds, "stages": stages}


PER_PAGE_STAGES = ("raw_documents", "articles", "teasers")  # what the worker pool runs


def run_bare(raw_dir: Path) -> tuple[float, int, int]:
    """The bare libraries on one core: (seconds, bodies, candidate pairs)."""
    import trafilatura
    from datasketch import MinHash, MinHashLSH

    started = time.monotonic()
    bodies = []
    for path in sorted(p for p in raw_dir.rglob("*") if p.is_file() and not p.name.endswith(".meta.json")):
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        text = data.decode("utf-8", errors="replace")
        if path.suffix == ".txt":
            bodies.append(text)
        else:
            body = trafilatura.extract(text)
            if body:
                bodies.append(body)
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    pairs = 0
    for number, body in enumerate(bodies):
        words = body.lower().split()
        minhash = MinHash(num_perm=128)
        for i in range(max(1, len(words) - 4)):
            minhash.update(" ".join(words[i : i + 5]).encode())
        pairs += len(lsh.query(minhash))
        lsh.insert(str(number), minhash)
    return time.monotonic() - started, len(bodies), pairs


def _part(
    part: str, raw_dir: Path, database: Path, workers: int | None = None, store: dict[str, str] | None = None
) -> dict[str, object]:
    """Run one side in a process of its own, so each peak is its own; its figures come back as a JSON line.
    `store`: the store's environment variables (the DuckDB file store when None)."""
    env = {**os.environ, **({"NEWSASSETS_WORKERS": str(workers)} if workers else {}), **(store or {})}
    with TreePeak() as memory:
        done = subprocess.run(
            [sys.executable, "-m", "newsassets.benchmarks.pipeline", "--part", part, "--raw", str(raw_dir),
             "--database", str(database)],
            capture_output=True, text=True, check=True, env=env,
        )  # fmt: skip
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return {**figures, "peak_mib": memory.peak_mib}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--realdata", type=Path, default=REALDATA)
    parser.add_argument("--zyte", type=Path, default=ZYTE)
    parser.add_argument(
        "--compare-workers",
        action="store_true",
        help="run the job with 1 and with 2 workers (NEWSASSETS_WORKERS) instead of against the bare script",
    )
    parser.add_argument(
        "--compare-stores",
        action="store_true",
        help="run the job on the DuckDB file store and on a DuckLake instead of against the bare script",
    )
    parser.add_argument("--lake-catalog", help="the DuckLake catalog for --compare-stores (default: SQLite, temporary)")
    parser.add_argument("--part", choices=["job", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--raw", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--database", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    logging.getLogger("dagster").setLevel(logging.WARNING)
    if args.part == "job":
        print(json.dumps(run_job(args.raw, args.database)))
        return 0
    if args.part == "bare":
        seconds, bodies, pairs = run_bare(args.raw)
        print(json.dumps({"seconds": seconds, "bodies": bodies, "pairs": pairs}))
        return 0
    with tempfile.TemporaryDirectory(prefix="newsassets-pipeline-") as folder:
        raw_dir = Path(folder) / "raw"
        counts = build_pages(raw_dir, args.pages, args.realdata, args.zyte)
        total = sum(counts.values())
        print(f"pages: {total} ({', '.join(f'{name} {n}' for name, n in counts.items())})", flush=True)
        if args.compare_workers:
            runs = {n: _part("job", raw_dir, Path(folder) / f"news-{n}.duckdb", workers=n) for n in (1, 2)}
            for n, run in runs.items():
                _print_job(f"job, {n} worker{'s' if n > 1 else ''}", run, total)
            per_page = {n: sum(run["stages"].get(s, 0) for s in PER_PAGE_STAGES) for n, run in runs.items()}
            print(
                f"workers: {total} pages, stages up to teasers {per_page[1]:.1f} s with 1 worker, {per_page[2]:.1f} s "
                f"with 2: {per_page[1] / per_page[2]:.2f}x; whole job {runs[1]['seconds'] / runs[2]['seconds']:.2f}x"
            )
            return 0
        if args.compare_stores:
            lake = {
                "NEWSASSETS_STORE": "ducklake",
                "NEWSASSETS_LAKE_CATALOG": args.lake_catalog or f"sqlite:{Path(folder) / 'lake.sqlite'}",
                "NEWSASSETS_LAKE_DATA_PATH": str(Path(folder) / "lake-files"),
            }
            file_store = _part("job", raw_dir, Path(folder) / "news.duckdb", store={"NEWSASSETS_STORE": "duckdb"})
            _print_job("job, DuckDB file", file_store, total)
            lake_store = _part("job", raw_dir, Path(folder) / "unused.duckdb", store=lake)
            _print_job(f"job, DuckLake ({lake['NEWSASSETS_LAKE_CATALOG'].split(':')[0]} catalog)", lake_store, total)
            print(
                f"stores: {total} pages, DuckDB file {file_store['seconds']:.1f} s, DuckLake "
                f"{lake_store['seconds']:.1f} s ({lake_store['seconds'] / file_store['seconds']:.2f}x)"
            )
            return 0
        job = _part("job", raw_dir, Path(folder) / "news.duckdb")
        _print_job("job", job, total)
        bare = _part("bare", raw_dir, Path(folder) / "unused.duckdb")
        print(
            f"bare: {bare['seconds']:.1f} s, {total / bare['seconds']:.1f} pages/s, {bare['bodies']} bodies, "
            f"{bare['pairs']} candidate pairs, peak {bare['peak_mib']:.0f} MiB"
        )
        print(
            f"pipeline: {total} pages, job {job['seconds']:.1f} s, bare {bare['seconds']:.1f} s, "
            f"ratio {job['seconds'] / bare['seconds']:.2f}, job {total / job['seconds']:.1f} pages/s, "
            f"peak {job['peak_mib']:.0f} MiB (bare {bare['peak_mib']:.0f} MiB)"
        )
    return 0


def _print_job(label: str, job: dict, pages: int) -> None:
    stages = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in job["stages"].items())
    print(
        f"{label}: {job['seconds']:.1f} s, {pages / job['seconds']:.1f} pages/s, peak {job['peak_mib']:.0f} MiB "
        f"({stages})",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
