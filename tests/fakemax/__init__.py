"""Test rig: a fake MAX Bot API server and people using the bot in MAX.

async with FakeMaxAPI() as api:
    bot = create_max_bot(settings, session_factory)
    api.attach(dispatcher, bot)          # or let the bot poll api.base_url
    parent = MaxUser(api, 501, "Olga")
    await parent.open_link(invite_link)
    await parent.click("📖 Diary")
"""

from .server import Call, FakeMaxAPI, MaxError, MaxMessage, check_body, visible_text
from .user import MaxUser

__all__ = ["Call", "FakeMaxAPI", "MaxError", "MaxMessage", "MaxUser", "check_body", "visible_text"]
