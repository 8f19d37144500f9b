"""Curators' morning digest: absences still without a reason, and absence documents waiting
for a decision (R4: within two working days of the document)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import update

from core.config import Settings
from keyboards.curator import AbsCb
from services.absences import justifications
from services.absences.dates import DateRange
from services.access import load_actor
from services.journal import register
from storage.models import AbsenceJustification, JustificationStatus, Mark, Role
from tests.factories import College, add_member
from tests.reminders.kit import Factory, at, callbacks, labels, link, messages, scan

TUESDAY = date(2026, 11, 17)


async def _justification(factory: Factory, college: College, sent: date) -> int:
    student = college.students[0]
    async with factory.begin() as session:
        found = AbsenceJustification(
            org_id=college.org.id,
            student_id=student.id,
            submitted_by=college.parents[student.id].id,
            date_from=sent - timedelta(days=2),
            date_to=sent,
            submitted_at=at(sent, 12),
        )
        session.add(found)
        await session.flush()
        return found.id


async def test_unexplained_absences_of_the_curators_groups(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    chat = await link(session_factory, college.curator)
    absent, other = college.students[0], college.other_students[0]
    actor, lesson = college.actor(college.teacher), college.lessons.today
    async with session_factory.begin() as session:
        await register.toggle_mark(session, actor, lesson.id, absent.id, Mark.PRESENT, college.now)
        await register.finalise_register(session, actor, lesson.id, college.now)

    assert await scan(session_factory, settings, at(TUESDAY + timedelta(days=1), 8, 0)) == 0
    assert await scan(session_factory, settings, at(TUESDAY + timedelta(days=1), 8, 30)) == 1
    [message] = await messages(session_factory, chat)
    assert "Absences without a reason in your groups" in message.text
    assert "ИС-21 · Алексеев И. П.: 1 lesson, 17 Nov" in message.text
    assert other.person.last_name not in message.text  # not the curator's group


async def test_a_document_is_due_two_working_days_after_it_was_sent(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    """Sent on Friday 6 March 2026: the weekend and Monday 9 March (the day off for 8 March)
    do not count; it is due on Wednesday 11 March."""
    chat = await link(session_factory, college.curator)
    await _justification(session_factory, college, date(2026, 3, 6))

    assert await scan(session_factory, settings, at(date(2026, 3, 6), 16, 0)) == 0
    assert await scan(session_factory, settings, at(date(2026, 3, 9), 8, 30)) == 0  # day off
    assert await scan(session_factory, settings, at(date(2026, 3, 10), 8, 30)) == 1
    assert await scan(session_factory, settings, at(date(2026, 3, 11), 8, 30)) == 1
    assert await scan(session_factory, settings, at(date(2026, 3, 12), 8, 30)) == 1
    tuesday, wednesday, thursday = await messages(session_factory, chat)
    line = "Алексеев И. П. (ИС-21), absent 4 Mar – 6 Mar: sent 6 Mar — "
    assert "Absence documents waiting for your decision" in tuesday.text
    assert line + "due 11 March" in tuesday.text
    assert line + "due today" in wednesday.text
    assert line + "overdue, was due 11 March" in thursday.text


async def test_a_paper_certificate_counts_from_the_day_it_was_received(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    """Brought on Friday 6 March 2026, recorded by the curator on Tuesday 10 March: due on
    Wednesday 11 March (two working days from the paper, not from the record)."""
    chat = await link(session_factory, college.curator)
    student = college.students[0]
    async with session_factory.begin() as session:
        curator = await load_actor(session, college.curator.id)
        await justifications.record_paper(
            session, curator, student.id, DateRange(date(2026, 3, 4), date(2026, 3, 6)),
            date(2026, 3, 6), at(date(2026, 3, 10), 7, 0),
        )  # fmt: skip

    assert await scan(session_factory, settings, at(date(2026, 3, 10), 8, 30)) == 1
    assert await scan(session_factory, settings, at(date(2026, 3, 11), 8, 30)) == 1
    tuesday, wednesday = await messages(session_factory, chat)
    line = "Алексеев И. П. (ИС-21), absent 4 Mar – 6 Mar: sent 6 Mar — "
    assert line + "due 11 March" in tuesday.text
    assert line + "due today" in wednesday.text


async def test_a_decision_stops_the_reminder(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    chat = await link(session_factory, college.curator)
    found = await _justification(session_factory, college, date(2026, 3, 6))
    assert await scan(session_factory, settings, at(date(2026, 3, 11), 8, 30)) == 1

    async with session_factory.begin() as session:
        await session.execute(
            update(AbsenceJustification)
            .where(AbsenceJustification.id == found)
            .values(status=JustificationStatus.APPROVED, decided_by=college.curator.id)
        )
    assert await scan(session_factory, settings, at(date(2026, 3, 12), 8, 30)) == 0
    assert len(await messages(session_factory, chat)) == 1


async def test_the_curators_buttons_open_the_student_and_the_certificates(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    chat = await link(session_factory, college.curator)
    actor, lesson = college.actor(college.teacher), college.lessons.yesterday
    student = college.students[1]
    async with session_factory.begin() as session:
        await register.toggle_mark(session, actor, lesson.id, student.id, Mark.PRESENT, college.now)
    await _justification(session_factory, college, date(2026, 11, 13))

    assert await scan(session_factory, settings, at(TUESDAY, 8, 30)) == 1
    [message] = await messages(session_factory, chat)
    assert callbacks(message)[:2] == [
        AbsCb(act="cert").pack(),
        AbsCb(act="st", sid=student.id, nw=1).pack(),  # the digest stays
    ]
    assert labels(message)[:2] == [
        "📄 Certificates waiting for a decision",
        "❗ ИС-21 · Борисова А. С.",
    ]


async def test_a_teacher_who_is_also_a_curator_gets_one_message(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    async with session_factory.begin() as session:
        await add_member(session, college.teacher, Role.CURATOR, group=college.group)
        actor, lesson = college.actor(college.teacher), college.lessons.today
        student = college.students[0].id
        await register.toggle_mark(session, actor, lesson.id, student, Mark.PRESENT, college.now)
    chat = await link(session_factory, college.teacher)

    assert await scan(session_factory, settings, at(TUESDAY, 9, 0)) == 1
    [message] = await messages(session_factory, chat)
    assert "Registers to finish" in message.text  # as a teacher
    assert "Absences without a reason in your groups" in message.text  # as a curator
