"""Transfers, academic leave and return, enrolment: each moves the registers on its effective
date, whether the order was entered before or after it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from bot.jobs import apply_orders
from services.access import load_actor
from services.orders import card, effects
from services.orders.draft import Draft, check
from storage.models import OrderKind, Person, Student, StudentStatus, SubgroupMember
from tests.factories import College
from tests.orders import kit
from tests.orders.kit import Factory


async def enter(factory: Factory, person: Person, draft: Draft, now: datetime) -> int:
    async with factory.begin() as session:
        actor = await load_actor(session, person.id)
        return await effects.enter(session, actor, await check(session, actor, draft), now)


def draft(kind: OrderKind, number: str, decided: date, effective: date, **kw: object) -> Draft:
    return Draft(kind, number=number, decided_on=decided, effective_on=effective, **kw)  # type: ignore[arg-type]


async def test_a_transfer_dated_ahead_moves_the_student_on_its_day(
    session_factory: Factory, college: College, secretary: Person
) -> None:
    student = college.students[2]  # Егоров, subgroup 2 of ИС-21
    day = date(2026, 11, 20)
    order = draft(
        OrderKind.TRANSFER, "20-к", college.today, day,
        student_id=student.id, to_group_id=college.other_group.id,
    )  # fmt: skip
    await enter(session_factory, secretary, order, college.now)

    assert "Егоров" in await kit.names_on(session_factory, college.group, date(2026, 11, 19))
    assert "Егоров" not in await kit.names_on(session_factory, college.group, day)
    assert "Егоров" not in await kit.names_on(
        session_factory, college.other_group, date(2026, 11, 19)
    )
    assert "Егоров" in await kit.names_on(session_factory, college.other_group, day)
    assert (await kit.student(session_factory, student.id)).group_id == college.group.id

    assert await apply_orders(session_factory, now=college.at(day, 0, 1)) == 1
    moved = await kit.student(session_factory, student.id)
    assert (moved.group_id, moved.status) == (college.other_group.id, StudentStatus.STUDYING)
    async with session_factory() as session:
        subgroups = await session.scalars(
            select(SubgroupMember).where(SubgroupMember.student_id == student.id)
        )
        assert list(subgroups) == []  # ИС-21's subgroups are left behind
        actor = await load_actor(session, secretary.id)
        shown = await card.student_card(session, actor, student.id)
    assert [(m.kind, m.from_group, m.to_group) for m in shown.history] == [
        (OrderKind.TRANSFER, "ИС-21", "ТМ-11")
    ]


async def test_a_move_to_another_subgroup_of_the_same_group(
    session_factory: Factory, college: College, secretary: Person
) -> None:
    student = college.students[0]  # Алексеев, subgroup 1
    order = draft(
        OrderKind.TRANSFER, "21-к", college.today, college.today,
        student_id=student.id, to_group_id=college.group.id, to_subgroup_id=college.sub2.id,
    )  # fmt: skip
    await enter(session_factory, secretary, order, college.now)
    async with session_factory() as session:
        subgroups = await session.scalars(
            select(SubgroupMember.subgroup_id).where(SubgroupMember.student_id == student.id)
        )
        assert list(subgroups) == [college.sub2.id]
    assert "Алексеев" in await kit.names_on(session_factory, college.group, college.today)


async def test_academic_leave_and_return(
    session_factory: Factory, college: College, secretary: Person
) -> None:
    student = college.students[1]  # Борисова
    leave, back = date(2026, 11, 10), date(2026, 11, 16)
    await enter(
        session_factory, secretary,
        draft(OrderKind.ACADEMIC_LEAVE, "30-к", leave, leave, student_id=student.id),
        college.at(leave, 10),
    )  # fmt: skip
    assert (await kit.student(session_factory, student.id)).status is StudentStatus.ACADEMIC_LEAVE
    assert "Борисова" not in await kit.names_on(session_factory, college.group, date(2026, 11, 12))
    await enter(
        session_factory, secretary,
        draft(OrderKind.REINSTATEMENT, "31-к", back, back, student_id=student.id),
        college.now,
    )  # fmt: skip
    assert (await kit.student(session_factory, student.id)).status is StudentStatus.STUDYING
    for day, there in ((date(2026, 11, 9), True), (date(2026, 11, 12), False), (back, True)):
        assert ("Борисова" in await kit.names_on(session_factory, college.group, day)) is there


async def test_enrolment_of_a_new_student(
    session_factory: Factory, college: College, secretary: Person
) -> None:
    day = date(2026, 11, 18)
    order = draft(
        OrderKind.ENROLMENT, "40-к", college.today, day,
        to_group_id=college.other_group.id, new_name=["Новикова", "Вера", "Олеговна"],
    )  # fmt: skip
    await enter(session_factory, secretary, order, college.now)
    assert "Новикова" not in await kit.names_on(session_factory, college.other_group, college.today)
    assert "Новикова" in await kit.names_on(session_factory, college.other_group, day)
    await apply_orders(session_factory, now=college.at(day, 8))
    async with session_factory() as session:
        [new] = await session.scalars(
            select(Student)
            .join(Person, Person.id == Student.person_id)
            .where(Person.last_name == "Новикова")
        )
        assert new.group_id == college.other_group.id
        assert new.status is StudentStatus.STUDYING
