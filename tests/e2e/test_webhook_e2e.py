"""End to end in webhook mode: the real ``journal-bot run`` listening for Telegram's posts.

It registers its address with the secret, refuses a post without the secret, answers one
with it, tells an orchestrator it is up and ready, and on SIGTERM finishes the update it is
handling before it exits.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import ClientConnectionError, ClientSession

from tests.fakebot import FakeBotAPI, TgUser
from tests.fakebot.process import BotProcess, free_port

pytestmark = pytest.mark.e2e

SECRET = "college-secret_42"


@pytest.fixture
async def webhook_bot(tmp_path: Path) -> AsyncIterator[tuple[FakeBotAPI, BotProcess, str]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with FakeBotAPI() as api:
        env = {
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'journal.sqlite3'}",
            "DEFAULT_LOCALE": "en",
            "WEBHOOK_URL": f"{base}/telegram",
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_PORT": str(port),
        }
        async with BotProcess(api, env=env) as process:
            yield api, process, base


def start_update(api: FakeBotAPI, user: TgUser) -> dict[str, object]:
    message = api.post_user_message(user.state, user.user_json, {"text": "/start"})
    message.raw["entities"] = [{"type": "bot_command", "offset": 0, "length": 6}]
    return api.new_update({"message": copy.deepcopy(message.raw)})


async def test_webhook_refuses_a_post_without_the_secret_and_answers_one_with_it(
    webhook_bot: tuple[FakeBotAPI, BotProcess, str],
) -> None:
    api, _process, base = webhook_bot
    assert api.webhook is not None
    assert (api.webhook.url, api.webhook.secret_token) == (f"{base}/telegram", SECRET)
    assert api.webhook.allowed_updates and "callback_query" in api.webhook.allowed_updates
    assert api.calls("getUpdates") == []  # webhook mode never polls

    intruder = TgUser(api, 6_000_001, "Intruder", language_code="en")
    update = start_update(api, intruder)
    assert await api.post_update(update, secret=None) == 401
    assert await api.post_update(update, secret="guessed") == 401
    assert api.calls(chat_id=intruder.chat_id) == []  # refused before any handling began

    guest = TgUser(api, 6_000_002, "Guest", language_code="en")
    await guest.command("start")  # posted with the registered secret, as Telegram does
    assert guest.bot_messages, "the /start got no reply"

    async with ClientSession() as http:
        async with http.get(f"{base}/healthz") as health:
            assert health.status == 200
        async with http.get(f"{base}/readyz") as ready:
            assert (ready.status, await ready.text()) == (200, "ready")


async def test_sigterm_mid_update_finishes_the_update_then_exits(
    webhook_bot: tuple[FakeBotAPI, BotProcess, str],
) -> None:
    api, process, base = webhook_bot
    guest = TgUser(api, 6_000_003, "Guest", language_code="en")
    release = api.hold("sendMessage")  # the reply to /start is caught half-way
    mark = len(api.requests)
    start = asyncio.create_task(guest.command("start"))
    await api.wait_for_call("sendMessage", after=mark)

    assert process.process is not None
    process.process.terminate()
    await process.wait_for_output("finishing 1 in flight")
    # No longer taking updates: a new connection is refused, one kept alive answers 503, so
    # Telegram or the proxy delivers the update to another replica.
    late = start_update(api, guest)
    assert await api.post_update(late, secret=SECRET) == 503
    with pytest.raises(ClientConnectionError):
        async with ClientSession() as http:
            await http.post(f"{base}/telegram", json=late)
    assert process.returncode is None  # still finishing the update

    release.set()
    await start  # the held reply went through
    assert await process.process.wait() == 0  # it exits by itself
    assert guest.bot_messages, "the reply was lost"
    assert "unfinished" not in process.stderr
