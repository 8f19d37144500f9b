"""Building many small objects at once (monitoring's tens of thousands of lesson rows).

CPython's cyclic garbage collector runs every few hundred new objects and, as they survive,
walks every object the process holds (the whole bot). Rows and verdicts are plain tuples with
no cycles, so nothing is lost by pausing it while they are built: a semester's summary took
about half as long (bench/monitoring.py).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_collection() -> Iterator[None]:
    """The collector paused for a synchronous block (never across an ``await``: it is the
    whole process's); it is restored as it was, even on an error."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
