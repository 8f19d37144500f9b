"""Replies are never dropped on a 429: the bot's session waits exactly ``retry_after`` and
sends again, a bounded number of times.

Bounded because a reply is sent inside the update's transaction (handlers flush before they
answer): a long wait would hold the store's write lock. ``WAIT_MAX`` seconds of waiting in all
per request, ``ATTEMPTS`` tries; past that the 429 is raised as before (and the failure is
logged and apologised for). The outbox sender paces and pauses chats itself (handlers/sender.py)
and marks its calls with ``from_outbox`` so that they are not retried here as well.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response

if TYPE_CHECKING:
    from aiogram import Bot

log = logging.getLogger(__name__)

ATTEMPTS = 3
WAIT_MAX = 10.0  # seconds of waiting in all, per request

_outbox: ContextVar[bool] = ContextVar("outbox", default=False)


@contextlib.contextmanager
def from_outbox() -> Iterator[None]:
    token = _outbox.set(True)
    try:
        yield
    finally:
        _outbox.reset(token)


def outbox_call() -> bool:
    """The request being made is the outbox sender's (not a reply)."""
    return _outbox.get()


class RetryAfter(BaseRequestMiddleware):
    def __init__(self, attempts: int = ATTEMPTS, wait_max: float = WAIT_MAX) -> None:
        self.attempts = attempts
        self.wait_max = wait_max

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[Any],
        bot: Bot,
        method: TelegramMethod[Any],
    ) -> Response[Any]:
        if _outbox.get():
            return await make_request(bot, method)
        waited = 0.0
        for attempt in range(1, self.attempts + 1):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                wait = float(exc.retry_after)
                if attempt == self.attempts or waited + wait > self.wait_max:
                    raise
                log.info("%s: 429, again in %s s", type(method).__name__, wait)
                await asyncio.sleep(wait)
                waited += wait
        raise AssertionError("unreachable")  # pragma: no cover
