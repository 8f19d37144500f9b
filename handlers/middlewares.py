"""Update-level middlewares: a store session per update, the person behind it, their locale.

Duplicate updates (Telegram redelivers after a crash before the offset was confirmed) are
recognised by ``update_id``: the id is written in the same transaction as the update's effects,
so an update either changed the store and is remembered, or did neither and runs again.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Router
from aiogram.types import CallbackQuery, Message, TelegramObject, Update, User
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from core.config import SUPPORTED_LOCALES
from core.errors import JournalError
from core.i18n import I18n, _
from services.access import make_actor
from services.calendar.workdays import WorkCalendar, load_work_calendar
from services.people.identity import Identity, load_identity
from storage import people as q
from storage.models import Organisation, ProcessedUpdate

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


def _remember_update_on_commit(session: AsyncSession, update_id: int) -> None:
    state = {"wrote": False, "recorded": False}

    def after_flush(sync_session: Session, _ctx: Any) -> None:
        state["wrote"] = True

    def before_commit(sync_session: Session) -> None:
        changed = state["wrote"] or sync_session.new or sync_session.dirty or sync_session.deleted
        if changed and not state["recorded"]:
            sync_session.add(ProcessedUpdate(update_id=update_id))
            state["recorded"] = True

    event.listen(session.sync_session, "after_flush", after_flush)
    event.listen(session.sync_session, "before_commit", before_commit)


class StoreSessionMiddleware(BaseMiddleware):
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self.session_factory = session_factory

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        async with self.session_factory() as session:
            if await q.was_processed(session, event.update_id):
                return None
            _remember_update_on_commit(session, event.update_id)
            data["session"] = session
            result = await handler(event, data)
            await session.commit()
            return result


class IdentityMiddleware(BaseMiddleware):
    """Puts ``identity`` (or None for a stranger) into handler data."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        session: AsyncSession = data["session"]
        identity: Identity | None = None
        if user is not None:
            account = await q.account_by_telegram_id(session, user.id)
            if account is not None:
                if not account.active:  # they blocked the bot and are back: deliver again
                    account.active = True
                identity = await load_identity(session, account)
        data["identity"] = identity
        return await handler(event, data)


class LocaleMiddleware(BaseMiddleware):
    """The person's chosen language, else their Telegram language when we have it, else the
    college default. Handlers read ``i18n``; everything below speaks the chosen language."""

    def __init__(self, i18n: I18n) -> None:
        self.i18n = i18n

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        data["i18n"] = self.i18n
        with self.i18n.use_locale(self.get_locale(data)):
            return await handler(event, data)

    def get_locale(self, data: dict[str, Any]) -> str:
        identity: Identity | None = data.get("identity")
        if identity is not None:
            for choice in (identity.account.language, identity.person.locale):
                if choice in SUPPORTED_LOCALES:
                    return choice
        user: User | None = data.get("event_from_user")
        if user is not None and user.language_code:
            code = user.language_code.split("-")[0]
            if code in SUPPORTED_LOCALES:
                return code
        return self.i18n.default_locale


class LinkedOnly(BaseMiddleware):
    """Router guard: everything behind it is for linked accounts only."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if data.get("identity") is not None:
            return await handler(event, data)
        text = _(
            "Your Telegram account is not linked to the journal yet. Open the personal link "
            "you received from the college (your curator or the administrator will give you one)."
        )
        if isinstance(event, CallbackQuery):
            await event.answer(text, show_alert=True)
        elif isinstance(event, Message):
            await event.answer(text)
        return None


class ActorMiddleware(BaseMiddleware):
    """For journal routers: the ``actor`` (roles, college zone, edit window and the working
    days it is counted in) of the person."""

    CALENDAR_SECONDS = 60.0  # a college's calendar changes by import, rarely: read it once a minute

    def __init__(self) -> None:
        self._calendars: dict[int, tuple[float, WorkCalendar]] = {}

    async def _calendar(self, session: AsyncSession, org_id: int) -> WorkCalendar:
        now = time.monotonic()
        cached = self._calendars.get(org_id)
        if cached is None or now - cached[0] > self.CALENDAR_SECONDS:
            cached = (now, await load_work_calendar(session, org_id))
            self._calendars[org_id] = cached
        return cached[1]

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        identity: Identity | None = data.get("identity")
        if identity is None:
            return await handler(event, data)
        settings = data["settings"]
        # The identity already holds the person and their roles: only the zone is missing.
        org_id = identity.person.org_id
        org = await data["session"].get(Organisation, org_id)
        data["actor"] = make_actor(
            identity.person,
            identity.memberships,
            timezone=org.timezone if org else settings.timezone,
            edit_window_days=settings.rules.edit_window_days,
            calendar=await self._calendar(data["session"], org_id),
        )
        return await handler(event, data)


class RefusalMiddleware(BaseMiddleware):
    """A use case's refusal (``JournalError``: not yours, closed, invalid) undoes the update's
    changes and is told politely: an alert for a button, a reply for a message."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        try:
            return await handler(event, data)
        except JournalError as exc:
            await data["session"].rollback()
            if isinstance(event, CallbackQuery):
                await event.answer(exc.message, show_alert=True)
            elif isinstance(event, Message):
                await event.answer(exc.message)
            return None


def journal_router(name: str) -> Router:
    """A router for linked people acting in the journal: guarded, with ``actor`` loaded and
    refusals answered."""
    router = Router(name=name)
    for observer in (router.message, router.callback_query):
        observer.middleware(LinkedOnly())
        observer.middleware(ActorMiddleware())
        observer.middleware(RefusalMiddleware())
    return router
