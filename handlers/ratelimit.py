"""Sliding-window limits for sending: at most ``limit`` requests in any ``span`` seconds.

The window counts a request from its start until ``span`` seconds after its answer came back.
Telegram counts it at some moment between the two, so counting the longer interval keeps us
within the limit whatever the network delay, at the cost of a little throughput. A 429 pauses
the window for exactly the ``retry_after`` Telegram asked for. ``spacing`` spreads requests
evenly instead of letting a full window go out in one burst.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable


class SlidingWindow:
    def __init__(
        self,
        limit: int,
        span: float,
        *,
        spacing: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.span = span
        self.spacing = spacing
        self.clock = clock
        self.next_start = 0.0  # the even pace: when the next request may start
        self.in_flight = 0
        self.done: deque[float] = deque()  # answer times of the requests still counted
        self.paused_until = 0.0
        self._gate = asyncio.Lock()  # one waiter at a time, first come first served
        self._released = asyncio.Event()

    def _prune(self, now: float) -> None:
        while self.done and self.done[0] <= now - self.span:
            self.done.popleft()

    def idle(self) -> bool:
        """Nothing counted any more: the window may be forgotten."""
        now = self.clock()
        self._prune(now)
        return not self.in_flight and not self.done and self.paused_until <= now

    async def acquire(self) -> None:
        async with self._gate:
            while True:
                now = self.clock()
                if self.paused_until > now:
                    await asyncio.sleep(self.paused_until - now)
                    continue
                if self.next_start > now:
                    await asyncio.sleep(self.next_start - now)
                    continue
                self._prune(now)
                if self.in_flight + len(self.done) < self.limit:
                    self.in_flight += 1
                    # Keep the pace when a sleep overslept a little, never catch up in a burst.
                    self.next_start = max(self.next_start + self.spacing, now + self.spacing / 2)
                    return
                # Full: wait for the oldest answer to leave the window or for an answer.
                wait = self.done[0] + self.span - now if self.done else None
                self._released.clear()
                with contextlib.suppress(TimeoutError):  # the window moved on: look again
                    await asyncio.wait_for(self._released.wait(), wait)

    def release(self) -> None:
        self.in_flight -= 1
        self.done.append(self.clock())
        self._released.set()

    def forgo(self) -> None:
        """Give back an acquired turn unused: it counts for nothing."""
        self.in_flight -= 1
        self._released.set()

    def pause(self, seconds: float) -> None:
        self.paused_until = max(self.paused_until, self.clock() + seconds)
