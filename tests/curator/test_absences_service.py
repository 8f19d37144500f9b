"""The curator's absence reasons at the service level: who sees which absences, a reason for
a lesson, a day or a date range, with the audit and the events the notifier reads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.errors import Denied, Invalid
from services.absences import unexplained as absences
from services.absences.dates import parse_range, quick_range
from services.access import Actor, load_actor
from services.notifications.facts import facts_of
from storage import events
from storage.models import AbsenceReason
from tests.curator.kit import FRI, MON, THU, CuratorCollege, mark_absent, reason_of
from tests.factories import audit_trail, events_of


def curator(college: CuratorCollege) -> Actor:
    return college.actor(college.curator)


async def test_the_list_holds_only_unexplained_absences_of_the_curators_groups(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    college: CuratorCollege,
) -> None:
    alekseev, borisova = college.students[0], college.students[1]
    await mark_absent(session_factory, college.thu, alekseev.id)
    await mark_absent(session_factory, college.lessons.today, alekseev.id)
    await mark_absent(session_factory, college.lessons.today, borisova.id)
    # Not on the list: explained, a cancelled lesson, a closed period, another group, expelled.
    await mark_absent(session_factory, college.fri, borisova.id, AbsenceReason.ILLNESS)
    await mark_absent(session_factory, college.lessons.cancelled, borisova.id)
    await mark_absent(session_factory, college.lessons.closed, borisova.id)
    await mark_absent(session_factory, college.lessons.today, college.expelled.id)

    found = await absences.by_student(session, curator(college), college.today)
    assert [(s.name, len(s.absences)) for s in found] == [
        ("Алексеев И. П.", 2),
        ("Борисова А. С.", 1),
    ]
    assert found[0].days == [THU, college.today]

    days = await absences.by_day(session, curator(college), college.today)
    assert [(d.day, d.count) for d in days] == [(college.today, 2), (THU, 1)]

    other = await load_actor(session, college.other_curator.id)
    assert await absences.by_student(session, other, college.today) == []


async def test_a_date_range_sets_every_unexplained_absence_in_it_once(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    college: CuratorCollege,
) -> None:
    student = college.students[0]
    for lesson in (college.thu, college.fri, college.mon, college.lessons.yesterday):
        await mark_absent(session_factory, lesson, student.id)
    await mark_absent(session_factory, college.lessons.today, student.id)  # after the range
    # Already explained: stays as the curator set it.
    await mark_absent(session_factory, college.lessons.old, student.id, AbsenceReason.UNEXCUSED)

    result = await absences.set_reason(
        session,
        curator(college),
        student.id,
        AbsenceReason.ILLNESS,
        college.now,
        first=college.lessons.old.date,
        last=MON,
    )
    await session.commit()
    assert result.count == 4
    assert {r.day for r in result.lessons} == {THU, FRI, MON}

    for lesson in (college.thu, college.fri, college.mon, college.lessons.yesterday):
        row = await reason_of(session_factory, lesson, student.id)
        assert row is not None
        assert (row.reason, row.reason_set_by) == (AbsenceReason.ILLNESS, college.curator.id)
        assert row.reason_set_at == college.now
    today = await reason_of(session_factory, college.lessons.today, student.id)
    old = await reason_of(session_factory, college.lessons.old, student.id)
    assert today is not None and today.reason is None
    assert old is not None and old.reason is AbsenceReason.UNEXCUSED

    trail = await audit_trail(session, "attendance")
    assert len(trail) == 4
    assert all(e.changes == {"reason": [None, "illness"]} for e in trail)
    assert {e.actor_id for e in trail} == {college.curator.id}

    emitted = await events_of(session, events.ABSENCE_REASON_SET)
    facts = [f for e in emitted for f in facts_of(e)]
    assert sorted((f.lesson_id, f.was, f.now) for f in facts) == sorted(
        (lesson.id, None, "illness")
        for lesson in (college.thu, college.fri, college.mon, college.lessons.yesterday)
    )
    assert {f.student_id for f in facts} == {student.id}
    assert {f.lesson_date for f in facts} == {THU, FRI, MON}

    # The same range again changes nothing: the absences are explained now.
    again = await absences.set_reason(
        session, curator(college), student.id, AbsenceReason.EXCUSED, college.now,
        first=THU, last=MON,
    )  # fmt: skip
    assert again.count == 0


async def test_one_lesson_and_one_day(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    college: CuratorCollege,
) -> None:
    student = college.students[2]
    await mark_absent(session_factory, college.mon, student.id)
    await mark_absent(session_factory, college.lessons.yesterday, student.id)
    await mark_absent(session_factory, college.lessons.today, student.id)

    one = await absences.set_reason(
        session, curator(college), student.id, AbsenceReason.EXCUSED, college.now,
        lesson_id=college.lessons.today.id,
    )  # fmt: skip
    day = await absences.set_reason(
        session, curator(college), student.id, AbsenceReason.UNEXCUSED, college.now,
        first=MON, last=MON,
    )  # fmt: skip
    await session.commit()
    assert (one.count, day.count) == (1, 2)
    today = await reason_of(session_factory, college.lessons.today, student.id)
    mon = await reason_of(session_factory, college.mon, student.id)
    assert today is not None and today.reason is AbsenceReason.EXCUSED
    assert mon is not None and mon.reason is AbsenceReason.UNEXCUSED


@pytest.mark.parametrize("who", ["other_curator", "teacher", "parent", "director"])
async def test_only_the_groups_curator_and_the_deputy_may_set_reasons(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    college: CuratorCollege,
    who: str,
) -> None:
    student = college.students[0]
    await mark_absent(session_factory, college.lessons.today, student.id)
    person = college.parents[student.id] if who == "parent" else getattr(college, who)
    actor = await load_actor(session, person.id)
    with pytest.raises(Denied, match="This student is not in your groups"):
        await absences.set_reason(
            session, actor, student.id, AbsenceReason.ILLNESS, college.now,
            first=college.today, last=college.today,
        )  # fmt: skip
    with pytest.raises(Denied):
        await absences.of_student(session, actor, student.id, college.today)
    await session.rollback()
    row = await reason_of(session_factory, college.lessons.today, student.id)
    assert row is not None and row.reason is None
    assert await audit_trail(session, "attendance") == []

    deputy = await absences.set_reason(
        session, college.actor(college.deputy), student.id, AbsenceReason.ILLNESS, college.now,
        first=college.today, last=college.today,
    )  # fmt: skip
    assert deputy.count == 1


async def test_a_range_too_long_is_refused(session: AsyncSession, college: CuratorCollege) -> None:
    with pytest.raises(Invalid, match="more than 92 days"):
        await absences.set_reason(
            session, curator(college), college.students[0].id, AbsenceReason.ILLNESS,
            college.now, first=college.today - timedelta(days=100), last=college.today,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "first", "last"),
    [
        ("24.11–26.11", "2026-11-24", "2026-11-26"),
        ("24.11", "2026-11-24", "2026-11-24"),
        ("24-26.11", "2026-11-24", "2026-11-26"),
        ("с 12.11 по 16.11", "2026-11-12", "2026-11-16"),
        ("12.11.2026 - 16.11.2026", "2026-11-12", "2026-11-16"),
        ("28.12-03.01", "2026-12-28", "2027-01-03"),
        ("3.1.26 — 5.1.26", "2026-01-03", "2026-01-05"),
    ],
)
def test_typed_dates(typed: str, first: str, last: str, college: CuratorCollege) -> None:
    found = parse_range(typed, college.today)
    assert (found.first.isoformat(), found.last.isoformat()) == (first, last)


@pytest.mark.parametrize("typed", ["", "tomorrow", "31.02", "12.11 13.11 14.11", "16.11–12.11"])
def test_unreadable_dates_are_refused(typed: str, college: CuratorCollege) -> None:
    with pytest.raises(Invalid):
        parse_range(typed, college.today)


def test_quick_dates(college: CuratorCollege) -> None:
    assert quick_range("yt", college.today).short() == "16.11–17.11"
    assert quick_range("y", college.today).short() == "16.11"
    assert quick_range("t", college.today).days == 1
