"""Announcements: the author's draft (groups, kinds of recipients, text and file, preview),
the send, the recipients' "Acknowledge" and the author's list of who acknowledged.

The draft lives in the conversation state on the server; still, every press re-derives the
author from their current roles and re-checks what it names (services/announcements/service.py),
and the send checks the whole audience once more.
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.config import Settings
from core.errors import Denied, JournalError
from core.i18n import _
from handlers import announcement_progress as progress
from handlers.middlewares import journal_router
from handlers.ui import EndsConversation, alert, edit_or_send
from keyboards import announcements as kb
from keyboards.callbacks import parse_id
from screens import announcements as texts
from screens import markup
from services.access import Actor
from services.announcements import service as svc
from services.announcements.service import Attachment, Audience, Author
from services.people.identity import Identity


class AnnouncementDraft(StatesGroup):
    audience = State()  # choosing groups and kinds
    text = State()  # waiting for the text (and a file)
    confirm = State()  # the preview is shown


DRAFT_STATES = (AnnouncementDraft.audience, AnnouncementDraft.text, AnnouncementDraft.confirm)


def _audience(data: dict[str, Any]) -> Audience:
    return Audience.of(data.get("groups", []), data.get("kinds", []))


def _message(query: CallbackQuery) -> Message | None:
    return query.message if isinstance(query.message, Message) else None


async def _draft(
    query: CallbackQuery, state: FSMContext, actor: Actor, *states: State
) -> tuple[Author, dict[str, Any]] | None:
    """The open draft and its author, if the draft is at one of ``states``; else a refusal
    (None: the press is not under a message the bot can use)."""
    current = await state.get_state()
    if current not in {s.state for s in states or DRAFT_STATES}:
        raise Denied(
            _("This announcement has already been sent or cancelled. Start a new one from /menu.")
        )
    data = await state.get_data()
    try:
        author = svc.author_of(actor, data.get("role"))
    except JournalError as exc:
        raise EndsConversation(exc.message) from exc
    return author, data


# --- choosing the audience -----------------------------------------------------------


async def _show_groups(
    message: Message, session: AsyncSession, author: Author, data: dict[str, Any]
) -> None:
    groups = await svc.choosable_groups(session, author)
    markup = kb.groups_keyboard(
        groups, data.get("groups", []), org_wide=author.org_wide, page=int(data.get("page", 0))
    )
    await edit_or_send(message, texts.groups_text(author.org_wide), markup)


async def _show_kinds(
    message: Message, session: AsyncSession, author: Author, data: dict[str, Any]
) -> None:
    names = await svc.check_groups(session, author, data.get("groups", []))
    can_go_back = author.org_wide or len(author.curated) > 1
    markup = kb.kinds_keyboard(author.kinds, data.get("kinds", []), can_go_back=can_go_back)
    await edit_or_send(message, texts.kinds_text(list(names.values())), markup)


async def start(
    query: CallbackQuery,
    identity: Identity,
    actor: Actor,
    session: AsyncSession,
    state: FSMContext,
) -> None:
    message = _message(query)
    author = svc.author_of(actor, identity.role)
    single = not author.org_wide and len(author.curated) == 1
    data: dict[str, Any] = {
        "role": author.role.value,
        "groups": sorted(author.curated) if single else [],
        "kinds": [] if author.org_wide else [k.value for k in svc.CURATOR_KINDS],
    }
    await state.clear()
    await state.set_state(AnnouncementDraft.audience)
    await state.set_data(data)
    try:
        if message is not None and single:
            await _show_kinds(message, session, author, data)
        elif message is not None:
            await _show_groups(message, session, author, data)
    except JournalError as exc:  # the curated group was closed meanwhile
        raise EndsConversation(exc.message) from exc


async def toggle_group(
    query: CallbackQuery,
    callback_data: kb.AnnCb,
    actor: Actor,
    session: AsyncSession,
    state: FSMContext,
) -> None:
    draft = await _draft(query, state, actor, AnnouncementDraft.audience)
    if draft is None:
        return
    author, data = draft
    chosen = set(data.get("groups", []))
    if callback_data.val == kb.WHOLE_COLLEGE:
        if not author.org_wide:
            raise Denied(svc.not_your_group())
        chosen = set()
    else:
        group_id = parse_id(callback_data.val)
        if group_id is None:
            raise Denied(svc.not_your_group())
        await svc.check_groups(session, author, [group_id])
        chosen ^= {group_id}
    data["groups"] = sorted(chosen)
    await state.update_data(groups=data["groups"])
    if message := _message(query):
        await _show_groups(message, session, author, data)


async def turn_page(
    query: CallbackQuery,
    callback_data: kb.AnnCb,
    actor: Actor,
    session: AsyncSession,
    state: FSMContext,
) -> None:
    draft = await _draft(query, state, actor, AnnouncementDraft.audience)
    if draft is None:
        return
    author, data = draft
    data["page"] = parse_id(callback_data.val) or 0
    await state.update_data(page=data["page"])
    if message := _message(query):
        await _show_groups(message, session, author, data)


async def back_to_groups(
    query: CallbackQuery, actor: Actor, session: AsyncSession, state: FSMContext
) -> None:
    draft = await _draft(query, state, actor)
    if draft is None:
        return
    author, data = draft
    await state.set_state(AnnouncementDraft.audience)
    if message := _message(query):
        await _show_groups(message, session, author, data)


async def show_kinds(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    actor: Actor,
    session: AsyncSession,
    state: FSMContext,
) -> None:
    draft = await _draft(query, state, actor)
    if draft is None:
        return
    author, data = draft
    if not author.org_wide and not data.get("groups"):
        alert(callback_answer, _("Choose at least one group."))
        return
    await state.set_state(AnnouncementDraft.audience)
    message = _message(query)
    if message is not None:
        await _show_kinds(message, session, author, data)


async def toggle_kind(
    query: CallbackQuery,
    callback_data: kb.AnnCb,
    actor: Actor,
    session: AsyncSession,
    state: FSMContext,
) -> None:
    draft = await _draft(query, state, actor, AnnouncementDraft.audience)
    if draft is None:
        return
    author, data = draft
    kind = svc.check_kind(author, callback_data.val)
    data["kinds"] = sorted(set(data.get("kinds", [])) ^ {kind.value})
    await state.update_data(kinds=data["kinds"])
    message = _message(query)
    if message is not None:
        await _show_kinds(message, session, author, data)


async def ask_text(
    query: CallbackQuery, actor: Actor, session: AsyncSession, state: FSMContext
) -> None:
    draft = await _draft(query, state, actor, AnnouncementDraft.audience)
    if draft is None:
        return
    author, data = draft
    names = await svc.check_audience(session, author, _audience(data))
    await state.set_state(AnnouncementDraft.text)
    audience = texts.audience_line(list(names.values()), _audience(data).kinds)
    if message := _message(query):
        await edit_or_send(message, texts.text_prompt(audience), kb.text_prompt_keyboard())


# --- the text, the file and the preview ----------------------------------------------


def _attached(message: Message) -> tuple[str, str, str] | None:
    """``(file_id, kind, name)`` of the file in the message, if any: the outbox sends a photo
    as a photo and a document as a document."""
    if message.document is not None:
        return message.document.file_id, "document", message.document.file_name or ""
    if not message.photo:
        return None
    return message.photo[-1].file_id, "photo", ""


async def on_content(
    message: Message,
    actor: Actor,
    session: AsyncSession,
    state: FSMContext,
) -> None:
    data = await state.get_data()
    try:
        author = svc.author_of(actor, data.get("role"))
    except JournalError as exc:
        await state.clear()
        await message.answer(markup.text(exc.message))
        return
    attached = _attached(message)
    if attached is not None:
        data.update(file_id=attached[0], file_kind=attached[1], file_name=attached[2])
    typed = message.text or message.caption
    try:
        text = svc.clean_text(typed or data.get("text"))
    except JournalError as exc:
        if attached is not None and not typed and not data.get("text"):
            await state.update_data(data)
            await message.answer(texts.file_waiting_text())
        else:
            await message.answer(markup.text(exc.message))
        return
    audience = _audience(data)
    try:
        names = await svc.check_audience(session, author, audience)
        reach = await svc.reach(session, author, audience)
    except JournalError as exc:
        await state.clear()
        await message.answer(markup.text(exc.message))
        return
    note = (
        texts.file_note(data["file_kind"], data.get("file_name", ""))
        if data.get("file_id")
        else None
    )
    line = texts.audience_line(list(names.values()), audience.kinds)
    preview = await message.answer(
        texts.preview_text(line, text, note, reach),
        reply_markup=kb.preview_keyboard(can_send=reach.linked > 0),
    )
    data.update(text=text, preview=preview.message_id)
    await state.set_data(data)
    await state.set_state(AnnouncementDraft.confirm)


async def not_content(message: Message) -> None:
    await message.answer(
        _(
            "Please send the text of the announcement, or a photo or a file with the text "
            "as its caption."
        )
    )


# --- sending -------------------------------------------------------------------------


async def send(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    actor: Actor,
    session: AsyncSession,
    state: FSMContext,
    settings: Settings,
    clock: Clock,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    draft = await _draft(query, state, actor, AnnouncementDraft.confirm)
    message = _message(query)
    if draft is None or message is None:
        return
    author, data = draft
    if message.message_id != data.get("preview"):
        alert(callback_answer, _("This preview is out of date: use the latest one."))
        return
    attachment = (
        Attachment(data["file_id"], data.get("file_kind", "document"))
        if data.get("file_id")
        else None
    )
    announcement = await svc.publish(
        session,
        author,
        _audience(data),
        data.get("text", ""),
        attachment,
        clock(),
        progress_chat_id=message.chat.id,
        progress_message_id=message.message_id,
        ack_markup=kb.ack_markup,
        message_text=texts.message_text,
        default_locale=settings.default_locale,
    )
    figures = await svc.figures(session, announcement)
    text = await progress.progress_view(session, announcement, figures)
    await session.flush()  # a rejected write fails before the person is told
    await state.clear()
    await edit_or_send(message, text, kb.progress_keyboard(announcement.id))
    progress.remember(session_factory, announcement.id, figures)
    callback_answer.text = _("The announcement is on its way.")


async def cancel(query: CallbackQuery, state: FSMContext) -> None:
    if await state.get_state() in {s.state for s in DRAFT_STATES}:
        await state.clear()
    if message := _message(query):
        await edit_or_send(message, _("The announcement is cancelled."), kb.menu_keyboard())


# --- after sending -------------------------------------------------------------------


async def acknowledge(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.AnnCb,
    identity: Identity,
    session: AsyncSession,
    clock: Clock,
) -> None:
    outcome = await svc.acknowledge(session, identity.person.id, callback_data.ann, clock())
    await session.flush()  # a rejected write fails before the person is told
    if outcome is svc.AckOutcome.ALREADY:
        callback_answer.text = _("You have already acknowledged this announcement.")
        return
    if message := _message(query):
        try:
            await message.edit_reply_markup(
                reply_markup=kb.ack_keyboard(callback_data.ann, done=True)
            )
        except TelegramBadRequest:
            pass  # a double tap: the first press has changed the button already
    callback_answer.text = _("Thank you! The author will see that you have read it.")


async def who_acknowledged(
    query: CallbackQuery, callback_data: kb.AnnCb, identity: Identity, session: AsyncSession
) -> None:
    acks = await svc.acknowledgers(session, identity.person.id, callback_data.ann)
    if message := _message(query):
        await message.answer(texts.acknowledgers_text(acks), reply_markup=kb.menu_keyboard())


def create_router() -> Router:
    router = journal_router("announcements")
    cb = router.callback_query
    cb.register(start, kb.AnnCb.filter(F.act == kb.AnnouncementAction.START))
    cb.register(toggle_group, kb.AnnCb.filter(F.act == kb.AnnouncementAction.GROUP))
    cb.register(turn_page, kb.AnnCb.filter(F.act == kb.AnnouncementAction.PAGE))
    cb.register(back_to_groups, kb.AnnCb.filter(F.act == kb.AnnouncementAction.GROUPS))
    cb.register(show_kinds, kb.AnnCb.filter(F.act == kb.AnnouncementAction.KINDS))
    cb.register(toggle_kind, kb.AnnCb.filter(F.act == kb.AnnouncementAction.KIND))
    cb.register(ask_text, kb.AnnCb.filter(F.act == kb.AnnouncementAction.TEXT))
    cb.register(send, kb.AnnCb.filter(F.act == kb.AnnouncementAction.SEND))
    cb.register(cancel, kb.AnnCb.filter(F.act == kb.AnnouncementAction.CANCEL))
    cb.register(acknowledge, kb.AnnCb.filter(F.act == kb.AnnouncementAction.ACK))
    cb.register(who_acknowledged, kb.AnnCb.filter(F.act == kb.AnnouncementAction.ACKS))
    writing = StateFilter(AnnouncementDraft.text, AnnouncementDraft.confirm)
    is_command = F.text.startswith("/")
    router.message.register(on_content, writing, (F.text & ~is_command) | F.photo | F.document)
    router.message.register(not_content, writing, ~is_command)
    return router
