"""Which messenger a chat or a user belongs to, read from its id.

The journal speaks to people through Telegram and through MAX. Both name users and chats by
integers, and the two ranges may overlap, so the store keeps MAX's ids shifted by
``MAX_BASE`` (2**53): Telegram's ids have at most 52 significant bits (its Bot API promises
it), MAX's are positive 64-bit integers well below 2**62. So every chat id and user id in the
store, the outbox, the conversation states and the dedup keys names one chat of one messenger,
and needs no second column to say which.
"""

from __future__ import annotations

from enum import StrEnum

MAX_BASE = 2**53


class Messenger(StrEnum):
    TELEGRAM = "telegram"
    MAX = "max"


def messenger_of(chat_or_user_id: int) -> Messenger:
    return Messenger.MAX if chat_or_user_id >= MAX_BASE else Messenger.TELEGRAM


def from_max(max_id: int) -> int:
    """A MAX user or chat id as the journal stores it."""
    if max_id < 0 or max_id >= MAX_BASE * 1023:
        raise ValueError(f"not a MAX id the journal can store: {max_id}")
    return MAX_BASE + max_id


def to_max(stored_id: int) -> int:
    """The MAX id of a stored id (the reverse of ``from_max``)."""
    if stored_id < MAX_BASE:
        raise ValueError("not a MAX id")
    return stored_id - MAX_BASE


def bot_address(messenger: Messenger, username: str) -> str:
    """Where a bot is found: ``t.me/<name>`` in Telegram, ``max.ru/<name>`` in MAX."""
    return f"max.ru/{username}" if messenger is Messenger.MAX else f"t.me/{username}"


def start_link(bot: str, payload: str) -> str:
    """A link that opens the bot with a start payload (an invite's code, a lesson). ``bot`` is
    an address of ``bot_address`` or a plain Telegram username."""
    address = bot if "/" in bot else f"t.me/{bot}"
    return f"https://{address}?start={payload}"


# A file a person sent in MAX is kept by the token MAX gave it, behind one of these prefixes
# (bot/max/translate.py); any other file id is Telegram's.
MAX_FILE_PREFIXES = ("max-image:", "max-file:")


def file_messenger(file_id: str) -> Messenger:
    """The messenger that can send the file again by its id (neither can send the other's)."""
    return Messenger.MAX if file_id.startswith(MAX_FILE_PREFIXES) else Messenger.TELEGRAM
