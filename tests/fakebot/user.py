"""A person using the bot: types, taps buttons, sends files, and reads the chat."""

from __future__ import annotations

import copy
import mimetypes
from typing import Any

from .html import utf16_len
from .server import FakeBotAPI
from .state import CallbackAnswer, ChatMessage, ChatState


class TgUser:
    """Each action returns once the bot has handled it (see ``FakeBotAPI.deliver``).

    ``expect_reply`` (default True) makes an action fail unless the bot sent something to this
    chat (or answered the button press); pass False for actions the bot should ignore.
    """

    def __init__(
        self,
        api: FakeBotAPI,
        user_id: int,
        first_name: str = "Test",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "ru",
        chat_id: int | None = None,
    ) -> None:
        self.api = api
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.chat_id = user_id if chat_id is None else chat_id
        self.state: ChatState = api.open_chat(self.chat_id, self._chat_json())
        self._query_ids: list[str] = []

    @property
    def user_json(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if value := getattr(self, key):
                user[key] = value
        return user

    def _chat_json(self) -> dict[str, Any]:
        if self.chat_id < 0:
            kind = "supergroup" if str(self.chat_id).startswith("-100") else "group"
            return {"id": self.chat_id, "type": kind, "title": f"Group {-self.chat_id}"}
        chat: dict[str, Any] = {"id": self.chat_id, "type": "private"}
        for key in ("first_name", "last_name", "username"):
            if value := getattr(self, key):
                chat[key] = value
        return chat

    # --- actions ----------------------------------------------------------------------

    async def send(
        self, text: str, *, expect_reply: bool = True, within: float | None = None
    ) -> ChatMessage:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
            ]
        return await self._post(content, expect_reply=expect_reply, within=within)

    async def command(
        self,
        name: str,
        payload: str | None = None,
        *,
        expect_reply: bool = True,
        within: float | None = None,
    ) -> ChatMessage:
        text = f"/{name.lstrip('/')}" + (f" {payload}" if payload else "")
        return await self.send(text, expect_reply=expect_reply, within=within)

    async def press(
        self, label: str, *, expect_reply: bool = True, within: float | None = None
    ) -> ChatMessage:
        """Tap a button of the reply keyboard under the input field (it sends its label)."""
        labels = [text for row in self.keyboard or [] for text in row]
        if label not in labels:
            raise AssertionError(f"no reply-keyboard button {label!r}; the keyboard has {labels}")
        return await self.send(label, expect_reply=expect_reply, within=within)

    async def click(
        self,
        label: str,
        message: ChatMessage | None = None,
        *,
        expect_reply: bool = True,
        within: float | None = None,
    ) -> str | None:
        """Tap an inline button by its label; returns the toast/alert text the bot answered."""
        if message is None:
            message = next((m for m in reversed(self.bot_messages) if m.button(label)), None)
            if message is None:
                raise AssertionError(
                    f"no message in chat {self.chat_id} has a button {label!r}; "
                    f"buttons on screen: {self._all_labels()}"
                )
        button = message.button(label)
        if button is None or message.deleted:
            raise AssertionError(
                f"message #{message.message_id} has no button {label!r}; "
                f"it has {message.button_labels}"
            )
        if "callback_data" not in button:
            raise AssertionError(f"button {label!r} is not a callback button: {button}")
        return await self.click_data(
            message, button["callback_data"], expect_reply=expect_reply, within=within
        )

    async def click_data(
        self,
        message: ChatMessage | int,
        data: str,
        *,
        expect_reply: bool = True,
        within: float | None = None,
    ) -> str | None:
        """Send a callback query with arbitrary data, as a forged or stale client would."""
        if isinstance(message, int):
            found = self.state.find(message)
            if found is None:
                raise AssertionError(f"no message #{message} in chat {self.chat_id}")
            message = found
        query_id = self.api.new_callback_query(self.chat_id)
        self._query_ids.append(query_id)
        update = {
            "callback_query": {
                "id": query_id,
                "from": self.user_json,
                "message": copy.deepcopy(message.raw),
                "chat_instance": str(abs(hash((self.api.bot_id, self.chat_id)))),
                "data": data,
            }
        }
        await self.api.deliver(
            update,
            chat_id=self.chat_id,
            callback_id=query_id,
            expect_reply=expect_reply,
            within=within,
        )
        answer = self.api.callback_answers.get(query_id)
        return answer.text if answer else None

    async def upload_document(
        self,
        data: bytes,
        filename: str,
        caption: str | None = None,
        *,
        mime_type: str | None = None,
        expect_reply: bool = True,
        within: float | None = None,
    ) -> ChatMessage:
        mime = mime_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        stored = self.api.add_file(data, "document", filename, mime)
        content: dict[str, Any] = {"document": stored.document_json()}
        if caption:
            content["caption"] = caption
        return await self._post(content, stored, expect_reply=expect_reply, within=within)

    async def send_photo(
        self,
        data: bytes,
        caption: str | None = None,
        *,
        expect_reply: bool = True,
        within: float | None = None,
    ) -> ChatMessage:
        stored = self.api.add_file(data, "photo")
        content: dict[str, Any] = {"photo": stored.photo_json()}
        if caption:
            content["caption"] = caption
        return await self._post(content, stored, expect_reply=expect_reply, within=within)

    async def _post(
        self,
        content: dict[str, Any],
        stored: Any = None,
        *,
        expect_reply: bool,
        within: float | None,
    ) -> ChatMessage:
        message = self.api.post_user_message(self.state, self.user_json, content, stored)
        await self.api.deliver(
            {"message": copy.deepcopy(message.raw)},
            chat_id=self.chat_id,
            expect_reply=expect_reply,
            within=within,
        )
        return message

    # --- what the user sees -----------------------------------------------------------

    @property
    def messages(self) -> list[ChatMessage]:
        """The chat as it stands: both sides, edits applied, deleted messages gone."""
        return self.state.visible

    @property
    def bot_messages(self) -> list[ChatMessage]:
        return [m for m in self.state.visible if m.from_bot]

    @property
    def texts(self) -> list[str]:
        return [m.text for m in self.bot_messages]

    @property
    def last(self) -> ChatMessage:
        """The bot's latest message in this chat."""
        mine = self.bot_messages
        if not mine:
            raise AssertionError(f"the bot has not written to chat {self.chat_id}")
        return mine[-1]

    @property
    def keyboard(self) -> list[list[str]] | None:
        """The reply keyboard under the input field, row by row, if the bot set one."""
        return self.state.keyboard

    @property
    def alerts(self) -> list[CallbackAnswer]:
        """The bot's answers to this user's button presses, in order."""
        answers = self.api.callback_answers
        return [answers[q] for q in self._query_ids if q in answers]

    def _all_labels(self) -> list[list[str]]:
        return [m.button_labels for m in self.bot_messages if m.button_labels]

    def __repr__(self) -> str:
        return f"<TgUser {self.id} {self.first_name!r} chat={self.chat_id}>"
