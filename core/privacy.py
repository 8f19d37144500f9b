"""What the logs may say about a person: never a name, a phone or a whole chat id.

A chat id is a person's Telegram identity; the log keeps its last digits, enough to tell two
chats apart while reading one incident, not enough to find the person."""

from __future__ import annotations

SHOWN_DIGITS = 3


def masked_chat(chat_id: int) -> str:
    digits = str(abs(chat_id))
    sign = "-" if chat_id < 0 else ""  # groups stay recognisable as groups
    return f"{sign}…{digits[-SHOWN_DIGITS:]}"
