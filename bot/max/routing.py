"""A bot for the background jobs that write to people directly (an announcement's progress
message, the regional workbook): each request goes to the bot of the chat's messenger."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType

from core.messenger import Messenger, messenger_of


class RoutingSession(BaseSession):
    """Requests to a MAX chat go to the MAX bot, the rest to the Telegram bot; a file is read
    through the Telegram bot's session (a MAX file is fetched by the MAX bot itself,
    bot/max/files.py), with the Telegram server's addresses."""

    def __init__(self, telegram: Bot, max_bot: Bot) -> None:
        super().__init__(api=telegram.session.api)
        self.telegram, self.max_bot = telegram, max_bot

    def bot_for(self, method: TelegramMethod[Any]) -> Bot:
        chat = getattr(method, "chat_id", None)
        if isinstance(chat, int) and messenger_of(chat) is Messenger.MAX:
            return self.max_bot
        return self.telegram

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 (aiogram's signature)
    ) -> TelegramType:
        return await self.bot_for(method)(method, request_timeout=timeout)

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 (aiogram's signature)
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        streamed = self.telegram.session.stream_content(
            url, headers, timeout, chunk_size, raise_for_status
        )
        async for chunk in streamed:
            yield chunk

    async def close(self) -> None:
        """The messengers' bots close their own sessions."""


def routing_bot(telegram: Bot | None, max_bot: Bot | None) -> Bot:
    """A bot whose requests go to the chat's messenger (the only bot when there is one)."""
    if telegram is not None and max_bot is not None:
        return Bot(
            token=telegram.token,
            session=RoutingSession(telegram, max_bot),
            default=telegram.default,
        )
    only = telegram or max_bot
    if only is None:
        raise ValueError("a routing bot needs a bot")
    return only
