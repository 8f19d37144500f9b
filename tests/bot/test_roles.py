"""One person, several roles or several children: the menu switches between them."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import Person, Role
from tests.botapp import BotApp
from tests.factories import College, add_member


async def _give(
    sessions: async_sessionmaker[AsyncSession], person: Person, role: Role, **scope: object
) -> None:
    async with sessions.begin() as session:
        await add_member(session, person, role, **scope)  # type: ignore[arg-type]


async def test_teacher_who_is_a_parent_switches_role(app: BotApp, college: College) -> None:
    child = college.other_students[0]
    await _give(app.session_factory, college.teacher, Role.PARENT, student=child)
    teacher = await app.link(college.teacher)
    await teacher.command("menu")
    assert "Teacher" in teacher.last.text and "📅 My lessons" in teacher.last.button_labels
    await teacher.click("🔁 Another role")
    await teacher.click("Parent")
    assert "Parent" in teacher.last.text and child.person.last_name in teacher.last.text
    assert "📅 My lessons" not in teacher.last.button_labels
    await teacher.command("menu")  # the choice is remembered
    assert "Parent" in teacher.last.text


async def test_parent_of_two_switches_child(app: BotApp, college: College) -> None:
    first, second = college.students[0], college.other_students[0]
    parent = college.parents[first.id]
    await _give(app.session_factory, parent, Role.PARENT, student=second)
    user = await app.link(parent)
    await user.command("menu")
    assert first.person.last_name in user.last.text and second.person.last_name in user.last.text
    await user.click("👥 Another child")
    label = next(b for b in user.last.button_labels if second.person.last_name in b)
    await user.click(label)
    assert f"Now showing: {second.person.short_name}" in user.last.text


async def test_forged_role_is_refused(app: BotApp, college: College) -> None:
    parent = await app.link(college.parents[college.students[0].id])
    await parent.command("menu")
    await parent.click_data(parent.last, "m:role:deputy")
    assert parent.alerts[-1].show_alert
    await parent.command("menu")
    assert "Deputy" not in parent.last.text
