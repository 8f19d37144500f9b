"""Main menu, role and child switchers, language choice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from core.i18n import LANGUAGE_NAMES, LazyProxy, _
from keyboards.callbacks import MenuCb
from screens.vocabulary import role_name
from services.people.identity import Child, Identity
from storage.models import Role


@dataclass(frozen=True)
class MenuItem:
    label: LazyProxy
    callback: CallbackData


# Each feature adds its entry points here, per role, in the order the menu shows them.
MENU_ITEMS: dict[Role, list[MenuItem]] = {role: [] for role in Role}


def add_menu_item(role: Role, label: LazyProxy, callback: CallbackData) -> None:
    MENU_ITEMS[role].append(MenuItem(label, callback))


def main_menu(identity: Identity) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    role = identity.role
    for item in MENU_ITEMS.get(role, []) if role else []:
        builder.button(text=str(item.label), callback_data=item.callback)
    if role is Role.PARENT and len(identity.children) > 1:
        builder.button(text=_("👥 Another child"), callback_data=MenuCb(action="children"))
    if len(identity.roles) > 1:
        builder.button(text=_("🔁 Another role"), callback_data=MenuCb(action="roles"))
    builder.button(text=_("🌐 Language"), callback_data=MenuCb(action="lang"))
    builder.adjust(1)
    return builder.as_markup()


def role_choice(roles: Sequence[Role], current: Role | None) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for role in roles:
        mark = "• " if role is current else ""
        builder.button(text=mark + role_name(role), callback_data=MenuCb(action="role", value=role))
    builder.button(text=_("⬅ Back"), callback_data=MenuCb(action="home"))
    builder.adjust(1)
    return builder.as_markup()


def child_choice(children: Sequence[Child], current: Child | None) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for child in children:
        mark = "• " if current and child.student_id == current.student_id else ""
        label = (
            f"{mark}{child.short_name} ({child.group_name})"
            if child.group_name
            else mark + child.short_name
        )
        builder.button(
            text=label, callback_data=MenuCb(action="child", value=str(child.student_id))
        )
    builder.button(text=_("⬅ Back"), callback_data=MenuCb(action="home"))
    builder.adjust(1)
    return builder.as_markup()


def language_choice(current: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for code, name in LANGUAGE_NAMES.items():
        mark = "• " if code == current else ""
        builder.button(text=mark + name, callback_data=MenuCb(action="lang", value=code))
    builder.button(text=_("⬅ Back"), callback_data=MenuCb(action="home"))
    builder.adjust(2, 1)
    return builder.as_markup()


def home_button() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("☰ Menu"), callback_data=MenuCb(action="home"))
    return builder.as_markup()
