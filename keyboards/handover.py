"""Buttons of the deputy director's teaching handover: whose load, which group and
discipline, to whom, from which date."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from core.i18n import _, __
from keyboards.callbacks import MenuAction, MenuCb
from keyboards.menu import add_menu_item
from services.policy import Action
from storage.models import Discipline, Group, Person


class HandoverAction(StrEnum):
    """What a button of the handover does. Short values: they travel in the 64-byte payload."""

    OLD = "o"
    LOAD = "l"
    NEW = "n"
    DATE = "a"
    PREVIEW = "p"
    CONFIRM = "c"


class HandCb(CallbackData, prefix="ho"):
    """``o`` the teachers whose load is handed over, ``l`` a teacher's loads (``old``),
    ``n`` the teachers to hand it to (``old``, ``g`` group, ``d`` discipline), ``a`` ask the
    date (with ``new``), ``p`` the preview and ``c`` the handover (with ``day``, an ordinal
    date). The server checks every id."""

    act: HandoverAction = HandoverAction.OLD
    old: int = 0
    g: int = 0
    d: int = 0
    new: int = 0
    day: int = 0


add_menu_item(37, Action.REASSIGN_TEACHING, __("🔄 Hand over teaching"), HandCb())


def _home(builder: InlineKeyboardBuilder) -> None:
    builder.button(text=_("☰ Menu"), callback_data=MenuCb(action=MenuAction.HOME))


def old_teachers(found: Sequence[Person]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for person in found:
        builder.button(
            text=person.full_name, callback_data=HandCb(act=HandoverAction.LOAD, old=person.id)
        )
    _home(builder)
    builder.adjust(1)
    return builder.as_markup()


def loads(old_id: int, found: Sequence[tuple[Group, Discipline]]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for group, discipline in found:
        builder.button(
            text=f"{group.name} · {discipline.name}",
            callback_data=HandCb(act=HandoverAction.NEW, old=old_id, g=group.id, d=discipline.id),
        )
    builder.button(text=_("⬅ Back"), callback_data=HandCb())
    builder.adjust(1)
    return builder.as_markup()


def new_teachers(old_id: int, g: int, d: int, found: Sequence[Person]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for person in found:
        if person.id == old_id:
            continue
        builder.button(
            text=person.full_name,
            callback_data=HandCb(act=HandoverAction.DATE, old=old_id, g=g, d=d, new=person.id),
        )
    builder.button(text=_("⬅ Back"), callback_data=HandCb(act=HandoverAction.LOAD, old=old_id))
    builder.adjust(1)
    return builder.as_markup()


def back_to_loads(old_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("⬅ Back"), callback_data=HandCb(act=HandoverAction.LOAD, old=old_id))
    return builder.as_markup()


def from_today(old_id: int, g: int, d: int, new_id: int, today: date) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("From today"),
        callback_data=HandCb(
            act=HandoverAction.PREVIEW, old=old_id, g=g, d=d, new=new_id, day=today.toordinal()
        ),
    )
    _home(builder)
    builder.adjust(1)
    return builder.as_markup()


def confirm(old_id: int, g: int, d: int, new_id: int, day: date) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("✅ Hand it over"),
        callback_data=HandCb(
            act=HandoverAction.CONFIRM, old=old_id, g=g, d=d, new=new_id, day=day.toordinal()
        ),
    )
    builder.button(text=_("⬅ Back"), callback_data=HandCb())
    builder.adjust(1)
    return builder.as_markup()
