"""A large synthetic college for benchmarks, written straight into the store with bulk inserts.

One college, a school year of lessons up to ``today`` (the last working day built), with the
history such a year leaves: registers taken with absences and lateness, current grades, the
audit log of all of it, Telegram accounts of the teachers, handled update ids. Ids are given
here, not by the store, so nothing needs RETURNING and the caller knows today's lessons.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.models import (
    AbsenceReason,
    Attendance,
    AuditEntry,
    Bell,
    Discipline,
    Grade,
    Group,
    GroupEnrolment,
    Lesson,
    Mark,
    Membership,
    Organisation,
    Period,
    Person,
    ProcessedUpdate,
    Role,
    Student,
    TeachingAssignment,
    TelegramAccount,
)

TZ = ZoneInfo("Asia/Sakhalin")
BELLS = {1: (time(9, 0), time(10, 30)), 2: (time(10, 40), time(12, 10))}
BELLS |= {3: (time(12, 40), time(14, 10)), 4: (time(14, 20), time(15, 50))}
BELLS |= {5: (time(16, 0), time(17, 30)), 6: (time(17, 40), time(19, 10))}
YEAR_START = date(2026, 9, 1)
DAYS_OFF = {date(2026, 11, 4), date(2027, 2, 23), date(2027, 3, 8), date(2027, 5, 1)}
WINTER = (date(2026, 12, 29), date(2027, 1, 11))
SPRING_START = date(2027, 1, 12)
DISCIPLINES_PER_GROUP = 8
TELEGRAM_BASE = 7_000_000
HANDLED_UPDATES = 10_000_000  # the first update id of the year's history
CHUNK = 20_000
ID_SPACE = 10_000_000  # ids of college n start at (n - 1) * ID_SPACE: a region in one store

LAST = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов"]
LAST += ["Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров"]
LAST += ["Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин"]
FIRST = ["Иван", "Пётр", "Анна", "Мария", "Олег", "Денис", "Ольга", "Кирилл", "Елена", "Глеб"]
MIDDLE = ["Иванович", "Петрович", "Сергеевич", "Андреевич", "Олегович", ""]


@dataclass(frozen=True)
class Size:
    groups: int = 120
    group_size: int = 25
    teachers: int = 150
    days: int = 170  # working days of lessons, up to and including "today"
    pairs: int = 4  # lessons a day per group
    disciplines: int = 30
    absent_rate: float = 0.06
    late_rate: float = 0.015
    grades_per_lesson: int = 3  # on average
    processed_updates: int = 300_000
    seed: int = 1


@dataclass
class TodayLesson:
    lesson_id: int
    teacher_id: int
    group_id: int
    student_ids: list[int]


@dataclass
class BuiltCollege:
    org_id: int
    today: date
    now: datetime  # today at 11:00 college time, in UTC
    teachers: dict[int, int]  # person id -> Telegram user id (also the chat id)
    lessons_today: list[TodayLesson]
    rows: dict[str, int] = field(default_factory=dict)


def working_days(count: int) -> list[date]:
    days: list[date] = []
    day = YEAR_START
    while len(days) < count:
        off = day.weekday() >= 5 or day in DAYS_OFF or WINTER[0] <= day <= WINTER[1]
        if not off:
            days.append(day)
        day += timedelta(days=1)
    return days


def _utc(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=TZ).astimezone(UTC)


def _name(rng: random.Random) -> dict[str, str]:
    return {
        "last_name": rng.choice(LAST),
        "first_name": rng.choice(FIRST),
        "middle_name": rng.choice(MIDDLE),
    }


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


class Writer:
    """Bulk inserts on one connection, counting the rows of each table."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self.rows: dict[str, int] = {}

    async def add(self, model: Any, rows: Iterable[dict[str, Any]]) -> None:
        batch = list(rows)
        for chunk in _chunks(batch):
            await self.conn.execute(insert(model), chunk)
        name = model.__tablename__
        self.rows[name] = self.rows.get(name, 0) + len(batch)


async def build_college(engine: AsyncEngine, size: Size = Size(), number: int = 1) -> BuiltCollege:
    """College ``number`` (1, 2, …: several make a region in one store, each with its own
    ids); ``processed_updates`` are written for the first only (their ids are Telegram's)."""
    rng = random.Random(size.seed + number - 1)
    days = working_days(size.days)
    today = days[-1]
    base = (number - 1) * ID_SPACE
    async with engine.begin() as conn:
        writer = Writer(conn)
        org_id = number
        code, name = (
            ("bench", "Bench college")
            if number == 1
            else (f"bench{number}", f"Bench college {number}")
        )
        await writer.add(
            Organisation,
            [{"id": org_id, "code": code, "name": name, "short_name": code, "timezone": TZ.key}],
        )
        await writer.add(
            Bell,
            [
                {"org_id": org_id, "pair_no": n, "starts": s, "ends": e}
                for n, (s, e) in BELLS.items()
            ],
        )
        autumn, spring = base + 1, base + 2
        await writer.add(
            Period,
            [
                {"id": autumn, "org_id": org_id, "name": "Autumn", "semester": 1,
                 "starts_on": YEAR_START, "ends_on": WINTER[0], "closed": today >= SPRING_START},
                {"id": spring, "org_id": org_id, "name": "Spring", "semester": 2,
                 "starts_on": SPRING_START, "ends_on": date(2027, 6, 30), "closed": False},
            ],
        )  # fmt: skip
        await writer.add(
            Discipline,
            [
                {"id": base + d, "org_id": org_id, "code": f"D.{d:02}", "name": f"Дисциплина {d}"}
                for d in range(1, size.disciplines + 1)
            ],
        )
        people, memberships, students, enrolments = [], [], [], []
        person_id = base

        def person(role: Role, **scope: int) -> int:
            nonlocal person_id
            person_id += 1
            people.append(
                {"id": person_id, "org_id": org_id, "external_id": f"p{person_id}", **_name(rng)}
            )
            memberships.append(
                {"org_id": org_id, "person_id": person_id, "role": role,
                 "student_id": scope.get("student_id")}
            )  # fmt: skip
            return person_id

        teachers = [person(Role.TEACHER) for _ in range(size.teachers)]
        groups = list(range(base + 1, base + size.groups + 1))
        await writer.add(
            Group,
            [
                {"id": g, "org_id": org_id, "name": f"Г-{g - base:03}", "course_year": 1 + g % 4}
                for g in groups
            ],
        )
        roster: dict[int, list[int]] = {}
        student_id = base
        for g in groups:
            roster[g] = []
            for _ in range(size.group_size):
                student_id += 1
                pid = person(Role.STUDENT, student_id=student_id)
                students.append(
                    {"id": student_id, "org_id": org_id, "person_id": pid, "group_id": g}
                )
                enrolments.append({"student_id": student_id, "group_id": g, "since": YEAR_START})
                roster[g].append(student_id)
        for sid in range(base + 1, student_id + 1):
            person(Role.PARENT, student_id=sid)
        # Memberships point at students, so the students go in first.
        await writer.add(Person, people)
        await writer.add(Student, students)
        await writer.add(GroupEnrolment, enrolments)
        await writer.add(Membership, memberships)

        # Each group learns DISCIPLINES_PER_GROUP disciplines, each from one teacher.
        teaches: dict[tuple[int, int], int] = {}
        assignments = []
        for g in groups:
            for k in range(DISCIPLINES_PER_GROUP):
                d = base + 1 + (g * 3 + k) % size.disciplines
                t = teachers[(g * DISCIPLINES_PER_GROUP + k) % len(teachers)]
                teaches[(g, k)] = t
                assignments.append(
                    {"org_id": org_id, "teacher_id": t, "group_id": g, "discipline_id": d}
                )
        await writer.add(TeachingAssignment, assignments)

        lessons, attendance, grades, audit = [], [], [], []
        today_lessons: list[TodayLesson] = []
        lesson_id = base
        for n, day in enumerate(days):
            period = spring if day >= SPRING_START else autumn
            past = day < today
            for g in groups:
                for pair in range(1, size.pairs + 1):
                    lesson_id += 1
                    k = (n * size.pairs + pair) % DISCIPLINES_PER_GROUP
                    teacher = teaches[(g, k)]
                    starts, ends = BELLS[pair]
                    done_at = _utc(day, ends) if past else None
                    lessons.append(
                        {"id": lesson_id, "org_id": org_id, "period_id": period, "group_id": g,
                         "discipline_id": base + 1 + (g * 3 + k) % size.disciplines,
                         "teacher_id": teacher, "date": day, "pair_no": pair,
                         "starts_at": _utc(day, starts), "ends_at": _utc(day, ends),
                         "topic": f"Тема {n}" if past else "", "topic_entered_at": done_at,
                         "register_done_at": done_at,
                         "register_done_by": teacher if past else None}
                    )  # fmt: skip
                    if past:
                        _history(rng, size, lesson_id, teacher, roster[g], done_at, lessons[-1],
                                 attendance, grades, audit, base)  # fmt: skip
                    else:
                        today_lessons.append(TodayLesson(lesson_id, teacher, g, roster[g]))
        await writer.add(Lesson, lessons)
        await writer.add(Attendance, attendance)
        await writer.add(Grade, grades)
        await writer.add(AuditEntry, audit)

        telegram = {t: TELEGRAM_BASE + t for t in teachers}
        await writer.add(
            TelegramAccount,
            [
                {"telegram_user_id": tg, "chat_id": tg, "person_id": t, "language": "ru"}
                for t, tg in telegram.items()
            ],
        )
        # Update ids the bot handled over the year; the fake server's own ids stay below them.
        await writer.add(
            ProcessedUpdate,
            [
                {"update_id": HANDLED_UPDATES + u}
                for u in range(size.processed_updates if number == 1 else 0)
            ],
        )
        if conn.dialect.name == "postgresql":
            await _advance_sequences(conn, writer.rows)
    return BuiltCollege(
        org_id=org_id,
        today=today,
        now=_utc(today, time(11, 0)),
        teachers=telegram,
        lessons_today=today_lessons,
        rows=writer.rows,
    )


async def _advance_sequences(conn: AsyncConnection, tables: Iterable[str]) -> None:
    """Ids were given here, so PostgreSQL's sequences must move past them before the bot
    inserts rows of its own."""
    for table in tables:
        if table == "processed_updates":
            continue  # keyed by Telegram's update id, no sequence
        await conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
        )


def _history(
    rng: random.Random,
    size: Size,
    lesson_id: int,
    teacher: int,
    student_ids: list[int],
    at: datetime | None,
    lesson: dict[str, Any],
    attendance: list[dict[str, Any]],
    grades: list[dict[str, Any]],
    audit: list[dict[str, Any]],
    base: int = 0,
) -> None:
    """What a taken register leaves: marks with their audit, a finalisation, some grades
    (``base``: the college's first id)."""
    absent, late = [], []
    for sid in student_ids:
        roll = rng.random()
        if roll >= size.absent_rate + size.late_rate:
            continue
        mark = Mark.ABSENT if roll < size.absent_rate else Mark.LATE
        (absent if mark is Mark.ABSENT else late).append(sid)
        reason = rng.choice([None, AbsenceReason.ILLNESS, AbsenceReason.UNEXCUSED])
        attendance.append(
            {"id": base + len(attendance) + 1, "lesson_id": lesson_id, "student_id": sid,
             "mark": mark, "reason": reason if mark is Mark.ABSENT else None, "updated_at": at,
             "updated_by": teacher}
        )  # fmt: skip
        audit.append(
            {"org_id": lesson["org_id"], "actor_id": teacher, "at": at, "action": "update",
             "entity": "attendance", "entity_id": base + len(attendance),
             "changes": {"mark": ["present", mark.value]}}
        )  # fmt: skip
    audit.append(
        {"org_id": lesson["org_id"], "actor_id": teacher, "at": at, "action": "finalise",
         "entity": "register", "entity_id": lesson_id,
         "changes": {"absent": [[], absent], "late": [[], late]}}
    )  # fmt: skip
    for _ in range(rng.randint(0, 2 * size.grades_per_lesson)):
        value = rng.choice("2334445555")
        grades.append(
            {"id": base + len(grades) + 1, "org_id": lesson["org_id"], "lesson_id": lesson_id,
             "student_id": rng.choice(student_ids), "discipline_id": lesson["discipline_id"],
             "value": value, "created_by": teacher}
        )  # fmt: skip
        audit.append(
            {"org_id": lesson["org_id"], "actor_id": teacher, "at": at, "action": "create",
             "entity": "grade", "entity_id": base + len(grades),
             "changes": {"value": [None, value]}}
        )  # fmt: skip
