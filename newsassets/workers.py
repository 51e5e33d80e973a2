"""Per-page work on every core: a function mapped over a stream of items in a pool of worker processes.

Results come back in the items' order, whatever the number of workers, so a stage writes the same rows in the
same order with one worker or eight. Items are handed out a few at a time and only a bounded number wait in
the pool, so a folder of a million pages never sits in memory. A worker that dies (a segfault in a parser, the
kernel's OOM killer) costs only the items it had: they are run again one at a time, each in a fresh worker,
and the one that kills its worker again comes back as `Crashed`, which the caller turns into a rejected row.
The per-page time limit (`newsassets.limits.time_limit`) works inside a worker as it does in the run's own
process: each task runs in its worker's main thread.

With `workers=1` nothing is started: the function runs in the calling process, as before the pool existed.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Modules every worker imports once, in the fork server, before it forks the workers: a worker then starts in
# milliseconds with the parsers loaded, instead of importing trafilatura and lxml for each stage.
PRELOAD = ["newsassets.page_tasks"]
TASKS_PER_WORKER = 2_000  # a worker is replaced after this many tasks: what a parser leaks stays bounded
WAITING_PER_WORKER = 4  # tasks queued per worker beyond the ones running: enough to keep it busy, no more


@dataclass(frozen=True)
class Crashed:
    """The result of an item whose worker process died while it ran, twice: once among others, once alone."""

    reason: str


@dataclass(frozen=True)
class Done:
    """An item whose result is known already (a page cleaned by an earlier stage): it keeps its place in the
    order without a trip through the pool."""

    result: object


def map_in_order(
    function: Callable[[T], R], items: Iterable[T | Done], workers: int, chunk_size: int = 1
) -> Iterator[R | Crashed]:
    """`function(item)` for each item, in order (`Done(result)` gives its result as it is). With `workers` > 1
    the calls run in that many worker processes, `chunk_size` items per task (more for cheap items, so the
    hand-over does not cost more than the work). `function` and the items must pickle: a module-level
    function and plain values."""
    if workers <= 1:
        yield from (item.result if isinstance(item, Done) else function(item) for item in items)
        return
    pool = _Pool(workers)
    try:
        yield from pool.map(function, items, max(1, chunk_size))
    finally:
        pool.close()


def _run_chunk(function: Callable[[T], R], chunk: Sequence[T]) -> list[R]:
    return [function(item) for item in chunk]


class _Pool:
    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.executor = _executor(workers)

    def map(self, function: Callable[[T], R], items: Iterable[T | Done], chunk_size: int) -> Iterator[R | Crashed]:
        # each entry: a submitted chunk (future, items) or a result already known (None, [Done])
        running: deque[tuple[Future | None, list]] = deque()
        limit = self.workers * (1 + WAITING_PER_WORKER)
        chunk: list[T] = []
        for item in items:
            if isinstance(item, Done):
                if chunk:
                    running.append((self.executor.submit(_run_chunk, function, chunk), chunk))
                    chunk = []
                running.append((None, [item]))
            else:
                chunk.append(item)
                if len(chunk) >= chunk_size:
                    running.append((self.executor.submit(_run_chunk, function, chunk), chunk))
                    chunk = []
            while len(running) >= limit or (running and running[0][0] is None):
                yield from self._first(function, running)
        if chunk:
            running.append((self.executor.submit(_run_chunk, function, chunk), chunk))
        while running:
            yield from self._first(function, running)

    def _first(self, function: Callable[[T], R], running: deque[tuple[Future | None, list]]) -> Iterator[R | Crashed]:
        future, chunk = running.popleft()
        if future is None:
            yield chunk[0].result
            return
        try:
            results = future.result()
        except BrokenProcessPool:
            # some worker died: which item killed it is unknown, so every item not yet returned is run again,
            # each alone
            suspects = [*chunk, *(item for _, waiting in running for item in waiting)]
            running.clear()
            self.executor.shutdown(wait=True, cancel_futures=True)
            for item in suspects:
                yield item.result if isinstance(item, Done) else _alone(function, item)
            self.executor = _executor(self.workers)
            return
        yield from results

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def _alone(function: Callable[[T], R], item: T) -> R | Crashed:
    """The item in a worker of its own: its result, or `Crashed` when it kills that worker too."""
    executor = _executor(1)
    try:
        return executor.submit(_run_chunk, function, [item]).result()[0]
    except BrokenProcessPool as exc:
        return Crashed(f"the worker process died while reading it ({exc or 'killed'})")
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _executor(workers: int) -> ProcessPoolExecutor:
    # forkserver: workers fork from a clean server process, never from the run's own process with its
    # threads (Dagster's, DuckDB's), which a plain fork would copy in whatever state their locks are in
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return ProcessPoolExecutor(workers, mp_context=context, max_tasks_per_child=TASKS_PER_WORKER)
