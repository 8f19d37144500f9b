"""Bulk reads and writes for the college import and lesson generation.

An import touches thousands of rows, so nothing here works row by row: existing rows are read
once per table as plain dicts, new rows go in with one multi-row INSERT … RETURNING, changed
rows with one executemany UPDATE, and audit entries in bulk too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit import diff
from storage.models import (
    Attendance,
    AuditEntry,
    Base,
    Grade,
    Lesson,
    MovementOrder,
    OrderStudent,
    Student,
    StudentStatus,
    utcnow,
)

CHUNK = 1000  # ids per IN (…): far below the parameter limits of SQLite and PostgreSQL


async def rows_of(
    session: AsyncSession, model: type[Base], fields: Sequence[str], *where: ColumnElement[bool]
) -> list[dict[str, Any]]:
    """``id`` and the given columns of the matching rows, as dicts."""
    columns = [model.__table__.c.id, *(model.__table__.c[f] for f in fields)]
    result = await session.execute(select(*columns).where(*where))
    return [dict(row._mapping) for row in result]


async def insert_rows(
    session: AsyncSession, model: type[Base], rows: Sequence[dict[str, Any]]
) -> list[int]:
    """Insert a few rows and return their new ids in the order given.

    Ordered RETURNING makes SQLite insert one row at a time; for many rows use
    ``insert_keyed``.
    """
    if not rows:
        return []
    stmt = insert(model).returning(model.__table__.c.id, sort_by_parameter_order=True)
    result = await session.execute(stmt, list(rows))
    return list(result.scalars())


async def insert_keyed(
    session: AsyncSession,
    model: type[Base],
    rows: Sequence[dict[str, Any]],
    key: Sequence[str],
    *scope: ColumnElement[bool],
) -> dict[tuple[Any, ...], int]:
    """Insert many rows in one executemany and return ``key values → id`` of the rows in
    ``scope`` (the key must be unique there), read back with one SELECT."""
    if not rows:
        return {}
    await insert_plain(session, model, rows)
    stored = await rows_of(session, model, key, *scope)
    return {tuple(r[k] for k in key): r["id"] for r in stored}


async def insert_plain(
    session: AsyncSession, model: type[Base], rows: Sequence[dict[str, Any]]
) -> None:
    """Insert rows whose ids nobody needs back (lessons, audit entries, link rows)."""
    if rows:
        # The table, not the mapper: Core executemany skips the ORM's per-row bookkeeping.
        await session.execute(insert(model.__table__), list(rows))


async def update_rows(
    session: AsyncSession, model: type[Base], rows: Sequence[dict[str, Any]]
) -> None:
    """Update rows by primary key; each dict holds ``id`` and the changed columns."""
    by_columns: dict[frozenset[str], list[dict[str, Any]]] = {}
    for row in rows:
        by_columns.setdefault(frozenset(row), []).append(row)
    # executemany needs the same columns in every row of one batch.
    for batch in by_columns.values():
        await session.execute(update(model), batch)


async def delete_ids(session: AsyncSession, model: type[Base], ids: Iterable[int]) -> None:
    ids = list(ids)
    column = model.__table__.c.id
    for start in range(0, len(ids), CHUNK):
        await session.execute(delete(model).where(column.in_(ids[start : start + CHUNK])))


def audit_row(
    *,
    org_id: int | None,
    action: str,
    entity: str,
    entity_id: int | None,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    source: str = "import",
    actor_id: int | None = None,
) -> dict[str, Any]:
    """One audit entry, in the same shape ``storage.audit.record`` writes."""
    return {
        "org_id": org_id,
        "actor_id": actor_id,
        "source": source,
        "at": utcnow(),
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "changes": diff(old or {}, new or {}),
    }


async def insert_audit(session: AsyncSession, entries: Sequence[dict[str, Any]]) -> None:
    await insert_plain(session, AuditEntry, entries)


# --- lessons -------------------------------------------------------------------------------

LESSON_FIELDS = (
    "timetable_entry_id",
    "date",
    "group_id",
    "subgroup_id",
    "discipline_id",
    "teacher_id",
    "pair_no",
    "starts_at",
    "ends_at",
    "hours",
    "room",
    "topic_entered_at",
)


async def period_lessons(session: AsyncSession, period_id: int) -> list[dict[str, Any]]:
    return await rows_of(session, Lesson, LESSON_FIELDS, Lesson.period_id == period_id)


async def lessons_with_journal_data(session: AsyncSession, period_id: int) -> set[int]:
    """Lessons of a period that hold anything a person entered: they are never removed."""
    entered = or_(
        Lesson.topic != "",
        Lesson.homework != "",
        Lesson.homework_file_id.is_not(None),
        Lesson.topic_entered_at.is_not(None),
        Lesson.register_done_at.is_not(None),
    )
    ids = set(
        (await session.execute(select(Lesson.id).where(Lesson.period_id == period_id, entered)))
        .scalars()
        .all()
    )
    # A cleared JSON column may hold JSON null rather than SQL NULL: judge the value.
    distance = select(Lesson.id, Lesson.distance).where(
        Lesson.period_id == period_id, Lesson.distance.is_not(None)
    )
    ids.update(row.id for row in await session.execute(distance) if row.distance)
    for model in (Attendance, Grade):
        stmt = (
            select(model.lesson_id)
            .join(Lesson, Lesson.id == model.lesson_id)
            .where(Lesson.period_id == period_id)
            .distinct()
        )
        ids.update((await session.execute(stmt)).scalars())
    return ids


async def table_counts(session: AsyncSession) -> dict[str, int]:
    """Row count of every table (how tests prove a failed import changed nothing)."""
    counts = {}
    for table in Base.metadata.sorted_tables:
        counts[table.name] = (
            await session.execute(select(func.count()).select_from(table))
        ).scalar_one()
    return counts


@dataclass(frozen=True)
class Ordered:
    """A student some movement order named: their stored group and status, and the number
    of the latest order (by effective date) that named them."""

    student_id: int
    person_id: int
    group_id: int | None
    status: StudentStatus
    number: str


async def ordered_students(session: AsyncSession, org_id: int) -> dict[int, Ordered]:
    """The college's students an order (not annulled) has touched, by person id."""
    rows = await session.execute(
        select(
            Student.id, Student.person_id, Student.group_id, Student.status, MovementOrder.number
        )
        .join(OrderStudent, OrderStudent.student_id == Student.id)
        .join(MovementOrder, MovementOrder.id == OrderStudent.order_id)
        .where(Student.org_id == org_id, MovementOrder.annulled_at.is_(None))
        .order_by(MovementOrder.effective_on, MovementOrder.id)
    )
    # The latest order is the last row of each student.
    return {row.person_id: Ordered(*row) for row in rows.all()}


async def ordered_groups(session: AsyncSession, org_id: int) -> dict[int, str]:
    """Groups a whole-group order (next course, graduation) has touched, with the latest
    order's number."""
    rows = await session.execute(
        select(MovementOrder.group_id, MovementOrder.number)
        .where(
            MovementOrder.org_id == org_id,
            MovementOrder.group_id.is_not(None),
            MovementOrder.annulled_at.is_(None),
        )
        .order_by(MovementOrder.effective_on, MovementOrder.id)
    )
    return {group_id: number for group_id, number in rows.all() if group_id is not None}
