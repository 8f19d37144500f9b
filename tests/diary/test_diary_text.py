"""The diary's screens: what people typed is escaped, and no screen outgrows a message."""

from __future__ import annotations

from datetime import date, time, timedelta

from screens import diary as text
from services.diary.service import (
    AttendanceSummary,
    DiaryDay,
    DiaryLesson,
    DiaryWeek,
    DisciplineGrades,
    GradeMark,
    GradesSummary,
    Miss,
    StudentCard,
)
from storage.models import GradeKind, Mark, Period

CARD = StudentCard(1, 1, 1, "Алексеев И. П.", "ИС-21", "Asia/Sakhalin")
MONDAY = date(2026, 11, 16)
PERIOD = Period(id=1, org_id=1, name="2026/27, semester 1", semester=1)


def _lesson(n: int, day: date = MONDAY, **kw: object) -> DiaryLesson:
    base: dict[str, object] = {
        "lesson_id": n,
        "date": day,
        "pair_no": n % 6 + 1,
        "starts": time(9, 0),
        "ends": time(10, 30),
        "discipline": "Математика",
        "room": "",
        "cancelled": False,
        "topic": "",
        "homework": "",
        "homework_file": False,
        "distance": None,
        "grades": (),
        "mark": None,
        "reason": None,
    }
    return DiaryLesson(**(base | kw))  # type: ignore[arg-type]


def test_typed_texts_are_escaped() -> None:
    lesson = _lesson(
        1,
        topic="<script>alert(1)</script>",
        homework="a & b\nsecond line",
        room="<b>",
        grades=(GradeMark("4", GradeKind.CURRENT, "<i>good</i>"),),
        distance={"mode": "online", "platform": "Zoom <x>", "time": "10:00"},
    )
    screen = text.day_screen(CARD, DiaryDay(MONDAY, (lesson,)), MONDAY)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in screen.text
    assert "a &amp; b\n    second line" in screen.text  # continuation lines stay indented
    assert "room &lt;b&gt;" in screen.text and "«&lt;i&gt;good&lt;/i&gt;»" in screen.text
    assert "online on Zoom &lt;x&gt; at 10:00" in screen.text
    assert "<script>" not in screen.text and screen.shortened == ()


def test_marks_and_cancellations_read_plainly() -> None:
    lessons = (
        _lesson(1, mark=Mark.ABSENT),
        _lesson(2, mark=Mark.LATE),
        _lesson(3, cancelled=True, topic="never shown"),
    )
    screen = text.day_screen(CARD, DiaryDay(MONDAY, lessons), MONDAY + timedelta(days=1))
    assert "absent: no reason yet" in screen.text and "⏰ late" in screen.text
    assert "cancelled" in screen.text and "never shown" not in screen.text


def test_full_day_of_long_homework_is_shortened_with_a_note() -> None:
    lessons = tuple(_lesson(n, topic="T" * 500, homework="H" * 2000) for n in range(1, 6))
    screen = text.day_screen(CARD, DiaryDay(MONDAY, lessons), MONDAY)
    assert text.utf16_len(screen.text) <= text.LIMIT
    assert "Open a lesson to read it in full" in screen.text
    assert screen.shortened == (1, 2, 3, 4, 5)
    one = text.lesson_screen(CARD, lessons[0])
    assert "H" * 2000 in one.text and one.shortened == ()


def test_week_too_long_even_without_texts_drops_whole_lines() -> None:
    grades = tuple(GradeMark("5", GradeKind.TEST, "") for _ in range(40))
    days = tuple(
        DiaryDay(
            MONDAY + timedelta(days=d),
            tuple(_lesson(d * 10 + n, MONDAY + timedelta(days=d), grades=grades) for n in range(6)),
        )
        for d in range(6)
    )
    screen = text.week_screen(CARD, DiaryWeek(MONDAY, days), MONDAY)
    assert text.utf16_len(screen.text) <= text.LIMIT
    assert screen.text.endswith("Open a day to read it in full.")


def test_emoji_count_twice_against_the_limit() -> None:
    lessons = tuple(_lesson(n, homework="😀" * 1500) for n in range(1, 3))
    screen = text.day_screen(CARD, DiaryDay(MONDAY, lessons), MONDAY)
    assert text.utf16_len(screen.text) <= text.LIMIT and screen.shortened


def test_grades_screen_keeps_the_latest_when_too_long() -> None:
    lines = tuple(
        DisciplineGrades(n, f"Discipline {n}", ("5", "4") * 60, 4.5, None) for n in range(30)
    )
    screen = text.grades_screen(CARD, GradesSummary(PERIOD, lines))
    assert text.utf16_len(screen.text) <= text.LIMIT
    assert "latest grades" in screen.text and "average 4.50" in screen.text


def test_attendance_lists_the_latest_unexplained_when_too_long() -> None:
    misses = tuple(Miss(MONDAY - timedelta(days=n), "Д" * 60) for n in range(300, 0, -1))
    summary = AttendanceSummary(
        PERIOD, unexplained=300, absent_hours=600, unexplained_lessons=misses
    )
    screen = text.attendance_screen(CARD, summary)
    assert text.utf16_len(screen.text) <= text.LIMIT
    assert "no reason yet: 300 lessons" in screen.text
    assert "Only the latest absences are listed." in screen.text


def test_no_period_yet() -> None:
    assert "no period yet" in text.grades_screen(CARD, GradesSummary(None, ())).text
    assert "no period yet" in text.attendance_screen(CARD, AttendanceSummary(None)).text
