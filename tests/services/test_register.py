"""The register: who is listed, taps, marking everyone present, finalising and what it tells."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.errors import Denied, Invalid
from services.journal.register import (
    finalise_register,
    mark_all_present,
    next_mark,
    open_register,
    toggle_mark,
)
from storage import events
from storage.models import Attendance, AuditEntry, Event, Lesson, Mark
from tests.factories import College, audit_trail, events_of

P, A, L = Mark.PRESENT, Mark.ABSENT, Mark.LATE


def marks_of(view: object) -> list[Mark]:
    return [row.mark for row in view.rows]  # type: ignore[attr-defined]


def test_a_tap_cycles_present_absent_late() -> None:
    assert [next_mark(P), next_mark(A), next_mark(L)] == [A, L, P]


async def test_register_lists_studying_students_of_the_group_by_name_all_present(
    session: AsyncSession, college: College
) -> None:
    view = await open_register(
        session, college.actor(college.teacher), college.lessons.today.id, college.now
    )
    assert [row.name for row in view.rows] == [
        "Алексеев И. П.",
        "Борисова А. С.",
        "Егоров О.",
        "Ёлкин П.",
        "Смирнова М.",
        "Яковлев Д.",
    ]
    assert [row.student_id for row in view.rows] == [s.id for s in college.students]
    assert (view.present, view.absent, view.late) == (6, 0, 0)
    assert not view.done and view.editable and view.locked is None


async def test_subgroup_register_lists_the_subgroup_only(
    session: AsyncSession, college: College
) -> None:
    view = await open_register(
        session, college.actor(college.teacher), college.lessons.subgroup.id, college.now
    )
    assert [row.student_id for row in view.rows] == [s.id for s in college.sub1_students]
    assert view.info.subgroup_name == "1"


async def test_taps_cycle_the_mark_and_each_is_stored_at_once(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    college: College,
) -> None:
    actor, lesson = college.actor(college.teacher), college.lessons.today
    student = college.students[1]
    view = await toggle_mark(session, actor, lesson.id, student.id, P, college.now)
    assert marks_of(view) == [P, A, P, P, P, P]
    assert (view.present, view.absent, view.late) == (5, 1, 0)
    await session.commit()

    # Reopening, as after a restart or on a second device, shows what is stored.
    async with session_factory() as other:
        reopened = await open_register(other, actor, lesson.id, college.now)
    assert marks_of(reopened) == [P, A, P, P, P, P]

    view = await toggle_mark(session, actor, lesson.id, student.id, A, college.now)
    assert view.late == 1 and view.rows[1].mark is L
    view = await toggle_mark(session, actor, lesson.id, student.id, L, college.now)
    assert marks_of(view) == [P] * 6
    await session.commit()

    # Back to present keeps the row, as present; the trail reads old → new throughout.
    row = (await session.scalars(select(Attendance))).one()
    assert (row.student_id, row.mark, row.updated_by) == (student.id, P, college.teacher.id)
    trail = await audit_trail(session, "attendance", row.id)
    assert [e.changes["mark"] for e in trail] == [
        ["present", "absent"],
        ["absent", "late"],
        ["late", "present"],
    ]
    assert {(e.actor_id, e.action, e.org_id) for e in trail} == {
        (college.teacher.id, "update", college.org.id)
    }


async def test_a_repeated_tap_changes_nothing(session: AsyncSession, college: College) -> None:
    actor, lesson = college.actor(college.teacher), college.lessons.today
    student = college.students[0]
    await toggle_mark(session, actor, lesson.id, student.id, P, college.now)
    # The same button again (a double tap, a redelivered update): the device still showed P.
    view = await toggle_mark(session, actor, lesson.id, student.id, P, college.now)
    await session.commit()
    assert view.rows[0].mark is A
    assert len(await audit_trail(session, "attendance")) == 1


async def test_taps_do_not_write_events(session: AsyncSession, college: College) -> None:
    actor, lesson = college.actor(college.teacher), college.lessons.today
    await toggle_mark(session, actor, lesson.id, college.students[0].id, P, college.now)
    await session.commit()
    assert await events_of(session) == []


async def test_forged_taps_are_refused_and_store_nothing(
    session: AsyncSession, college: College
) -> None:
    teacher, lesson = college.actor(college.teacher), college.lessons.today
    forged = [
        (teacher, lesson.id, college.other_students[0].id, Denied, "not on the register"),
        (teacher, lesson.id, college.expelled.id, Denied, "not on the register"),
        (
            teacher,
            college.lessons.subgroup.id,
            college.sub2_students[0].id,
            Denied,
            "not on the register",
        ),
        (teacher, college.lessons.foreign.id, college.students[0].id, Denied, "not among"),
        (teacher, college.lessons.old.id, college.students[0].id, Denied, "edit window"),
        (teacher, college.lessons.closed.id, college.students[0].id, Denied, "is closed"),
        (
            college.actor(college.director),
            lesson.id,
            college.students[0].id,
            Denied,
            "not among",
        ),
    ]
    for actor, lesson_id, student_id, error, message in forged:
        with pytest.raises(error, match=message):
            await toggle_mark(session, actor, lesson_id, student_id, P, college.now)
    with pytest.raises(Invalid, match="out of date"):
        await toggle_mark(session, teacher, lesson.id, college.students[0].id, "gone", college.now)
    await session.commit()
    assert (await session.scalar(select(func.count()).select_from(Attendance))) == 0


async def test_after_the_window_only_the_deputy_changes_the_register(
    session: AsyncSession, college: College
) -> None:
    old = college.lessons.old
    teacher_view = await open_register(session, college.actor(college.teacher), old.id, college.now)
    assert not teacher_view.editable
    assert "Please ask the deputy director" in (teacher_view.locked or "")

    deputy = college.actor(college.deputy)
    view = await toggle_mark(session, deputy, old.id, college.students[2].id, P, college.now)
    assert view.editable and view.rows[2].mark is A
    await session.commit()
    (entry,) = await audit_trail(session, "attendance")
    assert entry.actor_id == college.deputy.id


async def test_director_sees_the_register_curator_does_not(
    session: AsyncSession, college: College
) -> None:
    lesson = college.lessons.today
    view = await open_register(session, college.actor(college.director), lesson.id, college.now)
    assert len(view.rows) == 6
    assert view.locked == "You can see this lesson's journal but not change it."
    with pytest.raises(Denied):
        await open_register(session, college.actor(college.curator), lesson.id, college.now)


async def test_mark_all_present_resets_absent_and_late_with_audit(
    session: AsyncSession, college: College
) -> None:
    actor, lesson = college.actor(college.teacher), college.lessons.today
    s = college.students
    await toggle_mark(session, actor, lesson.id, s[0].id, P, college.now)
    await toggle_mark(session, actor, lesson.id, s[3].id, A, college.now)
    view = await mark_all_present(session, actor, lesson.id, college.now)
    await session.commit()
    assert marks_of(view) == [P] * 6
    trail = [e.changes["mark"] for e in await audit_trail(session, "attendance")]
    assert trail == [
        ["present", "absent"],  # s0 tapped
        ["present", "late"],  # s3's device showed absent: the tap means late
        ["absent", "present"],  # everyone present
        ["late", "present"],
    ]
    # Nothing to reset: nothing written.
    await mark_all_present(session, actor, lesson.id, college.now)
    await session.commit()
    assert len(await audit_trail(session, "attendance")) == 4


async def test_finalising_tells_about_absent_and_late_students_once(
    session: AsyncSession, college: College
) -> None:
    actor, lesson = college.actor(college.teacher), college.lessons.today
    s = college.students
    await toggle_mark(session, actor, lesson.id, s[1].id, P, college.now)  # absent
    await toggle_mark(session, actor, lesson.id, s[4].id, P, college.now)
    await toggle_mark(session, actor, lesson.id, s[4].id, A, college.now)  # late
    done = await finalise_register(session, actor, lesson.id, college.now)
    await session.commit()

    assert done.first and done.view.done
    assert [(c.student_id, c.mark, c.was) for c in done.changes] == [
        (s[1].id, A, P),
        (s[4].id, L, P),
    ]
    stored = await session.get(Lesson, lesson.id, populate_existing=True)
    assert stored is not None
    assert (stored.register_done_at, stored.register_done_by) == (college.now, college.teacher.id)

    (event,) = await events_of(session, events.REGISTER_FINALISED)
    assert (event.org_id, event.subject, event.actor_id) == (
        college.org.id,
        f"register:{lesson.id}",
        college.teacher.id,
    )
    payload = event.payload
    assert payload["students"] == [
        {"student_id": s[1].id, "mark": "absent", "was": "present"},
        {"student_id": s[4].id, "mark": "late", "was": "present"},
    ]
    assert (payload["absent"], payload["late"]) == ([s[1].id], [s[4].id])
    assert (payload["lesson_id"], payload["lesson_date"], payload["discipline"]) == (
        lesson.id,
        "2026-11-17",
        "Математика",
    )
    assert payload["group"] == "ИС-21"

    (entry,) = await audit_trail(session, "register", lesson.id)
    assert entry.action == "finalise"
    assert entry.changes["absent"] == [[], [s[1].id]]
    assert entry.changes["register_done_by"] == [None, college.teacher.id]

    # Done again with nothing changed: no new event, no new entry.
    again = await finalise_register(session, actor, lesson.id, college.now)
    await session.commit()
    assert not again.first and again.changes == ()
    assert len(await events_of(session)) == 1
    assert len(await audit_trail(session, "register")) == 1


async def test_refinalising_tells_only_what_changed(
    session: AsyncSession, college: College
) -> None:
    actor, lesson = college.actor(college.teacher), college.lessons.today
    s = college.students
    first_at, later = college.now, college.now + timedelta(hours=2)
    await toggle_mark(session, actor, lesson.id, s[0].id, P, first_at)  # absent
    await toggle_mark(session, actor, lesson.id, s[1].id, P, first_at)  # absent
    await finalise_register(session, actor, lesson.id, first_at)
    await session.commit()

    # s0 turns up late, s1 stays absent, s2 is now absent; s3 flips and flips back.
    await toggle_mark(session, actor, lesson.id, s[0].id, A, later)
    await toggle_mark(session, actor, lesson.id, s[2].id, P, later)
    for seen in (P, A, L):
        await toggle_mark(session, actor, lesson.id, s[3].id, seen, later)
    done = await finalise_register(session, actor, lesson.id, later)
    await session.commit()

    assert not done.first
    assert [(c.student_id, c.mark, c.was) for c in done.changes] == [
        (s[0].id, L, A),
        (s[2].id, A, P),
    ]
    last = (await events_of(session, events.REGISTER_FINALISED))[-1]
    assert last.payload["students"] == [
        {"student_id": s[0].id, "mark": "late", "was": "absent"},
        {"student_id": s[2].id, "mark": "absent", "was": "present"},
    ]
    assert (last.payload["absent"], last.payload["late"]) == ([s[1].id, s[2].id], [s[0].id])
    # The register counts as done when it was first done (R1 monitoring).
    stored = await session.get(Lesson, lesson.id, populate_existing=True)
    assert stored is not None and stored.register_done_at == first_at

    # Everyone present now: the parents of the absent and late students hear the correction.
    await mark_all_present(session, actor, lesson.id, later)
    done = await finalise_register(session, actor, lesson.id, later)
    await session.commit()
    assert {(c.student_id, c.mark) for c in done.changes} == {
        (s[0].id, P),
        (s[1].id, P),
        (s[2].id, P),
    }
    assert len(await events_of(session, events.REGISTER_FINALISED)) == 3


async def test_finalising_a_register_without_absences_writes_no_event(
    session: AsyncSession, college: College
) -> None:
    actor, lesson = college.actor(college.teacher), college.lessons.today
    done = await finalise_register(session, actor, lesson.id, college.now)
    await session.commit()
    assert done.first and done.view.done and done.changes == ()
    assert await events_of(session) == []
    (entry,) = await audit_trail(session, "register", lesson.id)
    assert set(entry.changes) == {"register_done_at", "register_done_by"}


async def test_finalising_is_refused_to_others_and_after_the_window(
    session: AsyncSession, college: College
) -> None:
    teacher = college.actor(college.teacher)
    with pytest.raises(Denied):
        await finalise_register(session, teacher, college.lessons.foreign.id, college.now)
    with pytest.raises(Denied, match="edit window"):
        await finalise_register(session, teacher, college.lessons.old.id, college.now)
    await session.rollback()
    done = await finalise_register(
        session, college.actor(college.deputy), college.lessons.old.id, college.now
    )
    assert done.view.done


async def test_mark_event_and_audit_share_the_transaction(
    session: AsyncSession, college: College
) -> None:
    actor, lesson = college.actor(college.teacher), college.lessons.today
    await toggle_mark(session, actor, lesson.id, college.students[0].id, P, college.now)
    await finalise_register(session, actor, lesson.id, college.now)
    await session.rollback()
    for table in (Attendance, AuditEntry, Event):
        assert (await session.scalar(select(func.count()).select_from(table))) == 0
    stored = await session.get(Lesson, lesson.id, populate_existing=True)
    assert stored is not None and stored.register_done_at is None
