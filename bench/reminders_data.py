"""A college with ``years`` academic years of history for the reminder benchmark, written with
bulk inserts (ids given here, so nothing needs RETURNING).

Every year has its own groups, students, parents, periods, teaching assignments, lessons with
their registers and absences, period grades, teaching documents, absence certificates,
movement orders, invites, and the reminders and messages the bot sent; the years before the
current one are over (groups inactive, students graduated, periods closed). The current year
runs from 1 September 2026 to ``TODAY``, a Monday near the end of the spring period, with what
a college leaves undone: recent registers and topics missing, unexplained absences, period
grades half entered, documents missing, certificates waiting, newcomers without invites,
orders entered late. Grades and the audit log are left out: the scan never reads them.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, insert

from services.calendar.workdays import WorkCalendar
from storage.models import (
    AbsenceJustification,
    AbsenceReason,
    Attendance,
    AttestationForm,
    CalendarEntry,
    CalendarKind,
    Curriculum,
    CurriculumItem,
    Discipline,
    DocumentKind,
    Group,
    Invite,
    JustificationStatus,
    Lesson,
    Mark,
    Membership,
    MovementOrder,
    OrderKind,
    OrderStudent,
    Organisation,
    OutboxMessage,
    OutboxStatus,
    Period,
    PeriodGrade,
    Person,
    Role,
    SentReminder,
    Student,
    StudentStatus,
    TeachingAssignment,
    TeachingDocument,
    TelegramAccount,
)

TZ = ZoneInfo("Asia/Sakhalin")
TODAY = date(2027, 6, 28)  # a Monday; the spring period ends on Wednesday 30 June
PAIRS = {1: (time(9, 0), time(10, 30)), 2: (time(10, 40), time(12, 10))}
PAIRS |= {3: (time(12, 40), time(14, 10)), 4: (time(14, 20), time(15, 50))}
CHUNK = 20_000
REASONS = list(AbsenceReason)


@dataclass(frozen=True)
class Size:
    years: int = 1
    groups: int = 120
    group_size: int = 25
    teachers: int = 150
    disciplines: int = 30
    per_group: int = 8  # disciplines a group studies
    absent_rate: float = 0.06
    seed: int = 1


@dataclass
class Built:
    rows: dict[str, int] = field(default_factory=dict)


def _utc(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=TZ).astimezone(UTC)


class _Ids:
    def __init__(self) -> None:
        self._last: dict[str, int] = {}

    def __call__(self, table: str) -> int:
        self._last[table] = self._last.get(table, 0) + 1
        return self._last[table]


class _Writer:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.pending: dict[Any, list[dict[str, Any]]] = {}
        self.built = Built()

    def add(self, model: Any, row: dict[str, Any]) -> None:
        self.pending.setdefault(model, []).append(row)
        if len(self.pending[model]) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        """Everything pending, parents first (the order the tables were first met in)."""
        with self.engine.begin() as conn:
            for model, rows in self.pending.items():
                conn.execute(insert(model), rows)
                name = model.__tablename__
                self.built.rows[name] = self.built.rows.get(name, 0) + len(rows)
        self.pending = {}


def _days(first: date, last: date) -> Iterator[date]:
    for n in range((last - first).days + 1):
        yield first + timedelta(days=n)


def build(engine: Engine, size: Size = Size()) -> Built:
    """Write the college into a migrated, empty store."""
    rng = random.Random(size.seed)
    ids = _Ids()
    w = _Writer(engine)
    org = 1
    w.add(Organisation, {"id": org, "code": "bench", "name": "Bench college", "timezone": TZ.key})
    for d in range(1, size.disciplines + 1):
        w.add(Discipline, {"id": d, "org_id": org, "code": f"D.{d:02}", "name": f"Дисциплина {d}"})
    w.flush()
    staff: list[int] = []

    def person(last: str) -> int:
        pid = ids("people")
        w.add(
            Person,
            {
                "id": pid,
                "org_id": org,
                "external_id": f"p{pid}",
                "last_name": last,
                "first_name": "Имя",
                "middle_name": "Отчество",
            },
        )
        return pid

    def member(pid: int, role: Role, active: bool = True, **scope: Any) -> None:
        _member(w, ids, org, pid, role, active, **scope)

    teachers = [person(f"Учитель{n}") for n in range(size.teachers)]
    for pid in teachers:
        member(pid, Role.TEACHER)
    for role in (Role.DEPUTY, Role.DEPUTY, Role.ADMIN, Role.ADMIN):
        pid = person(role.value.capitalize())
        member(pid, role)
        staff.append(pid)
    staff += teachers
    for pid in staff:
        w.add(
            TelegramAccount,
            {
                "id": pid,
                "telegram_user_id": 9_000_000 + pid,
                "chat_id": 9_000_000 + pid,
                "person_id": pid,
                "language": "ru",
            },
        )
    curriculum = 1
    w.add(
        Curriculum, {"id": curriculum, "org_id": org, "code": "CUR", "academic_year": "2026/2027"}
    )
    for d in range(1, size.disciplines + 1):
        for semester in range(1, 9):
            form = AttestationForm.EXAM if (d + semester) % 2 else AttestationForm.CREDIT
            w.add(
                CurriculumItem,
                {
                    "curriculum_id": curriculum,
                    "discipline_id": d,
                    "semester": semester,
                    "attestation_form": form,
                },
            )
    for y in range(size.years):
        _year(w, ids, rng, size, org, 2026 - y, teachers, current=y == 0)
    w.flush()
    _sent_history(w, ids, size, teachers)
    w.flush()
    return w.built


def _year(
    w: _Writer,
    ids: _Ids,
    rng: random.Random,
    size: Size,
    org: int,
    year: int,
    teachers: list[int],
    *,
    current: bool,
) -> None:
    cal = WorkCalendar()
    autumn, spring = ids("periods"), ids("periods")
    last_day = TODAY if current else date(year + 1, 6, 30)
    w.add(
        Period,
        {
            "id": autumn,
            "org_id": org,
            "name": f"{year} autumn",
            "semester": 1,
            "starts_on": date(year, 9, 1),
            "ends_on": date(year, 12, 28),
            "closed": True,
        },
    )
    w.add(
        Period,
        {
            "id": spring,
            "org_id": org,
            "name": f"{year} spring",
            "semester": 2,
            "starts_on": date(year + 1, 1, 12),
            "ends_on": date(year + 1, 6, 30),
            "closed": not current,
        },
    )
    w.add(
        CalendarEntry,
        {
            "org_id": org,
            "kind": CalendarKind.VACATION,
            "name": f"Winter {year}/{(year + 1) % 100:02}",  # one a year: names are unique
            "starts_on": date(year, 12, 29),
            "ends_on": date(year + 1, 1, 11),
        },
    )
    status = StudentStatus.STUDYING if current else StudentStatus.GRADUATED
    groups: dict[int, dict[str, Any]] = {}
    people_of: dict[int, int] = {}
    for i in range(size.groups):
        gid = ids("groups")
        course = 1 + i % 4
        w.add(
            Group,
            {
                "id": gid,
                "org_id": org,
                "name": f"{year % 100:02}-{i:03}",
                "course_year": course,
                "curriculum_id": 1,
                "active": current,
            },
        )
        discs = [1 + (i * 7 + k * 3) % size.disciplines for k in range(size.per_group)]
        discs = list(dict.fromkeys(discs))
        tutors = {
            d: teachers[(i * size.per_group + k) % len(teachers)] for k, d in enumerate(discs)
        }
        students = []
        for _ in range(size.group_size):
            pid = _person(w, ids, org, "Студент")
            sid = ids("students")
            w.add(
                Student,
                {"id": sid, "org_id": org, "person_id": pid, "group_id": gid, "status": status},
            )
            _member(w, ids, org, pid, Role.STUDENT, current, student_id=sid)
            parent = _person(w, ids, org, "Родитель")
            _member(w, ids, org, parent, Role.PARENT, current, student_id=sid)
            order = ids("movement_orders")
            decided = date(year, 8, 25)
            w.add(
                MovementOrder,
                {
                    "id": order,
                    "org_id": org,
                    "number": f"{order}-к",
                    "kind": OrderKind.ENROLMENT,
                    "year": decided.year,
                    "decided_on": decided,
                    "effective_on": date(year, 9, 1),
                    "entered_at": _utc(decided + timedelta(days=1), time(10)),
                    "applied_on": date(year, 9, 1),
                },
            )
            w.add(
                OrderStudent,
                {"id": ids("order_students"), "order_id": order, "student_id": sid,
                 "to_group_id": gid},
            )  # fmt: skip
            for who in (pid, parent):
                w.add(
                    Invite,
                    {
                        "id": ids("invites"),
                        "org_id": org,
                        "person_id": who,
                        "code_hash": f"{who:064d}",
                        "created_at": _utc(decided, time(12)),
                        "expires_at": _utc(decided + timedelta(days=30), time(12)),
                        "used_at": _utc(decided + timedelta(days=2), time(12)),
                    },
                )
            students.append(sid)
            people_of[sid] = pid
        if current:
            _member(w, ids, org, teachers[i % len(teachers)], Role.CURATOR, True, group_id=gid)
        for period in (autumn, spring):
            for d, teacher in tutors.items():
                w.add(
                    TeachingAssignment,
                    {
                        "org_id": org,
                        "teacher_id": teacher,
                        "group_id": gid,
                        "discipline_id": d,
                        "period_id": period,
                    },
                )
        for d, teacher in tutors.items():
            if not current or rng.random() < 0.7:
                for kind in DocumentKind:
                    w.add(
                        TeachingDocument,
                        {
                            "org_id": org,
                            "kind": kind,
                            "group_id": gid,
                            "discipline_id": d,
                            "uploaded_by": teacher,
                            "file_id": f"f{gid}-{d}-{kind}",
                            "academic_year": year,
                            "uploaded_at": _utc(date(year, 9, 1), time(9)),
                        },
                    )
            for period in (autumn, spring):
                share = 0.4 if current and period == spring else 1.0
                for sid in students:
                    if rng.random() < share:
                        w.add(
                            PeriodGrade,
                            {
                                "org_id": org,
                                "student_id": sid,
                                "group_id": gid,
                                "discipline_id": d,
                                "period_id": period,
                                "form": AttestationForm.EXAM,
                                "value": "4",
                            },
                        )
        groups[gid] = {"discs": discs, "tutors": tutors, "students": students, "people": people_of}
    _lessons(w, ids, rng, size, org, year, cal, groups, autumn, spring, last_day, current)
    if current:
        _current_extras(w, ids, rng, org, groups)


def _person(w: _Writer, ids: _Ids, org: int, last: str) -> int:
    pid = ids("people")
    w.add(
        Person,
        {
            "id": pid,
            "org_id": org,
            "external_id": f"p{pid}",
            "last_name": last,
            "first_name": "Имя",
            "middle_name": "",
        },
    )
    return pid


def _member(
    w: _Writer, ids: _Ids, org: int, pid: int, role: Role, active: bool, **scope: Any
) -> None:
    w.add(
        Membership,
        {
            "id": ids("memberships"),
            "org_id": org,
            "person_id": pid,
            "role": role,
            "active": active,
            "group_id": None,
            "student_id": None,
            **scope,
        },
    )


def _lessons(
    w: _Writer,
    ids: _Ids,
    rng: random.Random,
    size: Size,
    org: int,
    year: int,
    cal: WorkCalendar,
    groups: dict[int, dict[str, Any]],
    autumn: int,
    spring: int,
    last_day: date,
    current: bool,
) -> None:
    winter = (date(year, 12, 29), date(year + 1, 1, 11))
    recent = TODAY - timedelta(days=14)
    for day in _days(date(year, 9, 1), last_day):
        if not cal.is_working_day(day) or winter[0] <= day <= winter[1]:
            continue
        period = autumn if day < winter[0] else spring
        fresh = current and day >= TODAY - timedelta(days=7)
        remote_group = rng.randrange(len(groups)) if current and rng.random() < 0.1 else -1
        for n, (gid, group) in enumerate(groups.items()):
            for pair, (starts, ends) in PAIRS.items():
                d = group["discs"][(day.toordinal() * 4 + pair) % len(group["discs"])]
                lid = ids("lessons")
                today = current and day == TODAY
                done = not today and (rng.random() > (0.15 if fresh else 0.01 if current else 0))
                topic = not today and (rng.random() > (0.2 if fresh else 0.02 if current else 0))
                remote = n == remote_group and pair != 4
                w.add(
                    Lesson,
                    {
                        "id": lid,
                        "org_id": org,
                        "period_id": period,
                        "group_id": gid,
                        "discipline_id": d,
                        "teacher_id": group["tutors"][d],
                        "date": day,
                        "pair_no": pair,
                        "starts_at": _utc(day, starts),
                        "ends_at": _utc(day, ends),
                        "topic": "Тема" if topic else "",
                        "distance": {"mode": "online", "platform": "Сферум", "time": "09:00"}
                        if remote
                        else None,
                        "register_done_at": _utc(day, ends) if done else None,
                    },
                )
                if today:
                    continue
                tries = 6  # up to six absentees a lesson, on average absent_rate of the group
                chance = size.absent_rate * size.group_size / tries
                k = sum(1 for _ in range(tries) if rng.random() < chance)
                for sid in rng.sample(group["students"], k):
                    explained = (
                        not current
                        or period == autumn
                        or (rng.random() < (0.5 if day >= recent else 0.95))
                    )
                    w.add(
                        Attendance,
                        {
                            "lesson_id": lid,
                            "student_id": sid,
                            "mark": Mark.ABSENT,
                            "reason": rng.choice(REASONS) if explained else None,
                            "updated_at": _utc(day, ends),
                        },
                    )
    for group in groups.values():
        for n in range(15):
            sid = rng.choice(group["students"])
            sent = date(year, 10, 1) + timedelta(days=n * 15)
            pending = current and n >= 14
            sent = TODAY - timedelta(days=rng.randrange(6)) if pending else sent
            w.add(
                AbsenceJustification,
                {
                    "org_id": org,
                    "student_id": sid,
                    "submitted_by": group["people"][sid],
                    "date_from": sent,
                    "date_to": sent,
                    "submitted_at": _utc(sent, time(18)),
                    "status": JustificationStatus.PENDING
                    if pending
                    else JustificationStatus.APPROVED,
                    "reason": None if pending else AbsenceReason.ILLNESS,
                },
            )


def _current_extras(
    w: _Writer, ids: _Ids, rng: random.Random, org: int, groups: dict[int, dict[str, Any]]
) -> None:
    """Newcomers of the last weeks (half without invites) and orders entered late."""
    gids = list(groups)
    for n in range(30):
        gid = rng.choice(gids)
        pid = _person(w, ids, org, "Новенький")
        sid = ids("students")
        w.add(
            Student,
            {
                "id": sid,
                "org_id": org,
                "person_id": pid,
                "group_id": gid,
                "status": StudentStatus.STUDYING,
            },
        )
        _member(w, ids, org, pid, Role.STUDENT, True, student_id=sid)
        decided = TODAY - timedelta(days=1 + n)
        order = ids("movement_orders")
        late = n % 5 == 0
        w.add(
            MovementOrder,
            {
                "id": order,
                "org_id": org,
                "number": f"{order}-к",
                "kind": OrderKind.ENROLMENT,
                "year": decided.year,
                "decided_on": decided,
                "effective_on": decided,
                "entered_at": _utc(decided + timedelta(days=9 if late else 1), time(11)),
                "applied_on": decided,
            },
        )
        w.add(
            OrderStudent,
            {"id": ids("order_students"), "order_id": order, "student_id": sid,
             "to_group_id": gid},
        )  # fmt: skip
        if n % 2:
            w.add(
                Invite,
                {
                    "id": ids("invites"),
                    "org_id": org,
                    "person_id": pid,
                    "code_hash": f"{pid:064d}",
                    "created_at": _utc(decided, time(12)),
                    "expires_at": _utc(decided + timedelta(days=30), time(12)),
                },
            )
        groups[gid]["students"].append(sid)


def _sent_history(w: _Writer, ids: _Ids, size: Size, teachers: list[int]) -> None:
    """What earlier scans left: two reminders a teacher and a message each working day."""
    cal = WorkCalendar()
    first = date(TODAY.year - size.years, 9, 1)
    for day in _days(first, TODAY - timedelta(days=1)):
        if not cal.is_working_day(day):
            continue
        at = _utc(day, time(8))
        for pid in teachers:
            for rule in ("R1", "R2"):
                w.add(
                    SentReminder,
                    {
                        "id": ids("sent"),
                        "key": f"{rule}:{pid}:{day.isoformat()}",
                        "rule": rule,
                        "person_id": pid,
                        "for_date": day,
                        "sent_at": at,
                    },
                )
            mid = ids("outbox")
            w.add(
                OutboxMessage,
                {
                    "id": mid,
                    "org_id": 1,
                    "dedup_key": f"reminder:{pid}:{mid}",
                    "person_id": pid,
                    "chat_id": 9_000_000 + pid,
                    "kind": "reminder",
                    "text": "…",
                    "status": OutboxStatus.SENT,
                    "not_before": at,
                    "created_at": at,
                    "sent_at": at,
                },
            )
