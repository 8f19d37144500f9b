"""The bot's HTTP session: requests without files go to the Bot API as one JSON body.

aiogram posts every request as a form, walking each value (a card's keyboard is some thirty
buttons) to turn nested objects into JSON strings, then urlencoding the lot: three quarters of
a millisecond of CPU for an edited lesson card. The Bot API takes ``application/json`` as well
(everything but uploads), so here the method's fields are dumped once and written by orjson.
A request that carries a file goes as aiogram's multipart form, unchanged.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

import orjson
from aiogram.client.default import Default
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InputFile
from aiohttp import ClientError
from pydantic import BaseModel

if TYPE_CHECKING:
    from aiogram import Bot

JSON = {"Content-Type": "application/json"}


class _HasFile(Exception):
    """A file somewhere in the request: it must go as a multipart form."""


def _refuse(value: Any) -> Any:
    if isinstance(value, InputFile):
        raise _HasFile
    if isinstance(value, BaseModel):
        return value.model_dump(warnings=False, exclude_none=True)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_body(bot: Bot, method: TelegramMethod[Any]) -> bytes | None:
    """The request as a JSON body, or None when it carries a file."""
    values: dict[str, Any] = {}
    for key, value in method.model_dump(warnings=False, exclude_none=True).items():
        if isinstance(value, Default):
            value = bot.default[value.name]
            if isinstance(value, BaseModel):
                value = value.model_dump(warnings=False, exclude_none=True)
        if value is None:
            continue
        if isinstance(value, InputFile):
            return None
        if isinstance(value, datetime):  # the Bot API counts time in Unix seconds
            value = round(value.timestamp())
        values[key] = value
    try:
        return orjson.dumps(values, default=_refuse)
    except _HasFile:
        return None


# What Telegram echoes of a message the bot itself sent: its text, formatting, keyboard and
# sender. The journal reads back only a sent message's id and chat (and a file's id).
_ECHOED = ("reply_markup", "entities", "text", "caption", "caption_entities", "from",
           "link_preview_options")  # fmt: skip


def read_answer(content: str | bytes) -> Any:
    """The Bot API's answer, read by orjson, without the echo of what the bot sent: building
    aiogram's objects for every button of a keyboard cost more than the rest of the answer."""
    answer = orjson.loads(content)
    result = answer.get("result") if isinstance(answer, dict) else None
    if isinstance(result, dict) and "message_id" in result:
        for key in _ECHOED:
            result.pop(key, None)
    return answer


class JsonSession(AiohttpSession):
    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 (aiogram's signature)
    ) -> TelegramType:
        body = json_body(bot, method)
        if body is None:
            return await super().make_request(bot, method, timeout)
        session = await self.create_session()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        try:
            async with session.post(
                url,
                data=body,
                headers=JSON,
                # aiogram passes seconds here too; aiohttp reads them as a total timeout
                timeout=self.timeout if timeout is None else timeout,  # type: ignore[arg-type]
            ) as resp:
                raw_result = await resp.text()
        except TimeoutError as e:
            raise TelegramNetworkError(method=method, message="Request timeout error") from e
        except ClientError as e:
            raise TelegramNetworkError(method=method, message=f"{type(e).__name__}: {e}") from e
        response = self.check_response(
            bot=bot, method=method, status_code=resp.status, content=raw_result
        )
        return cast(TelegramType, response.result)
