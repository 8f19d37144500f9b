"""Callback data factories. Every payload stays under Telegram's 64 bytes; handlers never
trust them — each action is re-authorised on the server."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class MenuAction(StrEnum):
    """What a button of the main menu does.
    The values are short: they travel in the 64-byte payload."""

    CHILD = "child"
    CHILDREN = "children"
    HOME = "home"
    LANGUAGE = "lang"
    ROLE = "role"
    ROLES = "roles"


class MenuCb(CallbackData, prefix="m"):
    """Main menu navigation: ``home``, ``roles``, ``role`` (value = role), ``children``,
    ``child`` (value = student id), ``lang`` (value = locale or empty for the choice)."""

    action: MenuAction
    value: str = ""
