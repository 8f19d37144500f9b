"""A fake Telegram Bot API server that the real bot talks to over HTTP.

It keeps each chat as its user sees it, records every request, answers with Telegram's own
errors and limits, and can be told to fail. Updates reach the bot by long polling
(``getUpdates``), by a POST to the address the bot registered with ``setWebhook`` (with its
secret header, retried like Telegram retries), or, after ``attach``, by
``dispatcher.feed_update`` in the test's own loop.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import time
from collections import Counter
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiohttp import ClientError, ClientSession, ClientTimeout, web

from bot.app import wire_session
from handlers.json_session import JsonSession

from .call import Call, read_call
from .limits import RateLimiter, RateLimits
from .methods import HANDLERS, QUERY_INVALID, inline_only, unknown_method
from .state import (
    ApiError,
    CallbackAnswer,
    ChatMessage,
    ChatState,
    Fault,
    RecordedRequest,
    StoredFile,
    Webhook,
    bad_request,
)

CONFLICT = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"  # noqa: E501
SENDING = frozenset({"sendMessage", "sendPhoto", "sendDocument"})
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_ATTEMPTS = 5  # a delivery failing (no answer, not 2xx) is retried, as Telegram does
WEBHOOK_PAUSE = 0.5
FAULT_TEXT = {
    400: "Bad Request: chat not found",
    403: "Forbidden: bot was blocked by the user",
    502: "Bad Gateway",
}


class QuickCloseSession(AiohttpSession):
    """aiogram's session minus the 250 ms pause on close meant for TLS; the fake is plain HTTP."""

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


class QuickCloseJsonSession(JsonSession, QuickCloseSession):
    """The product's session (JSON bodies), closing as quickly."""


class FakeBotAPI:
    def __init__(
        self,
        token: str | None = None,
        *,
        enforce_limits: bool = False,
        limits: RateLimits | None = None,
        strict_chats: bool = True,
        settle: float = 0.15,
        answer_timeout: float = 60.0,
        bot_name: str = "Journal",
        bot_username: str = "journal_test_bot",
        shared_polling: bool = False,
    ) -> None:
        self.token = token or f"424242:fake-{secrets.token_urlsafe(16)}"
        self.bot_id = int(self.token.split(":", 1)[0])
        self.bot_user = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
        }
        self.enforce_limits = enforce_limits
        self.limiter = RateLimiter(limits or RateLimits())
        self.strict_chats = strict_chats  # private chats must be opened by their user first
        self.settle = settle
        self.answer_timeout = answer_timeout
        # Several bot processes poll at once (a load balancer's view, docs/replicas.md): each
        # update goes to exactly one of them, and a new poll does not end the others with 409.
        self.shared_polling = shared_polling

        self.requests: list[RecordedRequest] = []
        # aiohttp middlewares of the server, set before ``start`` (a benchmark meters the
        # server's own CPU with one, to tell it from the bot's).
        self.middlewares: list[Any] = []
        self.chats: dict[int, ChatState] = {}
        self.files: dict[str, StoredFile] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.default_menu_button: dict[str, Any] = {"type": "default"}
        self.callback_answers: dict[str, CallbackAnswer] = {}
        self.too_many_requests = 0  # every 429 answered, scripted or from the limits

        self._callback_chats: dict[str, int] = {}
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)
        self._update_ids = itertools.count(100_001)
        self._queue: list[dict[str, Any]] = []
        self._fetched_upto = 0
        self._handed_upto = 0  # shared polling: updates up to this id went to some poller
        self._polls = asyncio.Condition()
        # Signalled whenever something happens: a call arrives or is answered, an update is
        # queued. Tests wait on it for what they expect; a timeout only bounds a failure.
        self._changed = asyncio.Condition()
        self._poll_generation = 0
        self._closing = False
        self._attached: tuple[Dispatcher, Bot] | None = None
        self._bots: list[Bot] = []
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self.webhook: Webhook | None = None  # set by the bot's setWebhook
        self.webhook_posts: list[int] = []  # HTTP status of every delivery to the webhook
        # Telegram retries a failed delivery for hours; a test waiting for a process to be
        # started again raises this.
        self.webhook_attempts = WEBHOOK_ATTEMPTS
        # The replicas behind the registered address, as a proxy sees them: each attempt goes
        # to the next one (the registered address itself when empty).
        self.webhook_replicas: list[str] = []
        self._client: ClientSession | None = None
        self._holds: list[tuple[str, asyncio.Event]] = []

    # --- lifecycle ------------------------------------------------------------------

    async def start(self) -> FakeBotAPI:
        app = web.Application(  # Telegram takes 50 MB files
            client_max_size=60 * 1024 * 1024, middlewares=self.middlewares
        )
        app.router.add_route("*", "/bot{token}/{method}", self._serve_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._serve_file)
        # A caller that hangs up (a bot process killed mid-request) ends its request here too,
        # as it would at Telegram: a held call is then never carried out.
        self._runner = web.AppRunner(
            app, access_log=None, shutdown_timeout=1.0, handler_cancellation=True
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"
        return self

    async def stop(self) -> None:
        self._closing = True
        async with self._polls:
            self._polls.notify_all()
        for bot in self._bots:
            await bot.session.close()
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotAPI:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def make_bot(self, *, raw: bool = False) -> Bot:
        """A bot wired to this server exactly as the product wires it (HTML by default).
        ``raw``: without the product's request middlewares, so it sees every 429 itself."""
        api = TelegramAPIServer.from_base(self.base_url)
        session = QuickCloseSession(api=api) if raw else QuickCloseJsonSession(api=api)
        if not raw:
            wire_session(session)
        bot = Bot(self.token, session=session, default=DefaultBotProperties(parse_mode="HTML"))
        self._bots.append(bot)
        return bot

    def attach(self, dispatcher: Dispatcher, bot: Bot) -> None:
        """Deliver updates by ``feed_update`` in this loop instead of by ``getUpdates``."""
        self._attached = (dispatcher, bot)

    def detach(self) -> None:
        self._attached = None

    # --- scripting ------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        chat_id: int | None = None,
        status: int = 429,
        retry_after: int | None = 1,
        times: int = 1,
        description: str | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (to ``chat_id`` if given) with an error."""
        retry = retry_after if status == 429 else None
        self._faults.append(Fault(method, chat_id, status, retry, description, times))

    def hold(self, method: str) -> asyncio.Event:
        """The next ``method`` call is recorded, then left unanswered until the returned event
        is set: the bot is caught in the middle of handling an update. Should the bot hang up
        meanwhile (killed), the call is never carried out (status 499)."""
        release = asyncio.Event()
        self._holds.append((method, release))
        return release

    def block(self, chat_id: int) -> None:
        """The user blocks the bot: every call to the chat gets 403 until ``unblock``."""
        self.chat(chat_id).blocked = True

    def unblock(self, chat_id: int) -> None:
        self.chat(chat_id).blocked = False

    # --- what the test reads --------------------------------------------------------

    def chat(self, chat_id: int) -> ChatState:
        if chat_id not in self.chats:
            kind = "private" if chat_id > 0 else "supergroup"
            info: dict[str, Any] = {"id": chat_id, "type": kind}
            info["first_name" if kind == "private" else "title"] = f"Chat {chat_id}"
            self.chats[chat_id] = ChatState(chat_id, info)
        return self.chats[chat_id]

    def open_chat(self, chat_id: int, info: dict[str, Any] | None = None) -> ChatState:
        """The user has opened the chat with the bot (pressed Start), so the bot may write."""
        state = self.chat(chat_id)
        if info is not None:
            state.chat = info
        state.started = True
        return state

    def calls(self, method: str | None = None, chat_id: int | None = None) -> list[RecordedRequest]:
        """Recorded requests, oldest first; without ``method``, polling is left out."""
        return [
            r
            for r in self.requests
            if (r.method == method if method else r.method != "getUpdates")
            and (chat_id is None or r.chat_id == chat_id)
        ]

    async def wait_until(
        self, condition: Callable[[], bool], *, within: float = 60.0, what: str = "it"
    ) -> None:
        """Return as soon as ``condition()`` holds, checked whenever the server sees a change;
        fail with "``what`` did not happen" after ``within`` seconds."""
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(condition), within)
            except TimeoutError:
                raise AssertionError(f"{what} did not happen within {within} s") from None

    async def wait_for_call(
        self,
        method: str,
        *,
        after: int = 0,
        within: float = 60.0,
        match: Callable[[RecordedRequest], bool] | None = None,
    ) -> RecordedRequest:
        """The first ``method`` call (that ``match``es) recorded at index ``after`` or later,
        waiting for it if need be."""

        def found() -> RecordedRequest | None:
            return next(
                (
                    r
                    for r in self.requests[after:]
                    if r.method == method and (match is None or match(r))
                ),
                None,
            )

        await self.wait_until(
            lambda: found() is not None, within=within, what=f"a {method} call of the bot"
        )
        call = found()
        assert call is not None
        return call

    async def _signal(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    @property
    def errors(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.finished is not None and not r.ok]

    @property
    def rate_limit_hits(self) -> Counter[str]:
        """429s from the limit mode, keyed "overall", "private" or "group"."""
        return self.limiter.hits

    def sent_counts(self) -> Counter[tuple[int, str]]:
        """Messages Telegram took from the bot, by chat and text (a caption for a file): a
        count above one is a message that went out twice."""
        return Counter(
            (r.chat_id or 0, str(r.params.get("text") or r.params.get("caption") or ""))
            for r in self.requests
            if r.method in SENDING and r.ok and r.finished is not None
        )

    @property
    def doubled(self) -> int:
        """How many messages went out more than once (each extra copy counted)."""
        return sum(n - 1 for n in self.sent_counts().values() if n > 1)

    @property
    def pending(self) -> int:
        return len(self._queue)

    # --- serving --------------------------------------------------------------------

    async def _serve_method(self, request: web.Request) -> web.Response:
        loop = asyncio.get_running_loop()
        record = RecordedRequest(request.match_info["method"], {}, loop.time())
        record.content_type = request.content_type
        self.requests.append(record)
        await self._signal()
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            name, handler = HANDLERS.get(record.method.lower(), (record.method, None))
            record.method = name
            call = await read_call(request)
            record.params = call.params
            if handler is None:
                raise unknown_method(name)
            held = next((h for h in self._holds if h[0] == name), None)
            if held is not None:
                self._holds.remove(held)
                try:
                    await held[1].wait()
                except asyncio.CancelledError:
                    record.status, record.description = 499, "the bot hung up"
                    raise
            self._scripted_fault(name, record.chat_id)
            record.result = await handler(self, call)
            body: dict[str, Any] = {"ok": True, "result": record.result}
        except ApiError as error:
            record.status, record.description = error.status, error.description
            self.too_many_requests += error.status == 429
            body = error.payload()
        except Exception as exc:  # a bug of the fake itself: say so instead of a bare 500 page
            record.status = 500
            record.description = f"Internal Server Error: fake Bot API failed: {exc!r}"
            body = ApiError(500, record.description).payload()
        finally:
            record.finished = loop.time()
            await self._signal()
        return web.json_response(body, status=record.status)

    async def _serve_file(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        found = next((f for f in self.files.values() if f.file_path == path), None)
        if request.match_info["token"] != self.token or found is None:
            return web.json_response(ApiError(404, "Not Found").payload(), status=404)
        return web.Response(body=found.content, content_type="application/octet-stream")

    def _scripted_fault(self, method: str, chat_id: int | None) -> None:
        for fault in self._faults:
            if fault.matches(method, chat_id):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                if fault.status == 429:
                    retry = fault.retry_after or 1
                    raise ApiError(429, f"Too Many Requests: retry after {retry}", retry)
                default = FAULT_TEXT.get(fault.status) or HTTPStatus(fault.status).phrase
                raise ApiError(fault.status, fault.description or default)

    # --- used by the method handlers ------------------------------------------------

    def writable_chat(self, call: Call) -> ChatState:
        raw = call.obj("chat_id")
        if raw is None or raw == "":
            raise bad_request("chat_id is empty")
        if not isinstance(raw, int):
            raise bad_request("chat not found")
        state = self.chat(raw)
        if state.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if raw > 0 and self.strict_chats and not state.started:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return state

    def take_rate(self, chat_id: int) -> None:
        if self.enforce_limits:
            self.limiter.take(chat_id, asyncio.get_running_loop().time())

    def post_bot_message(
        self,
        chat: ChatState,
        content: dict[str, Any],
        markup: Any,
        *,
        html: str | None,
        file: StoredFile | None = None,
    ) -> ChatMessage:
        if isinstance(markup, dict) and "keyboard" in markup:
            chat.keyboard = [
                [b if isinstance(b, str) else b["text"] for b in row] for row in markup["keyboard"]
            ]
        elif isinstance(markup, dict) and markup.get("remove_keyboard"):
            chat.keyboard = None
        raw = self._message_json(chat, self.bot_user, content)
        if inline := inline_only(markup):
            raw["reply_markup"] = inline
        message = ChatMessage(chat.chat_id, raw["message_id"], True, raw, html=html, file=file)
        chat.messages.append(message)
        return message

    def post_user_message(
        self,
        chat: ChatState,
        user: dict[str, Any],
        content: dict[str, Any],
        file: StoredFile | None = None,
    ) -> ChatMessage:
        raw = self._message_json(chat, user, content)
        message = ChatMessage(chat.chat_id, raw["message_id"], False, raw, file=file)
        chat.messages.append(message)
        return message

    def _message_json(
        self, chat: ChatState, sender: dict[str, Any], content: dict[str, Any]
    ) -> dict[str, Any]:
        return {
            "message_id": chat.next_message_id(),
            "from": sender,
            "chat": chat.chat,
            "date": int(time.time()),
            **content,
        }

    def mark_edited(self, message: ChatMessage) -> dict[str, Any]:
        message.raw["edit_date"] = int(time.time())
        return message.raw

    def add_file(
        self, content: bytes, kind: str, file_name: str | None = None, mime_type: str | None = None
    ) -> StoredFile:
        n = next(self._ids)
        prefix = "BQAC" if kind == "document" else "AgAC"
        folder = "documents" if kind == "document" else "photos"
        suffix = "." + file_name.rsplit(".", 1)[1] if file_name and "." in file_name else ""
        stored = StoredFile(
            file_id=f"{prefix}-fake-{n}-{secrets.token_hex(4)}",
            file_unique_id=f"AQAD{n}",
            content=content,
            file_path=f"{folder}/file_{n}{suffix or ('.jpg' if kind == 'photo' else '')}",
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = stored
        return stored

    def input_file(self, call: Call, kind: str) -> StoredFile:
        """The file a send method names: an upload, a known file_id, or a URL."""
        value = call.obj(kind)
        key = kind  # a multipart part named after the parameter itself
        if isinstance(value, str) and value.startswith("attach://"):
            key = value.removeprefix("attach://")
        if key in call.uploads:
            upload = call.uploads[key]
            return self.add_file(upload.content, kind, upload.filename, upload.content_type)
        if not isinstance(value, str) or not value:
            raise bad_request(f"there is no {kind} in the request")
        if value in self.files:
            return self.files[value]
        if value.startswith(("http://", "https://")):
            stored = self.add_file(b"", kind, value.rsplit("/", 1)[-1] or None)
            stored.url = value
            return stored
        raise bad_request("wrong file identifier/HTTP URL specified")

    def answer_callback(
        self, query_id: str, text: str | None, show_alert: bool, url: str | None
    ) -> None:
        if query_id not in self._callback_chats or query_id in self.callback_answers:
            raise bad_request(QUERY_INVALID)
        self.callback_answers[query_id] = CallbackAnswer(query_id, text, show_alert, url)

    def new_callback_query(self, chat_id: int) -> str:
        query_id = str(secrets.randbits(63))
        self._callback_chats[query_id] = chat_id
        return query_id

    # --- getUpdates -----------------------------------------------------------------

    async def fetch_updates(
        self, offset: int | None, limit: int, wait_seconds: float
    ) -> list[dict[str, Any]]:
        if offset is not None and offset < 0:
            self._queue = self._queue[offset:]
        elif offset:
            self._queue = [u for u in self._queue if u["update_id"] >= offset]
        if self.shared_polling:
            return await self._fetch_shared(limit, wait_seconds)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_seconds
        async with self._polls:
            self._poll_generation += 1
            generation = self._poll_generation
            self._polls.notify_all()  # an older poll still waiting is now superseded
            while not self._queue and not self._closing:
                if generation != self._poll_generation:
                    raise ApiError(409, CONFLICT)
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                try:
                    await asyncio.wait_for(self._polls.wait(), remaining)
                except TimeoutError:
                    break
        batch = self._queue[:limit]
        if batch:
            self._fetched_upto = max(self._fetched_upto, batch[-1]["update_id"])
        return batch

    async def _fetch_shared(self, limit: int, wait_seconds: float) -> list[dict[str, Any]]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_seconds

        def fresh() -> list[dict[str, Any]]:
            return [u for u in self._queue if u["update_id"] > self._handed_upto][:limit]

        async with self._polls:
            while not fresh() and not self._closing:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                try:
                    await asyncio.wait_for(self._polls.wait(), remaining)
                except TimeoutError:
                    break
            batch = fresh()
            if batch:
                self._handed_upto = batch[-1]["update_id"]
                self._fetched_upto = max(self._fetched_upto, self._handed_upto)
        return batch

    def drop_pending_updates(self) -> None:
        self._queue.clear()

    # --- delivering a user's action -------------------------------------------------

    async def deliver(
        self,
        update: dict[str, Any],
        *,
        chat_id: int,
        callback_id: str | None = None,
        expect_reply: bool = True,
        within: float | None = None,
    ) -> None:
        """Hand an update to the bot and return once it has answered (see ``TgUser``)."""
        update = {"update_id": next(self._update_ids), **update}
        mark = len(self.requests)
        if self._attached is not None:
            dispatcher, bot = self._attached
            event = Update.model_validate(update, context={"bot": bot})
            response = await dispatcher.feed_update(bot, event)
            if isinstance(response, TelegramMethod):
                await bot(response)  # what polling does with a handler's returned method
            if expect_reply and not self._answered(mark, chat_id, callback_id):
                raise AssertionError(f"the bot did not answer in chat {chat_id}: {_brief(update)}")
            return
        if self.webhook is not None:
            await self._post_to_webhook(update)
        else:
            async with self._polls:
                self._queue.append(update)
                self._polls.notify_all()
        await self._signal()
        await self._wait_answer(update, mark, chat_id, callback_id, expect_reply, within)

    # --- webhook --------------------------------------------------------------------

    async def post_update(
        self, update: dict[str, Any], *, secret: str | None = None, url: str | None = None
    ) -> int:
        """POST one update to the registered webhook (or ``url``) with ``secret`` in Telegram's
        header (none when None); returns the HTTP status. Nothing is retried."""
        target = url or (self.webhook.url if self.webhook else None)
        if target is None:
            raise AssertionError("the bot has not registered a webhook")
        if self._client is None:
            self._client = ClientSession(timeout=ClientTimeout(total=30))
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        async with self._client.post(target, json=update, headers=headers) as response:
            await response.read()
            self.webhook_posts.append(response.status)
            return response.status

    def new_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """``update`` with the next update id."""
        return {"update_id": next(self._update_ids), **update}

    async def _post_to_webhook(self, update: dict[str, Any]) -> None:
        """Deliver like Telegram: with the registered secret, retried a few times while the
        address does not answer 2xx (a replica stopping, a proxy finding another)."""
        assert self.webhook is not None
        status = 0
        for attempt in range(self.webhook_attempts):
            if attempt:
                await asyncio.sleep(WEBHOOK_PAUSE)
            replicas = self.webhook_replicas
            url = replicas[attempt % len(replicas)] if replicas else None
            try:
                status = await self.post_update(update, secret=self.webhook.secret_token, url=url)
            except (ClientError, TimeoutError):
                continue
            if 200 <= status < 300:
                self._fetched_upto = max(self._fetched_upto, update["update_id"])
                return
        raise AssertionError(f"the webhook did not take the update (last status {status})")

    def _answered(self, mark: int, chat_id: int, callback_id: str | None) -> bool:
        return any(
            r.chat_id == chat_id
            or (callback_id is not None and r.params.get("callback_query_id") == callback_id)
            for r in self.requests[mark:]
            if r.method != "getUpdates"
        )

    async def _wait_answer(
        self,
        update: dict[str, Any],
        mark: int,
        chat_id: int,
        callback_id: str | None,
        expect_reply: bool,
        within: float | None,
    ) -> None:
        """Wait until the bot fetched the update and answered, then until it has been quiet
        for ``settle`` seconds: a process's handler may still be making calls."""
        bound = within if within is not None else self.answer_timeout
        brief = _brief(update)
        await self.wait_until(
            lambda: self._fetched_upto >= update["update_id"],
            within=bound,
            what=f"the bot fetching the update in chat {chat_id} (is it polling?): {brief}",
        )
        try:
            await self.wait_until(
                lambda: not expect_reply or self._answered(mark, chat_id, callback_id),
                within=bound,
                what="",
            )
        except AssertionError:
            raise AssertionError(f"the bot did not answer in chat {chat_id}: {brief}") from None
        while True:
            await self.wait_until(
                lambda: all(r.finished is not None for r in self._calls_since(mark)),
                within=bound,
                what=f"the bot's calls after the update in chat {chat_id} finishing: {brief}",
            )
            if await self._quiet(self.settle):
                return

    def _calls_since(self, mark: int) -> list[RecordedRequest]:
        return [r for r in self.requests[mark:] if r.method != "getUpdates"]

    async def _quiet(self, seconds: float) -> bool:
        """True if the bot makes no call (polling aside) for ``seconds``."""
        seen = len(self.requests)
        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: bool(self._calls_since(seen))), seconds
                )
            except TimeoutError:
                return True
        return False


def _brief(update: dict[str, Any]) -> str:
    return json.dumps(update, ensure_ascii=False, default=str)[:300]
