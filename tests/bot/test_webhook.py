"""Webhook mode at the HTTP level: Telegram's secret header is checked on every update, and
the probes tell an orchestrator whether the process is up and whether it is ready."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.app import create_dispatcher, drop_webhook
from bot.web import RECEIVER, create_web_app
from core.config import Settings
from core.i18n import create_i18n
from storage.db import create_engine
from tests.fakebot import FakeBotAPI, TgUser
from tests.fakebot.state import Webhook

SECRET = "s3cret_of-the-college"


def webhook_app(api: FakeBotAPI, engine: AsyncEngine, db_url: str) -> web.Application:
    settings = Settings(
        bot_token=api.token,
        telegram_api_url=api.base_url,
        database_url=db_url,
        default_locale="en",
        webhook_url="https://bot.example.org/telegram/updates",
        webhook_secret=SECRET,
    )
    i18n = create_i18n(settings.default_locale)
    session_factory = async_sessionmaker(engine, expire_on_commit=False)
    dp = create_dispatcher(settings, session_factory, i18n)
    return create_web_app(api.make_bot(), dp, settings, engine, i18n=i18n)


@pytest.fixture
async def client(
    fake_api: FakeBotAPI, engine: AsyncEngine, db_url: str
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    async with TestClient(TestServer(webhook_app(fake_api, engine, db_url))) as client:
        # Telegram posts to the path of WEBHOOK_URL; the proxy keeps it.
        url = str(client.make_url("/telegram/updates"))
        fake_api.webhook = Webhook(url, SECRET, None)
        yield client


async def test_an_update_without_the_secret_is_refused_and_has_no_effect(
    client: TestClient[web.Request, web.Application],
    fake_api: FakeBotAPI,
) -> None:
    stranger = TgUser(fake_api, 5_000_001, "Guest", language_code="en")
    message = fake_api.post_user_message(
        stranger.state, stranger.user_json, {"text": "/start", "entities": []}
    )
    update = fake_api.new_update({"message": copy.deepcopy(message.raw)})

    assert await fake_api.post_update(update, secret=None) == 401
    assert await fake_api.post_update(update, secret="a-guess") == 401
    assert await fake_api.post_update(update, secret=SECRET[:-1]) == 401

    # Refused before anything ran: no task was started, so nothing can still come.
    assert fake_api.calls(chat_id=stranger.chat_id) == []

    # The very same update with the secret is handled.
    assert await fake_api.post_update(update, secret=SECRET) == 200
    await fake_api.wait_for_call("sendMessage", match=lambda r: r.chat_id == stranger.chat_id)


async def test_an_update_with_the_secret_is_answered(
    client: TestClient[web.Request, web.Application],
    fake_api: FakeBotAPI,
) -> None:
    stranger = TgUser(fake_api, 5_000_002, "Guest", language_code="en")
    await stranger.command("start")  # delivered by POST with the secret header, like Telegram

    assert fake_api.webhook_posts == [200]
    assert stranger.bot_messages, "the /start got no reply"


async def test_the_200_comes_only_once_the_update_is_handled(
    client: TestClient[web.Request, web.Application],
    fake_api: FakeBotAPI,
) -> None:
    """Until Telegram has its 200 it keeps the update, so a process dying mid-update loses
    nothing: the 200 waits for the handler (and its commit)."""
    guest = TgUser(fake_api, 5_000_003, "Guest", language_code="en")
    message = fake_api.post_user_message(
        guest.state,
        guest.user_json,
        {"text": "/start", "entities": [{"type": "bot_command", "offset": 0, "length": 6}]},
    )
    update = fake_api.new_update({"message": copy.deepcopy(message.raw)})
    release = fake_api.hold("sendMessage")  # the reply is caught half-way
    posting = asyncio.create_task(fake_api.post_update(update, secret=SECRET))
    await fake_api.wait_for_call("sendMessage", match=lambda r: r.chat_id == guest.chat_id)
    receiver = client.server.app[RECEIVER]
    assert receiver.in_flight == 1 and not posting.done()

    release.set()
    assert await posting == 200
    (reply,) = fake_api.calls("sendMessage", chat_id=guest.chat_id)
    assert reply.ok and reply.finished is not None  # answered before the 200 went out
    assert receiver.in_flight == 0


async def test_the_probes_answer_when_the_store_is_current(
    client: TestClient[web.Request, web.Application],
) -> None:
    health = await client.get("/healthz")
    ready = await client.get("/readyz")
    assert (health.status, await health.text()) == (200, "ok")
    assert (ready.status, await ready.text()) == (200, "ready")


async def test_not_ready_while_the_store_is_behind_the_code(
    client: TestClient[web.Request, web.Application], engine: AsyncEngine
) -> None:
    async with engine.begin() as conn:
        head = await conn.scalar(text("SELECT version_num FROM alembic_version"))
        await conn.execute(text("UPDATE alembic_version SET version_num = '0008'"))
    try:
        ready = await client.get("/readyz")
        assert ready.status == 503
        assert "0008" in await ready.text()
        assert (await client.get("/healthz")).status == 200  # up, just not ready
    finally:
        async with engine.begin() as conn:
            await conn.execute(
                text("UPDATE alembic_version SET version_num = :head"), {"head": head}
            )


async def test_not_ready_while_the_store_is_unreachable(fake_api: FakeBotAPI, db_url: str) -> None:
    # Nothing listens on port 1: the connection is refused at once.
    down = create_engine("postgresql+asyncpg://postgres@127.0.0.1:1/journal")
    try:
        async with TestClient(TestServer(webhook_app(fake_api, down, db_url))) as client:
            ready = await client.get("/readyz")
            assert (ready.status, await ready.text()) == (503, "store unreachable")
            assert (await client.get("/healthz")).status == 200
    finally:
        await down.dispose()


async def test_long_polling_removes_a_webhook_left_registered(fake_api: FakeBotAPI) -> None:
    bot = fake_api.make_bot()
    await drop_webhook(bot)
    assert fake_api.calls("deleteWebhook") == []  # nothing registered: nothing to remove

    fake_api.webhook = Webhook("https://bot.example.org/telegram", SECRET, None)
    await drop_webhook(bot)
    assert fake_api.webhook is None
    (call,) = fake_api.calls("deleteWebhook")
    assert not call.params.get("drop_pending_updates")  # the waiting updates are kept
