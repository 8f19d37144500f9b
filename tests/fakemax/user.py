"""A person using the bot in MAX: opens an invite link, types, taps buttons, sends a photo."""

from __future__ import annotations

import time
from typing import Any

from core.messenger import from_max

from .server import FakeMaxAPI, MaxMessage


class MaxUser:
    """Each action returns once the bot has handled it (see ``FakeMaxAPI.deliver``)."""

    def __init__(
        self, api: FakeMaxAPI, user_id: int, first_name: str = "Test", *, locale: str = "en"
    ) -> None:
        self.api = api
        self.user_id = user_id  # MAX's own id
        self.first_name = first_name
        self.locale = locale
        self.user = {
            "user_id": user_id,
            "first_name": first_name,
            "name": first_name,
            "is_bot": False,
        }
        api.open_dialog(self.user)
        self._callbacks: list[str] = []

    @property
    def stored_id(self) -> int:
        """The id the journal stores for this person (core/messenger.py)."""
        return from_max(self.user_id)

    # --- actions ------------------------------------------------------------------------

    async def start(self, payload: str | None = None) -> None:
        """Open the bot by its link ``https://max.ru/<bot>?start=<payload>``."""
        update: dict[str, Any] = {
            "update_type": "bot_started",
            "timestamp": self._now(),
            "chat_id": 7_000_000 + self.user_id,
            "user": self.user,
            "user_locale": self.locale,
        }
        if payload:
            update["payload"] = payload
        await self.api.deliver(update, user_id=self.user_id)

    async def open_link(self, link: str) -> None:
        prefix = f"https://max.ru/{self.api.bot_user['username']}?start="
        assert link.startswith(prefix), f"not a MAX link of this bot: {link}"
        await self.start(link.removeprefix(prefix))

    async def send(self, text: str, attachments: list[dict[str, Any]] | None = None) -> None:
        message = MaxMessage(
            mid=self.api.new_mid(),
            user_id=self.user_id,
            from_bot=False,
            text=text,
            attachments=attachments or [],
            timestamp=self._now(),
        )
        self.api.dialogs[self.user_id].append(message)
        update = {
            "update_type": "message_created",
            "timestamp": message.timestamp,
            "message": message.raw(self.api.bot_user, self.user),
            "user_locale": self.locale,
        }
        await self.api.deliver(update, user_id=self.user_id)

    async def send_photo(self, content: bytes, caption: str = "") -> None:
        token = self.api.add_upload(content)
        image = {
            "type": "image",
            "payload": {
                "photo_id": 1000 + len(self.api.uploads),
                "token": token,
                "url": f"{self.api.base_url}/files/{token}",
            },
        }
        await self.send(caption, [image])

    async def click(self, label: str, message: MaxMessage | None = None) -> str | None:
        """Tap a callback button by its label; returns the notification the bot answered."""
        if message is None:
            message = next((m for m in reversed(self.bot_messages) if m.button(label)), None)
            if message is None:
                labels = [m.button_labels for m in self.bot_messages if m.buttons]
                raise AssertionError(f"no button {label!r}; buttons on screen: {labels}")
        button = message.button(label)
        assert button is not None and button["type"] == "callback", button
        callback_id = self.api.new_callback_id(self.user_id)
        self._callbacks.append(callback_id)
        update = {
            "update_type": "message_callback",
            "timestamp": self._now(),
            "callback": {
                "timestamp": self._now(),
                "callback_id": callback_id,
                "payload": button["payload"],
                "user": self.user,
            },
            "message": message.raw(self.api.bot_user, self.user),
            "user_locale": self.locale,
        }
        await self.api.deliver(update, user_id=self.user_id)
        return self.api.notifications.get(callback_id)

    # --- what the person sees -------------------------------------------------------------

    @property
    def bot_messages(self) -> list[MaxMessage]:
        return [m for m in self.api.dialogs[self.user_id] if m.from_bot and not m.deleted]

    @property
    def last(self) -> MaxMessage:
        mine = self.bot_messages
        if not mine:
            raise AssertionError(f"the bot has not written to MAX user {self.user_id}")
        return mine[-1]

    @property
    def texts(self) -> list[str]:
        return [m.visible for m in self.bot_messages]

    @staticmethod
    def _now() -> int:
        return int(time.time() * 1000)
