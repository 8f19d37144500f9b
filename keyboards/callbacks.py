"""Callback data factories. Every payload stays under Telegram's 64 bytes; handlers never
trust them — each action is re-authorised on the server."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

# The store's ids are 32-bit integers on PostgreSQL: a payload or a link beyond that names no
# row, and must be refused as such rather than fail in the database.
ID_MAX = 2**31 - 1
Id = Annotated[int, Field(ge=0, le=ID_MAX)]
_DIGITS = re.compile(r"[0-9]{1,10}")


def parse_id(text: str) -> int | None:
    """An id carried as text (a button's value, a link); None when no row could have it."""
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if value <= ID_MAX else None


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
