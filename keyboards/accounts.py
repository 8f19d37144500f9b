"""Buttons about linked accounts: revoking one from the notice, the college office's accounts
screens."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from core.i18n import _, __
from keyboards.callbacks import MenuAction, MenuCb
from keyboards.menu import add_menu_item
from screens.accounts import account_label, order_label
from services.people.issuing import PersonCard
from services.policy import Action
from storage.models import Group, MovementOrder, Person, Position


class AccountAction(StrEnum):
    """What a button of the accounts screens does.
    The values are short: they travel in the 64-byte payload."""

    OFFICE = "o"
    FIND = "f"
    PERSON = "p"
    LINK = "l"
    REVOKE = "r"
    GROUPS = "g"
    GROUP = "gl"
    NOT_LINKED = "n"
    LEAVE = "lv"
    LEAVE_TODAY = "lt"
    POSITIONS = "ps"
    GIVE_POSITION = "pg"
    ORDERS = "os"
    ORDER = "ol"


class AccCb(CallbackData, prefix="ac"):
    """``o`` the office screen, ``f`` find by letters, ``p`` a person's card (``id`` person),
    ``l`` issue their link, ``r`` revoke an account (``id`` account), ``g`` the groups,
    ``gl`` a group's links (``id`` group), ``n`` who is not linked, ``lv`` ask from which date
    a staff member leaves (``id`` person), ``lt`` they leave from today, ``ps`` the college's
    positions to give (``id`` person), ``pg`` give position ``pos``, ``os`` the recent
    orders, ``ol`` an order's links (``id`` order)."""

    act: AccountAction = AccountAction.OFFICE
    id: int = 0
    pos: int = 0


add_menu_item(70, Action.ISSUE_ACCOUNTS, __("👤 Accounts"), AccCb())


def as_outbox(markup: InlineKeyboardMarkup) -> dict[str, Any]:
    """The keyboard as the outbox stores it (handlers/sender.py reads it back)."""
    return markup.model_dump(mode="json", exclude_none=True)


def revoke_new_account(account_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("🚫 It was not me: revoke it"),
        callback_data=AccCb(act=AccountAction.REVOKE, id=account_id),
    )
    return builder.as_markup()


def _home(builder: InlineKeyboardBuilder) -> None:
    builder.button(text=_("☰ Menu"), callback_data=MenuCb(action=MenuAction.HOME))


def office() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("🔎 Find a person"), callback_data=AccCb(act=AccountAction.FIND))
    builder.button(text=_("🖨 Links of a group"), callback_data=AccCb(act=AccountAction.GROUPS))
    builder.button(text=_("📜 Links by order"), callback_data=AccCb(act=AccountAction.ORDERS))
    builder.button(text=_("📋 Not linked yet"), callback_data=AccCb(act=AccountAction.NOT_LINKED))
    _home(builder)
    builder.adjust(1)
    return builder.as_markup()


def back_to_office() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("⬅ Accounts"), callback_data=AccCb(act=AccountAction.OFFICE))
    builder.adjust(1)
    return builder.as_markup()


def people(found: Sequence[Person]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for person in found:
        builder.button(
            text=person.full_name, callback_data=AccCb(act=AccountAction.PERSON, id=person.id)
        )
    builder.button(text=_("⬅ Accounts"), callback_data=AccCb(act=AccountAction.OFFICE))
    builder.adjust(1)
    return builder.as_markup()


def card(found: PersonCard, tz: ZoneInfo) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if found.may_issue:
        builder.button(
            text=_("🔗 Issue a new link"),
            callback_data=AccCb(act=AccountAction.LINK, id=found.person.id),
        )
    if found.may_give_position:
        builder.button(
            text=_("🎖 Give a position"),
            callback_data=AccCb(act=AccountAction.POSITIONS, id=found.person.id),
        )
    if found.may_end_staff:
        builder.button(
            text=_("🚪 Leaves the staff"),
            callback_data=AccCb(act=AccountAction.LEAVE, id=found.person.id),
        )
    for item in found.accounts:
        builder.button(
            text=_("🚫 Revoke {account}").format(
                account=account_label(item.username, item.linked_at, tz)
            ),
            callback_data=AccCb(act=AccountAction.REVOKE, id=item.id),
        )
    builder.button(text=_("⬅ Accounts"), callback_data=AccCb(act=AccountAction.OFFICE))
    builder.adjust(1)
    return builder.as_markup()


def positions(person_id: int, found: Sequence[Position]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for position in found:
        builder.button(
            text=position.name,
            callback_data=AccCb(act=AccountAction.GIVE_POSITION, id=person_id, pos=position.id),
        )
    builder.button(text=_("⬅ Back"), callback_data=AccCb(act=AccountAction.PERSON, id=person_id))
    builder.adjust(1)
    return builder.as_markup()


def leave_date(person_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("From today"), callback_data=AccCb(act=AccountAction.LEAVE_TODAY, id=person_id)
    )
    builder.button(text=_("⬅ Back"), callback_data=AccCb(act=AccountAction.PERSON, id=person_id))
    builder.adjust(1)
    return builder.as_markup()


def groups(found: Sequence[Group]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for group in found:
        builder.button(text=group.name, callback_data=AccCb(act=AccountAction.GROUP, id=group.id))
    builder.button(text=_("⬅ Accounts"), callback_data=AccCb(act=AccountAction.OFFICE))
    builder.adjust(3)
    return builder.as_markup()


def orders(found: Sequence[MovementOrder]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for order in found:
        builder.button(
            text=order_label(order), callback_data=AccCb(act=AccountAction.ORDER, id=order.id)
        )
    builder.button(text=_("⬅ Accounts"), callback_data=AccCb(act=AccountAction.OFFICE))
    builder.adjust(1)
    return builder.as_markup()
