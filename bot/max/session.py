"""The MAX bot's session: the Bot API requests of the handlers, made as MAX Bot API calls.

The handlers speak aiogram's Bot API (``message.answer``, ``edit_text``, ``answer_document``…);
the bot that handles MAX's updates has this session, which makes each request a call of MAX's
Bot API (dev.max.ru) and gives back what aiogram expects:

=========================  ===================================================================
Bot API                    MAX Bot API
=========================  ===================================================================
sendMessage                ``POST /messages?user_id=`` (text, ``format: html``, keyboard)
sendDocument, sendPhoto    ``POST /uploads?type=file|image``, the file to the URL given, then
                           ``POST /messages`` with the file's token (a file the journal keeps
                           is re-sent by its token)
editMessageText,           ``PUT /messages?message_id=`` (text and keyboard; no keyboard
editMessageReplyMarkup     removes it, as in Telegram)
deleteMessage              ``DELETE /messages?message_id=``
answerCallbackQuery        ``POST /answers?callback_id=`` with a notification (nothing to say:
                           no call, MAX needs none)
getMe                      ``GET /me``
setMyCommands              ``PATCH /me`` with the commands (the default language's)
=========================  ===================================================================

MAX's message ids are strings; the handlers get integers, kept in the store
(storage/max_messages.py) so that every process gives a message the same number. Inside an
update the number is written in the update's own transaction (on SQLite it holds the one write
lock); elsewhere (the outbox sender) in a short one of its own.

Errors come back as aiogram's: 429 → ``TelegramRetryAfter`` (so replies wait it out, and the
outbox sender pauses), 403 → ``TelegramForbiddenError`` (the person blocked the bot), 400 →
``TelegramBadRequest``, 404 → ``TelegramNotFound``, 5xx → ``TelegramServerError``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, cast

import orjson
from aiogram import Bot
from aiogram.client.default import Default
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMessage,
    DeleteMyCommands,
    EditMessageCaption,
    EditMessageReplyMarkup,
    EditMessageText,
    GetMe,
    SendChatAction,
    SendDocument,
    SendMessage,
    SendPhoto,
    SetChatMenuButton,
    SetMyCommands,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import InputFile, Message, Update, User
from aiohttp import ClientError, ClientTimeout, FormData
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.max import translate as tr
from core.messenger import Messenger, from_max, messenger_of, to_max
from handlers.fsm import update_session
from storage import max_messages

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://platform-api.max.ru"
RETRY_AFTER_DEFAULT = 1  # seconds, when a 429 does not say
NOT_READY_PAUSE = 0.5  # a file just uploaded may not be ready to attach yet
NOT_READY_TRIES = 6
UPLOADS_KEPT = 1000  # Telegram files uploaded to MAX, remembered by this process


class MaxAPIError(Exception):
    def __init__(self, status: int, code: str, message: str, retry_after: int | None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after


class MaxSession(AiohttpSession):
    def __init__(
        self,
        token: str,
        session_factory: async_sessionmaker[AsyncSession] | None,
        api_url: str = DEFAULT_API_URL,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.max_token = token
        self.api_url = api_url.rstrip("/")
        self.session_factory = session_factory
        self.me: dict[str, Any] | None = None
        # The Telegram bot, when the journal runs in both: a Telegram file is fetched through
        # it and uploaded to MAX (a document a teacher uploaded in Telegram, say).
        self.telegram: Bot | None = None
        self._uploaded: dict[str, dict[str, Any]] = {}  # Telegram file id → MAX attachment

    # --- MAX's HTTP ---------------------------------------------------------------

    async def call(
        self,
        http_method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        seconds: float | None = None,
    ) -> Any:
        """One call of MAX's Bot API; its JSON answer, or ``MaxAPIError``."""
        session = await self.create_session()
        data = None if body is None else orjson.dumps(body)
        headers = {"Authorization": self.max_token}
        if data is not None:
            headers["Content-Type"] = "application/json"
        async with session.request(
            http_method,
            f"{self.api_url}{path}",
            params={k: str(v) for k, v in (params or {}).items() if v is not None},
            data=data,
            headers=headers,
            timeout=ClientTimeout(total=seconds or self.timeout),
        ) as resp:
            raw = await resp.read()
            status = resp.status
            retry = resp.headers.get("Retry-After")
        try:
            answer = orjson.loads(raw) if raw else {}
        except orjson.JSONDecodeError:
            answer = {"message": raw[:200].decode("utf-8", "replace")}
        if status >= 400:
            code = str(answer.get("code", "")) if isinstance(answer, dict) else ""
            text = str(answer.get("message", "")) if isinstance(answer, dict) else ""
            retry_after = int(float(retry)) if retry and retry.replace(".", "").isdigit() else None
            raise MaxAPIError(status, code, text, retry_after)
        return answer

    async def upload(self, kind: str, name: str, content: bytes) -> dict[str, Any]:
        """A file uploaded (MAX's two steps); the attachment's payload that sends it."""
        target = await self.call("POST", "/uploads", params={"type": kind})
        form = FormData()
        form.add_field("data", content, filename=name)
        session = await self.create_session()
        # The upload address is MAX's file server: it is not given the bot's token.
        async with session.post(target["url"], data=form) as resp:
            raw = await resp.read()
            if resp.status >= 400:
                raise MaxAPIError(resp.status, "upload.failed", raw[:200].decode(), None)
        answer = orjson.loads(raw) if raw else {}
        if kind == "image":
            photos = answer.get("photos") or {}
            first = next(iter(photos.values()), None) if isinstance(photos, dict) else None
            if isinstance(first, dict) and first.get("token"):
                return {"token": first["token"]}
        token = answer.get("token") or target.get("token")
        if not token:
            raise MaxAPIError(502, "upload.no_token", "the upload gave no token", None)
        return {"token": token}

    # --- aiogram's side -----------------------------------------------------------

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 (aiogram's signature)
    ) -> TelegramType:
        try:
            return cast(TelegramType, await self._translate(bot, method))
        except MaxAPIError as exc:
            raise _as_telegram_error(method, exc) from None
        except TimeoutError as exc:
            raise TelegramNetworkError(method=method, message="Request timeout error") from exc
        except ClientError as exc:
            raise TelegramNetworkError(
                method=method, message=f"{type(exc).__name__}: {exc}"
            ) from exc

    async def _translate(self, bot: Bot, method: TelegramMethod[Any]) -> Any:
        if isinstance(method, SendMessage):
            return await self._send(bot, method.chat_id, method.text, method.parse_mode, method)
        if isinstance(method, SendDocument | SendPhoto):
            file = method.document if isinstance(method, SendDocument) else method.photo
            kind = "file" if isinstance(method, SendDocument) else "image"
            attachment = await self._file(bot, file, kind)
            return await self._send(
                bot, method.chat_id, method.caption or "", method.parse_mode, method, attachment
            )
        if isinstance(method, EditMessageText):
            return await self._edit(bot, method, method.text, method.parse_mode)
        if isinstance(method, EditMessageCaption):
            return await self._edit(bot, method, method.caption or "", method.parse_mode)
        if isinstance(method, EditMessageReplyMarkup):
            return await self._edit(bot, method, None, None)
        if isinstance(method, DeleteMessage):
            mid = await self._mid(method, method.message_id)
            await self.call("DELETE", "/messages", params={"message_id": mid})
            return True
        if isinstance(method, AnswerCallbackQuery):
            if method.text:
                await self.call(
                    "POST",
                    "/answers",
                    params={"callback_id": method.callback_query_id},
                    body={"notification": method.text},
                )
            return True
        if isinstance(method, GetMe):
            return User.model_validate(await self._me(), context={"bot": bot})
        if isinstance(method, SetMyCommands):
            if method.language_code is None:
                commands = [
                    {"name": c.command, "description": c.description} for c in method.commands
                ]
                await self.call("PATCH", "/me", body={"commands": commands})
            return True
        if isinstance(method, DeleteMyCommands | SendChatAction | SetChatMenuButton):
            return True  # nothing of the kind in MAX, or nothing the journal needs there
        raise TelegramBadRequest(method, f"MAX: {method.__api_method__} is not supported")

    async def username(self) -> str:
        """The bot's name in MAX (its links are ``https://max.ru/<name>``)."""
        return str((await self._me()).get("username") or "")

    async def _me(self) -> dict[str, Any]:
        if self.me is None:
            found = await self.call("GET", "/me")
            me = tr.user({**found, "is_bot": True})
            self.me = me
        return self.me

    async def _send(
        self,
        bot: Bot,
        chat_id: int | str,
        text: str,
        parse_mode: Any,
        method: TelegramMethod[Any],
        file: dict[str, Any] | None = None,
    ) -> Message:
        stored = _chat(method, chat_id)
        body = self._body(bot, text, parse_mode, getattr(method, "reply_markup", None), file)
        answer = await self._post_message(stored, body)
        sent = answer.get("message") or {}
        mid = (sent.get("body") or {}).get("mid")
        if not mid:
            raise TelegramServerError(method, "MAX gave no message id")
        number = await self._number(mid, stored)
        return await self._message(bot, sent, number, stored, body)

    async def _post_message(self, stored: int, body: dict[str, Any]) -> dict[str, Any]:
        for attempt in range(NOT_READY_TRIES):
            try:
                return cast(
                    dict[str, Any],
                    await self.call(
                        "POST", "/messages", params={"user_id": to_max(stored)}, body=body
                    ),
                )
            except MaxAPIError as exc:
                # MAX processes an uploaded file for a moment before it can be attached.
                if exc.code != "attachment.not.ready" or attempt == NOT_READY_TRIES - 1:
                    raise
                await asyncio.sleep(NOT_READY_PAUSE * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

    async def _edit(
        self, bot: Bot, method: Any, text: str | None, parse_mode: Any
    ) -> Message | bool:
        if method.message_id is None:
            raise TelegramBadRequest(method, "MAX: inline messages are not supported")
        stored = _chat(method, method.chat_id)
        mid = await self._mid(method, method.message_id)
        body = self._body(bot, text, parse_mode, method.reply_markup, None)
        if text is None:
            body = {"attachments": body["attachments"]}
        if text is None or isinstance(method, EditMessageCaption):
            # MAX replaces all attachments: a photo's keyboard or caption edited keeps the photo.
            found = await self.call("GET", f"/messages/{mid}")
            kept = [
                a
                for a in (found.get("body") or {}).get("attachments") or []
                if a.get("type") in ("image", "file") and (a.get("payload") or {}).get("token")
            ]
            body["attachments"] = [
                {"type": a["type"], "payload": {"token": a["payload"]["token"]}} for a in kept
            ] + body["attachments"]
        await self.call("PUT", "/messages", params={"message_id": mid}, body=body)
        me = await self._me()
        person = {"id": stored, "first_name": "-", "is_bot": False}
        raw = {"body": {"mid": mid, "text": text or "", **body}, "sender": {"is_bot": True}}
        return Message.model_validate(
            tr.message(raw, method.message_id, person, from_bot=me), context={"bot": bot}
        )

    def _body(
        self,
        bot: Bot,
        text: str | None,
        parse_mode: Any,
        markup: Any,
        file: dict[str, Any] | None,
    ) -> dict[str, Any]:
        mode = bot.default.parse_mode if isinstance(parse_mode, Default) else parse_mode
        body: dict[str, Any] = {"text": text or "", "notify": True}
        if mode is not None and getattr(mode, "value", mode).upper() == "HTML":
            body["format"] = "html"
        attachments = [file] if file else []
        keyboard = tr.keyboard(markup)
        if keyboard.attachment:
            attachments.append(keyboard.attachment)
        body["attachments"] = attachments
        return body

    async def _file(self, bot: Bot, file: InputFile | str, kind: str) -> dict[str, Any]:
        if isinstance(file, str):
            if file.startswith(tr.IMAGE_PREFIX):
                return {"type": "image", "payload": {"token": file.removeprefix(tr.IMAGE_PREFIX)}}
            if file.startswith(tr.FILE_PREFIX):
                return {"type": "file", "payload": {"token": file.removeprefix(tr.FILE_PREFIX)}}
            if file.startswith(("http://", "https://")):
                return {"type": kind, "payload": {"url": file}}
            if self.telegram is None:
                # A Telegram file id, and no Telegram bot to fetch it: the caller sends the
                # text alone.
                raise MaxAPIError(400, "file.foreign", "wrong file identifier: not MAX's", None)
            if file in self._uploaded:  # an announcement's photo to many: uploaded once
                return self._uploaded[file]
            found = await self.telegram.get_file(file)
            if found.file_path is None:
                raise MaxAPIError(400, "file.foreign", "Telegram has no such file", None)
            data = await self.telegram.download_file(found.file_path)
            assert data is not None
            name = found.file_path.rsplit("/", 1)[-1]
            attachment = {"type": kind, "payload": await self.upload(kind, name, data.read())}
            if len(self._uploaded) >= UPLOADS_KEPT:
                self._uploaded.pop(next(iter(self._uploaded)))
            self._uploaded[file] = attachment
            return attachment
        content = b"".join([chunk async for chunk in file.read(bot)])
        name = file.filename or ("photo.jpg" if kind == "image" else "file")
        return {"type": kind, "payload": await self.upload(kind, name, content)}

    async def _message(
        self,
        bot: Bot,
        sent: dict[str, Any],
        number: int,
        stored: int,
        body: dict[str, Any],
    ) -> Message:
        me = await self._me()
        person = {"id": stored, "first_name": "-", "is_bot": False}
        sent = {**sent, "sender": {**(sent.get("sender") or {}), "is_bot": True}}
        sent.setdefault("body", {})
        if "attachments" not in sent["body"]:
            sent["body"] = {**sent["body"], "attachments": body.get("attachments")}
        return Message.model_validate(
            tr.message(sent, number, person, from_bot=me), context={"bot": bot}
        )

    # --- message numbers ----------------------------------------------------------

    async def _number(self, mid: str, chat_id: int) -> int:
        session = update_session.get(None)
        if session is not None:
            return await max_messages.number_for(session, mid, chat_id)
        assert self.session_factory is not None, "a MAX bot that writes needs the store"
        async with self.session_factory.begin() as own:
            return await max_messages.number_for(own, mid, chat_id)

    async def _mid(self, method: TelegramMethod[Any], number: int) -> str:
        session = update_session.get(None)
        if session is not None:
            mid = await max_messages.mid_of(session, number)
        else:
            assert self.session_factory is not None, "a MAX bot that writes needs the store"
            async with self.session_factory() as own:
                mid = await max_messages.mid_of(own, number)
        if mid is None:
            raise TelegramBadRequest(method, "Bad Request: message to edit not found")
        return mid

    # --- updates ------------------------------------------------------------------

    async def to_update(self, bot: Bot, raw: dict[str, Any]) -> Update | None:
        """A MAX update as the dispatcher's ``Update`` (None for kinds the journal ignores)."""
        kind = raw.get("update_type")
        locale = raw.get("user_locale")
        if kind == "bot_started":
            person = tr.user(raw["user"], locale)
            payload = (raw.get("payload") or "").strip()
            text = f"/start {payload}" if payload else "/start"
            key = f"{raw['user']['user_id']}:{raw.get('timestamp')}:{payload}"
            message = {
                "message_id": 0,
                "date": int(raw.get("timestamp", 0)) // 1000,
                "chat": tr.private_chat(person),
                "from": person,
                "text": text,
                "entities": [{"type": "bot_command", "offset": 0, "length": len("/start")}],
            }
            return self._update(bot, {"update_id": tr.update_id(kind, key), "message": message})
        if kind == "message_created":
            found = raw["message"]
            recipient = found.get("recipient") or {}
            if recipient.get("chat_type", "dialog") != "dialog":
                return None  # the journal talks with people one to one
            person = tr.user(found["sender"], locale)
            mid = found["body"]["mid"]
            number = await self._number(mid, person["id"])
            await self._remember_files(found["body"].get("attachments") or [])
            message = tr.message(found, number, person, from_bot=await self._me())
            return self._update(bot, {"update_id": tr.update_id(kind, mid), "message": message})
        if kind == "message_callback":
            callback = raw["callback"]
            person = tr.user(callback["user"], locale)
            query: dict[str, Any] = {
                "id": callback["callback_id"],
                "from": person,
                "chat_instance": f"max:{person['id']}",
                "data": callback.get("payload") or "",
            }
            if raw.get("message"):
                found = raw["message"]
                number = await self._number(found["body"]["mid"], person["id"])
                query["message"] = tr.message(found, number, person, from_bot=await self._me())
            key = callback["callback_id"]
            return self._update(
                bot, {"update_id": tr.update_id(kind, key), "callback_query": query}
            )
        return None

    async def _remember_files(self, attachments: list[dict[str, Any]]) -> None:
        """Where a person's photo or file can be downloaded, for people in Telegram."""
        files = [
            a
            for a in attachments
            if a.get("type") in ("image", "file")
            and (a.get("payload") or {}).get("token")
            and (a.get("payload") or {}).get("url")
        ]
        if not files or self.session_factory is None:
            return
        async with self.session_factory.begin() as own:
            for a in files:
                name = a.get("filename") or ("photo.jpg" if a["type"] == "image" else "file")
                payload = a["payload"]
                await max_messages.remember_file(own, payload["token"], payload["url"], name)

    async def download(self, url: str) -> bytes:
        """A file from MAX's file server (not given the bot's token)."""
        session = await self.create_session()
        async with session.get(url, timeout=ClientTimeout(total=self.timeout)) as resp:
            if resp.status >= 400:
                raise MaxAPIError(resp.status, "download.failed", url[:100], None)
            return await resp.read()

    @staticmethod
    def _update(bot: Bot, data: dict[str, Any]) -> Update:
        return Update.model_validate(data, context={"bot": bot})


def _chat(method: TelegramMethod[Any], chat_id: int | str) -> int:
    if not isinstance(chat_id, int) or messenger_of(chat_id) is not Messenger.MAX:
        raise TelegramBadRequest(method, "Bad Request: chat not found (not a MAX chat)")
    return chat_id


def _as_telegram_error(method: TelegramMethod[Any], exc: MaxAPIError) -> TelegramAPIError:
    message = f"MAX {exc.status} {exc.code}: {exc.message}".strip()
    if exc.status == 429:
        return TelegramRetryAfter(method, message, exc.retry_after or RETRY_AFTER_DEFAULT)
    if exc.status == 403:
        return TelegramForbiddenError(method, f"Forbidden: {message}")
    if exc.status == 404:
        return TelegramNotFound(method, f"Not Found: {message}")
    if exc.status == 400:
        return TelegramBadRequest(method, f"Bad Request: {message}")
    if exc.status >= 500:
        return TelegramServerError(method, message)
    return TelegramAPIError(method, message)


def max_user_id(user_id: int) -> int:
    """The MAX id of a stored user id (for logs and the operator)."""
    return to_max(user_id)


__all__ = ["DEFAULT_API_URL", "MaxAPIError", "MaxSession", "from_max", "max_user_id"]
