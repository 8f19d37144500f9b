"""Topic and hours, homework with a file, the distance-lesson format (R9)."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.errors import Conflict, Denied, Invalid
from services import access
from services.journal.lesson_details import (
    clear_distance,
    clear_homework,
    lesson_details,
    set_distance,
    set_homework,
    set_topic,
    validate_hours,
    validate_topic,
)
from storage.models import Lesson
from tests.factories import College, audit_trail


async def reload(session: AsyncSession, lesson: Lesson) -> Lesson:
    found = await session.get(Lesson, lesson.id, populate_existing=True)
    assert found is not None
    return found


def test_topic_and_hours_are_validated_with_clear_messages() -> None:
    assert validate_topic("  Производная   функции \n") == "Производная функции"
    with pytest.raises(Invalid, match="The topic is empty"):
        validate_topic(" \n ")
    with pytest.raises(Invalid, match="too long: 501 characters, at most 500"):
        validate_topic("т" * 501)
    assert validate_hours("2") == 2 and validate_hours(8) == 8
    for bad in ("0", "9", "два", "1.5", "-1", ""):
        with pytest.raises(Invalid, match="whole number from 1 to 8"):
            validate_hours(bad)


async def test_topic_keeps_the_timetable_hours_and_is_audited(
    session: AsyncSession, college: College
) -> None:
    actor, lesson = college.actor(college.teacher), college.lessons.today
    details = await set_topic(session, actor, lesson.id, "Производная  функции", college.now)
    await session.commit()
    stored = await reload(session, lesson)
    assert (stored.topic, stored.hours, stored.topic_entered_at) == (
        "Производная функции",
        2,
        college.now,
    )
    assert details.lesson.topic == "Производная функции"

    later = college.now + timedelta(hours=3)
    await set_topic(session, actor, lesson.id, "Производная сложной функции", later, hours="1")
    await session.commit()
    stored = await reload(session, lesson)
    # R2 is judged by the first entry: a later correction keeps its time.
    assert (stored.hours, stored.topic_entered_at) == (1, college.now)
    first, second = await audit_trail(session, "lesson", lesson.id)
    assert first.changes["topic"] == ["", "Производная функции"]
    assert second.changes == {
        "topic": ["Производная функции", "Производная сложной функции"],
        "hours": [2, 1],
    }


async def test_details_may_be_planned_ahead_but_not_changed_after_the_window(
    session: AsyncSession, college: College
) -> None:
    teacher, deputy = college.actor(college.teacher), college.actor(college.deputy)
    lessons = college.lessons
    view = await lesson_details(session, teacher, lessons.tomorrow.id, college.now)
    assert view.locked is None
    await set_topic(session, teacher, lessons.tomorrow.id, "Интегралы", college.now)
    await set_homework(session, teacher, lessons.tomorrow.id, "№ 12–15", college.now)

    refused = [
        (lessons.old.id, "edit window"),
        (lessons.foreign.id, "not among your lessons"),
        (lessons.closed.id, "is closed"),
        (lessons.cancelled.id, "cancelled"),
    ]
    for lesson_id, message in refused:
        with pytest.raises(Denied, match=message):
            await set_topic(session, teacher, lesson_id, "Тема", college.now)
    assert (await lesson_details(session, teacher, lessons.old.id, college.now)).locked
    await set_topic(session, deputy, lessons.old.id, "Тема, внесённая завучем", college.now)
    await session.commit()
    assert (await reload(session, lessons.old)).topic == "Тема, внесённая завучем"


async def test_homework_may_carry_a_file(session: AsyncSession, college: College) -> None:
    actor, lesson = college.actor(college.teacher), college.lessons.today
    await set_homework(
        session, actor, lesson.id, "", college.now, file_id="BQACAgI", file_name="задачи.pdf"
    )
    await session.commit()
    stored = await reload(session, lesson)
    assert (stored.homework, stored.homework_file_id, stored.homework_file_name) == (
        "",
        "BQACAgI",
        "задачи.pdf",
    )
    with pytest.raises(Invalid, match="The homework is empty"):
        await set_homework(session, actor, lesson.id, "  ", college.now)
    with pytest.raises(Invalid, match="too long: 2001 characters"):
        await set_homework(session, actor, lesson.id, "з" * 2001, college.now)

    await set_homework(session, actor, lesson.id, "Параграф 5", college.now)
    await session.commit()
    stored = await reload(session, lesson)
    assert (stored.homework, stored.homework_file_id, stored.homework_file_name) == (
        "Параграф 5",
        None,
        None,
    )
    await clear_homework(session, actor, lesson.id, college.now)
    await session.commit()
    assert (await reload(session, lesson)).homework == ""
    trail = await audit_trail(session, "lesson", lesson.id)
    assert [e.changes.get("homework_file_id") for e in trail] == [
        [None, "BQACAgI"],
        ["BQACAgI", None],
        None,
    ]
    assert trail[-1].changes["homework"] == ["Параграф 5", ""]


async def test_distance_format_is_recorded(session: AsyncSession, college: College) -> None:
    actor, lesson = college.actor(college.teacher), college.lessons.today
    details = await set_distance(
        session, actor, lesson.id, college.now, mode="online", platform=" Сферум ", at="9.05"
    )
    assert details.distance is not None
    assert (details.distance.mode, details.distance.platform, details.distance.at) == (
        "online",
        "Сферум",
        time(9, 5),
    )
    # Without a time, the lesson's own start (college time) is taken.
    later = college.now + timedelta(hours=3)
    await set_distance(session, actor, lesson.id, later, mode="offline", platform="Moodle")
    await session.commit()
    stored = await reload(session, lesson)
    assert stored.distance == {"mode": "offline", "platform": "Moodle", "time": "09:00"}
    assert stored.distance_entered_at == college.now  # the first entry: what R9 is judged by
    last = (await audit_trail(session, "lesson", lesson.id))[-1]
    assert last.changes["distance"][0]["mode"] == "online"

    bad = [
        ({"mode": "hybrid", "platform": "Zoom"}, "online or offline"),
        ({"mode": "online", "platform": " "}, "name the platform"),
        ({"mode": "online", "platform": "Zoom", "at": "25:00"}, "HH:MM"),
        ({"mode": "online", "platform": "Z" * 65}, "too long"),
    ]
    for kw, message in bad:
        with pytest.raises(Invalid, match=message):
            await set_distance(session, actor, lesson.id, college.now, **kw)  # type: ignore[arg-type]
    await clear_distance(session, actor, lesson.id, college.now)
    await session.commit()
    assert (await reload(session, lesson)).distance is None


async def test_a_teacher_and_the_deputy_at_one_moment_the_second_is_told(
    session_factory: async_sessionmaker[AsyncSession],
    college: College,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lesson = college.lessons.today
    teacher, deputy = college.actor(college.teacher), college.actor(college.deputy)
    original = access.lesson_for_edit
    pending = [True]

    async def read_then_deputy(*args: Any, **kwargs: Any) -> Any:
        """The teacher's edit has read the lesson; the deputy's edit lands before it writes."""
        info = await original(*args, **kwargs)
        if pending and pending.pop():
            async with session_factory.begin() as other:
                await set_topic(other, deputy, lesson.id, "Пределы", college.now)
        return info

    monkeypatch.setattr(access, "lesson_for_edit", read_then_deputy)
    async with session_factory() as session:
        with pytest.raises(Conflict, match="changed this at the same moment"):
            await set_topic(session, teacher, lesson.id, "Производная", college.now)
        await session.rollback()

    async with session_factory() as session:
        assert (await reload(session, lesson)).topic == "Пределы"
        trail = await audit_trail(session, "lesson", lesson.id)
        assert [e.changes["topic"] for e in trail] == [["", "Пределы"]]
        # Opened again, the teacher's edit goes through with the true old value.
        await set_topic(session, teacher, lesson.id, "Производная", college.now)
        await session.commit()
        trail = await audit_trail(session, "lesson", lesson.id)
        assert trail[-1].changes["topic"] == ["Пределы", "Производная"]
