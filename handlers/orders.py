"""Movement orders in the bot: choose the kind → find the student by a few letters of the
surname (or choose the group of a group order) → the details → a preview of what will change
→ confirm. Also a student's card with their movement history.

The draft lives in the conversation; every step re-checks the right, and the confirmation
checks the whole order again against the store (services/orders)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.errors import Invalid
from core.i18n import _
from handlers.middlewares import journal_router
from handlers.ui import Stale, edit_or_send, message_of
from keyboards import orders as kb
from keyboards.orders import OrdCb, OrderAction
from screens import orders as texts
from services.access import Actor
from services.orders import card as cards
from services.orders import draft as svc
from services.orders import effects
from services.orders.draft import GROUP_KINDS, Draft
from storage import orders as q
from storage.models import OrderKind


class OrderSteps(StatesGroup):
    kind = State()  # choosing among buttons
    search = State()  # waiting for letters of a surname
    name = State()  # waiting for a new student's name
    note = State()  # waiting for the reason of an expulsion
    details = State()  # waiting for the number and dates
    confirm = State()  # the preview is shown


async def _draft(state: FSMContext) -> Draft:
    data = await state.get_data()
    if "draft" not in data or await state.get_state() is None:
        raise Stale()
    return Draft.from_data(data["draft"])


async def _keep(state: FSMContext, draft: Draft, step: State) -> None:
    await state.set_state(step)
    await state.update_data(draft=draft.to_data())


def _kind(value: str) -> OrderKind:
    try:
        return OrderKind(value)
    except ValueError:
        raise Stale() from None


def _id(value: str) -> int:
    if not value.isdigit():
        raise Stale()
    return int(value)


async def start(query: CallbackQuery, actor: Actor, state: FSMContext) -> None:
    svc.require_right(actor)
    await state.clear()
    await edit_or_send(message_of(query), texts.kinds_text(), kb.kinds_keyboard())


async def choose_kind(
    query: CallbackQuery,
    callback_data: OrdCb,
    actor: Actor,
    session: AsyncSession,
    state: FSMContext,
) -> None:
    svc.require_right(actor)
    draft = Draft(kind=_kind(callback_data.val))
    await state.set_data({})  # a new order: nothing of a card search or an older draft
    message = message_of(query)
    if draft.kind is OrderKind.ENROLMENT:
        await _keep(state, draft, OrderSteps.name)
        await edit_or_send(message, texts.name_prompt(), kb.cancel_keyboard())
    elif draft.kind in GROUP_KINDS:
        await _keep(state, draft, OrderSteps.kind)
        groups = await q.groups(session, actor.org_id)
        markup = kb.groups_keyboard(groups, OrderAction.GROUP)
        await edit_or_send(message, texts.groups_prompt(draft.kind, ""), markup)
    else:
        await _keep(state, draft, OrderSteps.search)
        await edit_or_send(message, texts.search_prompt(draft.kind), kb.cancel_keyboard())


async def find(query: CallbackQuery, actor: Actor, state: FSMContext) -> None:
    """The student card: found the same way as for an order."""
    svc.require_right(actor)
    await state.clear()
    await state.set_state(OrderSteps.search)
    await state.update_data(card=True)
    await edit_or_send(message_of(query), texts.search_prompt(None), kb.cancel_keyboard())


async def on_letters(
    message: Message, actor: Actor, session: AsyncSession, state: FSMContext
) -> None:
    svc.require_right(actor)
    data = await state.get_data()
    card = bool(data.get("card"))
    kind = None if card else (await _draft(state)).kind
    letters = (message.text or "").strip()
    found = await q.find_students(session, actor.org_id, letters)
    markup = kb.found_keyboard(found, card=card) if found else kb.cancel_keyboard()
    await message.answer(texts.found_text(kind, found, letters), reply_markup=markup)


async def choose_student(
    query: CallbackQuery,
    callback_data: OrdCb,
    actor: Actor,
    session: AsyncSession,
    state: FSMContext,
) -> None:
    svc.require_right(actor)
    draft = await _draft(state)
    if draft.kind is OrderKind.ENROLMENT or draft.kind in GROUP_KINDS:
        raise Stale()
    student = await q.student(session, actor.org_id, _id(callback_data.val))
    if student is None:
        raise Invalid(_("This student is not in the journal of your college."))
    draft.student_id = student.id
    who = student.person.short_name
    svc.refuse_if_left(student, who)  # said at once, before the details are typed
    await state.update_data(who=who)
    message = message_of(query)
    if draft.kind is OrderKind.TRANSFER:
        await _keep(state, draft, OrderSteps.kind)
        groups = await q.groups(session, actor.org_id)
        await edit_or_send(
            message,
            texts.groups_prompt(draft.kind, who),
            kb.groups_keyboard(groups, OrderAction.TO),
        )
    elif draft.kind is OrderKind.EXPULSION:
        await _keep(state, draft, OrderSteps.note)
        await edit_or_send(message, texts.note_prompt(who), kb.cancel_keyboard())
    else:
        await _ask_details(message, state, draft, who)


async def _ask_details(message: Message, state: FSMContext, draft: Draft, who: str) -> None:
    await _keep(state, draft, OrderSteps.details)
    await state.update_data(who=who)
    await edit_or_send(message, texts.details_prompt(draft.kind, who), kb.cancel_keyboard())


async def choose_group(
    query: CallbackQuery,
    callback_data: OrdCb,
    actor: Actor,
    session: AsyncSession,
    state: FSMContext,
) -> None:
    """The group of a whole-group order."""
    svc.require_right(actor)
    draft = await _draft(state)
    if draft.kind not in GROUP_KINDS:
        raise Stale()
    group = await q.group(session, actor.org_id, _id(callback_data.val))
    if group is None:
        raise Invalid(_("Choose one of the college's groups."))
    draft.group_id = group.id
    await _ask_details(message_of(query), state, draft, group.name)


async def choose_target(
    query: CallbackQuery,
    callback_data: OrdCb,
    actor: Actor,
    session: AsyncSession,
    state: FSMContext,
) -> None:
    """The group a student is enrolled or moved to; then its subgroup, if it has any."""
    svc.require_right(actor)
    draft = await _draft(state)
    if draft.kind not in (OrderKind.ENROLMENT, OrderKind.TRANSFER):
        raise Stale()
    group = await q.group(session, actor.org_id, _id(callback_data.val))
    if group is None or not group.active:
        raise Invalid(_("Choose one of the college's groups."))
    draft.to_group_id, draft.to_subgroup_id = group.id, None
    data = await state.get_data()
    who = data.get("who", "")
    subgroups = await q.subgroups(session, group.id) if draft.kind is OrderKind.TRANSFER else []
    if subgroups:
        await _keep(state, draft, OrderSteps.kind)
        await edit_or_send(
            message_of(query), texts.subgroups_prompt(group.name), kb.subgroups_keyboard(subgroups)
        )
        return
    await _ask_details(message_of(query), state, draft, who)


async def choose_subgroup(
    query: CallbackQuery,
    callback_data: OrdCb,
    actor: Actor,
    session: AsyncSession,
    state: FSMContext,
) -> None:
    svc.require_right(actor)
    draft = await _draft(state)
    if draft.kind is not OrderKind.TRANSFER or draft.to_group_id is None:
        raise Stale()
    draft.to_subgroup_id = None
    if callback_data.val:
        sub = await q.subgroup(session, _id(callback_data.val))
        if sub is None or sub.group_id != draft.to_group_id:
            raise Stale()
        draft.to_subgroup_id = sub.id
    data = await state.get_data()
    await _ask_details(message_of(query), state, draft, data.get("who", ""))


async def on_name(message: Message, actor: Actor, session: AsyncSession, state: FSMContext) -> None:
    svc.require_right(actor)
    draft = await _draft(state)
    draft.new_name = svc.parse_name(message.text or "")
    who = " ".join(draft.new_name)
    await _keep(state, draft, OrderSteps.kind)
    await state.update_data(who=who)
    groups = await q.groups(session, actor.org_id)
    await message.answer(
        texts.groups_prompt(draft.kind, who),
        reply_markup=kb.groups_keyboard(groups, OrderAction.TO),
    )


async def on_note(message: Message, actor: Actor, state: FSMContext) -> None:
    svc.require_right(actor)
    draft = await _draft(state)
    draft.note = svc.parse_note(message.text or "")
    data = await state.get_data()
    who = str(data.get("who", ""))
    await _keep(state, draft, OrderSteps.details)
    await message.answer(texts.details_prompt(draft.kind, who), reply_markup=kb.cancel_keyboard())


async def on_details(
    message: Message, actor: Actor, session: AsyncSession, state: FSMContext, clock: Clock
) -> None:
    draft = await _draft(state)
    draft.number, draft.decided_on, draft.effective_on = svc.parse_details(
        message.text or "", actor.today(clock())
    )
    checked = await svc.check(session, actor, draft)
    await _keep(state, draft, OrderSteps.confirm)
    await message.answer(texts.preview_text(checked), reply_markup=kb.preview_keyboard())


async def confirm(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    actor: Actor,
    session: AsyncSession,
    state: FSMContext,
    clock: Clock,
) -> None:
    if await state.get_state() != OrderSteps.confirm.state:
        raise Stale()
    draft = await _draft(state)
    now = clock()
    checked = await svc.check(session, actor, draft)
    order_id = await effects.enter(session, actor, checked, now)
    await session.flush()  # a rejected write fails before the person is told
    order = await q.order(session, order_id)
    await state.clear()
    student_id = draft.student_id if draft.kind is not OrderKind.ENROLMENT else None
    applied = order is not None and order.applied_on is not None
    await edit_or_send(
        message_of(query), texts.entered_text(checked, applied), kb.after_keyboard(student_id)
    )
    callback_answer.text = _("The order is entered.")


async def cancel(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await edit_or_send(message_of(query), texts.cancelled_text(), kb.after_keyboard(None))


async def show_card(
    query: CallbackQuery,
    callback_data: OrdCb,
    actor: Actor,
    session: AsyncSession,
    state: FSMContext,
) -> None:
    card = await cards.student_card(session, actor, _id(callback_data.val))
    if await state.get_state() == OrderSteps.search.state:
        await state.clear()
    await edit_or_send(message_of(query), texts.card_text(card), kb.after_keyboard(None))


def create_router() -> Router:
    router = journal_router("orders")
    cb = router.callback_query
    cb.register(start, OrdCb.filter(F.act == OrderAction.START))
    cb.register(choose_kind, OrdCb.filter(F.act == OrderAction.KIND))
    cb.register(find, OrdCb.filter(F.act == OrderAction.FIND))
    cb.register(choose_student, OrdCb.filter(F.act == OrderAction.STUDENT))
    cb.register(choose_group, OrdCb.filter(F.act == OrderAction.GROUP))
    cb.register(choose_target, OrdCb.filter(F.act == OrderAction.TO))
    cb.register(choose_subgroup, OrdCb.filter(F.act == OrderAction.SUBGROUP))
    cb.register(confirm, OrdCb.filter(F.act == OrderAction.CONFIRM))
    cb.register(cancel, OrdCb.filter(F.act == OrderAction.CANCEL))
    cb.register(show_card, OrdCb.filter(F.act == OrderAction.CARD))
    typed = F.text & ~F.text.startswith("/")
    msg = router.message
    msg.register(on_letters, StateFilter(OrderSteps.search), typed)
    msg.register(on_name, StateFilter(OrderSteps.name), typed)
    msg.register(on_note, StateFilter(OrderSteps.note), typed)
    msg.register(on_details, StateFilter(OrderSteps.details), typed)
    return router
