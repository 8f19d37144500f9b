"""Teachers tapping at the same moment: on SQLite their writes queue at the process's write
gate (storage/db.py) instead of meeting SQLite's lock, so every tap lands."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine
from storage.models import Attendance, Mark
from tests.botapp import BotApp
from tests.factories import College

APOLOGY = "Something went wrong"


def _no_busy_wait(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=0")  # a writer meeting SQLite's lock fails at once
    cursor.close()


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    """The store as the bot opens it, except that SQLite would not wait for its lock at all:
    any two writes meeting there fail with "database is locked"."""
    engine = create_engine(db_url)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _no_busy_wait)
    yield engine
    await engine.dispose()


async def test_taps_at_the_same_moment_all_land(app: BotApp, college: College) -> None:
    app.stand_at(college.now)
    teacher = await app.link(college.teacher)
    await teacher.command("menu")
    await teacher.click("📅 My lessons")
    label = next(b for b in teacher.last.button_labels if "Математика" in b and "09:00" in b)
    await teacher.click(label)
    card = teacher.last
    students = college.students[:6]
    buttons = [next(b for b in card.button_labels if s.person.last_name in b) for s in students]

    await asyncio.gather(*(teacher.click(button, message=card) for button in buttons))

    assert not [m for m in teacher.bot_messages if APOLOGY in m.text]
    assert not [a for a in teacher.alerts if a.text and APOLOGY in a.text]
    async with app.session_factory() as session:
        marks = dict(
            (await session.execute(
                select(Attendance.student_id, Attendance.mark).where(
                    Attendance.lesson_id == college.lessons.today.id
                )
            )).all()
        )  # fmt: skip
    assert marks == {s.id: Mark.ABSENT for s in students}
