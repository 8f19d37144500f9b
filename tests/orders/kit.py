"""Helpers of the order tests: the store read back."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.journal import roster
from storage.models import AuditEntry, Group, MovementOrder, Student

Factory = async_sessionmaker[AsyncSession]


async def names_on(factory: Factory, group: Group, day: date) -> list[str]:
    """Surnames on the group's register of ``day``."""
    async with factory() as session:
        return [e.short_name.split()[0] for e in await roster(session, group.id, None, day)]


async def orders(factory: Factory) -> int:
    async with factory() as session:
        return await session.scalar(select(func.count()).select_from(MovementOrder)) or 0


async def student(factory: Factory, student_id: int) -> Student:
    async with factory() as session:
        found = await session.get(Student, student_id)
        assert found is not None
        return found


async def group(factory: Factory, group_id: int) -> Group:
    async with factory() as session:
        found = await session.get(Group, group_id)
        assert found is not None
        return found


async def audited(factory: Factory, entity: str) -> list[AuditEntry]:
    async with factory() as session:
        rows = await session.scalars(
            select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id)
        )
        return list(rows)
