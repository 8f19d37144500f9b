"""Files across messengers: a photo a parent sent in MAX (a certificate) reaches a curator in
Telegram as the photo itself. The Telegram bot's session gets this request middleware when
the journal runs in both: a ``sendPhoto`` or ``sendDocument`` naming a MAX file (kept as
``max-image:<token>`` or ``max-file:<token>``) is given the file's bytes, downloaded from the
address MAX gave when the person sent it (``max_files``). The other way, the MAX session
fetches a Telegram file through the Telegram bot (bot/max/session.py ``_file``).

A file MAX no longer serves (or one never seen) stays a MAX file id: Telegram refuses it and
the outbox sender sends the text and buttons alone.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import SendDocument, SendPhoto, TelegramMethod
from aiogram.methods.base import Response
from aiogram.types import BufferedInputFile, Message

from bot.max.session import MaxSession
from core.messenger import MAX_FILE_PREFIXES, Messenger, file_messenger
from storage import max_messages

if TYPE_CHECKING:
    from aiogram import Bot

log = logging.getLogger(__name__)

SENT_KEPT = 1000  # MAX files sent to Telegram, remembered by this process


class MaxFilesForTelegram(BaseRequestMiddleware):
    def __init__(self, max_session: MaxSession) -> None:
        self.max_session = max_session
        self._sent: dict[str, str] = {}  # MAX file id → Telegram's id of the same file

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[Any],
        bot: Bot,
        method: TelegramMethod[Any],
    ) -> Response[Any]:
        if isinstance(method, SendPhoto) and _is_max(method.photo):
            key = str(method.photo)
            found = self._sent.get(key) or await self._fetch(key)
            if found is not None:
                method = method.model_copy(update={"photo": found})
        elif isinstance(method, SendDocument) and _is_max(method.document):
            key = str(method.document)
            found = self._sent.get(key) or await self._fetch(key)
            if found is not None:
                method = method.model_copy(update={"document": found})
        else:
            return await make_request(bot, method)
        result = await make_request(bot, method)
        if isinstance(found, BufferedInputFile) and isinstance(result, Message):
            self._keep(key, result)  # Telegram's own id of it, for the next time
        return result

    def _keep(self, key: str, sent: Message) -> None:
        file_id = (
            sent.photo[-1].file_id
            if sent.photo
            else sent.document.file_id
            if sent.document
            else None
        )
        if file_id is None:
            return
        if len(self._sent) >= SENT_KEPT:
            self._sent.pop(next(iter(self._sent)))
        self._sent[key] = file_id

    async def _fetch(self, file_id: str) -> BufferedInputFile | None:
        token = file_id.split(":", 1)[1]
        factory = self.max_session.session_factory
        if factory is None:
            return None
        async with factory() as session:
            known = await max_messages.file_of(session, token)
        if known is None:
            return None
        try:
            content = await self.max_session.download(known.url)
        except Exception as exc:  # gone from MAX's server: the text goes alone
            log.warning("a MAX file could not be fetched for Telegram: %s", type(exc).__name__)
            return None
        return BufferedInputFile(content, filename=known.name or "file")


def _is_max(file: Any) -> bool:
    return (
        isinstance(file, str)
        and file.startswith(MAX_FILE_PREFIXES)
        and file_messenger(file) is Messenger.MAX
    )


def share_files(telegram: Bot, max_bot: Bot) -> None:
    """Let each messenger's bot send the files people sent in the other."""
    session = max_bot.session
    assert isinstance(session, MaxSession)
    session.telegram = telegram
    telegram.session.middleware(MaxFilesForTelegram(session))
