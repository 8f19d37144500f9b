"""Each reminder is sent at most once: two scans at the same time, a restart between scans, a
failure half way, a late start after the hour."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

import storage.deadlines
from core.config import Settings
from screens.reminders import digest_text
from services.journal import register
from services.reminders import scan as reminders
from services.reminders.scan import ScanMemo
from storage.models import Mark
from tests.factories import College
from tests.reminders.kit import Factory, at, link, messages, reminder_keys, scan

TUESDAY = date(2026, 11, 17)


async def test_two_scans_at_once_send_each_digest_once(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    teacher = await link(session_factory, college.teacher)
    curator = await link(session_factory, college.curator)
    actor, lesson = college.actor(college.teacher), college.lessons.today
    async with session_factory.begin() as session:
        student = college.students[0].id
        await register.toggle_mark(session, actor, lesson.id, student, Mark.PRESENT, college.now)
        await register.finalise_register(session, actor, lesson.id, college.now)
    now = at(TUESDAY, 11, 30)  # the teachers' and the curators' digests both due

    queued = await asyncio.gather(
        *(scan(session_factory, settings, now, ScanMemo()) for _ in range(3))
    )

    assert sum(queued) == 2
    assert sorted(m.chat_id for m in await messages(session_factory)) == [teacher, curator]
    keys = await reminder_keys(session_factory)
    who = (college.teacher.id, college.curator.id)
    assert keys == sorted(
        [f"R1:{who[0]}:2026-11-17", f"R2:{who[0]}:2026-11-17", f"ABS:{who[1]}:2026-11-17"]
    )


async def test_a_restart_between_scans_sends_nothing_twice(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    chat = await link(session_factory, college.teacher)
    before = ScanMemo()
    assert await scan(session_factory, settings, at(TUESDAY, 8, 0), before) == 1
    assert await scan(session_factory, settings, at(TUESDAY, 8, 5), before) == 0

    after = ScanMemo()  # a new process: it works the morning out again
    report = await reminders.scan(
        session_factory, settings, now=at(TUESDAY, 8, 10), memo=after, text=digest_text
    )
    assert report.slots and report.queued == 0 and report.sections == 0
    assert len(await messages(session_factory, chat)) == 1


async def test_a_failure_before_the_message_is_queued_records_nothing(
    session_factory: Factory,
    college: College,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    chat = await link(session_factory, college.teacher)

    async def broken(*args: object, **kwargs: object) -> bool:
        raise RuntimeError("the store went away")

    with monkeypatch.context() as patch:
        patch.setattr(storage.deadlines, "queue_messages", broken)
        assert await scan(session_factory, settings, at(TUESDAY, 8, 0)) == 0
    assert await reminder_keys(session_factory) == []

    assert await scan(session_factory, settings, at(TUESDAY, 8, 5)) == 1
    assert len(await messages(session_factory, chat)) == 1


async def test_a_late_start_catches_up_the_morning_but_not_an_old_one(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    chat = await link(session_factory, college.teacher)
    assert await scan(session_factory, settings, at(TUESDAY, 12, 1)) == 0  # four hours late
    assert await scan(session_factory, settings, at(TUESDAY, 11, 55)) == 1
    assert len(await messages(session_factory, chat)) == 1


async def test_someone_not_linked_yet_is_reminded_once_linked(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    assert await scan(session_factory, settings, at(TUESDAY, 8, 0)) == 0
    assert await reminder_keys(session_factory) == []

    chat = await link(session_factory, college.teacher)
    assert await scan(session_factory, settings, at(TUESDAY, 8, 30)) == 1
    assert len(await messages(session_factory, chat)) == 1
