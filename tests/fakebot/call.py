"""Decoding one Bot API request: query string, JSON or form body, uploaded files.

aiogram posts every call as a form (urlencoded, or multipart when a file goes along) with
nested objects as JSON strings; other clients post JSON. Both end up as the same ``Call``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.web_request import FileField

from .state import bad_request

JSON_FIELDS = frozenset(
    {
        "reply_markup", "entities", "caption_entities", "commands", "scope", "menu_button",
        "link_preview_options", "reply_parameters", "allowed_updates", "media",
    }
)  # fmt: skip
INT_FIELDS = frozenset(
    {
        "chat_id", "message_id", "offset", "limit", "timeout", "cache_time", "from_chat_id",
        "message_thread_id", "user_id", "reply_to_message_id",
    }
)  # fmt: skip
BOOL_FIELDS = frozenset(
    {
        "show_alert", "disable_notification", "protect_content", "drop_pending_updates",
        "disable_content_type_detection", "disable_web_page_preview", "allow_sending_without_reply",
    }
)  # fmt: skip


@dataclass
class Upload:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str | None
    content: bytes


@dataclass
class Call:
    params: dict[str, Any]
    uploads: dict[str, Upload] = field(default_factory=dict)

    def text(self, name: str) -> str | None:
        value = self.params.get(name)
        return None if value is None else str(value)

    def integer(self, name: str) -> int | None:
        value = self.params.get(name)
        if value is None:
            return None
        if isinstance(value, int):
            return value
        raise bad_request(f"{name} must be an integer")

    def required_int(self, name: str, missing: str) -> int:
        value = self.integer(name)
        if value is None:
            raise bad_request(missing)
        return value

    def flag(self, name: str) -> bool:
        return bool(self.params.get(name, False))

    def obj(self, name: str) -> Any:
        return self.params.get(name)


async def read_call(request: web.Request) -> Call:
    params: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.content_type == "application/json":
        body = await request.json()
        if not isinstance(body, dict):
            raise bad_request("request body must be a JSON object")
        params.update(body)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, FileField):
                uploads[key] = Upload(value.filename, value.content_type, value.file.read())
            else:
                params[key] = value
    return Call({key: _decode(key, value) for key, value in params.items()}, uploads)


def _decode(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if key in JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {key} JSON object") from None
    if key in INT_FIELDS:
        try:
            return int(value)
        except ValueError:
            return value  # "@channelusername" stays a string
    if key in BOOL_FIELDS:
        return value.lower() in ("true", "1")
    return value
