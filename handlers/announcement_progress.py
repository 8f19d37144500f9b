"""The author's progress message: one message that says how far the sending got.

``refresh_progress`` is a periodic job (the scheduler runs it every few seconds). It reads
each watched announcement's figures from the outbox and the receipts and edits the author's
message only when the figures differ from what it shows, so Telegram never hears "message is
not modified" in the normal course. While messages are pending it follows the sending; once
all are sent or failed it stamps ``Announcement.sent_at`` and from then on follows only the
acknowledgements, for ``ACK_WATCH`` more, then leaves the message as it is.

What each message shows is remembered in memory, per store; after a restart the first edit
may find the message already current, which is taken as shown.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from weakref import WeakKeyDictionary

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.i18n import use_locale
from keyboards import announcements as kb
from screens import announcements as texts
from services.announcements import service as svc
from services.announcements.service import Figures, Kind
from storage import announcements as q
from storage.models import Announcement, utcnow

log = logging.getLogger(__name__)

ACK_WATCH = timedelta(days=3)  # acknowledgements keep the message current this long
Factory = async_sessionmaker[AsyncSession]
GONE = ("message to edit not found", "message can't be edited", "chat not found")

_shown: WeakKeyDictionary[Factory, dict[int, Figures]] = WeakKeyDictionary()


def remember(session_factory: Factory, announcement_id: int, figures: Figures) -> None:
    """The progress message of the announcement now shows ``figures``."""
    _shown.setdefault(session_factory, {})[announcement_id] = figures


def _known(session_factory: Factory, announcement_id: int) -> Figures | None:
    return _shown.get(session_factory, {}).get(announcement_id)


async def progress_view(session: AsyncSession, announcement: Announcement, figures: Figures) -> str:
    """The progress message's text in the current locale."""
    kinds = [Kind(k) for k in announcement.audience.get("kinds", []) if k in set(Kind)]
    names = await svc.group_names(session, announcement)
    audience = texts.audience_line(names, kinds)
    not_linked = int(announcement.audience.get("not_linked", 0))
    return texts.progress_text(audience, announcement.text, figures, not_linked)


async def refresh_progress(bot: Bot, session_factory: Factory) -> int:
    """Bring every watched progress message up to date; returns how many were edited."""
    now = utcnow()
    async with session_factory() as session:
        watched = list(await q.watched(session, now - ACK_WATCH))
    edited = 0
    for announcement in watched:
        try:
            if await _refresh_one(bot, session_factory, announcement):
                edited += 1
        except TelegramRetryAfter:
            log.info("progress messages wait: Telegram asked to slow down")
            break
        except Exception:  # one message failing must not stop the others: next run again
            log.exception("progress of announcement %s not updated", announcement.id)
    return edited


async def _refresh_one(bot: Bot, session_factory: Factory, announcement: Announcement) -> bool:
    ann_id = announcement.id
    known = _known(session_factory, ann_id)
    async with session_factory.begin() as session:
        if announcement.sent_at is not None and known is not None:
            # Sending is over: only the acknowledgements can still change.
            figures = Figures(
                known.total, known.sent, known.failed, await q.acknowledged_count(session, ann_id)
            )
        else:
            await q.stamp_delivered(session, ann_id)
            figures = await svc.figures(session, announcement)
            if figures.finished and announcement.sent_at is None:
                await q.mark_finished(session, ann_id, utcnow())
        if figures == known:
            return False
        language = announcement.audience.get("locale") or await q.chat_language(
            session, announcement.progress_chat_id or 0
        )
        with use_locale(language or ""):
            text = await progress_view(session, announcement, figures)
            markup = kb.progress_keyboard(ann_id)
    assert announcement.progress_chat_id is not None
    assert announcement.progress_message_id is not None
    try:
        await bot.edit_message_text(
            text=text,
            chat_id=announcement.progress_chat_id,
            message_id=announcement.progress_message_id,
            reply_markup=markup,
        )
    except TelegramBadRequest as exc:
        if "message is not modified" in exc.message:
            remember(session_factory, ann_id, figures)
            return False
        if any(reason in exc.message for reason in GONE):
            return await _gone(session_factory, ann_id, exc)
        log.warning("progress message of announcement %s not updated: %s", ann_id, exc)
        return False
    except (TelegramForbiddenError, TelegramNotFound) as exc:
        return await _gone(session_factory, ann_id, exc)
    remember(session_factory, ann_id, figures)
    return True


async def _gone(session_factory: Factory, announcement_id: int, exc: Exception) -> bool:
    """The message cannot be edited any more (deleted, or the author blocked the bot)."""
    log.info("progress message of announcement %s dropped: %s", announcement_id, exc)
    async with session_factory.begin() as session:
        await q.forget_progress_message(session, announcement_id)
    _shown.get(session_factory, {}).pop(announcement_id, None)
    return False
