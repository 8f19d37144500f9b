"""Test rig: a fake Telegram Bot API server and simulated users of the bot.

async with FakeBotAPI() as api:
    bot = api.make_bot()
    api.attach(dispatcher, bot)          # or let the bot poll api.base_url
    teacher = TgUser(api, 1001, "Anna")
    await teacher.command("start")
    assert "Welcome" in teacher.last.text
    await teacher.click("Attendance")
"""

from .html import EntityParseError, parse_html
from .limits import RateLimits
from .server import FakeBotAPI
from .state import CallbackAnswer, ChatMessage, ChatState, RecordedRequest, StoredFile
from .user import TgUser

__all__ = [
    "CallbackAnswer",
    "ChatMessage",
    "ChatState",
    "EntityParseError",
    "FakeBotAPI",
    "RateLimits",
    "RecordedRequest",
    "StoredFile",
    "TgUser",
    "parse_html",
]
