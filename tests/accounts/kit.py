"""The test college with its office (an administrator and a secretary) and the steps the
accounts' tests share: issuing a link, opening it, delivering the outbox."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.sender import Sender
from services.people import invites
from storage.models import Person, Role, TelegramAccount, utcnow
from tests.botapp import BotApp
from tests.factories import College, add_member, add_person, make_college
from tests.fakebot import TgUser


@dataclass
class OfficeCollege(College):
    admin: Person | None = None
    secretary: Person | None = None


async def make_office_college(session: AsyncSession) -> OfficeCollege:
    base = await make_college(session)
    admin = await add_person(session, base.org, "Админова", "Анна")
    await add_member(session, admin, Role.ADMIN, roles=base.roles)
    secretary = await add_person(session, base.org, "Секретарёва", "Софья")
    await add_member(session, secretary, Role.SECRETARY, roles=base.roles)
    await session.commit()
    session.expunge_all()
    values = {f.name: getattr(base, f.name) for f in fields(base)}
    return OfficeCollege(**values, admin=admin, secretary=secretary)


async def invite_code(app: BotApp, person: Person) -> str:
    async with app.session_factory.begin() as session:
        loaded = await session.get(Person, person.id)
        assert loaded is not None
        [issued] = await invites.issue(session, [loaded], now=utcnow(), ttl=timedelta(days=3))
    return issued.code


async def open_link(app: BotApp, code: str, username: str = "") -> TgUser:
    user = app.stranger("Someone")
    user.username = username or None
    await user.command("start", code)
    return user


async def account_of(app: BotApp, user: TgUser) -> TelegramAccount | None:
    async with app.session_factory() as session:
        return await session.scalar(
            select(TelegramAccount).where(TelegramAccount.telegram_user_id == user.id)
        )


async def deliver(app: BotApp) -> int:
    """Send what the outbox holds, as the sender would."""
    return await Sender(app.bot, app.session_factory).drain_once(utcnow())
