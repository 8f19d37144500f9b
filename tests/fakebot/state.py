"""What the fake server remembers: chats as their users see them, files, requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class ApiError(Exception):
    """An error answer in the Bot API's shape: ``{"ok": false, "error_code", "description"}``."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


@dataclass
class Webhook:
    """Where the bot asked (setWebhook) to be sent its updates."""

    url: str
    secret_token: str | None
    allowed_updates: list[str] | None


@dataclass
class StoredFile:
    """A file the server holds, uploaded by the bot or by a simulated user."""

    file_id: str
    file_unique_id: str
    content: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    url: str | None = None  # sent by URL: Telegram would fetch it, the fake only remembers it

    @property
    def size(self) -> int:
        return len(self.content)

    def file_json(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "file_path": self.file_path,
        }

    def document_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
        }
        if self.file_name:
            doc["file_name"] = self.file_name
        if self.mime_type:
            doc["mime_type"] = self.mime_type
        return doc

    def photo_json(self) -> list[dict[str, Any]]:
        # One size is enough for ``message.photo[-1]``; the fake does not decode images.
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "file_size": self.size,
                "width": 1280,
                "height": 960,
            }
        ]


@dataclass
class ChatMessage:
    """One message of a chat as it currently stands (edits change it in place)."""

    chat_id: int
    message_id: int
    from_bot: bool
    raw: dict[str, Any]  # the Message object in Bot API JSON, kept current
    html: str | None = None  # the markup the bot sent, before parsing
    file: StoredFile | None = None
    deleted: bool = False

    @property
    def text(self) -> str:
        """What the user reads: the text, or the caption of a document or photo."""
        return str(self.raw.get("text") or self.raw.get("caption") or "")

    @property
    def entities(self) -> list[dict[str, Any]]:
        return list(self.raw.get("entities") or self.raw.get("caption_entities") or [])

    @property
    def edited(self) -> bool:
        return "edit_date" in self.raw

    @property
    def document(self) -> StoredFile | None:
        return self.file if "document" in self.raw else None

    @property
    def photo(self) -> StoredFile | None:
        return self.file if "photo" in self.raw else None

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        return self.raw.get("reply_markup")

    @property
    def inline_buttons(self) -> list[list[dict[str, Any]]]:
        markup = self.reply_markup or {}
        return [list(row) for row in markup.get("inline_keyboard", [])]

    @property
    def buttons(self) -> list[list[str]]:
        """Inline keyboard labels, row by row."""
        return [[button["text"] for button in row] for row in self.inline_buttons]

    @property
    def button_labels(self) -> list[str]:
        return [label for row in self.buttons for label in row]

    def button(self, label: str) -> dict[str, Any] | None:
        for row in self.inline_buttons:
            for button in row:
                if button["text"] == label:
                    return button
        return None

    def __repr__(self) -> str:
        who = "bot" if self.from_bot else "user"
        flags = " edited" if self.edited else ""
        return f"<{who} #{self.message_id}{flags} {self.text!r} buttons={self.buttons}>"


@dataclass
class ChatState:
    """A chat: its messages, the reply keyboard the user has, the menu button."""

    chat_id: int
    chat: dict[str, Any]
    messages: list[ChatMessage] = field(default_factory=list)
    keyboard: list[list[str]] | None = None  # current reply keyboard (not inline)
    menu_button: dict[str, Any] | None = None
    started: bool = False  # the user has opened the chat, so the bot may write
    blocked: bool = False
    last_message_id: int = 0

    def next_message_id(self) -> int:
        self.last_message_id += 1
        return self.last_message_id

    @property
    def visible(self) -> list[ChatMessage]:
        return [m for m in self.messages if not m.deleted]

    def find(self, message_id: int) -> ChatMessage | None:
        for message in self.messages:
            if message.message_id == message_id and not message.deleted:
                return message
        return None


@dataclass
class RecordedRequest:
    """A call the bot made, with its parameters decoded (JSON fields parsed)."""

    method: str
    params: dict[str, Any]
    time: float  # event-loop time when it arrived
    finished: float | None = None
    status: int = 200
    description: str | None = None
    result: Any = None
    content_type: str = ""  # how the bot posted it: JSON, a form, a multipart form

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        try:
            return int(value) if value is not None else None
        except (TypeError, ValueError):
            return None

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class CallbackAnswer:
    """The bot's answer to a button press: a toast, an alert, or nothing visible."""

    query_id: str
    text: str | None
    show_alert: bool
    url: str | None = None


@dataclass
class Fault:
    """A scripted failure for the next matching requests."""

    method: str
    chat_id: int | None
    status: int
    retry_after: int | None
    description: str | None
    times: int

    def matches(self, method: str, chat_id: int | None) -> bool:
        if self.method.lower() != method.lower():
            return False
        return self.chat_id is None or self.chat_id == chat_id
