"""Helpers of the notification tests: linked accounts, journal changes, the outbox read back."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.jobs import notify_events
from core.config import Settings
from services.journal import grades, register
from storage.models import (
    Grade,
    Mark,
    OutboxMessage,
    OutboxStatus,
    Person,
    Student,
    TelegramAccount,
)
from tests.factories import College

_chats = count(7_000_001)
Factory = async_sessionmaker[AsyncSession]


async def link(
    factory: Factory, person: Person, *, language: str | None = "en", chat_id: int | None = None
) -> int:
    """Give the person an active Telegram account; returns its chat id."""
    chat = chat_id or next(_chats)
    async with factory.begin() as session:
        session.add(
            TelegramAccount(
                telegram_user_id=chat, chat_id=chat, person_id=person.id, language=language
            )
        )
    return chat


async def link_everyone(factory: Factory, college: College) -> dict[int, int]:
    """Parents, students and staff of the college get accounts: person id → chat id."""
    people: list[Person] = [
        *college.parents.values(),
        *(s.person for s in college.students + college.other_students),
        college.teacher,
        college.curator,
        college.deputy,
    ]
    return {person.id: await link(factory, person) for person in people}


async def absent(factory: Factory, college: College, *students: Student, now: datetime) -> None:
    """The teacher marks ``students`` absent on today's lesson and finalises the register."""
    actor, lesson = college.actor(college.teacher), college.lessons.today
    async with factory.begin() as session:
        for student in students:
            await register.toggle_mark(session, actor, lesson.id, student.id, Mark.PRESENT, now)
        await register.finalise_register(session, actor, lesson.id, now)


async def tap(
    factory: Factory, college: College, student: Student, seen: Mark, now: datetime
) -> None:
    """One tap on the student in today's register (the screen showed ``seen``), then Done."""
    actor, lesson = college.actor(college.teacher), college.lessons.today
    async with factory.begin() as session:
        await register.toggle_mark(session, actor, lesson.id, student.id, seen, now)
        await register.finalise_register(session, actor, lesson.id, now)


async def add_grade(
    factory: Factory, college: College, student: Student, value: str, now: datetime, **kw: str
) -> int:
    async with factory.begin() as session:
        grade = await grades.add_grade(
            session, college.actor(college.teacher), college.lessons.today.id, student.id,
            value, now, **kw,
        )  # fmt: skip
        return grade.id


async def change_grade(
    factory: Factory, college: College, grade_id: int, value: str, now: datetime
) -> None:
    async with factory.begin() as session:
        await grades.change_grade(
            session, college.actor(college.teacher), grade_id, now, value=value
        )


async def remove_grade(factory: Factory, college: College, grade_id: int, now: datetime) -> None:
    async with factory.begin() as session:
        assert await session.get(Grade, grade_id) is not None
        await grades.remove_grade(session, college.actor(college.teacher), grade_id, now)


async def notify(factory: Factory, settings: Settings, now: datetime) -> int:
    return await notify_events(factory, settings, now=now)


async def outbox(factory: Factory, status: OutboxStatus | None = None) -> list[OutboxMessage]:
    async with factory() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if status is not None:
            query = query.where(OutboxMessage.status == status)
        return list(await session.scalars(query))


def after(now: datetime, minutes: float) -> datetime:
    return now + timedelta(minutes=minutes)
