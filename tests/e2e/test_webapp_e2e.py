"""End to end with long polling: the real ``journal-bot run`` serves the journal grid on a
port of its own and points the chat's menu button at it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import ClientSession

from core.clock import utcnow
from tests.fakebot import FakeBotAPI
from tests.fakebot.process import BotProcess, free_port
from tests.webapp.kit import sign

pytestmark = pytest.mark.e2e

URL = "https://journal.example.org/grid/"


async def test_with_long_polling_the_grid_listens_on_its_own_port(tmp_path: Path) -> None:
    port = free_port()
    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'journal.sqlite3'}",
        "WEBAPP_URL": URL,
        "WEBAPP__PORT": str(port),
    }
    async with FakeBotAPI() as api, BotProcess(api, env=env, start_timeout=300.0):
        base = f"http://127.0.0.1:{port}/grid/"
        async with ClientSession() as client:
            async with client.get(base) as page:
                assert page.status == 200
                assert "default-src 'none'" in page.headers["Content-Security-Policy"]
            async with client.post(base + "api/journals", json={}) as refused:
                assert refused.status == 401
            stranger = sign(api.token, 424242, utcnow() - timedelta(minutes=1))
            async with client.post(
                base + "api/journals", json={}, headers={"X-Telegram-Init-Data": stranger}
            ) as answer:
                assert answer.status == 403  # signed, but no person of the journal
        assert api.default_menu_button["type"] == "web_app"
        assert api.default_menu_button["web_app"] == {"url": URL}
