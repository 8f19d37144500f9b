"""A fake MAX Bot API server that the real bot talks to over HTTP.

It keeps each person's dialog with the bot as they see it, records every call, answers with
MAX's error shape (``{"code", "message"}``) and enforces MAX's limits: the ``Authorization``
header, a text of at most 4000 characters in MAX's HTML subset, keyboards of at most 210
buttons in 30 rows of 7 (3 with a link), callback payloads of at most 1024 bytes, about 30
requests a second and two answers to presses a second per dialog (a 429 beyond). Updates
reach the bot by long polling (``GET /updates`` with a marker), by a POST to the subscribed
webhook, or, after ``attach``, through the dispatcher in the test's own loop.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from aiogram import Bot, Dispatcher
from aiohttp import ClientSession, web

from bot.max import translate as tr
from bot.max.app import feed

RATE_PER_SECOND = 30
ANSWERS_PER_SECOND = 2  # per dialog


class MaxError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass
class Call:
    method: str
    path: str
    params: dict[str, str]
    body: Any
    status: int = 200
    error: str = ""


@dataclass
class MaxMessage:
    mid: str
    user_id: int  # the person of the dialog
    from_bot: bool
    text: str  # as sent (HTML for the bot's)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    html: bool = False
    timestamp: int = 0
    deleted: bool = False
    edits: int = 0

    @property
    def visible(self) -> str:
        """What the person reads: the text without its markup."""
        return visible_text(self.text) if self.html else self.text

    @property
    def buttons(self) -> list[list[dict[str, Any]]]:
        return tr.buttons_of(self.attachments)

    @property
    def button_labels(self) -> list[list[str]]:
        return [[b["text"] for b in row] for row in self.buttons]

    def button(self, label: str) -> dict[str, Any] | None:
        return next((b for row in self.buttons for b in row if b["text"] == label), None)

    @property
    def files(self) -> list[dict[str, Any]]:
        return [a for a in self.attachments if a.get("type") in ("image", "file")]

    def raw(self, bot_user: dict[str, Any], person: dict[str, Any]) -> dict[str, Any]:
        sender = bot_user if self.from_bot else person
        return {
            "sender": sender,
            "recipient": {"chat_id": 7_000_000 + self.user_id, "chat_type": "dialog"},
            "timestamp": self.timestamp,
            "body": {"mid": self.mid, "seq": 1, "text": self.text, "attachments": self.attachments},
        }


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in tr.HTML_TAGS:
            self.bad.append(tag)
        if tag == "a" and not dict(attrs).get("href"):
            self.bad.append("a without href")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def check_body(body: dict[str, Any]) -> None:
    """MAX's limits on a message's body, as its API refuses them."""
    text = body.get("text") or ""
    html = body.get("format") == "html"
    if html:
        parser = _Visible()
        parser.feed(text)
        parser.close()
        if parser.bad:
            raise MaxError(400, "text.format", f"tags MAX does not render: {parser.bad}")
        shown = "".join(parser.parts)
    else:
        shown = text
    if len(shown) > tr.TEXT_LIMIT:
        raise MaxError(400, "text.too.long", f"text is {len(shown)} > {tr.TEXT_LIMIT}")
    rows = tr.buttons_of(body.get("attachments"))
    count = sum(len(row) for row in rows)
    if count > tr.BUTTONS_MAX or len(rows) > tr.ROWS_MAX:
        raise MaxError(400, "keyboard.too.big", f"{count} buttons in {len(rows)} rows")
    for row in rows:
        links = any(b.get("type") == "link" for b in row)
        if len(row) > (tr.LINK_ROW_MAX if links else tr.ROW_MAX):
            raise MaxError(400, "keyboard.row", f"{len(row)} buttons in a row")
        for button in row:
            kind = button.get("type")
            if kind not in ("callback", "link", "message"):
                raise MaxError(400, "button.type", f"unknown button type {kind!r}")
            if not button.get("text") or len(button["text"]) > tr.BUTTON_TEXT_MAX:
                raise MaxError(400, "button.text", f"button text {button.get('text')!r}")
            if kind == "callback":
                payload = button.get("payload") or ""
                if len(payload.encode()) > tr.PAYLOAD_MAX:
                    raise MaxError(400, "button.payload", "payload over 1024 bytes")
            if kind == "link" and not str(button.get("url", "")).startswith(("http", "https")):
                raise MaxError(400, "button.url", f"link {button.get('url')!r}")


class FakeMaxAPI:
    def __init__(
        self,
        token: str = "max-test-token-0123456789",
        *,
        bot_user_id: int = 90_001,
        bot_username: str = "journal_max_bot",
        enforce_rate: bool = True,
    ) -> None:
        self.token = token
        self.bot_user = {
            "user_id": bot_user_id,
            "name": "Journal",
            "first_name": "Journal",
            "username": bot_username,
            "is_bot": True,
        }
        self.enforce_rate = enforce_rate
        self.calls: list[Call] = []
        self.dialogs: dict[int, list[MaxMessage]] = {}
        self.people: dict[int, dict[str, Any]] = {}
        self.notifications: dict[str, str] = {}  # callback id → what the bot answered
        self.commands: list[dict[str, str]] = []
        self.uploads: dict[str, bytes] = {}
        self.too_many_requests = 0
        self.subscriptions: list[dict[str, Any]] = []
        self._mids = itertools.count(1)
        self._callbacks = itertools.count(1)
        self._tokens = itertools.count(1)
        self._recent: deque[float] = deque()
        self._queue: list[dict[str, Any]] = []
        self._changed = asyncio.Condition()
        self._attached: tuple[Dispatcher, Bot] | None = None
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self._rate_429: int = 0  # scripted 429s still to answer
        self._callback_users: dict[str, int] = {}  # callback id → the dialog's person
        self._answers: dict[int, list[float]] = {}  # answers' times per dialog

    # --- lifecycle ------------------------------------------------------------------

    async def start(self) -> FakeMaxAPI:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/upload/{token}", self._serve_upload)
        app.router.add_get("/files/{token}", self._serve_file)
        app.router.add_route("*", "/{path:.*}", self._serve)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        async with self._changed:
            self._changed.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeMaxAPI:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def attach(self, dispatcher: Dispatcher, bot: Bot) -> None:
        """Deliver updates straight to ``dispatcher`` in the test's loop (no polling)."""
        self._attached = (dispatcher, bot)

    def fail_next(self, times: int = 1) -> None:
        """The next ``times`` calls are answered 429, as MAX answers a bot over its rate."""
        self._rate_429 += times

    # --- HTTP -----------------------------------------------------------------------

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["path"]
        params = dict(request.query)
        raw = await request.read()
        body = json.loads(raw) if raw else None
        status, error = 200, ""
        try:
            if request.headers.get("Authorization") != self.token:
                raise MaxError(401, "verify.token", "Invalid access_token")
            if path != "/updates":
                self._count_rate()
            answer = await self._route(request.method, path, params, body)
        except MaxError as exc:
            status, error = exc.status, f"{exc.code}: {exc.message}"
            headers = {"Retry-After": "1"} if exc.status == 429 else None
            return web.json_response(
                {"code": exc.code, "message": exc.message}, status=exc.status, headers=headers
            )
        finally:  # recorded once answered: what it did is in the dialogs by then
            self.calls.append(Call(request.method, path, params, body, status, error))
            await self._signal()
        return web.json_response(answer)

    def _count_rate(self) -> None:
        if self._rate_429:
            self._rate_429 -= 1
            self.too_many_requests += 1
            raise MaxError(429, "too.many.requests", "Too many requests")
        if not self.enforce_rate:
            return
        now = time.monotonic()
        while self._recent and now - self._recent[0] > 1.0:
            self._recent.popleft()
        if len(self._recent) >= RATE_PER_SECOND:
            self.too_many_requests += 1
            raise MaxError(429, "too.many.requests", "Too many requests")
        self._recent.append(now)

    def _count_answer(self, callback_id: str) -> None:
        """MAX takes at most two answers a second in one dialog."""
        user_id = self._callback_users.get(callback_id)
        if user_id is None or not self.enforce_rate:
            return
        now = time.monotonic()
        recent = [t for t in self._answers.get(user_id, []) if now - t < 1.0]
        if len(recent) >= ANSWERS_PER_SECOND:
            self.too_many_requests += 1
            raise MaxError(429, "too.many.requests", "Too many answers in this dialog")
        self._answers[user_id] = [*recent, now]

    async def _route(
        self, method: str, path: str, params: dict[str, str], body: Any
    ) -> dict[str, Any]:
        if path == "/me" and method == "GET":
            return dict(self.bot_user)
        if path == "/me" and method == "PATCH":
            self.commands = list((body or {}).get("commands", []))
            return dict(self.bot_user)
        if path == "/updates" and method == "GET":
            return await self._updates(params)
        if path == "/messages" and method == "POST":
            return self._send(params, body or {})
        if path.startswith("/messages/") and method == "GET":
            found = self._find(path.removeprefix("/messages/"))
            return found.raw(self.bot_user, self.people[found.user_id]["user"])
        if path == "/messages" and method == "PUT":
            return self._edit(params, body or {})
        if path == "/messages" and method == "DELETE":
            found = self._find(params.get("message_id", ""))
            found.deleted = True
            return {"success": True}
        if path == "/answers" and method == "POST":
            callback_id = params.get("callback_id", "")
            self._count_answer(callback_id)
            if not body or not (body.get("notification") or body.get("message")):
                raise MaxError(400, "proto.payload", "message or notification is required")
            self.notifications[callback_id] = body.get("notification") or ""
            return {"success": True}
        if path == "/uploads" and method == "POST":
            token = f"tok{next(self._tokens)}"
            self.uploads[token] = b""
            return {"url": f"{self.base_url}/upload/{token}"}
        if path == "/subscriptions":
            if method == "GET":
                return {"subscriptions": [{"url": s["url"]} for s in self.subscriptions]}
            if method == "POST":
                self.subscriptions = [s for s in self.subscriptions if s["url"] != body["url"]]
                self.subscriptions.append(body or {})
            if method == "DELETE":
                url = params.get("url")
                self.subscriptions = [s for s in self.subscriptions if s["url"] != url]
            return {"success": True}
        raise MaxError(404, "not.found", f"no method {method} {path}")

    async def _serve_upload(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if token not in self.uploads:
            return web.json_response({"code": "not.found", "message": "no upload"}, status=404)
        reader = await request.multipart()
        part = await reader.next()
        content = await part.read() if part is not None else b""  # type: ignore[union-attr]
        self.uploads[token] = bytes(content)
        return web.json_response({"token": token})

    async def _serve_file(self, request: web.Request) -> web.Response:
        """MAX's file server: a file's address, as an attachment gives it (no token needed)."""
        content = self.uploads.get(request.match_info["token"])
        if content is None:
            return web.Response(status=404)
        return web.Response(body=content, content_type="application/octet-stream")

    def _check_user(self, params: dict[str, str]) -> int:
        if "user_id" not in params:
            raise MaxError(400, "proto.param", "user_id or chat_id is required")
        user_id = int(params["user_id"])
        if user_id not in self.people:
            raise MaxError(404, "chat.not.found", f"no dialog with user {user_id}")
        if self.people[user_id].get("blocked"):
            raise MaxError(403, "chat.denied", "the user blocked the bot")
        return user_id

    def _check_attachments(self, body: dict[str, Any]) -> None:
        for attachment in body.get("attachments") or []:
            if attachment.get("type") in ("image", "file"):
                token = (attachment.get("payload") or {}).get("token")
                if token not in self.uploads:
                    raise MaxError(400, "attachment.invalid", f"unknown file token {token!r}")

    def _send(self, params: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        user_id = self._check_user(params)
        check_body(body)
        self._check_attachments(body)
        message = MaxMessage(
            mid=f"mid.{next(self._mids):016x}",
            user_id=user_id,
            from_bot=True,
            text=body.get("text") or "",
            attachments=list(body.get("attachments") or []),
            html=body.get("format") == "html",
            timestamp=int(time.time() * 1000),
        )
        self.dialogs.setdefault(user_id, []).append(message)
        return {"message": message.raw(self.bot_user, self.people[user_id]["user"])}

    def _edit(self, params: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        message = self._find(params.get("message_id", ""))
        if not message.from_bot:
            raise MaxError(403, "edit.denied", "a bot edits its own messages only")
        if "text" in body:
            check_body(body)
            message.text = body.get("text") or ""
            message.html = body.get("format") == "html"
        else:
            check_body({"attachments": body.get("attachments")})
        if "attachments" in body:  # as MAX: the attachments given replace them all
            self._check_attachments(body)
            message.attachments = list(body.get("attachments") or [])
        message.edits += 1
        return {"success": True}

    def _find(self, mid: str) -> MaxMessage:
        for dialog in self.dialogs.values():
            for message in dialog:
                if message.mid == mid and not message.deleted:
                    return message
        raise MaxError(404, "message.not.found", f"no message {mid}")

    async def _updates(self, params: dict[str, str]) -> dict[str, Any]:
        marker = int(params.get("marker") or 0)
        wait = float(params.get("timeout") or 0)
        deadline = time.monotonic() + min(wait, 30)
        async with self._changed:
            while len(self._queue) <= marker and time.monotonic() < deadline:
                try:
                    await asyncio.wait_for(self._changed.wait(), deadline - time.monotonic())
                except TimeoutError:
                    break
        found = self._queue[marker:]
        return {"updates": found, "marker": marker + len(found)}

    async def _signal(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # --- people -----------------------------------------------------------------------

    def open_dialog(self, user: dict[str, Any]) -> None:
        self.people.setdefault(user["user_id"], {"user": user})
        self.dialogs.setdefault(user["user_id"], [])

    def new_mid(self) -> str:
        return f"mid.{next(self._mids):016x}"

    def new_callback_id(self, user_id: int | None = None) -> str:
        callback_id = f"cb.{next(self._callbacks)}"
        if user_id is not None:
            self._callback_users[callback_id] = user_id
        return callback_id

    def add_upload(self, content: bytes) -> str:
        token = f"tok{next(self._tokens)}"
        self.uploads[token] = content
        return token

    async def deliver(self, update: dict[str, Any], *, user_id: int, within: float = 10.0) -> None:
        """Hand an update to the bot and return once it has handled it (in-process), or once
        the bot has written to this person or answered (polling)."""
        if self._attached is not None:
            dispatcher, bot = self._attached
            await feed(bot, dispatcher, update)
            return
        if self.subscriptions:
            status = await self.post_update(update)
            if status != 200:
                raise AssertionError(f"the bot answered MAX's post with {status}")
            return
        mark = len(self.calls)
        async with self._changed:
            self._queue.append(update)
            self._changed.notify_all()
        callback_id = (update.get("callback") or {}).get("callback_id")
        mids = {m.mid for m in self.dialogs.get(user_id, [])}

        def answered(call: Call) -> bool:
            if call.path == "/answers":
                return call.params.get("callback_id") == callback_id
            if call.path != "/messages":
                return False
            if call.method == "POST":
                return call.params.get("user_id") == str(user_id)
            return call.method == "PUT" and call.params.get("message_id") in mids

        await self.wait_for(lambda: any(answered(c) for c in self.calls[mark:]), within)

    async def post_update(self, update: dict[str, Any], secret: str | None = None) -> int:
        """POST one update to the subscribed webhook, with its secret unless told otherwise;
        returns the HTTP status (as MAX, it waits for the answer)."""
        subscription = self.subscriptions[-1]
        headers = {
            "X-Max-Bot-Api-Secret": subscription.get("secret", "") if secret is None else secret
        }
        async with ClientSession() as client:
            async with client.post(subscription["url"], json=update, headers=headers) as resp:
                return resp.status

    async def wait_for(self, condition: Any, within: float = 10.0) -> None:
        deadline = time.monotonic() + within
        async with self._changed:
            while not condition():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("the bot did not answer in time")
                try:
                    await asyncio.wait_for(self._changed.wait(), left)
                except TimeoutError:
                    continue
