"""The sender: drains due outbox messages to Telegram within its limits, losing none.

* Limits: at most ``per_second`` messages a second overall, one a second to a private chat,
  20 a minute to a group (handlers/ratelimit.py). Each chat has one worker, so its messages
  go in order; a slow or paused chat holds up nobody else.
* 429: the chat waits exactly ``retry_after``. Telegram does not say which limit was hit, so
  a second 429 from another chat within a second means the limit is the overall one: then all
  sending waits ``retry_after``.
* 403 (blocked, deactivated, kicked): the chat's accounts turn inactive and its queued
  messages fail; nothing more is sent there until the person is back (any update from them
  activates the account again, see handlers/middlewares.py).
* 5xx, network errors: the message is tried again later, backing off up to ``BACKOFF_MAX``;
  after ``attempts`` tries it is marked failed with the last error, and counted where the
  administrator looks (``journal-bot outbox``).
* 400 (a message Telegram will never take): the message fails, with the reason kept.
* Crash safety: a message is marked sent in its own short transaction right after Telegram
  took it, so a crash sends again only the messages that were in flight.
* Many processes, one store (docs/replicas.md): the sender takes due messages with a lease
  (``holder``, ``lease`` seconds, renewed while they wait in its queues); another sender
  takes them only when the lease has run out, so a process killed with -9 loses nothing and
  sends twice at most what it had in flight. A sender marks only messages it still holds.
* A file goes as a photo (sendPhoto) when its ``file_kind`` is ``photo``, else as a document.
* Replies first: while a person talks with the bot, their chat's next message waits until a
  moment after their last update or reply (handlers/interactions.py), at most ``YIELD_MAX``;
  a held chat holds up nobody else and does not count against the messages in flight.
* A text over 4096 characters (1024 for a caption) becomes several messages, stored as
  several rows before the first is sent, so each part is sent once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from functools import partial

from aiogram import Bot
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNotFound,
    TelegramRetryAfter,
)
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.messenger import Messenger, file_messenger
from core.privacy import masked_chat
from core.textsplit import CAPTION_LIMIT, TEXT_LIMIT, split_html, visible_length
from handlers.interactions import AFTER_UPDATE, Interactions, interactions
from handlers.ratelimit import SlidingWindow
from handlers.retry import from_outbox
from storage import outbox as q
from storage.interactions import forget_interactions, seconds_since_interaction
from storage.models import OutboxMessage, utcnow
from storage.replicas import replica_name

log = logging.getLogger(__name__)

BACKOFF_FIRST = 5.0  # seconds before the first retry after a server or network error
BACKOFF_MAX = 900.0
GLOBAL_429_SPAN = 1.0  # 429s from two chats this close together: the overall limit
INACTIVE_SWEEP = 60.0  # seconds between sweeps of messages queued for blocked chats
ATTEMPTS = 20  # tries against server or network errors before a message is marked failed
STOP_GRACE = 10.0  # seconds a stop waits for the messages being sent
# A process that died a moment ago may have sent in the last second what Telegram still counts.
START_PAUSE = 1.0
LEASE = 60.0  # seconds a taken message stays with its sender unless renewed
YIELD_MAX = 30.0  # seconds a chat's message waits for its person to pause, at most


@dataclass(frozen=True)
class Limits:
    per_second: int = 29  # overall; Telegram allows 30
    private_per_second: int = 1
    group_per_minute: int = 20
    text: int = TEXT_LIMIT  # characters of a message's text, and of a file's caption
    caption: int = CAPTION_LIMIT


# MAX (docs/max.md): about 30 requests a second for the whole bot, replies included, so the
# outbox keeps to 25 and leaves the rest to the replies; a text or a caption of 4000 characters.
MAX_LIMITS = Limits(per_second=25, private_per_second=1, text=4000, caption=4000)


@dataclass
class SenderStats:
    sent: int = 0
    failed: int = 0
    retried: int = 0  # server or network errors, tried again later
    too_many_requests: int = 0  # 429s received
    lost_leases: int = 0  # sent after the lease ran out: another sender may have sent it too


class _Outcome(Enum):
    DONE = "done"  # sent, failed or rescheduled: next message
    AGAIN = "again"  # paused by a 429 or moved: the same message again
    CHAT_GONE = "chat_gone"  # the chat refused the bot: drop its queue


class Sender:
    def __init__(
        self,
        bot: Bot,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        limits: Limits | None = None,
        poll_interval: float = 1.0,
        attempts: int = ATTEMPTS,
        holder: str | None = None,
        lease: float = LEASE,
        registry: Interactions | None = None,
        messenger: Messenger | None = None,
    ) -> None:
        self.bot = bot
        # The messenger whose chats this sender serves (core/messenger.py); None: all chats.
        self.messenger = messenger
        self.partners: list[Sender] = []  # woken with this one (the other messenger's)
        self.holder = holder or replica_name()
        self.lease = timedelta(seconds=lease)
        self.attempts = attempts
        self.session_factory = session_factory
        self.limits = limits or Limits()
        self.poll_interval = poll_interval
        self.stats = SenderStats()
        per_second = self.limits.per_second
        self._overall = SlidingWindow(per_second, 1.0, spacing=1.0 / per_second)
        self._chat_windows: dict[int, SlidingWindow] = {}
        self._queues: dict[int, deque[OutboxMessage]] = {}
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._in_flight: set[int] = set()  # taken (leased) and not done
        self._to_release: set[int] = set()  # taken, then dropped unsent: give them back
        self._last_429: tuple[float, int] | None = None
        self._stopping = False
        self._now: Callable[[], datetime] = utcnow
        self._wake = asyncio.Event()
        self.interactions = registry or interactions
        self._yielding = False  # only while running: a drain sends what is due, now
        self._holding: set[int] = set()  # chats whose next message waits for their person
        bind = session_factory.kw.get("bind")
        self._shared_store = bind is not None and bind.dialect.name == "postgresql"

    # --- entry points --------------------------------------------------------------

    async def run(self, stop_event: asyncio.Event) -> None:
        """Send until ``stop_event`` is set, then let the messages being sent finish."""
        self._now = utcnow
        self._stopping = False
        self._overall.pause(START_PAUSE)
        loop = asyncio.get_running_loop()
        next_sweep = next_renewal = 0.0
        self._yielding = self.interactions.sender_here = True
        try:
            while not stop_event.is_set():
                try:
                    if loop.time() >= next_sweep:
                        await self._sweep_inactive()
                        next_sweep = loop.time() + INACTIVE_SWEEP
                    if loop.time() >= next_renewal:
                        await self._renew_leases()
                        next_renewal = loop.time() + self.lease.total_seconds() / 3
                    if self._sending() < 2 * self.limits.per_second:
                        await self._fill(utcnow(), 4 * self.limits.per_second)
                except Exception:  # the store may be away for a moment: try again soon
                    log.exception("the sender could not read the outbox")
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        _first_of(stop_event.wait(), self._wake.wait()), self.poll_interval
                    )
            self._stopping = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._join(), STOP_GRACE)
        finally:
            self._yielding = self.interactions.sender_here = False
            for task in list(self._workers.values()):
                task.cancel()
            await asyncio.gather(*self._workers.values(), return_exceptions=True)
            with contextlib.suppress(Exception):  # else the leases run out by themselves
                await self._release()

    async def drain_once(self, now: datetime | None = None) -> int:
        """Send everything due at ``now`` (default: the current time) and return how many
        messages were sent. Messages rescheduled after an error are due later, not now."""
        fixed = now or utcnow()
        self._now = lambda: fixed
        before = self.stats.sent
        try:
            await self._sweep_inactive()
            while await self._fill(fixed, 500) or self._workers:
                await self._join()
        finally:
            self._now = utcnow
        return self.stats.sent - before

    def wake(self) -> None:
        """New messages are queued: look now instead of at the next poll."""
        self._wake.set()
        for partner in self.partners:
            partner.wake()

    # --- dispatching ---------------------------------------------------------------

    async def _sweep_inactive(self) -> None:
        async with self.session_factory.begin() as session:
            self.stats.failed += await q.fail_inactive(session)
            if self._shared_store:
                await forget_interactions(session, older_than=INACTIVE_SWEEP)

    async def _fill(self, now: datetime, limit: int) -> int:
        await self._release()
        async with self.session_factory.begin() as session:
            taken = await q.claim_due(
                session, now, limit, self.holder, self.lease, messenger=self.messenger
            )
        due = [m for m in taken if m.id not in self._in_flight]
        for message in due:
            self._in_flight.add(message.id)
            self._queues.setdefault(message.chat_id, deque()).append(message)
            if message.chat_id not in self._workers:
                task = asyncio.create_task(self._work(message.chat_id))
                self._workers[message.chat_id] = task
        self._forget_idle_windows()
        return len(due)

    async def _join(self) -> None:
        while self._workers:
            await asyncio.gather(*self._workers.values(), return_exceptions=True)

    def _sending(self) -> int:
        """Messages taken from the outbox and not done, minus those waiting for a person."""
        held = sum(len(self._queues.get(chat, ())) for chat in self._holding)
        return len(self._in_flight) - held

    def _forget_idle_windows(self) -> None:
        if len(self._chat_windows) > 2 * len(self._workers) + 1000:
            for chat_id in [c for c, w in self._chat_windows.items() if w.idle()]:
                if chat_id not in self._workers:
                    del self._chat_windows[chat_id]

    async def _work(self, chat_id: int) -> None:
        queue = self._queues[chat_id]
        try:
            while queue and not self._stopping:
                outcome = await self._deliver(queue)
                if outcome is _Outcome.AGAIN:
                    continue
                done = [queue.popleft()] if outcome is _Outcome.DONE else list(queue)
                if outcome is _Outcome.CHAT_GONE:
                    queue.clear()
                for message in done:
                    self._in_flight.discard(message.id)
        except Exception:
            log.exception(
                "the sender failed on chat %s; its messages stay queued", masked_chat(chat_id)
            )
        finally:
            for message in queue:
                # Given back, for the next sender to take at once. One cut off mid-send (a
                # stop that outlived STOP_GRACE) may have reached Telegram: as after a crash,
                # it may go twice.
                self._in_flight.discard(message.id)
                self._to_release.add(message.id)
            del self._queues[chat_id]
            del self._workers[chat_id]
            if self._sending() < 2 * self.limits.per_second:
                self._wake.set()

    # --- one message ---------------------------------------------------------------

    async def _deliver(self, queue: deque[OutboxMessage]) -> _Outcome:
        message = queue[0]
        if _too_long(message, self.limits):
            if not await self._split(queue):
                return _Outcome.DONE  # merged or sent meanwhile: nothing to do
            message = queue[0]
        window = self._chat_window(message.chat_id)
        await self._take_turn(message.chat_id, window)
        try:
            try:
                telegram_id = await self._call(message)
            finally:
                self._overall.release()
        except TelegramRetryAfter as exc:
            self._too_many(message.chat_id, exc.retry_after)
            return _Outcome.AGAIN
        except TelegramMigrateToChat as exc:
            await self._move(queue, exc.migrate_to_chat_id)
            return _Outcome.AGAIN
        except TelegramForbiddenError as exc:
            await self._chat_gone(message, exc.message)
            return _Outcome.CHAT_GONE
        except (TelegramBadRequest, TelegramNotFound, TelegramEntityTooLarge) as exc:
            await self._mark(q.mark_failed, message, exc.message)
            self.stats.failed += 1
            log.warning(
                "message %s to chat %s refused: %s", message.id, masked_chat(message.chat_id), exc
            )
            return _Outcome.DONE
        except Exception as exc:  # 5xx, network, anything passing: try again later
            await self._retry_later(message, exc)
            return _Outcome.DONE
        finally:
            window.release()
        if not await self._mark(q.mark_sent, message, self._now(), telegram_id):
            self.stats.lost_leases += 1
            log.warning("message %s was sent after its lease ran out", message.id)
        self.stats.sent += 1
        return _Outcome.DONE

    async def _call(self, message: OutboxMessage) -> int:
        with from_outbox():  # a 429 pauses the chat here, see _too_many
            return await self._send(message)

    async def _send(self, message: OutboxMessage) -> int:
        markup = (
            InlineKeyboardMarkup.model_validate(message.reply_markup)
            if message.reply_markup
            else None
        )
        file_id = message.document_file_id
        try:
            return await self._send_with(message, file_id, markup)
        except TelegramBadRequest:
            if not file_id or self.messenger is None or file_messenger(file_id) is self.messenger:
                raise
            # A file sent in the other messenger that this one could not fetch (bot/max/
            # files.py): the text and buttons go alone.
            return await self._send_with(message, None, markup)

    async def _send_with(
        self, message: OutboxMessage, file_id: str | None, markup: InlineKeyboardMarkup | None
    ) -> int:
        if file_id and message.file_kind == q.PHOTO:
            sent = await self.bot.send_photo(
                message.chat_id,
                file_id,
                caption=message.text or None,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            )
        elif file_id:
            sent = await self.bot.send_document(
                message.chat_id,
                file_id,
                caption=message.text or None,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            )
        else:
            sent = await self.bot.send_message(
                message.chat_id, message.text, parse_mode=ParseMode.HTML, reply_markup=markup
            )
        return sent.message_id

    async def _take_turn(self, chat_id: int, window: SlidingWindow) -> None:
        """Acquire the chat's window and the overall one, the chat's person not talking with
        the bot at that moment; while they are, wait (at most ``YIELD_MAX``) holding neither."""
        loop = asyncio.get_running_loop()
        give_up = loop.time() + YIELD_MAX
        try:
            while True:
                await window.acquire()
                try:
                    await self._overall.acquire()
                except BaseException:
                    window.forgo()
                    raise
                try:
                    wait = await self._hold(chat_id) if self._yielding else 0.0
                except BaseException:
                    self._overall.forgo()
                    window.forgo()
                    raise
                if wait <= 0 or loop.time() >= give_up:
                    return
                self._overall.forgo()
                window.forgo()
                if chat_id not in self._holding:
                    self._holding.add(chat_id)
                    self._wake.set()  # the others may go meanwhile
                await asyncio.sleep(min(wait, give_up - loop.time()))
        finally:
            self._holding.discard(chat_id)

    async def _hold(self, chat_id: int) -> float:
        wait = self.interactions.hold(chat_id)
        if wait > 0 or not self._shared_store:
            return wait
        try:  # the update may have reached another process
            async with self.session_factory() as session:
                since = await seconds_since_interaction(session, chat_id)
        except Exception:  # the store away a moment: send; the 429 would be waited out
            log.warning("the sender could not read chat %s's interactions", masked_chat(chat_id))
            return 0.0
        return 0.0 if since is None else max(0.0, AFTER_UPDATE - since)

    def _chat_window(self, chat_id: int) -> SlidingWindow:
        if chat_id not in self._chat_windows:
            private = chat_id > 0
            self._chat_windows[chat_id] = (
                SlidingWindow(self.limits.private_per_second, 1.0)
                if private
                else SlidingWindow(self.limits.group_per_minute, 60.0)
            )
        return self._chat_windows[chat_id]

    def _too_many(self, chat_id: int, retry_after: float) -> None:
        self.stats.too_many_requests += 1
        self._chat_window(chat_id).pause(retry_after)
        now = asyncio.get_running_loop().time()
        last = self._last_429
        if last is not None and last[1] != chat_id and now - last[0] < GLOBAL_429_SPAN:
            self._overall.pause(retry_after)
        self._last_429 = (now, chat_id)
        log.info("429 for chat %s: waiting %s s", masked_chat(chat_id), retry_after)

    async def _split(self, queue: deque[OutboxMessage]) -> bool:
        """Store the parts of the first message in place of it; False if it is gone."""
        message = queue[0]
        parts: list[tuple[str, str | None]] = [
            (text, None) for text in split_html(message.text, self.limits.text)
        ]
        if message.document_file_id:  # the caption is too long: the text goes first
            parts.append(("", message.document_file_id))
        async with self.session_factory.begin() as session:
            rows = await q.split_message(session, message.id, parts)
        if not rows:
            return False
        queue.popleft()
        for row in reversed(rows):
            self._in_flight.add(row.id)
            queue.appendleft(row)
        return True

    async def _move(self, queue: deque[OutboxMessage], new_chat_id: int) -> None:
        old = queue[0].chat_id
        async with self.session_factory.begin() as session:
            await q.move_chat(session, old, new_chat_id)
        for message in queue:
            message.chat_id = new_chat_id

    async def _chat_gone(self, message: OutboxMessage, reason: str) -> None:
        async with self.session_factory.begin() as session:
            await q.mark_failed(session, message.id, reason, holder=self.holder)
            others = await q.deactivate_chat(session, message.chat_id, "recipient inactive")
        self.stats.failed += 1 + others
        chat = masked_chat(message.chat_id)
        log.info("chat %s refused the bot (%s): account deactivated", chat, reason)

    async def _retry_later(self, message: OutboxMessage, exc: Exception) -> None:
        delay = min(BACKOFF_FIRST * 2**message.attempts, BACKOFF_MAX)
        error = f"{type(exc).__name__}: {exc}"
        if message.attempts + 1 >= self.attempts:
            await self._mark(q.mark_failed, message, f"{q.GAVE_UP}: {error}")
            self.stats.failed += 1
            log.warning("message %s to chat %s: %s; given up after %s attempts",
                        message.id, masked_chat(message.chat_id), error, self.attempts)  # fmt: skip
            return
        await self._mark(q.retry_later, message, self._now() + timedelta(seconds=delay), error)
        self.stats.retried += 1
        chat = masked_chat(message.chat_id)
        log.warning("message %s to chat %s: %s; again in %s s", message.id, chat, error, delay)

    # --- leases --------------------------------------------------------------------

    async def _mark(
        self, action: Callable[..., Awaitable[bool]], message: OutboxMessage, *args: object
    ) -> bool:
        """Record what became of a message this sender holds; False if it no longer did."""
        return await self._write(partial(action, holder=self.holder), message.id, *args)

    async def _renew_leases(self) -> None:
        if not self._in_flight:
            return
        ids = set(self._in_flight)
        async with self.session_factory.begin() as session:
            held = await q.renew_leases(session, ids, self.holder, utcnow() + self.lease)
        if lost := (ids & self._in_flight) - held:
            # Marked meanwhile, or the store was away longer than a lease: another sender may
            # have them now. Whatever is marked below only counts if still held.
            log.info("%s messages no longer held by this sender", len(lost))

    async def _release(self) -> None:
        ids, self._to_release = self._to_release, set()
        if ids:
            async with self.session_factory.begin() as session:
                await q.release(session, ids, self.holder)

    async def _write(self, action: Callable[..., Awaitable[bool]], *args: object) -> bool:
        """One short transaction; a store hiccup is tried again, the message being out."""
        for attempt in range(3):
            try:
                async with self.session_factory.begin() as session:
                    return await action(session, *args)
            except Exception:
                if attempt == 2:
                    raise
                await asyncio.sleep(0.2 * (attempt + 1))
        raise AssertionError("unreachable")


def _too_long(message: OutboxMessage, limits: Limits) -> bool:
    limit = limits.caption if message.document_file_id else limits.text
    return visible_length(message.text) > limit


async def _first_of(*waits: Awaitable[object]) -> None:
    tasks = [asyncio.ensure_future(w) for w in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
