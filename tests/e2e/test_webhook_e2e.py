"""End to end in webhook mode: the real ``journal-bot run`` listening for Telegram's posts.

It registers its address with the secret, refuses a post without the secret, answers one
with it, tells an orchestrator it is up and ready, and on SIGTERM finishes the update it is
handling before it exits. Killed with SIGKILL mid-update, it had not answered Telegram yet:
the update is delivered again (to the process started again, or to another replica) and is
answered and stored once.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import ClientConnectionError, ClientSession
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import utcnow
from services.people import invites
from storage.models import Person, ProcessedUpdate, TelegramAccount
from tests.factories import College
from tests.fakebot import ChatMessage, FakeBotAPI, TgUser
from tests.fakebot.process import BotProcess, free_port
from tests.fakebot.server import SECRET_HEADER

pytestmark = pytest.mark.e2e

SECRET = "college-secret_42"


START = 300.0  # bounds a failure only: a loaded machine may take long to import and migrate


def webhook_env(db_url: str, port: int) -> dict[str, str]:
    return {
        "DATABASE_URL": db_url,
        "DEFAULT_LOCALE": "en",
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_PORT": str(port),
    }


@pytest.fixture
async def webhook_bot(tmp_path: Path) -> AsyncIterator[tuple[FakeBotAPI, BotProcess, str]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with FakeBotAPI() as api:
        env = webhook_env(f"sqlite+aiosqlite:///{tmp_path / 'journal.sqlite3'}", port)
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
    kept = ClientSession()  # a connection opened before the stop and kept alive
    async with kept.get(f"{base}/healthz") as health:
        assert health.status == 200

    assert process.process is not None
    process.process.terminate()
    await process.wait_for_output("finishing 1 in flight")
    # No longer taking updates: a new connection is refused, one kept alive answers 503, so
    # Telegram or the proxy delivers the update to another replica.
    late = start_update(api, guest)
    async with kept.post(f"{base}/telegram", json=late, headers={SECRET_HEADER: SECRET}) as r:
        assert r.status == 503
    await kept.close()
    with pytest.raises(ClientConnectionError):
        async with ClientSession() as http:
            await http.post(f"{base}/telegram", json=late)
    assert process.returncode is None  # still finishing the update
    assert not start.done()  # Telegram has had no answer yet: it comes after the update

    release.set()
    await start  # the held reply went through
    assert await process.process.wait() == 0  # it exits by itself
    assert guest.bot_messages, "the reply was lost"
    assert "unfinished" not in process.stderr


async def invite_code(store: async_sessionmaker[AsyncSession], college: College) -> str:
    async with store.begin() as session:
        curator = await session.get(Person, college.curator.id)
        assert curator is not None
        [issued] = await invites.issue(session, [curator], now=utcnow(), ttl=timedelta(days=1))
    return issued.code


async def stored_once(store: async_sessionmaker[AsyncSession], user: TgUser) -> tuple[int, int]:
    """(accounts linked to the user, updates recorded as processed)."""
    async with store() as session:
        accounts = await session.scalar(
            select(func.count())
            .select_from(TelegramAccount)
            .where(TelegramAccount.telegram_user_id == user.id)
        )
        processed = await session.scalar(select(func.count()).select_from(ProcessedUpdate))
    return int(accounts or 0), int(processed or 0)


async def kill_mid_update(
    api: FakeBotAPI, victim: BotProcess, user: TgUser, code: str
) -> asyncio.Task[ChatMessage]:
    """The user opens their invite link; the process is killed with SIGKILL while it sends the
    welcome (its transaction not committed, Telegram not answered). Returns the delivery,
    which goes on retrying as Telegram does."""
    api.hold("sendMessage")  # never released: the dead process's welcome never reaches the chat
    mark = len(api.requests)
    delivery = asyncio.create_task(user.command("start", code))
    await api.wait_for_call("sendMessage", after=mark)
    assert victim.process is not None
    victim.kill()
    assert await victim.process.wait() == -9
    assert not delivery.done()
    return delivery


def welcomes(user: TgUser) -> int:
    return sum("Welcome" in m.text for m in user.bot_messages)


async def test_killed_mid_update_the_update_is_handled_once_after_a_restart(
    db_url: str,
    college: College,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """One college on one machine: systemd starts the killed process again, and Telegram's
    next delivery of the update finds it."""
    code = await invite_code(session_factory, college)
    port = free_port()
    env = webhook_env(db_url, port)
    async with FakeBotAPI() as api:
        api.webhook_attempts = 1_000  # Telegram keeps trying far longer than a restart takes
        curator = TgUser(api, 6_000_010, "Curator", language_code="en")
        async with BotProcess(api, env=env, start_timeout=START) as first:
            delivery = await kill_mid_update(api, first, curator, code)
            async with BotProcess(api, env=env, start_timeout=START):
                await delivery  # answered 200 by the process started again
                assert (welcomes(curator), await stored_once(session_factory, curator)) == (
                    1,
                    (1, 1),
                )
    assert 200 in api.webhook_posts


async def test_killed_mid_update_another_replica_handles_it_once(
    db_url: str,
    college: College,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """A region: two replicas behind the proxy; the update the killed one was handling is
    delivered again to the other."""
    if not db_url.startswith("postgresql"):
        pytest.skip("several replicas on one store is PostgreSQL's scenario")
    code = await invite_code(session_factory, college)
    ports = [free_port(), free_port()]
    async with FakeBotAPI() as api, contextlib.AsyncExitStack() as stack:
        replicas = [
            await stack.enter_async_context(
                BotProcess(api, env=webhook_env(db_url, port), start_timeout=START)
            )
            for port in ports
        ]
        # The proxy tries the replicas in turn: the first attempt goes to the victim.
        api.webhook_replicas = [f"http://127.0.0.1:{port}/telegram" for port in ports]
        curator = TgUser(api, 6_000_011, "Curator", language_code="en")
        delivery = await kill_mid_update(api, replicas[0], curator, code)
        await delivery  # its next attempt went to the second replica, which answered 200
        assert (welcomes(curator), await stored_once(session_factory, curator)) == (1, (1, 1))
    assert welcomes(curator) == 1
