"""Whole-group orders: the deputy director moves a group to the next course, and the secretary
graduates a group, each in one order."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from bot.jobs import apply_orders
from storage.models import Membership, OrderStudent, Person, StudentStatus
from tests.botapp import BotApp
from tests.factories import College
from tests.orders import kit


async def test_a_whole_group_moves_to_the_next_course(app: BotApp, college: College) -> None:
    app.stand_at(college.now)
    deputy = await app.link(college.deputy)
    await deputy.command("menu")
    await deputy.click("📜 Movement order")
    await deputy.click("Whole group to the next course")
    await deputy.click("ИС-21")
    await deputy.send("7-к 17.11.2026")
    preview = deputy.last.text
    assert "Group: ИС-21" in preview and "The group moves to course 3." in preview
    assert preview.count("• ") == 6 and "Андреев" not in preview  # he left long ago
    await deputy.click("✅ Confirm")
    assert "Order No. 7-к is entered: 6 students." in deputy.last.text

    assert (await kit.group(app.session_factory, college.group.id)).course_year == 3
    async with app.session_factory() as session:
        named = await session.scalar(select(func.count()).select_from(OrderStudent))
    assert named == 6
    # Nobody left the group: the registers are as they were.
    assert len(await kit.names_on(app.session_factory, college.group, college.today)) == 6
    assert [e.changes for e in await kit.audited(app.session_factory, "group")] == [
        {"course_year": [2, 3]}
    ]


async def test_a_group_graduates_in_one_order(
    app: BotApp, college: College, secretary: Person
) -> None:
    app.stand_at(college.now)
    office = await app.link(secretary)
    await office.command("menu")
    await office.click("📜 Movement order")
    await office.click("Graduation of a group")
    await office.click("ТМ-11")
    await office.send("90-к 17.11.2026 20.11.2026")
    preview = office.last.text
    assert "• Зайцева О. (ТМ-11): graduated" in preview
    assert "• Петров К. (ТМ-11): graduated" in preview
    await office.click("✅ Confirm")
    assert "It takes effect by itself on 20 November 2026." in office.last.text

    before, on_day = date(2026, 11, 19), date(2026, 11, 20)
    assert await kit.names_on(app.session_factory, college.other_group, before) == [
        "Зайцева",
        "Петров",
    ]
    assert await kit.names_on(app.session_factory, college.other_group, on_day) == []
    for student in college.other_students:  # not yet: the date has not come
        assert (await kit.student(app.session_factory, student.id)).status is StudentStatus.STUDYING

    assert await apply_orders(app.session_factory, now=college.at(before, 23, 59)) == 0
    assert await apply_orders(app.session_factory, now=college.at(on_day, 0, 5)) == 1
    assert await apply_orders(app.session_factory, now=college.at(on_day, 0, 15)) == 0
    for student in college.other_students:
        assert (
            await kit.student(app.session_factory, student.id)
        ).status is StudentStatus.GRADUATED
    assert not (await kit.group(app.session_factory, college.other_group.id)).active
    async with app.session_factory() as session:
        roles = list(
            await session.scalars(
                select(Membership).where(
                    Membership.student_id.in_([s.id for s in college.other_students])
                )
            )
        )
    assert roles and all(not r.active and r.until == on_day for r in roles)
