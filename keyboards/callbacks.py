"""Callback data factories. Every payload stays under Telegram's 64 bytes; handlers never
trust them — each action is re-authorised on the server."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class MenuCb(CallbackData, prefix="m"):
    """Main menu navigation: ``home``, ``roles``, ``role`` (value = role), ``children``,
    ``child`` (value = student id), ``lang`` (value = locale or empty for the choice)."""

    action: str
    value: str = ""
