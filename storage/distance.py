"""Queries for declared distance days (R9)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DistanceDay, Lesson


async def groups_with_lessons(
    session: AsyncSession, org_id: int, group_ids: Collection[int], first: date, last: date
) -> set[int]:
    """The groups among ``group_ids`` with a lesson (not cancelled) between the dates."""
    if not group_ids:
        return set()
    rows = await session.execute(
        select(Lesson.group_id)
        .where(
            Lesson.org_id == org_id,
            Lesson.group_id.in_(list(group_ids)),
            Lesson.date.between(first, last),
            Lesson.cancelled.is_(False),
        )
        .distinct()
    )
    return set(rows.scalars())


async def add(session: AsyncSession, rows: Iterable[Mapping[str, Any]]) -> None:
    values = list(rows)
    if values:
        await session.execute(insert(DistanceDay), values)


async def declared(
    session: AsyncSession, org_ids: Collection[int], first: date, last: date
) -> set[tuple[int, date]]:
    """(group, day) pairs declared at a distance between the dates, in the colleges."""
    if not org_ids:
        return set()
    rows = await session.execute(
        select(DistanceDay.group_id, DistanceDay.first_day, DistanceDay.last_day).where(
            DistanceDay.org_id.in_(list(org_ids)),
            DistanceDay.first_day <= last,
            DistanceDay.last_day >= first,
        )
    )
    days: set[tuple[int, date]] = set()
    for group_id, starts, ends in rows.all():
        day = max(starts, first)
        while day <= min(ends, last):
            days.add((group_id, day))
            day += timedelta(days=1)
    return days


async def count(session: AsyncSession, org_id: int) -> int:
    found = await session.scalar(
        select(func.count()).select_from(DistanceDay).where(DistanceDay.org_id == org_id)
    )
    return int(found or 0)
