"""Justifications at the service level: who may send one, what the curators get, and a
decision taken once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.jobs import notify_events
from core.config import Settings
from core.errors import Denied, Invalid
from handlers.justification import curator_message, outcome_message
from services.absences import justifications as js
from services.absences.dates import DateRange
from services.access import load_actor
from services.notifications.prefs import REASONS
from storage.models import (
    AbsenceReason,
    JustificationStatus,
    Person,
    Role,
    TelegramAccount,
)
from tests.curator.kit import MON, THU, CuratorCollege, mark_absent, outbox, reason_of
from tests.factories import add_member, add_person, audit_trail

CURATOR_CHAT, OTHER_CURATOR_CHAT, PARENT_CHAT = 7001, 7002, 7003
SECOND_PARENT_CHAT = 7004


async def _link(factory: async_sessionmaker[AsyncSession], person: Person, chat: int) -> None:
    async with factory.begin() as session:
        session.add(TelegramAccount(telegram_user_id=chat, chat_id=chat, person_id=person.id))


@pytest.fixture
async def linked(
    session_factory: async_sessionmaker[AsyncSession], college: CuratorCollege
) -> CuratorCollege:
    await _link(session_factory, college.curator, CURATOR_CHAT)
    await _link(session_factory, college.other_curator, OTHER_CURATOR_CHAT)
    await _link(session_factory, college.parents[college.students[0].id], PARENT_CHAT)
    return college


async def _submit(
    session: AsyncSession,
    college: CuratorCollege,
    settings: Settings,
    *,
    person: Person | None = None,
    student_id: int | None = None,
    dates: DateRange | None = None,
    kind: str = js.PHOTO,
) -> js.Submitted:
    student_id = student_id or college.students[0].id
    dates = dates or DateRange(THU, MON)
    person = person or college.parents[college.students[0].id]
    actor = await load_actor(session, person.id)
    done = await js.submit(
        session, actor, student_id, dates, "  Ill, the clinic's certificate  ", "FILE-1", kind,
        college.now, settings=settings, compose=curator_message,
    )  # fmt: skip
    await session.commit()
    return done


async def test_a_parent_sends_a_certificate_and_the_groups_curator_gets_it(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    linked: CuratorCollege,
    settings: Settings,
) -> None:
    college = linked
    student = college.students[0]
    await mark_absent(session_factory, college.thu, student.id)
    await mark_absent(session_factory, college.fri, student.id)
    done = await _submit(session, college, settings, kind=js.DOCUMENT)

    assert done.curators_told == 1
    row = await session.get(js.AbsenceJustification, done.view.id)
    assert row is not None
    assert (row.student_id, row.date_from, row.date_to) == (student.id, THU, MON)
    assert (row.status, row.file_id) == (JustificationStatus.PENDING, "FILE-1")
    assert row.file_kind == "document"
    assert row.submitted_at == college.now  # the R4 clock starts here
    assert row.comment == "Ill, the clinic's certificate"
    [created] = await audit_trail(session, js.ENTITY, row.id)
    assert created.action == "create" and created.actor_id == college.parents[student.id].id

    [message] = await outbox(session_factory)
    assert message.chat_id == CURATOR_CHAT  # not the other group's curator
    assert message.dedup_key == f"just:{row.id}:c:{CURATOR_CHAT}"
    assert message.document_file_id == "FILE-1"
    assert "Certificate for Алексеев И. П. (ИС-21)" in message.text
    assert "Unexplained absences in these dates: 2 lessons." in message.text
    labels = [b["text"] for r in message.reply_markup["inline_keyboard"] for b in r]
    assert labels == ["✅ Approve: illness", "✅ Approve: excused", "❌ Reject"]


async def test_a_photo_comes_as_a_photo_with_the_decision_buttons(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    linked: CuratorCollege,
    settings: Settings,
) -> None:
    await _submit(session, linked, settings, kind=js.PHOTO)
    [message] = await outbox(session_factory)
    assert (message.document_file_id, message.file_kind) == ("FILE-1", "photo")
    labels = [b["text"] for r in message.reply_markup["inline_keyboard"] for b in r]
    assert "🖼 Show the photo" not in labels and any("Approve" in label for label in labels)


async def test_who_may_send(
    session: AsyncSession, linked: CuratorCollege, settings: Settings
) -> None:
    college = linked
    minor = college.students[1]
    other_parent = college.parents[college.students[2].id]
    with pytest.raises(Denied, match="cannot send a certificate for this student"):
        await _submit(session, college, settings, person=other_parent, student_id=minor.id)
    with pytest.raises(Denied, match="cannot send a certificate for this student"):
        await _submit(session, college, settings, person=college.curator, student_id=minor.id)
    # A student without a birth date on file, or under 18, sends nothing themself …
    with pytest.raises(Denied, match="Students under 18"):
        await _submit(session, college, settings, person=minor.person, student_id=minor.id)
    await session.rollback()
    await session.execute(
        update(Person)
        .where(Person.id == minor.person_id)
        .values(birth_date=date(2008, 11, 18))  # 18 tomorrow
    )
    await session.commit()
    with pytest.raises(Denied, match="Students under 18"):
        await _submit(session, college, settings, person=minor.person, student_id=minor.id)
    await session.rollback()
    # … an adult does.
    await session.execute(
        update(Person).where(Person.id == minor.person_id).values(birth_date=date(2008, 11, 17))
    )
    await session.commit()
    done = await _submit(session, college, settings, person=minor.person, student_id=minor.id)
    assert done.view.by_parent is False
    assert (
        await js.default_student(
            session, await load_actor(session, minor.person_id), Role.STUDENT, None
        )
        == minor.id
    )


async def test_dates_out_of_bounds_are_refused(
    session: AsyncSession, linked: CuratorCollege, settings: Settings
) -> None:
    far = DateRange(linked.today + timedelta(days=20), linked.today + timedelta(days=21))
    with pytest.raises(Invalid, match="cannot go past"):
        await _submit(session, linked, settings, dates=far)
    long = DateRange(linked.today - timedelta(days=70), linked.today)
    with pytest.raises(Invalid, match="more than 62 days"):
        await _submit(session, linked, settings, dates=long)


async def _decide(
    session: AsyncSession,
    college: CuratorCollege,
    settings: Settings,
    person: Person,
    justification_id: int,
    *,
    approve: bool = True,
    reason: AbsenceReason = AbsenceReason.ILLNESS,
) -> js.Decision:
    actor = await load_actor(session, person.id)
    decision = await js.decide(
        session, actor, justification_id, approve=approve, reason=reason,
        now=college.now + timedelta(hours=1), settings=settings, compose=outcome_message,
    )  # fmt: skip
    await session.commit()
    return decision


async def test_approval_sets_the_reason_once_and_tells_the_parent(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    linked: CuratorCollege,
    settings: Settings,
) -> None:
    college = linked
    student = college.students[0]
    for lesson in (college.thu, college.fri, college.mon):
        await mark_absent(session_factory, lesson, student.id)
    await mark_absent(session_factory, college.lessons.today, student.id)  # not in the dates
    await mark_absent(session_factory, college.fri, college.students[1].id)  # another student
    done = await _submit(session, college, settings)

    # Another group's curator cannot decide it, nor pass for "another curator later".
    with pytest.raises(Denied, match="not for a student of your groups"):
        await _decide(session, college, settings, college.other_curator, done.view.id)
    await session.rollback()

    decision = await _decide(
        session, college, settings, college.curator, done.view.id, reason=AbsenceReason.EXCUSED
    )
    assert not decision.already and len(decision.lessons) == 3
    for lesson in (college.thu, college.fri, college.mon):
        row = await reason_of(session_factory, lesson, student.id)
        assert row is not None and row.reason is AbsenceReason.EXCUSED
    today = await reason_of(session_factory, college.lessons.today, student.id)
    other = await reason_of(session_factory, college.fri, college.students[1].id)
    assert today is not None and today.reason is None
    assert other is not None and other.reason is None
    trail = await audit_trail(session, "attendance")
    assert {tuple(e.changes) for e in trail} == {("justification_id", "reason")}

    messages = await outbox(session_factory)
    [told] = [m for m in messages if m.chat_id == PARENT_CHAT]
    assert "was accepted: excused" in told.text and "Absences excused: 3 lessons." in told.text

    # Decided once: a second press, the deputy later, a rejection after — nothing changes.
    again = await _decide(session, college, settings, college.curator, done.view.id)
    later = await _decide(session, college, settings, college.deputy, done.view.id, approve=False)
    assert again.already and later.already
    assert later.view.decided_by_name == "Морозова И. П."
    assert later.view.status is JustificationStatus.APPROVED
    assert len(await outbox(session_factory)) == len(messages)
    row = await session.get(js.AbsenceJustification, done.view.id)
    assert row is not None and row.reason is AbsenceReason.EXCUSED


async def test_the_curator_records_a_paper_certificate_with_the_day_it_was_received(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    linked: CuratorCollege,
    settings: Settings,
) -> None:
    """R4 counts from the day the paper was brought: the curator records it, and decides it
    like a photo (now or later)."""
    college = linked
    student = college.students[0]
    for lesson in (college.thu, college.fri, college.mon):
        await mark_absent(session_factory, lesson, student.id)
    curator = await load_actor(session, college.curator.id)
    other = await load_actor(session, college.other_curator.id)
    with pytest.raises(Denied, match="not for a student of your groups"):
        await js.record_paper(session, other, student.id, DateRange(THU, MON), MON, college.now)
    with pytest.raises(Invalid, match="cannot be in the future"):
        await js.record_paper(
            session, curator, student.id, DateRange(THU, MON), college.today + timedelta(days=1),
            college.now,
        )  # fmt: skip
    await session.rollback()

    view = await js.record_paper(
        session, curator, student.id, DateRange(THU, MON), MON, college.now
    )
    await session.commit()
    assert (view.received_on, view.file_kind, view.status, view.unexplained) == (
        MON,
        js.PAPER,
        JustificationStatus.PENDING,
        3,
    )
    notice = curator_message(view).text
    assert "Paper certificate, received 16 November" in notice and "parent" not in notice
    [entry] = await audit_trail(session, "absence_justification", view.id)
    assert entry.changes["received_on"] == [None, MON.isoformat()]
    assert [v.id for v in await js.waiting(session, curator)] == [view.id]

    decision = await _decide(session, college, settings, college.curator, view.id)
    assert len(decision.lessons) == 3
    row = await reason_of(session_factory, college.fri, student.id)
    assert row is not None and row.reason is AbsenceReason.ILLNESS


async def test_rejection_sets_nothing(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    linked: CuratorCollege,
    settings: Settings,
) -> None:
    college = linked
    student = college.students[0]
    await mark_absent(session_factory, college.thu, student.id)
    done = await _submit(session, college, settings)
    decision = await _decide(
        session, college, settings, college.curator, done.view.id, approve=False
    )
    assert decision.view.status is JustificationStatus.REJECTED and decision.lessons == ()
    row = await reason_of(session_factory, college.thu, student.id)
    assert row is not None and row.reason is None
    [told] = [m for m in await outbox(session_factory) if m.chat_id == PARENT_CHAT]
    assert "was not accepted" in told.text


async def test_a_certificate_cannot_be_approved_as_unexcused(
    session: AsyncSession, linked: CuratorCollege, settings: Settings
) -> None:
    done = await _submit(session, linked, settings)
    with pytest.raises(Invalid):
        await _decide(
            session, linked, settings, linked.curator, done.view.id,
            reason=AbsenceReason.UNEXCUSED,
        )  # fmt: skip


async def test_a_certificate_sent_at_night_reaches_the_curator_in_the_morning(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    linked: CuratorCollege,
    settings: Settings,
) -> None:
    college = linked
    actor = await load_actor(session, college.parents[college.students[0].id].id)
    night = college.at(college.today, 23, 30)
    await js.submit(
        session, actor, college.students[0].id, DateRange(MON, MON), "", "FILE-1", js.PHOTO,
        night, settings=settings, compose=curator_message,
    )  # fmt: skip
    await session.commit()
    [message] = await outbox(session_factory)
    assert message.not_before == college.at(college.today + timedelta(days=1), 7)


async def test_the_parents_hear_each_reason_through_the_notifier(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    linked: CuratorCollege,
    settings: Settings,
) -> None:
    """The events carry what services/notifications/facts.py reads: one notice per lesson, to the
    parents who did not send the certificate (its sender hears the decision in one message)."""
    college = linked
    student = college.students[0]
    async with session_factory.begin() as s:
        mother = await add_person(s, college.org, "Алексеева", "Мария")
        await add_member(s, mother, Role.PARENT, student=student)
    await _link(session_factory, mother, SECOND_PARENT_CHAT)
    await mark_absent(session_factory, college.mon, student.id)
    done = await _submit(session, college, settings)
    await _decide(session, college, settings, college.curator, done.view.id)
    await notify_events(session_factory, settings, now=college.now + timedelta(hours=1))
    notices = [m for m in await outbox(session_factory) if m.kind == REASONS]
    assert [(m.chat_id, m.subject) for m in notices] == [
        (SECOND_PARENT_CHAT, f"reason:{college.mon.id}:{student.id}")
    ]
    assert "Иван: reason of the absence recorded: <b>illness</b>" in notices[0].text
    assert "Математика, lesson of 16 November, pair 1" in notices[0].text
