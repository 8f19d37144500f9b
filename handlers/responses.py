"""The bot session's answer models, built once per kind of request and kept.

aiogram reads every answer of the Bot API through ``Response[<the method's result type>]``, a
pydantic generic model made on demand. pydantic caches such models only weakly, so the garbage
collector drops them between requests and each request could pay for building the model again
(tens of milliseconds of CPU for ``Message | bool``). Holding one strong reference per method
keeps the cache warm: the first request of a kind builds its model, the rest find it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import EditMessageText, TelegramMethod
from aiogram.methods.base import Response

if TYPE_CHECKING:
    from aiogram import Bot

_KEPT: dict[type[TelegramMethod[Any]], type[Response[Any]]] = {}


class KeepResponseModels(BaseRequestMiddleware):
    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[Any],
        bot: Bot,
        method: TelegramMethod[Any],
    ) -> Response[Any]:
        kind = type(method)
        if kind not in _KEPT:
            _KEPT[kind] = Response[method.__returning__]  # type: ignore[name-defined]
        return await make_request(bot, method)


class EditScreen(EditMessageText):
    """``editMessageText`` whose answer is not read into models. Telegram answers an edit with
    the whole message, its keyboard included, and reading that into aiogram's objects took a
    fifth of a millisecond a press for a result nothing looks at."""

    __returning__ = Any  # type: ignore[assignment]
