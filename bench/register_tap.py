"""Server-side time of a register tap on a college-sized store.

    python -m bench.register_tap                    # SQLite in bench/out/
    python -m bench.register_tap --url postgresql+asyncpg://postgres@127.0.0.1/bench

Builds (once; reused while the file exists) 3,000 students in 120 groups with two subgroups
each, their parents, 100 teachers, and a year of lessons (three pairs a day, six days a week)
whose past holds attendance, grades, audit entries and events. Then taps: each tap is what a
handler does for one button press, in a fresh session: load the actor, ``toggle_mark``,
commit. Prints p50/p95/max; the target is p95 ≤ 50 ms on SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.access import load_actor
from services.register import open_register, toggle_mark
from storage.db import create_engine, create_session_factory, migrate
from storage.models import (
    Attendance,
    AuditEntry,
    Bell,
    Discipline,
    Event,
    Grade,
    Group,
    Lesson,
    Mark,
    Membership,
    Organisation,
    Period,
    Person,
    Role,
    Student,
    Subgroup,
    SubgroupMember,
)

GROUPS, PER_GROUP, TEACHERS, DISCIPLINES, PAIRS = 120, 25, 100, 20, 3
FIRST_DAY, LAST_DAY, TODAY = date(2026, 9, 1), date(2027, 6, 30), date(2027, 3, 16)
TZ = ZoneInfo("Asia/Sakhalin")
BELLS = [
    (clock(9, 0), clock(10, 30)),
    (clock(10, 40), clock(12, 10)),
    (clock(12, 40), clock(14, 10)),
]
OUT = Path(__file__).resolve().parent / "out"


def local(day: date, at: clock) -> datetime:
    return datetime.combine(day, at, tzinfo=TZ).astimezone(UTC)


async def bulk(session: AsyncSession, model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), 5000):
        await session.execute(insert(model), rows[start : start + 5000])


async def seed(session: AsyncSession) -> None:
    rnd = random.Random(7)
    org = Organisation(code="bench", name="Bench college")
    session.add(org)
    await session.flush()
    o = org.id
    session.add_all(
        [Bell(org_id=o, pair_no=i + 1, starts=s, ends=e) for i, (s, e) in enumerate(BELLS)]
    )
    autumn = Period(
        org_id=o, name="autumn", semester=1, starts_on=FIRST_DAY, ends_on=date(2026, 12, 31)
    )
    spring = Period(
        org_id=o, name="spring", semester=2, starts_on=date(2027, 1, 12), ends_on=LAST_DAY
    )
    session.add_all([autumn, spring])
    session.add_all(
        [Discipline(org_id=o, code=f"D{i}", name=f"Discipline {i}") for i in range(DISCIPLINES)]
    )
    session.add_all(
        [Group(org_id=o, name=f"G-{i:03}", course_year=1 + i % 4) for i in range(GROUPS)]
    )
    await session.flush()
    groups = (await session.scalars(select(Group.id).order_by(Group.id))).all()
    disciplines = (await session.scalars(select(Discipline.id).order_by(Discipline.id))).all()
    await bulk(session, Subgroup, [{"group_id": g, "name": n} for g in groups for n in ("1", "2")])
    subgroups = (await session.execute(select(Subgroup.group_id, Subgroup.id))).all()
    sub_of: dict[int, list[int]] = {}
    for g, s in subgroups:
        sub_of.setdefault(g, []).append(s)

    people = [
        {"org_id": o, "external_id": f"s{i}", "last_name": f"Student{i:04}", "first_name": "A"}
        for i in range(GROUPS * PER_GROUP)
    ]
    people += [
        {"org_id": o, "external_id": f"t{i}", "last_name": f"Teacher{i:03}", "first_name": "B"}
        for i in range(TEACHERS)
    ]
    await bulk(session, Person, people)
    ids = dict((await session.execute(select(Person.external_id, Person.id))).all())
    teachers = [ids[f"t{i}"] for i in range(TEACHERS)]
    await bulk(
        session,
        Membership,
        [{"org_id": o, "person_id": t, "role": Role.TEACHER, "active": True} for t in teachers],
    )
    await bulk(
        session,
        Student,
        [
            {"org_id": o, "person_id": ids[f"s{i}"], "group_id": groups[i // PER_GROUP]}
            for i in range(GROUPS * PER_GROUP)
        ],
    )
    students = (await session.execute(select(Student.id, Student.group_id))).all()
    by_group: dict[int, list[int]] = {}
    for sid, g in students:
        by_group.setdefault(g, []).append(sid)
    await bulk(
        session,
        SubgroupMember,
        [
            {"subgroup_id": sub_of[g][i % 2], "student_id": sid}
            for g, sids in by_group.items()
            for i, sid in enumerate(sids)
        ],
    )

    lessons = []
    day = FIRST_DAY
    while day <= LAST_DAY:
        period = autumn if day <= autumn.ends_on else spring
        if day.weekday() < 6 and not (autumn.ends_on < day < spring.starts_on):
            for gi, g in enumerate(groups):
                for pair in range(PAIRS):
                    starts, ends = BELLS[pair]
                    lessons.append(
                        {
                            "org_id": o,
                            "period_id": period.id,
                            "group_id": g,
                            "subgroup_id": sub_of[g][0] if pair == 2 else None,
                            "discipline_id": disciplines[(gi + pair) % DISCIPLINES],
                            "teacher_id": teachers[(gi * PAIRS + pair) % TEACHERS],
                            "date": day,
                            "pair_no": pair + 1,
                            "starts_at": local(day, starts),
                            "ends_at": local(day, ends),
                            "topic": "Topic" if day < TODAY else "",
                        }
                    )
        day += timedelta(days=1)
    await bulk(session, Lesson, lessons)
    past = (
        await session.execute(
            select(Lesson.id, Lesson.group_id, Lesson.discipline_id).where(Lesson.date < TODAY)
        )
    ).all()
    attendance, grades = [], []
    now = datetime(2027, 3, 1, tzinfo=UTC)
    for lesson_id, g, d in past:
        sids = by_group[g]
        for sid in rnd.sample(sids, 3):
            attendance.append(
                {
                    "lesson_id": lesson_id,
                    "student_id": sid,
                    "mark": rnd.choice([Mark.ABSENT, Mark.LATE]),
                    "updated_at": now,
                }
            )
        for sid in rnd.sample(sids, 3):
            grades.append(
                {
                    "org_id": o,
                    "lesson_id": lesson_id,
                    "student_id": sid,
                    "discipline_id": d,
                    "value": rnd.choice("2345"),
                    "created_at": now,
                    "updated_at": now,
                }
            )
    await bulk(session, Attendance, attendance)
    await bulk(session, Grade, grades)
    audit = [
        {
            "org_id": o,
            "action": "update",
            "entity": "attendance",
            "entity_id": i,
            "at": now,
            "changes": {"mark": ["present", "absent"]},
        }
        for i in range(1, len(attendance) + 1)
    ] + [
        {
            "org_id": o,
            "action": "create",
            "entity": "grade",
            "entity_id": i,
            "at": now,
            "changes": {"value": [None, "5"]},
        }
        for i in range(1, len(grades) + 1)
    ]
    await bulk(session, AuditEntry, audit)
    await bulk(
        session,
        Event,
        [
            {
                "org_id": o,
                "kind": "grade.created",
                "subject": f"grade:{i}",
                "payload": {},
                "created_at": now,
                "processed_at": now,
            }
            for i in range(1, len(grades) + 1)
        ],
    )
    await session.commit()
    print(
        f"seeded: {len(students)} students, {len(lessons)} lessons, "
        f"{len(attendance)} attendance rows, {len(grades)} grades, {len(audit)} audit entries"
    )


async def tap_times(factory: async_sessionmaker[AsyncSession], taps: int) -> list[float]:
    rnd = random.Random(11)
    now = local(TODAY, clock(11, 0))
    async with factory() as session:
        today = (
            await session.execute(select(Lesson.id, Lesson.teacher_id).where(Lesson.date == TODAY))
        ).all()
        screens: dict[int, dict[int, Mark]] = {}
        for lesson_id, teacher_id in today:
            actor = await load_actor(session, teacher_id)
            view = await open_register(session, actor, lesson_id, now)
            screens[lesson_id] = {row.student_id: row.mark for row in view.rows}
    teacher_of = dict(today)
    times = []
    for i in range(taps + 20):
        lesson_id = rnd.choice(list(screens))
        screen = screens[lesson_id]
        student = rnd.choice(list(screen))
        started = time.perf_counter()
        async with factory() as session:
            actor = await load_actor(session, teacher_of[lesson_id])
            view = await toggle_mark(session, actor, lesson_id, student, screen[student], now)
            await session.commit()
        elapsed = time.perf_counter() - started
        screens[lesson_id] = {row.student_id: row.mark for row in view.rows}
        if i >= 20:  # the first taps warm caches up
            times.append(elapsed * 1000)
    return times


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=f"sqlite+aiosqlite:///{OUT / 'register_tap.sqlite3'}")
    parser.add_argument("--taps", type=int, default=500)
    args = parser.parse_args()
    await migrate(args.url)
    engine = create_engine(args.url)
    factory = create_session_factory(engine)
    async with factory() as session:
        if not await session.scalar(select(func.count()).select_from(Organisation)):
            started = time.perf_counter()
            await seed(session)
            print(f"seeding took {time.perf_counter() - started:.0f} s")
    times = await tap_times(factory, args.taps)
    await engine.dispose()
    cuts = statistics.quantiles(times, n=100)
    print(
        f"{len(times)} taps: p50 {cuts[49]:.1f} ms, p95 {cuts[94]:.1f} ms, "
        f"max {max(times):.1f} ms (target p95 <= 50 ms)"
    )


if __name__ == "__main__":
    asyncio.run(main())
