"""The outbox yields a chat to the person talking in it.

The bot's replies (answers, edits, the /start reply) go straight to Telegram, never behind an
announcement, and take nothing from the sender's overall budget; but Telegram counts them in
the person's chat like any message (about one a second). So while a person talks with the bot
the sender holds that chat's next outbox message until a moment after their last update or
reply (``Sender`` asks ``Interactions.hold``).

Where the sender runs:
* in this process: updates and replies are noted here, in memory; nothing is written;
* in another process (replicas on PostgreSQL): an update from a chat with outbox messages
  waiting is also written to ``chat_interactions`` in its own short transaction, before the
  handler replies, and the sender reads it before sending to that chat. An update from a chat
  with nothing waiting (nearly all of them) costs one indexed read and writes nothing.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any

from aiogram import BaseMiddleware
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response
from aiogram.types import Chat, TelegramObject
from sqlalchemy.ext.asyncio import AsyncEngine

from core.privacy import masked_chat
from handlers.retry import outbox_call
from storage.interactions import note_interaction

if TYPE_CHECKING:
    from aiogram import Bot

log = logging.getLogger(__name__)

AFTER_UPDATE = 1.5  # seconds the outbox keeps off a chat after an update from it (reply time)
AFTER_REPLY = 1.0  # … after a reply to it was answered: Telegram's per-chat second
KEEP = 10_000  # chats remembered before the stale ones are forgotten


class Interactions:
    """When each chat may next have an outbox message: a moment after its person last spoke
    to the bot or was answered. One per process (``interactions``)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._free_at: dict[int, float] = {}
        self._handling: Counter[int] = Counter()  # updates of each chat being handled now
        # A sender of this process is sending: it reads the notes here, the store is not needed.
        self.sender_here = False

    def note(self, chat_id: int, seconds: float) -> None:
        now = self.clock()
        if len(self._free_at) > KEEP:
            self._free_at = {c: t for c, t in self._free_at.items() if t > now}
        self._free_at[chat_id] = max(self._free_at.get(chat_id, 0.0), now + seconds)

    @contextlib.contextmanager
    def handling(self, chat_id: int) -> Iterator[None]:
        """An update of the chat is being handled: its replies may come at any moment (a
        slow handler may take longer than ``AFTER_UPDATE``)."""
        self.note(chat_id, AFTER_UPDATE)
        self._handling[chat_id] += 1
        try:
            yield
        finally:
            self._handling[chat_id] -= 1
            if not self._handling[chat_id]:
                del self._handling[chat_id]
            self.note(chat_id, AFTER_REPLY)

    def hold(self, chat_id: int) -> float:
        """Seconds the outbox still keeps off ``chat_id`` (0 when it may send)."""
        if chat_id in self._handling:
            return AFTER_REPLY
        free_at = self._free_at.get(chat_id)
        return 0.0 if free_at is None else max(0.0, free_at - self.clock())


interactions = Interactions()


class InteractionMiddleware(BaseMiddleware):
    """Outer update middleware, first in the chain: notes the update's chat before anything
    replies to it."""

    def __init__(self, engine: AsyncEngine, registry: Interactions | None = None) -> None:
        self.engine = engine
        self.registry = registry or interactions
        self.shared_store = engine.dialect.name == "postgresql"  # SQLite: one process only

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        chat: Chat | None = data.get("event_chat")
        if chat is None:
            return await handler(event, data)
        with self.registry.handling(chat.id):
            if self.shared_store and not self.registry.sender_here:
                # Before the update's session takes its connection, never beside it: an update
                # holding one while its note waits for another could drain the pool.
                await self._note_in_store(chat.id)
            return await handler(event, data)

    async def _note_in_store(self, chat_id: int) -> None:
        try:
            async with self.engine.connect() as conn:
                autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
                await note_interaction(autocommit, chat_id)
        except Exception:  # the update matters more than a possible 429 to it: go on
            log.warning("chat %s: the interaction was not recorded", masked_chat(chat_id))


class NoteReplies(BaseRequestMiddleware):
    """On the bot's session: every reply sent to a chat keeps the outbox off it a second."""

    def __init__(self, registry: Interactions | None = None) -> None:
        self.registry = registry or interactions

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[Any],
        bot: Bot,
        method: TelegramMethod[Any],
    ) -> Response[Any]:
        chat_id = getattr(method, "chat_id", None)
        if outbox_call() or not isinstance(chat_id, int):
            return await make_request(bot, method)
        try:
            return await make_request(bot, method)
        finally:
            self.registry.note(chat_id, AFTER_REPLY)
