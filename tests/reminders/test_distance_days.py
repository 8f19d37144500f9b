"""The deputy director declares distance days for groups with their platform: the groups'
students and parents are told, and R9 asks the teachers of those days' lessons for their
distance format. Bad dates, a day without classes and a group of another college are refused
with nothing stored."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from core.config import Settings
from keyboards.distance import DistanceAction, DistCb
from storage.models import DistanceDay, Group, Organisation, Role
from tests.botapp import BotApp
from tests.factories import College, add_member, add_person
from tests.fakebot import TgUser
from tests.reminders.kit import Factory, at, link, messages, scan

TUESDAY = date(2026, 11, 17)  # the college's today
WEDNESDAY = date(2026, 11, 18)  # the teacher's lesson of tomorrow


async def _declared(factory: Factory) -> list[DistanceDay]:
    async with factory() as session:
        return list(await session.scalars(select(DistanceDay).order_by(DistanceDay.id)))


async def _open(app: BotApp, college: College) -> TgUser:
    app.stand_at(college.now)
    deputy = await app.link(college.deputy, language="en")
    await deputy.command("menu")
    await deputy.click("🏠 Distance days")
    assert "Which days do groups study at a distance?" in deputy.last.text
    return deputy


async def test_declared_announced_and_reminded(
    app: BotApp, college: College, settings: Settings
) -> None:
    factory = app.session_factory
    student = college.students[0]
    student_chat = await link(factory, student.person)
    parent_chat = await link(factory, college.parents[student.id])
    other_parent = await link(factory, college.parents[college.other_students[0].id])
    teacher_chat = await link(factory, college.teacher)
    deputy = await _open(app, college)

    await deputy.send("18.11.2026")
    assert "Distance days · Wednesday, 18 November 2026" in deputy.last.text
    await deputy.click("ИС-21")
    await deputy.click("Next ➡")
    assert "On which platform" in deputy.last.text
    await deputy.send("Сферум https://sferum.ru/?call=42 <b>")
    preview = deputy.last.text
    assert "Groups: ИС-21" in preview and "ТМ-11" not in preview
    assert "Platform: Сферум https://sferum.ru/?call=42 <b>" in preview  # escaped, as typed
    assert await _declared(factory) == []  # nothing before the confirmation

    await deputy.click("✅ Declare and announce")
    assert "Declared: Wednesday, 18 November 2026, 1 group at a distance on Сферум" in (
        deputy.last.text
    )
    assert "The announcement goes to 2 students and parents." in deputy.last.text
    [day] = await _declared(factory)
    assert (day.group_id, day.first_day, day.last_day) == (college.group.id, WEDNESDAY, WEDNESDAY)
    assert day.platform == "Сферум https://sferum.ru/?call=42 <b>"
    for chat in (student_chat, parent_chat):
        [told] = await messages(factory, chat)
        assert "Distance learning" in told.text
        assert "Wednesday, 18 November 2026: the lessons of ИС-21 are held at a distance" in (
            told.text
        )
        assert "https://sferum.ru/?call=42 &lt;b&gt;" in told.text
    assert await messages(factory, other_parent) == []  # ТМ-11 was not declared

    # The teacher's lesson that day has no distance format: R9 asks for it next morning.
    await scan(factory, settings, at(date(2026, 11, 19), 8, 0))
    reminders = [m.text for m in await messages(factory, teacher_chat)]
    assert any(
        "Lessons without their distance format" in t and "18 Nov, pair 1 · ИС-21" in t
        for t in reminders
    )


async def test_all_groups_leave_out_a_group_without_classes(app: BotApp, college: College) -> None:
    deputy = await _open(app, college)
    await deputy.click("Today")
    await deputy.click("🏫 All groups")
    await deputy.send("Сферум")
    assert "Groups: ИС-21" in deputy.last.text
    assert "Left out, no classes on these days: ТМ-11" in deputy.last.text
    await deputy.click("✅ Declare and announce")
    assert "Nobody of these groups uses the bot yet" in deputy.last.text
    [day] = await _declared(app.session_factory)
    assert (day.group_id, day.first_day) == (college.group.id, TUESDAY)


async def test_bad_input_is_refused_and_nothing_stored(app: BotApp, college: College) -> None:
    factory = app.session_factory
    async with factory.begin() as session:
        other_org = Organisation(code="c2", name="College c2", short_name="C2")
        session.add(other_org)
        await session.flush()
        foreign = Group(org_id=other_org.id, name="ЧУЖ-1")
        session.add(foreign)
        await session.flush()
        foreign_id = foreign.id
    deputy = await _open(app, college)

    await deputy.send("18.11.2026 – 17.11.2026")
    assert "The first date is after the last one" in deputy.last.text
    await deputy.send("16.11.2026")
    assert "Distance days are declared from today on." in deputy.last.text
    await deputy.send("31.11.2026")
    assert "There is no such date" in deputy.last.text
    await deputy.send("tomorrow")
    assert "Please type a date" in deputy.last.text

    await deputy.send("17.11.2026 – 18.11.2026")
    await deputy.click_data(deputy.last, DistCb(act=DistanceAction.GROUP, g=foreign_id).pack())
    assert deputy.alerts[-1].text == "There is no such group in your college."
    await deputy.click("ТМ-11")  # no lessons on these days
    await deputy.click("Next ➡")
    await deputy.send("Сферум")
    assert "ТМ-11: no classes on these days, so nothing to hold at a distance." in (
        deputy.last.text
    )
    assert await _declared(factory) == []

    # Someone without the right: the menu has no button and a forged press is refused.
    async with factory.begin() as session:
        org = await session.get(Organisation, college.org.id)
        assert org is not None
        curator = await add_person(session, org, "Белова", "Анна")
        await add_member(session, curator, Role.CURATOR, group=college.group)
    user = await app.link(curator, language="en")
    await user.command("menu")
    assert "🏠 Distance days" not in user.last.button_labels
    await user.click_data(user.last, DistCb().pack())
    assert user.alerts[-1].text == "Distance days are declared by the deputy director."
    async with factory() as session:
        assert await session.scalar(select(func.count()).select_from(DistanceDay)) == 0
