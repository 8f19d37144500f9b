"""The MAX front end: the same dispatcher, handlers and screens as Telegram's, with a second
aiogram ``Bot`` whose session speaks MAX's Bot API (docs/max.md)."""

from __future__ import annotations

from bot.max.app import MAX_BOT_ID, create_max_bot, poll_max

__all__ = ["MAX_BOT_ID", "create_max_bot", "poll_max"]
