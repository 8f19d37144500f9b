"""Queries for notifications: who hears about a student, what they chose, what a week held."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.messenger import MAX_BASE
from storage.db import dialect_insert, not_null
from storage.models import (
    AbsenceReason,
    Attendance,
    Discipline,
    Grade,
    GradeKind,
    Lesson,
    Mark,
    Membership,
    NotificationPreference,
    OrgSetting,
    Person,
    Role,
    Student,
    TelegramAccount,
)


@dataclass(frozen=True)
class Account:
    """An active Telegram account of a person: where their messages go."""

    person_id: int
    chat_id: int
    language: str | None  # the account's choice, else the person's locale
    linked_at: datetime


@dataclass(frozen=True)
class Recipient:
    account: Account
    as_parent: bool  # a parent of the student; False: the student themself

    @property
    def person_id(self) -> int:
        return self.account.person_id


@dataclass(frozen=True)
class Family:
    """A student and everyone linked who may hear about them."""

    student_id: int
    first_name: str
    recipients: tuple[Recipient, ...]


async def active_accounts(
    session: AsyncSession, person_ids: Collection[int]
) -> dict[int, list[Account]]:
    """The accounts the journal writes to on its own: active, chosen by their person for it
    (services/people/messengers.py), and for MAX only in colleges that use MAX."""
    if not person_ids:
        return {}
    rows = await session.execute(
        select(
            TelegramAccount.person_id,
            TelegramAccount.chat_id,
            TelegramAccount.language,
            Person.locale,
            TelegramAccount.created_at,
            Person.org_id,
        )
        .join(Person, Person.id == TelegramAccount.person_id)
        .where(
            TelegramAccount.person_id.in_(list(person_ids)),
            TelegramAccount.active.is_(True),
            TelegramAccount.notify.is_(True),
        )
        .order_by(TelegramAccount.id)
    )
    found: dict[int, list[Account]] = {}
    without_max: set[int] | None = None
    for person_id, chat_id, language, locale, linked_at, org_id in rows.all():
        if chat_id >= MAX_BASE:
            if without_max is None:
                without_max = await colleges_without_max(session)
            if org_id in without_max:
                continue
        found.setdefault(person_id, []).append(
            Account(person_id, chat_id, language or locale, linked_at)
        )
    return found


async def colleges_without_max(session: AsyncSession) -> set[int]:
    """The colleges that turned MAX off (services/college_settings.py ``MAX``)."""
    rows = await session.execute(
        select(OrgSetting.org_id, OrgSetting.value).where(OrgSetting.key == "messenger.max")
    )
    return {org_id for org_id, value in rows.all() if (value or {}).get("value") == "off"}


async def families(session: AsyncSession, student_ids: Collection[int]) -> dict[int, Family]:
    """The students with their linked parents (active parent memberships) and themselves."""
    if not student_ids:
        return {}
    ids = list(student_ids)
    students = (
        await session.execute(
            select(Student.id, Student.person_id, Person.first_name)
            .join(Person, Person.id == Student.person_id)
            .where(Student.id.in_(ids))
        )
    ).all()
    parents = (
        await session.execute(
            select(not_null(Membership.student_id), Membership.person_id).where(
                Membership.role == Role.PARENT,
                Membership.active.is_(True),
                Membership.student_id.in_(ids),
            )
        )
    ).all()
    parents_of: dict[int, list[int]] = {}
    for student_id, person_id in parents:
        if person_id not in parents_of.setdefault(student_id, []):
            parents_of[student_id].append(person_id)
    accounts = await active_accounts(
        session, {p for _s, p, _n in students} | {p for _s, p in parents}
    )
    result: dict[int, Family] = {}
    for student_id, person_id, first_name in students:
        recipients = [
            Recipient(account, True)
            for parent_id in parents_of.get(student_id, [])
            for account in accounts.get(parent_id, [])
        ]
        recipients += [Recipient(account, False) for account in accounts.get(person_id, [])]
        result[student_id] = Family(student_id, first_name, tuple(recipients))
    return result


async def students_of(
    session: AsyncSession, person_ids: Collection[int]
) -> dict[int, list[tuple[int, bool]]]:
    """Per person, the students they hear about: ``(student_id, as_parent)``."""
    if not person_ids:
        return {}
    ids = list(person_ids)
    found: dict[int, list[tuple[int, bool]]] = {}
    parents = await session.execute(
        select(Membership.person_id, not_null(Membership.student_id))
        .where(
            Membership.role == Role.PARENT,
            Membership.active.is_(True),
            Membership.person_id.in_(ids),
            Membership.student_id.is_not(None),
        )
        .order_by(Membership.id)
    )
    for person_id, student_id in parents.all():
        if (student_id, True) not in found.setdefault(person_id, []):
            found[person_id].append((student_id, True))
    selves = await session.execute(
        select(Student.person_id, Student.id).where(Student.person_id.in_(ids))
    )
    for person_id, student_id in selves.all():
        found.setdefault(person_id, []).append((student_id, False))
    return found


async def first_names(session: AsyncSession, student_ids: Collection[int]) -> dict[int, str]:
    if not student_ids:
        return {}
    rows = await session.execute(
        select(Student.id, Person.first_name)
        .join(Person, Person.id == Student.person_id)
        .where(Student.id.in_(list(student_ids)))
    )
    return {student_id: name for student_id, name in rows.all()}


# --- preferences -----------------------------------------------------------------------


async def preferences_of(
    session: AsyncSession, person_ids: Collection[int]
) -> dict[int, dict[str, str]]:
    if not person_ids:
        return {}
    rows = await session.execute(
        select(
            NotificationPreference.person_id,
            NotificationPreference.kind,
            NotificationPreference.mode,
        ).where(NotificationPreference.person_id.in_(list(person_ids)))
    )
    found: dict[int, dict[str, str]] = {}
    for person_id, kind, mode in rows.all():
        found.setdefault(person_id, {})[kind] = mode
    return found


async def set_preference(session: AsyncSession, person_id: int, kind: str, mode: str) -> int:
    """Store the mode (insert or update in one statement, so a double tap cannot collide)."""
    stmt = dialect_insert(session, NotificationPreference).values(
        person_id=person_id, kind=kind, mode=mode
    )
    upsert = stmt.on_conflict_do_update(
        index_elements=["person_id", "kind"], set_={"mode": stmt.excluded.mode}
    ).returning(NotificationPreference.id)
    return int((await session.execute(upsert)).scalar_one())


async def people_choosing(
    session: AsyncSession, org_id: int, kinds: Sequence[str], mode: str
) -> dict[int, set[str]]:
    """People of a college who chose ``mode`` for some of ``kinds``: person → those kinds."""
    rows = await session.execute(
        select(NotificationPreference.person_id, NotificationPreference.kind)
        .join(Person, Person.id == NotificationPreference.person_id)
        .where(
            Person.org_id == org_id,
            NotificationPreference.mode == mode,
            NotificationPreference.kind.in_(list(kinds)),
        )
    )
    found: dict[int, set[str]] = {}
    for person_id, kind in rows.all():
        found.setdefault(person_id, set()).add(kind)
    return found


# --- the week in the journal -------------------------------------------------------------


@dataclass(frozen=True)
class WeekGrade:
    student_id: int
    day: date
    discipline: str
    value: str
    kind: GradeKind


@dataclass(frozen=True)
class WeekMark:
    student_id: int
    day: date
    pair_no: int
    discipline: str
    mark: Mark
    reason: AbsenceReason | None


async def week_grades(
    session: AsyncSession, student_ids: Collection[int], first: date, last: date
) -> list[WeekGrade]:
    if not student_ids:
        return []
    rows = await session.execute(
        select(Grade.student_id, Lesson.date, Discipline.name, Grade.value, Grade.kind)
        .join(Lesson, Lesson.id == Grade.lesson_id)
        .join(Discipline, Discipline.id == Grade.discipline_id)
        .where(
            Grade.student_id.in_(list(student_ids)),
            Lesson.date >= first,
            Lesson.date <= last,
        )
        .order_by(Lesson.date, Lesson.pair_no, Grade.id)
    )
    return [WeekGrade(*row) for row in rows.all()]


async def week_marks(
    session: AsyncSession, student_ids: Collection[int], first: date, last: date
) -> list[WeekMark]:
    """Absences and lateness on finalised registers: what parents were (or would be) told."""
    if not student_ids:
        return []
    rows = await session.execute(
        select(
            Attendance.student_id,
            Lesson.date,
            Lesson.pair_no,
            Discipline.name,
            Attendance.mark,
            Attendance.reason,
        )
        .join(Lesson, Lesson.id == Attendance.lesson_id)
        .join(Discipline, Discipline.id == Lesson.discipline_id)
        .where(
            Attendance.student_id.in_(list(student_ids)),
            Attendance.mark != Mark.PRESENT,
            Lesson.register_done_at.is_not(None),
            Lesson.date >= first,
            Lesson.date <= last,
        )
        .order_by(Lesson.date, Lesson.pair_no)
    )
    return [WeekMark(*row) for row in rows.all()]
