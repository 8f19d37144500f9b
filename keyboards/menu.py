"""Main menu, role and child switchers, language choice."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup

from core.i18n import LANGUAGE_NAMES, LazyProxy, _, current_locale
from keyboards.builder import KeyboardBuilder
from keyboards.callbacks import MenuAction, MenuCb
from keyboards.messengers import MessengerCb
from screens.vocabulary import role_name
from services.people.identity import Child, Identity
from services.policy import Action
from storage.models import Role


@dataclass(frozen=True)
class MenuItem:
    label: LazyProxy
    callback: CallbackData
    rights: frozenset[Action]  # shown to whoever holds any of them in the role in use
    place: int  # the menu is sorted by it, whatever order the features are imported in


# Each feature adds its entry points here; ``place`` orders them.
MENU_ITEMS: list[MenuItem] = []


def add_menu_item(
    place: int, rights: Action | Collection[Action], label: LazyProxy, callback: CallbackData
) -> None:
    needed = frozenset({rights} if isinstance(rights, Action) else rights)
    MENU_ITEMS.append(MenuItem(label, callback, needed, place))
    MENU_ITEMS.sort(key=lambda item: item.place)
    _main_menu.cache_clear()


def menu_items(rights: Collection[Action]) -> list[MenuItem]:
    """The entries the rights of the role in use open (services/policy.py), a position's
    rights when the role is held through one."""
    return [item for item in MENU_ITEMS if item.rights & set(rights)]


def main_menu(identity: Identity) -> InlineKeyboardMarkup:
    role = identity.role
    return _main_menu(
        current_locale(),
        identity.rights_as(role),
        role is Role.PARENT and len(identity.children) > 1,
        len(identity.roles) > 1,
    )


@lru_cache(maxsize=256)
def _main_menu(
    _locale: str, rights: frozenset[Action], many_children: bool, many_roles: bool
) -> InlineKeyboardMarkup:
    """Kept per language and what it shows: the menu is the most sent keyboard, and the same
    few dozen variants serve every person (a sent keyboard is never changed afterwards)."""
    builder = KeyboardBuilder()
    for item in menu_items(rights):
        builder.button(text=str(item.label), callback_data=item.callback)
    if many_children:
        builder.button(text=_("👥 Another child"), callback_data=MenuCb(action=MenuAction.CHILDREN))
    if many_roles:
        builder.button(text=_("🔁 Another role"), callback_data=MenuCb(action=MenuAction.ROLES))
    builder.button(text=_("🌐 Language"), callback_data=MenuCb(action=MenuAction.LANGUAGE))
    builder.button(text=_("📱 Messengers"), callback_data=MessengerCb())
    builder.adjust(1)
    return builder.as_markup()


def role_choice(roles: Sequence[Role], current: Role | None) -> InlineKeyboardMarkup:
    builder = KeyboardBuilder()
    for role in roles:
        mark = "• " if role is current else ""
        builder.button(
            text=mark + role_name(role), callback_data=MenuCb(action=MenuAction.ROLE, value=role)
        )
    builder.button(text=_("⬅ Back"), callback_data=MenuCb(action=MenuAction.HOME))
    builder.adjust(1)
    return builder.as_markup()


def child_choice(children: Sequence[Child], current: Child | None) -> InlineKeyboardMarkup:
    builder = KeyboardBuilder()
    for child in children:
        mark = "• " if current and child.student_id == current.student_id else ""
        label = (
            f"{mark}{child.short_name} ({child.group_name})"
            if child.group_name
            else mark + child.short_name
        )
        builder.button(
            text=label, callback_data=MenuCb(action=MenuAction.CHILD, value=str(child.student_id))
        )
    builder.button(text=_("⬅ Back"), callback_data=MenuCb(action=MenuAction.HOME))
    builder.adjust(1)
    return builder.as_markup()


def language_choice(current: str) -> InlineKeyboardMarkup:
    builder = KeyboardBuilder()
    for code, name in LANGUAGE_NAMES.items():
        mark = "• " if code == current else ""
        builder.button(
            text=mark + name, callback_data=MenuCb(action=MenuAction.LANGUAGE, value=code)
        )
    builder.button(text=_("⬅ Back"), callback_data=MenuCb(action=MenuAction.HOME))
    builder.adjust(2, 1)
    return builder.as_markup()


def home_button() -> InlineKeyboardMarkup:
    builder = KeyboardBuilder()
    builder.button(text=_("☰ Menu"), callback_data=MenuCb(action=MenuAction.HOME))
    return builder.as_markup()
