"""Synchronous filters checked in the event loop, not in a worker thread.

aiogram calls every synchronous callable of a handler through ``asyncio.to_thread``, filters
included, and every ``F.…`` magic filter is one: finding the handler of a /menu walked a few
dozen of them, each a hand-off to a thread and back, and that cost more than the handler's own
work. Our filters only look at the update (a field, a prefix, a state), so they are run in
place. Handlers are all coroutines and stay as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.handler import FilterObject, HandlerObject
from aiogram.dispatcher.event.telegram import TelegramEventObserver


def _in_place(callback: Callable[..., Any]) -> Callable[..., Any]:
    async def checked(*args: Any, **kwargs: Any) -> Any:
        return callback(*args, **kwargs)

    return checked


def _handlers(router: Router) -> Iterator[HandlerObject]:
    for each in router.chain_tail:
        for observer in each.observers.values():
            if isinstance(observer, TelegramEventObserver):
                yield observer._handler  # the router's own filters on this event
                yield from observer.handlers


def check_filters_in_place(router: Router) -> int:
    """Make every synchronous filter under ``router`` a coroutine; returns how many."""
    changed = 0
    for handler in _handlers(router):
        for event_filter in handler.filters or ():
            if isinstance(event_filter, FilterObject) and not event_filter.awaitable:
                event_filter.callback = _in_place(event_filter.callback)
                event_filter.awaitable = True
                changed += 1
    return changed
