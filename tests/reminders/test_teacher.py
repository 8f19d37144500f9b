"""Teachers' digests: registers (R1), topics (R2), distance formats (R9), attestation grades
(R3), work programmes and КТП (R8). The clock is moved by passing ``now`` to the scan."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import update

from core.config import Settings
from keyboards.attestation import AttCb
from keyboards.documents import DocCb
from keyboards.journal import LessonCb
from services.journal import register
from storage.models import DistanceDay, DocumentKind, Lesson, Mark, PeriodGrade, TeachingDocument
from tests.factories import College, add_lesson
from tests.reminders.kit import Factory, at, callbacks, link, messages, reminder_keys, scan

TUESDAY = date(2026, 11, 17)


async def test_a_lesson_yesterday_without_a_register_is_reminded_at_the_hour_once(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    chat = await link(session_factory, college.teacher)

    assert await scan(session_factory, settings, at(TUESDAY, 7, 55)) == 0
    assert await scan(session_factory, settings, at(TUESDAY, 8, 0)) == 1
    assert await scan(session_factory, settings, at(TUESDAY, 8, 5)) == 0  # the same day

    [message] = await messages(session_factory, chat)
    assert "Registers to finish" in message.text
    assert "16 Nov, pair 2 · ИС-21 · Математика — due today" in message.text
    assert LessonCb(id=college.lessons.yesterday.id, do="new").pack() in callbacks(message)
    # Today's lessons are not due yet, the old one is past the edit window.
    assert "17 Nov, pair" not in message.text and " 7 Nov, pair" not in message.text
    assert f"R1:{college.teacher.id}:2026-11-17" in await reminder_keys(session_factory)


async def test_the_register_taken_stops_the_reminder(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    chat = await link(session_factory, college.teacher)
    lesson = college.lessons.yesterday
    async with session_factory.begin() as session:
        actor = college.actor(college.teacher)
        await register.toggle_mark(
            session, actor, lesson.id, college.students[0].id, Mark.PRESENT, college.now
        )
        await register.finalise_register(session, actor, lesson.id, college.now)
        await session.execute(update(Lesson).where(Lesson.id == lesson.id).values(topic="Ряды"))

    assert await scan(session_factory, settings, at(TUESDAY, 8, 0)) == 0
    assert await messages(session_factory, chat) == []


async def test_no_reminders_at_the_weekend_and_on_a_holiday(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    chat = await link(session_factory, college.teacher)
    async with session_factory.begin() as session:
        friday = await add_lesson(
            session, period=college.autumn, group=college.group, discipline=college.math,
            teacher=college.teacher, day=date(2026, 11, 20), pair_no=3,
        )  # fmt: skip
        before_holiday = await add_lesson(
            session, period=college.autumn, group=college.group, discipline=college.math,
            teacher=college.teacher, day=date(2026, 11, 3), pair_no=3,
        )  # fmt: skip

    # Wednesday 4 November is Unity Day: the lesson of the 3rd waits for Thursday, when it
    # is due (the holiday does not count).
    assert await scan(session_factory, settings, at(date(2026, 11, 4), 8, 30)) == 0
    assert await scan(session_factory, settings, at(date(2026, 11, 5), 8, 30)) == 1
    [thursday] = await messages(session_factory, chat)
    assert "3 Nov, pair 3 · ИС-21 · Математика — due today" in thursday.text
    assert LessonCb(id=before_holiday.id, do="new").pack() in callbacks(thursday)

    for saturday_or_sunday in (date(2026, 11, 21), date(2026, 11, 22)):
        assert await scan(session_factory, settings, at(saturday_or_sunday, 8, 30)) == 0
    assert await scan(session_factory, settings, at(date(2026, 11, 23), 8, 30)) == 1
    monday = (await messages(session_factory, chat))[-1]
    assert "20 Nov, pair 3 · ИС-21 · Математика — due today" in monday.text
    assert "16 Nov, pair 2 · ИС-21 · Математика — overdue, was due 17 November" in monday.text
    assert LessonCb(id=friday.id, do="new").pack() in callbacks(monday)


async def test_todays_lessons_without_a_topic_in_the_evening(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    chat = await link(session_factory, college.teacher)
    async with session_factory.begin() as session:
        await session.execute(
            update(Lesson).where(Lesson.id == college.lessons.subgroup.id).values(topic="Tenses")
        )

    assert await scan(session_factory, settings, at(TUESDAY, 17, 0)) == 1
    [message] = await messages(session_factory, chat)
    assert "Today's lessons without a topic" in message.text
    assert "17 Nov, pair 1 · ИС-21 · Математика" in message.text
    assert "Иностранный язык" not in message.text  # its topic is in
    assert "Registers" not in message.text  # due tomorrow, not tonight
    assert LessonCb(id=college.lessons.today.id, do="new").pack() in callbacks(message)


async def test_a_lesson_ending_after_the_evening_hour_is_reminded_once_it_has_ended(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    """R2: a teacher whose last lesson ends at 18:40 hears of the day's topics at 18:40, not
    at 17:00 (the evening lesson would be missed) and not twice."""
    chat = await link(session_factory, college.teacher)
    async with session_factory.begin() as session:
        evening = await add_lesson(
            session, period=college.autumn, group=college.group, discipline=college.math,
            teacher=college.teacher, day=TUESDAY, pair_no=4,
        )  # fmt: skip
        evening.starts_at, evening.ends_at = at(TUESDAY, 17, 10), at(TUESDAY, 18, 40)

    assert await scan(session_factory, settings, at(TUESDAY, 17, 0)) == 0
    assert await scan(session_factory, settings, at(TUESDAY, 18, 35)) == 0
    assert await scan(session_factory, settings, at(TUESDAY, 18, 40)) == 1
    assert await scan(session_factory, settings, at(TUESDAY, 18, 45)) == 0
    assert await scan(session_factory, settings, at(TUESDAY, 22, 0)) == 0
    [message] = await messages(session_factory, chat)
    assert "Today's lessons without a topic" in message.text
    assert "17 Nov, pair 1 · ИС-21 · Математика" in message.text
    assert "17 Nov, pair 4 · ИС-21 · Математика" in message.text
    assert LessonCb(id=evening.id, do="new").pack() in callbacks(message)


async def test_a_lesson_of_a_declared_distance_day_without_its_format(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    """R9: the deputy declared yesterday a distance day of the group; the teacher's lesson that
    day has no format."""
    chat = await link(session_factory, college.teacher)
    yesterday = TUESDAY - timedelta(days=1)
    async with session_factory.begin() as session:
        session.add(
            DistanceDay(
                org_id=college.org.id, group_id=college.group.id, first_day=yesterday,
                last_day=yesterday, platform="Сферум",
            )
        )  # fmt: skip

    await scan(session_factory, settings, at(TUESDAY, 8, 0))
    [message] = await messages(session_factory, chat)
    assert "Lessons without their distance format" in message.text
    assert message.text.count("16 Nov, pair 2 · ИС-21 · Математика") == 3  # R1, R2 and R9


async def test_another_lesson_at_a_distance_does_not_make_a_distance_day(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    """R9 follows the declaration, not a guess: another teacher's lesson recorded at a distance
    the same day asks nothing of this teacher's lesson."""
    chat = await link(session_factory, college.teacher)
    online = {"mode": "online", "platform": "Сферум", "time": "09:00"}
    async with session_factory.begin() as session:
        other = await add_lesson(
            session, period=college.autumn, group=college.group,
            discipline=college.informatics, teacher=college.other_teacher,
            day=TUESDAY - timedelta(days=1), pair_no=1,
        )  # fmt: skip
        await session.execute(update(Lesson).where(Lesson.id == other.id).values(distance=online))

    await scan(session_factory, settings, at(TUESDAY, 8, 0))
    [message] = await messages(session_factory, chat)
    assert "distance format" not in message.text
    assert message.text.count("16 Nov, pair 2 · ИС-21 · Математика") == 2  # R1 and R2


async def test_period_grades_as_the_period_ends(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    chat = await link(session_factory, college.teacher)
    async with session_factory.begin() as session:
        for student in college.students[:2]:
            session.add(
                PeriodGrade(
                    org_id=college.org.id, student_id=student.id, group_id=college.group.id,
                    discipline_id=college.math.id, period_id=college.autumn.id,
                    form="exam", value="5",
                )
            )  # fmt: skip

    # Five working days before 31 December (a day off itself) begin on 24 December.
    await scan(session_factory, settings, at(date(2026, 12, 23), 8, 0))
    assert "Attestation" not in "".join(m.text for m in await messages(session_factory, chat))
    await scan(session_factory, settings, at(date(2026, 12, 24), 8, 0))
    message = (await messages(session_factory, chat))[-1]
    assert "Attestation grades (due by the last day of the period)" in message.text
    assert "ИС-21 · Математика: 2 of 6 entered — due 31 December" in message.text
    assert "ИС-21/1 · Иностранный язык: 0 of 3 entered — due 31 December" in message.text
    sheet = AttCb(group=college.group.id, disc=college.math.id, period=college.autumn.id, act="new")
    assert sheet.pack() in callbacks(message)


async def test_work_programmes_from_20_august(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    chat = await link(session_factory, college.teacher)
    async with session_factory.begin() as session:
        for kind in DocumentKind:
            session.add(
                TeachingDocument(
                    org_id=college.org.id, kind=kind, group_id=college.group.id,
                    discipline_id=college.math.id, uploaded_by=college.teacher.id,
                    file_id=f"file-{kind}", academic_year=2026,
                )
            )  # fmt: skip
            # Last year's programmes of English do not count for 2026/2027.
            session.add(
                TeachingDocument(
                    org_id=college.org.id, kind=kind, group_id=college.group.id,
                    discipline_id=college.english.id, uploaded_by=college.teacher.id,
                    file_id=f"old-{kind}", academic_year=2025,
                )
            )  # fmt: skip

    assert await scan(session_factory, settings, at(date(2026, 8, 19), 8, 0)) == 0
    assert await scan(session_factory, settings, at(date(2026, 8, 20), 8, 0)) == 1
    [message] = await messages(session_factory, chat)
    assert "Work programmes and КТП to upload (due 2 September)" in message.text
    assert "ИС-21 · Иностранный язык: work programme, calendar-thematic plan (КТП)" in message.text
    assert "Математика" not in message.text  # both are in
    pair = DocCb(act="new", group=college.group.id, disc=college.english.id)
    assert pair.pack() in callbacks(message)
    # After 2 September: once a week (on Mondays), not every day.
    assert await scan(session_factory, settings, at(date(2026, 9, 8), 8, 0)) == 0
    assert await scan(session_factory, settings, at(date(2026, 9, 14), 8, 0)) == 1
    assert "overdue, was due 2 September" in (await messages(session_factory, chat))[-1].text
