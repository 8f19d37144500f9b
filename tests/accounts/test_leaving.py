"""People who leave the staff: the administrator ends their roles from a date and their
accounts lose access; the deputy director hands a teaching load to another teacher from a
date, and the lessons from then on follow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.errors import Denied, Invalid
from core.i18n import use_locale
from keyboards.accounts import AccCb
from keyboards.handover import HandCb
from services.people import leaving
from storage.models import AuditEntry, Lesson, Membership, Role, TeachingAssignment
from tests.accounts.kit import OfficeCollege
from tests.botapp import BotApp
from tests.factories import make_college
from tests.fakebot import TgUser


async def _memberships(app: BotApp, person_id: int) -> list[Membership]:
    async with app.session_factory() as session:
        rows = await session.scalars(select(Membership).where(Membership.person_id == person_id))
        return list(rows)


async def _open_card(app: BotApp, college: OfficeCollege, letters: str, name: str) -> TgUser:
    admin = await app.link(college.admin, language="en")
    await admin.command("menu")
    await admin.click("👤 Accounts")
    await admin.click("🔎 Find a person")
    await admin.send(letters)
    await admin.click(name)
    return admin


async def test_the_administrator_ends_a_deputys_roles_today(
    app: BotApp, college: OfficeCollege
) -> None:
    app.stand_at(college.now)
    deputy = await app.link(college.deputy, language="en")
    admin = await _open_card(app, college, "Вол", college.deputy.full_name)
    await admin.click("🚪 Leaves the staff")
    assert "From which date" in admin.last.text
    await admin.click("From today")
    assert "1 role ends from 17 November 2026" in admin.last.text
    assert "1 linked account no longer has access" in admin.last.text

    [membership] = await _memberships(app, college.deputy.id)
    assert not membership.active and membership.until == college.today  # the first day out
    await deputy.command("menu")
    assert "no longer has access to the journal" in deputy.last.text
    async with app.session_factory() as session:
        entries = list(
            await session.scalars(
                select(AuditEntry).where(
                    AuditEntry.entity == "membership", AuditEntry.entity_id == membership.id
                )
            )
        )
    assert entries and entries[-1].actor_id == college.admin.id


async def test_a_teacher_who_is_a_parent_keeps_the_parents_access(
    app: BotApp, college: OfficeCollege
) -> None:
    app.stand_at(college.now)
    async with app.session_factory.begin() as session:
        session.add(
            Membership(
                org_id=college.org.id,
                person_id=college.other_teacher.id,
                role=Role.PARENT,
                student_id=college.students[3].id,
            )
        )
    teacher = await app.link(college.other_teacher, language="en")
    admin = await _open_card(app, college, "Орл", college.other_teacher.full_name)
    await admin.click("🚪 Leaves the staff")
    await admin.click("From today")
    assert "no longer has access" not in admin.last.text
    await teacher.command("menu")
    assert "📖 Diary" in teacher.last.button_labels
    assert "📅 My lessons" not in teacher.last.button_labels


async def test_a_date_ahead_ends_the_roles_on_that_day(app: BotApp, college: OfficeCollege) -> None:
    app.stand_at(college.now)
    await app.link(college.director, language="en")
    admin = await _open_card(app, college, "Леб", college.director.full_name)
    await admin.click("🚪 Leaves the staff")
    await admin.send("20.11.2026")
    assert "1 role ends from 20 November 2026" in admin.last.text
    [membership] = await _memberships(app, college.director.id)
    assert membership.active

    for day, active in (
        (college.today + timedelta(days=2), True),
        (college.today + timedelta(days=3), False),
    ):
        async with app.session_factory.begin() as session:
            await leaving.end_due_roles(session, day, college.at(day, 3))
        [membership] = await _memberships(app, college.director.id)
        assert membership.active is active


async def test_bad_input_and_forged_presses_change_nothing(
    app: BotApp, college: OfficeCollege
) -> None:
    app.stand_at(college.now)
    admin = await _open_card(app, college, "Вол", college.deputy.full_name)
    await admin.click("🚪 Leaves the staff")
    await admin.send("the day after tomorrow")
    assert "This is not a date" in admin.last.text
    student = college.students[0].person
    await admin.click_data(admin.last, AccCb(act="lt", id=student.id).pack())
    assert "holds no staff role" in admin.alerts[-1].text
    secretary = await app.link(college.secretary, language="en")
    await secretary.command("menu")
    await secretary.click_data(secretary.last, AccCb(act="lt", id=college.deputy.id).pack())
    assert secretary.alerts[-1].show_alert
    [membership] = await _memberships(app, college.deputy.id)
    assert membership.active and membership.until is None


async def test_the_deputy_hands_a_teaching_load_to_another_teacher(
    app: BotApp, college: OfficeCollege
) -> None:
    deputy = college.actor(college.deputy)
    async with app.session_factory.begin() as session:
        done = await leaving.hand_over(
            session,
            deputy,
            old_teacher_id=college.teacher.id,
            new_teacher_id=college.other_teacher.id,
            group_id=college.group.id,
            discipline_id=college.math.id,
            from_day=college.today,
        )
    assert done.lessons_moved >= 2  # today's and tomorrow's math lessons
    async with app.session_factory() as session:
        lessons = {
            lesson.id: lesson.teacher_id
            for lesson in await session.scalars(
                select(Lesson).where(Lesson.discipline_id == college.math.id)
            )
        }
        assignments = list(
            await session.scalars(
                select(TeachingAssignment.teacher_id).where(
                    TeachingAssignment.discipline_id == college.math.id
                )
            )
        )
    assert lessons[college.lessons.today.id] == college.other_teacher.id
    assert lessons[college.lessons.tomorrow.id] == college.other_teacher.id
    assert lessons[college.lessons.yesterday.id] == college.teacher.id
    assert lessons[college.lessons.old.id] == college.teacher.id
    assert assignments == [college.other_teacher.id]


async def test_a_handover_that_makes_no_sense_is_refused(
    app: BotApp, college: OfficeCollege
) -> None:
    deputy = college.actor(college.deputy)
    cases = [
        (college.teacher, college.other_teacher, college.informatics, "does not teach"),
        (college.teacher, college.deputy, college.math, "is not a teacher of the college"),
        (college.teacher, college.teacher, college.math, "Choose another teacher"),
    ]
    for old, new, discipline, message in cases:
        async with app.session_factory() as session:
            with use_locale("en"), pytest.raises(Invalid) as refused:
                await leaving.hand_over(
                    session,
                    deputy,
                    old_teacher_id=old.id,
                    new_teacher_id=new.id,
                    group_id=college.group.id,
                    discipline_id=discipline.id,
                    from_day=college.today,
                )
            assert message in refused.value.message
    async with app.session_factory() as session:
        with pytest.raises(Denied):
            await leaving.hand_over(
                session,
                college.actor(college.teacher),
                old_teacher_id=college.teacher.id,
                new_teacher_id=college.other_teacher.id,
                group_id=college.group.id,
                discipline_id=college.math.id,
                from_day=college.today,
            )
        today = await session.get(Lesson, college.lessons.today.id)
        assert today is not None and today.teacher_id == college.teacher.id


async def test_the_deputy_hands_over_a_load_from_the_menu(
    app: BotApp, college: OfficeCollege
) -> None:
    app.stand_at(college.now)
    deputy = await app.link(college.deputy, language="en")
    await deputy.command("menu")
    await deputy.click("🔄 Hand over teaching")
    await deputy.click(college.teacher.full_name)
    await deputy.click(f"{college.group.name} · {college.math.name}")
    assert "Send the first letters of their surname" in deputy.last.text
    # The deputy is no teacher, and nobody of another college is found.
    await deputy.send("вол")
    assert "No other teacher of the college has a surname starting with “вол”" in deputy.last.text
    await deputy.send("ОР")
    assert deputy.last.button_labels == [college.other_teacher.full_name, "⬅ Back"]
    await deputy.click(college.other_teacher.full_name)
    assert "From which date" in deputy.last.text
    await deputy.send("32.13.2026")
    assert "This is not a date" in deputy.last.text
    await deputy.send("17.11.2026")
    assert "from 17 November 2026" in deputy.last.text
    async with app.session_factory() as session:
        today = await session.get(Lesson, college.lessons.today.id)
        assert today is not None and today.teacher_id == college.teacher.id  # only a preview
    await deputy.click("✅ Hand it over")
    assert "is taught by" in deputy.last.text
    async with app.session_factory() as session:
        today = await session.get(Lesson, college.lessons.today.id)
        yesterday = await session.get(Lesson, college.lessons.yesterday.id)
    assert today is not None and today.teacher_id == college.other_teacher.id
    assert yesterday is not None and yesterday.teacher_id == college.teacher.id


async def test_a_forged_handover_press_changes_nothing(app: BotApp, college: OfficeCollege) -> None:
    app.stand_at(college.now)
    teacher = await app.link(college.teacher, language="en")
    await teacher.command("menu")
    forged = HandCb(
        act="c",
        old=college.teacher.id,
        g=college.group.id,
        d=college.math.id,
        new=college.other_teacher.id,
        day=college.today.toordinal(),
    ).pack()
    await teacher.click_data(teacher.last, forged)
    assert teacher.alerts[-1].show_alert
    async with app.session_factory() as session:
        today = await session.get(Lesson, college.lessons.today.id)
    assert today is not None and today.teacher_id == college.teacher.id


async def test_a_receiving_person_who_does_not_teach_there_is_refused_in_the_bot(
    app: BotApp, college: OfficeCollege
) -> None:
    app.stand_at(college.now)
    async with app.session_factory() as session:
        elsewhere = await make_college(session, code="c2")
    deputy = await app.link(college.deputy, language="en")
    await deputy.command("menu")
    for stranger in (college.director, elsewhere.teacher):
        forged = HandCb(
            act="a", old=college.teacher.id, g=college.group.id, d=college.math.id, new=stranger.id
        ).pack()
        await deputy.click_data(deputy.last, forged)
        assert deputy.alerts[-1].show_alert
    alerts = [a.text for a in deputy.alerts[-2:]]
    assert "is not a teacher of the college" in (alerts[0] or "")
    assert "This person is not of your college." in (alerts[1] or "")
    async with app.session_factory() as session:
        today = await session.get(Lesson, college.lessons.today.id)
    assert today is not None and today.teacher_id == college.teacher.id


async def test_a_handover_cannot_reach_back_to_lessons_already_given(
    app: BotApp, college: OfficeCollege
) -> None:
    async with app.session_factory() as session:
        with use_locale("en"), pytest.raises(Invalid) as refused:
            await leaving.hand_over(
                session,
                college.actor(college.deputy),
                old_teacher_id=college.teacher.id,
                new_teacher_id=college.other_teacher.id,
                group_id=college.group.id,
                discipline_id=college.math.id,
                from_day=college.today - timedelta(days=1),
                today=college.today,
            )
        assert "today at the earliest" in refused.value.message
        old = await session.get(Lesson, college.lessons.old.id)
        assert old is not None and old.teacher_id == college.teacher.id
