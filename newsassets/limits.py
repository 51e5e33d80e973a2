"""A time limit for one document's work, so one pathological page cannot hold up the rest."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class DocumentTimeout(BaseException):
    """A BaseException, so the `except Exception` guards of extractors (which must survive any broken markup)
    cannot swallow it and report a page that ran out of time as one without an article."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise DocumentTimeout in the block once `seconds` have passed.

    Uses SIGALRM, so it works in the main thread (where Dagster's in-process executor runs a step) and is
    a no-op elsewhere. Native code such as an lxml parse is interrupted as soon as it hands back to Python.
    """
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise DocumentTimeout(f"took over {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
