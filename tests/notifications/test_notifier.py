"""Journal events become messages to the right people, merged, held in quiet hours."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.jobs import notify_events
from core.config import Settings
from services.notifications import prefs
from storage import events
from storage.models import Attendance, Event, Mark, OutboxStatus, Role, TelegramAccount
from tests.factories import College
from tests.fakebot import parse_html
from tests.notifications import kit

Factory = async_sessionmaker[AsyncSession]


async def test_an_absence_reaches_the_students_parents_and_nobody_else(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    chats = await kit.link_everyone(session_factory, college)
    student = college.students[0]
    await kit.absent(session_factory, college, student, now=college.now)

    assert await kit.notify(session_factory, settings, college.now) == 1
    [message] = await kit.outbox(session_factory)
    parent = college.parents[student.id]
    assert message.chat_id == chats[parent.id]
    assert message.person_id == parent.id
    assert message.status is OutboxStatus.PENDING
    assert student.person.first_name in message.text
    assert student.person.last_name not in message.text  # the first name is enough
    assert "absent" in message.text
    assert college.math.name in message.text
    assert "17 November" in message.text
    async with session_factory() as session:
        [event] = await session.scalars(select(Event))
    assert event.processed_at == college.now


async def test_a_grade_names_discipline_grade_and_date(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    await kit.link_everyone(session_factory, college)
    student = college.students[1]
    await kit.add_grade(session_factory, college, student, "4", college.now, kind="test")
    await kit.notify(session_factory, settings, college.now)

    [message] = await kit.outbox(session_factory)
    assert message.text.splitlines() == [
        f"📘 {student.person.first_name}: new grade <b>4 (test)</b>",
        f"{college.math.name}, lesson of 17 November",
    ]
    # It waits for corrections, then goes.
    assert message.not_before == college.now + timedelta(minutes=2)


async def test_a_correction_within_the_window_sends_one_message_with_the_final_grade(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    await kit.link_everyone(session_factory, college)
    student = college.students[0]
    grade_id = await kit.add_grade(session_factory, college, student, "3", college.now)
    await kit.notify(session_factory, settings, college.now)
    later = kit.after(college.now, 1)
    await kit.change_grade(session_factory, college, grade_id, "5", later)
    await kit.notify(session_factory, settings, later)

    merged, final = await kit.outbox(session_factory)
    assert merged.status is OutboxStatus.MERGED
    assert final.status is OutboxStatus.PENDING
    assert "new grade <b>5</b>" in final.text  # told as given, with the final value
    assert "3" not in final.text
    assert final.not_before == later + timedelta(minutes=2)


async def test_a_grade_removed_within_the_window_sends_nothing(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    await kit.link_everyone(session_factory, college)
    grade_id = await kit.add_grade(session_factory, college, college.students[0], "2", college.now)
    await kit.notify(session_factory, settings, college.now)
    await kit.remove_grade(session_factory, college, grade_id, kit.after(college.now, 1))
    await kit.notify(session_factory, settings, kit.after(college.now, 1))

    statuses = [m.status for m in await kit.outbox(session_factory)]
    assert statuses == [OutboxStatus.MERGED]


async def test_a_correction_after_the_window_is_a_message_of_its_own(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    await kit.link_everyone(session_factory, college)
    grade_id = await kit.add_grade(session_factory, college, college.students[0], "3", college.now)
    await kit.notify(session_factory, settings, college.now)
    later = kit.after(college.now, 10)  # the first message is due, maybe sent: not touched
    await kit.change_grade(session_factory, college, grade_id, "4", later)
    await kit.notify(session_factory, settings, later)

    first, second = await kit.outbox(session_factory)
    assert first.status is second.status is OutboxStatus.PENDING
    assert "grade changed from 3 to <b>4</b>" in second.text


async def test_absent_then_corrected_to_present_within_the_window_sends_nothing(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    await kit.link_everyone(session_factory, college)
    student = college.students[2]
    await kit.absent(session_factory, college, student, now=college.now)
    await kit.notify(session_factory, settings, college.now)
    later = kit.after(college.now, 1)
    await kit.tap(session_factory, college, student, Mark.ABSENT, later)  # → late
    await kit.tap(session_factory, college, student, Mark.LATE, later)  # → present
    await kit.notify(session_factory, settings, later)

    statuses = [m.status for m in await kit.outbox(session_factory)]
    assert statuses == [OutboxStatus.MERGED, OutboxStatus.MERGED]  # "absent", then "late"


async def test_quiet_hours_hold_messages_until_seven(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    await kit.link_everyone(session_factory, college)
    evening = college.at(college.today, 22, 30)
    await kit.add_grade(session_factory, college, college.students[0], "5", evening)
    await kit.notify(session_factory, settings, evening)

    [message] = await kit.outbox(session_factory)
    assert message.not_before == college.at(college.today + timedelta(days=1), 7)
    assert message.status is OutboxStatus.PENDING


async def test_off_queues_nothing_and_students_are_off_unless_they_opt_in(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    chats = await kit.link_everyone(session_factory, college)
    first, second = college.students[0], college.students[1]
    async with session_factory.begin() as session:
        await prefs.cycle(  # now → digest
            session, org_id=college.org.id, person_id=college.parents[first.id].id,
            kind=prefs.ATTENDANCE, as_parent=True,
        )  # fmt: skip
        await prefs.cycle(  # digest → off
            session, org_id=college.org.id, person_id=college.parents[first.id].id,
            kind=prefs.ATTENDANCE, as_parent=True,
        )  # fmt: skip
        await prefs.cycle(  # the student: off → now
            session, org_id=college.org.id, person_id=second.person.id,
            kind=prefs.ATTENDANCE, as_parent=False,
        )  # fmt: skip
    await kit.absent(session_factory, college, first, second, now=college.now)
    await kit.notify(session_factory, settings, college.now)

    messages = await kit.outbox(session_factory)
    assert sorted(m.chat_id for m in messages) == sorted(
        [chats[college.parents[second.id].id], chats[second.person.id]]
    )
    own = next(m for m in messages if m.person_id == second.person.id)
    assert own.text.splitlines()[0] == "🚫 <b>Absent</b>"  # addressed to the student


async def test_only_accounts_active_and_linked_before_the_event_are_told(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    first, second = college.students[0], college.students[1]
    blocked = await kit.link(session_factory, college.parents[first.id])
    async with session_factory.begin() as session:
        account = await session.scalar(
            select(TelegramAccount).where(TelegramAccount.chat_id == blocked)
        )
        assert account is not None
        account.active = False
    await kit.absent(session_factory, college, first, second, now=college.now)
    await kit.link(session_factory, college.parents[second.id])  # linked after the absence
    await kit.notify(session_factory, settings, college.now)

    assert await kit.outbox(session_factory) == []


async def test_typed_text_is_escaped(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    await kit.link_everyone(session_factory, college)
    comment = '<b>5</b> & <a href="x">'
    await kit.add_grade(
        session_factory, college, college.students[0], "5", college.now, comment=comment
    )
    await kit.notify(session_factory, settings, college.now)

    [message] = await kit.outbox(session_factory)
    assert "Comment: &lt;b&gt;5&lt;/b&gt; &amp; &lt;a href=&#34;x&#34;&gt;" in message.text
    assert "<a " not in message.text
    shown, entities = parse_html(message.text)
    assert f"Comment: {comment}" in shown
    assert [e["type"] for e in entities] == ["bold"]


async def test_an_unreadable_event_is_set_aside_and_the_rest_go_on(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    await kit.link_everyone(session_factory, college)
    async with session_factory.begin() as session:
        events.emit(
            session, org_id=college.org.id, kind=events.GRADE_CREATED, subject="grade:0",
            payload={"no": "grade"},
        )  # fmt: skip
    await kit.add_grade(session_factory, college, college.students[0], "5", college.now)

    assert await notify_events(session_factory, settings, now=college.now) == 2
    assert len(await kit.outbox(session_factory)) == 1
    assert await notify_events(session_factory, settings, now=college.now) == 0


async def test_an_absence_reason_is_told_with_the_lesson_looked_up_when_left_out(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    chats = await kit.link_everyone(session_factory, college)
    student = college.students[0]
    await kit.absent(session_factory, college, student, now=college.now)
    async with session_factory.begin() as session:
        row = await session.scalar(select(Attendance).where(Attendance.student_id == student.id))
        assert row is not None
        events.emit(
            session, org_id=college.org.id, kind=events.ABSENCE_REASON_SET,
            subject=f"reason:{row.lesson_id}:{student.id}",
            payload={"attendance_id": row.id, "reason": "illness", "old_reason": None},
        )  # fmt: skip
    await kit.notify(session_factory, settings, college.now)

    absence, reason = await kit.outbox(session_factory)
    assert reason.chat_id == absence.chat_id == chats[college.parents[student.id].id]
    assert reason.text.splitlines() == [
        f"📝 {student.person.first_name}: reason of the absence recorded: <b>illness</b>",
        f"{college.math.name}, lesson of 17 November, pair 1",
    ]


async def test_whoever_sent_the_certificate_is_not_told_lesson_by_lesson(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    """A reason set by an approved certificate: its sender hears the curator's decision in one
    message (services/absences/justifications.py); a second parent still hears of each reason."""
    from storage.models import AbsenceJustification
    from tests.factories import add_member, add_person

    student = college.students[0]
    sender = college.parents[student.id]
    async with session_factory.begin() as session:
        other_parent = await add_person(session, college.org, "Алексеева", "Мария")
        await add_member(session, other_parent, Role.PARENT, student=student)
    chats = await kit.link_everyone(session_factory, college)
    await kit.link(session_factory, other_parent)
    await kit.absent(session_factory, college, student, now=college.now)
    await kit.notify(session_factory, settings, college.now)
    before = len(await kit.outbox(session_factory))
    async with session_factory.begin() as session:
        row = await session.scalar(select(Attendance).where(Attendance.student_id == student.id))
        assert row is not None
        certificate = AbsenceJustification(
            org_id=college.org.id, student_id=student.id, submitted_by=sender.id,
            date_from=college.today, date_to=college.today,
        )  # fmt: skip
        session.add(certificate)
        await session.flush()
        events.emit(
            session, org_id=college.org.id, kind=events.ABSENCE_REASON_SET,
            subject=f"reason:{row.lesson_id}:{student.id}",
            payload={"attendance_id": row.id, "reason": "illness", "old_reason": None,
                     "justification_id": certificate.id},
        )  # fmt: skip
    later = college.now + timedelta(minutes=1)
    await kit.notify(session_factory, settings, later)
    new = (await kit.outbox(session_factory))[before:]
    assert [m.person_id for m in new] == [other_parent.id]
    assert chats[sender.id] not in {m.chat_id for m in new}
