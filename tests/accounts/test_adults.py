"""Parents of a student who has turned 18: by default the student decides; until they allow
it, parents see nothing dated after the birthday and are told so once."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from screens.parent_access import parents_told
from services.diary import adults
from services.diary import service as diary
from storage.models import AuditEntry, Lesson, Membership, OutboxMessage, Person, Student
from tests.accounts.kit import OfficeCollege
from tests.botapp import BotApp
from tests.diary.journal_data import grade

BORN = date(2008, 11, 10)  # 18 on 10 November 2026, a week before the test's today


async def _adult(factory: async_sessionmaker[AsyncSession], college: OfficeCollege) -> Student:
    student = college.students[0]
    async with factory.begin() as session:
        person = await session.get(Person, student.person.id)
        assert person is not None
        person.birth_date = BORN
        loaded = await session.get(Student, student.id)
        assert loaded is not None
        # A grade before the birthday and one after it.
        await grade(session, await _lesson(session, college.lessons.old.id), loaded, "3")
        await grade(session, await _lesson(session, college.lessons.yesterday.id), loaded, "5")
    return student


async def _lesson(session: AsyncSession, lesson_id: int) -> Lesson:
    found = await session.get(Lesson, lesson_id)
    assert found is not None
    return found


async def _parent_card(
    factory: async_sessionmaker[AsyncSession], college: OfficeCollege, mode: str
) -> diary.StudentCard:
    student = college.students[0]
    parent = college.parents[student.id]
    async with factory() as session:
        memberships = await session.scalars(
            select(Membership).where(Membership.person_id == parent.id)
        )
        viewer = diary.viewer_of(parent, list(memberships))
        return await diary.open_student(
            session, viewer, student.id, adults_default=mode, today=college.today
        )


async def _grades_seen(
    factory: async_sessionmaker[AsyncSession], card: diary.StudentCard
) -> list[str]:
    async with factory() as session:
        days = await diary.diary_days(session, card, date(2026, 11, 1), date(2026, 11, 17))
    return [g.value for d in days for entry in d.lessons for g in entry.grades]


async def test_until_the_student_allows_it_parents_see_nothing_after_the_birthday(
    app: BotApp, college: OfficeCollege
) -> None:
    factory = app.session_factory
    student = await _adult(factory, college)
    card = await _parent_card(factory, college, adults.STUDENT_DECIDES)
    assert card.seen_until == date(2026, 11, 10)
    assert await _grades_seen(factory, card) == ["3"]

    me = await app.link(student.person, language="en")
    await me.command("menu")
    await me.click("👪 Parents' access")
    assert "your parents see nothing in your diary after 10 November 2026" in me.last.text
    await me.click("✅ Allow my parents")
    assert "You can stop their access at any time" in me.last.text
    card = await _parent_card(factory, college, adults.STUDENT_DECIDES)
    assert card.seen_until is None
    assert sorted(await _grades_seen(factory, card)) == ["3", "5"]

    await me.click("🚫 Stop my parents' access")
    card = await _parent_card(factory, college, adults.STUDENT_DECIDES)
    assert card.seen_until == date(2026, 11, 10)
    async with factory() as session:
        choices = await session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "parent_access")
        )
    assert choices == 2
    # The student's own diary is whole.
    async with factory() as session:
        memberships = await session.scalars(
            select(Membership).where(Membership.person_id == student.person.id)
        )
        own = diary.viewer_of(student.person, list(memberships))
        mine = await diary.open_student(session, own, student.id, today=college.today)
    assert mine.seen_until is None


async def test_the_college_setting_keeps_or_ends_access(
    app: BotApp, college: OfficeCollege
) -> None:
    factory = app.session_factory
    await _adult(factory, college)
    assert (await _parent_card(factory, college, adults.KEEP)).seen_until is None
    assert (await _parent_card(factory, college, adults.END)).seen_until == date(2026, 11, 10)
    minor = college.students[1]
    assert adults.parents_see_until(None, None, adults.END, college.today) is None
    assert minor.id != college.students[0].id


async def test_parents_are_told_once(app: BotApp, college: OfficeCollege) -> None:
    factory = app.session_factory
    student = await _adult(factory, college)
    await app.link(college.parents[student.id], language="en")
    for expected in (1, 0):
        async with factory.begin() as session:
            told = await adults.tell_parents(
                session,
                default=adults.STUDENT_DECIDES,
                today=college.today,
                now=college.now,
                default_locale="en",
                render=parents_told,
            )
        assert told == expected
    async with factory() as session:
        [message] = list(await session.scalars(select(OutboxMessage)))
    assert "has turned 18" in message.text and student.person.first_name in message.text
