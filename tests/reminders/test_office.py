"""Administrators' and the deputy director's digests: invites for newcomers (R5) and movement
orders entered late (R6), from orders entered the way the office enters them, with the clock
moving; overdue items by teacher in the weekly digest; the curriculum of the new intake (R7)."""

from __future__ import annotations

from datetime import date, datetime

from core.config import Settings
from services.access import load_actor
from services.orders import effects
from services.orders.draft import Draft, check
from storage.models import (
    Curriculum,
    Invite,
    OrderKind,
    Person,
    Role,
    Student,
)
from storage.orders import lines as order_lines
from tests.factories import College, add_lesson, add_member, add_person
from tests.reminders.kit import Factory, at, link, messages, scan


async def enter_order(factory: Factory, person: Person, now: datetime, draft: Draft) -> Student:
    """A real order entered at ``now``; returns the (first) student it names."""
    async with factory.begin() as session:
        actor = await load_actor(session, person.id)
        order_id = await effects.enter(session, actor, await check(session, actor, draft), now)
        [line, *_] = await order_lines(session, order_id)
        student = await session.get(Student, line.student_id)
        assert student is not None
        return student


async def test_newcomers_without_an_invite_are_listed_for_administrators(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    async with session_factory.begin() as session:
        admin = await add_person(session, college.org, "Зуева", "Нина")
        await add_member(session, admin, Role.ADMIN)
    # The enrolment order of 30 October is entered on 2 November, in effect that day.
    newcomer = await enter_order(
        session_factory, college.deputy, college.at(date(2026, 11, 2), 10),
        Draft(
            OrderKind.ENROLMENT, to_group_id=college.group.id, new_name=["Новикова", "Вера"],
            number="15-к", decided_on=date(2026, 10, 30), effective_on=date(2026, 11, 2),
        ),
    )  # fmt: skip
    async with session_factory.begin() as session:
        parent = await add_person(session, college.org, "Новиков", "Олег")
        await add_member(session, parent, Role.PARENT, student=newcomer)
        teacher = await add_person(session, college.org, "Гусев", "Илья")
        staff = await add_member(session, teacher, Role.TEACHER)
        staff.since = date(2026, 11, 2)
    chat = await link(session_factory, admin)

    assert await scan(session_factory, settings, at(date(2026, 11, 3), 9, 0)) == 1
    [first] = await messages(session_factory, chat)
    assert "People without an invite to the bot" in first.text
    assert "Новикова В. (student, order No. 15-к) — due 5 November" in first.text
    assert "Новиков О. (parent of Новикова В., order No. 15-к) — due 5 November" in first.text
    assert "Гусев И. (teacher) — due 6 November" in first.text
    assert "Кузнецова" not in first.text  # staff of old, and the school year's students

    async with session_factory.begin() as session:
        session.add(
            Invite(
                org_id=college.org.id, person_id=newcomer.person_id, code_hash="h" * 64,
                expires_at=at(date(2026, 12, 3), 9),
            )
        )  # fmt: skip
    await link(session_factory, teacher)
    assert await scan(session_factory, settings, at(date(2026, 11, 6), 9, 0)) == 1
    second = (await messages(session_factory, chat))[-1]
    assert "Новиков О. (parent of Новикова В., order No. 15-к) — overdue" in second.text
    assert "Новикова В. (student" not in second.text and "Гусев" not in second.text


async def test_the_deputys_weekly_digest(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    async with session_factory.begin() as session:
        await add_lesson(
            session, period=college.autumn, group=college.group, discipline=college.math,
            teacher=college.teacher, day=date(2026, 11, 12), pair_no=1,
        )  # fmt: skip
    student = college.students[1]
    for number, kind, decided, entered, to_group in (
        ("17-к", OrderKind.TRANSFER, date(2026, 10, 26), date(2026, 11, 9), college.other_group.id),
        ("18-к", OrderKind.EXPULSION, date(2026, 11, 9), date(2026, 11, 10), None),
    ):
        await enter_order(
            session_factory, college.deputy, at(entered, 15),
            Draft(
                kind, student_id=student.id, to_group_id=to_group, note="по собственному желанию",
                number=number, decided_on=decided, effective_on=decided,
            ),
        )  # fmt: skip
    chat = await link(session_factory, college.deputy)

    assert await scan(session_factory, settings, at(date(2026, 11, 16), 8, 59)) == 0
    assert await scan(session_factory, settings, at(date(2026, 11, 16), 9, 0)) == 1
    assert await scan(session_factory, settings, at(date(2026, 11, 17), 9, 0)) == 0  # weekly
    [message] = await messages(session_factory, chat)
    assert "Overdue in the journal, 9 November – 15 November" in message.text
    assert "Кузнецова Е. В.: 1 register, 1 topic, 2 disciplines without documents" in message.text
    assert "Орлов П. А.: 2 disciplines without documents" in message.text
    assert "No. 17-к (transfer): decided 26 Oct, entered 9 Nov" in message.text
    assert "18-к" not in message.text  # entered the next day


async def test_the_curriculum_of_the_new_intake_from_18_august(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    chat = await link(session_factory, college.deputy)

    # The test college has the 2026/27 curriculum: nothing to say in August 2026.
    assert await scan(session_factory, settings, at(date(2026, 8, 18), 9, 0)) == 0
    assert await scan(session_factory, settings, at(date(2027, 8, 17), 9, 0)) == 0
    assert await scan(session_factory, settings, at(date(2027, 8, 18), 9, 0)) == 1
    [message] = await messages(session_factory, chat)
    assert "No curriculum for the 2027/2028 intake is in the journal yet" in message.text
    assert "It is due 1 September." in message.text

    async with session_factory.begin() as session:
        session.add(
            Curriculum(org_id=college.org.id, code="09.02.07-2027", academic_year="2027/28")
        )
    assert await scan(session_factory, settings, at(date(2027, 8, 19), 9, 0)) == 0
