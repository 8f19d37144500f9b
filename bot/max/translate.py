"""Between MAX's Bot API and the Bot API objects the handlers know.

MAX's updates become aiogram ``Update`` objects (a ``bot_started`` with a payload is the
``/start <payload>`` of a deep link), and the keyboards the handlers build become MAX's
``inline_keyboard`` attachment. Pure functions: the session (bot/max/session.py) adds the
store's message numbers and the HTTP calls.

Ids: a MAX user id is given to the handlers shifted (core/messenger.py ``from_max``), and a
person's dialog with the bot is the "private chat" of that id, as in Telegram, where a private
chat's id is its user's id. Messages go to a user (``POST /messages?user_id=``), never to a
dialog's own chat id.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from typing import Any

from aiogram.types import (
    ForceReply,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from core.messenger import MAX_BASE, MAX_FILE_PREFIXES, from_max

# MAX's limits (dev.max.ru, "Отправить сообщение" and "Клавиатура"): the fake server of the
# tests enforces the same.
TEXT_LIMIT = 4000  # characters of a message's text
BUTTONS_MAX = 210  # buttons of a keyboard
ROWS_MAX = 30
ROW_MAX = 7  # buttons in a row
LINK_ROW_MAX = 3  # buttons in a row that has a link button
PAYLOAD_MAX = 1024  # bytes of a callback button's payload
BUTTON_TEXT_MAX = 128
# Tags MAX renders with ``format: "html"``; the journal's screens use a subset of these.
HTML_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "del", "strike", "code", "pre", "a", "blockquote"}
)

# A file kept by the journal as a ``file_id``: MAX re-sends a file by the token it gave.
IMAGE_PREFIX, FILE_PREFIX = MAX_FILE_PREFIXES

UPDATE_TYPES = ("message_created", "message_callback", "bot_started")


@dataclass(frozen=True)
class Keyboard:
    """A translated keyboard: MAX's attachment, and the buttons MAX cannot show."""

    attachment: dict[str, Any] | None
    dropped: tuple[str, ...] = ()


def keyboard(markup: Any) -> Keyboard:
    """An aiogram reply markup as MAX's ``inline_keyboard`` attachment.

    Callback buttons keep their ``callback_data`` as the payload, URL buttons become link
    buttons; a web app button (the journal grid, which signs in with Telegram's initData) and
    buttons of other kinds (inline queries, games, payments) are dropped.
    Reply keyboards are not used by the journal; MAX would show their buttons as ``message``
    buttons, which send their label."""
    if markup is None or isinstance(markup, ReplyKeyboardRemove | ForceReply):
        return Keyboard(None)
    if isinstance(markup, dict):
        if "inline_keyboard" in markup:
            markup = InlineKeyboardMarkup.model_validate(markup)
        elif "keyboard" in markup:
            markup = ReplyKeyboardMarkup.model_validate(markup)
        else:
            return Keyboard(None)
    rows: list[list[dict[str, Any]]] = []
    dropped: list[str] = []
    if isinstance(markup, ReplyKeyboardMarkup):
        for reply_row in markup.keyboard:
            rows.append([{"type": "message", "text": b.text} for b in reply_row])
        return Keyboard(_attachment(rows))
    for row in markup.inline_keyboard:
        out: list[dict[str, Any]] = []
        for button in row:
            if button.callback_data is not None:
                out.append(
                    {"type": "callback", "text": button.text, "payload": button.callback_data}
                )
            elif button.url:
                out.append({"type": "link", "text": button.text, "url": button.url})
            else:  # a web app (the journal grid signs in with Telegram's initData): not here
                dropped.append(button.text)
        if out:
            rows.append(out)
    return Keyboard(_attachment(rows), tuple(dropped))


def _attachment(rows: list[list[dict[str, Any]]]) -> dict[str, Any] | None:
    if not rows:
        return None
    return {"type": "inline_keyboard", "payload": {"buttons": rows}}


def buttons_of(attachments: list[dict[str, Any]] | None) -> list[list[dict[str, Any]]]:
    for attachment in attachments or []:
        if attachment.get("type") == "inline_keyboard":
            return list(attachment.get("payload", {}).get("buttons", []))
    return []


def inline_markup(attachments: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    """MAX's keyboard back as a Bot API ``reply_markup`` (what a message carries)."""
    rows = []
    for row in buttons_of(attachments):
        out = []
        for button in row:
            if button.get("type") == "callback":
                out.append({"text": button["text"], "callback_data": button.get("payload", "")})
            elif button.get("type") == "link":
                out.append({"text": button["text"], "url": button["url"]})
        if out:
            rows.append(out)
    return {"inline_keyboard": rows} if rows else None


def user(max_user: dict[str, Any], locale: str | None = None) -> dict[str, Any]:
    """A MAX user as a Bot API ``User``."""
    first = max_user.get("first_name") or max_user.get("name") or ""
    found: dict[str, Any] = {
        "id": from_max(int(max_user["user_id"])),
        "is_bot": bool(max_user.get("is_bot", False)),
        "first_name": first or "-",
    }
    if max_user.get("last_name"):
        found["last_name"] = max_user["last_name"]
    if max_user.get("username"):
        found["username"] = max_user["username"]
    if locale:
        found["language_code"] = locale
    return found


def private_chat(person: dict[str, Any]) -> dict[str, Any]:
    chat: dict[str, Any] = {"id": person["id"], "type": "private"}
    for key in ("first_name", "last_name", "username"):
        if key in person:
            chat[key] = person[key]
    return chat


def attachments_as_content(attachments: list[dict[str, Any]] | None) -> dict[str, Any]:
    """A person's photo or file as the Bot API message's ``photo`` or ``document``."""
    for attachment in attachments or []:
        kind, payload = attachment.get("type"), attachment.get("payload") or {}
        token = payload.get("token")
        if not token:
            continue
        if kind == "image":
            unique = str(payload.get("photo_id") or token)[:64]
            return {
                "photo": [
                    {
                        "file_id": IMAGE_PREFIX + token,
                        "file_unique_id": unique,
                        "width": int(payload.get("width") or 0),
                        "height": int(payload.get("height") or 0),
                    }
                ]
            }
        if kind == "file":
            name = attachment.get("filename") or "file"
            document: dict[str, Any] = {
                "file_id": FILE_PREFIX + token,
                "file_unique_id": str(payload.get("fileId") or token)[:64],
                "file_name": name,
                "mime_type": mimetypes.guess_type(name)[0] or "application/octet-stream",
            }
            if attachment.get("size") is not None:
                document["file_size"] = int(attachment["size"])
            return {"document": document}
    return {}


def message(
    max_message: dict[str, Any], number: int, person: dict[str, Any], *, from_bot: dict[str, Any]
) -> dict[str, Any]:
    """A MAX message (``number`` is its number in the store) as a Bot API ``Message`` in the
    private chat of ``person``; written by the bot when its sender is a bot."""
    body = max_message.get("body") or {}
    sender = max_message.get("sender") or {}
    author = from_bot if sender.get("is_bot") else person
    found: dict[str, Any] = {
        "message_id": number,
        "date": int(max_message.get("timestamp", 0)) // 1000,
        "chat": private_chat(person),
        "from": author,
    }
    text = body.get("text") or ""
    content = attachments_as_content(body.get("attachments"))
    if content:
        found.update(content)
        if text:
            found["caption"] = text
    else:
        found["text"] = text
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            found["entities"] = [
                {
                    "type": "bot_command",
                    "offset": 0,
                    "length": len(command.encode("utf-16-le")) // 2,
                }
            ]
    markup = inline_markup(body.get("attachments"))
    if markup:
        found["reply_markup"] = markup
    return found


def update_id(kind: str, key: str) -> int:
    """MAX's updates have no ids: one is made from what makes the update unique (a message's
    id, a press's callback id), above Telegram's ids, so that a webhook's second delivery is
    recognised (handlers/middlewares.py) and never taken for a Telegram update."""
    digest = hashlib.sha256(f"{kind}:{key}".encode()).digest()
    return MAX_BASE + int.from_bytes(digest[:6], "big")
