"""The test college plus what the curator's tests need: a curator of the other group,
lessons on the days before, and helpers to mark and read absences."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.sender import Sender
from storage.models import (
    AbsenceJustification,
    AbsenceReason,
    Attendance,
    Lesson,
    Mark,
    OutboxMessage,
    Person,
    Role,
)
from tests.botapp import BotApp
from tests.factories import College, add_lesson, add_member, add_person, make_college

THU, FRI, MON = date(2026, 11, 12), date(2026, 11, 13), date(2026, 11, 16)


@dataclass
class CuratorCollege(College):
    other_curator: Person | None = None
    # Math lessons of the group on Thursday 12, Friday 13 and Monday 16 November (pair 1);
    # ``lessons.yesterday`` is Monday's pair 2 and ``lessons.today`` Tuesday's pair 1.
    thu: Lesson | None = None
    fri: Lesson | None = None
    mon: Lesson | None = None
    extra: list[Lesson] = field(default_factory=list)


async def make_curator_college(session: AsyncSession) -> CuratorCollege:
    base = await make_college(session)
    other = await add_person(session, base.org, "Соколова", "Вера")
    await add_member(session, other, Role.CURATOR, group=base.other_group, roles=base.roles)
    made = {}
    for name, day in (("thu", THU), ("fri", FRI), ("mon", MON)):
        made[name] = await add_lesson(
            session,
            period=base.autumn,
            group=base.group,
            discipline=base.math,
            teacher=base.teacher,
            day=day,
            pair_no=1,
        )
    await session.commit()
    session.expunge_all()
    values = {f.name: getattr(base, f.name) for f in fields(base)}
    return CuratorCollege(**values, other_curator=other, **made)


async def mark_absent(
    factory: async_sessionmaker[AsyncSession],
    lesson: Lesson,
    student_id: int,
    reason: AbsenceReason | None = None,
) -> int:
    async with factory.begin() as session:
        row = Attendance(
            lesson_id=lesson.id,
            student_id=student_id,
            mark=Mark.ABSENT,
            reason=reason,
            updated_by=lesson.teacher_id,
        )
        session.add(row)
        await session.flush()
        return row.id


async def reason_of(
    factory: async_sessionmaker[AsyncSession], lesson: Lesson, student_id: int
) -> Attendance | None:
    async with factory() as session:
        return await session.scalar(
            select(Attendance).where(
                Attendance.lesson_id == lesson.id, Attendance.student_id == student_id
            )
        )


async def justifications(factory: async_sessionmaker[AsyncSession]) -> list[AbsenceJustification]:
    async with factory() as session:
        rows = await session.scalars(select(AbsenceJustification).order_by(AbsenceJustification.id))
        return list(rows)


async def outbox(factory: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    async with factory() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def deliver(app: BotApp, college: College) -> int:
    """Send what the outbox holds, as the sender would, at the test's moment."""
    return await Sender(app.bot, app.session_factory).drain_once(college.now)
