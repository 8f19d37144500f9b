"""Linked Telegram accounts: revoking one from the notice a person's other accounts get, and
the college office's accounts screens (find a person and issue their link, a group's or an
order's links as a file, who is not linked yet; the administrator also sees and revokes
accounts). Every press is authorised again by services/people (issuing, accounts)."""

from __future__ import annotations

from datetime import date, datetime

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.config import Settings
from core.errors import Denied, Invalid
from core.i18n import _
from core.messenger import Messenger
from core.textsplit import split_html
from handlers.middlewares import journal_router
from handlers.ui import edit_or_send, invite_terms, message_of
from keyboards import accounts as kb
from keyboards.accounts import AccCb, AccountAction
from keyboards.menu import home_button
from screens import accounts as text
from screens.invite_sheet import to_xlsx
from services.access import Actor
from services.people import accounts, issuing, leaving, positions
from services.people.invite_sheet import InviteRow


class FindPerson(StatesGroup):
    letters = State()


class LeaveDate(StatesGroup):
    day = State()


def _typed_day(value: str) -> date:
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    raise Invalid(text.bad_date())


async def office(query: CallbackQuery, actor: Actor, state: FSMContext) -> None:
    issuing.require_issuer(actor)
    await state.clear()
    await edit_or_send(message_of(query), text.office_menu(), kb.office())


async def ask_letters(query: CallbackQuery, actor: Actor, state: FSMContext) -> None:
    issuing.require_issuer(actor)
    await state.set_state(FindPerson.letters)
    await message_of(query).answer(text.ask_letters(), reply_markup=kb.back_to_office())


async def typed_letters(
    message: Message, session: AsyncSession, actor: Actor, state: FSMContext
) -> None:
    letters = (message.text or "").strip()
    found = await issuing.find(session, actor, letters)
    await state.clear()
    await message.answer(text.found(found, letters), reply_markup=kb.people(found))


async def person(
    query: CallbackQuery, callback_data: AccCb, session: AsyncSession, actor: Actor
) -> None:
    found = await issuing.card(session, actor, callback_data.id)
    await edit_or_send(
        message_of(query), text.person_card(found, actor.tz), kb.card(found, actor.tz)
    )


async def link(
    query: CallbackQuery,
    callback_data: AccCb,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    clock: Clock,
    bot: Bot,
    messenger_bots: dict[Messenger, Bot] | None = None,
) -> None:
    row = await issuing.issue_one(
        session,
        actor,
        callback_data.id,
        await invite_terms(bot, settings, clock(), messenger_bots),
    )
    await session.flush()  # a rejected write fails before the person is told
    await message_of(query).answer(text.one_link(row), reply_markup=kb.back_to_office())


async def revoke(
    query: CallbackQuery,
    callback_data: AccCb,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    actor: Actor,
    clock: Clock,
) -> None:
    account = await accounts.revoke(session, actor, callback_data.id, now=clock())
    await session.flush()  # a rejected write fails before the person is told
    label = text.account_label(account.username, account.created_at, actor.tz)
    message = message_of(query)
    if account.person_id == actor.person_id:  # the owner, from the notice
        await edit_or_send(message, text.revoked(label), home_button())
        return
    callback_answer.text = _("The account no longer has access.")
    found = await issuing.card(session, actor, account.person_id)
    await edit_or_send(message, text.person_card(found, actor.tz), kb.card(found, actor.tz))


async def ask_leave(
    query: CallbackQuery,
    callback_data: AccCb,
    session: AsyncSession,
    actor: Actor,
    state: FSMContext,
) -> None:
    found = await issuing.card(session, actor, callback_data.id)
    if not found.may_end_staff:
        raise Denied(leaving.not_in_college())
    await state.set_state(LeaveDate.day)
    await state.set_data({"pid": found.person.id})
    await edit_or_send(
        message_of(query), text.ask_leave_date(found.person), kb.leave_date(found.person.id)
    )


async def leave_today(
    query: CallbackQuery,
    callback_data: AccCb,
    session: AsyncSession,
    actor: Actor,
    state: FSMContext,
    clock: Clock,
) -> None:
    now = clock()
    done = await leaving.leave(session, actor, callback_data.id, from_day=actor.today(now), now=now)
    await session.flush()  # a rejected write fails before the person is told
    await state.clear()
    await edit_or_send(message_of(query), text.left(done), kb.back_to_office())


async def typed_leave_date(
    message: Message, session: AsyncSession, actor: Actor, state: FSMContext, clock: Clock
) -> None:
    person_id = int((await state.get_data()).get("pid", 0))
    day = _typed_day(message.text or "")
    done = await leaving.leave(session, actor, person_id, from_day=day, now=clock())
    await session.flush()  # a rejected write fails before the person is told
    await state.clear()
    await message.answer(text.left(done), reply_markup=kb.back_to_office())


async def choose_position(
    query: CallbackQuery, callback_data: AccCb, session: AsyncSession, actor: Actor
) -> None:
    found = await issuing.card(session, actor, callback_data.id)
    offered = await positions.college_positions(session, actor)
    await edit_or_send(
        message_of(query),
        text.choose_position(found.person),
        kb.positions(found.person.id, offered),
    )


async def give_position(
    query: CallbackQuery,
    callback_data: AccCb,
    session: AsyncSession,
    actor: Actor,
    clock: Clock,
) -> None:
    person, position = await positions.assign(
        session, actor, callback_data.id, callback_data.pos, today=actor.today(clock())
    )
    await session.flush()  # a rejected write fails before the person is told
    await edit_or_send(
        message_of(query), text.position_given(person, position), kb.back_to_office()
    )


async def groups(query: CallbackQuery, session: AsyncSession, actor: Actor) -> None:
    found = await issuing.groups(session, actor)
    await edit_or_send(message_of(query), text.choose_group(), kb.groups(found))


async def group_links(
    query: CallbackQuery,
    callback_data: AccCb,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    clock: Clock,
    bot: Bot,
    messenger_bots: dict[Messenger, Bot] | None = None,
) -> None:
    group, rows = await issuing.group_links(
        session,
        actor,
        callback_data.id,
        await invite_terms(bot, settings, clock(), messenger_bots),
    )
    await session.flush()  # a rejected write fails before the person is told
    if not rows:
        await _nobody(query, text.group_none(group))
    else:
        await _send_sheet(query, rows, f"invites-{group.name}", text.group_caption(group, rows))


async def _nobody(query: CallbackQuery, body: str) -> None:
    await edit_or_send(message_of(query), body, kb.back_to_office())


async def _send_sheet(query: CallbackQuery, rows: list[InviteRow], name: str, caption: str) -> None:
    """The links as a workbook to print, sent under the screen."""
    sheet = BufferedInputFile(to_xlsx(rows), filename=f"{name}.xlsx")
    await message_of(query).answer_document(sheet, caption=caption)


async def orders(query: CallbackQuery, session: AsyncSession, actor: Actor) -> None:
    found = await issuing.recent_orders(session, actor)
    await edit_or_send(message_of(query), text.choose_order(len(found)), kb.orders(found))


async def order_links(
    query: CallbackQuery,
    callback_data: AccCb,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    clock: Clock,
    bot: Bot,
    messenger_bots: dict[Messenger, Bot] | None = None,
) -> None:
    order, rows = await issuing.order_links(
        session,
        actor,
        callback_data.id,
        await invite_terms(bot, settings, clock(), messenger_bots),
    )
    await session.flush()  # a rejected write fails before the person is told
    if not rows:
        await _nobody(query, text.order_none(order))
    else:
        await _send_sheet(query, rows, f"invites-order-{order.id}", text.order_caption(order, rows))


async def not_linked(
    query: CallbackQuery, session: AsyncSession, actor: Actor, clock: Clock
) -> None:
    rows = await issuing.not_linked(session, actor, now=clock())
    parts = split_html(text.not_linked(rows))
    target = message_of(query)
    for part in parts[:-1]:
        await target.answer(part)
    await target.answer(parts[-1], reply_markup=kb.back_to_office())


def create_router() -> Router:
    router = journal_router("accounts")
    cb = router.callback_query
    cb.register(office, AccCb.filter(F.act == AccountAction.OFFICE))
    cb.register(ask_letters, AccCb.filter(F.act == AccountAction.FIND))
    cb.register(person, AccCb.filter(F.act == AccountAction.PERSON))
    cb.register(link, AccCb.filter(F.act == AccountAction.LINK))
    cb.register(revoke, AccCb.filter(F.act == AccountAction.REVOKE))
    cb.register(groups, AccCb.filter(F.act == AccountAction.GROUPS))
    cb.register(group_links, AccCb.filter(F.act == AccountAction.GROUP))
    cb.register(not_linked, AccCb.filter(F.act == AccountAction.NOT_LINKED))
    cb.register(orders, AccCb.filter(F.act == AccountAction.ORDERS))
    cb.register(order_links, AccCb.filter(F.act == AccountAction.ORDER))
    cb.register(choose_position, AccCb.filter(F.act == AccountAction.POSITIONS))
    cb.register(give_position, AccCb.filter(F.act == AccountAction.GIVE_POSITION))
    cb.register(ask_leave, AccCb.filter(F.act == AccountAction.LEAVE))
    cb.register(leave_today, AccCb.filter(F.act == AccountAction.LEAVE_TODAY))
    router.message.register(typed_letters, FindPerson.letters, F.text, ~(F.text.startswith("/")))
    router.message.register(typed_leave_date, LeaveDate.day, F.text, ~(F.text.startswith("/")))
    return router
