"""`python -m newsassets.benchmarks.dedup --items N [--add M]`: the dedup stage's speed and memory at scale.

Generates N items (about 1 article : 7 teasers) from the real source sentences of the evaluation corpus
(articles of 8–28 sentences, a third of their words replaced, a quarter of the stories with 1–2 syndicated rewrites,
template families; teasers drawn from a pool so that the same text repeats on many pages, a tenth of them
edited), writes them into a scratch DuckDB file as `articles`, `raw_documents` and `teasers`, then times what
the `dedup_clusters` asset does: read the items and the previous run's state, cluster, write the three tables.
With `--add M` (default 1% of N) it then adds M new items and times the rerun, which is incremental. With
`--days D` the items are spread over D days and the added ones dated on the day after: what a daily run on a
store of D days costs under the time window (`NEWSASSETS_DEDUP_WINDOW_DAYS`). With `--store PATH` the generated,
fully clustered store is kept at PATH, and a later run with the same PATH skips generating and clustering it (the
full run's figures are then not printed) and times the addition on a fresh copy of it: building a store of
millions of items takes many minutes, the addition seconds. Each timed
run is a fresh process, so its peak RSS is the stage's own: sampled over the process and its worker (the stage
clusters one kind in a worker process where `NEWSASSETS_WORKERS`, default the machine's cores, allows), the
largest sum at one moment. The last line is `dedup: N items in S s, peak RSS M MiB` (the full run).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from newsassets import settings
from newsassets.benchmarks.memory import TreePeak
from newsassets.dedup_state import run_dedup
from newsassets.evaluate.corpus import load_sources, rewrite, sentences, template_family

START = datetime(2026, 1, 1)


class ItemMaker:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        sources = load_sources()
        self.sentences = [s for src in sources for p in src for s in sentences(p) if len(s.split()) >= 6]
        self.vocabulary = sorted({w for s in self.sentences for w in s.split() if w.isalpha()})
        self.teaser_pool: list[str] = []
        self.serial = 0

    def article_texts(self, count: int) -> list[str]:
        rng, out = self.rng, []
        while len(out) < count:
            roll = rng.random()
            if roll < 0.012:  # a template family (about 7% of the articles)
                family = template_family(rng.choice(["election", "weather", "stock", "match"]), rng, rng.randint(5, 12))
                out += ["\n\n".join(paragraphs) for _, paragraphs in family]
                continue
            paragraphs = [self._varied_paragraph() for _ in range(rng.randint(4, 7))]
            out.append("\n\n".join(paragraphs))
            if roll < 0.3:  # syndicated rewrites
                for _ in range(rng.randint(1, 2)):
                    extra = self._varied_paragraph()
                    out.append("\n\n".join(rewrite(paragraphs, rng, self.vocabulary, extra)))
        return out[:count]

    def teaser_texts(self, count: int) -> list[str]:
        rng, out = self.rng, []
        for _ in range(count):
            if not self.teaser_pool or rng.random() < 0.2:  # a new item; otherwise a copy of one seen before
                self.teaser_pool.append(" ".join(self._varied(s) for s in rng.sample(self.sentences, 2)))
                out.append(self.teaser_pool[-1])
                continue
            text = self.teaser_pool[min(int(rng.paretovariate(1.1)) - 1, len(self.teaser_pool) - 1) * -1 - 1]
            if rng.random() < 0.1:
                words = text.split()
                words[rng.randrange(len(words))] = rng.choice(self.vocabulary)
                text = " ".join(words)
            out.append(text)
        return out

    def _varied(self, sentence: str) -> str:
        """A sentence of a new story: a third of the words replaced, so that stories do not share sentences."""
        rng, vocabulary = self.rng, self.vocabulary
        return " ".join(rng.choice(vocabulary) if rng.random() < 0.35 else w for w in sentence.split())

    def _varied_paragraph(self) -> str:
        return " ".join(self._varied(s) for s in self.rng.sample(self.sentences, self.rng.randint(2, 4)))

    def insert(
        self, conn: duckdb.DuckDBPyConnection, items: int, start: datetime | None = None, span: timedelta | None = None
    ) -> None:
        """`items` new items: one page (raw document, article) per 8 items, with 7 teasers on it. The pages are
        captured a minute apart after the previous ones, or spread evenly over `span` from `start`."""
        pages = max(1, items // 8)
        articles = self.article_texts(pages)
        teasers = self.teaser_texts(items - pages)
        first = self.serial
        self.serial += pages
        doc_ids = [f"d{first + i:08d}" for i in range(pages)]
        if start is None or span is None:
            fetched = [START + timedelta(minutes=first + i) for i in range(pages)]
        else:
            fetched = [start + span * (i / pages) for i in range(pages)]
        conn.execute(
            "INSERT INTO raw_documents SELECT unnest($1::VARCHAR[]), unnest($2::TIMESTAMP[])", [doc_ids, fetched]
        )
        # an article page states when it was published, up to a few hours before its capture; a card does not
        published = [moment - timedelta(minutes=self.rng.randrange(360)) for moment in fetched]
        # the rows of one insert are written by one "stage run": its first page's number is larger than any before
        conn.execute(
            "INSERT INTO articles SELECT 'a' || d, d, b, p, $4 FROM "
            "(SELECT unnest($1::VARCHAR[]) d, unnest($2::VARCHAR[]) b, unnest($3::TIMESTAMP[]) p)",
            [doc_ids, articles, published, first],
        )
        owners = [doc_ids[i % pages] for i in range(len(teasers))]
        conn.execute(
            "INSERT INTO teasers SELECT 't' || d || '-' || row_number() OVER (PARTITION BY d), d, x, NULL, NULL, NULL, "
            "$3 FROM (SELECT unnest($1::VARCHAR[]) d, unnest($2::VARCHAR[]) x)",
            [owners, teasers, first],
        )


def create_tables(conn: duckdb.DuckDBPyConnection) -> None:
    """The columns of `raw_documents`, `articles` and `teasers` that the dedup stage reads."""
    conn.execute("CREATE TABLE raw_documents (doc_id VARCHAR, fetched_at TIMESTAMP)")
    conn.execute(
        "CREATE TABLE articles (article_id VARCHAR, doc_id VARCHAR, body VARCHAR, published_at TIMESTAMP, "
        "written_in BIGINT)"
    )
    conn.execute(
        "CREATE TABLE teasers (teaser_id VARCHAR, doc_id VARCHAR, text VARCHAR, published_at TIMESTAMP, url VARCHAR, "
        "title VARCHAR, written_in BIGINT)"
    )


def run_stage(database: Path) -> dict[str, object]:
    """What the asset does, timed: read items and state, cluster (all, or the new items), write the tables."""

    @contextmanager
    def connect(read_only: bool = False):  # as the asset's store connects: under its memory limit
        conn = duckdb.connect(
            str(database), read_only=read_only, config={"memory_limit": settings.duckdb_memory_limit()}
        )
        conn.execute("SET enable_progress_bar = false")
        try:
            yield conn
        finally:
            conn.close()

    started = time.monotonic()
    with TreePeak() as memory:
        mode, result, _ = run_dedup(connect, log=lambda _: None)
    return {
        "seconds": time.monotonic() - started,
        "mode": mode,
        "items": len(result.members),
        "hashed": result.hashed,
        "candidates": result.candidates,
        "edges": len(result.edges),
        "rss": memory.peak_mib,  # this process and its worker together, at one moment
        "own_rss": memory.own_kib / 1024,
        "worker_rss": memory.workers_kib / 1024,
    }


def timed_stage(database: Path) -> dict[str, object]:
    """`run_stage` in a fresh process, so that its peak RSS is the stage's own, not the generator's."""
    out = subprocess.run(
        [sys.executable, "-m", "newsassets.benchmarks.dedup", "--stage", str(database)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def _worker(run: dict) -> str:
    """Where the stage used a worker process (`NEWSASSETS_WORKERS`), each process's own peak."""
    if not run.get("worker_rss"):
        return ""
    return f" (this process {run['own_rss']:.0f} MiB at most, its worker {run['worker_rss']:.0f} MiB)"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m newsassets.benchmarks.dedup", description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int)
    parser.add_argument("--add", type=int, default=None, help="items added for the incremental rerun (default 1%%)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--days",
        type=float,
        default=0,
        help="spread the items over this many days and date the added ones on the day after (default: a minute "
        "apart, the added ones after them)",
    )
    parser.add_argument(
        "--store",
        type=Path,
        help="keep the generated, clustered store here; when it exists, reuse it and time only the addition",
    )
    parser.add_argument("--stage", type=Path, help=argparse.SUPPRESS)  # internal: run the stage on this file
    args = parser.parse_args(argv)
    if args.stage:
        print(json.dumps(run_stage(args.stage)))
        return 0
    if not args.items:
        parser.error("--items is required")
    add = args.items // 100 if args.add is None else args.add
    maker = ItemMaker(args.seed)
    with tempfile.TemporaryDirectory() as scratch:
        database = Path(scratch) / "bench.duckdb"
        if args.store and args.store.exists():
            full = None
            try:
                _reuse_store(args.store, database, maker, {"items": args.items, "days": args.days, "seed": args.seed})
            except ValueError as exc:
                parser.error(str(exc))
        else:
            full = _build_store(database, maker, args)
            if args.store:
                _keep_store(database, args.store, maker, args)
        if add:
            with duckdb.connect(str(database)) as conn:
                if args.days:
                    maker.insert(conn, add, START + timedelta(days=args.days), timedelta(days=1))
                else:
                    maker.insert(conn, add)
            more = timed_stage(database)
            print(
                f"{more['mode']}: {add} items added to {args.items} in {more['seconds']:.1f} s ({more['hashed']} "
                f"signatures computed, {more['items']} items re-clustered), peak RSS {more['rss']:.0f} MiB{_worker(more)}",
                flush=True,
            )
    if full:
        print(f"dedup: {args.items} items in {full['seconds']:.1f} s, peak RSS {full['rss']:.0f} MiB{_worker(full)}")
    return 0


def _build_store(database: Path, maker: ItemMaker, args: argparse.Namespace) -> dict[str, object]:
    """Generate the items into `database` and time the stage's first, full run on them."""
    with duckdb.connect(str(database)) as conn:
        conn.execute("SET enable_progress_bar = false")
        create_tables(conn)
        started = time.monotonic()
        if args.days:
            for part in range(0, args.items, 1_000_000):  # a million at a time: the generator's memory
                size = min(1_000_000, args.items - part)
                span = timedelta(days=args.days * size / args.items)
                maker.insert(conn, size, START + timedelta(days=args.days * part / args.items), span)
        else:
            maker.insert(conn, args.items)
    spread = f" over {args.days:g} days" if args.days else ""
    print(f"generated {args.items} items{spread} in {time.monotonic() - started:.1f} s (not timed)", flush=True)
    full = timed_stage(database)
    print(
        f"{full['mode']} run: {full['items']} items, {full['hashed']} signatures computed, "
        f"{full['candidates']} candidate pairs, {full['edges']} edges, {full['seconds']:.1f} s, "
        f"peak RSS {full['rss']:.0f} MiB{_worker(full)}",
        flush=True,
    )
    return full


def _keep_store(database: Path, store: Path, maker: ItemMaker, args: argparse.Namespace) -> None:
    """A copy of the clustered store at `store`, with what the generator needs to go on where it stopped."""
    with duckdb.connect(str(database)) as conn:
        conn.execute(
            "CREATE TABLE bench_store AS SELECT ? AS items, ?::DOUBLE AS days, ? AS seed, ? AS pages, ? AS rng",
            [args.items, args.days, args.seed, maker.serial, json.dumps(maker.rng.getstate())],
        )
        conn.execute(  # the texts the next teasers repeat, so that an addition is what it would have been
            "CREATE TABLE bench_teaser_pool AS SELECT unnest(range(len($1))) AS position, unnest($1) AS text",
            [maker.teaser_pool],
        )
    store.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(database, store)


def _reuse_store(store: Path, database: Path, maker: ItemMaker, wanted: dict[str, object]) -> None:
    """A fresh copy of a kept store at `database`, and the generator back where it stopped when it was kept."""
    with duckdb.connect(str(store), read_only=True) as conn:
        cursor = conn.execute("SELECT * FROM bench_store")
        kept = dict(zip([d[0] for d in cursor.description], cursor.fetchone(), strict=True))
        pool = conn.execute("SELECT text FROM bench_teaser_pool ORDER BY position").fetchall()
    held = {k: kept[k] for k in wanted}
    if held != wanted:
        raise ValueError(f"--store {store} holds {held}, not {wanted}: give another path")
    shutil.copyfile(store, database)
    maker.serial = kept["pages"]
    maker.rng.setstate(_rng_state(kept["rng"]))
    maker.teaser_pool = [text for (text,) in pool]
    print(f"reusing the clustered store {store} ({wanted['items']} items)", flush=True)


def _rng_state(saved: str) -> tuple:
    """`random.Random.getstate()` back from its JSON (lists where it had tuples)."""
    version, internal, gauss = json.loads(saved)
    return version, tuple(internal), gauss


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
