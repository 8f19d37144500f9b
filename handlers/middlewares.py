"""Update-level middlewares: a store session per update, the person behind it, their locale.

The update's session is its one transaction: handlers and the conversation state
(``handlers.fsm``) write through it, ``StoreSessionMiddleware`` commits it once after the
handler, and ``RefusalMiddleware`` is the one place a refusal rolls it back. Handlers do not
commit; one that confirms a change in a message flushes first, so a rejected write fails before
the person is told it was saved. Screen edits (``handlers.ui.edit_or_send``) and the press's
answer are sent after the commit: the write lock (SQLite's one writer, a PostgreSQL row lock) is
never held across a Telegram round trip, and a change the store failed to keep is never shown as
saved: the person gets the press's answer and an apology instead.

Duplicate updates (Telegram redelivers after a crash before the offset was confirmed) are
recognised by ``update_id``: the id is written in the same transaction as the update's effects,
so an update either changed the store and is remembered, or did neither and runs again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Router
from aiogram.dispatcher.flags import get_flag
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, TelegramObject, Update, User
from aiogram.utils.callback_answer import CallbackAnswerMiddleware
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from core.errors import JournalError
from core.i18n import I18n, _
from core.messenger import Messenger, messenger_of
from handlers.fsm import known_state, update_session
from handlers.ui import EndsConversation, alert, screen_edits
from screens import markup
from screens.accounts import account_not_linked, account_revoked, max_turned_off, no_access
from services import college_settings
from services.people.identity import Actors, Identity, identify, preferred_locale
from storage import people as q
from storage.models import ProcessedUpdate
from storage.sqlite_driver import interactive_work

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
AFTER_COMMIT = "after_commit"  # Telegram calls that wait for the update's commit
ACCOUNT_ROWS = "account_rows"  # the person's account, read with the update's first statement


UPDATE_ID, WROTE, RECORDED = "update_id", "wrote", "recorded"  # keys of ``Session.info``


@event.listens_for(Session, "after_flush")
def _note_write(session: Session, _ctx: Any) -> None:
    if UPDATE_ID in session.info:
        session.info[WROTE] = True


@event.listens_for(Session, "before_commit")
def _record_update(session: Session) -> None:
    """An update that changed something is remembered in the same commit. Listened to once for
    every session (an update's session is told by its ``info``), not per update."""
    update_id = session.info.get(UPDATE_ID)
    if update_id is None or session.info.get(RECORDED):
        return
    if session.info.get(WROTE) or session.new or session.dirty or session.deleted:
        session.add(ProcessedUpdate(update_id=update_id))
        session.info[RECORDED] = True


def _remember_update_on_commit(session: AsyncSession, update_id: int) -> None:
    session.info[UPDATE_ID] = update_id


StateKey = Callable[[dict[str, Any]], str | None]


class StoreSessionMiddleware(BaseMiddleware):
    """``state_key``: the conversation state's key of an update (None for no chat), read with
    the redelivery check in one statement."""

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], state_key: StateKey | None = None
    ) -> None:
        self.session_factory = session_factory
        self.state_key = state_key

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        with interactive_work():
            return await self._handle(handler, event, data)

    async def _handle(self, handler: Handler, event: Update, data: dict[str, Any]) -> Any:
        async with self.session_factory() as session:
            key = self.state_key(data) if self.state_key is not None else None
            if key is None:
                if await q.was_processed(session, event.update_id):
                    return None
                known = None
            else:
                user: User | None = data.get("event_from_user")
                if user is None:
                    processed, state = await q.first_look(session, event.update_id, key)
                else:  # the person's account too, for IdentityMiddleware
                    processed, state, data[ACCOUNT_ROWS] = await q.first_look_with_account(
                        session, event.update_id, key, user.id
                    )
                if processed:
                    return None
                known = (key, state)
            _remember_update_on_commit(session, event.update_id)
            data["session"] = session
            after_commit: list[Awaitable[Any]] = []
            data[AFTER_COMMIT] = after_commit
            edits: list[Callable[[], Awaitable[None]]] = []
            token, edits_token = update_session.set(session), screen_edits.set(edits)
            state_token = known_state.set(known)
            try:
                result = await handler(event, data)
            finally:
                update_session.reset(token)
                screen_edits.reset(edits_token)
                known_state.reset(state_token)
            try:
                await session.commit()
            except Exception:
                # The press is answered as it would have been; the apology follows it. The
                # screen keeps showing what is still stored.
                with contextlib.suppress(TelegramAPIError):
                    for call in after_commit:
                        await call
                raise
        # The store's write lock is free again: the screen, then the press's answer.
        for edit in edits:
            await edit()
        for call in after_commit:
            await call
        return result


class AnswerPresses(CallbackAnswerMiddleware):
    """Every press is answered once, after its handler and the update's commit: a handler
    that has something to say sets ``callback_answer.text`` (and ``show_alert``). After the
    commit, so the update's write transaction does not wait on Telegram for it (on SQLite it
    holds the one write lock). A press whose handler or commit failed is left to the error
    handler, which answers it with an apology."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        async def answered_unless_failed(event: TelegramObject, data: dict[str, Any]) -> Any:
            try:
                return await handler(event, data)
            except Exception:
                data["callback_answer"].disable()
                raise

        if not isinstance(event, CallbackQuery) or AFTER_COMMIT not in data:
            return await super().__call__(answered_unless_failed, event, data)
        callback_answer = data["callback_answer"] = self.construct_callback_answer(
            properties=get_flag(data, "callback_answer")
        )
        if callback_answer.answered:  # answered before the handler, if so configured
            await self.answer(event, callback_answer)
        result = await answered_unless_failed(event, data)
        if not callback_answer.disabled and not callback_answer.answered:
            data[AFTER_COMMIT].append(self.answer(event, callback_answer))
        return result


class IdentityMiddleware(BaseMiddleware):
    """Puts ``identity`` (or None for a stranger) into handler data. A revoked account is
    a stranger again (``revoked`` tells the guard to say why)."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        session: AsyncSession = data["session"]
        identity: Identity | None = None
        returning = None
        if user is not None:
            rows = data.pop(ACCOUNT_ROWS, None)
            account, identity = await identify(session, user.id, data["clock"](), rows)
            data["revoked"] = account is not None and account.revoked_at is not None
            if (
                identity is not None
                and messenger_of(user.id) is Messenger.MAX
                and not await college_settings.max_on(session, identity.org_id)
            ):
                identity, data["messenger_off"] = None, True  # the college turned MAX off
            if identity is not None and not identity.account.active:
                returning = identity.account  # they blocked the bot and are back: deliver again
        data["identity"] = identity
        result = await handler(event, data)
        if returning is not None:
            # Written after the handler, with the rest of the update: an earlier write would
            # hold SQLite's write lock while the handler talks to Telegram.
            returning.active = True
        return result


class LocaleMiddleware(BaseMiddleware):
    """The person's chosen language, else their Telegram language when we have it, else the
    college default. Handlers read ``i18n``; everything below speaks the chosen language."""

    def __init__(self, i18n: I18n) -> None:
        self.i18n = i18n

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        data["i18n"] = self.i18n
        data["locale"] = locale = self.get_locale(data)  # also for the error handler
        with self.i18n.use_locale(locale):
            return await handler(event, data)

    def get_locale(self, data: dict[str, Any]) -> str:
        user: User | None = data.get("event_from_user")
        language = user.language_code if user is not None else None
        return preferred_locale(data.get("identity"), language, self.i18n.default_locale)


class LinkedOnly(BaseMiddleware):
    """Router guard: everything behind it is for linked accounts only."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        identity: Identity | None = data.get("identity")
        if identity is not None and identity.memberships:
            return await handler(event, data)
        if identity is not None:  # every role ended: a student who left, their parent…
            state: FSMContext | None = data.get("state")
            if state is not None:
                await state.clear()  # whatever they had begun went with their roles
            text = no_access()
        else:
            text = account_not_linked()
        if data.get("revoked"):
            text = account_revoked()
        if data.get("messenger_off"):
            text = max_turned_off()
        if isinstance(event, CallbackQuery):
            alert(data["callback_answer"], text)
        elif isinstance(event, Message):
            await event.answer(text)
        return None


class ActorMiddleware(BaseMiddleware):
    """For journal routers: the ``actor`` (roles, college zone, edit window and the working
    days it is counted in) of the person."""

    def __init__(self) -> None:
        self.actors = Actors()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        identity: Identity | None = data.get("identity")
        if identity is None:
            return await handler(event, data)
        # The identity holds the person, their roles and the college's zone: no query here
        # but the calendar's, once a minute.
        data["actor"] = await self.actors.of(data["session"], identity, data["settings"])
        return await handler(event, data)


class RefusalMiddleware(BaseMiddleware):
    """A use case's refusal (``JournalError``: not yours, closed, invalid, out of date) undoes
    the update's changes, the conversation state included, and is told politely: an alert for
    a button, a reply for a message (with another try, when the person is typing an answer).
    The one place an update is rolled back; registered on the dispatcher."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        try:
            return await handler(event, data)
        except JournalError as exc:
            await data["session"].rollback()
            known_state.set(None)  # the state as stored again: read it if asked
            state: FSMContext | None = data.get("state")
            if isinstance(exc, EndsConversation) and state is not None:
                await state.clear()
            if isinstance(event, CallbackQuery):
                alert(data["callback_answer"], exc.message)
            elif isinstance(event, Message):
                if state is not None and await state.get_state() is not None:
                    await event.answer(markup.join([exc.message, _("Try again, or /cancel.")]))
                else:
                    await event.answer(markup.text(exc.message))
            return None


def journal_router(name: str) -> Router:
    """A router for linked people acting in the journal: guarded, with ``actor`` loaded."""
    router = Router(name=name)
    for observer in (router.message, router.callback_query):
        observer.middleware(LinkedOnly())
        observer.middleware(ActorMiddleware())
    return router
