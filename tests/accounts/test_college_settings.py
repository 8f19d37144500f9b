"""Each college decides what happens to parents of a student who has turned 18 and to the
personal data of people who left; the deployment's settings are the default of a college
that set nothing. The administrator changes them in the bot."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.config import Retention
from keyboards.college_settings import CollegeCb, SettingKey, SettingsAction
from services import college_settings, retention
from storage.models import AuditEntry, Membership, OrgSetting, Person
from tests.accounts.kit import OfficeCollege
from tests.botapp import BotApp
from tests.factories import College, make_college

BORN = date(2008, 11, 10)  # 18 a week before the test's today


async def _other_college(factory: async_sessionmaker[AsyncSession]) -> College:
    async with factory() as session:
        return await make_college(session, code="c2")


async def _adult(factory: async_sessionmaker[AsyncSession], person: Person) -> None:
    async with factory.begin() as session:
        loaded = await session.get(Person, person.id)
        assert loaded is not None
        loaded.birth_date = BORN


async def _left_long_ago(factory: async_sessionmaker[AsyncSession], person: Person) -> None:
    async with factory.begin() as session:
        loaded = await session.get(Person, person.id)
        assert loaded is not None
        loaded.phone = "+7 914 000-00-00"
        for membership in await session.scalars(
            select(Membership).where(Membership.person_id == person.id)
        ):
            membership.active, membership.until = False, date(2025, 1, 1)


async def _phone(factory: async_sessionmaker[AsyncSession], person: Person) -> str:
    async with factory() as session:
        loaded = await session.get(Person, person.id)
        assert loaded is not None
        return loaded.phone


async def test_the_administrator_sets_the_college_policy_and_only_that_college_follows(
    app: BotApp, college: OfficeCollege
) -> None:
    factory = app.session_factory
    other = await _other_college(factory)
    here, there = college.students[0], other.students[0]
    for student in (here, there):
        await _adult(factory, student.person)

    assert college.admin is not None
    admin = await app.link(college.admin, language="en")
    await admin.command("menu")
    await admin.click("⚙️ College settings")
    assert "Adult student decides (the default)" in admin.last.text
    await admin.click("Parents keep access after 18")
    assert "Parents keep access after 18 (set by the college)" in admin.last.text
    await admin.click("Erase leavers' personal data")
    assert "Erase leavers' personal data (set by the college)" in admin.last.text

    # The adult student of this college is told the college keeps their parents' access;
    # the one of the other college (nothing set: the default) decides themself.
    mine = await app.link(here.person, language="en")
    await mine.command("menu")
    await mine.click("👪 Parents' access")
    assert "The college keeps your parents' access after 18." in mine.last.text
    assert "Allow my parents" not in " ".join(mine.last.button_labels)
    theirs = await app.link(there.person, language="en")
    await theirs.command("menu")
    await theirs.click("👪 Parents' access")
    assert "your parents see nothing in your diary after" in theirs.last.text

    # The daily clean-up erases this college's leaver and keeps the other's.
    await _left_long_ago(factory, college.director)
    await _left_long_ago(factory, other.director)
    async with factory.begin() as session:
        swept = await retention.sweep(session, Retention(), now=college.now, today=college.today)
    assert swept.people_erased == 1
    assert await _phone(factory, college.director) == ""
    assert await _phone(factory, other.director) == "+7 914 000-00-00"

    # Back to the deployment's choice for parents: the student decides again.
    await admin.click("Adult student decides")
    await mine.command("menu")
    await mine.click("👪 Parents' access")
    assert "Allow my parents" in " ".join(mine.last.button_labels)
    async with factory() as session:
        changes = await session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "org_setting")
        )
    assert changes == 3


async def test_a_college_that_set_nothing_follows_the_deployment(
    app: BotApp, college: OfficeCollege
) -> None:
    factory = app.session_factory
    await _left_long_ago(factory, college.director)
    async with factory.begin() as session:
        swept = await retention.sweep(
            session, Retention(leavers="erase"), now=college.now, today=college.today
        )
    assert swept.people_erased == 1
    async with factory.begin() as session:
        assert await college_settings.store(
            session, college.org.id, college_settings.LEAVERS, "keep", actor_id=None, source="cli"
        )
        assert (
            await college_settings.value_of(session, college.org.id, college_settings.LEAVERS, "x")
            == "keep"
        )


async def test_forged_presses_change_no_setting(app: BotApp, college: OfficeCollege) -> None:
    teacher = await app.link(college.teacher, language="en")
    await teacher.command("menu")
    assert "⚙️ College settings" not in teacher.last.button_labels
    forged = CollegeCb(act=SettingsAction.SET, key=SettingKey.ADULTS, value="end").pack()
    await teacher.click_data(teacher.last, forged)
    assert teacher.alerts[-1].show_alert
    await teacher.click_data(teacher.last, CollegeCb().pack())
    assert teacher.alerts[-1].show_alert

    # The administrator's own press with a value that is no choice is refused too.
    assert college.admin is not None
    admin = await app.link(college.admin, language="en")
    await admin.command("menu")
    bad = CollegeCb(act=SettingsAction.SET, key=SettingKey.LEAVERS, value="sell").pack()
    await admin.click_data(admin.last, bad)
    assert admin.alerts[-1].show_alert
    async with app.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(OrgSetting)) == 0
