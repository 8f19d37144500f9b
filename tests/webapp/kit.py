"""The journal grid under test: the Mini App on a test server, and sign-ins built the way
Telegram builds them (the bot token's HMAC over the sorted fields)."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import count
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import create_dispatcher
from core.config import Settings
from core.i18n import create_i18n
from storage.models import AuditEntry, Event, Grade, Person, TelegramAccount
from tests.botapp import BotApp
from tests.fakebot import FakeBotAPI, TgUser
from webapp.app import add_mini_app

TOKEN = "123456789:" + "A" * 35
OTHER_BOT = "987654321:" + "B" * 35
URL = "https://journal.example.org/app/"
Factory = async_sessionmaker[AsyncSession]
_users = count(8_000_001)


def sign(
    token: str,
    user_id: int,
    signed_at: datetime,
    *,
    language_code: str = "en",
    first_name: str = "Test",
) -> str:
    """initData as Telegram hands it to the page."""
    user = {"id": user_id, "first_name": first_name, "language_code": language_code}
    fields = {
        "auth_date": str(int(signed_at.timestamp())),
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps(user, separators=(",", ":"), ensure_ascii=False),
    }
    check = "\n".join(f"{key}={value}" for key, value in sorted(fields.items()))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    fields["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode(fields)


async def link(factory: Factory, person: Person, *, language: str | None = "en") -> int:
    """The person's Telegram account; returns the Telegram user id."""
    user_id = next(_users)
    async with factory.begin() as session:
        session.add(
            TelegramAccount(
                telegram_user_id=user_id, chat_id=user_id, person_id=person.id, language=language
            )
        )
    return user_id


def settings_for(db_url: str, **extra: Any) -> Settings:
    return Settings(bot_token=TOKEN, database_url=db_url, webapp_url=URL, **extra)


@dataclass
class Page:
    """What a signed-in page does: POST JSON with its initData in the header."""

    client: TestClient[Any, Any]
    init_data: str

    async def post(self, name: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        response = await self.client.post(
            f"/app/api/{name}",
            json=body,
            headers={"X-Telegram-Init-Data": self.init_data},
        )
        return response.status, await response.json()


@asynccontextmanager
async def serve(
    factory: Factory, settings: Settings, now: datetime
) -> AsyncIterator[TestClient[Any, Any]]:
    app = web.Application()
    add_mini_app(app, settings, factory, clock=lambda: now)
    async with TestClient(TestServer(app)) as client:
        yield client


async def grades_of(factory: Factory, lesson_id: int, student_id: int) -> list[Grade]:
    async with factory() as session:
        rows = await session.scalars(
            select(Grade)
            .where(Grade.lesson_id == lesson_id, Grade.student_id == student_id)
            .order_by(Grade.id)
        )
        return list(rows)


async def audit_of(factory: Factory, entity: str) -> list[AuditEntry]:
    async with factory() as session:
        rows = await session.scalars(select(AuditEntry).where(AuditEntry.entity == entity))
        return list(rows)


async def events_of(factory: Factory) -> list[Event]:
    async with factory() as session:
        return list(await session.scalars(select(Event).order_by(Event.id)))


def ago(now: datetime, minutes: float) -> datetime:
    return now - timedelta(minutes=minutes)


def bot_app(api: FakeBotAPI, factory: Factory, db_url: str, url: str | None) -> BotApp:
    """The bot over the fake Bot API, with the grid served at ``url`` (or not)."""
    settings = Settings(
        bot_token=api.token, telegram_api_url=api.base_url, database_url=db_url, webapp_url=url
    )
    i18n = create_i18n(settings.default_locale)
    bot = api.make_bot()
    dp = create_dispatcher(settings, factory, i18n)
    dp["i18n"] = i18n
    api.attach(dp, bot)
    return BotApp(api, bot, dp, settings, factory)


async def open_card(app: BotApp, teacher: TgUser) -> None:
    """The teacher opens today's first pair (Математика, 09:00) from the menu."""
    await teacher.command("menu")
    await teacher.click("📅 My lessons")
    label = next(b for b in teacher.last.button_labels if "Математика" in b and "09:00" in b)
    await teacher.click(label)


def web_app_buttons(user: TgUser) -> list[dict[str, Any]]:
    rows = user.last.raw.get("reply_markup", {}).get("inline_keyboard", [])
    return [b for row in rows for b in row if "web_app" in b]
