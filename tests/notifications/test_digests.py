"""The daily digest for kinds set to "digest", the weekly summary, and the recipient's language."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.jobs import queue_digests
from core.config import Settings
from services.notifications import prefs
from storage.models import Person
from tests.factories import College
from tests.notifications import kit

Factory = async_sessionmaker[AsyncSession]


async def _choose(factory: Factory, college: College, person: Person, kind: str, taps: int) -> None:
    async with factory.begin() as session:
        for _ in range(taps):
            await prefs.cycle(
                session, org_id=college.org.id, person_id=person.id, kind=kind, as_parent=True
            )


async def test_digest_instead_of_messages_with_final_values(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    chats = await kit.link_everyone(session_factory, college)
    student = college.students[0]
    parent = college.parents[student.id]
    await _choose(session_factory, college, parent, prefs.GRADES, 1)  # now → digest
    grade_id = await kit.add_grade(session_factory, college, student, "3", college.now)
    await kit.notify(session_factory, settings, college.now)
    later = kit.after(college.now, 30)
    await kit.change_grade(session_factory, college, grade_id, "4", later)
    await kit.add_grade(session_factory, college, student, "5", later, kind="oral")
    await kit.absent(session_factory, college, student, now=later)  # attendance stays "now"
    await kit.notify(session_factory, settings, later)

    [absence] = await kit.outbox(session_factory)  # no grade message went out
    assert "absent" in absence.text
    assert await queue_digests(session_factory, settings, now=college.at(college.today, 18)) == 0

    evening = college.at(college.today, 19, 5)
    assert await queue_digests(session_factory, settings, now=evening) == 1
    assert await queue_digests(session_factory, settings, now=evening) == 0  # queued once
    digest = (await kit.outbox(session_factory))[-1]
    assert digest.chat_id == chats[parent.id]
    assert digest.not_before == evening
    lines = digest.text.splitlines()
    assert lines[0] == "🗓 <b>Journal summary for 17 November</b>"
    assert f"<b>{student.person.first_name}</b>" in lines
    assert f"📘 {college.math.name}, 17 November: new grade <b>4</b>" in lines  # final value
    assert f"📘 {college.math.name}, 17 November: new grade <b>5 (oral)</b>" in lines
    assert not any("absent" in line for line in lines)  # that kind was told at once


async def test_weekly_summary_for_those_who_want_it(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    chats = await kit.link_everyone(session_factory, college)
    student, other = college.students[0], college.students[1]
    parent = college.parents[student.id]
    await _choose(session_factory, college, parent, prefs.WEEKLY, 1)  # off → on
    await kit.add_grade(session_factory, college, student, "5", college.now)
    await kit.add_grade(session_factory, college, student, "pass", college.now, kind="test")
    await kit.add_grade(session_factory, college, other, "2", college.now)
    await kit.absent(session_factory, college, student, now=college.now)

    sunday = college.at(college.today + timedelta(days=5), 19, 1)
    assert await queue_digests(session_factory, settings, now=sunday) == 1
    [summary] = await kit.outbox(session_factory)
    assert summary.chat_id == chats[parent.id]
    lines = summary.text.splitlines()
    assert lines[0] == "📊 <b>Week from 16 November to 22 November</b>"
    grade_lines = [line for line in lines if line.startswith(f"• {college.math.name}:")]
    assert grade_lines == [f"• {college.math.name}: 5, pass (test)"]  # not the other child's 2
    assert f"• 17 November, {college.math.name}, pair 1: absent" in lines
    # The next day it is not sent again, and nobody else gets one.
    assert await queue_digests(session_factory, settings, now=sunday + timedelta(hours=20)) == 0


async def test_each_recipient_reads_their_own_language(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    student = college.students[0]
    parent = college.parents[student.id]
    ru = await kit.link(session_factory, parent, language="ru")
    en = await kit.link(session_factory, student.person, language="en")
    async with session_factory.begin() as session:
        await prefs.cycle(
            session, org_id=college.org.id, person_id=student.person.id,
            kind=prefs.GRADES, as_parent=False,
        )  # fmt: skip
    await kit.add_grade(session_factory, college, student, "5", college.now)
    await kit.notify(session_factory, settings, college.now)

    texts = {m.chat_id: m.text for m in await kit.outbox(session_factory)}
    assert "17 ноября" in texts[ru]
    assert texts[en].splitlines() == [
        "📘 New grade <b>5</b>",
        f"{college.math.name}, lesson of 17 November",
    ]
