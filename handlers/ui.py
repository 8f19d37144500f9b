"""Pieces every screen of the Telegram adapter shares: showing a screen, saving typed input,
the message under a pressed button, and the answer to a button that no longer works."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import TypeVar

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from sqlalchemy.ext.asyncio import AsyncSession

from core.config import Settings
from core.errors import JournalError
from core.i18n import _
from core.messenger import Messenger, bot_address, messenger_of
from handlers.responses import EditScreen
from services.people.invite_sheet import Terms

T = TypeVar("T")

# Screen edits of the update being handled, sent once its transaction has committed (set by
# ``StoreSessionMiddleware``): the write lock is never held across a Telegram round trip, and a
# change that failed to commit is never shown as saved.
screen_edits: ContextVar[list[Callable[[], Awaitable[None]]] | None] = ContextVar(
    "screen_edits", default=None
)


class Stale(JournalError):
    """A button of an old message, or a forged payload: refused like any other refusal."""

    def __init__(self) -> None:
        super().__init__(_("This button is no longer active. Open /menu."))


class EndsConversation(JournalError):
    """A refusal after which the conversation cannot go on (the draft's author lost the
    right to it): undone like any refusal, and the conversation is closed."""


async def stale_button(query: CallbackQuery) -> None:
    """Last resort for buttons nothing else took, and the answer to one found out of date."""
    raise Stale()


def alert(answer: CallbackAnswer, text: str) -> None:
    """Answer the press being handled with an alert rather than a passing note."""
    answer.text, answer.show_alert = text, True


def message_of(query: CallbackQuery) -> Message:
    """The message under the pressed button; one too old for the bot to touch is stale."""
    if not isinstance(query.message, Message):
        raise Stale()
    return query.message


async def edit_or_send(
    message: Message,
    text: str,
    markup: InlineKeyboardMarkup,
    *,
    fresh: bool = False,
    resend: bool = False,
) -> None:
    """Edit the screen in place, after the update's commit; an identical screen (a repeated
    tap) is not an error. ``fresh``: send it as a new message instead, at once (opened from a
    reminder, which must stay). ``resend``: a message Telegram no longer lets the bot edit
    (too old) gets the screen as a new message instead of an error."""
    if fresh:
        await message.answer(text, reply_markup=markup)
        return

    async def edit() -> None:
        try:
            await EditScreen(
                chat_id=message.chat.id,
                message_id=message.message_id,
                text=text,
                reply_markup=markup,
            ).as_(message.bot)
        except TelegramBadRequest as exc:
            if "message is not modified" in exc.message:
                return
            if not resend:
                raise
            await message.answer(text, reply_markup=markup)

    edits = screen_edits.get()
    if edits is None:  # outside an update (a job, a test calling it directly)
        await edit()
    else:
        edits.append(edit)


async def save_input(session: AsyncSession, change: Awaitable[T]) -> T:
    """Typed input: store ``change`` and give back its result. It is flushed, so a write the
    store rejects fails before the person is told it was saved; a refusal propagates to
    ``RefusalMiddleware``, which undoes the update and asks for another try."""
    result = await change
    await session.flush()
    return result


async def invite_terms(
    bot: Bot,
    settings: Settings,
    now: datetime,
    messenger_bots: dict[Messenger, Bot] | None = None,
) -> Terms:
    """What every issued invite link needs: the bot's address (of the messenger the issuer
    uses; the other messenger's too, when the journal runs in both), the time, how long it
    is valid."""
    messenger = messenger_of((await bot.me()).id)
    addresses = await bot_addresses(bot, messenger_bots)
    other = next((a for m, a in addresses.items() if m is not messenger), "")
    ttl = timedelta(days=settings.rules.invite_ttl_days)
    return Terms(addresses[messenger], now, ttl, other)


async def bot_addresses(
    bot: Bot, messenger_bots: dict[Messenger, Bot] | None = None
) -> dict[Messenger, str]:
    """The journal's bot in each messenger it runs in (``bot``'s own among them), by address:
    ``t.me/<name>``, ``max.ru/<name>``; in the order of ``messenger_bots``."""
    found: dict[Messenger, str] = {}
    for each in (*(messenger_bots or {}).values(), bot):
        me = await each.me()  # aiogram keeps it after the first call
        messenger = messenger_of(me.id)
        found.setdefault(messenger, bot_address(messenger, me.username or ""))
    return found
