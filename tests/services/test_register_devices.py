"""Two devices on one register at once: two sessions whose transactions interleave.

Device A changes something and has not committed yet when device B acts. On PostgreSQL B runs
alongside (or waits for A's row); on SQLite B waits for A's write lock. Either way B must not
lose A's change, nor A B's. The suite runs these on both backends.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.access import Actor
from services.journal.register import finalise_register, open_register, toggle_mark
from storage import events
from storage.models import Mark
from tests.factories import College, audit_trail, events_of

T = TypeVar("T")
P, A = Mark.PRESENT, Mark.ABSENT


async def committed(session: AsyncSession, action: Callable[[], Awaitable[T]]) -> T:
    result = await action()
    await session.commit()
    return result


async def stored_marks(
    factory: async_sessionmaker[AsyncSession], actor: Actor, college: College
) -> dict[int, Mark]:
    async with factory() as session:
        view = await open_register(session, actor, college.lessons.today.id, college.now)
    return {row.student_id: row.mark for row in view.rows}


async def test_taps_on_different_students_from_two_devices_are_both_kept(
    session_factory: async_sessionmaker[AsyncSession], college: College
) -> None:
    actor, lesson_id, now = college.actor(college.teacher), college.lessons.today.id, college.now
    first, second = college.students[0].id, college.students[5].id
    async with session_factory() as a, session_factory() as b:
        await open_register(a, actor, lesson_id, now)
        await open_register(b, actor, lesson_id, now)
        await toggle_mark(a, actor, lesson_id, first, P, now)  # A holds its change
        tap_b = asyncio.create_task(
            committed(b, lambda: toggle_mark(b, actor, lesson_id, second, P, now))
        )
        await a.commit()
        await tap_b

    marks = await stored_marks(session_factory, actor, college)
    assert (marks[first], marks[second]) == (A, A)
    assert sum(m is A for m in marks.values()) == 2
    async with session_factory() as check:
        assert len(await audit_trail(check, "attendance")) == 2


async def test_two_devices_tapping_the_same_student_agree(
    session_factory: async_sessionmaker[AsyncSession], college: College
) -> None:
    actor, lesson_id, now = college.actor(college.teacher), college.lessons.today.id, college.now
    student = college.students[2].id
    async with session_factory() as a, session_factory() as b:
        # Both screens show the student present; both teachers tap them.
        await toggle_mark(a, actor, lesson_id, student, P, now)
        tap_b = asyncio.create_task(
            committed(b, lambda: toggle_mark(b, actor, lesson_id, student, P, now))
        )
        await a.commit()
        seen_by_b = await tap_b

    assert {row.student_id: row.mark for row in seen_by_b.rows}[student] is A
    assert (await stored_marks(session_factory, actor, college))[student] is A
    async with session_factory() as check:
        (entry,) = await audit_trail(check, "attendance")
        assert entry.changes == {"mark": ["present", "absent"]}


async def test_done_pressed_on_two_devices_tells_parents_once(
    session_factory: async_sessionmaker[AsyncSession], college: College
) -> None:
    actor, lesson_id, now = college.actor(college.teacher), college.lessons.today.id, college.now
    async with session_factory() as setup:
        await committed(
            setup,
            lambda: toggle_mark(setup, actor, lesson_id, college.students[1].id, P, now),
        )
    async with session_factory() as a, session_factory() as b:
        done_a = await finalise_register(a, actor, lesson_id, now)
        done_b_task = asyncio.create_task(
            committed(b, lambda: finalise_register(b, actor, lesson_id, now))
        )
        await a.commit()
        done_b = await done_b_task

    assert done_a.first and len(done_a.changes) == 1
    assert not done_b.first and done_b.changes == ()
    async with session_factory() as check:
        assert len(await events_of(check, events.REGISTER_FINALISED)) == 1
        assert len(await audit_trail(check, "register", lesson_id)) == 1


async def test_a_tap_racing_done_is_told_by_the_next_done(
    session_factory: async_sessionmaker[AsyncSession], college: College
) -> None:
    actor, lesson_id, now = college.actor(college.teacher), college.lessons.today.id, college.now
    late_comer = college.students[4].id
    async with session_factory() as a, session_factory() as b:
        await toggle_mark(a, actor, lesson_id, late_comer, P, now)  # A's tap, not committed
        done_task = asyncio.create_task(
            committed(b, lambda: finalise_register(b, actor, lesson_id, now))
        )
        await a.commit()
        done = await done_task
    async with session_factory() as c:
        again = await committed(c, lambda: finalise_register(c, actor, lesson_id, now))

    # Whichever came first, the absence is told exactly once.
    told = [change.student_id for change in done.changes + again.changes]
    assert told == [late_comer]
    async with session_factory() as check:
        (event,) = await events_of(check, events.REGISTER_FINALISED)
        assert event.payload["absent"] == [late_comer]
