"""Work programmes and calendar-thematic plans (R8): what is uploaded and missing for each
group and discipline the teacher teaches; upload a document; get the current one back.

Files stay in Telegram: the store keeps the file's ids, and the bot re-sends it by file_id.
Every press re-checks that the teacher teaches the group the discipline.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.errors import Invalid
from core.i18n import _
from handlers.middlewares import journal_router
from handlers.ui import alert, edit_or_send, message_of
from keyboards import documents as kb
from screens import documents as text
from screens.vocabulary import document_kind
from services import access, files
from services.access import Actor, TeachingScope
from services.journal import documents
from services.journal.documents_overview import documents_overview
from services.policy import Action
from storage.models import DocumentKind


class DocumentUpload(StatesGroup):
    file = State()


def _kind(code: str) -> DocumentKind:
    kind = kb.KINDS_BY_CODE.get(code)
    if kind is None:
        raise Invalid(_("Please choose: work programme or calendar-thematic plan."))
    return kind


async def _scope(
    session: AsyncSession, actor: Actor, group_id: int, discipline_id: int
) -> TeachingScope:
    return await access.teaching_for(
        session,
        actor,
        group_id,
        discipline_id,
        action=Action.UPLOAD_WORK_PROGRAMMES,
        any_subgroup=True,
    )


async def show_pairs(
    query: CallbackQuery, session: AsyncSession, actor: Actor, clock: Clock
) -> None:
    pairs = await documents_overview(session, actor, clock())
    await edit_or_send(message_of(query), text.pairs_text(pairs), kb.pairs_keyboard(pairs))


async def show_pair(
    query: CallbackQuery,
    callback_data: kb.DocCb,
    session: AsyncSession,
    actor: Actor,
    clock: Clock,
    state: FSMContext,
) -> None:
    data = callback_data
    if await state.get_state() == DocumentUpload.file.state:
        await state.clear()  # "Back" from an upload: no longer waiting for a file
    scope = await _scope(session, actor, data.group, data.disc)
    current = await documents.current_documents(session, actor, data.group, data.disc, clock())
    await edit_or_send(
        message_of(query),
        text.pair_text(scope, current, actor.tz),
        kb.pair_keyboard(data.group, data.disc, current),
        fresh=data.act is kb.DocumentAction.NEW_MESSAGE,  # from a reminder: the digest stays
    )


async def ask_upload(
    query: CallbackQuery,
    callback_data: kb.DocCb,
    session: AsyncSession,
    actor: Actor,
    state: FSMContext,
) -> None:
    data = callback_data
    kind = _kind(data.kind)
    scope = await _scope(session, actor, data.group, data.disc)
    await state.set_state(DocumentUpload.file)
    await state.update_data(group=data.group, disc=data.disc, kind=kind.value)
    await message_of(query).answer(
        text.upload_prompt(kind, scope),
        reply_markup=kb.back_to_pair(data.group, data.disc),
    )


async def on_document(
    message: Message, session: AsyncSession, actor: Actor, clock: Clock, state: FSMContext
) -> None:
    data = await state.get_data()
    group_id, discipline_id = int(data["group"]), int(data["disc"])
    document = message.document
    assert document is not None  # the router's filter
    files.check_document(document.file_name, document.mime_type, document.file_size)
    # A refusal ("send it again") keeps the conversation waiting for a file.
    stored = await documents.upload_document(
        session,
        actor,
        group_id,
        discipline_id,
        str(data["kind"]),
        document.file_id,
        clock(),
        file_unique_id=document.file_unique_id,
        file_name=document.file_name or "",
    )
    await session.flush()
    scope = await _scope(session, actor, group_id, discipline_id)
    current = await documents.current_documents(session, actor, group_id, discipline_id, clock())
    await state.clear()
    await message.answer(
        text.saved_text(stored.kind, scope, current, actor.tz),
        reply_markup=kb.pair_keyboard(group_id, discipline_id, current),
    )


async def not_a_document(message: Message) -> None:
    await message.answer(_("Please send the file as a document (or /cancel)."))


async def send_current(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.DocCb,
    session: AsyncSession,
    actor: Actor,
    clock: Clock,
) -> None:
    data = callback_data
    kind = _kind(data.kind)
    scope = await _scope(session, actor, data.group, data.disc)
    current = await documents.current_documents(session, actor, data.group, data.disc, clock())
    document = current.get(kind)
    if document is None:
        alert(
            callback_answer, _("No {kind} has been uploaded yet.").format(kind=document_kind(kind))
        )
        return
    caption = text.file_caption(kind, scope)
    try:
        await message_of(query).answer_document(document.file_id, caption=caption)
    except TelegramBadRequest:
        # A file_id is valid for this bot only: after a change of bot, upload again.
        alert(callback_answer, _("The messenger no longer has this file. Please upload it again."))


def create_router() -> Router:
    router = journal_router("documents")
    router.callback_query.register(show_pairs, kb.DocCb.filter(F.act == kb.DocumentAction.LIST))
    router.callback_query.register(
        show_pair,
        kb.DocCb.filter(F.act.in_({kb.DocumentAction.PAIR, kb.DocumentAction.NEW_MESSAGE})),
    )
    router.callback_query.register(ask_upload, kb.DocCb.filter(F.act == kb.DocumentAction.UPLOAD))
    router.callback_query.register(send_current, kb.DocCb.filter(F.act == kb.DocumentAction.GET))
    router.message.register(on_document, DocumentUpload.file, F.document)
    router.message.register(not_a_document, DocumentUpload.file, ~(F.text.startswith("/")))
    return router
