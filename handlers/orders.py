"""Movement orders in the bot: choose the kind → find the student by a few letters of the
surname (or choose the group of a group order) → the details → a preview of what will change
→ confirm. Also a student's card with their movement history.

The draft lives in the conversation; every step re-checks the right (``Step.draft``), the reads
go through services/orders/steps.py, and the confirmation checks the whole order again against
the store (services/orders)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.i18n import _
from handlers.middlewares import journal_router
from handlers.ui import Stale, edit_or_send, message_of
from keyboards import orders as kb
from keyboards.orders import OrdCb, OrderAction
from screens import orders as texts
from services.access import Actor
from services.orders import annulment, effects, steps
from services.orders import card as cards
from services.orders import draft as svc
from services.orders.draft import GROUP_KINDS, Draft
from storage.models import OrderKind

STUDENT_KINDS = frozenset(
    {OrderKind.TRANSFER, OrderKind.ACADEMIC_LEAVE, OrderKind.REINSTATEMENT, OrderKind.EXPULSION}
)


class OrderSteps(StatesGroup):
    kind = State()  # choosing among buttons
    search = State()  # waiting for letters of a surname
    name = State()  # waiting for a new student's name
    note = State()  # waiting for the reason of an expulsion
    details = State()  # waiting for the number and dates
    confirm = State()  # the preview is shown


@dataclass(frozen=True)
class Step:
    """One step of the flow: who acts, the update's session and the conversation."""

    actor: Actor
    session: AsyncSession
    state: FSMContext
    message: Message
    clock: Clock

    async def draft(self, *kinds: OrderKind) -> Draft:
        """The right again, and the draft of this conversation, of a kind this step serves."""
        svc.require_right(self.actor)
        data = await self.state.get_data()
        if "draft" not in data or await self.state.get_state() is None:
            raise Stale()
        draft = Draft.from_data(data["draft"])
        if kinds and draft.kind not in kinds:
            raise Stale()
        return draft

    async def keep(self, draft: Draft, step: State, **data: str) -> None:
        await self.state.set_state(step)
        await self.state.update_data({"draft": draft.to_data(), **data})

    async def who(self) -> str:
        return str((await self.state.get_data()).get("who", ""))


Pressed = Callable[[Step, str], Awaitable[None]]


def _pressed(step: Pressed) -> Callable[..., Awaitable[None]]:
    """A button's handler: the step, given the press's value."""

    async def handler(
        query: CallbackQuery,
        callback_data: OrdCb,
        actor: Actor,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
    ) -> None:
        await step(Step(actor, session, state, message_of(query), clock), callback_data.val)

    handler.__name__ = step.__name__
    return handler


def _typed(step: Pressed) -> Callable[..., Awaitable[None]]:
    """A typed answer's handler: the step, given the text."""

    async def handler(
        message: Message, actor: Actor, session: AsyncSession, state: FSMContext, clock: Clock
    ) -> None:
        await step(Step(actor, session, state, message, clock), message.text or "")

    handler.__name__ = step.__name__
    return handler


def _kind(value: str) -> OrderKind:
    try:
        return OrderKind(value)
    except ValueError:
        raise Stale() from None


def _id(value: str) -> int:
    if not value.isdigit():
        raise Stale()
    return int(value)


async def start(s: Step, _value: str) -> None:
    svc.require_right(s.actor)
    await s.state.clear()
    await edit_or_send(s.message, texts.kinds_text(), kb.kinds_keyboard())


async def choose_kind(s: Step, value: str) -> None:
    svc.require_right(s.actor)
    draft = Draft(kind=_kind(value))
    await s.state.set_data({})  # a new order: nothing of a card search or an older draft
    if draft.kind is OrderKind.ENROLMENT:
        await s.keep(draft, OrderSteps.name)
        await edit_or_send(s.message, texts.name_prompt(), kb.cancel_keyboard())
    elif draft.kind in GROUP_KINDS:
        await s.keep(draft, OrderSteps.kind)
        markup = kb.groups_keyboard(await steps.groups(s.session, s.actor), OrderAction.GROUP)
        await edit_or_send(s.message, texts.groups_prompt(draft.kind, ""), markup)
    else:
        await s.keep(draft, OrderSteps.search)
        await edit_or_send(s.message, texts.search_prompt(draft.kind), kb.cancel_keyboard())


async def find(s: Step, _value: str) -> None:
    """The student card: found the same way as for an order."""
    svc.require_right(s.actor)
    await s.state.clear()
    await s.state.set_state(OrderSteps.search)
    await s.state.update_data(card=True)
    await edit_or_send(s.message, texts.search_prompt(None), kb.cancel_keyboard())


async def on_letters(s: Step, typed: str) -> None:
    card = bool((await s.state.get_data()).get("card"))
    kind = None if card else (await s.draft()).kind
    letters = typed.strip()
    found = await steps.find_students(s.session, s.actor, letters)
    markup = kb.found_keyboard(found, card=card) if found else kb.cancel_keyboard()
    await s.message.answer(texts.found_text(kind, found, letters), reply_markup=markup)


async def choose_student(s: Step, value: str) -> None:
    draft = await s.draft(*STUDENT_KINDS)
    draft.student_id, who = await steps.student(s.session, s.actor, _id(value))
    if draft.kind is OrderKind.TRANSFER:
        await s.keep(draft, OrderSteps.kind, who=who)
        groups = await steps.groups(s.session, s.actor)
        await edit_or_send(
            s.message,
            texts.groups_prompt(draft.kind, who),
            kb.groups_keyboard(groups, OrderAction.TO),
        )
    elif draft.kind is OrderKind.EXPULSION:
        await s.keep(draft, OrderSteps.note, who=who)
        await edit_or_send(s.message, texts.note_prompt(who), kb.cancel_keyboard())
    else:
        await _ask_details(s, draft, who)


async def _ask_details(s: Step, draft: Draft, who: str) -> None:
    await s.keep(draft, OrderSteps.details, who=who)
    await edit_or_send(s.message, texts.details_prompt(draft.kind, who), kb.cancel_keyboard())


async def choose_group(s: Step, value: str) -> None:
    """The group of a whole-group order."""
    draft = await s.draft(*GROUP_KINDS)
    group = await steps.group(s.session, s.actor, _id(value))
    draft.group_id = group.id
    await _ask_details(s, draft, group.name)


async def choose_target(s: Step, value: str) -> None:
    """The group a student is enrolled or moved to; then its subgroup, if it has any."""
    draft = await s.draft(OrderKind.ENROLMENT, OrderKind.TRANSFER)
    group = await steps.group(s.session, s.actor, _id(value), open_only=True)
    draft.to_group_id, draft.to_subgroup_id = group.id, None
    transfer = draft.kind is OrderKind.TRANSFER
    subgroups = await steps.subgroups(s.session, s.actor, group) if transfer else []
    if subgroups:
        await s.keep(draft, OrderSteps.kind)
        await edit_or_send(
            s.message, texts.subgroups_prompt(group.name), kb.subgroups_keyboard(subgroups)
        )
        return
    await _ask_details(s, draft, await s.who())


async def choose_subgroup(s: Step, value: str) -> None:
    draft = await s.draft(OrderKind.TRANSFER)
    if draft.to_group_id is None:
        raise Stale()
    draft.to_subgroup_id = None
    if value:
        sub = await steps.subgroup(s.session, s.actor, draft.to_group_id, _id(value))
        if sub is None:
            raise Stale()
        draft.to_subgroup_id = sub.id
    await _ask_details(s, draft, await s.who())


async def on_name(s: Step, typed: str) -> None:
    draft = await s.draft()
    draft.new_name = svc.parse_name(typed)
    who = " ".join(draft.new_name)
    await s.keep(draft, OrderSteps.kind, who=who)
    groups = await steps.groups(s.session, s.actor)
    await s.message.answer(
        texts.groups_prompt(draft.kind, who),
        reply_markup=kb.groups_keyboard(groups, OrderAction.TO),
    )


async def on_note(s: Step, typed: str) -> None:
    draft = await s.draft()
    draft.note = svc.parse_note(typed)
    who = await s.who()
    await s.keep(draft, OrderSteps.details)
    await s.message.answer(texts.details_prompt(draft.kind, who), reply_markup=kb.cancel_keyboard())


async def on_details(
    message: Message, actor: Actor, session: AsyncSession, state: FSMContext, clock: Clock
) -> None:
    s = Step(actor, session, state, message, clock)
    draft = await s.draft()
    draft.number, draft.decided_on, draft.effective_on = svc.parse_details(
        message.text or "", actor.today(clock())
    )
    checked = await svc.check(session, actor, draft)
    await s.keep(draft, OrderSteps.confirm)
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
    draft = await Step(actor, session, state, message_of(query), clock).draft()
    checked = await svc.check(session, actor, draft)
    order_id = await effects.enter(session, actor, checked, clock())
    await session.flush()  # a rejected write fails before the person is told
    applied = await steps.is_applied(session, order_id)
    await state.clear()
    student_id = draft.student_id if draft.kind is not OrderKind.ENROLMENT else None
    await edit_or_send(
        message_of(query), texts.entered_text(checked, applied), kb.after_keyboard(student_id)
    )
    callback_answer.text = _("The order is entered.")


async def cancel(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await edit_or_send(message_of(query), texts.cancelled_text(), kb.after_keyboard(None))


async def show_card(s: Step, value: str) -> None:
    today = s.actor.today(s.clock())
    card = await cards.student_card(s.session, s.actor, _id(value), today)
    if await s.state.get_state() == OrderSteps.search.state:
        await s.state.clear()
    await edit_or_send(s.message, texts.card_text(card), kb.card_keyboard(card))


def _pair(value: str) -> tuple[int, int]:
    order_id, _sep, student_id = value.partition("-")
    return _id(order_id), _id(student_id)


async def ask_annul(s: Step, value: str) -> None:
    order_id, student_id = _pair(value)
    order = await annulment.annullable(s.session, s.actor, order_id, s.actor.today(s.clock()))
    await edit_or_send(
        s.message, texts.annul_prompt(order), kb.annul_keyboard(order.id, student_id)
    )


async def annul(s: Step, value: str) -> None:
    order_id, student_id = _pair(value)
    order = await annulment.annul(s.session, s.actor, order_id, s.clock())
    await s.session.flush()  # a rejected write fails before the person is told
    await edit_or_send(s.message, texts.annulled_text(order), kb.after_keyboard(student_id))


PRESSES: dict[OrderAction, Pressed] = {
    OrderAction.START: start,
    OrderAction.KIND: choose_kind,
    OrderAction.FIND: find,
    OrderAction.STUDENT: choose_student,
    OrderAction.GROUP: choose_group,
    OrderAction.TO: choose_target,
    OrderAction.SUBGROUP: choose_subgroup,
    OrderAction.CARD: show_card,
    OrderAction.ANNUL: ask_annul,
    OrderAction.ANNUL_OK: annul,
}


def create_router() -> Router:
    router = journal_router("orders")
    cb = router.callback_query
    for action, step in PRESSES.items():
        cb.register(_pressed(step), OrdCb.filter(F.act == action))
    cb.register(confirm, OrdCb.filter(F.act == OrderAction.CONFIRM))
    cb.register(cancel, OrdCb.filter(F.act == OrderAction.CANCEL))
    typed = F.text & ~F.text.startswith("/")
    msg = router.message
    msg.register(_typed(on_letters), StateFilter(OrderSteps.search), typed)
    msg.register(_typed(on_name), StateFilter(OrderSteps.name), typed)
    msg.register(_typed(on_note), StateFilter(OrderSteps.note), typed)
    msg.register(on_details, StateFilter(OrderSteps.details), typed)
    return router
